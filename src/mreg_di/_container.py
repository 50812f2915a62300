"""dependency-injector providers for plugins, created on first request along the closure.

Each plugin becomes one provider: `ThreadSafeSingleton` for ``scope="singleton"`` (plain
``Singleton`` is not thread-safe), `Factory` for ``"factory"`` and `ThreadLocalSingleton` for
``"thread"``. Its dependencies are injected as sub-providers (a single provider, a
``providers.List`` for ``list[X]``, ``None`` for an optional parameter nobody provides, nothing
at all when such a parameter has a default) and its configuration values as keyword arguments.

Creating a provider imports nothing: its target is a `_Target` that, when first called, has the
`Loader` check the file's sha256 and import the module, runs the type checks, and builds the
instance. A factory- or thread-scoped provider is then pointed at the class itself, so later
calls go straight from dependency-injector's compiled code to the constructor.

dependency-injector is imported when the first provider is created, never before.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from mreg_di._config import Configuration, plugin_problems, plugin_values
from mreg_di._errors import ResolutionError

if TYPE_CHECKING:
    from mreg_di._loader import Loader
    from mreg_di._problems import Problem
    from mreg_di._resolve import Binder
    from mreg_di._spec import PluginRecord
    from mreg_di._typecheck import TypeChecker

__all__ = ["Container", "Override", "ProviderKey"]

ProviderKey = str | tuple[str, str]
"""A plugin's name, or ``(name, variant)`` for one variant of a factory."""


class Override:
    """One active `ModuleRegistry.override`: the instance standing in for a plugin."""

    __slots__ = ("instance",)

    def __init__(self, instance: object) -> None:
        self.instance = instance


class _Target:
    """The callable a provider wraps: loads the implementation on first call, checks it once."""

    __slots__ = ("container", "dependencies", "key", "origins", "provider", "record")

    def __init__(
        self,
        container: Container,
        key: ProviderKey,
        record: PluginRecord,
        origins: dict[str, str],
        dependencies: dict[str, tuple[str, ...]],
    ) -> None:
        self.container = container
        self.key = key
        self.record = record
        self.origins = origins
        self.dependencies = dependencies
        self.provider: Any = None

    def __call__(self, **arguments: Any) -> Any:
        container = self.container
        record = self.record
        implementation = container.loader.load(record)
        checker = container.checker
        if checker.enabled:
            checked = arguments
            overridden = container.overrides
            if overridden:  # a test double stands in: its type is the test's business
                checked = {
                    key: value
                    for key, value in arguments.items()
                    if not overridden.keys() & set(self.dependencies.get(key, ()))
                }
            checker.check_arguments(record, implementation, checked, self.origins)
        try:
            instance = implementation(**arguments)
        except Exception as exc:
            # The traceback shows the plugin's own code; say which plugin and manifest entry.
            exc.add_note(
                f"mreg-di: raised while constructing plugin `{record.name}` ({record.location})"
            )
            raise
        if checker.enabled:
            checker.check_instance(record, instance)
        if record.spec.scope == "singleton":
            container.instantiated.add(self.key)
        else:
            # Checked once: from now on dependency-injector calls the class directly.
            self.provider.set_provides(implementation)
        return instance

    def __repr__(self) -> str:
        return f"<lazy {self.record.target} for plugin {self.record.name!r}>"


