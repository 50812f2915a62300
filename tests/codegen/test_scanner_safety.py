"""The scanner never imports or runs scanned code, and never fails on any input.

Inputs that would crash libcst's native parser run in a subprocess, so that a regression shows
up as a failed test rather than a dead test run.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import sysconfig
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from mreg_codegen._scanner import FileScan, scan_file, scan_source

REPO = Path(__file__).resolve().parents[2]

# Audit hooks cannot be removed: this one records only while a test switches it on.
_AUDIT_EVENTS: list[tuple[str, tuple[object, ...]]] = []
_AUDIT_RECORDING = [False]


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _AUDIT_RECORDING[0] and event in ("import", "exec", "compile", "open"):
        _AUDIT_EVENTS.append((event, args))


sys.addaudithook(_audit)

TRAP_INIT = """\
from pathlib import Path
Path({marker!r}).write_text("trap imported")
raise SystemExit("the trap package was imported")
"""

TRAP_PLUGINS = """\
'''Plugins that must never be imported by the scanner.'''
import os
from pathlib import Path

from mreg_di import factory, plugin

from trap.interfaces import Storage

Path({marker!r}).write_text("trap.plugins imported")
os.system("echo the scanner ran me")
raise RuntimeError("trap.plugins was imported")


@plugin("trap-storage", version="1.0", metadata={{"escaped": "tab\\there", "raw": r"\\d"}})
class TrapStorage:
    def __init__(self, backend: "Storage") -> None:
        raise RuntimeError("constructed")


@factory("trap-factory", variants=["a"])
def make(variant: str, storage: Storage) -> Storage:
    raise RuntimeError("called")
"""


@pytest.fixture
def trap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A package on sys.path whose import writes a marker file and raises."""
    marker = tmp_path / "imported.marker"
    package = tmp_path / "trap"
    package.mkdir()
    (package / "__init__.py").write_text(TRAP_INIT.format(marker=str(marker)))
    (package / "interfaces.py").write_text(TRAP_INIT.format(marker=str(marker)))
    (package / "plugins.py").write_text(TRAP_PLUGINS.format(marker=str(marker)))
    monkeypatch.syspath_prepend(str(tmp_path))
    return package, marker


class TestNeverImports:
    def test_scanning_does_not_import_the_scanned_modules(self, trap: tuple[Path, Path]) -> None:
        """Modules that would write a marker and raise when imported are scanned untouched."""
        package, marker = trap
        scans = [
            scan_file(path, module=module, path=str(path), rel_file=f"trap/{path.name}")
            for path, module in (
                (package / "__init__.py", "trap"),
                (package / "interfaces.py", "trap.interfaces"),
                (package / "plugins.py", "trap.plugins"),
            )
        ]
        assert [r.name for r in scans[2].records] == ["trap-storage", "trap-factory"]
        assert scans[2].records[0].parameters[0].interface == "trap.interfaces.Storage"
        assert all(scan.diagnostics == () for scan in scans)
        assert not marker.exists()
        assert not any(name == "trap" or name.startswith("trap.") for name in sys.modules)

    def test_audit_hook_sees_no_import_exec_or_compile_of_scanned_code(
        self, trap: tuple[Path, Path]
    ) -> None:
        """During a scan, no import or exec happens, and compile only sees string literals."""
        package, marker = trap
        path = package / "plugins.py"
        source = path.read_bytes()
        text = source.decode()
        scan_source(source, module="warm.up", path="warm.py", rel_file="warm.py")  # lazy imports
        _AUDIT_EVENTS.clear()
        _AUDIT_RECORDING[0] = True
        try:
            scan = scan_source(
                source, module="trap.plugins", path=str(path), rel_file="trap/plugins.py"
            )
            events = list(_AUDIT_EVENTS)
            # Control: the hook does see a compile of the module's code when one happens.
            compile(source, str(path), "exec")
            control = list(_AUDIT_EVENTS[len(events) :])
        finally:
            _AUDIT_RECORDING[0] = False
        assert len(scan.records) == 2
        assert [(e, a[1]) for e, a in control if e == "compile"] == [("compile", str(path))]
        assert [e for e, _ in events if e in ("import", "exec", "open")] == []
        compiled = [args for event, args in events if event == "compile"]
        # libcst evaluates escaped string literals with ast.literal_eval, which compiles the
        # literal alone (never the module) under the name "<unknown>".
        for compiled_source, filename in compiled:
            literal = (
                compiled_source.decode()
                if isinstance(compiled_source, bytes)
                else str(compiled_source)
            )
            assert filename == "<unknown>"
            assert re.fullmatch(r"[rRbBuU]?(\"[^\"\n]*\"|'[^'\n]*')", literal)
            assert literal in text
        assert not marker.exists()


