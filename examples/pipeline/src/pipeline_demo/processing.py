"""The pipeline itself, and a factory of data processors with three variants.

``ingest-pipeline`` wires everything together: constructor injection hands it the active
storage, compressor, cipher, analyzer and every metrics sink. ``processor-factory`` builds a
`DataProcessor` per request; its ``variant`` chooses a real strategy:

- ``high-performance``: mid-sized chunks compressed in parallel threads (zlib releases the
  GIL), sealed once: throughput on multi-core machines.
- ``low-latency``: small frames, each compressed and sealed on its own, so a reader can check and
  use the first frame before the rest arrives: the first bytes are ready soonest.
- ``batch``: the whole input as one frame, sealed once: the smallest output.

Example:
    >>> from pipeline_demo.compression import ZlibCompressor
    >>> from pipeline_demo.encryption import HmacCtrCipher
    >>> processor = make_processor("batch", ZlibCompressor(metrics=[]),
    ...                            HmacCtrCipher("11" * 32, metrics=[]), metrics=[])
    >>> processor.restore(processor.process(b"payload"))
    b'payload'
"""

from __future__ import annotations

import hashlib
import logging
import os
import struct
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from mreg_di import PluginType, factory, plugin
from pipeline_demo.interfaces import (
    Analysis,
    Analyzer,
    Cipher,
    Compressor,
    DataProcessor,
    MetricsSink,
    Storage,
)

__all__ = ["ChunkedProcessor", "IngestPipeline", "Receipt", "Strategy", "make_processor"]


@dataclass(frozen=True)
class Receipt:
    """What `IngestPipeline.ingest` stored.

    Attributes:
        key: The storage key.
        analysis: The analyzer's findings on the original data.
        compressed_size: Bytes after compression.
        stored_size: Bytes actually stored (compressed, encrypted, with nonce and tag).
        sha256: Digest of the original data, to verify a round trip.

    Example:
        >>> from pipeline_demo.interfaces import Analysis
        >>> Receipt("k", Analysis(1, 1, 0.0, 1.0, 0, (), 1.0), 9, 61, "ab").stored_size
        61
    """

    key: str
    analysis: Analysis
    compressed_size: int
    stored_size: int
    sha256: str


@plugin(
    "ingest-pipeline",
    version="1.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["ingestion", "retrieval", "round-trip", "verification"],
    requires=["hmac-ctr-cipher>=1.1,<2", "byte-analyzer>=1.2"],
    metadata={
        "author": "mreg-di examples",
        "steps": ["analyze", "compress", "encrypt", "store"],
        "tags": ["etl", "archiving"],
    },
)
class IngestPipeline:
    """Ingest data end to end: analyze, compress, encrypt and store it; and get it back.

    The storage key is bound into the encryption as associated data, so a blob copied under
    another key fails authentication. That needs ``hmac-ctr-cipher`` 1.1 or later, hence the
    version requirement.

    Args:
        storage: Where sealed blobs go (``fs-storage``, or the mock in development).
        compressor: The active compressor.
        cipher: The active cipher.
        analyzer: The active analyzer.
        metrics: Every active metrics sink.

    Example:
        >>> from pipeline_demo.analysis import ByteAnalyzer
        >>> from pipeline_demo.compression import ZlibCompressor
        >>> from pipeline_demo.encryption import HmacCtrCipher
        >>> from pipeline_demo.storage import MemoryStorage
        >>> zlib = ZlibCompressor(metrics=[])
        >>> pipeline = IngestPipeline(MemoryStorage(metrics=[]), zlib,
        ...     HmacCtrCipher("22" * 32, metrics=[]), ByteAnalyzer(zlib, metrics=[]), metrics=[])
        >>> pipeline.ingest("note", b"hello" * 10).analysis.distinct
        4
        >>> pipeline.retrieve("note")[:10]
        b'hellohello'
    """

    def __init__(
        self,
        storage: Storage,
        compressor: Compressor,
        cipher: Cipher,
        analyzer: Analyzer,
        metrics: list[MetricsSink],
    ) -> None:
        self.storage = storage
        self.compressor = compressor
        self.cipher = cipher
        self.analyzer = analyzer
        self._metrics = metrics
        self._log = logging.getLogger("pipeline_demo.ingest-pipeline")

    def ingest(self, key: str, data: bytes) -> Receipt:
        """Analyze `data`, then compress, encrypt and store it under `key`."""
        self._log.info("ingest %r: analyze -> compress -> encrypt -> store", key)
        analysis = self.analyzer.analyze(data)
        compressed = self.compressor.compress(data)
        sealed = self.cipher.encrypt(compressed, key.encode())
        self.storage.put(key, sealed)
        for sink in self._metrics:
            sink.record("ingest-pipeline", "blobs_ingested", 1)
        return Receipt(
            key=key,
            analysis=analysis,
            compressed_size=len(compressed),
            stored_size=len(sealed),
            sha256=hashlib.sha256(data).hexdigest(),
        )

    def retrieve(self, key: str) -> bytes:
        """Load the blob under `key`, then decrypt and decompress it."""
        self._log.info("retrieve %r: load -> decrypt -> decompress", key)
        data = self.compressor.decompress(self.cipher.decrypt(self.storage.get(key), key.encode()))
        for sink in self._metrics:
            sink.record("ingest-pipeline", "blobs_retrieved", 1)
        return data


