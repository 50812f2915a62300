"""Storage plugins: a real one writing files into a directory, and an in-memory mock.

The mock is active only in the ``development`` profile, where its higher priority makes it the
`Storage` every consumer gets: that is how a profile swaps a real plugin for a fake one without
touching the consumers.

Example:
    >>> storage = MemoryStorage(metrics=[])
    >>> storage.put("greeting", b"hello")
    >>> storage.get("greeting")
    b'hello'
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
from pathlib import Path

from mreg_di import PluginType, plugin
from pipeline_demo.interfaces import MetricsSink, Storage

__all__ = ["FileSystemStorage", "MemoryStorage"]

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")


def _check_key(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValueError(
            f"storage key {key!r} must be 1-128 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit"
        )


@plugin(
    "fs-storage",
    version="1.3.0",
    type=PluginType.STORAGE,
    capabilities=["storage", "persistence", "file-system", "atomic-writes"],
    provides=[Storage],
    permissions=["fs.read", "fs.write"],
    metadata={
        "author": "mreg-di examples",
        "backend": "local directory",
        "durability": "write to a temporary file, fsync, then atomic rename",
        "tags": ["disk", "durable", "production"],
    },
)
class FileSystemStorage:
    """Stores each blob as a file in a directory, written atomically.

    A blob is written to a temporary file in the same directory, flushed to disk and renamed
    over the old one, so a crash never leaves half a blob behind.

    Args:
        root: The directory to write into (created on `initialize`), from configuration.
        metrics: Every active metrics sink.
        fsync: Flush each blob to disk before renaming it into place.

    Example:
        >>> import tempfile
        >>> storage = FileSystemStorage(tempfile.mkdtemp(), metrics=[])
        >>> storage.initialize()
        >>> storage.put("a", b"1"); storage.get("a")
        b'1'
    """

    def __init__(self, root: str, metrics: list[MetricsSink], fsync: bool = True) -> None:
        self.root = Path(root)
        self.fsync = fsync
        self._metrics = metrics
        self._log = logging.getLogger("pipeline_demo.fs-storage")

    def initialize(self) -> None:
        """Create the directory if needed."""
        self.root.mkdir(parents=True, exist_ok=True)
        self._log.info("initialize: writing blobs into %s", self.root)

    def cleanup(self) -> None:
        """Report what is on disk; the files stay."""
        count = len(self.keys())
        size = sum(path.stat().st_size for path in self.root.glob("*.blob"))
        self._log.info(
            "cleanup: %d blob(s), %s bytes left on disk in %s", count, f"{size:,}", self.root
        )

    def _path(self, key: str) -> Path:
        _check_key(key)
        return self.root / f"{key}.blob"

    def put(self, key: str, data: bytes) -> None:
        """Write `data` to ``<root>/<key>.blob`` atomically."""
        path = self._path(key)
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=f".{key}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as file:
                file.write(data)
                if self.fsync:
                    file.flush()
                    os.fsync(file.fileno())
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for sink in self._metrics:
            sink.record("fs-storage", "bytes_written", len(data))
        self._log.info("put: wrote %s bytes to %s", f"{len(data):,}", path)

    def get(self, key: str) -> bytes:
        """Read ``<root>/<key>.blob``; `KeyError` when it does not exist."""
        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise KeyError(key) from None
        for sink in self._metrics:
            sink.record("fs-storage", "bytes_read", len(data))
        self._log.info("get: read %s bytes from %s", f"{len(data):,}", path)
        return data

    def keys(self) -> list[str]:
        """Every stored key, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(path.name.removesuffix(".blob") for path in self.root.glob("*.blob"))

    def describe(self) -> str:
        """``"files in <root>"``."""
        return f"files in {self.root}"


@plugin(
    "memory-storage",
    version="1.0.0",
    type=PluginType.STORAGE,
    capabilities=["storage", "in-memory", "testing"],
    provides=[Storage],
    profiles=["development"],
    priority=10,
    metadata={
        "author": "mreg-di examples",
        "backend": "process memory",
        "mock_of": "fs-storage",
        "tags": ["mock", "fast", "ephemeral"],
    },
)
class MemoryStorage:
    """Keeps blobs in a dict: a mock storage for development that never touches the disk.

    Declared only for the ``development`` profile and with a higher priority than
    ``fs-storage``, so it replaces the real storage there and nowhere else.

    Args:
        metrics: Every active metrics sink.

    Example:
        >>> MemoryStorage(metrics=[]).describe()
        'process memory (mock)'
    """

    def __init__(self, metrics: list[MetricsSink]) -> None:
        self._blobs: dict[str, bytes] = {}
        self._metrics = metrics
        self._log = logging.getLogger("pipeline_demo.memory-storage")

    def initialize(self) -> None:
        """Nothing to prepare; say so."""
        self._log.info("initialize: keeping blobs in memory (development mock)")

    def cleanup(self) -> None:
        """Drop every blob."""
        self._log.info("cleanup: dropping %d blob(s) held in memory", len(self._blobs))
        self._blobs.clear()

    def put(self, key: str, data: bytes) -> None:
        """Keep a copy of `data` under `key`."""
        _check_key(key)
        self._blobs[key] = bytes(data)
        for sink in self._metrics:
            sink.record("memory-storage", "bytes_written", len(data))
        self._log.info("put: kept %s bytes in memory under %r", f"{len(data):,}", key)

    def get(self, key: str) -> bytes:
        """The blob under `key`; `KeyError` when there is none."""
        data = self._blobs[key]
        for sink in self._metrics:
            sink.record("memory-storage", "bytes_read", len(data))
        self._log.info("get: returned %s bytes from memory for %r", f"{len(data):,}", key)
        return data

    def keys(self) -> list[str]:
        """Every key, sorted."""
        return sorted(self._blobs)

    def describe(self) -> str:
        """``"process memory (mock)"``."""
        return "process memory (mock)"
