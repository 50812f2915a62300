"""Network transports and messaging."""

from __future__ import annotations

from acme_catalogue.interfaces import Transport
from mreg_di import PluginType, plugin


@plugin(
    "http-client",
    version="0.27.0",
    type=PluginType.NETWORK,
    capabilities=["http", "networking", "retries"],
    provides=[Transport],
    priority=10,
    permissions=["network:outbound"],
    metadata={"http2": True},
)
class HttpClient:
    """Send requests over HTTP/1.1 and HTTP/2 with retries and timeouts."""


@plugin(
    "grpc-transport",
    version="1.62.0",
    type=PluginType.NETWORK,
    capabilities=["rpc", "networking", "streaming", "high-performance"],
    provides=[Transport],
    priority=5,
    permissions=["network:outbound"],
)
class GrpcTransport:
    """Call remote services over gRPC with protobuf messages."""


@plugin(
    "websocket-server",
    version="12.0.0",
    type=PluginType.NETWORK,
    capabilities=["websocket", "networking", "real-time"],
    priority=0,
    permissions=["network:listen"],
)
class WebsocketServer:
    """Push real-time updates to browsers over WebSockets."""


@plugin(
    "mqtt-bridge",
    version="2.0.0",
    type=PluginType.NETWORK,
    capabilities=["mqtt", "messaging", "iot"],
    provides=[Transport],
    priority=1,
    permissions=["network:outbound"],
    metadata={"qos": 1},
)
class MqttBridge:
    """Relay messages between IoT devices and the backend over MQTT."""


@plugin(
    "kafka-producer",
    version="3.7.0",
    type=PluginType.NETWORK,
    capabilities=["messaging", "streaming", "high-throughput"],
    provides=[Transport],
    priority=2,
    permissions=["network:outbound"],
    metadata={"acks": "all"},
)
class KafkaProducer:
    """Publish messages to Kafka topics with batching and acknowledgements."""
