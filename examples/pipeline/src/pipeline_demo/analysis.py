"""The analyzer plugin: byte statistics, entropy and how well the data compresses.

Example:
    >>> from pipeline_demo.compression import ZlibCompressor
    >>> analyzer = ByteAnalyzer(ZlibCompressor(metrics=[]), metrics=[])
    >>> analyzer.analyze(b"aaaa").entropy
    0.0
"""

from __future__ import annotations

import logging
import math
from collections import Counter

from mreg_di import PluginType, plugin
from pipeline_demo.interfaces import Analysis, Analyzer, Compressor, MetricsSink

__all__ = ["ByteAnalyzer"]

_PRINTABLE = frozenset(range(0x20, 0x7F)) | {0x09, 0x0A, 0x0D}


@plugin(
    "byte-analyzer",
    version="1.2.0",
    type=PluginType.ANALYZER,
    capabilities=["analysis", "statistics", "entropy", "compression-estimate"],
    provides=[Analyzer],
    metadata={
        "author": "mreg-di examples",
        "measures": ["size", "distinct bytes", "Shannon entropy", "printable share", "lines"],
        "tags": ["profiling", "data-quality"],
    },
)
class ByteAnalyzer:
    """Analyze data: byte frequencies, Shannon entropy and the achievable compression ratio.

    The ratio is estimated by compressing a sample (the first `sample_size` bytes) with the
    injected `Compressor`, so it predicts what this pipeline will achieve without compressing
    everything twice.

    Args:
        compressor: The active compressor, used to estimate the compression ratio.
        metrics: Every active metrics sink.
        top: How many of the most frequent bytes to report.
        sample_size: How many leading bytes to compress for the ratio estimate.

    Example:
        >>> from pipeline_demo.compression import ZlibCompressor
        >>> ByteAnalyzer(ZlibCompressor(metrics=[]), metrics=[], top=1).analyze(b"abb").top_bytes
        ((98, 2),)
    """

    def __init__(
        self,
        compressor: Compressor,
        metrics: list[MetricsSink],
        top: int = 3,
        sample_size: int = 4096,
    ) -> None:
        if top < 1:
            raise ValueError(f"byte-analyzer: top must be at least 1, not {top}")
        if sample_size < 1:
            raise ValueError(f"byte-analyzer: sample_size must be at least 1, not {sample_size}")
        self._sample_size = sample_size
        self._compressor = compressor
        self._metrics = metrics
        self._top = top
        self._log = logging.getLogger("pipeline_demo.byte-analyzer")

    def analyze(self, data: bytes) -> Analysis:
        """Statistics over `data`."""
        counts = Counter(data)
        size = len(data)
        entropy = -sum(n / size * math.log2(n / size) for n in counts.values()) if size else 0.0
        sample = data[: self._sample_size]
        compressed = len(self._compressor.compress(sample)) if size else 0
        analysis = Analysis(
            size=size,
            distinct=len(counts),
            entropy=round(abs(entropy), 4),
            printable=round(sum(counts[b] for b in _PRINTABLE) / size, 4) if size else 0.0,
            lines=counts[0x0A],
            top_bytes=tuple(counts.most_common(self._top)),
            compression_ratio=round(len(sample) / compressed, 3) if compressed else 1.0,
        )
        for sink in self._metrics:
            sink.record("byte-analyzer", "bytes_analyzed", size)
            sink.record("byte-analyzer", "entropy_bits_per_byte", analysis.entropy)
        self._log.info(
            "analyze: %s bytes, %d lines, %d distinct byte values, entropy %.2f bits/byte, "
            "%.0f%% printable, a %s-byte sample compresses %.2fx with %s; most frequent: %s",
            f"{size:,}",
            analysis.lines,
            analysis.distinct,
            analysis.entropy,
            100 * analysis.printable,
            f"{len(sample):,}",
            analysis.compression_ratio,
            self._compressor.algorithm,
            analysis.describe_top(),
        )
        return analysis
