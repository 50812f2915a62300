"""Tests for mreg_di._container: providers per scope, built lazily along the closure."""

from __future__ import annotations

import importlib
import sys

import pytest
from dependency_injector import providers
from runtime_support import Project

from mreg_di._errors import ResolutionError
from mreg_di._registry import ModuleRegistry


class TestLaziness:
    def test_only_the_closure_gets_providers(self, acme: Project) -> None:
        """Building one plugin creates providers for it and its dependencies only."""
        registry = ModuleRegistry.from_manifest(acme.manifest_path)
        assert registry._container.providers == {}
        registry.create_plugin("pipeline")
        assert sorted(registry._container.providers) == [
            "gzip-compressor",
            "list-sink",
            "log-sink",
            "memory-storage",
            "pipeline",
        ]

    def test_creating_a_provider_imports_nothing(self, acme: Project) -> None:
        """A provider exists before its module is imported; calling it imports."""
        registry = ModuleRegistry.from_manifest(acme.manifest_path)
        provider = registry._container.provider("gzip-compressor")
        assert "acme.compression" not in sys.modules
        assert provider().level == 6
        assert "acme.compression" in sys.modules


class TestScopes:
    def test_provider_kinds(self, project: Project) -> None:
        """Singletons are thread-safe singletons, factories factories, thread scope
        thread-local singletons."""
        project.write(
            "scopes.plugins",
            """
            from mreg_di import plugin


            @plugin("one")
            class One:
                pass


            @plugin("many", scope="factory")
            class Many:
                pass


            @plugin("local", scope="thread")
            class Local:
                pass
            """,
        )
        project.build()
        container = ModuleRegistry.from_manifest(project.manifest_path)._container
        assert type(container.provider("one")) is providers.ThreadSafeSingleton
        assert type(container.provider("many")) is providers.Factory
        assert type(container.provider("local")) is providers.ThreadLocalSingleton

    def test_factory_provider_calls_the_class_after_first_use(self, acme: Project) -> None:
        """After its first (checked) construction a factory provider targets the class."""
        registry = ModuleRegistry.from_manifest(acme.manifest_path)
        provider = registry._container.provider("pipeline")
        assert not isinstance(provider.provides, type)
        registry.create_plugin("pipeline")
        assert provider.provides is importlib.import_module("acme.pipeline").Pipeline

    def test_many_is_a_list_provider_in_priority_order(self, acme: Project) -> None:
        """A list[X] parameter is a providers.List of every provider, by priority."""
        registry = ModuleRegistry.from_manifest(acme.manifest_path)
        sinks = registry._container.provider("pipeline").kwargs["sinks"]
        assert type(sinks) is providers.List
        assert sinks.args == (
            registry._container.provider("log-sink"),
            registry._container.provider("list-sink"),
        )


OPTIONAL = """
from typing import Protocol

from mreg_di import plugin


class Clock(Protocol):
    def now(self) -> float: ...


DEFAULT_CLOCK = object()


@plugin("uses-none")
class UsesNone:
    def __init__(self, clock: Clock | None) -> None:
        self.clock = clock


@plugin("uses-default")
class UsesDefault:
    def __init__(self, clock: Clock = DEFAULT_CLOCK) -> None:  # type: ignore[assignment]
        self.clock = clock
"""


class TestOptional:
    def test_none_or_default(self, project: Project) -> None:
        """An optional parameter nobody provides gets None, or its default if it has one."""
        project.write("opt.plugins", OPTIONAL)
        project.build()
        registry = ModuleRegistry.from_manifest(project.manifest_path, type_checks="off")
        assert registry.create_plugin("uses-none").clock is None
        module = importlib.import_module("opt.plugins")
        assert registry.create_plugin("uses-default").clock is module.DEFAULT_CLOCK


CYCLE = """
from mreg_di import plugin


@plugin("a")
class A:
    def __init__(self, b: "B") -> None:
        self.b = b


@plugin("b")
class B:
    def __init__(self, a: A) -> None:
        self.a = a


@plugin("c")
class C:
    pass
"""


