"""Which files a scan covers: walking import roots, naming modules, honouring excludes.

Each SRC given to ``mreg-codegen scan`` is an *import root*: a directory that is on
``sys.path`` at run time. A file's module name is its path relative to that root, so
``SRC/acme/pipeline.py`` is ``acme.pipeline`` and ``SRC/acme/__init__.py`` is ``acme``. Module
names are computed from paths alone: nothing scanned is ever imported.

Every file also gets two other names: its path relative to the manifest's directory (POSIX, as
the manifest stores it, possibly with ``../``) and its path as diagnostics show it (relative to
the current directory when it is under it, absolute otherwise).
"""

from __future__ import annotations

import fnmatch
import keyword
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

from mreg_codegen._diagnostics import Diagnostic, diagnostic_at

__all__ = [
    "SourceFile",
    "UsageError",
    "discover",
    "display_path",
    "manifest_relative",
    "resolve_roots",
]

_SKIPPED_DIRS = frozenset({"__pycache__"})


class UsageError(Exception):
    """The command line asks for something impossible (exit status 2).

    Example:
        >>> str(UsageError("SRC 'nope' does not exist"))
        "SRC 'nope' does not exist"
    """


class SourceFile(NamedTuple):
    """One ``.py`` file under an import root, with every name it goes by.

    A tuple rather than an attrs class: a scan makes one per file, thousands of them, on the
    warm path that must stay near-instant.

    Attributes:
        path: Absolute path (a string: building a `Path` per file costs more than the rest).
        module: Dotted module name relative to its import root.
        rel_file: Path relative to the manifest's directory, POSIX separators.
        display: Path as diagnostics show it (relative to the cwd when under it).
        is_package: The file is a package's ``__init__.py``.
        size: Size in bytes when discovered.
        mtime_ns: Modification time in nanoseconds when discovered.

    Example:
        >>> f = SourceFile("/p/src/acme/__init__.py", "acme", "src/acme/__init__.py",
        ...                "src/acme/__init__.py", True, 0, 0)
        >>> f.is_importable
        True
    """

    path: str
    module: str
    rel_file: str
    display: str
    is_package: bool
    size: int
    mtime_ns: int

    @property
    def is_importable(self) -> bool:
        """Whether every part of the module name is an identifier Python can import."""
        return all(
            part.isidentifier() and not keyword.iskeyword(part) for part in self.module.split(".")
        )


def display_path(path: Path, cwd: Path) -> str:
    """How diagnostics show `path`: relative to `cwd` when it is under it, else absolute.

    Example:
        >>> display_path(Path("/work/src/a.py"), Path("/work"))
        'src/a.py'
        >>> display_path(Path("/elsewhere/a.py"), Path("/work"))
        '/elsewhere/a.py'
    """
    try:
        return path.relative_to(cwd).as_posix()
    except ValueError:
        return str(path)


def manifest_relative(path: Path, manifest_dir: Path) -> str:
    """`path` relative to the manifest's directory, POSIX, with ``../`` where needed.

    Example:
        >>> manifest_relative(Path("/p/src/acme/a.py"), Path("/p/build"))
        '../src/acme/a.py'
    """
    try:
        relative = os.path.relpath(path, manifest_dir)
    except ValueError:  # another drive on Windows: no relative path exists
        return path.as_posix()
    return Path(relative).as_posix()


def resolve_roots(
    roots: Iterable[str | os.PathLike[str]], *, cwd: Path | None = None
) -> list[Path]:
    """Absolute, de-duplicated, sorted import roots.

    Args:
        roots: The roots as given; relative ones are relative to `cwd`.
        cwd: Default: the current directory.

    Raises:
        UsageError: A root is missing, unreadable or not a directory (the message names it
            as given).

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     resolve_roots([tmp, Path(tmp) / "."]) == [Path(tmp).resolve()]
        True
    """
    resolved: set[Path] = set()
    for root in roots:
        path = Path(root) if cwd is None else cwd / root
        try:
            exists, is_dir = path.exists(), path.is_dir()
        except OSError as exc:  # e.g. a name longer than the file system allows
            raise UsageError(f"SRC {str(root)!r} cannot be read: {exc.strerror or exc}") from None
        if not exists:
            raise UsageError(f"SRC {str(root)!r} does not exist")
        if not is_dir:
            raise UsageError(
                f"SRC {str(root)!r} is not a directory; pass the import root that contains it"
            )
        resolved.add(path.resolve())
    return sorted(resolved)


def _exclusion(name: str, rel_to_root: str, display: str, patterns: Sequence[str]) -> str | None:
    """The first pattern that excludes the entry, if any."""
    for pattern in patterns:
        if (
            fnmatch.fnmatchcase(name, pattern)
            or fnmatch.fnmatchcase(rel_to_root, pattern)
            or fnmatch.fnmatchcase(display, pattern)
        ):
            return pattern
    return None


