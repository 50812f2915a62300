"""Tests for mreg_codegen._project: import roots, module names, excludes, display paths."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from mreg_codegen._project import (
    SourceFile,
    UsageError,
    discover,
    display_path,
    manifest_relative,
    resolve_roots,
)


def write(root: Path, *relative: str) -> None:
    for rel in relative:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n")


def names(files: list[SourceFile]) -> list[tuple[str, str, bool]]:
    return [(f.module, f.rel_file, f.is_package) for f in files]


class TestResolveRoots:
    def test_missing(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A root that does not exist is a usage error naming it as given."""
        monkeypatch.chdir(tmp_path)
        with pytest.raises(UsageError, match=re.escape("SRC 'nope' does not exist")):
            resolve_roots(["nope"])

    def test_file(self, tmp_path: Path) -> None:
        """A root that is a file is a usage error with a hint to pass its directory."""
        write(tmp_path, "a.py")
        with pytest.raises(
            UsageError,
            match=re.escape(
                f"SRC '{tmp_path / 'a.py'}' is not a directory; pass the import root that "
                "contains it"
            ),
        ):
            resolve_roots([tmp_path / "a.py"])

    def test_deduplicated_and_sorted(self, tmp_path: Path) -> None:
        """The same root given twice (spelled differently) counts once; roots are sorted."""
        (tmp_path / "b").mkdir()
        (tmp_path / "a").mkdir()
        roots = resolve_roots([tmp_path / "b", tmp_path / "a", tmp_path / "b" / ".." / "b"])
        assert roots == [tmp_path.resolve() / "a", tmp_path.resolve() / "b"]


