"""`ModuleRegistry` lifecycle glue: start, shut down, and warn about a registry never shut down.

`mreg_di._lifecycle.Lifecycle` does the work (order, rollback, cleanup errors); this module hands
it the registry's start plan, how to build a plugin, and how to restore the registry's caches.
"""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

from mreg_di._log import logger as _logger

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable

    from mreg_di._catalogue import LayeredCatalogue
    from mreg_di._container import Container
    from mreg_di._lifecycle import Lifecycle

__all__ = ["LifecycleMixin"]


class LifecycleMixin:
    """`start`, `astart`, `shutdown`, `ashutdown` and `is_started`, for `ModuleRegistry`.

    Example:
        >>> from mreg_di import ModuleRegistry
        >>> registry = ModuleRegistry()
        >>> registry.start(); registry.shutdown(); registry.is_started
        False
    """

    if TYPE_CHECKING:
        _profile: str
        _lock: threading.RLock
        _catalogue_now: LayeredCatalogue
        _container: Container
        _lifecycle: Lifecycle

        def validate(self) -> None: ...

        def create_plugin(self, name: str) -> Any: ...

        def _start_order(self) -> list[str]: ...

        def _new_container(self) -> Container: ...

        def _invalidate(self) -> None: ...

    @property
    def is_started(self) -> bool:
        """Whether `start`/`astart` succeeded and no shutdown has run since."""
        return self._lifecycle.is_started

    def _start_plan(self) -> list[str]:
        self.validate()
        plan = []
        for name in self._start_order():
            raw = self._catalogue_now.raw(name)
            if raw["scope"] == "singleton" and not (raw["kind"] == "factory" and raw["variants"]):
                plan.append(name)
        return plan

    def _check_stopped(self) -> None:
        if self._lifecycle.is_started:
            raise RuntimeError(
                "the registry is already started\nHint: call registry.shutdown() before "
                "starting it again"
            )

    def _restorer(self) -> Callable[[], None]:
        before = set(self._container.instantiated)

        def restore() -> None:
            self._container.reset(self._container.instantiated - before)
            self._invalidate()

        return restore

    def _reset_all(self) -> None:
        self._container = self._new_container()
        self._invalidate()

    def _locate(self, name: str) -> str:
        return self._catalogue_now.record(name).location

    def start(self) -> None:
        """Validate, then build and ``initialize()`` every active singleton in dependency order.

        Raises:
            ResolutionError: `validate` found problems (nothing was started).
            LifecycleError: Building or initializing plugin *k* failed: plugins *1..k-1* were
                cleaned up in reverse order and the registry is as before `start`. The
                original exception is chained. ``KeyboardInterrupt``/``SystemExit`` are
                re-raised unchanged after the same rollback.
            RuntimeError: The registry is already started.

        Example:
            >>> registry = ModuleRegistry()
            >>> registry.start(); registry.is_started
            True
            >>> registry.shutdown(); registry.is_started
            False
        """
        with self._lock:
            self._check_stopped()
            self._lifecycle.start(
                self._start_plan(),
                create=self.create_plugin,
                locate=self._locate,
                restore=self._restorer(),
            )
        _logger().info("registry started", extra={"profile": self._profile})

    async def astart(self) -> None:
        """Like `start`, awaiting ``initialize()`` where it is a coroutine function."""
        self._check_stopped()
        await self._lifecycle.astart(
            self._start_plan(),
            create=self.create_plugin,
            locate=self._locate,
            restore=self._restorer(),
        )
        _logger().info("registry started", extra={"profile": self._profile})

    def shutdown(self) -> None:
        """``cleanup()`` the started plugins in exact reverse order; a no-op if not started.

        Every cleanup runs even if some fail; failures are logged with ``exc_info`` and raised
        together at the end. Afterwards every singleton is dropped: a new `start` or `get`
        builds fresh instances.

        Raises:
            ExceptionGroup: One `LifecycleError` per failing cleanup.
            LifecycleError: A started plugin's ``cleanup`` is a coroutine function; nothing
                was cleaned up (use `ashutdown`).
        """
        with self._lock:
            self._lifecycle.shutdown(restore=self._reset_all)

    async def ashutdown(self) -> None:
        """Like `shutdown`, awaiting ``cleanup()`` where it is a coroutine function."""
        await self._lifecycle.ashutdown(restore=self._reset_all)

    def __del__(self) -> None:
        lifecycle = getattr(self, "_lifecycle", None)
        if lifecycle is not None and lifecycle.is_started:
            warnings.warn(
                f"{self!r} was started but never shut down; call registry.shutdown() "
                "(or use `with registry:`) so its plugins are cleaned up",
                ResourceWarning,
                stacklevel=1,
                source=self,
            )
