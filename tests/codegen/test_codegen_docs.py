"""docs/diagnostics.md ("Graph diagnostics") and docs/codegen.md say what mreg-codegen does.

Each sample with source files is scanned as the page says, and its output compared exactly.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from trees import ACME, write_tree

from mreg_codegen.__main__ import main
from mreg_codegen._cli import build_parser
from mreg_codegen._diagnostics import Diagnostic
from mreg_codegen._project import _Walker
from mreg_codegen._worker import ScanTask, crash_result

DOCS = Path(__file__).resolve().parents[2] / "docs"
_SECTION = re.compile(r"^### `(?P<code>[a-z-]+)`\n(?P<body>.*?)(?=^### |\Z)", re.M | re.S)
_FILE = re.compile(
    r"^`(?P<path>[^`]+\.py)`:\n\n(?:<!-- docs-test: skip -->\n\n)?```python\n(?P<code>.*?)^```$",
    re.M | re.S,
)
_TEXT = re.compile(r"^```text\n(?P<text>.*?)^```$", re.M | re.S)


def graph_part() -> str:
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    _before, heading, after = text.partition("\n## Graph diagnostics\n")
    assert heading, "docs/diagnostics.md has no 'Graph diagnostics' heading"
    return after


def sections() -> dict[str, tuple[dict[str, str], str]]:
    """Code -> (file path -> source, the sample output) for each section of the part."""
    found = {}
    for match in _SECTION.finditer(graph_part()):
        body = match.group("body")
        files = {m.group("path"): m.group("code") for m in _FILE.finditer(body)}
        [sample] = [m.group("text") for m in _TEXT.finditer(body)][:1] or [""]
        found[match.group("code")] = (files, sample)
    return found


SECTIONS = sections()


def base_files() -> dict[str, str]:
    intro = graph_part().split("\n### ", 1)[0]
    [interfaces] = [m.group(1) for m in re.finditer(r"```python\n(.*?)^```$", intro, re.M | re.S)]
    return {"src/acme/__init__.py": "", "src/acme/interfaces.py": interfaces}


def summary(errors: int, warnings: int) -> str:
    return f"\n{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}\n"


NOT_WRITTEN = "mreg-codegen: mreg-manifest.json was not written\n"


class TestGraphDiagnosticsPage:
    def test_every_code_has_a_section(self) -> None:
        """Each code of the driver and the graph stage is documented, in the table too."""
        codes = {
            "missing-binding",
            "cycle",
            "ambiguous",
            "version-conflict",
            "missing-requirement",
            "duplicate-name",
            "unimportable-module",
            "parser-crash",
            "root-is-package",
            "unreadable-directory",
            "cache-ignored",
            "unused-exclude",
            "stale-order",
        }
        assert set(SECTIONS) == codes
        for code in codes:
            assert f"| [`{code}`](#{code}) |" in graph_part()

    @pytest.mark.parametrize("code", sorted(code for code, (files, _) in SECTIONS.items() if files))
    def test_scanned_sample_is_exact(
        self,
        code: str,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str],
    ) -> None:
        """Scanning a section's files prints exactly the section's sample, then the summary."""
        files, sample = SECTIONS[code]
        write_tree(tmp_path, {**base_files(), **files})
        monkeypatch.chdir(tmp_path)
        assert main(["scan", "src", "--output", "mreg-manifest.json"]) == 1
        out, err = capsys.readouterr()
        assert out == ""
        assert err == sample + summary(1, 0) + NOT_WRITTEN

    def test_root_is_package_sample(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The root-is-package sample is what scanning src/acme prints."""
        write_tree(tmp_path, base_files())
        monkeypatch.chdir(tmp_path)
        assert main(["scan", "src/acme", "--output", "mreg-manifest.json"]) == 0
        assert capsys.readouterr().err == SECTIONS["root-is-package"][1] + summary(0, 1)

    def test_parser_crash_sample(self) -> None:
        """The parser-crash sample is what the driver makes of a worker killed by SIGSEGV."""
        task = ScanTask("/p/src/acme/generated.py", "acme.generated", "src/acme/generated.py",
                        "src/acme/generated.py", False, True)  # fmt: skip
        result = crash_result(task, "killed by signal SIGSEGV", True)
        [fields] = result.diagnostics
        assert Diagnostic(**fields).render() + "\n" == SECTIONS["parser-crash"][1]

    def test_unreadable_directory_sample(self, tmp_path: Path) -> None:
        """The unreadable-directory sample is what the walk reports, with the system's reason."""
        root = tmp_path / "src"
        root.mkdir()
        files: list[object] = []
        warnings: list[Diagnostic] = []
        walker = _Walker(root, [root], tmp_path, tmp_path, (), files, warnings)  # type: ignore[arg-type]
        walker.walk(root / "acme" / "private", ("acme", "private"))
        [warning] = warnings
        rendered = warning.render().replace("No such file or directory", "{reason}")
        expected = SECTIONS["unreadable-directory"][1].replace("Permission denied", "{reason}")
        assert rendered + "\n" == expected

    def test_cache_ignored_sample(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The cache-ignored sample is what a corrupt cache file prints."""
        write_tree(tmp_path, ACME)
        monkeypatch.chdir(tmp_path)
        main(["scan", "src", "--output", "mreg-manifest.json"])
        [index] = (tmp_path / ".mreg-cache").glob("*[0-9a-f].json")
        index.write_text("{garbage")
        capsys.readouterr()
        assert main(["scan", "src", "--output", "mreg-manifest.json"]) == 0
        err = re.sub(r"-[0-9a-f]{12}\.json", "-0123456789ab.json", capsys.readouterr().err)
        assert err == SECTIONS["cache-ignored"][1] + summary(0, 1)

    def test_unused_exclude_sample(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The unused-exclude sample is what a scan with a misspelt --exclude prints."""
        write_tree(tmp_path, ACME)
        monkeypatch.chdir(tmp_path)
        assert main(["scan", "src", "--output", "mreg-manifest.json", "--exclude", "tset"]) == 0
        assert capsys.readouterr().err == SECTIONS["unused-exclude"][1] + summary(0, 1)

    def test_stale_order_sample(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The stale-order sample is what validate prints for a hand-reordered manifest."""
        write_tree(tmp_path, ACME)
        monkeypatch.chdir(tmp_path)
        main(["scan", "src", "--output", "mreg-manifest.json"])
        data = json.loads((tmp_path / "mreg-manifest.json").read_text())
        data["order"]["default"].reverse()
        (tmp_path / "mreg-manifest.json").write_text(json.dumps(data))
        capsys.readouterr()
        assert main(["validate", "mreg-manifest.json"]) == 1
        assert capsys.readouterr().err == SECTIONS["stale-order"][1] + summary(1, 0)


class TestCodegenPage:
    def test_every_flag_is_documented(self) -> None:
        """Every option of every subcommand of this build step appears in docs/codegen.md."""
        page = (DOCS / "codegen.md").read_text(encoding="utf-8")
        parser = build_parser()
        subparsers = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
        for name in ("scan", "validate", "graph", "list"):
            assert f"## `mreg-codegen {name}" in page, name
            for action in subparsers[name]._actions:
                for option in action.option_strings:
                    if option not in ("-h", "--help"):
                        assert f"`{option}" in page, (name, option)

    def test_exit_codes_are_documented(self) -> None:
        """The exit status table names 0, 1, 2."""
        page = (DOCS / "codegen.md").read_text(encoding="utf-8")
        for row in ("| 0 |", "| 1 |", "| 2 |"):
            assert row in page
