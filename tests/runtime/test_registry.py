"""Tests for mreg_di._registry: loading, resolution, profiles, factories, validation, overrides."""

from __future__ import annotations

import functools
import importlib
import json
import re
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from runtime_support import ACME, Project, run_python

from mreg_di import plugin
from mreg_di._errors import ManifestError, PluginNotFoundError, ResolutionError
from mreg_di._manifest import SCHEMA_VERSION
from mreg_di._registry import ModuleRegistry


def acme_registry(project: Project, **options: Any) -> ModuleRegistry:
    return ModuleRegistry.from_manifest(project.manifest_path, **options)


def interfaces() -> Any:
    return importlib.import_module("acme.interfaces")


class TestFromManifest:
    def test_no_manifest_uses_the_current_schema(self) -> None:
        """A registry built without a manifest holds an empty one at the current schema."""
        assert ModuleRegistry()._manifest.to_data()["schema"] == SCHEMA_VERSION

    def test_imports_no_plugin_module(self, acme: Project) -> None:
        """Loading the manifest leaves every plugin module unimported."""
        registry = acme_registry(acme)
        assert registry.profile == "default"
        assert not [name for name in sys.modules if name.startswith("acme")]

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing manifest is a ManifestError saying how to generate it."""
        path = tmp_path / "nowhere.json"
        with pytest.raises(ManifestError) as info:
            ModuleRegistry.from_manifest(path)
        assert str(info.value) == (
            f"{path}: cannot read the manifest: No such file or directory\n"
            "Hint: run `mreg-codegen scan SRC --output MANIFEST` to generate it, or pass the "
            "right path"
        )

    def test_profile_and_repr(self, acme: Project) -> None:
        """The profile is kept and shown, with the number of plugins."""
        registry = acme_registry(acme, profile="dev")
        assert registry.profile == "dev"
        assert (
            repr(registry)
            == f"<ModuleRegistry {str(acme.manifest_path)!r} profile='dev': 7 plugins>"
        )

    def test_bad_profile(self, acme: Project) -> None:
        """An empty profile name is refused."""
        with pytest.raises(
            TypeError, match=re.escape("profile must be a non-empty string or None, not ''")
        ):
            acme_registry(acme, profile="")

    def test_bad_type_checks(self, acme: Project) -> None:
        """An unknown type_checks mode is refused with the valid ones."""
        with pytest.raises(
            ValueError,
            match=re.escape("type_checks must be one of 'error', 'warn', 'off', not 'strict'"),
        ):
            acme_registry(acme, type_checks="strict")  # type: ignore[arg-type]


class TestStartupImports:
    def test_nothing_heavy_after_from_manifest(self, acme: Project) -> None:
        """After from_manifest no plugin module, networkx, typeguard, libcst,
        dependency_injector or attrs is imported (fresh interpreter)."""
        out = run_python(
            f"""
            import sys
            from mreg_di._registry import ModuleRegistry
            registry = ModuleRegistry.from_manifest({str(acme.manifest_path)!r})
            heavy = ("networkx", "typeguard", "libcst", "dependency_injector", "attr", "attrs")
            print(sorted(
                m for m in sys.modules if m.partition(".")[0] in heavy or m.startswith("acme")
            ))
            """,
            extra_path=acme.root,
        )
        assert out.strip() == "[]"

    def test_one_get_imports_exactly_the_closure(self, acme: Project) -> None:
        """create_plugin imports the plugin's module and its dependencies' modules, no others."""
        out = run_python(
            f"""
            import sys
            from mreg_di._registry import ModuleRegistry
            registry = ModuleRegistry.from_manifest({str(acme.manifest_path)!r})
            registry.create_plugin("pipeline")
            print(sorted(m for m in sys.modules if m.startswith("acme")))
            """,
            extra_path=acme.root,
        )
        # pipeline -> memory-storage, gzip-compressor, log-sink, list-sink (clock: nobody);
        # acme.factories (processor-factory) and mock-storage's profile are not touched.
        assert json.loads(out.replace("'", '"')) == [
            "acme",
            "acme.compression",
            "acme.interfaces",
            "acme.pipeline",
            "acme.sinks",
            "acme.storage",
        ]

    def test_leaf_get_imports_one_module(self, acme: Project) -> None:
        """Asking for a plugin without dependencies imports its module only."""
        out = run_python(
            f"""
            import sys
            from mreg_di._registry import ModuleRegistry
            registry = ModuleRegistry.from_manifest({str(acme.manifest_path)!r})
            registry.get("acme.interfaces.Compressor")
            print(sorted(m for m in sys.modules if m.startswith("acme")))
            print("networkx" in sys.modules)
            """,
            extra_path=acme.root,
        )
        modules, networkx = out.strip().splitlines()
        assert modules == "['acme', 'acme.compression', 'acme.interfaces']"
        assert networkx == "False"


class TestFromPackage:
    def test_reads_manifest_inside_package(self, project: Project) -> None:
        """from_package finds mreg-manifest.json in the package and imports no plugin module."""
        for module, source in ACME.items():
            project.write(module, source)
        project.build(project.root / "acme" / "mreg-manifest.json")
        registry = ModuleRegistry.from_package("acme")
        assert sorted(m for m in sys.modules if m.startswith("acme")) == ["acme"]
        assert registry.create_plugin("gzip-compressor").level == 6
        assert registry.manifest.source == str(project.root / "acme" / "mreg-manifest.json")

    def test_package_without_manifest(self, project: Project) -> None:
        """A package without a manifest is a ManifestError saying how to ship one."""
        project.write("bare.mod", "X = 1\n")
        with pytest.raises(ManifestError) as info:
            ModuleRegistry.from_package("bare")
        assert str(info.value) == (
            "bare/mreg-manifest.json: package `bare` has no mreg-manifest.json\n"
            "Hint: generate it with `mreg-codegen scan <src> --output <package dir>/"
            "mreg-manifest.json` and ship it as package data"
        )


class TestGet:
    def test_by_interface_is_a_cached_singleton(self, acme: Project) -> None:
        """get(Interface) returns the one provider's instance, the same every time."""
        registry = acme_registry(acme)
        storage = registry.get(interfaces().Storage)
        assert type(storage).__name__ == "MemoryStorage"
        assert registry.get(interfaces().Storage) is storage
        assert registry.create_plugin("memory-storage") is storage

    def test_by_qualified_name(self, acme: Project) -> None:
        """A qualified-name string answers like the class."""
        registry = acme_registry(acme)
        assert registry.get("acme.interfaces.Storage") is registry.get(interfaces().Storage)

    def test_by_implementation_class(self, acme: Project) -> None:
        """A plugin is bound to its own class too."""
        registry = acme_registry(acme)
        storage = registry.get("acme.storage.MemoryStorage")
        assert storage is registry.create_plugin("memory-storage")

    def test_highest_priority_wins(self, acme: Project) -> None:
        """Among several providers the highest priority answers."""
        registry = acme_registry(acme)
        assert type(registry.get(interfaces().MetricsSink)).__name__ == "LogSink"

    def test_factory_scope_builds_anew(self, acme: Project) -> None:
        """A factory-scoped plugin is built on every request, around shared singletons."""
        registry = acme_registry(acme)
        first, second = registry.create_plugin("pipeline"), registry.create_plugin("pipeline")
        assert first is not second
        assert first.storage is second.storage is registry.get(interfaces().Storage)

    def test_injection(self, acme: Project) -> None:
        """Single, many and optional parameters are filled as declared."""
        pipeline = acme_registry(acme).create_plugin("pipeline")
        assert type(pipeline.compressor).__name__ == "GzipCompressor"
        assert [type(s).__name__ for s in pipeline.sinks] == ["LogSink", "ListSink"]
        assert pipeline.clock is None
        assert pipeline.name == "main"
        pipeline.run("k", b"data" * 10)
        assert pipeline.storage.get("k").startswith(b"\x1f\x8b")

    def test_unknown_interface_suggests_close_ones(self, acme: Project) -> None:
        """A misspelt interface names what was asked and suggests close interfaces."""
        with pytest.raises(PluginNotFoundError) as info:
            acme_registry(acme).get("acme.interfaces.Compresor")
        assert str(info.value) == (
            "no active plugin provides `acme.interfaces.Compresor` in profile `default`\n"
            "Hint: did you mean `acme.interfaces.Compressor`?\n"
            "Hint: declare a plugin with `provides=[Compresor]`, or register one with "
            "`registry.register_plugin(...)`"
        )
        assert isinstance(info.value, LookupError)

    def test_interface_only_in_other_profile(self, project: Project) -> None:
        """An interface provided only in another profile says which plugin and profile."""
        project.write("acme.interfaces", ACME["acme.interfaces"])
        project.write(
            "acme.mocks",
            """
            from mreg_di import plugin
            from acme.interfaces import Clock


            @plugin("fake-clock", provides=[Clock], profiles=["test"])
            class FakeClock:
                def now(self) -> float:
                    return 0.0
            """,
        )
        project.build()
        registry = ModuleRegistry.from_manifest(project.manifest_path)
        with pytest.raises(PluginNotFoundError) as info:
            registry.get("acme.interfaces.Clock")
        where = project.location("acme.mocks", '@plugin("fake-clock"')
        assert str(info.value) == (
            "no active plugin provides `acme.interfaces.Clock` in profile `default`: it is "
            f"provided only in other profiles: `fake-clock` ({where}, profile(s) `test`)\n"
            "Hint: create the registry with `profile='test'`, or add a provider active in "
            "`default`"
        )
        test = ModuleRegistry.from_manifest(project.manifest_path, profile="test")
        assert test.get("acme.interfaces.Clock").now() == 0.0

    def test_plugin_name_given_to_get(self, acme: Project) -> None:
        """Passing a plugin name to get points to create_plugin."""
        with pytest.raises(PluginNotFoundError) as info:
            acme_registry(acme).get("memory-storage")
        assert str(info.value) == (
            "no active plugin provides `memory-storage` in profile `default`\n"
            "Hint: `memory-storage` is a plugin name; use "
            "`registry.create_plugin('memory-storage')`"
        )

    def test_not_a_class(self, acme: Project) -> None:
        """Something that is neither class nor string is a TypeError."""
        with pytest.raises(
            TypeError,
            match=re.escape(
                "get() takes a class or a qualified name such as 'acme.Compressor', not 3"
            ),
        ):
            acme_registry(acme).get(3)  # type: ignore[call-overload]

    def test_tie_is_ambiguous(self, project: Project) -> None:
        """Two providers at the same top priority make get an ambiguity naming both."""
        project.write("acme.interfaces", ACME["acme.interfaces"])
        project.write(
            "acme.clocks",
            """
            from mreg_di import plugin
            from acme.interfaces import Clock


            @plugin("wall-clock", provides=[Clock])
            class WallClock:
                def now(self) -> float:
                    return 1.0


            @plugin("mono-clock", provides=[Clock])
            class MonoClock:
                def now(self) -> float:
                    return 2.0
            """,
        )
        project.build()
        with pytest.raises(ResolutionError) as info:
            ModuleRegistry.from_manifest(project.manifest_path).get("acme.interfaces.Clock")
        mono = project.location("acme.clocks", '@plugin("mono-clock"')
        wall = project.location("acme.clocks", '@plugin("wall-clock"')
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- {mono}: `acme.interfaces.Clock` is provided by `mono-clock` ({mono}) and "
            f"`wall-clock` ({wall}), all at priority 0\n"
            "  Hint: give one provider a higher priority or restrict one to a profile; to get "
            "every provider use `registry.get_all(Clock)`"
        )


