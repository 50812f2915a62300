"""The incremental scan cache: what each file declared, kept between runs.

A file's cached scan is reused when the file is the one that was scanned: same module name and
manifest-relative path, and the same content. Checking content is done cheaply first: when the
size and modification time (nanoseconds) still match, the file is not read at all; otherwise it
is re-hashed, and only a different sha256 makes it a miss. A warm re-scan of an unchanged tree
therefore reads no source file and imports neither libcst nor networkx.

A file modified within `RACY_WINDOW_NS` of being cached is "racy" (as git calls it): a change
in the same clock tick would keep its size and mtime, so it is re-hashed next time even when
its stat matches.

The cache also keeps the outcome of the last run (graph problems, per-profile orders, the
number of plugins and the sha256 of the manifest produced), keyed by a digest of every input,
so an unchanged tree skips graph validation too.

Two JSON files make one cache: the *index* (per file: stat, hash, module, diagnostics, how many
records; and the outcome), read on every run, and the *records* (per file: the declarations),
read only when a manifest has to be assembled. A warm re-scan whose manifest is already up to
date reads the index alone. Both carry the same generation token, so a records file that does
not belong to its index is detected.

JSON, never pickle: a cache directory is not trusted to run code. The cache is discarded as a
whole, silently, when mreg-codegen or the cache format changes (the `fingerprint` covers both,
and the code of both packages), and with a warning when it cannot be read or is malformed;
neither ever fails a scan.

Example:
    >>> cache = ScanCache(None, fingerprint="test")
    >>> cache.stats.hits
    0
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import time
import uuid
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from mreg_codegen._project import SourceFile

__all__ = [
    "CACHE_FORMAT",
    "DEFAULT_CACHE_DIR",
    "RACY_WINDOW_NS",
    "CacheCorruptError",
    "CacheStats",
    "CachedScan",
    "FileResult",
    "Outcome",
    "ScanCache",
    "cache_file",
    "fingerprint",
    "sha256_of",
]

CACHE_FORMAT = 3
"""Version of the cache files' layout; a cache of another format is ignored."""

DEFAULT_CACHE_DIR = ".mreg-cache"
"""Directory, in the current directory, holding caches unless ``--cache-dir`` says otherwise.

One directory serves any number of manifests: each has its own files (`cache_file`)."""

RACY_WINDOW_NS = 2_000_000_000
"""Files modified this close to being cached are re-hashed next time (2 s covers FAT)."""

# Index entry layout: a list, not an object, so that the index is small and quick to read.
_SIZE, _MTIME, _RACY, _SHA, _MODULE, _REL, _PACKAGE, _PARSED, _COUNT, _DIAGNOSTICS = range(10)
_ENTRY_TYPES = (int, int, bool, str, str, str, bool, bool, int, list)