def _run_isolated(sources: dict[str, str]) -> dict[str, list[str]]:
    """Scan each source in a fresh interpreter; the diagnostic codes of each, by label."""
    script = textwrap.dedent(
        """
        import json, sys
        from mreg_codegen._scanner import scan_source
        sources = json.loads(sys.stdin.read())
        result = {}
        for label, text in sources.items():
            scan = scan_source(text.encode(), module="m", path="m.py", rel_file="m.py")
            result[label] = [d.code for d in scan.diagnostics]
        print(json.dumps(result))
        """
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO / "src"), str(REPO / "codegen")]))
    completed = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(sources),
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    result: dict[str, list[str]] = json.loads(completed.stdout)
    return result


DECLARATION = "from mreg_di import plugin\n@plugin('x')\nclass X: ...\n"

# Each of these crashes (segfault) or stalls libcst 1.9's parser if handed to it unguarded.
HOSTILE: dict[str, str] = {
    "plus-100000": "x = " + "+".join(["1"] * 100_000),
    "parens-3000": "x = " + "(" * 3000 + "1" + ")" * 3000,
    "unclosed-parens-3000": "x = " + "(" * 3000,
    "lists-2500": "x = " + "[" * 2500 + "]" * 2500,
    "dicts-2000": "x = " + "{1:" * 2000 + "1" + "}" * 2000,
    "attributes-20000": "x = a" + ".b" * 20_000,
    "calls-10000": "x = f" + "()" * 10_000,
    "subscripts-10000": "x = a" + "[0]" * 10_000,
    "lambdas-5000": "x = " + "lambda: " * 5000 + "1",
    "nots-20000": "x = " + "not " * 20_000 + "1",
    "negations-20000": "x = " + "-" * 20_000 + "1",
    "conditionals-10000": "x = " + "1 if a else " * 10_000 + "1",
    "powers-10000": "x = " + "**".join(["2"] * 10_000),
    "ands-20000": "x = " + " and ".join(["a"] * 20_000),
    "comprehension-fors-5000": "x = [a " + "for a in b " * 5000 + "]",
    "elifs-20000": "if a: pass\n" + "elif a: pass\n" * 20_000,
    "continued-lines-10000": "x = (1 +\n" + " 1 +\n" * 10_000 + " 1)\n",
}


