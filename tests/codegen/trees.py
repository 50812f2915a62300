"""Source trees for the driver and command-line tests, written into a test's tmp_path.

Not a test module: test_cli.py, test_build.py and test_graph_diagnostics.py import it.
"""

from __future__ import annotations

import os
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The checkout under test."""


def subprocess_env() -> dict[str, str]:
    """The environment for a child that must import this checkout's packages."""
    paths = [str(REPO / "src"), str(REPO / "codegen")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(paths))


INTERFACES = """\
from typing import Protocol


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...


class Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


class Clock(Protocol):
    def now(self) -> float: ...
"""

ACME: dict[str, str] = {
    "src/acme/__init__.py": '"""The acme plugins."""\n',
    "src/acme/interfaces.py": INTERFACES,
    "src/acme/storage.py": """\
        from mreg_di import plugin

        from acme.interfaces import Storage


        @plugin(
            "memory-storage",
            version="1.2.0",
            type="storage",
            capabilities=["store", "load"],
            provides=[Storage],
        )
        class MemoryStorage:
            \"\"\"Keep blobs in a dict.\"\"\"
        """,
    "src/acme/compression.py": """\
        from mreg_di import plugin

        from acme.interfaces import Compressor, Storage


        @plugin("gzip", version="2.1.0", provides=[Compressor])
        class Gzip:
            def __init__(self, storage: Storage, level: int = 6) -> None:
                self.storage = storage
        """,
    "src/acme/pipeline.py": """\
        from mreg_di import plugin

        from acme.interfaces import Compressor, Storage


        @plugin("pipeline", requires=["gzip>=2"])
        class Pipeline:
            def __init__(self, compressor: Compressor, storage: Storage) -> None:
                self.compressor = compressor
        """,
    "src/acme/testing.py": """\
        from mreg_di import plugin

        from acme.interfaces import Storage


        @plugin("mock-storage", provides=[Storage], profiles=["test"], priority=10)
        class MockStorage:
            pass
        """,
}
"""A small valid project: 6 files, 4 plugins, profiles ``default`` and ``test``."""


def write_tree(root: Path, files: Mapping[str, str], order: Iterable[str] | None = None) -> Path:
    """Write dedented `files` (relative path -> text) under `root`, in `order` if given."""
    for relative in order if order is not None else files:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(files[relative]), encoding="utf-8")
    return root
