"""Tests for mreg_di._lifecycle, through ModuleRegistry.start/shutdown and their async twins."""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import re
from typing import Any

import pytest
from runtime_support import Project

from mreg_di._errors import LifecycleError, ResolutionError
from mreg_di._registry import ModuleRegistry

CONTROL = """
EVENTS = []
INSTANCES = {}
FAIL_AT = None
FAIL_WITH = RuntimeError
FAIL_CLEANUP = set()
"""

PLUGIN = """

@plugin("p{index}")
class P{index}:
    def __init__(self{parameter}) -> None:
        self.previous = {previous}
        INSTANCES.setdefault("p{index}", []).append(self)

    def initialize(self) -> None:
        EVENTS.append(("initialize", "p{index}"))
        if control.FAIL_AT == "p{index}":
            raise control.FAIL_WITH("boom in p{index}")

    def cleanup(self) -> None:
        EVENTS.append(("cleanup", "p{index}"))
        if "p{index}" in control.FAIL_CLEANUP:
            raise OSError("cannot close p{index}")
"""


def chain_source(size: int) -> str:
    """A module of `size` plugins, each depending on the one before it."""
    head = (
        "from mreg_di import plugin\n"
        "from life import control\n"
        "from life.control import EVENTS, INSTANCES\n"
    )
    body = "".join(
        PLUGIN.format(
            index=i,
            parameter=f", previous: P{i - 1}" if i else "",
            previous="previous" if i else "None",
        )
        for i in range(size)
    )
    return head + body


@pytest.fixture
def chain(project: Project) -> Project:
    """Ten plugins p0 <- p1 <- ... <- p9 whose initialize/cleanup log to life.control."""
    project.write("life.control", CONTROL)
    project.write("life.chain", chain_source(10))
    project.build()
    return project


def control() -> Any:
    return importlib.import_module("life.control")


def events() -> list[Any]:
    """What the plugins logged so far."""
    logged: list[Any] = control().EVENTS
    return logged


def registry_of(project: Project, **options: Any) -> ModuleRegistry:
    return ModuleRegistry.from_manifest(project.manifest_path, **options)


ALL = [f"p{i}" for i in range(10)]


class TestStartAndShutdown:
    def test_dependency_order_then_exact_reverse(self, chain: Project) -> None:
        """start initializes dependencies first; shutdown cleans up in exact reverse."""
        registry = registry_of(chain)
        registry.start()
        assert registry.is_started
        assert events() == [("initialize", name) for name in ALL]
        registry.shutdown()
        assert events()[10:] == [("cleanup", name) for name in reversed(ALL)]
        assert not registry.is_started

    def test_started_instances_are_the_ones_get_returns(self, chain: Project) -> None:
        """The instances start initialized are those the registry hands out."""
        registry = registry_of(chain)
        registry.start()
        assert registry.create_plugin("p9") is control().INSTANCES["p9"][0]
        assert registry.create_plugin("p9").previous is registry.create_plugin("p8")
        registry.shutdown()

    def test_shutdown_drops_singletons(self, chain: Project) -> None:
        """After shutdown a new start builds fresh instances."""
        registry = registry_of(chain)
        registry.start()
        first = registry.create_plugin("p5")
        registry.shutdown()
        registry.start()
        assert registry.create_plugin("p5") is not first
        assert len(control().INSTANCES["p5"]) == 2
        registry.shutdown()

    def test_shutdown_without_start_is_a_no_op(self, chain: Project) -> None:
        """shutdown on a registry never started does nothing."""
        registry = registry_of(chain)
        registry.shutdown()
        assert events() == []

    def test_start_twice(self, chain: Project) -> None:
        """Starting a started registry is refused."""
        registry = registry_of(chain)
        registry.start()
        with pytest.raises(
            RuntimeError,
            match=re.escape(
                "the registry is already started\nHint: call registry.shutdown() before "
                "starting it again"
            ),
        ):
            registry.start()
        registry.shutdown()

    def test_context_manager(self, chain: Project) -> None:
        """`with registry:` starts on entry and shuts down on exit."""
        with registry_of(chain) as registry:
            assert registry.is_started
        assert not registry.is_started
        assert events()[-1] == ("cleanup", "p0")

    def test_only_singletons_are_started(self, project: Project) -> None:
        """Factory- and thread-scoped plugins are not built by start."""
        project.write(
            "mixed.plugins",
            """
            from mreg_di import plugin

            BUILT = []


            @plugin("shared")
            class Shared:
                def __init__(self) -> None:
                    BUILT.append("shared")


            @plugin("per-call", scope="factory")
            class PerCall:
                def __init__(self) -> None:
                    BUILT.append("per-call")


            @plugin("per-thread", scope="thread")
            class PerThread:
                def __init__(self) -> None:
                    BUILT.append("per-thread")
            """,
        )
        project.build()
        with registry_of(project):
            assert importlib.import_module("mixed.plugins").BUILT == ["shared"]

    def test_validates_first(self, project: Project) -> None:
        """A graph with problems is refused before anything is built."""
        project.write("life.control", CONTROL)
        project.write(
            "life.broken",
            """
            from mreg_di import plugin
            from life import control


            @plugin("needy")
            class Needy:
                def __init__(self, size: int) -> None:
                    control.EVENTS.append("built")
            """,
        )
        project.build()
        with pytest.raises(ResolutionError, match=r"^1 problem in the plugin graph:"):
            registry_of(project).start()
        assert events() == []


