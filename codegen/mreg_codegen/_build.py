"""The scan of a whole project: discover, scan (cached, in parallel), validate, assemble.

`scan_project` is what ``mreg-codegen scan`` runs. It never writes the manifest itself (the
command line decides between writing and ``--check``); it returns the manifest text, or the
diagnostics that prevent one.

1. *Discover* the ``.py`` files under the import roots (`mreg_codegen._project`).
2. *Scan* each file that the cache (`mreg_codegen._cache`) cannot vouch for, in worker
   processes (`mreg_codegen._pool`); libcst is imported in the workers only.
3. *Check across files*: duplicate plugin names, declarations in unimportable modules.
4. *Validate the graph* of every profile with `mreg_di._graph.validate_profiles` (skipped
   when the inputs are those of the cached outcome; networkx is then never imported).
5. *Assemble* the manifest text with `mreg_di.Manifest`, byte-identical for the same tree
   whatever the file order, the current directory or the number of jobs.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from mreg_codegen import __version__
from mreg_codegen._cache import (
    DEFAULT_CACHE_DIR,
    CacheCorruptError,
    CachedScan,
    FileResult,
    Outcome,
    ScanCache,
    cache_file,
    fingerprint,
    sha256_of,
)
from mreg_codegen._diagnostics import Diagnostic, diagnostic_at
from mreg_codegen._graph_diagnostics import SourceTexts, displayed_names, problem_diagnostic
from mreg_codegen._project import (
    SourceFile,
    UsageError,
    discover,
    display_path,
    resolve_roots,
)

if TYPE_CHECKING:
    from mreg_di._manifest import Manifest

__all__ = ["GENERATOR", "ScanOptions", "ScanReport", "ScanStats", "scan_project"]

GENERATOR = f"mreg-codegen {__version__}"
"""What the manifest's ``generator`` field says."""


def _paths(values: Sequence[str | os.PathLike[str]]) -> tuple[Path, ...]:
    return tuple(Path(value) for value in values)


def _default_jobs() -> int:
    return os.cpu_count() or 1


@attrs.frozen
class ScanOptions:
    """What to scan and how.

    Attributes:
        roots: Import roots (``SRC``); relative ones are relative to `cwd`.
        output: The manifest path; file paths in it are relative to its directory.
        excludes: Glob patterns of files and directories to leave out.
        jobs: Worker processes for parsing (default: every core).
        cache_dir: Where the cache lives (default: ``.mreg-cache`` in `cwd`, like the caches
            of mypy, ruff and pytest).
        use_cache: ``False`` scans everything and neither reads nor writes a cache.
        prefilter: ``False`` parses every file, even those whose bytes show they declare
            nothing (the robustness run over the standard library uses this).
        cwd: The directory relative paths and displayed paths are relative to (default: the
            process's current directory).

    Example:
        >>> ScanOptions(["src"], "mreg-manifest.json", jobs=2).roots
        (PosixPath('src'),)
    """

    roots: tuple[Path, ...] = attrs.field(converter=_paths)
    output: Path = attrs.field(converter=Path)
    excludes: tuple[str, ...] = attrs.field(default=(), converter=tuple)
    jobs: int = attrs.field(factory=_default_jobs)
    cache_dir: Path | None = attrs.field(default=None, converter=attrs.converters.optional(Path))
    use_cache: bool = True
    prefilter: bool = True
    cwd: Path | None = attrs.field(default=None, converter=attrs.converters.optional(Path))


@attrs.define
class ScanStats:
    """What one scan did, for the summary line and for tests.

    Attributes:
        files: ``.py`` files found under the roots.
        cached: Files whose cached scan was reused.
        parsed: Files parsed by a worker in this run.
        prefiltered: Files a worker only hashed: their bytes show they declare nothing.
        crashed: Files whose parser crashed its worker, or that hit an internal error.
        plugins: Declarations found (before removing duplicates).
        graph_cached: The graph outcome was reused (networkx was not needed).

    Example:
        >>> ScanStats(files=3, cached=3).scanned
        0
    """

    files: int = 0
    cached: int = 0
    parsed: int = 0
    prefiltered: int = 0
    crashed: int = 0
    plugins: int = 0
    graph_cached: bool = False

    @property
    def scanned(self) -> int:
        """Files handed to a worker in this run (parsed, prefiltered or crashed)."""
        return self.parsed + self.prefiltered + self.crashed