@dataclass(frozen=True)
class Strategy:
    """How a processor variant cuts, compresses and seals its input.

    Attributes:
        code: The variant's byte in the container header.
        chunk_size: Bytes per frame; 0 means the whole input is one frame.
        workers: Threads compressing frames at once.
        seal_each_frame: Encrypt every frame separately (readable one by one) rather than the
            whole container once.

    Example:
        >>> STRATEGIES["low-latency"].describe()
        '4 KiB frames, 1 thread, each frame sealed'
    """

    code: int
    chunk_size: int
    workers: int
    seal_each_frame: bool

    def describe(self) -> str:
        """One line, e.g. ``"8 KiB frames, 2 threads, sealed once"``."""
        frames = f"{self.chunk_size // 1024} KiB frames" if self.chunk_size else "one frame"
        threads = f"{self.workers} thread{'s' if self.workers != 1 else ''}"
        sealing = "each frame sealed" if self.seal_each_frame else "sealed once"
        return f"{frames}, {threads}, {sealing}"


STRATEGIES: dict[str, Strategy] = {
    "high-performance": Strategy(1, 8 * 1024, max(2, min(4, os.cpu_count() or 1)), False),
    "low-latency": Strategy(2, 4 * 1024, 1, True),
    "batch": Strategy(3, 0, 1, False),
}
"""Variant name -> strategy. The keys are the factory's declared variants."""

_MAGIC = b"MRP1"
_HEADER = struct.Struct(">4sBI")  # magic, variant code, frame count
_LENGTH = struct.Struct(">I")


