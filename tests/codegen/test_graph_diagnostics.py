"""Graph problems as diagnostics (mreg_codegen._graph_diagnostics), exactly as scan prints them.

Each test scans a small tree through main(argv) and compares the whole of stderr.
docs/diagnostics.md ("Graph diagnostics") shows the same samples.
"""
# ruff: noqa: E501

from __future__ import annotations

from pathlib import Path

import pytest
from trees import INTERFACES, write_tree

from mreg_codegen.__main__ import main
from mreg_codegen._graph_diagnostics import (
    SourceTexts,
    displayed_names,
    parameter_column,
    problem_diagnostic,
)
from mreg_di._problems import Problem, ProblemKind

BASE = {"src/acme/__init__.py": "", "src/acme/interfaces.py": INTERFACES}

PIPELINE = """\
    from mreg_di import plugin

    from acme.interfaces import Clock, Compressor


    @plugin("pipeline")
    class Pipeline:
        def __init__(self, compressor: Compressor, clock: Clock) -> None:
            self.compressor = compressor
    """

GZIP = """\
    from mreg_di import plugin

    from acme.interfaces import Compressor


    @plugin("gzip", version="2.1.0", provides=[Compressor])
    class Gzip:
        pass
    """

APP = """\
    from mreg_di import plugin

    from acme.pipeline import Pipeline


    @plugin("app")
    class App:
        def __init__(self, pipeline: Pipeline) -> None:
            self.pipeline = pipeline
    """

STORAGES = """\
    from mreg_di import plugin

    from acme.interfaces import Storage


    @plugin("disk", provides=[Storage])
    class Disk:
        pass


    @plugin("memory", provides=[Storage])
    class Memory:
        pass
    """

NOT_WRITTEN = "mreg-codegen: m.json was not written\n"


def scan_tree(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    output: str = "m.json",
) -> tuple[int, str]:
    write_tree(tmp_path, {**BASE, **files})
    monkeypatch.chdir(tmp_path)
    code = main(["scan", "src", "--output", output])
    out, err = capsys.readouterr()
    assert out == ""
    return code, err