class TestGetAll:
    def test_priority_then_name(self, acme: Project) -> None:
        """get_all returns every active provider, highest priority first."""
        sinks = acme_registry(acme).get_all(interfaces().MetricsSink)
        assert [type(s).__name__ for s in sinks] == ["LogSink", "ListSink"]

    def test_same_instances_as_get(self, acme: Project) -> None:
        """Singletons from get_all are the instances get and create_plugin return."""
        registry = acme_registry(acme)
        sinks = registry.get_all("acme.interfaces.MetricsSink")
        assert sinks[0] is registry.get("acme.interfaces.MetricsSink")
        assert sinks[1] is registry.create_plugin("list-sink")

    def test_nobody_provides(self, acme: Project) -> None:
        """An interface nobody provides gives an empty list."""
        assert acme_registry(acme).get_all("acme.interfaces.Clock") == []


class TestCreatePlugin:
    def test_unknown_name_suggests(self, acme: Project) -> None:
        """A misspelt name suggests the close ones."""
        with pytest.raises(PluginNotFoundError) as info:
            acme_registry(acme).create_plugin("gzip-compresor")
        assert str(info.value) == (
            "no active plugin `gzip-compresor` in profile `default`\n"
            "Hint: did you mean `gzip-compressor`?"
        )

    def test_only_in_other_profile(self, acme: Project) -> None:
        """A plugin of another profile says which profile activates it."""
        with pytest.raises(PluginNotFoundError) as info:
            acme_registry(acme).create_plugin("mock-storage")
        where = acme.location("acme.storage", '@plugin("mock-storage"')
        assert str(info.value) == (
            "no active plugin `mock-storage` in profile `default`: `mock-storage` "
            f"({where}) is active only in profile(s) `dev`\n"
            "Hint: create the registry with `profile='dev'`"
        )

    def test_interface_given_to_create_plugin(self, acme: Project) -> None:
        """Passing an interface name to create_plugin points to get."""
        with pytest.raises(PluginNotFoundError) as info:
            acme_registry(acme).create_plugin("acme.interfaces.Storage")
        assert str(info.value) == (
            "no active plugin `acme.interfaces.Storage` in profile `default`\n"
            "Hint: `acme.interfaces.Storage` is an interface; use "
            "`registry.get('acme.interfaces.Storage')`"
        )

    def test_not_a_string(self, acme: Project) -> None:
        """A name that is not a string is a TypeError."""
        with pytest.raises(TypeError, match=re.escape("plugin names are strings, not int: 3")):
            acme_registry(acme).create_plugin(3)  # type: ignore[arg-type]