class ChunkedProcessor:
    """A `DataProcessor` that compresses and seals data in frames, as its `Strategy` says.

    Container layout: ``b"MRP1" | variant code (1) | frame count (4) | frames``. Sealed once,
    the frames are packed and encrypted as one token; sealed per frame, each frame is a token
    whose associated data names the variant, its index and the frame count, so frames cannot be
    reordered, dropped or moved between containers unnoticed.

    Args:
        variant: The variant's name (a key of `STRATEGIES`).
        compressor: Compresses each frame.
        cipher: Seals the container or each frame.
        metrics: Every active metrics sink.

    Example:
        >>> from pipeline_demo.compression import ZlibCompressor
        >>> from pipeline_demo.encryption import HmacCtrCipher
        >>> processor = ChunkedProcessor("low-latency", ZlibCompressor(metrics=[]),
        ...                              HmacCtrCipher("33" * 32, metrics=[]), metrics=[])
        >>> container = processor.process(bytes(10_000))
        >>> processor.frames, processor.restore(container) == bytes(10_000)
        (3, True)
    """

    def __init__(
        self, variant: str, compressor: Compressor, cipher: Cipher, metrics: list[MetricsSink]
    ) -> None:
        self.variant = variant
        self.strategy = STRATEGIES[variant]
        self.frames = 0
        self._compressor = compressor
        self._cipher = cipher
        self._metrics = metrics
        self._log = logging.getLogger("pipeline_demo.processor-factory")

    def _chunks(self, data: bytes) -> list[bytes]:
        size = self.strategy.chunk_size or max(len(data), 1)
        return [data[i : i + size] for i in range(0, len(data), size)] or [b""]

    def _associated(self, index: int, count: int) -> bytes:
        return f"{self.variant}:{index}/{count}".encode()

    def stream(self, data: bytes) -> Iterator[bytes]:
        """Compressed frames of `data`, each yielded as soon as it is ready."""
        chunks = self._chunks(data)
        if self.strategy.workers > 1:
            with ThreadPoolExecutor(self.strategy.workers) as pool:
                yield from pool.map(self._compressor.compress, chunks)
        else:
            yield from map(self._compressor.compress, chunks)

    def process(self, data: bytes) -> bytes:
        """`data` cut into frames, compressed and sealed into one container."""
        frames = list(self.stream(data))
        count = len(frames)
        if self.strategy.seal_each_frame:
            frames = [
                self._cipher.encrypt(frame, self._associated(i, count))
                for i, frame in enumerate(frames)
            ]
        body = b"".join(_LENGTH.pack(len(frame)) + frame for frame in frames)
        if not self.strategy.seal_each_frame:
            body = self._cipher.encrypt(body, self.variant.encode())
        container = _HEADER.pack(_MAGIC, self.strategy.code, count) + body
        self.frames = count
        for sink in self._metrics:
            sink.record(f"processor:{self.variant}", "frames", count)
            sink.record(f"processor:{self.variant}", "bytes_out", len(container))
        self._log.info(
            "%s: %s -> %s bytes in %d frame(s) (%s)",
            self.variant,
            f"{len(data):,}",
            f"{len(container):,}",
            count,
            self.strategy.describe(),
        )
        return container

    def restore(self, blob: bytes) -> bytes:
        """The original bytes of a container made by `process` with the same variant.

        Raises:
            ValueError: The container is malformed, of another variant, or was altered.
        """
        if len(blob) < _HEADER.size:
            raise ValueError("processor-factory: container too short")
        magic, code, count = _HEADER.unpack_from(blob)
        if magic != _MAGIC or code != self.strategy.code:
            raise ValueError(f"processor-factory: not a {self.variant!r} container")
        body = blob[_HEADER.size :]
        if not self.strategy.seal_each_frame:
            body = self._cipher.decrypt(body, self.variant.encode())
        frames: list[bytes] = []
        offset = 0
        while offset < len(body):
            (length,) = _LENGTH.unpack_from(body, offset)
            frames.append(body[offset + _LENGTH.size : offset + _LENGTH.size + length])
            offset += _LENGTH.size + length
        if len(frames) != count:
            raise ValueError(
                f"processor-factory: container announces {count} frame(s) but holds {len(frames)}"
            )
        if self.strategy.seal_each_frame:
            frames = [
                self._cipher.decrypt(frame, self._associated(i, count))
                for i, frame in enumerate(frames)
            ]
        return b"".join(self._compressor.decompress(frame) for frame in frames)


@factory(
    "processor-factory",
    version="1.0.0",
    type=PluginType.DATA_PROCESSOR,
    capabilities=["processing", "compression", "encryption", "chunking", "parallel"],
    provides=[DataProcessor],
    requires=["zlib-compressor~=2.1"],
    scope="factory",
    variants=["high-performance", "low-latency", "batch"],
    metadata={
        "author": "mreg-di examples",
        "variants": {
            "high-performance": "8 KiB chunks compressed in parallel threads, sealed once",
            "low-latency": "4 KiB frames, each compressed and sealed on its own",
            "batch": "the whole input in one frame: smallest output",
        },
        "tags": ["throughput", "latency", "batch-processing"],
    },
)
def make_processor(
    variant: str, compressor: Compressor, cipher: Cipher, metrics: list[MetricsSink]
) -> DataProcessor:
    """Build a data processor tuned for high performance, low latency or batch processing.

    The processor frames, compresses and seals data; `variant` picks how (see the module
    docstring). Frames are independent zlib streams, which is why the factory requires
    ``zlib-compressor`` 2.1.

    Args:
        variant: ``"high-performance"``, ``"low-latency"`` or ``"batch"``.
        compressor: The active compressor.
        cipher: The active cipher.
        metrics: Every active metrics sink.

    Raises:
        ValueError: `variant` is not one of the three.

    Example:
        >>> from pipeline_demo.compression import ZlibCompressor
        >>> from pipeline_demo.encryption import HmacCtrCipher
        >>> make_processor("turbo", ZlibCompressor(metrics=[]),  # doctest: +ELLIPSIS
        ...                HmacCtrCipher("44" * 32, metrics=[]), metrics=[])
        Traceback (most recent call last):
        ...
        ValueError: processor-factory: unknown variant 'turbo'; choose one of high-performance, ...
    """
    if variant not in STRATEGIES:
        raise ValueError(
            f"processor-factory: unknown variant {variant!r}; choose one of {', '.join(STRATEGIES)}"
        )
    return ChunkedProcessor(variant, compressor, cipher, metrics)
