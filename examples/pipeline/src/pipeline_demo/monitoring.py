"""Monitoring plugins: metrics sinks that every other plugin reports to.

Two sinks are active at once and both provide `MetricsSink`; plugins take
``list[MetricsSink]`` and get both (a multi-binding), ordered by priority, then name.

Example:
    >>> collector = MetricsCollector()
    >>> collector.record("zlib-compressor", "bytes_in", 100)
    >>> collector.record("zlib-compressor", "bytes_in", 50)
    >>> collector.summary()
    {'zlib-compressor': {'bytes_in': 150.0}}
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from pathlib import Path
from typing import TextIO

from mreg_di import PluginType, plugin
from pipeline_demo.interfaces import MetricsSink

__all__ = ["JsonLinesMetricsSink", "MetricsCollector"]


@plugin(
    "metrics-collector",
    version="1.0.0",
    type=PluginType.MONITORING,
    capabilities=["monitoring", "metrics", "aggregation"],
    provides=[MetricsSink],
    metadata={
        "author": "mreg-di examples",
        "retention": "in memory until shutdown",
        "tags": ["observability", "counters", "in-memory"],
    },
)
class MetricsCollector:
    """Collect metrics from every plugin in memory and sum them per plugin and metric.

    Thread-safe: the high-performance processor reports from several threads at once.

    Example:
        >>> MetricsCollector().summary()
        {}
    """

    def __init__(self) -> None:
        self._totals: dict[str, dict[str, float]] = {}
        self._measurements = 0
        self._lock = threading.Lock()
        self._log = logging.getLogger("pipeline_demo.metrics-collector")

    def initialize(self) -> None:
        """Start with empty totals."""
        self._log.info("initialize: collecting metrics in memory")

    def cleanup(self) -> None:
        """Report how much was collected."""
        self._log.info(
            "cleanup: %d measurement(s) from %d plugin(s)", self._measurements, len(self._totals)
        )

    def record(self, source: str, metric: str, value: float) -> None:
        """Add `value` to the total of `metric` for plugin `source`."""
        with self._lock:
            metrics = self._totals.setdefault(source, {})
            metrics[metric] = metrics.get(metric, 0.0) + float(value)
            self._measurements += 1

    def summary(self) -> dict[str, dict[str, float]]:
        """Totals per plugin and metric, both sorted by name."""
        with self._lock:
            return {
                source: dict(sorted(metrics.items()))
                for source, metrics in sorted(self._totals.items())
            }


@plugin(
    "metrics-file-sink",
    version="1.0.0",
    type=PluginType.MONITORING,
    capabilities=["monitoring", "metrics", "persistence", "json-lines"],
    provides=[MetricsSink],
    permissions=["fs.write"],
    metadata={
        "author": "mreg-di examples",
        "format": "one JSON object per line: source, metric, value",
        "tags": ["observability", "audit-trail", "export"],
    },
)
class JsonLinesMetricsSink:
    """Write every measurement to a JSON-lines file, for later analysis or auditing.

    Its `initialize` and `cleanup` are coroutines (opening and flushing the file happen off
    the event loop's thread), so the registry must be started with ``await registry.astart()``.

    Args:
        path: The file to write, from configuration; its directory is created.
        buffer_size: How many measurements to buffer before writing them out.

    Example:
        >>> import asyncio, tempfile, pathlib
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "metrics.jsonl"
        >>> sink = JsonLinesMetricsSink(str(path))
        >>> asyncio.run(sink.initialize())
        >>> sink.record("demo", "answer", 42)
        >>> asyncio.run(sink.cleanup())
        >>> path.read_text()
        '{"metric": "answer", "source": "demo", "value": 42}\\n'
    """

    def __init__(self, path: str, buffer_size: int = 64) -> None:
        self.path = Path(path)
        self._buffer_size = buffer_size
        self._buffer: list[str] = []
        self._file: TextIO | None = None
        self._written = 0
        self._lock = threading.Lock()
        self._log = logging.getLogger("pipeline_demo.metrics-file-sink")

    def _open(self) -> TextIO:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        return self.path.open("w", encoding="utf-8")

    async def initialize(self) -> None:
        """Open the file (in a worker thread, so the event loop never blocks on the disk)."""
        self._file = await asyncio.to_thread(self._open)
        self._log.info("initialize (async): writing metrics to %s", self.path)

    async def cleanup(self) -> None:
        """Flush what is buffered and close the file (in a worker thread)."""
        await asyncio.to_thread(self._close)
        self._log.info("cleanup (async): %d measurement(s) written to %s", self._written, self.path)

    def _close(self) -> None:
        with self._lock:
            self._flush_locked()
            if self._file is not None:
                self._file.close()
                self._file = None

    def _flush_locked(self) -> None:
        if self._file is None or not self._buffer:
            return
        self._file.writelines(self._buffer)
        self._file.flush()
        self._written += len(self._buffer)
        self._buffer.clear()

    def record(self, source: str, metric: str, value: float) -> None:
        """Buffer one measurement; write the buffer out when it is full."""
        line = json.dumps({"metric": metric, "source": source, "value": value}, sort_keys=True)
        with self._lock:
            self._buffer.append(line + "\n")
            if len(self._buffer) >= self._buffer_size:
                self._flush_locked()
