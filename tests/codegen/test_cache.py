"""Tests for mreg_codegen._cache: reuse by stat, then by hash; invalidation; corruption.

The end-to-end behaviour (a warm re-scan parses nothing and imports no libcst) is tested
through the command line in test_build.py and test_cli.py.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path

import pytest

from mreg_codegen._cache import (
    CACHE_FORMAT,
    RACY_WINDOW_NS,
    CacheCorruptError,
    CachedScan,
    FileResult,
    Outcome,
    ScanCache,
    cache_file,
    fingerprint,
    sha256_of,
)
from mreg_codegen._project import SourceFile

OLD_NS = 1_500_000_000_000_000_000  # 2017: far outside the racy window
FORMAT = b'{"format": %d, ' % CACHE_FORMAT


def source(tmp_path: Path, text: str = "x = 1\n", *, mtime_ns: int = OLD_NS) -> SourceFile:
    path = tmp_path / "pkg" / "mod.py"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    os.utime(path, ns=(mtime_ns, mtime_ns))
    return stat_of(path)


def stat_of(path: Path | str, module: str = "pkg.mod") -> SourceFile:
    st = os.stat(path)
    return SourceFile(
        str(path), module, "pkg/mod.py", "pkg/mod.py", False, st.st_size, st.st_mtime_ns
    )


RECORD = {"name": "a", "line": 3}
DIAGNOSTIC = {"path": "old/display.py", "line": 1, "code": "x"}


def result_for(path: str) -> FileResult:
    return FileResult(sha256_of(Path(path).read_bytes()), True, (RECORD,), (DIAGNOSTIC,))


def cached_for(text: str) -> CachedScan:
    return CachedScan(sha256_of(text.encode()), True, 1, (DIAGNOSTIC,))


def saved(tmp_path: Path, file: SourceFile, fp: str = "fp") -> Path:
    where = tmp_path / ".mreg-cache" / "c.json"
    cache = ScanCache(where, fingerprint=fp)
    cache.store(file, result_for(file.path))
    assert cache.save() is None
    return where


class TestLookup:
    def test_stat_hit_reads_nothing(self, tmp_path: Path) -> None:
        """Same size and mtime: the entry is reused without reading the file."""
        file = source(tmp_path, "x = 1\n")
        where = saved(tmp_path, file)
        # Same size, same mtime, other content: only a read could tell, and none happens.
        source(tmp_path, "x = 2\n")
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(file, need_parsed=False) == cached_for("x = 1\n")
        assert (cache.stats.hits, cache.stats.rehashed_hits, cache.stats.misses) == (1, 0, 0)

    def test_records_are_read_only_on_demand(self, tmp_path: Path) -> None:
        """A lookup reads only the index; records() reads the records file, once."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(file, need_parsed=False) is not None
        assert cache.stats.records_loaded is False
        assert cache.records(file) == (RECORD,)
        assert cache.stats.records_loaded is True

    def test_touched_file_is_rehashed_not_rescanned(self, tmp_path: Path) -> None:
        """A new mtime with the same content is a hit after re-hashing, and the stat is kept."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        os.utime(file.path, ns=(OLD_NS + 10, OLD_NS + 10))
        touched = stat_of(file.path)
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(touched, need_parsed=False) is not None
        assert (cache.stats.hits, cache.stats.rehashed_hits) == (0, 1)
        cache.save()
        again = ScanCache.load(where, fingerprint="fp")
        assert again.lookup(touched, need_parsed=False) is not None
        assert (again.stats.hits, again.stats.rehashed_hits) == (1, 0)

    def test_changed_content_is_a_miss(self, tmp_path: Path) -> None:
        """Different content (even of the same size, same mtime forced back) is a miss."""
        file = source(tmp_path, "x = 1\n")
        where = saved(tmp_path, file)
        changed = source(tmp_path, "x = 2\n", mtime_ns=OLD_NS + 1)
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(changed, need_parsed=False) is None
        assert cache.stats.misses == 1

    def test_racy_entry_is_rehashed(self, tmp_path: Path) -> None:
        """A file modified just before it was cached is re-hashed even when its stat matches."""
        now = time.time_ns()
        file = source(tmp_path, mtime_ns=now)
        where = saved(tmp_path, file)
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(file, need_parsed=False) is not None
        assert (cache.stats.hits, cache.stats.rehashed_hits) == (0, 1)

    def test_old_entry_is_not_racy(self, tmp_path: Path) -> None:
        """A file last modified well before caching is trusted on its stat."""
        file = source(tmp_path, mtime_ns=time.time_ns() - 2 * RACY_WINDOW_NS)
        where = saved(tmp_path, file)
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(file, need_parsed=False) is not None
        assert cache.stats.hits == 1

    def test_other_module_name_is_a_miss(self, tmp_path: Path) -> None:
        """The same file under another import root (another module name) is scanned again."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(stat_of(file.path, "other.mod"), need_parsed=False) is None

    def test_prefiltered_entry_does_not_serve_no_prefilter(self, tmp_path: Path) -> None:
        """An entry that was only hashed is not good enough when every file must be parsed."""
        file = source(tmp_path)
        where = tmp_path / "c.json"
        cache = ScanCache(where, fingerprint="fp")
        cache.store(file, FileResult(sha256_of(b"x = 1\n"), False, (), ()))
        cache.save()
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(file, need_parsed=True) is None
        assert cache.lookup(file, need_parsed=False) is not None