@attrs.frozen
class ScanReport:
    """The result of `scan_project`.

    Attributes:
        output: The manifest's absolute path.
        output_display: The manifest's path as messages show it.
        text: The manifest text, or ``None`` when an error prevents writing one.
        up_to_date: The manifest on disk is byte-identical to `text`.
        diagnostics: Every diagnostic, sorted by path, line and column.
        stats: What the scan did.

    Example:
        >>> report = ScanReport(Path("/p/m.json"), "m.json", None, False, (), ScanStats())
        >>> report.errors, report.ok
        (0, False)
    """

    output: Path
    output_display: str
    text: str | None
    up_to_date: bool
    diagnostics: tuple[Diagnostic, ...]
    stats: ScanStats

    @property
    def errors(self) -> int:
        """How many diagnostics are errors."""
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        """How many diagnostics are warnings."""
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    @property
    def ok(self) -> bool:
        """A manifest was produced (there were no errors)."""
        return self.text is not None


class ScanTask(NamedTuple):
    """One file for a worker to scan (a tuple: cheap to pickle).

    Example:
        >>> ScanTask("/p/src/a.py", "a", "src/a.py", "src/a.py", False, True).module
        'a'
    """

    path: str
    module: str
    rel_file: str
    display: str
    is_package: bool
    prefilter: bool


def scan_in_worker(task: ScanTask) -> FileResult:
    """Read, hash, pre-filter and parse one file. Runs in a worker process.

    libcst is imported here, on the worker's first file, never in the parent process.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     path = Path(tmp) / "a.py"
        ...     _ = path.write_text("import os\\n")
        ...     result = scan_in_worker(ScanTask(str(path), "a", "a.py", "a.py", False, True))
        >>> result.parsed, result.records  # the pre-filter saw no mreg_di: hashed only
        (False, ())
    """
    try:
        source = Path(task.path).read_bytes()
    except OSError as exc:
        diagnostic = diagnostic_at(
            task.display,
            None,
            0,
            0,
            "unreadable-file",
            f"cannot read the file: {exc.strerror or exc}",
            hint="fix its permissions or leave it out with --exclude",
        )
        return FileResult("", False, (), (attrs.asdict(diagnostic),))
    digest = sha256_of(source)
    from mreg_codegen import _scanner

    if task.prefilter and not _scanner.may_declare(source):
        return FileResult(digest, False, (), ())
    scan = _scanner.scan_source(
        source,
        module=task.module,
        path=task.display,
        rel_file=task.rel_file,
        is_package=task.is_package,
    )
    return FileResult(
        digest,
        True,
        tuple(record.to_json() for record in scan.records),
        tuple(attrs.asdict(diagnostic) for diagnostic in scan.diagnostics),
    )


def _crash_result(task: ScanTask, reason: str, died: bool) -> FileResult:
    if died:
        diagnostic = diagnostic_at(
            task.display,
            None,
            0,
            0,
            "parser-crash",
            f"the parser crashed while reading this file (worker {reason}); "
            "no declaration in it was scanned",
            hint="this usually means an extremely deeply nested expression; simplify it, "
            "or leave the file out with --exclude if it declares no plugin",
        )
    else:
        diagnostic = diagnostic_at(
            task.display,
            None,
            0,
            0,
            "internal-error",
            f"mreg-codegen failed on this file: {reason}",
            hint="this is a bug in mreg-codegen; please report it with the file attached, "
            "and leave the file out with --exclude meanwhile",
        )
    return FileResult("", False, (), (attrs.asdict(diagnostic),))