class TestRollback:
    @pytest.mark.parametrize("k", range(10))
    def test_initialize_fails_at_k(self, chain: Project, k: int) -> None:
        """A failure at plugin k cleans up plugins 0..k-1 once each, in reverse, and raises
        a LifecycleError chained to the original."""
        registry = registry_of(chain)
        control().FAIL_AT = f"p{k}"
        with pytest.raises(LifecycleError) as info:
            registry.start()
        started = ALL[:k]
        assert events() == [
            *(("initialize", name) for name in [*started, f"p{k}"]),
            *(("cleanup", name) for name in reversed(started)),
        ]
        where = chain.location("life.chain", f'@plugin("p{k}"')
        rolled = (
            f"the {k} plugin(s) started before it were cleaned up in reverse order"
            if k
            else "no plugin had been started before it"
        )
        assert str(info.value) == (
            f"initialize of plugin `p{k}` ({where}) failed: RuntimeError: boom in p{k}\n"
            f"Hint: {rolled} and the registry is back in its pre-start state; fix the cause "
            "(see the chained exception) and call start() again"
        )
        assert isinstance(info.value.__cause__, RuntimeError)
        assert (info.value.plugin, info.value.phase) == (f"p{k}", "initialize")
        assert not registry.is_started

    def test_back_to_pre_start_state(self, chain: Project) -> None:
        """Singletons built during the failed start are dropped; earlier ones are kept."""
        registry = registry_of(chain)
        before = registry.create_plugin("p1")
        control().FAIL_AT = "p6"
        with pytest.raises(LifecycleError):
            registry.start()
        assert registry.create_plugin("p1") is before
        during = control().INSTANCES["p4"][0]
        assert registry.create_plugin("p4") is not during
        control().FAIL_AT = None
        events().clear()
        registry.start()
        assert events() == [("initialize", name) for name in ALL]
        registry.shutdown()

    def test_keyboard_interrupt_is_reraised_after_rollback(self, chain: Project) -> None:
        """KeyboardInterrupt at plugin k rolls back like any failure, then propagates as is."""
        registry = registry_of(chain)
        control().FAIL_AT = "p3"
        control().FAIL_WITH = KeyboardInterrupt
        with pytest.raises(KeyboardInterrupt) as info:
            registry.start()
        assert events()[4:] == [("cleanup", "p2"), ("cleanup", "p1"), ("cleanup", "p0")]
        where = chain.location("life.chain", '@plugin("p3"')
        assert info.value.__notes__ == [
            f"mreg-di: raised during initialize of plugin `p3` ({where}); the 3 plugin(s) "
            "started before it were cleaned up in reverse order and the registry is back in its "
            "pre-start state"
        ]
        assert not registry.is_started

    def test_construction_failure(self, project: Project) -> None:
        """A constructor failing during start is a LifecycleError of phase `construction`."""
        project.write("life.control", CONTROL)
        project.write(
            "life.fragile",
            """
            from mreg_di import plugin
            from life import control


            @plugin("a-first")
            class First:
                def initialize(self) -> None:
                    control.EVENTS.append("first up")

                def cleanup(self) -> None:
                    control.EVENTS.append("first down")


            @plugin("b-fragile")
            class Fragile:
                def __init__(self) -> None:
                    raise ValueError("no socket")
            """,
        )
        project.build()
        with pytest.raises(LifecycleError) as info:
            registry_of(project).start()
        where = project.location("life.fragile", '@plugin("b-fragile"')
        assert str(info.value) == (
            f"construction of plugin `b-fragile` ({where}) failed: ValueError: no socket\n"
            "Hint: the 1 plugin(s) started before it were cleaned up in reverse order and the "
            "registry is back in its pre-start state; fix the cause (see the chained exception) "
            "and call start() again"
        )
        assert events() == ["first up", "first down"]

    def test_failing_cleanup_during_rollback_is_noted(self, chain: Project) -> None:
        """A cleanup failing during rollback is logged and noted; the others still run."""
        registry = registry_of(chain)
        control().FAIL_AT = "p4"
        control().FAIL_CLEANUP = {"p2"}
        with pytest.raises(LifecycleError) as info:
            registry.start()
        assert [e for e in events() if e[0] == "cleanup"] == [
            ("cleanup", "p3"),
            ("cleanup", "p2"),
            ("cleanup", "p1"),
            ("cleanup", "p0"),
        ]
        where = chain.location("life.chain", '@plugin("p2"')
        assert info.value.__notes__ == [
            f"mreg-di: cleanup of plugin `p2` ({where}) also failed during the rollback: "
            "OSError: cannot close p2"
        ]


