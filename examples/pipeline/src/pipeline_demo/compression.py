"""Compression plugins over the standard library: zlib (deflate) and gzip.

Both provide `Compressor`. ``zlib-compressor`` has the higher priority, so it is the one injected
where a single `Compressor` is wanted; ``gzip-compressor`` is there for callers that ask for it by
name, and for discovery queries to choose between.

Example:
    >>> compressor = ZlibCompressor(metrics=[], level=9)
    >>> compressor.decompress(compressor.compress(b"abc" * 100))[:6]
    b'abcabc'
"""

from __future__ import annotations

import gzip
import logging
import zlib

from mreg_di import plugin
from pipeline_demo.interfaces import Compressor, MetricsSink

__all__ = ["GzipCompressor", "ZlibCompressor"]


def _check_level(level: int, plugin_name: str) -> int:
    if not 0 <= level <= 9:
        raise ValueError(
            f"{plugin_name}: level must be between 0 (store) and 9 (smallest), not {level}"
        )
    return level


@plugin(
    "zlib-compressor",
    version="2.1.0",
    type="compressor",
    capabilities=["compression", "decompression", "deflate", "streaming"],
    provides=[Compressor],
    priority=10,
    metadata={
        "author": "mreg-di examples",
        "algorithm": "deflate (RFC 1950 zlib container)",
        "levels": "0-9, default 6",
        "tags": ["fast", "general-purpose", "data-compression", "stdlib"],
    },
)
class ZlibCompressor:
    """Compress data with zlib's deflate, at a configurable level.

    The level comes from configuration (``config={"zlib-compressor": {"level": 9}}``); 6 is
    zlib's own balance of speed and size.

    Args:
        metrics: Every active metrics sink.
        level: 0 (no compression) to 9 (smallest output).

    Example:
        >>> ZlibCompressor(metrics=[]).level
        6
    """

    algorithm = "deflate"

    def __init__(self, metrics: list[MetricsSink], level: int = 6) -> None:
        self.level = _check_level(level, "zlib-compressor")
        self._metrics = metrics
        self._log = logging.getLogger("pipeline_demo.zlib-compressor")

    def compress(self, data: bytes) -> bytes:
        """`data` as a zlib stream."""
        compressed = zlib.compress(data, self.level)
        for sink in self._metrics:
            sink.record("zlib-compressor", "bytes_in", len(data))
            sink.record("zlib-compressor", "bytes_out", len(compressed))
        self._log.info(
            "compress: %s -> %s bytes (level %d, %.1f%% of the input)",
            f"{len(data):,}",
            f"{len(compressed):,}",
            self.level,
            100 * len(compressed) / max(len(data), 1),
        )
        return compressed

    def decompress(self, data: bytes) -> bytes:
        """The bytes of zlib stream `data`; `ValueError` if it is corrupt."""
        try:
            plain = zlib.decompress(data)
        except zlib.error as exc:
            raise ValueError(f"zlib-compressor: corrupt zlib stream ({exc})") from exc
        self._log.info("decompress: %s -> %s bytes", f"{len(data):,}", f"{len(plain):,}")
        return plain


@plugin(
    "gzip-compressor",
    version="1.4.0",
    type="compressor",
    capabilities=["compression", "decompression", "gzip-format", "crc32-checksum", "archival"],
    provides=[Compressor],
    metadata={
        "author": "mreg-di examples",
        "algorithm": "deflate in a gzip (RFC 1952) container with a CRC-32",
        "levels": "0-9, default 6",
        "tags": ["interoperable", "archive", "file-compression", "stdlib"],
    },
)
class GzipCompressor:
    """Compress data into the gzip file format, readable by ``gunzip`` and every archiver.

    Output is reproducible: the header's timestamp is fixed at zero, so the same input gives
    the same bytes.

    Args:
        metrics: Every active metrics sink.
        level: 0 (no compression) to 9 (smallest output).

    Example:
        >>> GzipCompressor(metrics=[]).compress(b"")[:2]
        b'\\x1f\\x8b'
    """

    algorithm = "gzip"

    def __init__(self, metrics: list[MetricsSink], level: int = 6) -> None:
        self.level = _check_level(level, "gzip-compressor")
        self._metrics = metrics
        self._log = logging.getLogger("pipeline_demo.gzip-compressor")

    def compress(self, data: bytes) -> bytes:
        """`data` as a gzip member."""
        compressed = gzip.compress(data, compresslevel=self.level, mtime=0)
        for sink in self._metrics:
            sink.record("gzip-compressor", "bytes_in", len(data))
            sink.record("gzip-compressor", "bytes_out", len(compressed))
        self._log.info(
            "compress: %s -> %s bytes (level %d, gzip container)",
            f"{len(data):,}",
            f"{len(compressed):,}",
            self.level,
        )
        return compressed

    def decompress(self, data: bytes) -> bytes:
        """The bytes of gzip data `data`; `ValueError` if it is corrupt."""
        try:
            plain = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise ValueError(f"gzip-compressor: corrupt gzip data ({exc})") from exc
        self._log.info("decompress: %s -> %s bytes", f"{len(data):,}", f"{len(plain):,}")
        return plain
