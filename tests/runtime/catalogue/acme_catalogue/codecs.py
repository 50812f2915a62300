"""Encoders, serializers and other transformers."""

from __future__ import annotations

from acme_catalogue.interfaces import Codec
from mreg_di import PluginType, plugin


@plugin(
    "base64-encoder",
    version="1.0.0",
    type=PluginType.TRANSFORMER,
    capabilities=["encoding", "text-safe"],
    provides=[Codec],
    priority=0,
)
class Base64Encoder:
    """Encode binary data as Base64 text."""


@plugin(
    "json-serializer",
    version="2.3.0",
    type=PluginType.TRANSFORMER,
    capabilities=["serialization", "json"],
    provides=[Codec],
    priority=10,
)
class JsonSerializer:
    """Serialize records to JSON and back."""


@plugin(
    "protobuf-serializer",
    version="4.25.0",
    type=PluginType.TRANSFORMER,
    capabilities=["serialization", "schema", "high-performance"],
    provides=[Codec],
    priority=5,
)
class ProtobufSerializer:
    """Serialize records to Protocol Buffers, compact and schema-checked."""


@plugin(
    "avro-serializer",
    version="1.11.0",
    type=PluginType.TRANSFORMER,
    capabilities=["serialization", "schema", "schema-evolution"],
    provides=[Codec],
    priority=4,
)
class AvroSerializer:
    """Serialize records to Avro with schema evolution."""


@plugin(
    "unicode-normalizer",
    version="1.0.0",
    type=PluginType.TRANSFORMER,
    capabilities=["text", "normalization"],
    priority=0,
    metadata={"form": "NFC"},
)
class UnicodeNormalizer:
    """Normalize text to Unicode NFC so equal strings compare equal."""


@plugin(
    "image-resizer",
    version="10.2.0",
    type=PluginType.TRANSFORMER,
    capabilities=["images", "resizing", "thumbnails"],
    priority=0,
    metadata={"formats": ["png", "jpeg", "webp"]},
)
class ImageResizer:
    """Resize images and generate thumbnails."""