class TestCleanupFailures:
    def test_all_cleanups_run_and_failures_are_grouped(
        self, chain: Project, caplog: pytest.LogCaptureFixture
    ) -> None:
        """Failing cleanups are logged with exc_info, the rest run, and an ExceptionGroup of
        LifecycleErrors is raised at the end."""
        registry = registry_of(chain)
        registry.start()
        control().FAIL_CLEANUP = {"p3", "p7"}
        with (
            caplog.at_level(logging.ERROR, logger="mreg_di"),
            pytest.raises(ExceptionGroup) as info,
        ):
            registry.shutdown()
        assert events()[10:] == [("cleanup", name) for name in reversed(ALL)]
        group = info.value
        assert str(group) == "cleanup failed for 2 plugin(s) (2 sub-exceptions)"
        p7 = chain.location("life.chain", '@plugin("p7"')
        p3 = chain.location("life.chain", '@plugin("p3"')
        assert [str(e) for e in group.exceptions] == [
            f"cleanup of plugin `p7` ({p7}) failed: OSError: cannot close p7\n"
            "Hint: the other plugins were still cleaned up; make `cleanup` idempotent and "
            "robust, since it may run while the process is shutting down",
            str(group.exceptions[1]),
        ]
        assert all(isinstance(e, LifecycleError) for e in group.exceptions)
        assert [e.plugin for e in group.exceptions] == ["p7", "p3"]  # type: ignore[attr-defined]
        assert isinstance(group.exceptions[1].__cause__, OSError)
        logged = [r for r in caplog.records if r.name == "mreg_di"]
        assert [r.getMessage() for r in logged] == [
            f"cleanup of plugin p7 ({p7}) failed",
            f"cleanup of plugin p3 ({p3}) failed",
        ]
        assert all(r.exc_info for r in logged)
        assert not registry.is_started