def discover(
    roots: Sequence[Path],
    *,
    manifest_dir: Path,
    cwd: Path,
    excludes: Sequence[str] = (),
) -> tuple[list[SourceFile], list[Diagnostic]]:
    """Every ``.py`` file under `roots`, sorted by path, and warnings about the walk.

    Hidden files and directories, ``__pycache__`` and anything an exclude glob matches are
    skipped; symbolic links to directories are not followed (they could loop). A GLOB is
    matched (``fnmatch``, ``*`` crossing ``/``) against a name, its path relative to its root
    and its displayed path. A root inside another root (``lib`` and ``lib/site-packages``)
    is walked as its own root only: the most specific root names a module, as Python's
    import system would for an importable name.

    Args:
        roots: Import roots from `resolve_roots`.
        manifest_dir: The manifest's directory, absolute.
        cwd: The directory displayed paths are relative to, absolute.
        excludes: Exclude globs.

    Example:
        >>> files, warnings = discover([], manifest_dir=Path("/p"), cwd=Path("/p"))
        >>> files, warnings
        ([], [])
    """
    files: list[SourceFile] = []
    warnings: list[Diagnostic] = []
    used: set[str] = set()
    for root in roots:
        init = root / "__init__.py"
        if init.is_file():
            warnings.append(
                diagnostic_at(
                    display_path(init, cwd),
                    None,
                    0,
                    0,
                    "root-is-package",
                    f"SRC {display_path(root, cwd)!r} is itself a package, so it cannot be an "
                    "import root; its own __init__.py is skipped and modules under it are "
                    f"named without the {root.name!r} prefix",
                    hint=f"pass the directory that contains {root.name!r} "
                    f"({display_path(root.parent, cwd)!r}) as SRC",
                    severity="warning",
                )
            )
        walker = _Walker(root, roots, manifest_dir, cwd, excludes, files, warnings)
        walker.walk(root, ())
        used.update(walker.used)
    files.sort(key=lambda f: f.path)
    warnings.extend(_unused_excludes(roots, cwd, [p for p in excludes if p not in used]))
    return files, warnings


def _unused_excludes(roots: Sequence[Path], cwd: Path, unused: Sequence[str]) -> list[Diagnostic]:
    """A warning per exclude glob that matched nothing: a typo, or a pattern of another shape."""
    if not unused or not roots:
        return []
    shown = [display_path(root, cwd) for root in roots]
    listed = ", ".join(repr(root) for root in shown)
    return [
        diagnostic_at(
            shown[0],
            None,
            0,
            0,
            "unused-exclude",
            f"--exclude {pattern!r} matched none of the Python files and directories under "
            f"{listed}",
            hint="a GLOB is matched (fnmatch; '*' also crosses '/') against each name, its path "
            "relative to SRC and its displayed path, e.g. --exclude 'tests' or "
            "--exclude 'src/acme/generated/*'",
            severity="warning",
        )
        for pattern in unused
    ]


def _prefix(relative: str) -> str:
    return "" if relative == "." else relative + "/"


class _Walker:
    """Walks one root; paths are built from per-root prefixes (no path arithmetic per file)."""

    def __init__(
        self,
        root: Path,
        roots: Sequence[Path],
        manifest_dir: Path,
        cwd: Path,
        excludes: Sequence[str],
        files: list[SourceFile],
        warnings: list[Diagnostic],
    ) -> None:
        self.other_roots = frozenset(other for other in roots if other != root)
        self.cwd = cwd
        self.excludes = excludes
        self.used: set[str] = set()  # the exclude globs that matched something
        self.files = files
        self.warnings = warnings
        self.rel_prefix = _prefix(manifest_relative(root, manifest_dir))
        # Displayed paths are relative to the cwd when under it: a prefix works unless the cwd
        # is inside the root, where some files are under it and some are not.
        self.display_prefix: str | None = None
        if not (cwd != root and cwd.is_relative_to(root)):
            self.display_prefix = _prefix(display_path(root, cwd))

    def display(self, path: str, rel_to_root: str) -> str:
        if self.display_prefix is None:
            return display_path(Path(path), self.cwd)
        return self.display_prefix + rel_to_root

    def walk(self, directory: Path, parts: tuple[str, ...]) -> None:
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda e: e.name)
        except OSError as exc:
            self.warnings.append(
                diagnostic_at(
                    display_path(directory, self.cwd),
                    None,
                    0,
                    0,
                    "unreadable-directory",
                    f"cannot list directory: {exc.strerror or exc}",
                    hint="fix its permissions or leave it out with --exclude",
                    severity="warning",
                )
            )
            return
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
                is_file = not is_dir and name.endswith(".py") and entry.is_file()
            except OSError:
                continue
            if not (is_dir or is_file) or (is_dir and name in _SKIPPED_DIRS):
                continue
            rel_to_root = "/".join((*parts, name))
            display = self.display(entry.path, rel_to_root)
            if self.excludes:
                pattern = _exclusion(name, rel_to_root, display, self.excludes)
                if pattern is not None:
                    self.used.add(pattern)
                    continue
            if is_dir:
                path = directory / name
                if path not in self.other_roots:
                    self.walk(path, (*parts, name))
                continue
            self.add(entry, parts, name, rel_to_root, display)

    def add(
        self,
        entry: os.DirEntry[str],
        parts: tuple[str, ...],
        name: str,
        rel_to_root: str,
        display: str,
    ) -> None:
        stem = name[:-3]
        is_package = stem == "__init__"
        module_parts = parts if is_package else (*parts, stem)
        if not module_parts:  # the root's own __init__.py: warned about in `discover`
            return
        try:
            stat = entry.stat()
        except OSError:  # vanished or a broken link since listing
            return
        self.files.append(
            SourceFile(
                path=entry.path,
                module=".".join(module_parts),
                rel_file=self.rel_prefix + rel_to_root,
                display=display,
                is_package=is_package,
                size=stat.st_size,
                mtime_ns=stat.st_mtime_ns,
            )
        )