class TestInvalidation:
    def test_other_fingerprint_is_ignored_silently(self, tmp_path: Path) -> None:
        """A cache written by another generator version is dropped without a warning."""
        file = source(tmp_path)
        where = saved(tmp_path, file, fp="old-generator")
        cache = ScanCache.load(where, fingerprint="new-generator")
        assert cache.warning is None
        assert cache.lookup(file, need_parsed=False) is None

    def test_other_format_is_ignored_silently(self, tmp_path: Path) -> None:
        """A cache of another format version is dropped without a warning."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        data = json.loads(where.read_text())
        data["format"] = CACHE_FORMAT + 1
        where.write_text(json.dumps(data))
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.warning is None
        assert cache.lookup(file, need_parsed=False) is None

    def test_fingerprint_covers_version_and_code(self) -> None:
        """The fingerprint changes with the version (the code part is the same file set)."""
        assert fingerprint("0.1.0") == fingerprint("0.1.0")
        assert fingerprint("0.1.0") != fingerprint("0.1.1")


class TestCorruption:
    @pytest.mark.parametrize(
        ("content", "reason"),
        [
            (
                b"{not json",
                "the scan cache is corrupt (Expecting property name enclosed in double quotes: "
                "line 1 column 2 (char 1)); ignoring it",
            ),
            (
                b"\x80abc",
                "the scan cache is corrupt ('utf-8' codec can't decode byte 0x80 in position 0: "
                "invalid start byte); ignoring it",
            ),
            (b"[]", "the scan cache is corrupt at $; ignoring it"),
            (
                FORMAT + b'"fingerprint": "fp", "files": []}',
                "the scan cache is corrupt at $.files; ignoring it",
            ),
            (
                FORMAT + b'"fingerprint": "fp", "files": {"/a.py": {"size": 1}}}',
                "the scan cache is corrupt at $.files['/a.py']; ignoring it",
            ),
            (
                FORMAT + b'"fingerprint": "fp", "files": {"/a.py": '
                b'[1, true, false, "s", "m", "r", false, true, 0, []]}}',
                "the scan cache is corrupt at $.files['/a.py'][1]; ignoring it",
            ),
            (
                FORMAT + b'"fingerprint": "fp", "files": {}, "outcome": {"inputs": 1}}',
                "the scan cache is corrupt at $.outcome.inputs; ignoring it",
            ),
            (
                FORMAT + b'"fingerprint": "fp", "files": {}, "outcome": null}',
                "the scan cache is corrupt at $.generation; ignoring it",
            ),
        ],
    )
    def test_corrupt_cache_warns_and_starts_empty(
        self, tmp_path: Path, content: bytes, reason: str
    ) -> None:
        """A corrupt cache file gives a warning saying where, and an empty cache."""
        where = tmp_path / "c.json"
        where.write_bytes(content)
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.warning == reason
        assert cache.lookup(source(tmp_path), need_parsed=False) is None

    def test_corrupt_cache_is_replaced_on_save(self, tmp_path: Path) -> None:
        """Saving after a corrupt load writes a valid cache over the corrupt one."""
        where = tmp_path / "c.json"
        where.write_bytes(b"garbage")
        cache = ScanCache.load(where, fingerprint="fp")
        file = source(tmp_path)
        cache.store(file, result_for(file.path))
        assert cache.save() is None
        assert ScanCache.load(where, fingerprint="fp").warning is None

    def test_records_of_another_generation(self, tmp_path: Path) -> None:
        """A records file that does not belong to its index is reported as corrupt."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        records = where.with_name("c.records.json")
        data = json.loads(records.read_text())
        data["generation"] = "someone else's"
        records.write_text(json.dumps(data))
        cache = ScanCache.load(where, fingerprint="fp")
        assert cache.lookup(file, need_parsed=False) is not None
        with pytest.raises(
            CacheCorruptError, match=re.escape("the cached records do not belong to the index")
        ):
            cache.records(file)

    def test_records_file_missing(self, tmp_path: Path) -> None:
        """A missing records file is reported as corrupt, naming the reason."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        where.with_name("c.records.json").unlink()
        cache = ScanCache.load(where, fingerprint="fp")
        cache.lookup(file, need_parsed=False)
        with pytest.raises(CacheCorruptError, match=r"^cannot read the cached records: "):
            cache.records(file)

    def test_record_count_mismatch(self, tmp_path: Path) -> None:
        """Records that do not match the index's count are reported with the file's name."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        records = where.with_name("c.records.json")
        data = json.loads(records.read_text())
        data["files"][file.path].append({"name": "b"})
        records.write_text(json.dumps(data))
        cache = ScanCache.load(where, fingerprint="fp")
        cache.lookup(file, need_parsed=False)
        with pytest.raises(
            CacheCorruptError, match=re.escape("the cached records of pkg/mod.py do not match")
        ):
            cache.records(file)

    def test_missing_cache_is_no_warning(self, tmp_path: Path) -> None:
        """No cache file yet is normal: no warning."""
        assert ScanCache.load(tmp_path / "none.json", fingerprint="fp").warning is None

    def test_unwritable_cache_gives_warning(self, tmp_path: Path) -> None:
        """A cache that cannot be written returns a warning instead of raising."""
        blocker = tmp_path / "blocker"
        blocker.write_text("a file where the cache directory should be")
        cache = ScanCache(blocker / "c.json", fingerprint="fp")
        file = source(tmp_path)
        cache.store(file, result_for(file.path))
        assert cache.save() == ("cannot write the scan cache: `blocker` is a file, not a directory")