ASYNC_PLUGINS = """
import asyncio

from mreg_di import plugin
from life import control


@plugin("a-sync")
class Sync:
    def initialize(self) -> None:
        control.EVENTS.append("sync up")

    def cleanup(self) -> None:
        control.EVENTS.append("sync down")


@plugin("b-async")
class Async:
    def __init__(self, first: Sync) -> None:
        self.first = first

    async def initialize(self) -> None:
        await asyncio.sleep(0)
        control.EVENTS.append("async up")

    async def cleanup(self) -> None:
        await asyncio.sleep(0)
        control.EVENTS.append("async down")
"""


@pytest.fixture
def mixed(project: Project) -> Project:
    """A sync plugin and an async one that depends on it."""
    project.write("life.control", CONTROL)
    project.write("life.mixed", ASYNC_PLUGINS)
    project.build()
    return project


class TestAsync:
    def test_astart_and_ashutdown_await(self, mixed: Project) -> None:
        """astart awaits coroutine initializers, ashutdown coroutine cleanups, in order."""
        registry = registry_of(mixed)

        async def main() -> None:
            await registry.astart()
            assert registry.is_started
            await registry.ashutdown()

        asyncio.run(main())
        assert events() == ["sync up", "async up", "async down", "sync down"]

    def test_async_with(self, mixed: Project) -> None:
        """`async with registry:` starts and stops it."""

        async def main() -> None:
            async with registry_of(mixed) as registry:
                assert registry.is_started

        asyncio.run(main())
        assert events()[-1] == "sync down"

    def test_start_refuses_async_plugin(self, mixed: Project) -> None:
        """start() on a plugin with a coroutine initialize says to use astart, rolling back."""
        registry = registry_of(mixed)
        with pytest.raises(LifecycleError) as info:
            registry.start()
        where = mixed.location("life.mixed", '@plugin("b-async"')
        assert str(info.value) == (
            f"initialize of plugin `b-async` ({where}) failed: `initialize` is a coroutine "
            "function, which start() cannot await\n"
            "Hint: start the registry with `await registry.astart()` and stop it with "
            "`await registry.ashutdown()` (or `async with registry:`)"
        )
        assert info.value.__notes__ == [
            "mreg-di: the 1 plugin(s) started before it were cleaned up in reverse order; the "
            "registry is back in its pre-start state"
        ]
        assert events() == ["sync up", "sync down"]
        assert not registry.is_started

    def test_shutdown_refuses_async_cleanup(self, mixed: Project) -> None:
        """shutdown() after astart refuses a coroutine cleanup and leaves the registry started."""
        registry = registry_of(mixed)
        asyncio.run(registry.astart())
        with pytest.raises(LifecycleError, match=r"^cleanup of plugin `b-async` \("):
            registry.shutdown()
        assert registry.is_started
        asyncio.run(registry.ashutdown())
        assert events() == ["sync up", "async up", "async down", "sync down"]

    def test_astart_rollback_awaits_cleanups(self, project: Project) -> None:
        """A failure during astart awaits the coroutine cleanups of what was started."""
        project.write("life.control", CONTROL)
        project.write(
            "life.failing",
            ASYNC_PLUGINS
            + """

@plugin("c-failing")
class Failing:
    def __init__(self, before: Async) -> None:
        pass

    async def initialize(self) -> None:
        raise RuntimeError("late failure")
""",
        )
        project.build()
        registry = registry_of(project)
        with pytest.raises(LifecycleError, match=r"^initialize of plugin `c-failing`"):
            asyncio.run(registry.astart())
        assert events() == ["sync up", "async up", "async down", "sync down"]


class TestResourceWarning:
    def test_started_registry_garbage_collected(self, chain: Project) -> None:
        """A registry collected while started emits a ResourceWarning."""
        registry = registry_of(chain)
        registry.start()
        del registry
        with pytest.warns(ResourceWarning, match=r"was started but never shut down"):
            gc.collect()

    def test_stopped_registry_is_silent(
        self, chain: Project, recwarn: pytest.WarningsRecorder
    ) -> None:
        """A registry shut down before collection emits nothing."""
        registry = registry_of(chain)
        registry.start()
        registry.shutdown()
        del registry
        gc.collect()
        assert [w for w in recwarn if issubclass(w.category, ResourceWarning)] == []
