"""An authenticated stream cipher from the standard library: HMAC-SHA256 in counter mode.

**A demonstration, not a vetted cipher.** It shows a security plugin whose key comes from
configuration, using only ``hashlib`` / ``hmac`` so the example installs nothing. The
construction is the textbook one: a keystream of HMAC-SHA256 blocks over (nonce, counter), XORed
with the plaintext (encrypt), then an HMAC-SHA256 tag over everything (authenticate), with
separate keys for the two jobs derived from the configured key. For real data use a reviewed
AEAD such as AES-GCM or ChaCha20-Poly1305 from the ``cryptography`` package.

Token layout: ``b"MRC1" | nonce (16) | ciphertext | tag (32)``.

Example:
    >>> cipher = HmacCtrCipher("00" * 32, metrics=[])
    >>> token = cipher.encrypt(b"attack at dawn", b"order-66")
    >>> cipher.decrypt(token, b"order-66")
    b'attack at dawn'
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os

from mreg_di import PluginType, plugin
from pipeline_demo.interfaces import Cipher, MetricsSink

__all__ = ["HmacCtrCipher"]

_MAGIC = b"MRC1"
_NONCE_SIZE = 16
_TAG_SIZE = 32
_BLOCK_SIZE = 32  # one HMAC-SHA256 output
_KEY_SIZE = 32


def _derive(master: bytes, purpose: bytes) -> bytes:
    # One key per job (encrypting, authenticating): never reuse a key for two purposes.
    return hmac.digest(master, b"pipeline-demo/v1/" + purpose, hashlib.sha256)


def _keystream(key: bytes, nonce: bytes, length: int) -> bytes:
    blocks = -(-length // _BLOCK_SIZE)
    stream = b"".join(
        hmac.digest(key, nonce + counter.to_bytes(8, "big"), hashlib.sha256)
        for counter in range(blocks)
    )
    return stream[:length]


def _xor(data: bytes, stream: bytes) -> bytes:
    # Whole-buffer XOR through big integers: far faster than a byte-by-byte loop in Python.
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


@plugin(
    "hmac-ctr-cipher",
    version="1.1.0",
    type=PluginType.SECURITY,
    capabilities=["encryption", "decryption", "authentication", "integrity", "associated-data"],
    provides=[Cipher],
    permissions=["crypto.keys"],
    metadata={
        "author": "mreg-di examples",
        "algorithm": "HMAC-SHA256 keystream (CTR) + HMAC-SHA256 tag, encrypt-then-MAC",
        "key_bits": 256,
        "status": "demonstration only: use AES-GCM or ChaCha20-Poly1305 for real data",
        "tags": ["confidentiality", "tamper-detection", "stdlib"],
    },
)
class HmacCtrCipher:
    """Encrypt and authenticate data with HMAC-SHA256 in counter mode (a stdlib demonstration).

    Each token gets a fresh random nonce; the tag covers the nonce, the ciphertext and the
    associated data, so any change to the token, or opening it under other associated data,
    is detected before anything is decrypted. Version 1.1 added associated data.

    Args:
        key: The 256-bit master key as 64 hex digits, from configuration.
        metrics: Every active metrics sink.

    Example:
        >>> HmacCtrCipher("zz", metrics=[])
        Traceback (most recent call last):
        ...
        ValueError: hmac-ctr-cipher: key must be 64 hex digits (256 bits), got 2 characters
    """

    def __init__(self, key: str, metrics: list[MetricsSink]) -> None:
        try:
            master = bytes.fromhex(key)
        except ValueError:
            master = b""
        if len(master) != _KEY_SIZE:
            raise ValueError(
                f"hmac-ctr-cipher: key must be 64 hex digits (256 bits), got {len(key)} characters"
            )
        self._encryption_key: bytes | None = _derive(master, b"encrypt")
        self._mac_key: bytes | None = _derive(master, b"authenticate")
        self._metrics = metrics
        self._tokens = 0
        self._log = logging.getLogger("pipeline_demo.hmac-ctr-cipher")

    def initialize(self) -> None:
        """Check the derived keys with a round trip before the first real use."""
        probe = self._open(self._seal(b"self-test", b"initialize"), b"initialize")
        if probe != b"self-test":  # pragma: no cover - would mean the construction is broken
            raise RuntimeError("hmac-ctr-cipher: self-test failed")
        self._log.info("initialize: keys derived from the configured key, self-test passed")

    def cleanup(self) -> None:
        """Forget the derived keys; the cipher cannot be used afterwards."""
        self._encryption_key = self._mac_key = None
        self._log.info("cleanup: sealed %d token(s); keys dropped from memory", self._tokens)

    def _keys(self) -> tuple[bytes, bytes]:
        if self._encryption_key is None or self._mac_key is None:
            raise RuntimeError("hmac-ctr-cipher: used after cleanup()")
        return self._encryption_key, self._mac_key

    def _tag(self, mac_key: bytes, nonce: bytes, ciphertext: bytes, associated: bytes) -> bytes:
        header = _MAGIC + nonce + len(associated).to_bytes(8, "big")
        return hmac.digest(mac_key, header + associated + ciphertext, hashlib.sha256)

    def _seal(self, plaintext: bytes, associated_data: bytes) -> bytes:
        encryption_key, mac_key = self._keys()
        nonce = os.urandom(_NONCE_SIZE)
        ciphertext = _xor(plaintext, _keystream(encryption_key, nonce, len(plaintext)))
        return _MAGIC + nonce + ciphertext + self._tag(mac_key, nonce, ciphertext, associated_data)

    def _open(self, token: bytes, associated_data: bytes) -> bytes:
        encryption_key, mac_key = self._keys()
        if len(token) < len(_MAGIC) + _NONCE_SIZE + _TAG_SIZE or not token.startswith(_MAGIC):
            raise ValueError("hmac-ctr-cipher: not a token made by this cipher")
        nonce = token[len(_MAGIC) : len(_MAGIC) + _NONCE_SIZE]
        ciphertext = token[len(_MAGIC) + _NONCE_SIZE : -_TAG_SIZE]
        expected = self._tag(mac_key, nonce, ciphertext, associated_data)
        if not hmac.compare_digest(expected, token[-_TAG_SIZE:]):
            raise ValueError(
                "hmac-ctr-cipher: authentication failed, the token or its associated data "
                "was altered"
            )
        return _xor(ciphertext, _keystream(encryption_key, nonce, len(ciphertext)))

    def encrypt(self, plaintext: bytes, associated_data: bytes = b"") -> bytes:
        """Encrypt `plaintext` and bind it to `associated_data` (which is not encrypted)."""
        token = self._seal(plaintext, associated_data)
        self._tokens += 1
        for sink in self._metrics:
            sink.record("hmac-ctr-cipher", "bytes_encrypted", len(plaintext))
        self._log.info(
            "encrypt: %s -> %s bytes (nonce %s..., tag %s...)",
            f"{len(plaintext):,}",
            f"{len(token):,}",
            token[len(_MAGIC) : len(_MAGIC) + 4].hex(),
            token[-_TAG_SIZE:].hex()[:8],
        )
        return token

    def decrypt(self, token: bytes, associated_data: bytes = b"") -> bytes:
        """Verify the tag of `token`, then decrypt it.

        Raises:
            ValueError: The token is malformed, or it or `associated_data` was altered.
        """
        try:
            plaintext = self._open(token, associated_data)
        except ValueError:
            for sink in self._metrics:
                sink.record("hmac-ctr-cipher", "tampered_tokens", 1)
            raise
        for sink in self._metrics:
            sink.record("hmac-ctr-cipher", "bytes_decrypted", len(plaintext))
        self._log.info(
            "decrypt: tag verified, %s -> %s bytes", f"{len(token):,}", f"{len(plaintext):,}"
        )
        return plaintext
