"""`ModuleRegistry` overrides: replace a plugin's instance while a block runs.

Overrides are stacks per plugin name, shared with the container (which builds consumers with the
top entry); entering or leaving one drops the registry's cached answers.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, TypeVar

from mreg_di._container import Override
from mreg_di._lookup import active_name, provider_name, qualified_name

if TYPE_CHECKING:
    import threading
    from collections.abc import Iterator

    from mreg_di._catalogue import LayeredCatalogue
    from mreg_di._container import Container
    from mreg_di._resolve import Binder

__all__ = ["OverrideMixin"]

T = TypeVar("T")


class OverrideMixin:
    """`override`, for `ModuleRegistry`.

    Example:
        >>> from mreg_di import ModuleRegistry, plugin
        >>> @plugin("clock")
        ... class Clock: ...
        >>> registry = ModuleRegistry()
        >>> _ = registry.register_plugin(Clock)
        >>> with registry.override("clock", "fake"):
        ...     registry.create_plugin("clock")
        'fake'
    """

    if TYPE_CHECKING:
        _profile: str
        _lock: threading.RLock
        _catalogue_now: LayeredCatalogue
        _binder: Binder
        _container: Container
        _overrides: dict[str, list[Override]]

        def _invalidate(self) -> None: ...

    @contextlib.contextmanager
    def override(self, target: type[T] | str, instance: T | Any) -> Iterator[T | Any]:
        """Replace a plugin's instance while the block runs (for tests); restored on exit.

        `target` is an interface (class or qualified name: its top provider is replaced) or a
        plugin name. Consumers built inside the block receive `instance`; singletons built
        before it keep what they were built with. Overrides nest, and each exit restores
        exactly what its entry replaced.

        Raises:
            PluginNotFoundError: Nothing active answers `target`.

        Example:
            >>> from mreg_di import plugin
            >>> @plugin("greeter")
            ... class Greeter:
            ...     def hello(self) -> str:
            ...         return "hello"
            >>> class Fake:
            ...     def hello(self) -> str:
            ...         return "fake"
            >>> registry = ModuleRegistry()
            >>> _ = registry.register_plugin(Greeter)
            >>> with registry.override(Greeter, Fake()):
            ...     registry.get(Greeter).hello()
            'fake'
            >>> registry.get(Greeter).hello()
            'hello'
        """
        if isinstance(target, str) and target in self._catalogue_now:
            name = active_name(self._catalogue_now, self._profile, target)
        else:
            name = provider_name(self._binder, qualified_name(target, "override"))
        entry = Override(instance)
        with self._lock:
            self._overrides.setdefault(name, []).append(entry)
            self._container.set_override(name)
            self._invalidate()
        try:
            yield instance
        finally:
            with self._lock:
                stack = self._overrides[name]
                stack.remove(entry)
                if not stack:
                    del self._overrides[name]
                self._container.set_override(name)
                self._invalidate()