class TestProblemsAtConstruction:
    def test_cycle(self, project: Project) -> None:
        """A cycle met while building is a ResolutionError showing its path."""
        project.write("loop.plugins", CYCLE)
        project.build_broken()
        registry = ModuleRegistry.from_manifest(project.manifest_path)
        assert registry.create_plugin("c") is registry.create_plugin("c")
        with pytest.raises(ResolutionError) as info:
            registry.create_plugin("a")
        where = project.location("loop.plugins", '@plugin("a"')
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- {where}: dependency cycle: `a` -> `b` -> `a`\n"
            "  Hint: break the cycle: make one of these parameters optional and set it later, "
            "or move the shared part into a plugin both depend on"
        )

    def test_missing_binding(self, project: Project) -> None:
        """A missing dependency is reported when the consumer is built, with its location."""
        project.write(
            "gap.plugins",
            """
            from typing import Protocol

            from mreg_di import plugin


            class Clock(Protocol):
                def now(self) -> float: ...


            @plugin("timer")
            class Timer:
                def __init__(self, clock: Clock) -> None:
                    self.clock = clock
            """,
        )
        project.build_broken()
        with pytest.raises(ResolutionError) as info:
            ModuleRegistry.from_manifest(project.manifest_path).create_plugin("timer")
        where = project.location("gap.plugins", "def __init__(self, clock: Clock)")
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- {where}: `timer` needs `gap.plugins.Clock` (constructor parameter `clock`, "
            f"{where}) but no active plugin provides it\n"
            "  Hint: declare a plugin with `provides=[Clock]`, or give the parameter a default "
            "or an `| None` annotation"
        )
        assert "gap.plugins" not in sys.modules

    def test_constructor_error_names_the_plugin(self, project: Project) -> None:
        """An exception from a plugin's own constructor propagates with a note naming it."""
        project.write(
            "boom.plugins",
            """
            from mreg_di import plugin


            @plugin("boom")
            class Boom:
                def __init__(self) -> None:
                    raise ConnectionError("database is down")
            """,
        )
        project.build()
        with pytest.raises(ConnectionError) as info:
            ModuleRegistry.from_manifest(project.manifest_path).create_plugin("boom")
        assert str(info.value) == "database is down"
        where = project.location("boom.plugins", '@plugin("boom")')
        assert info.value.__notes__ == [
            f"mreg-di: raised while constructing plugin `boom` ({where})"
        ]

    def test_constructor_from_another_file_gets_a_hint(self, project: Project) -> None:
        """A TypeError from an __init__ the scanner could not see names what it lacks and why."""
        project.write(
            "inherit.base",
            """
            class Base:
                def __init__(self, size: int, *, label: str, tag: str = "") -> None:
                    self.size = size
            """,
        )
        project.write(
            "inherit.plugins",
            """
            from mreg_di import plugin

            from inherit.base import Base


            @plugin("cart")
            class Cart(Base):
                pass
            """,
        )
        project.build()
        with pytest.raises(TypeError) as info:
            ModuleRegistry.from_manifest(project.manifest_path).create_plugin("cart")
        where = project.location("inherit.plugins", '@plugin("cart")')
        assert info.value.__notes__ == [
            f"mreg-di: raised while constructing plugin `cart` ({where})",
            "mreg-di: `Cart` requires `size`, `label`, which the manifest does not record: "
            "mreg-codegen reads a constructor only from the plugin's own file, so not one "
            "inherited from another module, nor one generated by attrs or pydantic\n"
            "Hint: define `__init__` in `Cart` (or make it a @dataclass), then re-run "
            "`mreg-codegen scan`",
        ]

    def test_other_type_errors_get_no_hint(self, project: Project) -> None:
        """A TypeError the constructor raises itself, all parameters known, gets one note."""
        project.write(
            "strict.plugins",
            """
            from mreg_di import plugin


            @plugin("strict")
            class Strict:
                def __init__(self, size: int = 1) -> None:
                    raise TypeError("size must be even")
            """,
        )
        project.build()
        with pytest.raises(TypeError) as info:
            ModuleRegistry.from_manifest(project.manifest_path).create_plugin("strict")
        assert str(info.value) == "size must be even"
        where = project.location("strict.plugins", '@plugin("strict")')
        assert info.value.__notes__ == [
            f"mreg-di: raised while constructing plugin `strict` ({where})"
        ]


class TestOverridesAndResets:
    def test_override_before_the_provider_exists(self, acme: Project) -> None:
        """An override entered before anything was built applies when the provider is built."""
        registry = ModuleRegistry.from_manifest(acme.manifest_path)
        fake = object()
        with registry.override("memory-storage", fake):
            assert registry._container.providers == {}
            assert registry.create_plugin("pipeline").storage is fake

    def test_reset_drops_singleton_instances(self, acme: Project) -> None:
        """reset() makes singleton providers build a new instance."""
        registry = ModuleRegistry.from_manifest(acme.manifest_path)
        container = registry._container
        first = container.provider("gzip-compressor")()
        assert container.instantiated == {"gzip-compressor"}
        container.reset(["gzip-compressor"])
        assert container.instantiated == set()
        assert container.provider("gzip-compressor")() is not first
