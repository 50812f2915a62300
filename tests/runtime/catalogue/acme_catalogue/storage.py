"""Storages: in memory, on disk, in databases and in the cloud."""

from __future__ import annotations

from acme_catalogue.interfaces import Compressor, Storage
from mreg_di import PluginType, plugin


@plugin(
    "memory-storage",
    version="1.0.0",
    type=PluginType.STORAGE,
    capabilities=["storage", "in-memory"],
    provides=[Storage],
    priority=1,
    metadata={"persistent": False},
)
class MemoryStorage:
    """Keep blobs in a dictionary; gone when the process exits."""


@plugin(
    "disk-storage",
    version="2.2.0",
    type=PluginType.STORAGE,
    capabilities=["storage", "persistence", "files"],
    provides=[Storage],
    priority=10,
    permissions=["fs:write"],
    metadata={"persistent": True, "layout": "sharded-directories"},
)
class DiskStorage:
    """Store blobs as files on local disk, sharded into directories."""

    def __init__(self, root: str = "/var/lib/acme") -> None:
        self.root = root


@plugin(
    "s3-storage",
    version="3.1.0",
    type=PluginType.STORAGE,
    capabilities=["storage", "persistence", "cloud", "object-storage", "replication"],
    provides=[Storage],
    priority=8,
    permissions=["network:outbound"],
    metadata={"persistent": True, "provider": "aws"},
)
class S3Storage:
    """Store blobs as objects in an S3 bucket, replicated across zones."""

    def __init__(self, bucket: str = "acme-data") -> None:
        self.bucket = bucket


@plugin(
    "postgres-storage",
    version="1.4.0",
    type=PluginType.STORAGE,
    capabilities=["storage", "persistence", "sql", "transactions"],
    provides=[Storage],
    priority=7,
    permissions=["network:outbound"],
    metadata={"persistent": True, "engine": "postgresql"},
)
class PostgresStorage:
    """Store blobs in a PostgreSQL table, inside transactions."""


@plugin(
    "sqlite-storage",
    version="1.0.3",
    type=PluginType.STORAGE,
    capabilities=["storage", "persistence", "sql", "embedded"],
    provides=[Storage],
    priority=6,
    permissions=["fs:write"],
    metadata={"persistent": True, "engine": "sqlite"},
)
class SqliteStorage:
    """Store blobs in an embedded SQLite database file."""


@plugin(
    "redis-cache",
    version="5.0.1",
    type=PluginType.STORAGE,
    capabilities=["storage", "caching", "in-memory", "low-latency", "expiry"],
    provides=[Storage],
    priority=2,
    permissions=["network:outbound"],
    metadata={"persistent": False, "engine": "redis"},
)
class RedisCache:
    """Cache hot blobs in Redis with per-key expiry."""


@plugin(
    "archive-storage",
    version="1.2.0",
    type=PluginType.STORAGE,
    capabilities=["storage", "archival", "compression", "persistence"],
    provides=[Storage],
    priority=0,
    permissions=["fs:write"],
    metadata={"persistent": True, "retention": "7y"},
)
class ArchiveStorage:
    """Keep cold blobs for years in compressed archive files."""

    def __init__(self, compressor: Compressor) -> None:
        self.compressor = compressor


@plugin(
    "mock-storage",
    version="1.0.0",
    type=PluginType.STORAGE,
    capabilities=["storage", "in-memory", "testing"],
    provides=[Storage],
    profiles=["development", "test"],
    priority=100,
    metadata={"persistent": False},
)
class MockStorage:
    """Record every call for tests; replaces the real storage in development and test."""