class TestProfiles:
    def test_profile_plugin_replaces_default_provider(self, acme: Project) -> None:
        """In `dev`, the higher-priority mock storage replaces the memory storage."""
        dev = acme_registry(acme, profile="dev")
        assert type(dev.get(interfaces().Storage)).__name__ == "MockStorage"
        assert type(dev.create_plugin("pipeline").storage).__name__ == "MockStorage"
        assert type(acme_registry(acme).get(interfaces().Storage)).__name__ == "MemoryStorage"

    def test_unmentioned_profile_is_like_default(self, acme: Project) -> None:
        """A profile nobody mentions has the default providers."""
        registry = acme_registry(acme, profile="production")
        assert type(registry.get(interfaces().Storage)).__name__ == "MemoryStorage"


class TestFactories:
    def test_factories_lists_variants(self, acme: Project) -> None:
        """factories() lists each active factory with its variants."""
        assert acme_registry(acme).factories() == {"processor-factory": ("fast", "batch")}

    def test_variant_and_injection(self, acme: Project) -> None:
        """The factory gets the variant and its other parameters injected."""
        registry = acme_registry(acme)
        fast = registry.create_plugin_from_factory("processor-factory", "fast")
        assert fast.variant == "fast"
        assert fast.storage is registry.get(interfaces().Storage)

    def test_singleton_cached_per_variant(self, acme: Project) -> None:
        """A singleton factory builds each variant once."""
        registry = acme_registry(acme)
        fast = registry.create_plugin_from_factory("processor-factory", "fast")
        batch = registry.create_plugin_from_factory("processor-factory", "batch")
        assert fast is registry.create_plugin_from_factory("processor-factory", "fast")
        assert batch is not fast
        assert batch.variant == "batch"

    def test_unknown_variant_lists_valid_ones(self, acme: Project) -> None:
        """An unknown variant is an error listing the valid variants."""
        with pytest.raises(PluginNotFoundError) as info:
            acme_registry(acme).create_plugin_from_factory("processor-factory", "fats")
        where = acme.location("acme.factories", '@factory("processor-factory"')
        assert str(info.value) == (
            f"factory `processor-factory` ({where}) has no variant `fats`: valid variants are "
            "`fast`, `batch`\nHint: did you mean `fast`?"
        )

    def test_class_is_not_a_factory(self, acme: Project) -> None:
        """A plugin class given to create_plugin_from_factory points to create_plugin."""
        with pytest.raises(PluginNotFoundError) as info:
            acme_registry(acme).create_plugin_from_factory("gzip-compressor", "fast")
        where = acme.location("acme.compression", '@plugin("gzip-compressor"')
        assert str(info.value) == (
            "no active factory `gzip-compressor`: `gzip-compressor` "
            f"({where}) is a plugin class, not a factory\n"
            "Hint: use `registry.create_plugin('gzip-compressor')`"
        )

    def test_unknown_factory(self, acme: Project) -> None:
        """An unknown factory name suggests close names."""
        with pytest.raises(PluginNotFoundError) as info:
            acme_registry(acme).create_plugin_from_factory("processor-factroy", "fast")
        assert str(info.value) == (
            "no active factory `processor-factroy` in profile `default`\n"
            "Hint: did you mean `processor-factory`?"
        )

    def test_create_plugin_needs_a_variant(self, acme: Project) -> None:
        """create_plugin on a factory with variants says how to choose one."""
        with pytest.raises(ResolutionError) as info:
            acme_registry(acme).create_plugin("processor-factory")
        where = acme.location("acme.factories", '@factory("processor-factory"')
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- {where}: `processor-factory` is a factory with variants `fast`, `batch` and no "
            "variant was chosen\n"
            "  Hint: call `registry.create_plugin_from_factory('processor-factory', 'fast')`, "
            'or configure one: {"processor-factory": {"variant": "fast"}}'
        )

    def test_configured_variant(self, acme: Project) -> None:
        """A variant set in configuration lets create_plugin build the factory."""
        registry = acme_registry(acme, config={"processor-factory": {"variant": "batch"}})
        assert registry.create_plugin("processor-factory").variant == "batch"