class Container:
    """The providers of one registry's plugins, built lazily and cached.

    Args:
        binder: Who provides what, in the registry's profile.
        loader: Imports implementations.
        checker: Type checks at first construction.
        config: Constructor values per plugin.
        raw: The manifest form of a plugin's record (parameters as dicts).
        overrides: Plugin name -> stack of instances that replace it (shared with the
            registry, so a rebuilt container keeps them).

    Example:
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> from mreg_di._loader import Loader
        >>> from mreg_di._manifest import Manifest
        >>> from mreg_di._resolve import Binder, RecordCatalogue
        >>> from mreg_di._typecheck import TypeChecker
        >>> class Clock: ...
        >>> catalogue = RecordCatalogue([PluginRecord(PluginSpec("clock"), __name__, "Clock")])
        >>> loader = Loader(Manifest.build([], files={}, order={}, generator="doc"))
        >>> loader.add("clock", Clock)
        >>> container = Container(Binder(catalogue, None), loader=loader,
        ...                       checker=TypeChecker("off"), config=Configuration(),
        ...                       raw=lambda name: catalogue.record(name).to_json())
        >>> clock = container.provider("clock")
        >>> clock() is clock()
        True
    """

    def __init__(
        self,
        binder: Binder,
        *,
        loader: Loader,
        checker: TypeChecker,
        config: Configuration,
        raw: Callable[[str], Mapping[str, Any]],
        overrides: dict[str, list[Override]] | None = None,
    ) -> None:
        self.binder = binder
        self.loader = loader
        self.checker = checker
        self.config = config
        self._raw = raw
        self.overrides: dict[str, list[Override]] = {} if overrides is None else overrides
        self.providers: dict[ProviderKey, Any] = {}
        self.instantiated: set[ProviderKey] = set()
        self._targets: dict[ProviderKey, _Target] = {}
        self._building: list[str] = []
        self._lock = threading.RLock()

    # -- providers ------------------------------------------------------------------------

    def provider(self, name: str, variant: str | None = None) -> Any:
        """The provider of plugin `name` (of one `variant` of a factory), created if needed.

        Raises:
            ResolutionError: The plugin cannot be wired: a dependency is missing or ambiguous,
                a requirement is not met, configuration is missing or unknown, or there is a
                dependency cycle.
        """
        key: ProviderKey = name if variant is None else (name, variant)
        found = self.providers.get(key)
        if found is not None:
            return found
        with self._lock:
            found = self.providers.get(key)
            if found is None:
                found = self.providers[key] = self._build(name, variant, key)
            return found

    def _build(self, name: str, variant: str | None, key: ProviderKey) -> Any:
        from dependency_injector import providers

        binder = self.binder
        record = binder.catalogue.record(name)
        raw = self._raw(name)
        if name in self._building:
            raise ResolutionError([self._cycle(name)])
        bindings, problems = binder.bindings(name)
        found = [
            *problems,
            *binder.requirement_problems(name),
            *plugin_problems(
                self.config,
                raw,
                binder.profile,
                supplied=("variant",) if variant is not None else (),
            ),
        ]
        if found:
            raise ResolutionError(found)
        arguments: dict[str, Any] = {}
        origins: dict[str, str] = {}
        dependencies: dict[str, tuple[str, ...]] = {}
        self._building.append(name)
        try:
            for binding in bindings:
                parameter = binding.parameter
                dependencies[parameter.name] = binding.providers
                if parameter.many:
                    items = providers.List(*(self.provider(dep) for dep in binding.providers))
                    items.disable_async_mode()
                    arguments[parameter.name] = items
                    origins[parameter.name] = "plugin " + ", ".join(
                        f"`{dep}`" for dep in binding.providers
                    )
                elif binding.providers:
                    dependency = binding.providers[0]
                    arguments[parameter.name] = self.provider(dependency)
                    location = binder.catalogue.record(dependency).location
                    origins[parameter.name] = f"plugin `{dependency}` ({location})"
                elif not parameter.has_default:
                    arguments[parameter.name] = None
        finally:
            self._building.pop()
        values = plugin_values(self.config, raw)
        entries = self.config.entries(name, values)
        for option, value in values.items():
            arguments[option] = value
            origins[option] = entries[option].origin
        if variant is not None:
            arguments["variant"] = variant
            origins["variant"] = "the variant passed to create_plugin_from_factory"
        target = self._targets[key] = _Target(self, key, record, origins, dependencies)
        scope = record.spec.scope
        kind = (
            providers.ThreadSafeSingleton
            if scope == "singleton"
            else providers.Factory
            if scope == "factory"
            else providers.ThreadLocalSingleton
        )
        provider = target.provider = kind(target, **arguments)
        provider.disable_async_mode()  # every target is synchronous; skips awaitable checks
        stack = self.overrides.get(name)
        if stack:
            provider.override(_constant(stack[-1].instance))
        return provider

    def prebuilt(self, name: str) -> Callable[[], Any] | None:
        """A plain callable building a new instance of factory plugin `name`, or ``None``.

        Once `name`'s provider has built (and type-checked) its first instance, and every
        plugin it injects is a singleton that already holds its instance and is not
        overridden, a new instance is the class called with fixed arguments: this returns
        ``functools.partial(cls, **arguments)``, which `ModuleRegistry.get` caches instead of
        calling the provider. It is ``None`` whenever that does not hold (the first build is
        still to come, `name` or a dependency is overridden, a dependency is not a built
        singleton, a parameter takes a list); the provider answers then. The registry drops
        the callable whenever an override, a registration or a shutdown could change what
        the provider would inject.

        Example:
            >>> from mreg_di._spec import PluginRecord, PluginSpec
            >>> from mreg_di._loader import Loader
            >>> from mreg_di._manifest import Manifest
            >>> from mreg_di._resolve import Binder, RecordCatalogue
            >>> from mreg_di._typecheck import TypeChecker
            >>> class Job: ...
            >>> record = PluginRecord(PluginSpec("job", scope="factory"), __name__, "Job")
            >>> catalogue = RecordCatalogue([record])
            >>> loader = Loader(Manifest.build([], files={}, order={}, generator="doc"))
            >>> loader.add("job", Job)
            >>> container = Container(Binder(catalogue, None), loader=loader,
            ...                       checker=TypeChecker("off"), config=Configuration(),
            ...                       raw=lambda name: catalogue.record(name).to_json())
            >>> container.prebuilt("job") is None  # nothing built yet
            True
            >>> first = container.provider("job")()
            >>> make = container.prebuilt("job")
            >>> make() is not make() and type(make()) is Job
            True
        """
        import functools

        with self._lock:
            provider = self.providers.get(name)
            target = self._targets.get(name)
            if provider is None or target is None or name in self.overrides:
                return None
            implementation = provider.provides
            if isinstance(implementation, _Target) or provider.overridden:
                return None  # the first (checked) construction has not run yet
            arguments: dict[str, Any] = {}
            for parameter, value in provider.kwargs.items():
                dependencies = target.dependencies.get(parameter)
                if not dependencies:  # a configuration value, or None for a missing optional
                    arguments[parameter] = value
                    continue
                dependency = dependencies[0]
                singleton = self.providers.get(dependency)
                if (
                    len(dependencies) != 1  # a list of plugins: a new list per instance
                    or singleton is None
                    or singleton is not value  # e.g. a providers.List
                    or dependency in self.overrides
                    or dependency not in self.instantiated
                    or singleton.overridden
                ):
                    return None
                arguments[parameter] = singleton()  # the singleton's instance, already built
            return functools.partial(implementation, **arguments)

    def _cycle(self, name: str) -> Problem:
        from mreg_di._problems import Problem, ProblemKind

        path = [*self._building[self._building.index(name) :], name]
        record = self.binder.catalogue.record(path[0])
        return Problem(
            ProblemKind.CYCLE,
            "dependency cycle: " + " -> ".join(f"`{node}`" for node in path),
            plugin=path[0],
            file=record.file,
            line=record.line,
            hint="break the cycle: make one of these parameters optional and set it later, "
            "or move the shared part into a plugin both depend on",
            profile=self.binder.profile,
        )

    # -- state ----------------------------------------------------------------------------

    def keys_of(self, name: str) -> list[ProviderKey]:
        """The keys of every provider built for plugin `name` (its variants included)."""
        keys = list(self.providers)  # a snapshot: other threads may be adding providers
        return [k for k in keys if k == name or (isinstance(k, tuple) and k[0] == name)]

    def reset(self, keys: Iterable[ProviderKey]) -> None:
        """Drop the instances the singleton providers of `keys` hold."""
        with self._lock:
            self._reset(keys)

    def _reset(self, keys: Iterable[ProviderKey]) -> None:
        for key in list(keys):
            provider = self.providers.get(key)
            if provider is not None and key in self.instantiated:
                provider.reset()
            self.instantiated.discard(key)

    def set_override(self, name: str) -> None:
        """Apply the top of `name`'s override stack (or none) to its built providers.

        Holds the lock providers are built under, so a provider being built meanwhile either
        sees the new stack or is already listed here.
        """
        with self._lock:
            self._set_override(name)

    def _set_override(self, name: str) -> None:
        stack = self.overrides.get(name)
        for key in self.keys_of(name):
            provider = self.providers[key]
            provider.reset_override()
            if stack:
                provider.override(_constant(stack[-1].instance))

    def rebind(self, binder: Binder, raw: Callable[[str], Mapping[str, Any]]) -> Container:
        """A container for a changed graph, keeping the singletons already built.

        Providers of singletons that hold an instance are carried over (their instance and
        what it was built from cannot change); every other provider is built again, lazily,
        with the new bindings.
        """
        fresh = Container(
            binder,
            loader=self.loader,
            checker=self.checker,
            config=self.config,
            raw=raw,
            overrides=self.overrides,
        )
        with self._lock:
            for key in self.instantiated:
                fresh.providers[key] = self.providers[key]
            fresh.instantiated = set(self.instantiated)
        return fresh


def _constant(instance: object) -> Any:
    from dependency_injector import providers

    provider = providers.Object(instance)
    provider.disable_async_mode()
    return provider
