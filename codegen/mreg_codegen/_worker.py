"""The work done on one file in a worker process, and the result standing in for a crash.

The parent process only builds `ScanTask` tuples and hands them to `mreg_codegen._pool`;
libcst is imported by `scan_in_worker`, so it is loaded in the workers only.
"""

from __future__ import annotations

from pathlib import Path
from typing import NamedTuple

import attrs

from mreg_codegen._cache import FileResult, sha256_of
from mreg_codegen._diagnostics import diagnostic_at

__all__ = ["ScanTask", "crash_result", "scan_in_worker"]


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


def crash_result(task: ScanTask, reason: str, died: bool) -> FileResult:
    """The result of a file whose worker died (`died`) or raised an unexpected error."""
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