class TestValidate:
    def test_valid_manifest(self, acme: Project) -> None:
        """A manifest validated at build time, with valid configuration, passes."""
        acme_registry(acme, config={"gzip-compressor": {"level": 9}}).validate()

    def test_every_problem_at_once(self, project: Project) -> None:
        """A broken graph and bad configuration are all reported in one ResolutionError."""
        project.write("acme.interfaces", ACME["acme.interfaces"])
        project.write(
            "acme.app",
            """
            from mreg_di import plugin
            from acme.interfaces import Clock, Storage


            @plugin("app", requires=["auth>=1"])
            class App:
                def __init__(self, storage: Storage, region: str, clock: Clock | None) -> None:
                    self.storage = storage
            """,
        )
        project.build_broken()
        registry = ModuleRegistry.from_manifest(
            project.manifest_path, config={"app": {"regoin": "eu"}, "ap": {"x": 1}}
        )
        with pytest.raises(ResolutionError) as info:
            registry.validate()
        app = project.location("acme.app", '@plugin("app"')
        init = project.location("acme.app", "def __init__")  # the parameters' line
        assert [p.kind.value for p in info.value.problems] == [
            "missing-binding",
            "missing-requirement",
            "unknown-configuration",
            "unknown-configuration",
            "missing-configuration",
        ]
        assert str(info.value) == (
            "5 problems in the plugin graph:\n"
            f"- {init}: `app` needs `acme.interfaces.Storage` (constructor parameter `storage`, "
            f"{init}) but no active plugin provides it\n"
            "  Hint: declare a plugin with `provides=[Storage]`, or give the parameter a "
            "default or an `| None` annotation\n"
            f"- {app}: `app` requires `auth>=1` but no active plugin is named `auth`\n"
            "  Hint: add that plugin, activate the profile it belongs to, or remove the "
            "requirement\n"
            "- configuration names plugin `ap` (from the configuration dict), but no plugin "
            "has that name\n"
            "  Hint: did you mean `app`? check the plugin name, or remove the entry\n"
            f"- {app}: configuration for `app` sets `regoin` (from the configuration dict), "
            "which is not one of its parameters; valid parameters: `region`\n"
            "  Hint: did you mean `region`? Otherwise remove `regoin` from the configuration "
            "dict\n"
            f"- {init}: `app` needs a value for parameter `region`, which has no default and "
            "is not configured\n"
            '  Hint: add {"app": {"region": ...}} to the configuration, set MREG_APP__REGION, '
            "or give the parameter a default"
        )

    def test_trusted_order_needs_no_networkx(self, acme: Project) -> None:
        """validate() on a manifest with a validated order imports no networkx."""
        out = run_python(
            f"""
            import sys
            from mreg_di._registry import ModuleRegistry
            ModuleRegistry.from_manifest({str(acme.manifest_path)!r}).validate()
            print("networkx" in sys.modules)
            """,
            extra_path=acme.root,
        )
        assert out.strip() == "False"


