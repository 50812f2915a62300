"""Tests for mreg_di._typecheck: typeguard checks at first construction, in three modes."""

from __future__ import annotations

import re
import warnings
from typing import Protocol

import pytest
from runtime_support import ACME, Project, run_python

from mreg_di._errors import PluginTypeError
from mreg_di._registry import ModuleRegistry
from mreg_di._spec import PluginRecord, PluginSpec
from mreg_di._typecheck import TypeChecker, type_text

BAD_STORAGE = """
from mreg_di import plugin
from acme.interfaces import Storage


@plugin("bad-storage", provides=[Storage])
class BadStorage:
    def put(self, key: str, data: bytes) -> None:
        pass
"""


@pytest.fixture
def bad(project: Project) -> Project:
    """A plugin claiming the Storage protocol without its `get` method."""
    project.write("acme.interfaces", ACME["acme.interfaces"])
    project.write("acme.bad", BAD_STORAGE)
    project.build()
    return project


class TestConfigurationValues:
    def test_wrong_type(self, acme: Project) -> None:
        """A configured value of the wrong type names plugin, parameter, both types, source."""
        registry = ModuleRegistry.from_manifest(
            acme.manifest_path, config={"gzip-compressor": {"level": "high"}}
        )
        with pytest.raises(PluginTypeError) as info:
            registry.create_plugin("gzip-compressor")
        where = acme.location("acme.compression", '@plugin("gzip-compressor"')
        assert str(info.value) == (
            f"plugin `gzip-compressor` ({where}): parameter `level` expects `int` but got "
            "`str` (str is not an instance of int)\n"
            "Hint: set `level` to a value of type `int` in the configuration dict"
        )
        assert isinstance(info.value, TypeError)

    def test_right_type(self, acme: Project) -> None:
        """A configured value of the right type is passed to the constructor."""
        registry = ModuleRegistry.from_manifest(
            acme.manifest_path, config={"gzip-compressor": {"level": 9}}
        )
        assert registry.create_plugin("gzip-compressor").level == 9


class TestInterfaces:
    def test_protocol_not_satisfied(self, bad: Project) -> None:
        """An instance missing a protocol method fails, naming the missing member."""
        registry = ModuleRegistry.from_manifest(bad.manifest_path)
        with pytest.raises(PluginTypeError) as info:
            registry.create_plugin("bad-storage")
        where = bad.location("acme.bad", '@plugin("bad-storage"')
        assert str(info.value) == (
            f"plugin `bad-storage` ({where}) claims to provide `acme.interfaces.Storage` but its "
            "instance of `acme.bad.BadStorage` does not satisfy it (acme.bad.BadStorage is not "
            "compatible with the Storage protocol because it has no method named 'get')\n"
            "Hint: implement what `acme.interfaces.Storage` requires, or remove it from "
            "`provides` of `bad-storage`"
        )
        assert info.value.parameter is None

    def test_failed_singleton_is_not_cached(self, bad: Project) -> None:
        """A construction that fails its check leaves nothing cached: it fails again."""
        registry = ModuleRegistry.from_manifest(bad.manifest_path)
        for _ in range(2):
            with pytest.raises(PluginTypeError):
                registry.get("acme.interfaces.Storage")


class TestModes:
    def test_warn(self, bad: Project) -> None:
        """type_checks='warn' emits the message as a RuntimeWarning and returns the instance."""
        registry = ModuleRegistry.from_manifest(bad.manifest_path, type_checks="warn")
        with pytest.warns(RuntimeWarning, match=r"^plugin `bad-storage` \(") as caught:
            instance = registry.create_plugin("bad-storage")
        assert type(instance).__name__ == "BadStorage"
        assert len(caught) == 1

    def test_off_checks_nothing_and_imports_no_typeguard(self, bad: Project) -> None:
        """type_checks='off' builds the plugin without importing typeguard."""
        out = run_python(
            f"""
            import sys
            from mreg_di._registry import ModuleRegistry
            registry = ModuleRegistry.from_manifest({str(bad.manifest_path)!r}, type_checks="off")
            print(type(registry.create_plugin("bad-storage")).__name__, "typeguard" in sys.modules)
            """,
            extra_path=bad.root,
        )
        assert out.strip() == "BadStorage False"

    def test_first_construction_only(self, project: Project) -> None:
        """A factory-scoped plugin is checked on its first construction only."""
        project.write(
            "per.call",
            """
            from mreg_di import plugin


            @plugin("per-call", scope="factory")
            class PerCall:
                def __init__(self, size: int) -> None:
                    self.size = size
            """,
        )
        project.build()
        registry = ModuleRegistry.from_manifest(
            project.manifest_path, config={"per-call": {"size": "big"}}, type_checks="warn"
        )
        with pytest.warns(RuntimeWarning, match="parameter `size` expects `int`"):
            first = registry.create_plugin("per-call")
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            second = registry.create_plugin("per-call")
        assert (first.size, second.size) == ("big", "big")
        assert first is not second


