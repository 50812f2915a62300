"""The interfaces the pipeline's plugins provide and consume.

Each interface is a `typing.Protocol`: a plugin does not inherit from it, it declares
``provides=[Storage]`` and has the right methods. mreg-di binds constructor parameters annotated
with these Protocols to the active plugin that provides them, and checks at construction that the
instance really satisfies the Protocol (method names and signatures included).

This module is imported by every plugin module, so it stays small and imports only the standard
library.

Example:
    >>> from pipeline_demo.interfaces import Analysis
    >>> Analysis(size=3, distinct=2, entropy=0.92, printable=1.0, lines=0,
    ...          top_bytes=((97, 2), (98, 1)), compression_ratio=0.5).describe_top()
    "'a' x2, 'b' x1"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "Analysis",
    "Analyzer",
    "Cipher",
    "Compressor",
    "DataProcessor",
    "MetricsSink",
    "Storage",
]


class MetricsSink(Protocol):
    """Receives measurements from the other plugins.

    Several sinks can be active at once; plugins take ``list[MetricsSink]`` and report to all.

    Example:
        >>> class Printer:
        ...     def record(self, source: str, metric: str, value: float) -> None:
        ...         print(source, metric, value)
        >>> Printer().record("zlib-compressor", "bytes_in", 42)
        zlib-compressor bytes_in 42
    """

    def record(self, source: str, metric: str, value: float) -> None:
        """Record one measurement `value` of `metric`, reported by plugin `source`."""
        ...


class Storage(Protocol):
    """Keeps named blobs.

    Example:
        >>> class Dict:
        ...     def __init__(self) -> None: self.blobs: dict[str, bytes] = {}
        ...     def put(self, key: str, data: bytes) -> None: self.blobs[key] = data
        ...     def get(self, key: str) -> bytes: return self.blobs[key]
        ...     def keys(self) -> list[str]: return sorted(self.blobs)
        ...     def describe(self) -> str: return "a dict"
    """

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, replacing what was there."""
        ...

    def get(self, key: str) -> bytes:
        """The blob stored under `key` (`KeyError` when there is none)."""
        ...

    def keys(self) -> list[str]:
        """Every key, sorted."""
        ...

    def describe(self) -> str:
        """Where the blobs live, in a few words."""
        ...


class Compressor(Protocol):
    """Compresses and decompresses whole byte strings.

    Attributes:
        algorithm: The algorithm's name, e.g. ``"deflate"``.
        level: The compression level in use.

    Example:
        >>> import zlib
        >>> class Deflate:
        ...     algorithm, level = "deflate", 6
        ...     def compress(self, data: bytes) -> bytes: return zlib.compress(data)
        ...     def decompress(self, data: bytes) -> bytes: return zlib.decompress(data)
        >>> Deflate().decompress(Deflate().compress(b"abc"))
        b'abc'
    """

    algorithm: str
    level: int

    def compress(self, data: bytes) -> bytes:
        """`data`, compressed."""
        ...

    def decompress(self, data: bytes) -> bytes:
        """The original bytes of compressed `data`."""
        ...


class Cipher(Protocol):
    """Authenticated encryption: a token decrypts only if nothing in it was changed.

    Example:
        >>> class Null:
        ...     def encrypt(self, plaintext: bytes, associated_data: bytes = b"") -> bytes:
        ...         return plaintext
        ...     def decrypt(self, token: bytes, associated_data: bytes = b"") -> bytes:
        ...         return token
    """

    def encrypt(self, plaintext: bytes, associated_data: bytes = b"") -> bytes:
        """A token holding `plaintext`, bound to `associated_data` (not encrypted)."""
        ...

    def decrypt(self, token: bytes, associated_data: bytes = b"") -> bytes:
        """The plaintext of `token`; `ValueError` if it or `associated_data` was altered."""
        ...


@dataclass(frozen=True)
class Analysis:
    """What an `Analyzer` found out about some bytes.

    Attributes:
        size: Number of bytes.
        distinct: Number of distinct byte values.
        entropy: Shannon entropy in bits per byte (0 to 8).
        printable: Share of printable ASCII bytes (0 to 1).
        lines: Number of newline characters.
        top_bytes: The most frequent byte values and their counts, most frequent first.
        compression_ratio: Original size divided by compressed size (higher is better).

    Example:
        >>> Analysis(0, 0, 0.0, 0.0, 0, (), 1.0).describe_top()
        ''
    """

    size: int
    distinct: int
    entropy: float
    printable: float
    lines: int
    top_bytes: tuple[tuple[int, int], ...]
    compression_ratio: float

    def describe_top(self) -> str:
        """The most frequent bytes as readable text, e.g. ``"'0' x310, ',' x200"``."""
        return ", ".join(f"{chr(value)!r} x{count}" for value, count in self.top_bytes)


class Analyzer(Protocol):
    """Computes statistics over a byte string.

    Example:
        >>> class Sizer:
        ...     def analyze(self, data: bytes) -> Analysis:
        ...         return Analysis(len(data), len(set(data)), 0.0, 1.0, 0, (), 1.0)
        >>> Sizer().analyze(b"abc").distinct
        3
    """

    def analyze(self, data: bytes) -> Analysis:
        """Statistics over `data`."""
        ...


class DataProcessor(Protocol):
    """Turns bytes into a sealed, compressed container and back.

    Attributes:
        variant: Which processing strategy the processor uses.

    Example:
        >>> class Identity:
        ...     variant = "none"
        ...     def process(self, data: bytes) -> bytes: return data
        ...     def restore(self, blob: bytes) -> bytes: return blob
        >>> Identity().restore(Identity().process(b"x"))
        b'x'
    """

    variant: str

    def process(self, data: bytes) -> bytes:
        """`data` compressed and sealed into one container."""
        ...

    def restore(self, blob: bytes) -> bytes:
        """The original bytes of a container made by `process`."""
        ...
