"""Tests for mreg_di._protocols: the seed's Plugin and AdvancedPlugin contracts."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from runtime_support import REPO

from mreg_di._protocols import AdvancedPlugin, Plugin
from mreg_di._registration import PluginConfig
from mreg_di._registry import ModuleRegistry


class Upper:
    """A complete Plugin, written with plain attributes and methods."""

    name = "upper"
    version = "1.0.0"
    plugin_type = "data-processor"
    capabilities: Sequence[str] = ("uppercase",)

    def __init__(self) -> None:
        self.initialized = False

    def initialize(self) -> None:
        self.initialized = True

    def cleanup(self) -> None:
        self.initialized = False

    def process(self, data: bytes) -> bytes:
        return data.upper()


class AsyncUpper(Upper):
    """A Plugin whose lifecycle methods are coroutines."""

    async def initialize(self) -> None:  # type: ignore[override]
        self.initialized = True

    async def cleanup(self) -> None:  # type: ignore[override]
        self.initialized = False


class Counting(Upper):
    """An AdvancedPlugin: a Plugin that also reports context, configuration, state, metrics."""

    context: dict[str, Any] = {"host": "worker-1"}
    configuration: dict[str, Any] = {"window": 60}

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0

    @property
    def state(self) -> str:
        return "running" if self.initialized else "stopped"

    @property
    def metrics(self) -> dict[str, float]:
        return {"bytes_seen": float(self.seen)}

    def process(self, data: bytes) -> bytes:
        self.seen += len(data)
        return super().process(data)


class NoProcess:
    """Everything but process()."""

    name = "np"
    version = "1.0"
    plugin_type = "generic"
    capabilities = ()

    def initialize(self) -> None: ...

    def cleanup(self) -> None: ...


class TestPlugin:
    def test_a_class_with_the_members_is_a_plugin(self) -> None:
        """isinstance accepts any object with the Plugin members, without inheritance."""
        assert isinstance(Upper(), Plugin)
        assert isinstance(AsyncUpper(), Plugin)

    def test_a_class_missing_a_member_is_not(self) -> None:
        """An object without process() is not a Plugin."""
        assert not isinstance(NoProcess(), Plugin)
        assert not isinstance(object(), Plugin)

    def test_registry_process_drives_a_plugin(self) -> None:
        """A runtime-registered Plugin's process() is what registry.process calls."""
        registry = ModuleRegistry()
        registry.register_plugin(
            PluginConfig(name="upper", type="data-processor", capabilities=["uppercase"]),
            implementation=Upper,
        )
        assert isinstance(registry.create_plugin("upper"), Plugin)
        assert registry.process("upper", b"plugin") == b"PLUGIN"


class TestAdvancedPlugin:
    def test_a_plugin_with_the_extra_members_is_advanced(self) -> None:
        """Context, configuration, state and metrics make an AdvancedPlugin."""
        counting = Counting()
        assert isinstance(counting, AdvancedPlugin)
        assert isinstance(counting, Plugin)
        counting.initialize()
        counting.process(b"abcd")
        assert (counting.state, counting.metrics) == ("running", {"bytes_seen": 4.0})

    def test_a_plain_plugin_is_not_advanced(self) -> None:
        """A Plugin without the extra members is not an AdvancedPlugin."""
        assert not isinstance(Upper(), AdvancedPlugin)


_TYPED_USAGE = """
from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mreg_di._protocols import AdvancedPlugin, Plugin


class Sync:
    name = "sync"
    version = "1.0"
    plugin_type = "generic"
    capabilities: Sequence[str] = ()

    def initialize(self) -> None: ...

    def cleanup(self) -> None: ...

    def process(self, data: bytes) -> bytes:
        return data


class Async:
    name = "async"
    version = "1.0"
    plugin_type = "generic"
    capabilities: Sequence[str] = ()

    async def initialize(self) -> None: ...

    async def cleanup(self) -> None: ...

    def process(self, data: bytes) -> bytes:
        return data


class Advanced(Sync):
    context: dict[str, Any] = {}
    configuration: dict[str, Any] = {}
    state = "created"
    metrics: dict[str, float] = {}


class WrongProcess:
    name = "wrong"
    version = "1.0"
    plugin_type = "generic"
    capabilities: Sequence[str] = ()

    def initialize(self) -> None: ...

    def cleanup(self) -> None: ...

    def process(self, data: str) -> str:
        return data


sync: Plugin = Sync()
asynchronous: Plugin = Async()
advanced: AdvancedPlugin = Advanced()
not_advanced: AdvancedPlugin = Sync()
wrong: Plugin = WrongProcess()
"""


class TestStaticTyping:
    def test_type_checkers_see_the_protocols_as_users_do(self, tmp_path: Path) -> None:
        """mypy accepts sync and async plugins and rejects a missing or mistyped member."""
        source = tmp_path / "usage.py"
        source.write_text(_TYPED_USAGE.lstrip())
        lines = source.read_text().splitlines()
        expected = [
            number
            for number, line in enumerate(lines, start=1)
            if line.startswith(("not_advanced", "wrong"))
        ]
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mypy",
                "--strict",
                "--no-incremental",
                "--cache-dir",
                os.devnull,
                "--no-error-summary",
                "--hide-error-context",
                str(source),
            ],
            env={**os.environ, "MYPYPATH": str(REPO / "src")},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=False,
        )
        errors = sorted(
            {
                int(line.split(":")[1])
                for line in result.stdout.splitlines()
                if line.startswith("usage.py:") and ": error:" in line
            }
        )
        assert len(expected) == 2
        assert errors == expected, result.stdout
