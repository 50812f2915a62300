"""The incremental scan cache: what each file declared, kept between runs.

A file's cached scan is reused when the file is the one that was scanned: same module name and
manifest-relative path, and the same content. Checking content is done cheaply first: when the
size and modification time (nanoseconds) still match, the file is not read at all; otherwise it
is re-hashed, and only a different sha256 makes it a miss. A warm re-scan of an unchanged tree
therefore reads no source file and imports neither libcst nor networkx.

A file modified within `RACY_WINDOW_NS` of being cached is "racy" (as git calls it): a change
in the same clock tick would keep its size and mtime, so it is re-hashed next time even when
its stat matches.

The cache also keeps the outcome of the last run (graph problems, per-profile orders and the
sha256 of the manifest written), keyed by a digest of every input, so an unchanged tree skips
graph validation too.

The cache is a JSON file, never pickle: a cache directory is not trusted to run code. It is
discarded as a whole, silently, when mreg-codegen or the cache format changes (the
`fingerprint` covers both, and the code of both packages), and with a warning when it cannot
be read or is malformed; neither ever fails a scan.

Example:
    >>> cache = ScanCache(None, fingerprint="test")
    >>> cache.stats.hits
    0
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import attrs

from mreg_codegen._project import SourceFile

__all__ = [
    "CACHE_FORMAT",
    "DEFAULT_CACHE_DIR",
    "RACY_WINDOW_NS",
    "CacheStats",
    "FileResult",
    "Outcome",
    "ScanCache",
    "cache_file",
    "fingerprint",
    "sha256_of",
]

CACHE_FORMAT = 1
"""Version of the cache file's layout; a cache of another format is ignored."""

DEFAULT_CACHE_DIR = ".mreg-cache"
"""Directory, in the current directory, holding caches unless ``--cache-dir`` says otherwise.

One directory serves any number of manifests: each has its own file (`cache_file`)."""

RACY_WINDOW_NS = 2_000_000_000
"""Files modified this close to being cached are re-hashed next time (2 s covers FAT)."""


def sha256_of(data: bytes) -> str:
    """Lowercase hex sha256, as the manifest stores it.

    Example:
        >>> sha256_of(b"")[:12]
        'e3b0c44298fc'
    """
    return hashlib.sha256(data).hexdigest()


def fingerprint(version: str) -> str:
    """A digest of the generator: its version, the cache format and both packages' code.

    Any change to the scanner or to the shared schema code therefore invalidates every cache,
    even in a development checkout where the version does not change.
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
    """The cache file for `manifest` in `cache_dir`; several manifests may share a directory.

    Example:
        >>> cache_file(Path("/p/.mreg-cache"), Path("/p/mreg-manifest.json")).name[:14]
        'mreg-manifest-'
    """
    key = hashlib.sha256(str(manifest).encode()).hexdigest()[:12]
    return cache_dir / f"{manifest.stem}-{key}.json"


@attrs.frozen
class FileResult:
    """What scanning one file produced, in JSON form.

    Attributes:
        sha256: The content's sha256.
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


@attrs.frozen
class Outcome:
    """The result of the graph stage for one set of inputs.

    Attributes:
        inputs: Digest of every input (files, modules, hashes, options).
        problems: Graph problems as ``attrs.asdict(Problem)`` with the kind's value.
        orders: Profile -> dependency order, for profiles without problems.
        manifest_sha256: sha256 of the manifest text produced, ``None`` when it had errors.
    """

    inputs: str
    problems: tuple[dict[str, Any], ...]
    orders: dict[str, list[str]]
    manifest_sha256: str | None


@attrs.define
class CacheStats:
    """What the cache did in one run.

    Attributes:
        hits: Files reused because their size and mtime matched.
        rehashed_hits: Files whose stat changed (or was racy) but whose content had not.
        misses: Files that had to be scanned.
    """

    hits: int = 0
    rehashed_hits: int = 0
    misses: int = 0


class _Malformed(Exception):
    pass


def _check(condition: bool, where: str) -> None:
    if not condition:
        raise _Malformed(where)


_ENTRY_FIELDS: dict[str, type | tuple[type, ...]] = {
    "size": int,
    "mtime_ns": int,
    "racy": bool,
    "sha256": str,
    "module": str,
    "rel_file": str,
    "package": bool,
    "parsed": bool,
    "records": list,
    "diagnostics": list,
}


