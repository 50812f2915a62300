"""Analyzers: statistics, anomalies, text and logs."""

from __future__ import annotations

from acme_catalogue.interfaces import Analyzer, MetricsSink
from mreg_di import PluginType, plugin


@plugin(
    "statistics-analyzer",
    version="2.0.0",
    type=PluginType.ANALYZER,
    capabilities=["statistics", "aggregation"],
    provides=[Analyzer],
    priority=10,
    metadata={"outputs": ["mean", "median", "percentiles"]},
)
class StatisticsAnalyzer:
    """Summarise numeric columns: mean, median, percentiles and histograms."""


@plugin(
    "anomaly-detector",
    version="1.6.0",
    type=PluginType.ANALYZER,
    capabilities=["anomaly-detection", "streaming", "machine-learning"],
    provides=[Analyzer],
    priority=5,
    metadata={"model": "isolation-forest"},
)
class AnomalyDetector:
    """Flag outliers in metric streams with an isolation forest."""

    def __init__(self, metrics: list[MetricsSink]) -> None:
        self.metrics = metrics


@plugin(
    "sentiment-analyzer",
    version="0.8.0",
    type=PluginType.ANALYZER,
    capabilities=["nlp", "sentiment", "text"],
    provides=[Analyzer],
    priority=1,
    metadata={"languages": ["en", "de", "fr"]},
)
class SentimentAnalyzer:
    """Score the sentiment of customer reviews, positive to negative."""


@plugin(
    "text-classifier",
    version="1.1.0",
    type=PluginType.ANALYZER,
    capabilities=["nlp", "classification", "text"],
    provides=[Analyzer],
    priority=2,
)
class TextClassifier:
    """Sort support tickets into topics with a linear text classifier."""


@plugin(
    "log-analyzer",
    version="3.2.0",
    type=PluginType.ANALYZER,
    capabilities=["log-parsing", "pattern-matching", "aggregation"],
    provides=[Analyzer],
    priority=3,
    metadata={"formats": ["json", "syslog", "nginx"]},
)
class LogAnalyzer:
    """Parse application logs and count errors by pattern."""


@plugin(
    "data-profiler",
    version="0.5.0",
    type=PluginType.ANALYZER,
    capabilities=["profiling", "statistics", "schema-inference"],
    provides=[Analyzer],
    priority=4,
)
class DataProfiler:
    """Profile a dataset: column types, null rates and value distributions."""


@plugin(
    "schema-validator",
    version="4.0.0",
    type=PluginType.ANALYZER,
    capabilities=["validation", "json-schema"],
    metadata={"draft": "2020-12"},
)
class SchemaValidator:
    """Validate JSON documents against a JSON Schema."""
