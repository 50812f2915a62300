"""Tests for mreg_di._registration: runtime registration, PluginConfig, and its atomicity."""

from __future__ import annotations

import importlib
import re
from typing import Any, Protocol

import pytest
from runtime_support import Project

from mreg_di import factory, plugin
from mreg_di._errors import ResolutionError
from mreg_di._registration import PluginConfig
from mreg_di._registry import ModuleRegistry


class Greeter(Protocol):
    def greet(self) -> str: ...


class Clock(Protocol):
    def now(self) -> float: ...


@plugin("english", provides=[Greeter])
class English:
    """Says hello."""

    def greet(self) -> str:
        return "hello"


@plugin("host")
class Host:
    def __init__(self, greeter: Greeter, clock: Clock | None = None) -> None:
        self.greeter = greeter
        self.clock = clock


class FixedClock:
    """Always noon."""

    def now(self) -> float:
        return 12.0


class NeedsClock:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock


class ClockOfA:
    def __init__(self, a: NeedsClock) -> None:
        self.a = a

    def now(self) -> float:
        return 1.0


class TestDecorated:
    def test_class(self) -> None:
        """A decorated class can be registered and is then resolved like any plugin."""
        registry = ModuleRegistry()
        spec = registry.register_plugin(English)
        assert (spec.name, spec.description) == ("english", "Says hello.")
        assert registry.get(Greeter).greet() == "hello"
        assert registry.create_plugin("english") is registry.get(English)

    def test_dependencies_are_injected(self) -> None:
        """A runtime plugin's parameters are classified and injected."""
        registry = ModuleRegistry()
        registry.register_plugin(English)
        registry.register_plugin(Host)
        host = registry.create_plugin("host")
        assert host.greeter is registry.get(Greeter)
        assert host.clock is None

    def test_factory(self) -> None:
        """A decorated factory function registers with its variants."""

        @factory("greeters", variants=["loud", "quiet"])
        def make(variant: str) -> str:
            return variant.upper() if variant == "loud" else variant

        registry = ModuleRegistry()
        registry.register_plugin(make)
        assert registry.factories() == {"greeters": ("loud", "quiet")}
        assert registry.create_plugin_from_factory("greeters", "loud") == "LOUD"

    def test_not_decorated(self) -> None:
        """An undecorated class is refused with both ways to register it."""
        message = (
            "register_plugin(FixedClock): FixedClock is not decorated with @plugin or @factory\n"
            "Hint: decorate it with `@plugin(...)`/`@factory(...)`, or pass "
            "`PluginConfig(...), implementation=...`"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            ModuleRegistry().register_plugin(FixedClock)

    def test_implementation_needs_a_config(self) -> None:
        """implementation= goes with a PluginConfig only."""
        with pytest.raises(
            TypeError, match=re.escape("`implementation=` goes with a PluginConfig")
        ):
            ModuleRegistry().register_plugin(English, implementation=English)


class TestPluginConfig:
    def test_seed_style(self) -> None:
        """PluginConfig plus implementation registers a plain class, the seed's way."""
        registry = ModuleRegistry()
        spec = registry.register_plugin(
            PluginConfig(
                name="clock",
                version="1.2",
                type="monitoring",
                capabilities=["time"],
                provides=[Clock],
                metadata={"tz": "UTC"},
            ),
            implementation=FixedClock,
        )
        assert spec.description == "Always noon."
        assert spec.provides == (f"{__name__}.Clock",)
        assert (spec.version, spec.type, spec.capabilities) == ("1.2", "monitoring", ("time",))
        assert registry.get(Clock).now() == 12.0

    def test_dependencies_are_requirements(self) -> None:
        """`dependencies` are named requirements, checked when registering."""
        registry = ModuleRegistry()
        registry.register_plugin(
            PluginConfig(name="clock", version="2.0"), implementation=FixedClock
        )
        spec = registry.register_plugin(
            PluginConfig(name="timed", dependencies=["clock>=1"]), implementation=FixedClock
        )
        assert spec.requires == ("clock>=1",)
        with pytest.raises(ResolutionError) as info:
            registry.register_plugin(
                PluginConfig(name="picky", dependencies=["clock>=3"]), implementation=FixedClock
            )
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- `picky` requires `clock>=3` but the active `clock` is version 2.0 "
            f"({__name__}:FixedClock)\n"
            "  Hint: upgrade `clock` or relax the specifier `>=3`"
        )

    @pytest.mark.parametrize(
        ("options", "error", "message"),
        [
            (
                {"name": "bad name"},
                ValueError,
                "PluginConfig(name='bad name'): plugin name 'bad name' must contain only letters, "
                "digits, '.', '_' and '-', and start and end with a letter or digit",
            ),
            (
                {"name": "x", "version": "two"},
                ValueError,
                "PluginConfig(name='x'): version 'two' is not a valid PEP 440 version "
                "(e.g. '1.0', '2.1.0rc1')",
            ),
            (
                {"name": "x", "scope": "request"},
                ValueError,
                "PluginConfig(name='x'): scope 'request' is not one of 'singleton', 'factory', "
                "'thread'",
            ),
            (
                {"name": "x", "capabilities": "fast"},
                TypeError,
                "PluginConfig(name='x'): capabilities must be a list of strings, not str",
            ),
            (
                {"name": "x", "dependencies": ["clock>>1"]},
                ValueError,
                "PluginConfig(name='x'): requirement 'clock>>1' must be a plugin name optionally "
                "followed by PEP 440 specifiers, e.g. 'memory-storage>=1.0,<2'",
            ),
            (
                {"name": "x", "priority": True},
                TypeError,
                "PluginConfig(name='x'): priority must be an int, not True",
            ),
            (
                {"name": "x", "profiles": ["test", "default"]},
                ValueError,
                "PluginConfig(name='x'): profile 'default' is reserved for running without a "
                "profile, where only plugins that list no profile are active: a plugin listing "
                "it is active nowhere\nHint: leave profiles empty to be active in every profile, "
                "the default one included, or list only named profiles such as 'production'",
            ),
            (
                {"name": "x", "metadata": {"when": object}},
                TypeError,
                "PluginConfig(name='x'): metadata['when'] must hold only JSON values (str, int, "
                "float, bool, None, list, dict), found type",
            ),
        ],
    )
    def test_invalid(self, options: dict[str, Any], error: type[Exception], message: str) -> None:
        """Invalid fields are refused when the config is created, naming the field."""
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            PluginConfig(**options)

    def test_implementation_required(self) -> None:
        """A PluginConfig without implementation says what to pass."""
        message = (
            "register_plugin(PluginConfig(name='clock')): pass the class as `implementation=`\n"
            "Hint: for a factory function use "
            "`registry.register_plugin_factory(config, factory=..., variants=[...])`"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            ModuleRegistry().register_plugin(PluginConfig(name="clock"))

    def test_implementation_must_be_a_class(self) -> None:
        """A function given as implementation points to register_plugin_factory."""
        with pytest.raises(TypeError, match=re.escape("`implementation` must be a class")):
            ModuleRegistry().register_plugin(PluginConfig(name="clock"), implementation=len)


class TestFactoryConfig:
    def test_variants(self) -> None:
        """register_plugin_factory takes the function and its variants."""

        def build(variant: str, greeter: Greeter) -> str:
            return f"{variant}:{greeter.greet()}"

        registry = ModuleRegistry()
        registry.register_plugin(English)
        spec = registry.register_plugin_factory(
            PluginConfig(name="builder"), factory=build, variants=["a", "b"]
        )
        assert (spec.kind, spec.variants) == ("factory", ("a", "b"))
        assert registry.create_plugin_from_factory("builder", "b") == "b:hello"

    def test_variants_without_parameter(self) -> None:
        """Variants for a factory without a `variant` parameter are refused."""
        message = (
            "register_plugin_factory(PluginConfig(name='f')): variants were given but the "
            "factory takes no `variant` parameter\nHint: add a `variant: str` parameter to the "
            "factory"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            ModuleRegistry().register_plugin_factory(
                PluginConfig(name="f"), factory=lambda: 1, variants=["a"]
            )

    def test_parameter_without_variants(self) -> None:
        """A factory taking `variant` needs variants."""
        with pytest.raises(ValueError, match=re.escape("no variants were given")):
            ModuleRegistry().register_plugin_factory(
                PluginConfig(name="f"), factory=lambda variant: variant
            )

    def test_factory_must_be_a_function(self) -> None:
        """A class given as factory is refused."""
        with pytest.raises(TypeError, match=re.escape("`factory` must be a function")):
            ModuleRegistry().register_plugin_factory(PluginConfig(name="f"), factory=FixedClock)

    def test_needs_a_plugin_config(self) -> None:
        """register_plugin_factory takes a PluginConfig."""
        with pytest.raises(
            TypeError, match=r"^register_plugin_factory takes a PluginConfig, not str"
        ):
            ModuleRegistry().register_plugin_factory("f", factory=len)  # type: ignore[arg-type]


def snapshot(registry: ModuleRegistry) -> tuple[Any, ...]:
    """Everything a user can observe about a registry's plugins."""
    try:
        registry.validate()
        valid = "valid"
    except ResolutionError as exc:
        valid = str(exc)
    return (
        registry._catalogue().names(),
        sorted(registry.graph.nodes),
        sorted(registry.graph.edges),
        registry.factories(),
        [id(g) for g in registry.get_all(Greeter)],
        id(registry.get(Greeter)),
        valid,
        registry.profile,
    )


class TestAtomicity:
    def test_duplicate_name_changes_nothing(self) -> None:
        """A duplicate name is refused and the registry stays exactly as it was."""
        registry = ModuleRegistry()
        registry.register_plugin(English)
        before = snapshot(registry)
        message = (
            "cannot register plugin `english` (FixedClock): a plugin with that name already "
            f"exists ({__name__}:English)\nHint: choose another name, or replace its instance "
            "in tests with `registry.override('english', instance)`"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            registry.register_plugin(PluginConfig(name="english"), implementation=FixedClock)
        assert snapshot(registry) == before

    def test_missing_dependency_changes_nothing(self) -> None:
        """A plugin whose dependency nobody provides is refused; nothing changes."""
        registry = ModuleRegistry()
        registry.register_plugin(English)
        before = snapshot(registry)

        @plugin("needs-clock")
        class NeedsClock:
            def __init__(self, clock: Clock) -> None:
                pass

        with pytest.raises(ResolutionError) as info:
            registry.register_plugin(NeedsClock)
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- `needs-clock` needs `{__name__}.Clock` (constructor parameter `clock`, "
            f"{__name__}:{NeedsClock.__qualname__}) but no active plugin provides it\n"
            "  Hint: declare a plugin with `provides=[Clock]`, or give the parameter a default "
            "or an `| None` annotation"
        )
        assert snapshot(registry) == before

    def test_ambiguity_changes_nothing(self) -> None:
        """A second provider at the same priority, with a consumer, is refused."""
        registry = ModuleRegistry()
        registry.register_plugin(English)
        registry.register_plugin(Host)
        before = snapshot(registry)

        class French:
            def greet(self) -> str:
                return "bonjour"

        with pytest.raises(ResolutionError, match=r"both provide it at priority 0"):
            registry.register_plugin(
                PluginConfig(name="french", provides=[Greeter]), implementation=French
            )
        assert snapshot(registry) == before

    def test_cycle_changes_nothing(self) -> None:
        """A registration closing a cycle is refused, showing the cycle."""
        registry = ModuleRegistry()
        registry.register_plugin(English)
        registry.register_plugin(
            PluginConfig(name="b", provides=[Clock]), implementation=FixedClock
        )
        registry.register_plugin(PluginConfig(name="a"), implementation=NeedsClock)
        before = snapshot(registry)
        with pytest.raises(ResolutionError, match=r"dependency cycle: `a` -> `c` -> `a`"):
            registry.register_plugin(
                PluginConfig(name="c", provides=[Clock], priority=5), implementation=ClockOfA
            )
        assert snapshot(registry) == before


class TestGraphUpdates:
    def test_graph_and_order_follow_registrations(self) -> None:
        """A registration adds its node and edges, and start follows the new order."""
        registry = ModuleRegistry()
        registry.register_plugin(English)
        assert sorted(registry.graph.nodes) == ["english"]
        registry.register_plugin(Host)
        assert sorted(registry.graph.edges) == [("host", "english")]
        with registry:
            assert registry.is_started

    def test_higher_priority_takes_over_new_requests(self) -> None:
        """A new higher-priority provider answers new requests; built singletons are kept."""
        registry = ModuleRegistry()
        registry.register_plugin(English)
        english = registry.get(Greeter)

        class Loud:
            def greet(self) -> str:
                return "HELLO"

        registry.register_plugin(
            PluginConfig(name="loud", provides=[Greeter], priority=10), implementation=Loud
        )
        assert registry.get(Greeter).greet() == "HELLO"
        assert registry.create_plugin("english") is english

    def test_registration_fixes_a_missing_binding(self, project: Project) -> None:
        """Known problems do not block a registration; one that fixes them is accepted."""
        project.write(
            "app.host",
            """
            from typing import Protocol

            from mreg_di import plugin


            class Clock(Protocol):
                def now(self) -> float: ...


            @plugin("app")
            class App:
                def __init__(self, clock: Clock) -> None:
                    self.clock = clock
            """,
        )
        project.build_broken()
        registry = ModuleRegistry.from_manifest(project.manifest_path)
        with pytest.raises(ResolutionError, match=r"no active plugin provides it"):
            registry.validate()
        host = importlib.import_module("app.host")
        registry.register_plugin(
            PluginConfig(name="clock", provides=[host.Clock]), implementation=FixedClock
        )
        registry.validate()
        assert registry.create_plugin("app").clock.now() == 12.0
        assert registry._catalogue().names() == ["app", "clock"]
