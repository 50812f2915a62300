"""docs/diagnostics.md and docs/declaring.md say what the scanner really does."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import libcst
import pytest
from test_scanner_diagnostics import CASES

from mreg_codegen._scanner import scan_file, scan_source

DOCS = Path(__file__).resolve().parents[2] / "docs"
_SECTION = re.compile(r"^### `(?P<code>[a-z-]+)`\n(?P<body>.*?)(?=^##)", re.MULTILINE | re.DOTALL)
_BLOCK = re.compile(r"^```(?P<language>\w+)\n(?P<code>.*?)^```$", re.MULTILINE | re.DOTALL)

# Codes the scanner emits without a source snippet to show.
NO_SNIPPET = {"unreadable-file", "internal-error"}
ENCODINGS = {"undecodable-source": "latin-1"}


def _sections() -> dict[str, dict[str, str]]:
    """Code -> {language: first block of that language} for every scanner section."""
    text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
    scanner_part = text.split("\n## Graph diagnostics\n")[0] + "\n## end\n"
    sections: dict[str, dict[str, str]] = {}
    for match in _SECTION.finditer(scanner_part):
        blocks: dict[str, str] = {}
        for block in _BLOCK.finditer(match.group("body")):
            blocks.setdefault(block.group("language"), block.group("code"))
        sections[match.group("code")] = blocks
    return sections


SECTIONS = _sections()


class TestDiagnosticsPage:
    def test_every_code_is_documented_once(self) -> None:
        """Each code the scanner emits has its section, before the graph diagnostics."""
        assert sorted(SECTIONS) == sorted({*CASES, *NO_SNIPPET, "parse-error"})

    def test_graph_heading_is_last(self) -> None:
        """The graph diagnostics have their own heading after every scanner section."""
        text = (DOCS / "diagnostics.md").read_text(encoding="utf-8")
        _before, graph, after = text.partition("\n## Graph diagnostics\n")
        assert graph
        assert not any(f"### `{code}`" in after for code in SECTIONS)

    @pytest.mark.parametrize("code", sorted(set(SECTIONS) - NO_SNIPPET))
    def test_sample_output_is_exact(self, code: str) -> None:
        """Scanning a section's snippet prints exactly the section's sample output."""
        blocks = SECTIONS[code]
        source = blocks["python"].encode(ENCODINGS.get(code, "utf-8"))
        scan = scan_source(source, module="acme.gz", path="acme/gz.py", rel_file="acme/gz.py")
        assert [d.code for d in scan.diagnostics] == [code]
        assert scan.diagnostics[0].render() + "\n" == blocks["text"]

    def test_unreadable_file_sample(self, tmp_path: Path) -> None:
        """The unreadable-file sample is what scan_file prints, with the system's reason."""
        scan = scan_file(tmp_path / "gz.py", module="acme.gz", path="acme/gz.py", rel_file="x")
        rendered = scan.diagnostics[0].render()
        expected = SECTIONS["unreadable-file"]["text"].replace("Permission denied", "{reason}")
        assert rendered.replace("No such file or directory", "{reason}") + "\n" == expected

    def test_internal_error_sample(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """The internal-error sample is what an unexpected libcst failure prints."""

        def broken(source: str) -> libcst.Module:
            raise ValueError("something libcst never does")

        monkeypatch.setattr(libcst, "parse_module", broken)
        scan = scan_source(b"import mreg_di\n", module="acme.gz", path="acme/gz.py", rel_file="x")
        assert scan.diagnostics[0].render() + "\n" == SECTIONS["internal-error"]["text"]


class TestDeclaringPage:
    def test_claims_about_the_complete_example(self) -> None:
        """What the page says the build step records for its examples is what it records."""
        text = (DOCS / "declaring.md").read_text(encoding="utf-8")
        source = "".join(
            textwrap.dedent(block.group("code"))
            for block in _BLOCK.finditer(text)
            if block.group("language") == "python"
        )
        scan = scan_source(
            source.encode(),
            module="acme.compression",
            path="src/acme/compression.py",
            rel_file="src/acme/compression.py",
        )
        assert scan.diagnostics == ()
        records = {record.name: record for record in scan.records}
        assert sorted(records) == [
            "aliased-module",
            "batch-processor",
            "gzip-compressor",
            "memory-storage",
            "processor-factory",
            "qualified",
            "registered",
        ]
        gzip = records["gzip-compressor"]
        assert gzip.spec.provides == ("acme.compression.Compressor",)
        assert [(p.name, p.interface, p.has_default) for p in gzip.parameters] == [
            ("storage", "acme.compression.Storage", False),
            ("level", None, True),
        ]
        assert gzip.spec.description == "Compress with gzip."
        processor = records["processor-factory"]
        assert [(p.name, p.interface) for p in processor.parameters] == [
            ("variant", None),
            ("storage", "acme.compression.Storage"),
        ]
        batch = records["batch-processor"]
        assert batch.spec.provides == ("acme.compression.Processor",)
        assert [(p.name, p.interface) for p in batch.parameters][1] == (
            "compressor",
            "acme.compression.Compressor",
        )
