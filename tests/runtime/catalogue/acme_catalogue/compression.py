"""Compressors: general purpose, fast, and archival."""

from __future__ import annotations

from acme_catalogue.interfaces import Compressor
from mreg_di import PluginType, plugin


@plugin(
    "gzip-compressor",
    version="2.1.0",
    type=PluginType.TRANSFORMER,
    capabilities=["compression", "decompression", "streaming"],
    provides=[Compressor],
    priority=10,
    metadata={"algorithm": "deflate", "level": 6, "format": "gzip"},
)
class GzipCompressor:
    """Compress data with gzip (DEFLATE), the format every tool reads."""

    def __init__(self, level: int = 6) -> None:
        self.level = level


@plugin(
    "zstd-compressor",
    version="1.5.2",
    type=PluginType.TRANSFORMER,
    capabilities=["compression", "decompression", "streaming", "high-performance"],
    provides=[Compressor],
    priority=20,
    metadata={"algorithm": "zstandard", "level": 3, "dictionary": True},
)
class ZstdCompressor:
    """Compress data with Zstandard: gzip ratios at several times the speed."""

    def __init__(self, level: int = 3) -> None:
        self.level = level


@plugin(
    "lz4-compressor",
    version="4.3.0",
    type=PluginType.TRANSFORMER,
    capabilities=["compression", "decompression", "low-latency"],
    provides=[Compressor],
    priority=5,
    metadata={"algorithm": "lz4", "frame": True},
)
class Lz4Compressor:
    """Compress data with LZ4 where speed matters more than size."""


@plugin(
    "brotli-compressor",
    version="1.1.0",
    type=PluginType.TRANSFORMER,
    capabilities=["compression", "decompression"],
    provides=[Compressor],
    priority=3,
    metadata={"algorithm": "brotli", "web": True},
)
class BrotliCompressor:
    """Compress web assets with Brotli for the smallest HTTP responses."""


@plugin(
    "bzip2-compressor",
    version="1.0.8",
    type=PluginType.TRANSFORMER,
    capabilities=["compression", "decompression", "archival"],
    provides=[Compressor],
    priority=1,
    metadata={"algorithm": "bzip2"},
)
class Bzip2Compressor:
    """Compress archives with bzip2: slow, but small output."""


@plugin(
    "snappy-compressor",
    version="0.7.0",
    type=PluginType.TRANSFORMER,
    capabilities=["compression", "decompression", "low-latency"],
    provides=[Compressor],
    priority=4,
    metadata={"algorithm": "snappy"},
)
class SnappyCompressor:
    """Compress RPC payloads with Snappy, tuned for throughput over ratio."""
