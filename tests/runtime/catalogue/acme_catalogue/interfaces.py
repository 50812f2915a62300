"""The interfaces the catalogue's plugins provide."""

from __future__ import annotations

from typing import Protocol


class Compressor(Protocol):
    """Compresses and decompresses byte strings."""

    def compress(self, data: bytes) -> bytes: ...

    def decompress(self, data: bytes) -> bytes: ...


class Encryptor(Protocol):
    """Encrypts and decrypts byte strings."""

    def encrypt(self, data: bytes) -> bytes: ...

    def decrypt(self, data: bytes) -> bytes: ...


class Storage(Protocol):
    """Keeps named blobs."""

    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...


class Analyzer(Protocol):
    """Computes findings about data."""

    def analyze(self, data: bytes) -> dict[str, float]: ...


class MetricsSink(Protocol):
    """Receives measurements."""

    def record(self, metric: str, value: float) -> None: ...


class Processor(Protocol):
    """Transforms data in bulk."""

    def process(self, data: bytes) -> bytes: ...


class Transport(Protocol):
    """Sends bytes somewhere else."""

    def send(self, data: bytes) -> None: ...


class Codec(Protocol):
    """Encodes values as bytes and back."""

    def encode(self, value: object) -> bytes: ...

    def decode(self, data: bytes) -> object: ...


class Authenticator(Protocol):
    """Checks who a caller is."""

    def authenticate(self, credentials: str) -> str: ...
