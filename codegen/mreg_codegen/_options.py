"""What `scan_project` is asked to do: the roots, the output, the cache and the workers."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import attrs

__all__ = ["ScanOptions"]


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
