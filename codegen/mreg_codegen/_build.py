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

This module resolves the paths, loads and saves the cache and retries once without it when
cached data proves unusable. The rest lives in modules named for each concept:
`mreg_codegen._options` and `mreg_codegen._report` (what goes in and comes out),
`mreg_codegen._worker` (one file, in a worker), `mreg_codegen._run` (one attempt at the scan),
`mreg_codegen._across_files` (checks across files) and `mreg_codegen._assembly` (the graph
and the manifest).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from mreg_codegen import __version__
from mreg_codegen._assembly import GENERATOR
from mreg_codegen._cache import (
    DEFAULT_CACHE_DIR,
    CacheCorruptError,
    ScanCache,
    cache_file,
    fingerprint,
)
from mreg_codegen._diagnostics import Diagnostic, diagnostic_at
from mreg_codegen._options import ScanOptions
from mreg_codegen._output import file_in_the_way
from mreg_codegen._project import UsageError, discover, display_path, resolve_roots
from mreg_codegen._report import ScanReport, ScanStats, sorted_diagnostics
from mreg_codegen._run import ScanRun
from mreg_codegen._worker import ScanTask, scan_in_worker

__all__ = [
    "GENERATOR",
    "ScanOptions",
    "ScanReport",
    "ScanStats",
    "ScanTask",
    "scan_in_worker",
    "scan_project",
]


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
            directory, lies under a file or has a name the file system refuses.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     report = scan_project(ScanOptions([tmp], Path(tmp) / "m.json", use_cache=False))
        >>> report.ok, report.stats.files
        (True, 0)
    """
    cwd = (options.cwd or Path.cwd()).resolve()
    output = (cwd / options.output).resolve()
    _check_output(str(options.output), output, cwd)
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
    run = ScanRun(options, cwd, output, files, fp, progress)
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
            run = ScanRun(options, cwd, output, files, fp, progress)
            try:
                report = run.execute(cache, notes)
            except CacheCorruptError as again:
                report = run.failed(notes, str(again))
    save_warning = cache.save()
    if save_warning and cache_path is not None:
        extra = _cache_warning(cache_path, cwd, save_warning)
        report = attrs.evolve(report, diagnostics=sorted_diagnostics((*report.diagnostics, extra)))
    return report


def _check_output(given: str, output: Path, cwd: Path) -> None:
    """Refuse, before any scanning, an --output that can be seen not to be writable."""
    try:
        is_dir = output.is_dir()
        blocker = file_in_the_way(output)
    except OSError as exc:  # e.g. a name longer than the file system allows
        raise UsageError(
            f"--output {given!r} cannot be written: {exc.strerror or exc}; name another path"
        ) from None
    if is_dir:
        raise UsageError(f"--output {given!r} is a directory; name a file")
    if blocker is not None:
        raise UsageError(
            f"--output {given!r} cannot be written: {display_path(blocker, cwd)!r} is a file, "
            "not a directory; name a file in a directory"
        )


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