class TestRendered:
    def test_missing_binding_with_consumer_chain(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A missing binding names the parameter, its line, and the chain of consumers."""
        files = {
            "src/acme/pipeline.py": PIPELINE,
            "src/acme/compression.py": GZIP,
            "src/acme/app.py": APP,
        }
        assert scan_tree(tmp_path, monkeypatch, capsys, files) == (
            1,
            "src/acme/pipeline.py:8:48: error: `pipeline` needs `acme.interfaces.Clock` (constructor parameter `clock`, src/acme/pipeline.py:8) but no active plugin provides it (needed by `app` -> `pipeline`) [missing-binding]\n"
            "        def __init__(self, compressor: Compressor, clock: Clock) -> None:\n"
            "                                                   ^\n"
            "Hint: declare a plugin with `provides=[Clock]`, or give the parameter a default or an `| None` annotation\n"
            "\n"
            "1 error, 0 warnings\n" + NOT_WRITTEN,
        )

    def test_cycle(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A cycle is shown once, as its path, with the parameter behind each edge."""
        files = {
            "src/acme/loop.py": """\
                from mreg_di import plugin


                @plugin("a")
                class A:
                    def __init__(self, b: "B") -> None: ...


                @plugin("b")
                class B:
                    def __init__(self, c: "C") -> None: ...


                @plugin("c")
                class C:
                    def __init__(self, a: A) -> None: ...
                """
        }
        assert scan_tree(tmp_path, monkeypatch, capsys, files) == (
            1,
            "src/acme/loop.py:5:1: error: dependency cycle: `a` -> `b` -> `c` -> `a` [cycle]\n"
            "    class A:\n"
            "    ^\n"
            "Hint: break the cycle: make one of these parameters optional and set it later, or move the shared part into a plugin both depend on; edges: `a` -> `b` (parameter `b`); `b` -> `c` (parameter `c`); `c` -> `a` (parameter `a`)\n"
            "\n"
            "1 error, 0 warnings\n" + NOT_WRITTEN,
        )

    def test_ambiguity(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Two providers at the same priority are both named with their file:line."""
        files = {
            "src/acme/storage.py": STORAGES,
            "src/acme/cache.py": """\
                from mreg_di import plugin

                from acme.interfaces import Storage


                @plugin("cache")
                class Cache:
                    def __init__(self, backend: Storage) -> None:
                        self.backend = backend
                """,
        }
        assert scan_tree(tmp_path, monkeypatch, capsys, files) == (
            1,
            "src/acme/cache.py:8:24: error: `cache` needs one `acme.interfaces.Storage` (constructor parameter `backend`) but `disk` (src/acme/storage.py:7) and `memory` (src/acme/storage.py:12) both provide it at priority 0 [ambiguous]\n"
            "        def __init__(self, backend: Storage) -> None:\n"
            "                           ^\n"
            "Hint: give one provider a higher priority, restrict one to a profile, or take every provider with `list[Storage]`\n"
            "\n"
            "1 error, 0 warnings\n" + NOT_WRITTEN,
        )

    def test_version_conflict(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """An unmet specifier names the wanted range and the version found, with its place."""
        files = {
            "src/acme/compression.py": GZIP,
            "src/acme/archive.py": """\
                from mreg_di import plugin


                @plugin("archive", requires=["gzip>=3,<4"])
                class Archive:
                    pass
                """,
        }
        assert scan_tree(tmp_path, monkeypatch, capsys, files) == (
            1,
            "src/acme/archive.py:5:1: error: `archive` requires `gzip>=3,<4` but the active `gzip` is version 2.1.0 (src/acme/compression.py:7) [version-conflict]\n"
            "    class Archive:\n"
            "    ^\n"
            "Hint: upgrade `gzip` or relax the specifier `>=3,<4`\n"
            "\n"
            "1 error, 0 warnings\n" + NOT_WRITTEN,
        )

    def test_missing_requirement(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A requirement naming no plugin is reported on the declaration."""
        files = {
            "src/acme/archive.py": """\
                from mreg_di import plugin


                @plugin("archive", requires=["zstd"])
                class Archive:
                    pass
                """
        }
        assert scan_tree(tmp_path, monkeypatch, capsys, files) == (
            1,
            "src/acme/archive.py:5:1: error: `archive` requires `zstd` but no active plugin is named `zstd` [missing-requirement]\n"
            "    class Archive:\n"
            "    ^\n"
            "Hint: add that plugin, activate the profile it belongs to, or remove the requirement\n"
            "\n"
            "1 error, 0 warnings\n" + NOT_WRITTEN,
        )

    def test_problem_in_one_profile(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A problem that exists only in some profiles says which."""
        files = {
            "src/acme/compression.py": GZIP,
            "src/acme/debug.py": """\
                from mreg_di import plugin

                from acme.interfaces import Clock


                @plugin("debug", profiles=["dev"])
                class Debug:
                    def __init__(self, clock: Clock) -> None: ...
                """,
        }
        assert scan_tree(tmp_path, monkeypatch, capsys, files) == (
            1,
            "src/acme/debug.py:8:24: error: `debug` needs `acme.interfaces.Clock` (constructor parameter `clock`, src/acme/debug.py:8) but no active plugin provides it [profile `dev`] [missing-binding]\n"
            "        def __init__(self, clock: Clock) -> None: ...\n"
            "                           ^\n"
            "Hint: declare a plugin with `provides=[Clock]`, or give the parameter a default or an `| None` annotation\n"
            "\n"
            "1 error, 0 warnings\n" + NOT_WRITTEN,
        )

    def test_every_problem_at_once(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Every problem of the tree is reported in one run, sorted by place."""
        files = {
            "src/acme/pipeline.py": PIPELINE,
            "src/acme/compression.py": GZIP.replace(
                '"gzip", version="2.1.0"', '"gzip", version="2.1.0", requires=["zstd"]'
            ),
            "src/acme/storage.py": STORAGES,
            "src/acme/users.py": """\
                from mreg_di import plugin

                from acme.interfaces import Storage


                @plugin("users")
                class Users:
                    def __init__(self, store: Storage) -> None: ...
                """,
        }
        code, err = scan_tree(tmp_path, monkeypatch, capsys, files)
        assert code == 1
        headers = [line for line in err.splitlines() if line.startswith("src/")]
        assert [h.split(": error: ")[0] + " " + h.rsplit(" ", 1)[1] for h in headers] == [
            "src/acme/compression.py:7:1 [missing-requirement]",
            "src/acme/pipeline.py:8:48 [missing-binding]",
            "src/acme/users.py:8:24 [ambiguous]",
        ]
        assert err.endswith("3 errors, 0 warnings\n" + NOT_WRITTEN)

    def test_paths_in_messages_are_displayed_paths(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """With the manifest elsewhere, locations inside messages match the header's paths."""
        files = {"src/acme/pipeline.py": PIPELINE, "src/acme/compression.py": GZIP}
        code, err = scan_tree(tmp_path, monkeypatch, capsys, files, output="build/m.json")
        assert code == 1
        assert err.startswith(
            "src/acme/pipeline.py:8:48: error: `pipeline` needs `acme.interfaces.Clock` "
            "(constructor parameter `clock`, src/acme/pipeline.py:8) but no active plugin"
        )
        assert "../src" not in err


class TestHelpers:
    def test_problem_without_file(self) -> None:
        """A problem without a file points at the manifest, with no line."""
        problem = Problem(ProblemKind.CYCLE, "dependency cycle: `a` -> `b` -> `a`", plugin="a")
        diagnostic = problem_diagnostic(
            problem, manifest_dir=Path("/p"), manifest_display="m.json", cwd=Path("/p"),
            sources=SourceTexts(),
        )  # fmt: skip
        assert diagnostic.render() == "m.json: error: dependency cycle: `a` -> `b` -> `a` [cycle]"

    def test_unreadable_source_has_no_source_line(self, tmp_path: Path) -> None:
        """When the file cannot be read the diagnostic still has its place, without a quote."""
        problem = Problem(ProblemKind.MISSING_REQUIREMENT, "m", file="gone.py", line=3, column=1)
        diagnostic = problem_diagnostic(
            problem, manifest_dir=tmp_path, manifest_display="m.json", cwd=tmp_path,
            sources=SourceTexts(),
        )  # fmt: skip
        assert diagnostic.render() == "gone.py:3:1: error: m [missing-requirement]"

    @pytest.mark.parametrize(
        ("line_text", "column"),
        [
            ("    def __init__(self, clock: Clock) -> None:", 24),
            ("    def __init__(self, my_clock: Clock, clock: Clock):", 41),
            ("    def __init__(self, clocks: Clock):", 0),
        ],
    )
    def test_parameter_column(self, line_text: str, column: int) -> None:
        """The caret goes to the parameter's own name, never to a longer name containing it."""
        problem = Problem(
            ProblemKind.MISSING_BINDING, "`p` needs `acme.Clock` (...)", plugin="p", line=8
        )
        record = {"parameters": [{"name": "clock", "interface": "acme.Clock", "line": 8}]}
        assert parameter_column(problem, record, line_text) == column

    def test_parameter_column_needs_the_interface_named(self) -> None:
        """A parameter on the line whose interface the message does not name is not chosen."""
        problem = Problem(
            ProblemKind.MISSING_BINDING, "`p` needs `acme.Other` (...)", plugin="p", line=8
        )
        record = {"parameters": [{"name": "clock", "interface": "acme.Clock", "line": 8}]}
        assert parameter_column(problem, record, "def f(self, clock: Clock):") == 0

    def test_displayed_names(self) -> None:
        """Only files whose manifest path differs from their displayed path are mapped."""
        names = displayed_names(
            ["../src/a.py", "../src/pkg/a.py", "../other/b.py"], Path("/p/build"), Path("/p/src")
        )
        assert names == {
            "../src/pkg/a.py": "pkg/a.py",
            "../other/b.py": "/p/other/b.py",
            "../src/a.py": "a.py",
        }
