"""`ModuleRegistry`: the runtime facade. Load a manifest, then ask for plugins.

Start-up does almost nothing on purpose: `ModuleRegistry.from_manifest` reads and checks the
JSON and keeps the records raw. No plugin module, and none of networkx, typeguard,
dependency-injector or libcst, is imported until something asks for it:

- the first request for a plugin builds dependency-injector providers along its dependency
  closure (`mreg_di._container`), which import only those plugins' modules, each after its
  file's sha256 is checked (`mreg_di._loader`), and type-check the first construction
  (`mreg_di._typecheck`);
- a cached singleton is then a dict lookup: `get` and `create_plugin` keep instances keyed by
  interface and by name, dropped whenever an override, a registration or a shutdown changes
  what they would return;
- networkx is imported by runtime registration (the graph changes), `graph`, and `validate` /
  `start` only when the manifest holds no validated order for the profile.
"""

from __future__ import annotations

import contextlib
import os
import threading
import warnings
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from mreg_di._catalogue import LayeredCatalogue
from mreg_di._config import Configuration, configuration_problems
from mreg_di._container import Container, Override
from mreg_di._discovery import DiscoveryMixin
from mreg_di._errors import ResolutionError
from mreg_di._lifecycle import Lifecycle
from mreg_di._loader import Loader
from mreg_di._lookup import active_name, check_variant, provider_name, qualified_name
from mreg_di._manifest import MANIFEST_FILENAME, Manifest
from mreg_di._resolve import Binder
from mreg_di._typecheck import TypeChecker, TypeCheckMode
from mreg_di._validation import DEFAULT_PROFILE

if TYPE_CHECKING:
    import logging
    from collections.abc import Callable, Sequence

    import networkx as nx

    from mreg_di._problems import Problem
    from mreg_di._registration import PluginConfig
    from mreg_di._spec import PluginSpec

__all__ = ["ModuleRegistry"]


def _logger() -> logging.Logger:
    import logging  # ~3 ms: only once something is logged

    return logging.getLogger("mreg_di")


T = TypeVar("T")

ConfigInput = Configuration | Mapping[str, Mapping[str, Any]] | str | os.PathLike[str] | None
"""What ``config=`` accepts: a `Configuration`, a dict, a .toml/.json path, or nothing."""


class _Build:
    """A cache entry meaning "call this": a provider, or a factory's prebuilt constructor call."""

    __slots__ = ("provider",)

    def __init__(self, provider: Any) -> None:
        self.provider = provider


def _empty_manifest() -> Manifest:
    return Manifest.from_data(
        {"schema": 1, "generator": "mreg-di runtime", "files": {}, "plugins": [], "order": {}},
        source="<runtime>",
    )