class ScanCache:
    """Cached scans of one manifest's source files.

    Args:
        path: The cache file, or ``None`` for a cache that is never saved (``--no-cache``).
        fingerprint: The generator's `fingerprint`; a cache file with another is ignored.

    Attributes:
        stats: Hits and misses so far.
        warning: Why the cache file was ignored, when it was corrupt or unreadable.

    Example:
        >>> cache = ScanCache(None, fingerprint="test")
        >>> cache.outcome("inputs") is None
        True
    """

    def __init__(self, path: Path | None, *, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self.stats = CacheStats()
        self.warning: str | None = None
        self._entries: dict[str, dict[str, Any]] = {}
        self._seen: set[str] = set()
        self._outcome: dict[str, Any] | None = None
        self._dirty = False
        self._started_ns = time.time_ns()

    @classmethod
    def load(cls, path: Path | None, *, fingerprint: str) -> ScanCache:
        """Read the cache at `path`; a missing, stale or corrupt one gives an empty cache."""
        cache = cls(path, fingerprint=fingerprint)
        if path is None:
            return cache
        try:
            text = path.read_bytes()
        except FileNotFoundError:
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
            for key, entry in entries.items():
                _check_entry(key, entry)
            outcome = data.get("outcome")
            if outcome is not None:
                _check_outcome(outcome)
        except (ValueError, _Malformed) as exc:  # JSONDecodeError, UnicodeDecodeError
            where = f" at {exc}" if isinstance(exc, _Malformed) else f" ({exc})"
            cache.warning = f"the scan cache is corrupt{where}; ignoring it"
            cache._dirty = True
            return cache
        cache._entries = entries
        cache._outcome = outcome
        return cache

    # -- files ------------------------------------------------------------------------------

    def lookup(self, file: SourceFile, *, need_parsed: bool) -> FileResult | None:
        """The cached result for `file` if its content is the one cached, else ``None``.

        Args:
            file: The file, with the size and mtime seen when it was discovered.
            need_parsed: Only a result from a real parse will do (``--no-prefilter``).
        """
        key = str(file.path)
        self._seen.add(key)
        entry = self._entries.get(key)
        if (
            entry is None
            or entry["module"] != file.module
            or entry["rel_file"] != file.rel_file
            or entry["package"] != file.is_package
            or (need_parsed and not entry["parsed"])
        ):
            self.stats.misses += 1
            return None
        if entry["size"] == file.size and entry["mtime_ns"] == file.mtime_ns and not entry["racy"]:
            self.stats.hits += 1
            return _result(entry)
        try:
            digest = sha256_of(file.path.read_bytes())
        except OSError:
            self.stats.misses += 1
            return None
        if digest != entry["sha256"]:
            self.stats.misses += 1
            return None
        self.stats.rehashed_hits += 1
        entry.update(size=file.size, mtime_ns=file.mtime_ns, racy=self._is_racy(file))
        self._dirty = True
        return _result(entry)

    def store(self, file: SourceFile, result: FileResult) -> None:
        """Remember `result` for `file` (with the size and mtime seen at discovery)."""
        key = str(file.path)
        self._seen.add(key)
        self._entries[key] = {
            "size": file.size,
            "mtime_ns": file.mtime_ns,
            "racy": self._is_racy(file),
            "sha256": result.sha256,
            "module": file.module,
            "rel_file": file.rel_file,
            "package": file.is_package,
            "parsed": result.parsed,
            "records": list(result.records),
            "diagnostics": list(result.diagnostics),
        }
        self._dirty = True

    def _is_racy(self, file: SourceFile) -> bool:
        return file.mtime_ns >= self._started_ns - RACY_WINDOW_NS

    # -- the graph stage --------------------------------------------------------------------

    def outcome(self, inputs: str) -> Outcome | None:
        """The cached graph outcome for these `inputs`, if it is the last one stored."""
        data = self._outcome
        if data is None or data["inputs"] != inputs:
            return None
        return Outcome(
            inputs=inputs,
            problems=tuple(data["problems"]),
            orders={k: list(v) for k, v in data["orders"].items()},
            manifest_sha256=data["manifest_sha256"],
        )

    def store_outcome(self, outcome: Outcome) -> None:
        """Remember the graph stage's outcome (replacing the previous one)."""
        data = {
            "inputs": outcome.inputs,
            "problems": list(outcome.problems),
            "orders": outcome.orders,
            "manifest_sha256": outcome.manifest_sha256,
        }
        if data != self._outcome:
            self._outcome = data
            self._dirty = True

    # -- saving -----------------------------------------------------------------------------

    def save(self) -> str | None:
        """Write the cache if anything changed; return a warning if it could not be written.

        Entries of files not looked up or stored in this run (deleted, excluded) are dropped.
        """
        if self.path is None:
            return None
        gone = self._entries.keys() - self._seen
        if gone:
            self._entries = {k: v for k, v in self._entries.items() if k not in gone}
            self._dirty = True
        if not self._dirty:
            return None
        from mreg_codegen._output import atomic_write

        data = {
            "format": CACHE_FORMAT,
            "fingerprint": self.fingerprint,
            "files": dict(sorted(self._entries.items())),
            "outcome": self._outcome,
        }
        text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
        try:
            atomic_write(self.path, text.encode("utf-8"), durable=False)
        except OSError as exc:
            return f"cannot write the scan cache: {exc.strerror or exc}"
        self._dirty = False
        return None


def _result(entry: Mapping[str, Any]) -> FileResult:
    return FileResult(
        sha256=entry["sha256"],
        parsed=entry["parsed"],
        records=tuple(entry["records"]),
        diagnostics=tuple(entry["diagnostics"]),
    )


def _check_entry(key: object, entry: object) -> None:
    where = f"$.files[{key!r}]"
    if not isinstance(entry, dict):
        raise _Malformed(where)
    for field, kind in _ENTRY_FIELDS.items():
        value = entry.get(field)
        _check(
            isinstance(value, kind) and (kind is bool or not isinstance(value, bool)),
            f"{where}.{field}",
        )
    for index, item in enumerate(entry["records"]):
        _check(isinstance(item, dict), f"{where}.records[{index}]")
    for index, item in enumerate(entry["diagnostics"]):
        _check(isinstance(item, dict), f"{where}.diagnostics[{index}]")


def _check_outcome(outcome: object) -> None:
    if not isinstance(outcome, dict):
        raise _Malformed("$.outcome")
    _check(isinstance(outcome.get("inputs"), str), "$.outcome.inputs")
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
    sha = outcome.get("manifest_sha256")
    _check(sha is None or isinstance(sha, str), "$.outcome.manifest_sha256")