class TestGraph:
    def test_active_plugins_and_edges(self, acme: Project) -> None:
        """graph has the active plugins as nodes and consumer -> dependency edges."""
        graph = acme_registry(acme).graph
        assert sorted(graph.nodes) == [
            "gzip-compressor",
            "list-sink",
            "log-sink",
            "memory-storage",
            "pipeline",
            "processor-factory",
        ]
        assert graph.edges["pipeline", "memory-storage"]["via"] == [
            "parameter `storage`",
            "requires `memory-storage>=1.0`",
        ]
        assert ("pipeline", "list-sink") in graph.edges

    def test_built_once(self, acme: Project) -> None:
        """The graph is built on first access and then reused."""
        registry = acme_registry(acme)
        assert registry.graph is registry.graph


class TestOverride:
    def test_by_interface_and_restored(self, acme: Project) -> None:
        """Inside the block get returns the stand-in; afterwards the real plugin again."""
        registry = acme_registry(acme)
        real = registry.get(interfaces().Storage)
        fake = object()
        with registry.override(interfaces().Storage, fake) as given:
            assert given is fake
            assert registry.get(interfaces().Storage) is fake
            assert registry.create_plugin("memory-storage") is fake
        assert registry.get(interfaces().Storage) is real

    def test_consumers_receive_the_stand_in(self, acme: Project) -> None:
        """Consumers built inside the block are injected with the stand-in."""
        registry = acme_registry(acme)
        fake = type(
            "FakeStorage", (), {"put": lambda self, k, d: None, "get": lambda self, k: b""}
        )()
        with registry.override("memory-storage", fake):
            assert registry.create_plugin("pipeline").storage is fake
        assert registry.create_plugin("pipeline").storage is not fake

    def test_nesting(self, acme: Project) -> None:
        """Nested overrides each restore what they replaced."""
        registry = acme_registry(acme)
        outer, inner = object(), object()
        with registry.override(interfaces().Compressor, outer):
            with registry.override("gzip-compressor", inner):
                assert registry.get(interfaces().Compressor) is inner
            assert registry.get(interfaces().Compressor) is outer
        assert type(registry.get(interfaces().Compressor)).__name__ == "GzipCompressor"

    def test_restored_after_an_exception(self, acme: Project) -> None:
        """An exception inside the block still restores the plugin."""
        registry = acme_registry(acme)
        with pytest.raises(RuntimeError, match=r"^boom$"), registry.override("log-sink", 1):
            raise RuntimeError("boom")
        assert type(registry.create_plugin("log-sink")).__name__ == "LogSink"

    def test_unknown_target(self, acme: Project) -> None:
        """Overriding what nothing provides is a PluginNotFoundError."""
        registry = acme_registry(acme)
        expected = re.escape("no active plugin provides `acme.interfaces.Clock`")
        with pytest.raises(PluginNotFoundError, match=f"^{expected}"):
            registry.override("acme.interfaces.Clock", object()).__enter__()

    def test_concurrent_overrides(self, acme: Project) -> None:
        """Overrides entered and left from many threads leave the registry as it was."""
        registry = acme_registry(acme)
        real = registry.get(interfaces().Compressor)
        errors: list[BaseException] = []

        def work() -> None:
            try:
                for _ in range(200):
                    with registry.override("gzip-compressor", object()):
                        registry.get(interfaces().Compressor)
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert registry.get(interfaces().Compressor) is real