class ModuleRegistry(DiscoveryMixin):
    """Plugins from a manifest (and runtime registrations), wired lazily and typed.

    Create one with `from_manifest` or `from_package`; ``ModuleRegistry()`` is an empty
    registry for plugins registered at run time.

    Args:
        manifest: The manifest; ``None`` for an empty one.
        profile: The active profile; ``None`` means ``"default"`` (only plugins without
            profiles).
        config: Constructor values per plugin: a `Configuration`, a dict, or a path to a
            ``.toml``/``.json`` file.
        verify: Check each file's sha256 against the manifest before importing it.
        type_checks: ``"error"`` (default), ``"warn"`` or ``"off"``.

    Example:
        >>> from mreg_di import plugin
        >>> @plugin("clock")
        ... class Clock:
        ...     def now(self) -> int:
        ...         return 42
        >>> registry = ModuleRegistry()
        >>> registry.register_plugin(Clock).name
        'clock'
        >>> registry.get(Clock).now()
        42
    """

    def __init__(
        self,
        manifest: Manifest | None = None,
        *,
        profile: str | None = None,
        config: ConfigInput = None,
        verify: bool = True,
        type_checks: TypeCheckMode = "error",
        _read: Callable[[str], bytes] | None = None,
    ) -> None:
        if profile is not None and (not isinstance(profile, str) or not profile):
            raise TypeError(f"profile must be a non-empty string or None, not {profile!r}")
        self._manifest = manifest if manifest is not None else _empty_manifest()
        self._profile = profile or DEFAULT_PROFILE
        self._checker = TypeChecker(type_checks)
        self._config = Configuration.coerce(config)
        self._loader = Loader(self._manifest, verify=verify, read=_read)
        self._catalogue_now = LayeredCatalogue(self._manifest)
        self._binder = Binder(self._catalogue_now, self._profile)
        self._overrides: dict[str, list[Override]] = {}
        self._container = self._new_container()
        self._by_key: dict[object, object] = {}
        self._by_name: dict[str, object] = {}
        self._generation = 0
        self._lock = threading.RLock()
        self._lifecycle = Lifecycle()
        self._problems: list[Problem] | None = None
        self._order: list[str] | None = None
        self._graph: nx.DiGraph | None = None

    # -- construction ---------------------------------------------------------------------

    @classmethod
    def from_manifest(
        cls,
        path: str | os.PathLike[str],
        *,
        profile: str | None = None,
        config: ConfigInput = None,
        verify: bool = True,
        type_checks: TypeCheckMode = "error",
    ) -> ModuleRegistry:
        """A registry for the manifest at `path`. Imports no plugin module.

        Raises:
            ManifestError: The manifest cannot be read or is invalid.

        Example:
            >>> ModuleRegistry.from_manifest("missing/mreg-manifest.json")
            Traceback (most recent call last):
            ...
            mreg_di._errors.ManifestError: missing/mreg-manifest.json: cannot read the \
manifest: No such file or directory
            Hint: run `mreg-codegen scan SRC --output MANIFEST` to generate it, or pass \
the right path
        """
        return cls(
            Manifest.load(path),
            profile=profile,
            config=config,
            verify=verify,
            type_checks=type_checks,
        )

    @classmethod
    def from_package(
        cls,
        package: str,
        *,
        resource: str = MANIFEST_FILENAME,
        profile: str | None = None,
        config: ConfigInput = None,
        verify: bool = True,
        type_checks: TypeCheckMode = "error",
    ) -> ModuleRegistry:
        """A registry for the manifest shipped inside `package` (read with importlib.resources).

        The package's ``__init__`` is imported to locate it; no plugin module is.

        Raises:
            ManifestError: The package has no manifest, or it is invalid.

        Example:
            >>> ModuleRegistry.from_package("json")  # doctest: +ELLIPSIS
            Traceback (most recent call last):
            ...
            mreg_di._errors.ManifestError: json/mreg-manifest.json: package `json` has no \
mreg-manifest.json
            Hint: ...
        """
        from importlib import resources

        from mreg_di._errors import ManifestError

        root = resources.files(package)
        file = root / resource
        source = f"{package.replace('.', '/')}/{resource}"
        try:
            text = file.read_bytes()
        except OSError as exc:
            raise ManifestError(
                source,
                "",
                f"package `{package}` has no {resource}",
                f"generate it with `mreg-codegen scan <src> --output <package dir>/{resource}` "
                "and ship it as package data",
            ) from exc
        directory = Path(str(root)) if isinstance(root, Path) else None
        read = None if directory is not None else (lambda rel: (root / rel).read_bytes())
        manifest = Manifest.from_text(
            text, source=str(file) if directory else source, directory=directory
        )
        return cls(
            manifest,
            profile=profile,
            config=config,
            verify=verify,
            type_checks=type_checks,
            _read=read,
        )

    def _new_container(self) -> Container:
        return Container(
            self._binder,
            loader=self._loader,
            checker=self._checker,
            config=self._config,
            raw=self._raw,
            overrides=self._overrides,
        )

    def _raw(self, name: str) -> Mapping[str, Any]:
        return self._catalogue_now.raw(name)

    # -- what it knows ----------------------------------------------------------------------

    @property
    def profile(self) -> str:
        """The active profile (``"default"`` when none was given).

        Example:
            >>> ModuleRegistry(profile="test").profile
            'test'
        """
        return self._profile

    @property
    def manifest(self) -> Manifest:
        """The manifest this registry was loaded from (empty for ``ModuleRegistry()``)."""
        return self._manifest

    def _catalogue(self) -> LayeredCatalogue:
        """Every plugin, manifest and runtime-registered, in every profile."""
        return self._catalogue_now

    @property
    def graph(self) -> nx.DiGraph:
        """The active plugins and their dependencies, as a networkx ``DiGraph``.

        Built on first access (importing networkx) and after each registration. Nodes are
        plugin names with a ``record`` attribute; an edge ``consumer -> dependency`` has a
        ``via`` attribute naming the parameters and requirements behind it. Do not mutate it.

        Example:
            >>> sorted(ModuleRegistry().graph.nodes)
            []
        """
        graph = self._graph
        if graph is None:
            from mreg_di._graph import build_graph

            graph = self._graph = build_graph(Binder(self._catalogue_now, self._profile))
        return graph

    def __repr__(self) -> str:
        state = ", started" if self._lifecycle.is_started else ""
        return (
            f"<ModuleRegistry {self._manifest.source!r} profile={self._profile!r}: "
            f"{len(self._catalogue_now)} plugins{state}>"
        )

    def factories(self) -> dict[str, tuple[str, ...]]:
        """The active factories, by name, with their variants (empty for a plain factory).

        Example:
            >>> ModuleRegistry().factories()
            {}
        """
        found: dict[str, tuple[str, ...]] = {}
        for raw in self._catalogue_now.raw_records():
            if raw["kind"] == "factory" and self._is_active_raw(raw):
                found[raw["name"]] = tuple(raw["variants"])
        return dict(sorted(found.items()))

    def _is_active_raw(self, raw: Mapping[str, Any]) -> bool:
        profiles = raw["profiles"]
        return not profiles or (self._profile != DEFAULT_PROFILE and self._profile in profiles)

    # -- validation -------------------------------------------------------------------------

    def validate(self) -> None:
        """Check the whole active graph and the configuration; report every problem at once.

        Graph problems (missing or ambiguous bindings, unmet requirements, cycles) come from
        the build step when the manifest holds a validated order for this profile and nothing
        was registered at run time; otherwise they are computed with networkx. Configuration
        problems: a key that is not a parameter of its plugin (naming the valid ones), a plugin
        name that does not exist, a required value parameter with neither default nor value.

        Raises:
            ResolutionError: With every problem in ``problems``.

        Example:
            >>> ModuleRegistry(config={"gzip": {"level": 9}}).validate()
            Traceback (most recent call last):
            ...
            mreg_di._errors.ResolutionError: 1 problem in the plugin graph:
            - configuration names plugin `gzip` (from the configuration dict), but no plugin \
has that name
              Hint: check the plugin name, or remove the entry
        """
        problems = [
            *self._graph_problems(),
            *configuration_problems(self._config, self._catalogue_now.raw_records(), self._profile),
        ]
        if problems:
            raise ResolutionError(problems)

    def _graph_problems(self) -> list[Problem]:
        problems = self._problems
        if problems is None:
            trusted = not self._catalogue_now.runtime and self._manifest_order() is not None
            if trusted:
                problems = []  # the build step validated this profile before writing its order
            else:
                from mreg_di._graph import validate

                problems = validate(self._catalogue_now, self._profile)
            self._problems = problems
        return problems

    def _manifest_order(self) -> list[str] | None:
        return self._manifest.order_for(None if self._profile == DEFAULT_PROFILE else self._profile)

    def _start_order(self) -> list[str]:
        if not self._catalogue_now.runtime:
            order = self._manifest_order()
            if order is not None:
                return order
        if self._order is None:
            from mreg_di._graph import dependency_order

            self._order = dependency_order(self._catalogue_now, self._profile)
        return self._order

    # -- resolution -------------------------------------------------------------------------

    @overload
    def get(self, interface: type[T]) -> T: ...

    @overload
    def get(self, interface: str) -> Any: ...

    def get(self, interface: type[T] | str) -> T | Any:
        """The instance bound to `interface` (a class, or its qualified name as a string).

        The single active provider with the highest priority answers; its scope decides
        whether the instance is shared (``singleton``), new (``factory``) or per thread.
        A cached singleton costs one dict lookup.

        Raises:
            PluginNotFoundError: No active plugin provides it.
            ResolutionError: Two providers tie at the highest priority, or the plugin cannot
                be wired (see `validate`).
            StaleManifestError: A file changed since the manifest was generated.
            PluginTypeError: An argument or the instance fails its type check.

        Example:
            >>> ModuleRegistry().get("acme.Compressor")
            Traceback (most recent call last):
            ...
            mreg_di._errors.PluginNotFoundError: no active plugin provides `acme.Compressor` \
in profile `default`
            Hint: declare a plugin with `provides=[Compressor]`, or register one with \
`registry.register_plugin(...)`
        """
        try:
            hit = self._by_key[interface]
        except KeyError:
            return self._get_slow(interface)
        if type(hit) is _Build:
            return hit.provider()
        return hit

    def _get_slow(self, interface: object) -> Any:
        name = provider_name(self._binder, qualified_name(interface, "get"))
        return self._produce(name, interface, by_key=True)

    def create_plugin(self, name: str) -> Any:
        """The instance of plugin `name`, honouring its scope.

        Raises:
            PluginNotFoundError: No plugin has that name, or it is not active in this profile.
            ResolutionError: It cannot be wired (see `validate`); a factory with variants
                needs `create_plugin_from_factory`.

        Example:
            >>> ModuleRegistry().create_plugin("gzip")
            Traceback (most recent call last):
            ...
            mreg_di._errors.PluginNotFoundError: no active plugin `gzip` in profile `default`
        """
        try:
            hit = self._by_name[name]
        except KeyError:
            return self._produce(
                active_name(self._catalogue_now, self._profile, name), name, by_key=False
            )
        if type(hit) is _Build:
            return hit.provider()
        return hit

    def _produce(self, name: str, key: Any, *, by_key: bool) -> Any:
        """Build (or fetch) `name`'s instance and remember how to answer `key` next time."""
        generation = self._generation
        container = self._container
        provider = container.provider(name)
        scope = self._catalogue_now.record(name).spec.scope
        instance = provider()
        if scope == "singleton":
            entry: object = instance
        else:
            # After the first (type-checked) build, a factory whose dependencies are built,
            # unoverridden singletons is its class called with fixed arguments: cache that
            # call rather than the provider (see Container.prebuilt).
            prebuilt = container.prebuilt(name) if scope == "factory" else None
            entry = _Build(provider if prebuilt is None else prebuilt)
        with self._lock:
            if self._generation == generation and self._container is container:
                (self._by_key if by_key else self._by_name)[key] = entry
        return instance

    def get_all(self, interface: type[T] | str) -> list[T] | list[Any]:
        """Every active provider's instance of `interface`: highest priority first, then name.

        An interface nobody provides gives an empty list.

        Example:
            >>> ModuleRegistry().get_all("acme.MetricsSink")
            []
        """
        qualified = qualified_name(interface, "get_all")
        return [self.create_plugin(record.name) for record in self._binder.providers(qualified)]

    def create_plugin_from_factory(self, name: str, variant: str) -> Any:
        """The instance factory `name` builds for `variant`; its other parameters are injected.

        A singleton-scoped factory builds each variant once; a factory-scoped one every call.

        Raises:
            PluginNotFoundError: No active factory has that name, or it has no such variant
                (the message lists the valid ones).

        Example:
            >>> ModuleRegistry().create_plugin_from_factory("processor-factory", "batch")
            Traceback (most recent call last):
            ...
            mreg_di._errors.PluginNotFoundError: no active factory `processor-factory` in \
profile `default`
        """
        name = active_name(self._catalogue_now, self._profile, name, kind="factory")
        check_variant(self._catalogue_now.record(name), variant)
        return self._container.provider(name, variant)()

    # -- runtime registration ---------------------------------------------------------------

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

    # -- overrides --------------------------------------------------------------------------

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

    def _invalidate(self) -> None:
        # Replace the caches rather than clearing them, and bump the generation, so a lookup
        # that started before this cannot store a stale answer after it.
        with self._lock:
            self._generation += 1
            self._by_key = {}
            self._by_name = {}

    # -- lifecycle --------------------------------------------------------------------------

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

    def __enter__(self) -> ModuleRegistry:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.shutdown()

    async def __aenter__(self) -> ModuleRegistry:
        await self.astart()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.ashutdown()

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
