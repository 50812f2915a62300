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

This module holds construction, what the registry knows, and resolution (the hot path). The
rest is mixed in, one concept per module: `mreg_di._registry_graph` (graph, validate, start
order), `mreg_di._registry_registration` (runtime registration), `mreg_di._registry_overrides`
(override) and `mreg_di._registry_lifecycle` (start, shutdown), as `mreg_di._discovery` does
for the discovery methods.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, overload

from mreg_di._catalogue import LayeredCatalogue
from mreg_di._config import Configuration
from mreg_di._container import Container, Override
from mreg_di._discovery import DiscoveryMixin
from mreg_di._lifecycle import Lifecycle
from mreg_di._loader import Loader
from mreg_di._lookup import active_name, check_variant, provider_name, qualified_name
from mreg_di._manifest import MANIFEST_FILENAME, Manifest
from mreg_di._registry_graph import GraphMixin
from mreg_di._registry_lifecycle import LifecycleMixin
from mreg_di._registry_overrides import OverrideMixin
from mreg_di._registry_registration import RegistrationMixin
from mreg_di._resolve import Binder
from mreg_di._typecheck import TypeChecker, TypeCheckMode
from mreg_di._validation import DEFAULT_PROFILE, is_active

if TYPE_CHECKING:
    from collections.abc import Callable

    import networkx as nx

    from mreg_di._problems import Problem

__all__ = ["ModuleRegistry"]

T = TypeVar("T")

ConfigInput = Configuration | Mapping[str, Mapping[str, Any]] | str | os.PathLike[str] | None
"""What ``config=`` accepts: a `Configuration`, a dict, a .toml/.json path, or nothing."""


class _Build:
    """A cache entry meaning "call this": a provider, or a factory's prebuilt constructor call."""

    __slots__ = ("provider",)

    def __init__(self, provider: Any) -> None:
        self.provider = provider


def _empty_manifest() -> Manifest:
    return Manifest.build([], files={}, order={}, generator="mreg-di runtime", source="<runtime>")


class ModuleRegistry(GraphMixin, RegistrationMixin, OverrideMixin, LifecycleMixin, DiscoveryMixin):
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
        from pathlib import Path

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
            if raw["kind"] == "factory" and is_active(raw["profiles"], self._profile):
                found[raw["name"]] = tuple(raw["variants"])
        return dict(sorted(found.items()))

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

    @overload
    def get_all(self, interface: type[T]) -> list[T]: ...

    @overload
    def get_all(self, interface: str) -> list[Any]: ...

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

    # -- caches -----------------------------------------------------------------------------

    def _invalidate(self) -> None:
        # Replace the caches rather than clearing them, and bump the generation, so a lookup
        # that started before this cannot store a stale answer after it.
        with self._lock:
            self._generation += 1
            self._by_key = {}
            self._by_name = {}

    # -- lifecycle (start and shutdown are in LifecycleMixin) ---------------------------------

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