class TestThreads:
    def test_slow_singleton_built_once(self, project: Project) -> None:
        """32 threads resolving a slow singleton 1,000 times each all get one instance."""
        project.write(
            "slow.service",
            """
            import time

            from mreg_di import plugin

            BUILT = []


            @plugin("slow")
            class Slow:
                def __init__(self) -> None:
                    time.sleep(0.05)
                    BUILT.append(self)
            """,
        )
        project.build()
        registry = ModuleRegistry.from_manifest(project.manifest_path)
        barrier = threading.Barrier(32)
        seen: list[set[int]] = []

        def work() -> None:
            barrier.wait()
            ids = {id(registry.get("slow.service.Slow")) for _ in range(1000)}
            seen.append(ids)

        threads = [threading.Thread(target=work) for _ in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(seen) == 32
        assert set().union(*seen) == {id(registry.get("slow.service.Slow"))}
        assert len(importlib.import_module("slow.service").BUILT) == 1

    def test_thread_scope(self, project: Project) -> None:
        """A thread-scoped plugin has one instance per thread."""
        project.write(
            "perthread.conn",
            """
            from mreg_di import plugin


            @plugin("conn", scope="thread")
            class Connection:
                pass
            """,
        )
        project.build()
        registry = ModuleRegistry.from_manifest(project.manifest_path)
        mine = registry.create_plugin("conn")
        assert registry.create_plugin("conn") is mine
        theirs: list[object] = []
        thread = threading.Thread(
            target=lambda: theirs.extend([registry.create_plugin("conn")] * 2)
        )
        thread.start()
        thread.join()
        assert theirs[0] is theirs[1]
        assert theirs[0] is not mine
        time.sleep(0)  # keep the thread-local instance alive until compared


JOBS = """
import threading
import time

from mreg_di import plugin


class Store:
    pass


class Queue:
    pass


class Clock:
    pass


@plugin("store")
class MemoryStore(Store):
    pass


@plugin("queue")
class MemoryQueue(Queue):
    pass


@plugin("clock")
class SystemClock(Clock):
    pass


@plugin("slow-clock", provides=[Clock], priority=-1)
class SlowClock(Clock):
    def __init__(self) -> None:
        time.sleep(0.02)


BUILT = []


@plugin("job", scope="factory")
class Job:
    def __init__(self, store: Store, queue: Queue, clock: Clock, retries: int = 3) -> None:
        self.store = store
        self.queue = queue
        self.clock = clock
        self.retries = retries
        BUILT.append(threading.get_ident())


@plugin("clocked-job", scope="factory")
class ClockedJob:
    def __init__(self, clock: SlowClock) -> None:
        self.clock = clock
"""


def jobs_registry(project: Project, **options: Any) -> ModuleRegistry:
    project.write("jobs.plugins", JOBS)
    project.build()
    return ModuleRegistry.from_manifest(project.manifest_path, **options)


class TestFactoryFastPath:
    def test_new_instance_each_call_around_the_same_singletons(self, project: Project) -> None:
        """After the first build, get answers from a prebuilt call: new jobs, shared singletons."""
        registry = jobs_registry(project, config={"job": {"retries": 5}})
        jobs = [registry.get("jobs.plugins.Job") for _ in range(3)]
        assert len({id(job) for job in jobs}) == 3
        store = registry.get("jobs.plugins.Store")
        assert {job.store for job in jobs} == {store}
        assert {job.clock for job in jobs} == {registry.get("jobs.plugins.Clock")}
        assert [job.retries for job in jobs] == [5, 5, 5]
        entry = registry._by_key["jobs.plugins.Job"]
        assert type(entry.provider) is functools.partial  # type: ignore[attr-defined]
        assert entry.provider.func is sys.modules["jobs.plugins"].Job  # type: ignore[attr-defined]
        assert len(sys.modules["jobs.plugins"].BUILT) == 3
        made = registry.create_plugin("job")
        assert made not in jobs
        assert made.store is store

    def test_override_of_a_dependency_is_honoured_and_restored(self, project: Project) -> None:
        """Overriding a dependency reaches the next get at once; leaving the block undoes it."""
        registry = jobs_registry(project)
        registry.get("jobs.plugins.Job")
        store = registry.get("jobs.plugins.Store")
        fake = object()
        with registry.override("store", fake):
            assert registry.get("jobs.plugins.Job").store is fake
            assert registry.get("jobs.plugins.Job").store is fake
        assert registry.get("jobs.plugins.Job").store is store
        assert registry.get("jobs.plugins.Job").store is store

    def test_override_of_the_plugin_itself(self, project: Project) -> None:
        """Overriding the factory plugin returns the stand-in until the block ends."""
        registry = jobs_registry(project)
        first = registry.get("jobs.plugins.Job")
        stand_in = object()
        with registry.override("job", stand_in):
            assert registry.get("jobs.plugins.Job") is stand_in
            assert registry.create_plugin("job") is stand_in
        again = registry.get("jobs.plugins.Job")
        assert again is not first
        assert type(again) is type(first)

    def test_shutdown_drops_the_prebuilt_call(self, project: Project) -> None:
        """After shutdown a job is built around new singletons, not the dropped ones."""
        registry = jobs_registry(project)
        registry.start()
        old = registry.get("jobs.plugins.Job")
        registry.shutdown()
        new = registry.get("jobs.plugins.Job")
        assert new.store is not old.store
        assert new.store is registry.get("jobs.plugins.Store")
        assert registry.get("jobs.plugins.Job").store is new.store

    def test_registration_drops_the_prebuilt_call(self, project: Project) -> None:
        """A runtime registration that outranks a dependency reaches the next job."""
        registry = jobs_registry(project)
        registry.get("jobs.plugins.Job")
        module = sys.modules["jobs.plugins"]

        @plugin("better-queue", provides=[module.Queue], priority=10)
        class BetterQueue(module.Queue):  # type: ignore[misc, name-defined]
            pass

        registry.register_plugin(BetterQueue)
        assert type(registry.get("jobs.plugins.Job").queue) is BetterQueue

    def test_threads_racing_on_the_first_build(self, project: Project) -> None:
        """16 threads asking for a job whose singleton is slow all get correct, distinct jobs."""
        registry = jobs_registry(project)
        barrier = threading.Barrier(16)
        seen: list[list[Any]] = []

        def work() -> None:
            barrier.wait()
            seen.append([registry.get("jobs.plugins.ClockedJob") for _ in range(50)])

        threads = [threading.Thread(target=work) for _ in range(16)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        jobs = [job for batch in seen for job in batch]
        assert len(jobs) == 800
        assert len({id(job) for job in jobs}) == 800
        assert {id(job.clock) for job in jobs} == {id(registry.create_plugin("slow-clock"))}

    def test_list_dependencies_keep_the_provider(self, acme: Project) -> None:
        """A factory taking a list of plugins keeps calling its provider: a new list each time."""
        registry = acme_registry(acme)
        first, second = registry.create_plugin("pipeline"), registry.create_plugin("pipeline")
        assert first.sinks is not second.sinks
        entry = registry._by_name["pipeline"]
        assert type(entry.provider) is not functools.partial  # type: ignore[attr-defined]