def sha256_of(data: bytes) -> str:
    """Lowercase hex sha256, as the manifest stores it.

    Example:
        >>> sha256_of(b"")[:12]
        'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


@functools.cache
def fingerprint(version: str) -> str:
    """A digest of the generator: its version, the cache format and both packages' code.

    Any change to the scanner or to the shared schema code therefore invalidates every cache,
    even in a development checkout where the version does not change. Computed once per
    process: the code that runs is the code that was there when it was first asked for.

    Example:
        >>> fingerprint("0.1.0") == fingerprint("0.1.0") != fingerprint("0.2.0")
        True
    """
    import mreg_codegen
    import mreg_di

    digest = hashlib.sha256(f"{version}\0{CACHE_FORMAT}\0".encode())
    for package in (mreg_codegen, mreg_di):
        directory = Path(package.__file__ or "").parent
        for source in sorted(directory.glob("*.py")):
            digest.update(source.name.encode() + b"\0")
            try:
                digest.update(source.read_bytes())
            except OSError:  # pragma: no cover - a broken installation
                digest.update(b"?")
    return digest.hexdigest()


def cache_file(cache_dir: Path, manifest: Path) -> Path:
    """The index file for `manifest` in `cache_dir` (the records file sits beside it).

    Several manifests may share a directory: the name includes a digest of the manifest's
    absolute path.

    Example:
        >>> cache_file(Path("/p/.mreg-cache"), Path("/p/mreg-manifest.json")).name[:14]
        'mreg-manifest-'
    """
    key = hashlib.sha256(os.fsencode(manifest)).hexdigest()[:12]
    return cache_dir / f"{manifest.stem}-{key}.json"


def _records_path(index: Path) -> Path:
    return index.with_name(index.stem + ".records.json")


class FileResult(NamedTuple):
    """What scanning one file produced, in JSON form (a tuple: cheap to send between
    processes).

    Attributes:
        sha256: The content's sha256; empty when the file could not be scanned (unreadable,
            or its parser crashed), and then the result is not cached.
        parsed: The file was parsed (``False``: the bytes pre-filter showed it declares
            nothing, so only its hash was taken).
        records: `PluginRecord.to_json` of each declaration.
        diagnostics: The fields of each `Diagnostic` (``attrs.asdict``).

    Example:
        >>> FileResult("0" * 64, False, (), ()).parsed
        False
    """

    sha256: str
    parsed: bool
    records: tuple[dict[str, Any], ...]
    diagnostics: tuple[dict[str, Any], ...]


class CachedScan(NamedTuple):
    """A file's cached scan as the index knows it; its records are read only when needed.

    Attributes:
        sha256: The content's sha256.
        parsed: The file was parsed (not only pre-filtered).
        record_count: How many declarations it has (`ScanCache.records` reads them).
        diagnostics: The fields of each `Diagnostic`.

    Example:
        >>> CachedScan("0" * 64, True, 0, ()).record_count
        0
    """

    sha256: str
    parsed: bool
    record_count: int
    diagnostics: tuple[dict[str, Any], ...]


@attrs.frozen
class Outcome:
    """The result of the stages after scanning, for one set of inputs.

    Attributes:
        inputs: Digest of every input (files, modules, hashes, options): when it is the same,
            so is everything else.
        graph_key: Digest of the records, which alone decide the graph.
        manifest_key: Digest of the records and the hashes of the files declaring them,
            which decide the manifest.
        problems: Graph problems as ``dataclasses.asdict(Problem)`` with the kind's value.
        orders: Profile -> dependency order, for profiles without problems.
        plugins: How many declarations the files hold.
        manifest_sha256: sha256 of the manifest text produced, ``None`` when there were
            errors.

    Example:
        >>> Outcome("in", "graph", "manifest", (), {"default": []}, 0, None).plugins
        0
    """

    inputs: str
    graph_key: str
    manifest_key: str
    problems: tuple[dict[str, Any], ...]
    orders: dict[str, list[str]]
    plugins: int
    manifest_sha256: str | None


@attrs.define
class CacheStats:
    """What the cache did in one run.

    Attributes:
        hits: Files reused because their size and mtime matched.
        rehashed_hits: Files whose stat changed (or was racy) but whose content had not.
        misses: Files that had to be scanned.
        records_loaded: Whether the records file had to be read.

    Example:
        >>> CacheStats(hits=3).misses
        0
    """

    hits: int = 0
    rehashed_hits: int = 0
    misses: int = 0
    records_loaded: bool = False


class CacheCorruptError(Exception):
    """Cached data turned out unusable after it was loaded (the scan starts over without it).

    Example:
        >>> str(CacheCorruptError("the cached records do not belong to the index"))
        'the cached records do not belong to the index'
    """


class _Malformed(Exception):
    pass


def _check(condition: bool, where: str) -> None:
    if not condition:
        raise _Malformed(where)


class ScanCache:
    """Cached scans of one manifest's source files.

    Args:
        path: The index file, or ``None`` for a cache that is never saved (``--no-cache``).
        fingerprint: The generator's `fingerprint`; a cache with another is ignored.

    Attributes:
        stats: Hits and misses so far.
        warning: Why the cache was ignored, when it was corrupt or unreadable.

    Example:
        >>> cache = ScanCache(None, fingerprint="test")
        >>> cache.outcome() is None
        True
    """

    def __init__(self, path: Path | None, *, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.stats = CacheStats()
        self.warning: str | None = None
        self._entries: dict[str, list[Any]] = {}
        self._seen: set[str] = set()
        self._outcome: dict[str, Any] | None = None
        self._generation = ""
        self._records: dict[str, list[Any]] | None = None  # loaded on demand
        self._dirty = False
        self._records_dirty = False
        self._started_ns = time.time_ns()

    @classmethod
    def load(cls, path: Path | None, *, fingerprint: str) -> ScanCache:
        """Read the index at `path`; a missing, stale or corrupt one gives an empty cache."""
        cache = cls(path, fingerprint=fingerprint)
        if path is None:
            return cache
        try:
            text = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):  # no cache yet (or cannot be one)
            return cache
        except OSError as exc:
            cache.warning = f"cannot read the scan cache: {exc.strerror or exc}"
            return cache
        try:
            data = json.loads(text)
            _check(isinstance(data, dict), "$")
            if data.get("format") != CACHE_FORMAT or data.get("fingerprint") != fingerprint:
                cache._dirty = True  # another generator wrote it: replace it, silently
                return cache
            entries = data.get("files")
            _check(isinstance(entries, dict), "$.files")
            _check_entries(entries)
            outcome = data.get("outcome")
            if outcome is not None:
                _check_outcome(outcome)
            generation = data.get("generation")
            _check(isinstance(generation, str), "$.generation")
        except (ValueError, _Malformed) as exc:  # JSONDecodeError, UnicodeDecodeError
            where = f" at {exc}" if isinstance(exc, _Malformed) else f" ({exc})"
            cache.warning = f"the scan cache is corrupt{where}; ignoring it"
            cache._dirty = True
            return cache
        cache._entries = entries
        cache._outcome = outcome
        cache._generation = generation
        return cache

    # -- files ------------------------------------------------------------------------------

    def lookup(self, file: SourceFile, *, need_parsed: bool) -> CachedScan | None:
        """The cached scan of `file` if its content is the one cached, else ``None``.

        Args:
            file: The file, with the size and mtime seen when it was discovered.
            need_parsed: Only a result from a real parse will do (``--no-prefilter``).
        """
        key = file.path
        self._seen.add(key)
        entry = self._entries.get(key)
        if (
            entry is None
            or entry[_MODULE] != file.module
            or entry[_REL] != file.rel_file
            or entry[_PACKAGE] != file.is_package
            or (need_parsed and not entry[_PARSED])
        ):
            self.stats.misses += 1
            return None
        if entry[_SIZE] == file.size and entry[_MTIME] == file.mtime_ns and not entry[_RACY]:
            self.stats.hits += 1
            return _cached(entry)
        try:
            digest = sha256_of(Path(file.path).read_bytes())
        except OSError:
            self.stats.misses += 1
            return None
        if digest != entry[_SHA]:
            self.stats.misses += 1
            return None
        self.stats.rehashed_hits += 1
        entry[_SIZE], entry[_MTIME] = file.size, file.mtime_ns
        entry[_RACY] = self._is_racy(file)
        self._dirty = True
        return _cached(entry)

    def records(self, file: SourceFile) -> tuple[dict[str, Any], ...]:
        """The cached declarations of `file` (after a `lookup` hit), read on first need.

        Raises:
            CacheCorruptError: The records file is missing, corrupt, or does not match the
                index.
        """
        key = file.path
        entry = self._entries[key]
        found = self._load_records().get(key, [])
        if not isinstance(found, list) or len(found) != entry[_COUNT]:
            raise CacheCorruptError(f"the cached records of {file.display} do not match")
        if not all(isinstance(item, dict) for item in found):
            raise CacheCorruptError(f"the cached records of {file.display} are malformed")
        return tuple(found)

    def _load_records(self) -> dict[str, list[Any]]:
        if self._records is not None:
            return self._records
        self.stats.records_loaded = True
        self._records = {}
        if self.path is None or not self._generation:
            return self._records
        try:
            data = json.loads(_records_path(self.path).read_bytes())
        except (OSError, ValueError) as exc:
            raise CacheCorruptError(f"cannot read the cached records: {exc}") from exc
        if (
            not isinstance(data, dict)
            or data.get("generation") != self._generation
            or not isinstance(data.get("files"), dict)
        ):
            raise CacheCorruptError("the cached records do not belong to the index")
        self._records = data["files"]
        return self._records

    def store(self, file: SourceFile, result: FileResult) -> None:
        """Remember `result` for `file` (with the size and mtime seen at discovery).

        Raises:
            CacheCorruptError: The records file, needed to add to it, is corrupt.
        """
        key = file.path
        self._seen.add(key)
        self._entries[key] = [
            file.size,
            file.mtime_ns,
            self._is_racy(file),
            result.sha256,
            file.module,
            file.rel_file,
            file.is_package,
            result.parsed,
            len(result.records),
            list(result.diagnostics),
        ]
        records = self._load_records()
        if result.records:
            records[key] = list(result.records)
            self._records_dirty = True
        elif records.pop(key, None) is not None:
            self._records_dirty = True
        self._dirty = True

    def _is_racy(self, file: SourceFile) -> bool:
        return file.mtime_ns >= self._started_ns - RACY_WINDOW_NS

    # -- the later stages -------------------------------------------------------------------

    def outcome(self) -> Outcome | None:
        """The outcome stored last, if any (the caller compares its keys)."""
        data = self._outcome
        if data is None:
            return None
        return Outcome(
            inputs=data["inputs"],
            graph_key=data["graph_key"],
            manifest_key=data["manifest_key"],
            problems=tuple(data["problems"]),
            orders={k: list(v) for k, v in data["orders"].items()},
            plugins=data["plugins"],
            manifest_sha256=data["manifest_sha256"],
        )

    def store_outcome(self, outcome: Outcome) -> None:
        """Remember the outcome (replacing the previous one)."""
        data = {
            "inputs": outcome.inputs,
            "graph_key": outcome.graph_key,
            "manifest_key": outcome.manifest_key,
            "problems": list(outcome.problems),
            "orders": outcome.orders,
            "plugins": outcome.plugins,
            "manifest_sha256": outcome.manifest_sha256,
        }
        if data != self._outcome:
            self._outcome = data
            self._dirty = True

    # -- saving -----------------------------------------------------------------------------

    def save(self) -> str | None:
        """Write the cache if anything changed; return a warning if it could not be written.

        Entries of files not looked up or stored in this run (deleted, excluded) are dropped.
        The records file is written first, so an index never names records that are not
        there.
        """
        if self.path is None:
            return None
        gone = self._entries.keys() - self._seen
        if gone:
            self._entries = {k: v for k, v in self._entries.items() if k not in gone}
            self._dirty = True
        if not self._dirty:
            return None
        from mreg_codegen._output import atomic_write, file_in_the_way

        try:
            if self._records_dirty or not self._generation:
                records = self._records or {}
                live = {k: v for k, v in sorted(records.items()) if k in self._entries}
                self._generation = uuid.uuid4().hex
                text = _dumps({"generation": self._generation, "files": live})
                atomic_write(_records_path(self.path), text, durable=False)
            index = {
                "format": CACHE_FORMAT,
                "fingerprint": self.fingerprint,
                "generation": self._generation,
                "files": dict(sorted(self._entries.items())),
                "outcome": self._outcome,
            }
            atomic_write(self.path, _dumps(index), durable=False)
        except OSError as exc:
            blocker = file_in_the_way(self.path)
            if blocker is not None:
                return f"cannot write the scan cache: `{blocker.name}` is a file, not a directory"
            return f"cannot write the scan cache: {exc.strerror or exc}"
        self._dirty = self._records_dirty = False
        return None


def _dumps(data: object) -> bytes:
    # ASCII: file names that are not valid UTF-8 (lone surrogates) still round-trip.
    return json.dumps(data, separators=(",", ":")).encode("ascii")


def _cached(entry: list[Any]) -> CachedScan:
    return CachedScan(entry[_SHA], entry[_PARSED], entry[_COUNT], tuple(entry[_DIAGNOSTICS]))


def _check_entries(entries: dict[str, Any]) -> None:
    # One quick pass (this runs on every warm scan); the slow one only to say where it fails.
    expected = list(_ENTRY_TYPES)
    for key, entry in entries.items():
        if (
            type(entry) is not list
            or list(map(type, entry)) != expected
            or (entry[_DIAGNOSTICS] and not all(type(d) is dict for d in entry[_DIAGNOSTICS]))
        ):
            _check_entry(key, entry)


def _check_entry(key: object, entry: object) -> None:
    where = f"$.files[{key!r}]"
    if not isinstance(entry, list) or len(entry) != len(_ENTRY_TYPES):
        raise _Malformed(where)
    for index, (value, kind) in enumerate(zip(entry, _ENTRY_TYPES, strict=True)):
        # bool is an int: an int field must not hold one, and vice versa.
        _check(type(value) is kind, f"{where}[{index}]")
    for index, item in enumerate(entry[_DIAGNOSTICS]):
        _check(isinstance(item, dict), f"{where}[{_DIAGNOSTICS}][{index}]")


def _check_outcome(outcome: object) -> None:
    if not isinstance(outcome, dict):
        raise _Malformed("$.outcome")
    for key in ("inputs", "graph_key", "manifest_key"):
        _check(isinstance(outcome.get(key), str), f"$.outcome.{key}")
    problems = outcome.get("problems")
    _check(
        isinstance(problems, list) and all(isinstance(p, dict) for p in problems),
        "$.outcome.problems",
    )
    orders = outcome.get("orders")
    _check(
        isinstance(orders, dict)
        and all(
            isinstance(v, list) and all(isinstance(n, str) for n in v) for v in orders.values()
        ),
        "$.outcome.orders",
    )
    _check(type(outcome.get("plugins")) is int, "$.outcome.plugins")
    sha = outcome.get("manifest_sha256")
    _check(sha is None or isinstance(sha, str), "$.outcome.manifest_sha256")
