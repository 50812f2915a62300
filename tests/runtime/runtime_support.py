"""Helpers for the runtime tests: real plugin packages on disk, and manifests for them.

The `project` fixture (conftest.py) writes modules under ``tmp_path/src``, puts that directory
on ``sys.path`` and, after the test, removes it and every module imported from it, so each test
starts with its plugin modules unimported.

Manifests come from `Project.build`, which runs the real ``mreg-codegen scan`` in a child
process. ``mreg-codegen`` refuses to write a manifest for a graph with problems, so the tests of
runtime validation use `Project.build_broken` instead: the project's modules are imported in a
child process, their declarations read from the live objects (`mreg_di._introspect`, the rule
the scanner applies to source), positioned like the scanner positions them (the ``class`` /
``def`` line; each parameter's own line), checked with `mreg_di._graph` and written with
`Manifest.build`, without an order for the broken profiles.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PYTHONPATH = os.pathsep.join(str(REPO / part) for part in ("src", "codegen"))

_BUILD_SCRIPT = r"""
import ast, hashlib, importlib, json, sys
from pathlib import Path

from mreg_di._decorators import SPEC_ATTRIBUTE
from mreg_di._graph import validate_profiles
from mreg_di._introspect import record_of
from mreg_di._manifest import Manifest
from mreg_di._resolve import RecordCatalogue

root = Path(sys.argv[1]).resolve()
output = Path(sys.argv[2]).resolve()
sys.path.insert(0, str(root))
records, files = [], {}
for path in sorted(root.rglob("*.py")):
    relative = path.relative_to(root)
    parts = list(relative.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    module = importlib.import_module(".".join(parts))
    nodes = {
        node.name: node
        for node in ast.parse(path.read_text()).body
        if isinstance(node, (ast.ClassDef, ast.FunctionDef))
    }
    for obj in list(vars(module).values()):
        spec = getattr(obj, "__dict__", {}).get(SPEC_ATTRIBUTE)
        if spec is None or getattr(obj, "__module__", None) != module.__name__:
            continue
        record = record_of(obj, spec)
        node = nodes[obj.__qualname__]
        call = node
        if isinstance(node, ast.ClassDef):
            call = next((n for n in node.body if getattr(n, "name", "") == "__init__"), None)
        lines = {}
        if call is not None:
            for arg in [*call.args.args, *call.args.kwonlyargs]:
                lines[arg.arg] = arg.lineno
        parameters = [p.__class__(p.name, p.annotation, p.interface, p.many, p.optional,
                                  p.has_default, lines.get(p.name, 0))
                      for p in record.parameters]
        rel = relative.as_posix() if output.parent == root else \
            Path(path).relative_to(output.parent).as_posix()
        records.append(record.__class__(record.spec, record.module, record.qualname,
                                        rel, node.lineno, 1, parameters))
        files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
problems, orders = validate_profiles(RecordCatalogue(records))
manifest = Manifest.build(records, files=files, order=orders, generator="tests")
output.write_text(manifest.dumps())
print(json.dumps([p.render() for p in problems]))
"""


class Project:
    """A source root of real plugin modules, and manifests built from it.

    Attributes:
        root: The source root (on ``sys.path`` during the test).
        manifest_path: Where `build` writes the manifest by default.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest_path = root / "mreg-manifest.json"
        self.problems: list[str] = []

    def write(self, module: str, source: str) -> Path:
        """Write module `module` (dotted) with `source` (dedented); create packages on the way."""
        parts = module.split(".")
        directory = self.root
        for part in parts[:-1]:
            directory = directory / part
            directory.mkdir(exist_ok=True)
            init = directory / "__init__.py"
            if not init.exists():
                init.write_text("")
        path = directory / f"{parts[-1]}.py"
        path.write_text(textwrap.dedent(source).lstrip())
        return path

    def build(self, output: Path | None = None) -> Path:
        """Scan the root with ``mreg-codegen scan`` (a child process); return the manifest.

        Raises:
            AssertionError: The scan failed (its diagnostics are in the message).
        """
        output = output or self.manifest_path
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mreg_codegen",
                "scan",
                str(self.root),
                "--output",
                str(output),
                "--no-cache",
                "--jobs",
                "1",
            ],
            env={**os.environ, "PYTHONPATH": PYTHONPATH},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"mreg-codegen scan failed:\n{result.stderr}")
        self.problems = []
        return output

    def build_broken(self, output: Path | None = None) -> Path:
        """Write the manifest of a graph with problems, which ``mreg-codegen`` refuses to do.

        The modules are imported in a child process, so this process stays clean; the
        problems are kept in `problems`, rendered.
        """
        output = output or self.manifest_path
        result = subprocess.run(
            [sys.executable, "-c", _BUILD_SCRIPT, str(self.root), str(output)],
            env={**os.environ, "PYTHONPATH": PYTHONPATH},
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise AssertionError(f"building the manifest failed:\n{result.stderr}")
        self.problems = json.loads(result.stdout)
        assert self.problems, "the graph has no problem: use build(), the real codegen"
        return output

    def location(self, module: str, marker: str) -> str:
        """``file:line`` of the definition decorated by the first line starting with `marker`.

        That is the ``class`` or ``def`` line after the decorator, as the scanner records it
        (`marker` may also be that line itself).
        """
        path = self.root.joinpath(*module.split(".")).with_suffix(".py")
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, start=1):
            if line.strip().startswith(marker):
                for offset, following in enumerate(lines[number - 1 :]):
                    if following.lstrip().startswith(("class ", "def ", "async def ")):
                        return f"{path.relative_to(self.root).as_posix()}:{number + offset}"
        raise AssertionError(f"{marker!r} not found in {path}")

    def packages(self) -> set[str]:
        """The top-level names importable from the root."""
        return {p.name if p.is_dir() else p.stem for p in self.root.iterdir()} - {
            "mreg-manifest",
            "__pycache__",
        }