class TestSaving:
    def test_save_only_when_changed(self, tmp_path: Path) -> None:
        """A run that only had stat hits leaves the cache file as it was (not rewritten)."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        before = where.stat().st_mtime_ns
        os.utime(where, ns=(OLD_NS, OLD_NS))
        cache = ScanCache.load(where, fingerprint="fp")
        cache.lookup(file, need_parsed=False)
        cache.save()
        assert where.stat().st_mtime_ns == OLD_NS != before

    def test_deleted_files_are_pruned(self, tmp_path: Path) -> None:
        """Entries of files that were not looked up in this run are dropped on save."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        cache = ScanCache.load(where, fingerprint="fp")
        cache.save()
        assert json.loads(where.read_text())["files"] == {}

    def test_two_files_per_cache(self, tmp_path: Path) -> None:
        """The index and the records file are the only files written, with one generation."""
        file = source(tmp_path)
        where = saved(tmp_path, file)
        assert sorted(p.name for p in where.parent.iterdir()) == ["c.json", "c.records.json"]
        index = json.loads(where.read_text())
        records = json.loads(where.with_name("c.records.json").read_text())
        assert index["generation"] == records["generation"]
        assert records["files"] == {file.path: [RECORD]}

    def test_outcome_round_trip(self, tmp_path: Path) -> None:
        """The graph outcome is kept for exactly the inputs it was computed from."""
        where = tmp_path / "c.json"
        cache = ScanCache(where, fingerprint="fp")
        outcome = Outcome("in", "g", "m", ({"kind": "cycle"},), {"default": ["a"]}, 1, "f" * 64)
        assert cache.outcome() is None
        cache.store_outcome(outcome)
        cache.save()
        assert ScanCache.load(where, fingerprint="fp").outcome() == outcome

    def test_no_cache_never_writes(self, tmp_path: Path) -> None:
        """A cache without a path (--no-cache) saves nothing and reports nothing."""
        cache = ScanCache(None, fingerprint="fp")
        file = source(tmp_path)
        cache.store(file, result_for(file.path))
        assert cache.save() is None
        assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]


class TestCacheFile:
    def test_name_per_manifest(self) -> None:
        """Two manifests sharing a cache directory get different cache files."""
        one = cache_file(Path("/c"), Path("/p/a/mreg-manifest.json"))
        two = cache_file(Path("/c"), Path("/p/b/mreg-manifest.json"))
        assert one.parent == two.parent == Path("/c")
        assert one != two
        assert one.name.startswith("mreg-manifest-")