def scan_project(
    options: ScanOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> ScanReport:
    """Scan a project and build its manifest text (without writing it).

    Args:
        options: What to scan and how.
        progress: Called as ``progress(done, total)`` while files are being parsed.

    Raises:
        UsageError: A root is missing or not a directory, roots nest, or the output is a
            directory.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     report = scan_project(ScanOptions([tmp], Path(tmp) / "m.json", use_cache=False))
        >>> report.ok, report.stats.files
        (True, 0)
    """
    cwd = (options.cwd or Path.cwd()).resolve()
    output = (cwd / options.output).resolve()
    if output.is_dir():
        raise UsageError(f"--output {str(options.output)!r} is a directory; name a file")
    roots = resolve_roots(options.roots, cwd=cwd)
    files, walk_warnings = discover(
        roots, manifest_dir=output.parent, cwd=cwd, excludes=options.excludes
    )
    fp = fingerprint(__version__)
    cache_path = None
    if options.use_cache:
        cache_dir = cwd / (options.cache_dir or DEFAULT_CACHE_DIR)
        cache_path = cache_file(cache_dir.resolve(), output)
    cache = ScanCache.load(cache_path, fingerprint=fp)
    notes = list(walk_warnings)
    if cache.warning and cache_path is not None:
        notes.append(_cache_warning(cache_path, cwd, cache.warning))
    run = _Run(options, cwd, output, files, fp, progress)
    try:
        report = run.execute(cache, notes)
    except CacheCorruptError as exc:
        if cache_path is None or not run.used_cache:
            report = run.failed(notes, str(exc))
        else:
            notes.append(
                _cache_warning(cache_path, cwd, f"the scan cache is corrupt ({exc}); ignoring it")
            )
            cache = ScanCache(cache_path, fingerprint=fp)
            run = _Run(options, cwd, output, files, fp, progress)
            try:
                report = run.execute(cache, notes)
            except CacheCorruptError as again:
                report = run.failed(notes, str(again))
    save_warning = cache.save()
    if save_warning and cache_path is not None:
        extra = _cache_warning(cache_path, cwd, save_warning)
        report = attrs.evolve(report, diagnostics=_sorted((*report.diagnostics, extra)))
    return report


def _digest(data: object) -> str:
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))  # ASCII: surrogates too
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _cache_warning(cache_path: Path, cwd: Path, message: str) -> Diagnostic:
    return diagnostic_at(
        display_path(cache_path, cwd),
        None,
        0,
        0,
        "cache-ignored",
        message,
        hint="the cache only saves time; delete it or pass --no-cache",
        severity="warning",
    )


