"""Starting and stopping plugins: ``initialize`` in dependency order, ``cleanup`` in reverse.

Rules (see docs/lifecycle.md):

- `Lifecycle.start` builds and initializes each planned plugin in order. If building or
  initializing plugin *k* raises, plugins *1..k-1* are cleaned up once each, in reverse order,
  the registry's ``restore`` callback puts it back in its pre-start state, and a
  `LifecycleError` chained to the original exception is raised. A ``KeyboardInterrupt``,
  ``SystemExit`` or other exception that is not an ``Exception`` gets the same rollback but is
  then re-raised unchanged (with a note): turning Ctrl-C or ``asyncio.CancelledError`` into an
  ordinary exception would let ``except Exception`` swallow it.
- `Lifecycle.shutdown` cleans up in exact reverse order. A failing ``cleanup`` is logged with
  ``exc_info`` and the others still run; the failures are raised together at the end as an
  ``ExceptionGroup`` of `LifecycleError`.
- ``initialize``/``cleanup`` may be coroutine functions: `Lifecycle.astart` and
  `Lifecycle.ashutdown` await them. The synchronous twins refuse such a plugin with a
  `LifecycleError` saying to use the async ones (``start`` before initializing anything of it,
  rolling back what it started).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, NoReturn

from mreg_di._errors import LifecycleError
from mreg_di._log import logger as _logger

__all__ = ["Lifecycle", "Started"]


class Started(NamedTuple):
    """A plugin that has been initialized: its name, ``file:line`` and instance."""

    name: str
    location: str
    instance: object


def _describe(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _is_async(method: object) -> bool:
    import inspect  # ~3 ms: only when starting

    return inspect.iscoroutinefunction(method) or inspect.isasyncgenfunction(method)


def _is_awaitable(result: object) -> bool:
    import inspect

    return inspect.isawaitable(result)


class _AsyncRefused(Exception):
    """A synchronous start or shutdown met a coroutine ``initialize``/``cleanup``."""

    def __init__(self, error: LifecycleError) -> None:
        self.error = error
        super().__init__(str(error))


def _refusal(name: str, location: str, phase: str) -> LifecycleError:
    verb = "start()" if phase == "initialize" else "shutdown()"
    return LifecycleError(
        name,
        location,
        phase,
        f"`{phase}` is a coroutine function, which {verb} cannot await",
        hint="start the registry with `await registry.astart()` and stop it with "
        "`await registry.ashutdown()` (or `async with registry:`)",
    )


class Lifecycle:
    """Which plugins are started, in order, and the rules for starting and stopping them.

    Example:
        >>> class Db:
        ...     def initialize(self) -> None: print("db up")
        ...     def cleanup(self) -> None: print("db down")
        >>> lifecycle = Lifecycle()
        >>> lifecycle.start(["db"], create=lambda name: Db(), locate=str, restore=lambda: None)
        db up
        >>> lifecycle.shutdown()
        db down
    """

    def __init__(self) -> None:
        self.started: list[Started] | None = None

    @property
    def is_started(self) -> bool:
        """Whether `start`/`astart` succeeded and `shutdown`/`ashutdown` has not run since."""
        return self.started is not None

    # -- start ----------------------------------------------------------------------------

    def start(
        self,
        plan: Sequence[str],
        *,
        create: Callable[[str], object],
        locate: Callable[[str], str],
        restore: Callable[[], None],
    ) -> None:
        """Build and initialize each plugin of `plan` in order, rolling back on failure.

        Args:
            plan: Plugin names, dependencies first.
            create: Builds (or returns the cached) instance of a plugin.
            locate: A plugin's ``file:line``, for messages.
            restore: Puts the registry back in its pre-start state after a rollback.

        Raises:
            LifecycleError: Building or initializing a plugin failed, or a plugin needs
                `astart`; what was started has been cleaned up.
        """
        done: list[Started] = []
        for name in plan:
            phase = "construction"
            try:
                instance = create(name)
                phase = "initialize"
                initialize = getattr(instance, "initialize", None)
                for method, method_phase in (
                    (initialize, "initialize"),
                    (_cleanup_of(instance), "cleanup"),
                ):
                    if _is_async(method):
                        raise _AsyncRefused(_refusal(name, locate(name), method_phase))
                if callable(initialize):
                    result = initialize()
                    if _is_awaitable(result):
                        _close(result)
                        raise _AsyncRefused(_refusal(name, locate(name), "initialize"))
            except BaseException as exc:
                self._fail_start(done, name, locate, phase, exc, restore)
            done.append(Started(name, locate(name), instance))
        self.started = done

    async def astart(
        self,
        plan: Sequence[str],
        *,
        create: Callable[[str], object],
        locate: Callable[[str], str],
        restore: Callable[[], None],
    ) -> None:
        """Like `start`, awaiting ``initialize`` when it is a coroutine function.

        Raises:
            LifecycleError: Building or initializing a plugin failed; what was started has
                been cleaned up (coroutine cleanups awaited).
        """
        done: list[Started] = []
        for name in plan:
            phase = "construction"
            try:
                instance = create(name)
                phase = "initialize"
                initialize = getattr(instance, "initialize", None)
                if callable(initialize):
                    result = initialize()
                    if _is_awaitable(result):
                        await result
            except BaseException as exc:
                failures = await self._arollback(done)
                self._raise_start(done, name, locate, phase, exc, restore, failures)
            done.append(Started(name, locate(name), instance))
        self.started = done

    def _fail_start(
        self,
        done: list[Started],
        name: str,
        locate: Callable[[str], str],
        phase: str,
        exc: BaseException,
        restore: Callable[[], None],
    ) -> NoReturn:
        failures = [_run_cleanup(entry) for entry in reversed(done)]
        self._raise_start(done, name, locate, phase, exc, restore, failures)

    async def _arollback(self, done: list[Started]) -> list[BaseException | None]:
        return [await _arun_cleanup(entry) for entry in reversed(done)]

    def _raise_start(
        self,
        done: list[Started],
        name: str,
        locate: Callable[[str], str],
        phase: str,
        exc: BaseException,
        restore: Callable[[], None],
        failures: list[BaseException | None],
    ) -> NoReturn:
        restore()
        self.started = None
        rolled = (
            f"the {len(done)} plugin(s) started before it were cleaned up in reverse order"
            if done
            else "no plugin had been started before it"
        )
        if isinstance(exc, _AsyncRefused):
            error = exc.error
            error.add_note(f"mreg-di: {rolled}; the registry is back in its pre-start state")
            _note_failures(error, done, failures)
            raise error from None
        if not isinstance(exc, Exception):
            exc.add_note(
                f"mreg-di: raised during {phase} of plugin `{name}` ({locate(name)}); {rolled} "
                "and the registry is back in its pre-start state"
            )
            _note_failures(exc, done, failures)
            raise exc
        error = LifecycleError(
            name,
            locate(name),
            phase,
            _describe(exc),
            hint=f"{rolled} and the registry is back in its pre-start state; fix the cause "
            "(see the chained exception) and call start() again",
        )
        _note_failures(error, done, failures)
        raise error from exc

    # -- shutdown -------------------------------------------------------------------------

    def shutdown(self, restore: Callable[[], None] = lambda: None) -> None:
        """Clean up the started plugins in reverse order; a no-op when not started.

        Raises:
            LifecycleError: A started plugin's ``cleanup`` is a coroutine function (nothing
                was cleaned up: use `ashutdown`).
            ExceptionGroup: One `LifecycleError` per failing ``cleanup``, after all ran.
        """
        started = self.started
        if started is None:
            return
        for entry in started:
            if _is_async(_cleanup_of(entry.instance)):
                raise _refusal(entry.name, entry.location, "cleanup")
        self._finish([_run_cleanup(entry) for entry in reversed(started)], restore)

    async def ashutdown(self, restore: Callable[[], None] = lambda: None) -> None:
        """Like `shutdown`, awaiting ``cleanup`` when it is a coroutine function."""
        started = self.started
        if started is None:
            return
        self._finish([await _arun_cleanup(entry) for entry in reversed(started)], restore)

    def _finish(self, failures: list[BaseException | None], restore: Callable[[], None]) -> None:
        self.started = None
        restore()
        interrupt = next(
            (f for f in failures if f is not None and not isinstance(f, Exception)), None
        )
        if interrupt is not None:
            raise interrupt
        errors = [f for f in failures if isinstance(f, Exception)]
        if errors:
            raise ExceptionGroup(f"cleanup failed for {len(errors)} plugin(s)", errors)


def _cleanup_of(instance: object) -> Any:
    return getattr(instance, "cleanup", None)


def _close(result: object) -> None:
    close = getattr(result, "close", None)
    if callable(close):
        close()  # an un-awaited coroutine would warn "never awaited"


def _cleanup_failed(entry: Started, exc: BaseException) -> BaseException:
    _logger().error(
        "cleanup of plugin %s (%s) failed",
        entry.name,
        entry.location,
        exc_info=exc,
        extra={"plugin": entry.name, "location": entry.location},
    )
    if not isinstance(exc, Exception):
        return exc
    error = LifecycleError(
        entry.name,
        entry.location,
        "cleanup",
        _describe(exc),
        hint="the other plugins were still cleaned up; make `cleanup` idempotent and "
        "robust, since it may run while the process is shutting down",
    )
    error.__cause__ = exc
    return error


def _run_cleanup(entry: Started) -> BaseException | None:
    cleanup = _cleanup_of(entry.instance)
    if not callable(cleanup):
        return None
    try:
        result = cleanup()
        if _is_awaitable(result):
            _close(result)
            raise _refusal(entry.name, entry.location, "cleanup")
    except BaseException as exc:
        return _cleanup_failed(entry, exc)
    return None


async def _arun_cleanup(entry: Started) -> BaseException | None:
    cleanup = _cleanup_of(entry.instance)
    if not callable(cleanup):
        return None
    try:
        result = cleanup()
        if _is_awaitable(result):
            await result
    except BaseException as exc:
        return _cleanup_failed(entry, exc)
    return None


def _note_failures(
    error: BaseException, done: list[Started], failures: list[BaseException | None]
) -> None:
    for entry, failure in zip(reversed(done), failures, strict=True):
        if failure is not None:
            error.add_note(
                f"mreg-di: cleanup of plugin `{entry.name}` ({entry.location}) also failed "
                f"during the rollback: {_describe(failure.__cause__ or failure)}"
            )