class TestHostileInput:
    def test_deep_nesting_gives_a_diagnostic_not_a_crash(self) -> None:
        """Constructs that crash libcst's native parser become parse-error diagnostics."""
        result = _run_isolated({label: DECLARATION + text for label, text in HOSTILE.items()})
        assert result == {label: ["parse-error"] for label in HOSTILE}

    def test_deep_but_parseable_nesting_gives_a_diagnostic(self) -> None:
        """Nesting libcst parses but Python-level analysis cannot recurse through is reported."""
        result = _run_isolated({"plus-900": DECLARATION + "x = " + "+".join(["1"] * 900) + "\n"})
        assert result == {"plus-900": ["parse-error"]}

    def test_long_flat_code_is_fine(self, scan: Callable[..., FileScan]) -> None:
        """Long but flat code (big tables, many statements) is not mistaken for nesting."""
        table = "TABLE = [\n" + "".join(f"    ({i}, -{i}.5, 'a.b', f(x.y)),\n" for i in range(1200))
        statements = "".join(f"v{i} = a.b.c(d[1]) + e * -f\n" for i in range(600))
        result = scan(DECLARATION + table + "]\n" + statements)
        assert result.diagnostics == ()
        assert [r.name for r in result.records] == ["x"]

    @pytest.mark.parametrize("seed", range(4))
    def test_random_bytes(self, seed: int) -> None:
        """Random bytes of any length give diagnostics, never an exception."""
        rng = random.Random(seed)
        for _ in range(50):
            data = bytes(rng.randrange(256) for _ in range(rng.randrange(2000)))
            scan = scan_source(data, module="m", path="m.py", rel_file="m.py")
            assert isinstance(scan, FileScan)
            assert all(d.code != "internal-error" for d in scan.diagnostics)

    def test_random_token_soup(self) -> None:
        """Random sequences of Python tokens around a declaration never raise."""
        tokens = [
            "(", ")", "[", "]", "{", "}", ":", ",", "\n", "    ", "\t", "'", '"', '"""', "\\",
            "@plugin", "@plugin(", "class X", "def f", "import mreg_di",
            "from mreg_di import plugin", "lambda", "=", "+", "*", "**", "if", "else", "'x'",
            "1", "None", "async", "#", "\r",
            "\x00", "é", "provides=[", "version=", "__init__(self, a: ", "| None", "->",
        ]  # fmt: skip
        rng = random.Random(1234)
        for _ in range(300):
            text = "".join(rng.choice(tokens) for _ in range(rng.randrange(1, 80)))
            scan = scan_source(text.encode(), module="m", path="m.py", rel_file="m.py")
            assert all(d.code != "internal-error" for d in scan.diagnostics)

    def test_every_prefix_of_a_plugin_module(self) -> None:
        """A plugin module cut off anywhere (a file being saved) never raises."""
        module = textwrap.dedent(
            '''\
            from mreg_di import factory, plugin, PluginType
            from .interfaces import Storage
            @plugin("gz", version="1.0", type=PluginType.STORAGE, provides=[Storage],
                    metadata={"k": [1, 2.5, None]}, requires=["a>=1"])
            class Gz(Storage):
                """Doc."""
                def __init__(self, s: "list[Storage] | None" = None, *a, **k) -> None: ...
            @factory("f", variants=["a"])
            async def make(variant: str, s: Storage) -> Storage: ...
            '''
        ).encode()
        for end in range(0, len(module) + 1, 3):
            scan = scan_source(module[:end], module="acme.gz", path="gz.py", rel_file="gz.py")
            assert all(d.code != "internal-error" for d in scan.diagnostics)

    def test_null_bytes_and_form_feeds(self, scan: Callable[..., FileScan]) -> None:
        """NUL bytes are a syntax error; form feeds are whitespace, as in CPython."""
        assert [d.code for d in scan(b"x = 1\x00\n").diagnostics] == ["syntax-error"]
        record = scan(b"import mreg_di\n\x0c\n@mreg_di.plugin('x')\nclass X: ...\n").records[0]
        assert record.line == 4


def _stdlib_sample(count: int, max_size: int) -> list[Path]:
    root = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(
        path
        for path in root.rglob("*.py")
        if "site-packages" not in path.parts and path.stat().st_size <= max_size
    )
    step = max(1, len(files) // count)
    return files[::step][:count]


class TestRealCode:
    def test_standard_library_sample(self) -> None:
        """300 files of the standard library scan with no uncaught exception or internal error."""
        root = Path(sysconfig.get_paths()["stdlib"])
        sample = _stdlib_sample(300, max_size=12_000)
        assert len(sample) == 300
        codes: set[str] = set()
        for path in sample:
            relative = path.relative_to(root)
            scan = scan_source(
                path.read_bytes(),
                module=".".join(relative.with_suffix("").parts),
                path=str(relative),
                rel_file=relative.as_posix(),
                is_package=path.name == "__init__.py",
            )
            codes.update(d.code for d in scan.diagnostics)
            assert scan.records == ()
        # Only files that are deliberately broken (test data) may give diagnostics.
        assert codes <= {"syntax-error", "undecodable-source"}