class TestUnresolvableAnnotations:
    def test_type_checking_only_import_is_skipped(self, project: Project) -> None:
        """An annotation that cannot be evaluated is not checked, and does not fail the plugin."""
        project.write(
            "money.ledger",
            """
            from __future__ import annotations

            from typing import TYPE_CHECKING

            from mreg_di import plugin

            if TYPE_CHECKING:
                from decimal import Decimal


            @plugin("ledger")
            class Ledger:
                def __init__(self, limit: Decimal, owner: str) -> None:
                    self.limit = limit
                    self.owner = owner
            """,
        )
        project.build()
        registry = ModuleRegistry.from_manifest(
            project.manifest_path, config={"ledger": {"limit": "1.5", "owner": "me"}}
        )
        ledger = registry.create_plugin("ledger")
        assert (ledger.limit, ledger.owner) == ("1.5", "me")
        bad = ModuleRegistry.from_manifest(
            project.manifest_path, config={"ledger": {"limit": 1, "owner": 2}}
        )
        with pytest.raises(PluginTypeError, match="parameter `owner` expects `str`"):
            bad.create_plugin("ledger")


class Greeter(Protocol):
    def greet(self) -> str: ...


class Host:
    def __init__(self, greeter: Greeter, names: list[str]) -> None:
        self.greeter = greeter


class TestTypeCheckerUnit:
    def test_injected_argument(self) -> None:
        """An injected argument of the wrong type points at the plugin it came from."""
        record = PluginRecord(PluginSpec("host"), __name__, "Host", "t/host.py", 3)
        checker = TypeChecker("error")
        with pytest.raises(PluginTypeError) as info:
            checker.check_arguments(
                record,
                Host,
                {"greeter": object(), "names": ["a"]},
                {"greeter": "plugin `hello` (t/hello.py:8)"},
            )
        assert str(info.value) == (
            "plugin `host` (t/host.py:3): parameter `greeter` expects "
            f"`{__name__}.Greeter` but got `object` (object is not compatible with the Greeter "
            "protocol because it has no method named 'greet')\n"
            "Hint: the value comes from plugin `hello` (t/hello.py:8); make that plugin match "
            "the annotation, or correct the annotation of `greeter`"
        )

    def test_every_list_item_is_checked(self) -> None:
        """Every item of a list argument is checked, not only the first."""
        record = PluginRecord(PluginSpec("host"), __name__, "Host")
        greeter = type("G", (), {"greet": lambda self: "hi"})()
        with pytest.raises(
            PluginTypeError, match=re.escape("(item 2 of list is not an instance of str)")
        ):
            TypeChecker("error").check_arguments(
                record, Host, {"greeter": greeter, "names": ["a", "b", 3]}, {"names": "x.toml"}
            )

    def test_unknown_mode(self) -> None:
        """An unknown mode is refused with the valid ones and what they do."""
        message = (
            "type_checks must be one of 'error', 'warn', 'off', not 'loud'\n"
            "Hint: 'error' (the default) raises PluginTypeError on a mismatch, 'warn' emits a "
            "RuntimeWarning, 'off' skips the checks"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            TypeChecker("loud")  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("hint", "text"),
        [
            (int, "int"),
            (list[int], "list[int]"),
            (Greeter, f"{__name__}.Greeter"),
            (int | None, "int | None"),
        ],
    )
    def test_type_text(self, hint: object, text: str) -> None:
        """Types are shown qualified, builtins bare."""
        assert type_text(hint) == text