def _sorted(diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    return tuple(sorted(diagnostics, key=Diagnostic.sort_key))


class _Run:
    """One attempt at a scan (a second one follows when cached data proves unusable)."""

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
            diagnostics=_sorted([*notes, internal]),
            stats=self.stats,
        )

    def execute(self, cache: ScanCache, notes: list[Diagnostic]) -> ScanReport:
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
            unique = self._check_across_files(records, diagnostics)
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
            diagnostics=_sorted(diagnostics),
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
                on_crash=_crash_result,
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

    # -- checks across files ----------------------------------------------------------------

    def _check_across_files(
        self,
        records: list[tuple[SourceFile, dict[str, Any]]],
        diagnostics: list[Diagnostic],
    ) -> list[dict[str, Any]]:
        """Report duplicate names and unimportable modules; return one record per name."""
        sources = SourceTexts()
        try:
            ordered = sorted(
                records, key=lambda item: (item[1]["file"], item[1]["line"], item[1]["column"])
            )
            first: dict[str, tuple[SourceFile, dict[str, Any]]] = {}
            unique: list[dict[str, Any]] = []
            for file, raw in ordered:
                name = raw["name"]
                if not file.is_importable:
                    diagnostics.append(self._unimportable(file, raw, sources))
                if name in first:
                    diagnostics.append(self._duplicate(file, raw, *first[name], sources))
                    continue
                first[name] = (file, raw)
                unique.append(raw)
        except (KeyError, TypeError) as exc:
            raise CacheCorruptError(f"a cached record is malformed: {exc!r}") from exc
        return unique

    def _unimportable(
        self, file: SourceFile, raw: dict[str, Any], sources: SourceTexts
    ) -> Diagnostic:
        return diagnostic_at(
            file.display,
            sources.text(Path(file.path)),
            raw["line"],
            raw["column"],
            "unimportable-module",
            f"plugin `{raw['name']}` is declared in {file.display}, whose module name "
            f"{file.module!r} cannot be imported",
            hint="rename the file or directory to a valid Python identifier, or pass the "
            "right import root as SRC",
        )

    def _duplicate(
        self,
        file: SourceFile,
        raw: dict[str, Any],
        first_file: SourceFile,
        first_raw: dict[str, Any],
        sources: SourceTexts,
    ) -> Diagnostic:
        here = f"{file.display}:{raw['line']}"
        there = f"{first_file.display}:{first_raw['line']}"
        return diagnostic_at(
            file.display,
            sources.text(Path(file.path)),
            raw["line"],
            raw["column"],
            "duplicate-name",
            f"plugin name `{raw['name']}` is declared twice: at {there} "
            f"(`{first_raw['module']}.{first_raw['qualname']}`) and at {here} "
            f"(`{raw['module']}.{raw['qualname']}`)",
            hint="plugin names must be unique in a manifest; rename one of them",
        )

    # -- the graph --------------------------------------------------------------------------

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
        graph_key = _digest(sorted(unique, key=lambda raw: raw["name"]))
        files = self._declaring_files(unique, results)
        if any(isinstance(result, CachedScan) and result.record_count for result in results):
            # Records read back from the cache are checked as the manifest will check them,
            # before the graph trusts them: a tampered cache must not become a wrong result.
            self._manifest(unique, files, {})
        manifest_key = _digest([graph_key, files])
        if stored is not None and stored.graph_key == graph_key:
            self.stats.graph_cached = True
            problems, orders = stored.problems, stored.orders
        else:
            problems, orders = self._validate(unique)
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
                text = self._assemble(unique, results, orders)
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

    def _validate(
        self, unique: list[dict[str, Any]]
    ) -> tuple[tuple[dict[str, Any], ...], dict[str, list[str]]]:
        from mreg_di._graph import validate_profiles
        from mreg_di._resolve import RecordCatalogue
        from mreg_di._spec import PluginRecord

        try:
            records = [PluginRecord.from_json(raw) for raw in unique]
        except (KeyError, TypeError, ValueError) as exc:
            raise CacheCorruptError(f"a cached record is malformed: {exc!r}") from exc
        problems, orders = validate_profiles(RecordCatalogue(records))
        serialised = tuple(
            {**attrs.asdict(problem), "kind": problem.kind.value} for problem in problems
        )
        return serialised, orders

    def _declaring_files(
        self, unique: list[dict[str, Any]], results: Sequence[FileResult | CachedScan]
    ) -> dict[str, str]:
        declaring = {raw["file"] for raw in unique}
        return {
            file.rel_file: result.sha256
            for file, result in zip(self.files, results, strict=True)
            if file.rel_file in declaring
        }

    def _assemble(
        self,
        unique: list[dict[str, Any]],
        results: Sequence[FileResult | CachedScan],
        orders: dict[str, list[str]],
    ) -> str:
        return self._manifest(unique, self._declaring_files(unique, results), orders).dumps()

    def _manifest(
        self,
        unique: list[dict[str, Any]],
        files: dict[str, str],
        orders: dict[str, list[str]],
    ) -> Manifest:
        from mreg_di._errors import ManifestError
        from mreg_di._manifest import GENERATED_MARKER, SCHEMA_VERSION, Manifest

        # The layout of Manifest.build, from the records' JSON form: cached records never
        # need to become objects.
        data = {
            "$comment": GENERATED_MARKER,
            "schema": SCHEMA_VERSION,
            "generator": GENERATOR,
            "files": files,
            "plugins": sorted(unique, key=lambda raw: raw["name"]),
            "order": orders,
        }
        try:
            manifest = Manifest.from_data(
                data, source=self.output_display, directory=self.output.parent
            )
        except ManifestError as exc:
            raise CacheCorruptError(str(exc)) from exc
        return manifest

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