def forget(packages: set[str]) -> None:
    """Remove every module of `packages` from sys.modules."""
    for name in list(sys.modules):
        if name.partition(".")[0] in packages:
            del sys.modules[name]


def run_python(code: str, *, cwd: Path | None = None, extra_path: Path | None = None) -> str:
    """Run `code` in a fresh interpreter with the repo's packages importable; return stdout."""
    path = PYTHONPATH if extra_path is None else f"{extra_path}{os.pathsep}{PYTHONPATH}"
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        env={**os.environ, "PYTHONPATH": path},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"child process failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout


ACME = {
    "acme.interfaces": """
        from typing import Protocol


        class Storage(Protocol):
            def put(self, key: str, data: bytes) -> None: ...

            def get(self, key: str) -> bytes: ...


        class Compressor(Protocol):
            def compress(self, data: bytes) -> bytes: ...


        class MetricsSink(Protocol):
            def record(self, name: str, value: float) -> None: ...


        class Clock(Protocol):
            def now(self) -> float: ...
        """,
    "acme.storage": '''
        from mreg_di import plugin
        from acme.interfaces import Storage


        @plugin("memory-storage", version="1.2.0", type="storage", provides=[Storage])
        class MemoryStorage:
            """Keeps blobs in a dict."""

            def __init__(self) -> None:
                self.blobs: dict[str, bytes] = {}

            def put(self, key: str, data: bytes) -> None:
                self.blobs[key] = data

            def get(self, key: str) -> bytes:
                return self.blobs[key]


        @plugin("mock-storage", type="storage", provides=[Storage], profiles=["dev"], priority=10)
        class MockStorage:
            """Pretends to store blobs."""

            def put(self, key: str, data: bytes) -> None:
                pass

            def get(self, key: str) -> bytes:
                return b"mock"
        ''',
    "acme.compression": '''
        from mreg_di import plugin
        from acme.interfaces import Compressor


        @plugin("gzip-compressor", version="2.1.0", provides=[Compressor])
        class GzipCompressor:
            """Compresses with gzip."""

            def __init__(self, level: int = 6) -> None:
                self.level = level

            def compress(self, data: bytes) -> bytes:
                import gzip

                return gzip.compress(data, compresslevel=self.level)
        ''',
    "acme.sinks": """
        from mreg_di import plugin
        from acme.interfaces import MetricsSink


        @plugin("log-sink", provides=[MetricsSink], priority=5)
        class LogSink:
            def record(self, name: str, value: float) -> None:
                pass


        @plugin("list-sink", provides=[MetricsSink], priority=1)
        class ListSink:
            def __init__(self) -> None:
                self.seen: list[tuple[str, float]] = []

            def record(self, name: str, value: float) -> None:
                self.seen.append((name, value))
        """,
    "acme.pipeline": '''
        from mreg_di import plugin
        from acme.interfaces import Clock, Compressor, MetricsSink, Storage


        @plugin("pipeline", scope="factory", requires=["memory-storage>=1.0"])
        class Pipeline:
            """Compresses and stores."""

            def __init__(
                self,
                storage: Storage,
                compressor: Compressor,
                sinks: list[MetricsSink],
                clock: Clock | None,
                name: str = "main",
            ) -> None:
                self.storage = storage
                self.compressor = compressor
                self.sinks = sinks
                self.clock = clock
                self.name = name

            def run(self, key: str, data: bytes) -> None:
                self.storage.put(key, self.compressor.compress(data))
                for sink in self.sinks:
                    sink.record(key, len(data))
        ''',
    "acme.factories": '''
        from mreg_di import factory
        from acme.interfaces import Storage


        class Processor:
            def __init__(self, variant: str, storage: Storage) -> None:
                self.variant = variant
                self.storage = storage


        @factory("processor-factory", variants=["fast", "batch"])
        def make_processor(variant: str, storage: Storage) -> Processor:
            """Builds processors."""
            return Processor(variant, storage)
        ''',
}
"""A small but complete plugin package: interfaces, providers, a consumer, a factory."""
