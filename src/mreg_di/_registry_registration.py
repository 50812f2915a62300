"""`ModuleRegistry` runtime registration: add plugins and factories after loading.

A registration is prepared (spec, record, re-validated graph) by `mreg_di._registration` and then
committed in one step under the registry's lock: a refused registration changes nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from mreg_di._log import logger as _logger
from mreg_di._resolve import Binder

if TYPE_CHECKING:
    import threading
    from collections.abc import Callable, Mapping, Sequence

    import networkx as nx

    from mreg_di._catalogue import LayeredCatalogue
    from mreg_di._container import Container
    from mreg_di._loader import Loader
    from mreg_di._problems import Problem
    from mreg_di._registration import PluginConfig
    from mreg_di._spec import PluginSpec

__all__ = ["RegistrationMixin"]


class RegistrationMixin:
    """`register_plugin` and `register_plugin_factory`, for `ModuleRegistry`.

    Example:
        >>> from mreg_di import ModuleRegistry, plugin
        >>> @plugin("clock")
        ... class Clock: ...
        >>> ModuleRegistry().register_plugin(Clock).name
        'clock'
    """

    if TYPE_CHECKING:
        _profile: str
        _lock: threading.RLock
        _catalogue_now: LayeredCatalogue
        _binder: Binder
        _container: Container
        _loader: Loader
        _problems: list[Problem] | None
        _order: list[str] | None
        _graph: nx.DiGraph | None

        def _raw(self, name: str) -> Mapping[str, Any]: ...

        def _graph_problems(self) -> list[Problem]: ...

        def _invalidate(self) -> None: ...

    def register_plugin(self, target: object, *, implementation: object = None) -> PluginSpec:
        """Add a plugin at run time: a decorated class/function, or a `PluginConfig` plus class.

        The graph is re-validated (with networkx) first; if the new plugin would add a problem,
        or its name is taken, nothing changes. Plugins registered after `start` are not
        initialized by it.

        Returns:
            The registered plugin's spec (``provides`` includes its base classes).

        Raises:
            ValueError: A plugin with that name exists already.
            TypeError: `target` is not decorated, or the arguments do not fit.
            ResolutionError: The plugin would make the graph invalid (missing dependency,
                cycle, ambiguity, unmet requirement); every new problem is listed.

        Example:
            >>> from mreg_di._registration import PluginConfig
            >>> class Memory:
            ...     '''Keeps blobs in a dict.'''
            >>> registry = ModuleRegistry()
            >>> spec = registry.register_plugin(
            ...     PluginConfig(name="memory", version="1.0", type="storage"),
            ...     implementation=Memory)
            >>> spec.description, type(registry.create_plugin("memory")).__name__
            ('Keeps blobs in a dict.', 'Memory')
        """
        from mreg_di._registration import spec_for

        spec, obj = spec_for(target, implementation=implementation)
        return self._register(spec, obj)

    def register_plugin_factory(
        self,
        config: PluginConfig,
        *,
        factory: Callable[..., Any],
        variants: Sequence[str] = (),
    ) -> PluginSpec:
        """Add a factory function at run time, declared by a `PluginConfig` (the seed's style).

        Raises:
            ValueError: The name is taken, or `variants` disagree with a ``variant``
                parameter.
            TypeError: `factory` is not a function.
            ResolutionError: The factory would make the graph invalid.

        Example:
            >>> from mreg_di._registration import PluginConfig
            >>> def make(variant: str) -> list[str]:
            ...     return [variant]
            >>> registry = ModuleRegistry()
            >>> registry.register_plugin_factory(
            ...     PluginConfig(name="lists"), factory=make, variants=["a", "b"]).variants
            ('a', 'b')
            >>> registry.create_plugin_from_factory("lists", "b")
            ['b']
        """
        from mreg_di._registration import PluginConfig, spec_for

        if not isinstance(config, PluginConfig):
            raise TypeError(
                f"register_plugin_factory takes a PluginConfig, not {type(config).__name__}\n"
                "Hint: register a function decorated with @factory through "
                "`registry.register_plugin(func)`"
            )
        spec, obj = spec_for(config, factory=factory, variants=variants)
        return self._register(spec, obj)

    def _register(self, spec: PluginSpec, implementation: object) -> PluginSpec:
        from mreg_di._registration import prepare

        with self._lock:
            prepared = prepare(
                self._catalogue_now, self._profile, self._graph_problems(), spec, implementation
            )
            # Commit: nothing below can fail, so a refused registration changed nothing.
            self._catalogue_now = prepared.catalogue
            self._binder = Binder(prepared.catalogue, self._profile)
            self._container = self._container.rebind(self._binder, self._raw)
            self._loader.add(spec.name, implementation)
            self._problems = prepared.problems
            self._order = None
            self._graph = None
            self._invalidate()
        _logger().info(
            "registered plugin %s at run time",
            spec.name,
            extra={"plugin": spec.name, "target": prepared.record.target},
        )
        return prepared.record.spec
