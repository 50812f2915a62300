"""Tests for mreg_codegen._output: atomic writes and the --check diff."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from mreg_codegen._output import atomic_write, read_text, unified_diff


class TestAtomicWrite:
    def test_creates_file_and_parents(self, tmp_path: Path) -> None:
        """A missing file is created with the exact bytes, and missing directories too."""
        target = tmp_path / "build" / "deep" / "manifest.json"
        atomic_write(target, b'{"a": 1}\n')
        assert target.read_bytes() == b'{"a": 1}\n'

    def test_replaces_and_leaves_no_temporary_file(self, tmp_path: Path) -> None:
        """An existing file is replaced (a new inode) and nothing else is left in the directory."""
        target = tmp_path / "manifest.json"
        target.write_bytes(b"old\n")
        old_inode = target.stat().st_ino
        atomic_write(target, b"new\n")
        assert target.read_bytes() == b"new\n"
        assert target.stat().st_ino != old_inode
        assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]

    def test_keeps_the_old_mode(self, tmp_path: Path) -> None:
        """The replaced file keeps its permission bits (mkstemp would make it 0600)."""
        target = tmp_path / "manifest.json"
        target.write_bytes(b"old\n")
        target.chmod(0o640)
        atomic_write(target, b"new\n")
        assert stat.S_IMODE(target.stat().st_mode) == 0o640

    def test_new_file_gets_the_umask_default(self, tmp_path: Path) -> None:
        """A new file is created with 0666 minus the umask, like open() would."""
        umask = os.umask(0o022)
        try:
            atomic_write(tmp_path / "m.json", b"x")
        finally:
            os.umask(umask)
        assert stat.S_IMODE((tmp_path / "m.json").stat().st_mode) == 0o644

    def test_failure_leaves_target_and_no_temporary_file(self, tmp_path: Path) -> None:
        """When the rename fails the target is untouched and the temporary file is removed."""
        target = tmp_path / "manifest.json"
        target.mkdir()  # os.replace cannot put a file over a directory
        (target / "inside").write_text("keep")
        with pytest.raises(IsADirectoryError):
            atomic_write(target, b"new\n")
        assert (target / "inside").read_text() == "keep"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["manifest.json"]

    def test_not_durable_still_replaces(self, tmp_path: Path) -> None:
        """durable=False (used for the cache) skips fsync but still writes atomically."""
        target = tmp_path / "cache.json"
        atomic_write(target, b"1", durable=False)
        atomic_write(target, b"2", durable=False)
        assert target.read_bytes() == b"2"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["cache.json"]


class TestReadText:
    def test_reads_utf8(self, tmp_path: Path) -> None:
        """The file's UTF-8 text is returned as is."""
        (tmp_path / "m.json").write_bytes("é\n".encode())
        assert read_text(tmp_path / "m.json") == "é\n"

    def test_missing_or_binary_is_none(self, tmp_path: Path) -> None:
        """A missing file or one that is not UTF-8 gives None rather than an exception."""
        (tmp_path / "bad").write_bytes(b"\xff\xfe")
        assert read_text(tmp_path / "missing") is None
        assert read_text(tmp_path / "bad") is None


class TestUnifiedDiff:
    def test_changed_line(self) -> None:
        """A changed line shows as - and + with both file labels."""
        assert unified_diff("a\nb\nc\n", "a\nB\nc\n", "m.json") == (
            "--- m.json (on disk)\n+++ m.json (generated)\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
        )

    def test_missing_file_diffs_from_dev_null(self) -> None:
        """A missing manifest diffs from /dev/null, every line added."""
        assert unified_diff(None, "x\ny\n", "m.json") == (
            "--- /dev/null\n+++ m.json (generated)\n@@ -0,0 +1,2 @@\n+x\n+y\n"
        )

    def test_missing_final_newline_is_marked(self) -> None:
        """A last line without a newline is marked the way diff(1) does."""
        assert unified_diff("a", "a\n", "m.json") == (
            "--- m.json (on disk)\n"
            "+++ m.json (generated)\n"
            "@@ -1 +1 @@\n"
            "-a\n"
            "\\ No newline at end of file\n"
            "+a\n"
        )

    def test_identical_is_empty(self) -> None:
        """Identical texts have an empty diff."""
        assert unified_diff("a\n", "a\n", "m.json") == ""
