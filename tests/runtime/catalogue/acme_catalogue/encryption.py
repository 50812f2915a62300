"""Encryptors, with and without key management."""

from __future__ import annotations

from acme_catalogue.interfaces import Encryptor, MetricsSink
from mreg_di import PluginType, plugin


@plugin(
    "aes-gcm-encryptor",
    version="3.0.0",
    type=PluginType.SECURITY,
    capabilities=["encryption", "decryption", "authenticated-encryption"],
    provides=[Encryptor],
    priority=10,
    permissions=["keys:read"],
    metadata={"cipher": "AES-256-GCM", "fips": True},
)
class AesGcmEncryptor:
    """Encrypt data at rest with AES-256-GCM authenticated encryption."""


@plugin(
    "chacha20-encryptor",
    version="1.2.0",
    type=PluginType.SECURITY,
    capabilities=["encryption", "decryption", "authenticated-encryption", "low-latency"],
    provides=[Encryptor],
    priority=5,
    metadata={"cipher": "ChaCha20-Poly1305"},
)
class ChaCha20Encryptor:
    """Encrypt data with ChaCha20-Poly1305, fast on CPUs without AES instructions."""


@plugin(
    "rsa-encryptor",
    version="2.4.1",
    type=PluginType.SECURITY,
    capabilities=["encryption", "decryption", "asymmetric", "key-exchange"],
    provides=[Encryptor],
    priority=1,
    metadata={"cipher": "RSA-OAEP", "key_bits": 4096},
)
class RsaEncryptor:
    """Encrypt small secrets for a recipient's public RSA key."""


@plugin(
    "vault-encryptor",
    version="1.8.0",
    type=PluginType.SECURITY,
    capabilities=["encryption", "decryption", "key-management", "monitoring", "audit-logging"],
    provides=[Encryptor],
    priority=2,
    permissions=["vault:transit"],
    metadata={"backend": "hashicorp-vault", "rotation_days": 30},
)
class VaultEncryptor:
    """Encrypt through a Vault transit engine, with key rotation and an audit trail."""

    def __init__(self, metrics: list[MetricsSink]) -> None:
        self.metrics = metrics


@plugin(
    "envelope-encryptor",
    version="0.9.0",
    type=PluginType.SECURITY,
    capabilities=["encryption", "decryption", "key-management", "cloud"],
    provides=[Encryptor],
    priority=0,
    metadata={"kms": "aws-kms"},
)
class EnvelopeEncryptor:
    """Envelope encryption: data keys wrapped by a cloud KMS master key."""
