"""Data processors: the seed's processor variants, parsers and pipelines."""

from __future__ import annotations

from acme_catalogue.interfaces import Compressor, Processor, Storage
from mreg_di import PluginType, factory, plugin


@plugin(
    "high-performance-processor",
    version="2.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["processing", "high-performance", "parallel", "scalability"],
    provides=[Processor],
    priority=10,
    metadata={"variant": "high-performance", "workers": 16},
)
class HighPerformanceProcessor:
    """High-performance data processor: chunks processed on every core in parallel."""


@plugin(
    "low-latency-processor",
    version="2.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["processing", "low-latency", "streaming"],
    provides=[Processor],
    priority=5,
    metadata={"variant": "low-latency", "frame_bytes": 4096},
)
class LowLatencyProcessor:
    """Low-latency data processor: small frames, each handled as soon as it arrives."""


@plugin(
    "batch-processor",
    version="2.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["processing", "batch", "scheduling"],
    provides=[Processor],
    priority=1,
    metadata={"variant": "batch", "window": "1h"},
)
class BatchProcessor:
    """Batch data processor: collects records and processes them once an hour."""


@factory(
    "processor-factory",
    version="2.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["processing"],
    scope="factory",
    variants=["high-performance", "low-latency", "batch"],
)
def make_processor(variant: str) -> Processor:
    """Build a data processor of the requested variant on demand."""
    raise NotImplementedError(variant)


@plugin(
    "stream-processor",
    version="1.3.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["processing", "streaming", "windowing", "real-time"],
    priority=0,
    metadata={"guarantee": "exactly-once"},
)
class StreamProcessor:
    """Process event streams in real time with tumbling and sliding windows."""


@plugin(
    "csv-parser",
    version="1.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["parsing", "csv"],
    priority=0,
    metadata={"dialects": ["excel", "unix"]},
)
class CsvParser:
    """Parse CSV files into typed records."""


@plugin(
    "json-parser",
    version="1.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["parsing", "json", "streaming"],
    priority=0,
)
class JsonParser:
    """Parse JSON and JSON Lines documents incrementally."""


@plugin(
    "deduplicator",
    version="0.4.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["deduplication", "processing"],
    priority=0,
    metadata={"strategy": "content-hash"},
)
class Deduplicator:
    """Drop duplicate records by content hash."""


@plugin(
    "etl-pipeline",
    version="1.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["etl", "batch", "processing", "scheduling"],
    priority=0,
    metadata={"steps": ["extract", "transform", "load"]},
)
class EtlPipeline:
    """Extract, transform and load nightly batches into the warehouse."""

    def __init__(self, storage: Storage, compressor: Compressor) -> None:
        self.storage = storage
        self.compressor = compressor
