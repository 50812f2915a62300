"""Monitoring: metrics, tracing, health and alerts."""

from __future__ import annotations

from acme_catalogue.interfaces import MetricsSink
from mreg_di import PluginType, plugin


@plugin(
    "prometheus-exporter",
    version="0.20.0",
    type=PluginType.MONITORING,
    capabilities=["metrics", "monitoring", "http"],
    provides=[MetricsSink],
    priority=10,
    permissions=["network:listen"],
    metadata={"port": 9100, "format": "openmetrics"},
)
class PrometheusExporter:
    """Expose counters and gauges for Prometheus to scrape over HTTP."""


@plugin(
    "statsd-sink",
    version="3.3.0",
    type=PluginType.MONITORING,
    capabilities=["metrics", "monitoring", "udp"],
    provides=[MetricsSink],
    priority=5,
    permissions=["network:outbound"],
)
class StatsdSink:
    """Push metrics to a StatsD daemon over UDP."""


@plugin(
    "otel-tracer",
    version="1.24.0",
    type=PluginType.MONITORING,
    capabilities=["tracing", "monitoring", "distributed"],
    priority=0,
    metadata={"protocol": "otlp"},
)
class OtelTracer:
    """Trace requests across services with OpenTelemetry spans."""


@plugin(
    "health-checker",
    version="1.0.0",
    type=PluginType.MONITORING,
    capabilities=["health-checks", "monitoring"],
    priority=0,
)
class HealthChecker:
    """Answer liveness and readiness probes from each plugin's health."""


@plugin(
    "alert-manager",
    version="0.27.0",
    type=PluginType.MONITORING,
    capabilities=["alerting", "monitoring", "notifications"],
    priority=0,
    metadata={"channels": ["email", "slack", "pagerduty"]},
)
class AlertManager:
    """Send alerts when thresholds are crossed, deduplicated and routed by severity."""


@plugin(
    "audit-logger",
    version="2.1.0",
    type=PluginType.MONITORING,
    capabilities=["audit-logging", "logging", "compliance"],
    priority=0,
    permissions=["fs:write"],
)
class AuditLogger:
    """Write a tamper-evident audit trail of security-relevant events."""


@plugin(
    "console-logger",
    version="1.0.0",
    type=PluginType.MONITORING,
    capabilities=["logging"],
    provides=[MetricsSink],
    profiles=["development"],
    priority=1,
)
class ConsoleLogger:
    """Print log lines and metrics to the console while developing."""
