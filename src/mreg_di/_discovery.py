"""Discovery: find plugins by type, capability, interface, version, metadata and meaning.

Every query is answered from the catalogue's records: no plugin module is imported, and no
plugin is built. The module is split by concept:

- `mreg_di._discovery_checks`: the argument checks (shared with the query objects) and
  `ALL_PROFILES`;
- `mreg_di._discovery_index`: `Discovery`, one catalogue with its lazily built indexes;
- here: `discover` and `discover_semantically`, the same queries as plain functions, and
  `DiscoveryMixin`, which gives `ModuleRegistry` the seed's method names.

Profiles decide which plugins a query sees, with the runtime's rule: a plugin that lists no
profiles is active in every profile, one that lists profiles only in those. ``None`` and
``"default"`` select the plugins without profiles; `ALL_PROFILES` (``"*"``) selects every plugin.

This module is on the start-up path (`ModuleRegistry` inherits `DiscoveryMixin`), so it imports
nothing at import time that a registry needs only once it is queried: `Discovery`, the argument
checks, attrs (for results and query objects) and ``packaging.specifiers`` (for version filters)
are imported by the first query that needs them, and `Discovery` and `ALL_PROFILES` on first
access as attributes of this module (PEP 562).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal, overload

if TYPE_CHECKING:
    from mreg_di._discovery_checks import ALL_PROFILES
    from mreg_di._discovery_index import Discovery, Interface
    from mreg_di._queries import PluginCapabilityQuery, PluginDiscoveryQuery, PluginSemanticQuery
    from mreg_di._resolve import Catalogue
    from mreg_di._semantic import SemanticMatch
    from mreg_di._spec import PluginSpec, PluginType

__all__ = [
    "ALL_PROFILES",
    "Discovery",
    "DiscoveryMixin",
    "discover",
    "discover_semantically",
]


# Name -> the module defining it, imported on first access rather than at start-up.
_LAZY = {"ALL_PROFILES": "mreg_di._discovery_checks", "Discovery": "mreg_di._discovery_index"}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def _discovery_of(catalogue: Catalogue | Discovery) -> Discovery:
    from mreg_di._discovery_index import Discovery

    return catalogue if isinstance(catalogue, Discovery) else Discovery(catalogue)


def discover(
    catalogue: Catalogue | Discovery,
    profile: str | None = None,
    *,
    type: str | PluginType | None = None,
    capabilities: Iterable[str] = (),
    optional_capabilities: Iterable[str] = (),
    provides: Interface | None = None,
    version: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> list[PluginSpec]:
    """Structured discovery over a catalogue: `Discovery.discover` as a function.

    A plain catalogue is indexed for this one call; pass a `Discovery` to keep the indexes
    across queries.

    Example:
        >>> from mreg_di._resolve import RecordCatalogue
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> catalogue = RecordCatalogue([
        ...     PluginRecord(PluginSpec("s3", type="storage", version="2.0"), "a", "S3"),
        ...     PluginRecord(PluginSpec("disk", type="storage", version="1.4"), "a", "Disk"),
        ... ])
        >>> [s.name for s in discover(catalogue, None, type="storage", version=">=1.5")]
        ['s3']
    """
    return _discovery_of(catalogue).discover(
        profile,
        type=type,
        capabilities=capabilities,
        optional_capabilities=optional_capabilities,
        provides=provides,
        version=version,
        metadata=metadata,
    )


@overload
def discover_semantically(
    catalogue: Catalogue | Discovery,
    profile: str | None,
    intent: str,
    context: str | None = ...,
    requirements: Iterable[str] = ...,
    *,
    type: str | PluginType | None = ...,
    limit: int | None = ...,
    explain: Literal[False] = ...,
) -> list[tuple[PluginSpec, float]]: ...


@overload
def discover_semantically(
    catalogue: Catalogue | Discovery,
    profile: str | None,
    intent: str,
    context: str | None = ...,
    requirements: Iterable[str] = ...,
    *,
    type: str | PluginType | None = ...,
    limit: int | None = ...,
    explain: Literal[True],
) -> list[SemanticMatch]: ...


def discover_semantically(
    catalogue: Catalogue | Discovery,
    profile: str | None,
    intent: str,
    context: str | None = None,
    requirements: Iterable[str] = (),
    *,
    type: str | PluginType | None = None,
    limit: int | None = None,
    explain: bool = False,
) -> list[tuple[PluginSpec, float]] | list[SemanticMatch]:
    """Semantic discovery over a catalogue: `Discovery.discover_semantically` as a function.

    Example:
        >>> from mreg_di._resolve import RecordCatalogue
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> catalogue = RecordCatalogue([
        ...     PluginRecord(PluginSpec("gzip-compressor"), "a", "G"),
        ...     PluginRecord(PluginSpec("aes-encryptor"), "a", "A"),
        ... ])
        >>> [s.name for s, _ in discover_semantically(catalogue, None, "encrypt secrets")]
        ['aes-encryptor']
    """
    return _discovery_of(catalogue).discover_semantically(  # type: ignore[call-overload, no-any-return]
        intent,
        context,
        requirements,
        profile=profile,
        type=type,
        limit=limit,
        explain=explain,
    )


# -- the registry's methods ------------------------------------------------------------------

_QUERY_CONFLICT = (
    "pass either a query object or filter arguments, not both\n"
    "Hint: put every filter in the query, e.g. attrs.evolve(query, profile='test')"
)


class DiscoveryMixin:
    """The seed's discovery methods, for `ModuleRegistry`.

    The host class provides ``profile`` (the active profile), ``_catalogue()`` (every plugin:
    the manifest's and those registered at run time) and ``create_plugin(name)``. Indexes are
    built on the first query and kept while ``_catalogue()`` returns the same object; a host
    returns a new catalogue object whenever its plugins change.

    Example:
        >>> from mreg_di._resolve import RecordCatalogue
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> class Host(DiscoveryMixin):
        ...     profile = "default"
        ...     def _catalogue(self):
        ...         return RecordCatalogue(
        ...             [PluginRecord(PluginSpec("mem", type="storage"), "a", "Mem")])
        >>> [spec.name for spec in Host().discover_plugins(type="storage")]
        ['mem']
    """

    if TYPE_CHECKING:

        @property
        def profile(self) -> str: ...

        def _catalogue(self) -> Catalogue: ...

        def create_plugin(self, name: str) -> Any: ...

    def _discovery(self) -> Discovery:
        catalogue = self._catalogue()
        cached: Discovery | None = getattr(self, "_discovery_cache", None)
        if cached is None or cached.catalogue is not catalogue:
            from mreg_di._discovery_index import Discovery

            cached = Discovery(catalogue)
            self._discovery_cache = cached
        return cached

    def _discovery_profile(self, profile: str | None) -> str:
        from mreg_di._discovery_checks import check_profile

        return check_profile(profile) or self.profile

    def discover_plugins(
        self,
        type: str | PluginType | PluginDiscoveryQuery | PluginCapabilityQuery | None = None,
        capabilities: Iterable[str] = (),
        optional_capabilities: Iterable[str] = (),
        provides: Interface | None = None,
        version: str | None = None,
        profile: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> list[PluginSpec]:
        """Plugins matching every filter, best first; see `Discovery.discover` for the rules.

        Args:
            type: A plugin type, or a `PluginDiscoveryQuery` / `PluginCapabilityQuery`
                holding every filter (then pass no other argument).
            capabilities: Required capabilities.
            optional_capabilities: Preferred capabilities (rank higher, never exclude).
            provides: Only plugins bound to this interface (class or qualified name).
            version: PEP 440 specifiers, e.g. ``">=2.0"``.
            profile: The profile to query; ``None`` is the registry's, ``"*"`` every profile.
            metadata: Key/value pairs the plugin's metadata must contain.

        Returns:
            Specs ranked by optional capabilities matched, then priority, then name.

        Example:
            >>> from mreg_di._resolve import RecordCatalogue
            >>> from mreg_di._spec import PluginRecord, PluginSpec
            >>> class Host(DiscoveryMixin):
            ...     profile = "default"
            ...     def _catalogue(self):
            ...         return RecordCatalogue([PluginRecord(
            ...             PluginSpec("aes", capabilities=["encryption"]), "a", "Aes")])
            >>> [s.name for s in Host().discover_plugins(capabilities=["encryption"])]
            ['aes']
        """
        if type is not None and not isinstance(type, str):
            given = (capabilities, optional_capabilities, provides, version, profile, metadata)
            if given != ((), (), None, None, None, None):
                raise TypeError(_QUERY_CONFLICT)
            return self._discover_query(type)
        return self._discovery().discover(
            self._discovery_profile(profile),
            type=type,
            capabilities=capabilities,
            optional_capabilities=optional_capabilities,
            provides=provides,
            version=version,
            metadata=metadata,
        )

    def discover_plugins_by_capabilities(
        self,
        required: Iterable[str] | PluginCapabilityQuery,
        optional: Iterable[str] = (),
    ) -> list[PluginSpec]:
        """Plugins declaring every `required` capability, those with more `optional` first.

        The seed's shortcut for ``discover_plugins(capabilities=..., optional_capabilities=...)``
        in the registry's profile. `required` may also be a `PluginCapabilityQuery`.

        Example:
            >>> from mreg_di._resolve import RecordCatalogue
            >>> from mreg_di._spec import PluginRecord, PluginSpec
            >>> class Host(DiscoveryMixin):
            ...     profile = "default"
            ...     def _catalogue(self):
            ...         return RecordCatalogue([
            ...             PluginRecord(PluginSpec("aes", capabilities=["encryption"]), "a", "A"),
            ...             PluginRecord(PluginSpec("vault",
            ...                 capabilities=["encryption", "monitoring"]), "a", "V")])
            >>> [s.name for s in Host().discover_plugins_by_capabilities(
            ...     ["encryption"], optional=["monitoring"])]
            ['vault', 'aes']
        """
        if isinstance(required, Iterable):
            return self._discovery().discover(
                self.profile, capabilities=required, optional_capabilities=optional
            )
        from mreg_di._queries import PluginCapabilityQuery

        if not isinstance(required, PluginCapabilityQuery):
            raise TypeError(
                f"required must be a list of capabilities or a PluginCapabilityQuery, "
                f"not {required!r}"
            )
        if optional != ():
            raise TypeError(_QUERY_CONFLICT)
        return self._discover_query(required)

    def _discover_query(self, query: object) -> list[PluginSpec]:
        """Run a structured query object, in its profile or else the registry's."""
        from mreg_di._queries import PluginCapabilityQuery, PluginDiscoveryQuery

        if isinstance(query, PluginCapabilityQuery):
            return self._discovery().discover(
                self._discovery_profile(query.profile),
                capabilities=query.required,
                optional_capabilities=query.optional,
            )
        if isinstance(query, PluginDiscoveryQuery):
            return self._discovery().discover(
                self._discovery_profile(query.profile),
                type=query.type,
                capabilities=query.capabilities,
                optional_capabilities=query.optional_capabilities,
                provides=query.provides,
                version=query.version,
                metadata=query.metadata,
            )
        hint = (
            "use discover_plugins_semantically for a PluginSemanticQuery"
            if _is_semantic_query(query)
            else "pass a PluginType, a string, or a PluginDiscoveryQuery"
        )
        raise TypeError(
            f"type must be a PluginType, a string or a query, not {query!r}\nHint: {hint}"
        )

    @overload
    def discover_plugins_semantically(
        self,
        intent: str | PluginSemanticQuery,
        context: str | None = ...,
        requirements: Iterable[str] = ...,
        *,
        explain: Literal[False] = ...,
        limit: int | None = ...,
        profile: str | None = ...,
    ) -> list[tuple[PluginSpec, float]]: ...

    @overload
    def discover_plugins_semantically(
        self,
        intent: str | PluginSemanticQuery,
        context: str | None = ...,
        requirements: Iterable[str] = ...,
        *,
        explain: Literal[True],
        limit: int | None = ...,
        profile: str | None = ...,
    ) -> list[SemanticMatch]: ...

    def discover_plugins_semantically(
        self,
        intent: str | PluginSemanticQuery,
        context: str | None = None,
        requirements: Iterable[str] = (),
        *,
        explain: bool = False,
        limit: int | None = None,
        profile: str | None = None,
    ) -> list[tuple[PluginSpec, float]] | list[SemanticMatch]:
        """Plugins ranked by how well they match `intent`; see `Discovery.discover_semantically`.

        Args:
            intent: What the plugin should do, or a `PluginSemanticQuery` holding the whole
                query (then pass no other query argument).
            context: Softer preferences, counted half as much as the intent.
            requirements: Capabilities every result must declare.
            explain: Return `SemanticMatch` objects (spec, score, matched terms per field).
            limit: At most this many results.
            profile: The profile to query; ``None`` is the registry's, ``"*"`` every profile.

        Returns:
            ``(spec, score)`` pairs, best first, or `SemanticMatch` objects with `explain`.

        Example:
            >>> from mreg_di._resolve import RecordCatalogue
            >>> from mreg_di._spec import PluginRecord, PluginSpec
            >>> class Host(DiscoveryMixin):
            ...     profile = "default"
            ...     def _catalogue(self):
            ...         return RecordCatalogue([
            ...             PluginRecord(PluginSpec("gzip-compressor"), "a", "G"),
            ...             PluginRecord(PluginSpec("aes-encryptor"), "a", "A")])
            >>> [s.name for s, _ in Host().discover_plugins_semantically("compression")]
            ['gzip-compressor']
        """
        if not isinstance(intent, str):
            from mreg_di._queries import PluginSemanticQuery

            if not isinstance(intent, PluginSemanticQuery):
                raise TypeError(f"intent must be a string or a PluginSemanticQuery, not {intent!r}")
            if (context, requirements, limit, profile) != (None, (), None, None):
                raise TypeError(_QUERY_CONFLICT)
            context, requirements = intent.context, intent.requirements
            limit, profile, intent = intent.limit, intent.profile, intent.intent
        return self._discovery().discover_semantically(  # type: ignore[call-overload, no-any-return]
            intent,
            context,
            requirements,
            profile=self._discovery_profile(profile),
            limit=limit,
            explain=explain,
        )

    def process(self, name: str, data: bytes) -> bytes:
        """Create plugin `name` (honouring its scope) and pass `data` through its ``process``.

        The seed's convenience for plugins implementing `mreg_di.Plugin`.

        Raises:
            TypeError: `data` is not bytes; the plugin has no ``process`` method; or it
                returned something other than bytes.
            PluginNotFoundError: No active plugin is called `name`.

        Example:
            >>> class Upper:
            ...     def process(self, data: bytes) -> bytes:
            ...         return data.upper()
            >>> class Host(DiscoveryMixin):
            ...     profile = "default"
            ...     def create_plugin(self, name):
            ...         return Upper()
            >>> Host().process("upper", b"abc")
            b'ABC'
        """
        if not isinstance(data, bytes | bytearray | memoryview):
            hint = (
                "encode text first, e.g. text.encode()"
                if isinstance(data, str)
                else ("pass bytes, bytearray or memoryview")
            )
            raise TypeError(
                f"process({name!r}, data): data must be bytes, not {data.__class__.__name__}\n"
                f"Hint: {hint}"
            )
        instance = self.create_plugin(name)
        method = getattr(instance, "process", None)
        if not callable(method):
            raise TypeError(
                f"plugin `{name}` ({self._discovery_where(name)}) has no "
                f"`process(data: bytes) -> bytes` method; its instance is a "
                f"{_class_name(instance)}\n"
                "Hint: implement mreg_di.Plugin's `process`, or call the plugin's own methods "
                f"on registry.create_plugin({name!r})"
            )
        result = method(bytes(data))
        if isinstance(result, bytearray | memoryview):
            result = bytes(result)
        if not isinstance(result, bytes):
            if hasattr(result, "close") and hasattr(result, "send"):
                result.close()  # an un-awaited coroutine: close it rather than warn later
                hint = "`process` must be synchronous; await the plugin's method yourself"
            else:
                hint = "return the processed data as bytes"
            raise TypeError(
                f"plugin `{name}` ({self._discovery_where(name)}): `process` returned "
                f"{_class_name(result)}, expected bytes\nHint: {hint}"
            )
        return result

    def _discovery_where(self, name: str) -> str:
        try:
            return self._catalogue().record(name).location
        except (KeyError, AttributeError, NotImplementedError):
            return "location unknown"


def _class_name(value: object) -> str:
    cls = value.__class__
    return (
        cls.__qualname__ if cls.__module__ == "builtins" else f"{cls.__module__}.{cls.__qualname__}"
    )


def _is_semantic_query(value: object) -> bool:
    from mreg_di._queries import PluginSemanticQuery

    return isinstance(value, PluginSemanticQuery)
