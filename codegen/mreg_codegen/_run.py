"""One run of the scan: scan what the cache cannot vouch for, check, validate, assemble."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mreg_codegen._across_files import check_across_files
from mreg_codegen._assembly import build_manifest, declaring_files, digest, validate_graph
from mreg_codegen._cache import (
    CacheCorruptError,
    CachedScan,
    FileResult,
    Outcome,
    ScanCache,
    sha256_of,
)
from mreg_codegen._diagnostics import Diagnostic, diagnostic_at
from mreg_codegen._graph_diagnostics import SourceTexts, displayed_names, problem_diagnostic
from mreg_codegen._options import ScanOptions
from mreg_codegen._project import SourceFile, display_path
from mreg_codegen._report import ScanReport, ScanStats, sorted_diagnostics
from mreg_codegen._worker import ScanTask, crash_result, scan_in_worker

if TYPE_CHECKING:
    from mreg_di._manifest import Manifest

__all__ = ["ScanRun"]


class ScanRun:
    """One attempt at a scan (a second one follows when cached data proves unusable).

    `scan_project` resolves the paths and loads the cache; a run scans what the cache cannot
    vouch for, checks across files, validates the graph and assembles the manifest text.
    """

    def __init__(
        self,
        options: ScanOptions,
        cwd: Path,
        output: Path,
        files: list[SourceFile],
        fp: str,
        progress: Callable[[int, int], None] | None,
    ) -> None:
        self.options = options
        self.cwd = cwd
        self.output = output
        self.output_display = display_path(output, cwd)
        self.files = files
        self.fingerprint = fp
        self.progress = progress
        self.stats = ScanStats(files=len(files))

    @property
    def used_cache(self) -> bool:
        """Whether anything in this run came from the cache."""
        return self.stats.cached > 0 or self.stats.graph_cached

    def failed(self, notes: list[Diagnostic], reason: str) -> ScanReport:
        """The report when the scanned data itself cannot make a manifest (a bug)."""
        internal = diagnostic_at(
            self.output_display,
            None,
            0,
            0,
            "internal-error",
            f"mreg-codegen produced an invalid manifest: {reason}",
            hint="this is a bug in mreg-codegen; please report it",
        )
        return ScanReport(
            output=self.output,
            output_display=self.output_display,
            text=None,
            up_to_date=False,
            diagnostics=sorted_diagnostics([*notes, internal]),
            stats=self.stats,
        )

    def execute(self, cache: ScanCache, notes: list[Diagnostic]) -> ScanReport:
        """Scan, check and assemble; `notes` are diagnostics found before the run.

        Raises:
            CacheCorruptError: Data read back from the cache is malformed.
        """
        results = self._results(cache)
        diagnostics = list(notes)
        try:
            for file, result in zip(self.files, results, strict=True):
                diagnostics.extend(
                    Diagnostic(**{**fields, "path": file.display}) for fields in result.diagnostics
                )
        except (TypeError, ValueError) as exc:
            raise CacheCorruptError(f"a cached diagnostic is malformed: {exc}") from exc
        inputs = self._inputs_digest(results)
        stored = cache.outcome()
        existing: bytes | None = None
        with contextlib.suppress(OSError):
            existing = self.output.read_bytes()
        existing_sha = None if existing is None else sha256_of(existing)
        text: str | None = None
        by_name: dict[str, dict[str, Any]] = {}
        if (
            stored is not None
            and stored.inputs == inputs
            and stored.manifest_sha256 is not None
            and stored.manifest_sha256 == existing_sha
        ):
            # Unchanged inputs, untouched manifest: no record needs reading. (A manifest was
            # produced, so there was no error, so no diagnostic across files either.)
            self.stats.graph_cached = True
            self.stats.plugins = stored.plugins
            outcome = stored
            text = existing.decode("utf-8") if existing is not None else None
        else:
            records = self._records(cache, results)
            self.stats.plugins = len(records)
            unique = check_across_files(records, diagnostics)
            by_name = {raw["name"]: raw for raw in unique}
            has_errors = any(d.is_error for d in diagnostics)
            outcome, text = self._outcome(inputs, unique, results, has_errors, stored, existing_sha)
            cache.store_outcome(outcome)
            if text is None and outcome.manifest_sha256 is not None and existing is not None:
                text = existing.decode("utf-8")  # the manifest on disk is the one to write
        diagnostics.extend(self._problem_diagnostics(outcome.problems, by_name))
        if any(d.is_error for d in diagnostics):
            text = None
        up_to_date = text is not None and existing == text.encode("utf-8")
        return ScanReport(
            output=self.output,
            output_display=self.output_display,
            text=text,
            up_to_date=up_to_date,
            diagnostics=sorted_diagnostics(diagnostics),
            stats=self.stats,
        )

    # -- scanning ---------------------------------------------------------------------------

    def _results(self, cache: ScanCache) -> list[FileResult | CachedScan]:
        need_parsed = not self.options.prefilter
        results: list[FileResult | CachedScan | None] = []
        missing: list[int] = []
        for index, file in enumerate(self.files):
            cached = cache.lookup(file, need_parsed=need_parsed)
            if cached is None:
                missing.append(index)
            results.append(cached)
        self.stats.cached = len(self.files) - len(missing)
        if missing:
            tasks = [
                ScanTask(
                    self.files[i].path,
                    self.files[i].module,
                    self.files[i].rel_file,
                    self.files[i].display,
                    self.files[i].is_package,
                    self.options.prefilter,
                )
                for i in missing
            ]
            from mreg_codegen._pool import run_tasks

            progress = self.progress
            on_result = None if progress is None else (lambda done: progress(done, len(tasks)))
            scanned = run_tasks(
                scan_in_worker,
                tasks,
                jobs=max(1, self.options.jobs),
                on_crash=crash_result,
                on_result=on_result,
            )
            for index, result in zip(missing, scanned, strict=True):
                results[index] = result
                if not result.sha256:
                    self.stats.crashed += 1
                    continue
                if result.parsed:
                    self.stats.parsed += 1
                else:
                    self.stats.prefiltered += 1
                cache.store(self.files[index], result)
        return [result for result in results if result is not None]

    def _records(
        self, cache: ScanCache, results: Sequence[FileResult | CachedScan]
    ) -> list[tuple[SourceFile, dict[str, Any]]]:
        records: list[tuple[SourceFile, dict[str, Any]]] = []
        for file, result in zip(self.files, results, strict=True):
            if isinstance(result, FileResult):
                records.extend((file, raw) for raw in result.records)
            elif result.record_count:
                records.extend((file, raw) for raw in cache.records(file))
        return records

    def _inputs_digest(self, results: Sequence[FileResult | CachedScan]) -> str:
        rows = [
            [file.rel_file, file.module, file.is_package, result.sha256, result.parsed]
            for file, result in zip(self.files, results, strict=True)
        ]
        payload = {
            "fingerprint": self.fingerprint,
            "prefilter": self.options.prefilter,
            "files": rows,
        }
        return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()

    # -- the graph and the manifest ---------------------------------------------------------

    def _outcome(
        self,
        inputs: str,
        unique: list[dict[str, Any]],
        results: Sequence[FileResult | CachedScan],
        has_errors: bool,
        stored: Outcome | None,
        existing_sha: str | None,
    ) -> tuple[Outcome, str | None]:
        """Validate the graph (unless the records are those of `stored`) and key the result.

        The graph depends on the records alone, so editing a file that declares nothing (an
        interfaces module, a comment) reuses the stored problems and orders; the manifest
        depends on the records and on the hashes of the files that declare them.

        Returns:
            The outcome, and the manifest text when it had to be assembled (``None`` when
            there are errors, or when the manifest on disk is already the one to write).
        """
        graph_key = digest(sorted(unique, key=lambda raw: raw["name"]))
        files = declaring_files(self.files, unique, results)
        if any(isinstance(result, CachedScan) and result.record_count for result in results):
            # Records read back from the cache are checked as the manifest will check them,
            # before the graph trusts them: a tampered cache must not become a wrong result.
            self._manifest(unique, files, {})
        manifest_key = digest([graph_key, files])
        if stored is not None and stored.graph_key == graph_key:
            self.stats.graph_cached = True
            problems, orders = stored.problems, stored.orders
        else:
            problems, orders = validate_graph(unique)
        manifest_sha = text = None
        if not problems and not has_errors:
            if (
                stored is not None
                and stored.manifest_key == manifest_key
                and stored.manifest_sha256 is not None
                and stored.manifest_sha256 == existing_sha
            ):
                manifest_sha = existing_sha
            else:
                text = self._manifest(unique, files, orders).dumps()
                manifest_sha = sha256_of(text.encode("utf-8"))
        outcome = Outcome(
            inputs=inputs,
            graph_key=graph_key,
            manifest_key=manifest_key,
            problems=problems,
            orders=orders,
            plugins=self.stats.plugins,
            manifest_sha256=manifest_sha,
        )
        return outcome, text

    def _problem_diagnostics(
        self, problems: Sequence[dict[str, Any]], by_name: Mapping[str, dict[str, Any]]
    ) -> list[Diagnostic]:
        if not problems:
            return []
        from mreg_di._problems import Problem, ProblemKind

        sources = SourceTexts()
        shown = displayed_names(
            {raw["file"] for raw in by_name.values() if raw["file"]}, self.output.parent, self.cwd
        )
        found = []
        for fields in problems:
            try:
                problem = Problem(**{**fields, "kind": ProblemKind(fields["kind"])})
            except (KeyError, TypeError, ValueError) as exc:
                raise CacheCorruptError(f"a cached problem is malformed: {exc!r}") from exc
            found.append(
                problem_diagnostic(
                    problem,
                    manifest_dir=self.output.parent,
                    manifest_display=self.output_display,
                    cwd=self.cwd,
                    sources=sources,
                    record=by_name.get(problem.plugin or ""),
                    shown=shown,
                )
            )
        return found

    def _manifest(
        self,
        unique: list[dict[str, Any]],
        files: dict[str, str],
        orders: dict[str, list[str]],
    ) -> Manifest:
        return build_manifest(
            unique, files, orders, source=self.output_display, directory=self.output.parent
        )
