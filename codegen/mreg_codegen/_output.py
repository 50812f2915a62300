"""Writing files so that a crash never leaves a torn one, and diffing for ``--check``.

`atomic_write` writes to a temporary file in the target's directory, flushes and fsyncs it,
then renames it over the target with `os.replace`, which is atomic on POSIX and Windows: a
reader sees the old file or the new one, never half of either. The directory is fsynced too,
so the rename itself survives a power cut.
"""

from __future__ import annotations

import contextlib
import difflib
import os
import tempfile
from pathlib import Path

__all__ = ["atomic_write", "file_in_the_way", "read_text", "unified_diff"]


def atomic_write(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace `path` with `data` atomically, creating missing parent directories.

    Args:
        path: The file to write.
        data: Its new content.
        durable: fsync the file and its directory (a cache can skip that: losing it costs a
            re-scan, never a wrong result).

    Raises:
        OSError: The directory cannot be created or written; the old file is untouched and no
            temporary file is left behind.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     target = Path(tmp) / "out" / "manifest.json"
        ...     atomic_write(target, b"{}\\n")
        ...     target.read_bytes()
        b'{}\\n'
    """
    directory = path.parent
    directory.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            if durable:
                os.fsync(stream.fileno())
        _copy_mode(path, temp)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    if durable:
        _fsync_directory(directory)


def file_in_the_way(path: Path) -> Path | None:
    """The file among `path`'s ancestors that stops its directory being made, if any.

    `atomic_write` fails on such a path with an error that names the symptom (``File
    exists``, ``Not a directory``); this names the cause.

    Example:
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     (Path(tmp) / "f").write_text("")
        ...     file_in_the_way(Path(tmp) / "f" / "sub" / "m.json").name
        ...     file_in_the_way(Path(tmp) / "new" / "m.json") is None
        0
        'f'
        True
    """
    for parent in path.parents:
        try:
            if parent.exists():
                return None if parent.is_dir() else parent
        except OSError:  # e.g. a name too long to stat: not a file in the way
            return None
    return None


def _copy_mode(path: Path, temp: str) -> None:
    # mkstemp creates 0600 files; keep the old file's mode, or use the umask's default.
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    os.chmod(temp, mode)


def _fsync_directory(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # Windows cannot open directories; os.replace is durable there already
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_text(path: Path) -> str | None:
    """The file's text, or ``None`` when it does not exist or cannot be decoded.

    Example:
        >>> read_text(Path("/no/such/manifest.json")) is None
        True
    """
    try:
        return path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def unified_diff(old: str | None, new: str, name: str) -> str:
    """A unified diff from `old` (``None``: the file is missing) to `new`.

    Example:
        >>> print(unified_diff("a\\nb\\n", "a\\nc\\n", "m.json"), end="")
        --- m.json (on disk)
        +++ m.json (generated)
        @@ -1,2 +1,2 @@
         a
        -b
        +c
    """
    before = "/dev/null" if old is None else f"{name} (on disk)"
    lines = difflib.unified_diff(
        [] if old is None else old.splitlines(keepends=True),
        new.splitlines(keepends=True),
        fromfile=before,
        tofile=f"{name} (generated)",
    )
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)