class TestDiscover:
    def test_module_names(self, tmp_path: Path) -> None:
        """Modules are named from paths relative to the root; __init__.py names its package."""
        write(tmp_path, "acme/__init__.py", "acme/core/pipeline.py", "top.py")
        files, warnings = discover([tmp_path], manifest_dir=tmp_path, cwd=tmp_path)
        assert warnings == []
        assert names(files) == [
            ("acme", "acme/__init__.py", True),
            ("acme.core.pipeline", "acme/core/pipeline.py", False),
            ("top", "top.py", False),
        ]

    def test_manifest_relative_paths(self, tmp_path: Path) -> None:
        """rel_file is relative to the manifest's directory, with ../ when it is elsewhere."""
        write(tmp_path, "src/acme/a.py")
        files, _ = discover([tmp_path / "src"], manifest_dir=tmp_path / "build", cwd=tmp_path)
        assert [f.rel_file for f in files] == ["../src/acme/a.py"]
        assert [f.display for f in files] == ["src/acme/a.py"]

    def test_display_when_cwd_is_inside_the_root(self, tmp_path: Path) -> None:
        """With the cwd inside the root, files under it are shown relative, others absolute."""
        write(tmp_path, "src/pkg/a.py", "src/other.py")
        cwd = tmp_path / "src" / "pkg"
        files, _ = discover([tmp_path / "src"], manifest_dir=tmp_path, cwd=cwd)
        assert [f.display for f in files] == [str(tmp_path / "src" / "other.py"), "a.py"]

    def test_display_when_root_is_elsewhere(self, tmp_path: Path) -> None:
        """A root outside the cwd shows its files with absolute paths."""
        write(tmp_path, "src/a.py")
        (tmp_path / "work").mkdir()
        files, _ = discover([tmp_path / "src"], manifest_dir=tmp_path, cwd=tmp_path / "work")
        assert [f.display for f in files] == [str(tmp_path / "src" / "a.py")]

    def test_root_is_the_cwd(self, tmp_path: Path) -> None:
        """When the root is the cwd, displayed paths have no prefix at all."""
        write(tmp_path, "a.py")
        files, _ = discover([tmp_path], manifest_dir=tmp_path / "out", cwd=tmp_path)
        assert [(f.display, f.rel_file) for f in files] == [("a.py", "../a.py")]

    def test_skips_hidden_pycache_and_non_python(self, tmp_path: Path) -> None:
        """Hidden files and directories, __pycache__ and non-.py files are not scanned."""
        write(
            tmp_path,
            "pkg/a.py",
            ".venv/lib/x.py",
            "pkg/.hidden.py",
            "pkg/__pycache__/a.py",
            "pkg/data.txt",
            "pkg/stub.pyi",
        )
        files, _ = discover([tmp_path], manifest_dir=tmp_path, cwd=tmp_path)
        assert names(files) == [("pkg.a", "pkg/a.py", False)]

    @pytest.mark.parametrize(
        "pattern",
        ["legacy", "pkg/legacy", "pkg/legacy/*", "*/legacy/*", "src/pkg/legacy/*"],
    )
    def test_exclude_directory(self, tmp_path: Path, pattern: str) -> None:
        """A glob excludes by name, by path under the root, or by path from the cwd."""
        write(tmp_path, "src/pkg/a.py", "src/pkg/legacy/old.py", "src/pkg/legacy/deep/older.py")
        files, _ = discover(
            [tmp_path / "src"], manifest_dir=tmp_path, cwd=tmp_path, excludes=[pattern]
        )
        assert [f.module for f in files] == ["pkg.a"]

    def test_exclude_file_glob(self, tmp_path: Path) -> None:
        """A glob on file names leaves the other files in."""
        write(tmp_path, "pkg/a.py", "pkg/test_a.py", "pkg/sub/test_b.py")
        files, _ = discover([tmp_path], manifest_dir=tmp_path, cwd=tmp_path, excludes=["test_*"])
        assert [f.module for f in files] == ["pkg.a"]

    def test_exclude_matching_nothing_warns(self, tmp_path: Path) -> None:
        """An exclude glob that left nothing out is a warning (a typo?); used globs are not."""
        write(tmp_path, "src/pkg/a.py", "src/pkg/legacy/old.py", "src/pkg/notes.txt")
        files, warnings = discover(
            [tmp_path / "src"],
            manifest_dir=tmp_path,
            cwd=tmp_path,
            excludes=["legacy", "lgacy", "*.txt"],
        )
        assert [f.module for f in files] == ["pkg.a"]
        assert [(w.code, w.severity, w.path) for w in warnings] == [
            ("unused-exclude", "warning", "src"),
            ("unused-exclude", "warning", "src"),
        ]
        assert [w.message for w in warnings] == [
            "--exclude 'lgacy' matched none of the Python files and directories under 'src'",
            "--exclude '*.txt' matched none of the Python files and directories under 'src'",
        ]

    def test_exclude_is_case_sensitive(self, tmp_path: Path) -> None:
        """Globs match case-sensitively on every platform, so results do not depend on it."""
        write(tmp_path, "pkg/Legacy.py")
        files, _ = discover([tmp_path], manifest_dir=tmp_path, cwd=tmp_path, excludes=["legacy*"])
        assert [f.module for f in files] == ["pkg.Legacy"]

    def test_symlinked_directory_not_followed(self, tmp_path: Path) -> None:
        """A symbolic link to a directory is not walked (it could loop back up)."""
        write(tmp_path, "src/pkg/a.py")
        (tmp_path / "src" / "pkg" / "loop").symlink_to(tmp_path / "src")
        files, _ = discover([tmp_path / "src"], manifest_dir=tmp_path, cwd=tmp_path)
        assert [f.module for f in files] == ["pkg.a"]

    def test_root_that_is_a_package(self, tmp_path: Path) -> None:
        """A root with its own __init__.py is warned about and that __init__.py is skipped."""
        write(tmp_path, "src/acme/__init__.py", "src/acme/a.py")
        files, warnings = discover([tmp_path / "src" / "acme"], manifest_dir=tmp_path, cwd=tmp_path)
        assert [f.module for f in files] == ["a"]
        [warning] = warnings
        assert (warning.path, warning.code, warning.severity) == (
            "src/acme/__init__.py",
            "root-is-package",
            "warning",
        )
        assert warning.message == (
            "SRC 'src/acme' is itself a package, so it cannot be an import root; its own "
            "__init__.py is skipped and modules under it are named without the 'acme' prefix"
        )
        assert warning.hint == "pass the directory that contains 'acme' ('src') as SRC"

    def test_nested_root_names_its_own_modules(self, tmp_path: Path) -> None:
        """A root inside another is walked only as itself: the most specific root wins."""
        write(tmp_path, "lib/os_like.py", "lib/site-packages/acme/a.py")
        roots = resolve_roots([tmp_path / "lib", tmp_path / "lib" / "site-packages"])
        files, _ = discover(roots, manifest_dir=tmp_path, cwd=tmp_path)
        assert names(files) == [
            ("os_like", "lib/os_like.py", False),
            ("acme.a", "lib/site-packages/acme/a.py", False),
        ]

    def test_sorted_whatever_the_root_order(self, tmp_path: Path) -> None:
        """Files come back sorted by path, so the order of roots does not matter."""
        write(tmp_path, "b/zeta.py", "a/alpha.py", "b/beta.py")
        forward, _ = discover([tmp_path / "a", tmp_path / "b"], manifest_dir=tmp_path, cwd=tmp_path)
        backward, _ = discover(
            [tmp_path / "b", tmp_path / "a"], manifest_dir=tmp_path, cwd=tmp_path
        )
        assert forward == backward
        assert [f.module for f in forward] == ["alpha", "beta", "zeta"]

    def test_records_stat(self, tmp_path: Path) -> None:
        """Each file carries the size and nanosecond mtime seen when it was listed."""
        write(tmp_path, "a.py")
        os.utime(tmp_path / "a.py", ns=(1_000_000_123, 2_000_000_456))
        [file], _ = discover([tmp_path], manifest_dir=tmp_path, cwd=tmp_path)
        assert (file.size, file.mtime_ns) == (6, 2_000_000_456)


class TestNames:
    def test_display_under_cwd(self) -> None:
        """A path under the cwd is shown relative to it."""
        assert display_path(Path("/w/src/a.py"), Path("/w")) == "src/a.py"

    def test_display_elsewhere(self) -> None:
        """A path outside the cwd is shown absolute rather than with a chain of ../."""
        assert display_path(Path("/x/a.py"), Path("/w")) == "/x/a.py"

    def test_manifest_relative(self) -> None:
        """Manifest paths are POSIX and may climb out of the manifest's directory."""
        assert manifest_relative(Path("/p/src/a.py"), Path("/p")) == "src/a.py"
        assert manifest_relative(Path("/p/src/a.py"), Path("/p/out/x")) == "../../src/a.py"

    @pytest.mark.parametrize(
        ("module", "importable"),
        [("acme.core", True), ("my-pkg.mod", False), ("acme.class", False), ("pkg.1st", False)],
    )
    def test_importable(self, module: str, importable: bool) -> None:
        """A module is importable only if every part is an identifier and not a keyword."""
        file = SourceFile("/p/x.py", module, "x.py", "x.py", False, 0, 0)
        assert file.is_importable is importable
