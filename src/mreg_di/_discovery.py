"""Discovery: find plugins by type, capability, interface, version, metadata and meaning.

Every query is answered from the catalogue's records (for a `Manifest`, its raw JSON records):
no plugin module is imported, and no plugin is built. A `Discovery` wraps one catalogue and
builds the indexes a query needs on first use (capability, type and name tables for structured
queries; an inverted index for semantic ones), so that later queries on a large catalogue cost
about the size of their answer. `discover` and `discover_semantically` are the same queries as
plain functions; `DiscoveryMixin` gives `ModuleRegistry` the seed's method names.

Profiles decide which plugins a query sees, with the runtime's rule: a plugin that lists no
profiles is active in every profile, one that lists profiles only in those. ``None`` and
``"default"`` select the plugins without profiles; `ALL_PROFILES` (``"*"``) selects every plugin.

This module is on the start-up path (`ModuleRegistry` inherits `DiscoveryMixin`), so it imports
no third-party package at import time: attrs (for results and query objects) and
``packaging.specifiers`` (for version filters) are imported by the queries that need them.
"""

from __future__ import annotations

import heapq
import logging
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

from mreg_di._validation import DEFAULT_PROFILE, check_identifier_list

if TYPE_CHECKING:
    from mreg_di._queries import PluginCapabilityQuery, PluginDiscoveryQuery, PluginSemanticQuery
    from mreg_di._resolve import Catalogue
    from mreg_di._semantic import SemanticIndex, SemanticMatch
    from mreg_di._spec import PluginSpec, PluginType

    Interface: TypeAlias = "type[Any] | str"

__all__ = [
    "ALL_PROFILES",
    "Discovery",
    "DiscoveryMixin",
    "discover",
    "discover_semantically",
]

ALL_PROFILES = "*"
"""Pass as ``profile`` to query every plugin, whatever profiles it is restricted to."""

logger = logging.getLogger("mreg_di")


# -- argument checks (shared with the query objects in mreg_di._queries) -------------------


def check_strings(value: object, what: str) -> tuple[str, ...]:
    """`value` as a tuple of non-empty strings, or `TypeError` naming `what`.

    Example:
        >>> check_strings(["compression"], "capabilities")
        ('compression',)
        >>> check_strings("compression", "capabilities")
        Traceback (most recent call last):
        ...
        TypeError: capabilities must be a list of strings, not the string 'compression'
        Hint: write capabilities=['compression']
    """
    if isinstance(value, str):
        raise TypeError(
            f"{what} must be a list of strings, not the string {value!r}\n"
            f"Hint: write {what}=[{value!r}]"
        )
    items = list(value) if isinstance(value, Iterable) else value
    reason = check_identifier_list(items, what)
    if reason:
        raise TypeError(reason)
    return tuple(items)  # type: ignore[arg-type]  # checked just above


def check_type(value: object) -> str | None:
    """A plugin type filter: ``None``, a `PluginType` or a non-empty string, as a string.

    Example:
        >>> check_type("storage"), check_type(None)
        ('storage', None)
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"type must be a PluginType or a string, not {value!r}")
    if not value:
        raise ValueError("type must not be empty; pass None to accept every type")
    return str(value)


def check_interface(value: object) -> str | None:
    """An interface filter: ``None``, a class or its fully qualified name, as the name.

    Example:
        >>> check_interface("acme.Compressor"), check_interface(None)
        ('acme.Compressor', None)
        >>> check_interface(int)
        'builtins.int'
    """
    if value is None:
        return None
    if isinstance(value, str):
        if not value:
            raise ValueError("provides must not be empty; pass None to accept every plugin")
        return value
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not isinstance(value, type) or not isinstance(module, str) or not qualname:
        raise TypeError(f"provides must be a class or a fully qualified name, not {value!r}")
    return f"{module}.{qualname}"


def check_version_filter(value: object) -> str | None:
    """A version filter: ``None``, PEP 440 specifiers, or a bare version meaning ``==`` it.

    Example:
        >>> check_version_filter(">=1.0, <2"), check_version_filter("2.1")
        ('>=1.0,<2', '==2.1')
        >>> check_version_filter(">>1")
        Traceback (most recent call last):
        ...
        ValueError: version filter '>>1' is not a PEP 440 version or specifier
        Hint: use specifiers such as '>=1.0,<2', or a bare version such as '2.1.0'
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"version must be a string such as '>=1.0', not {value!r}")
    from packaging.specifiers import InvalidSpecifier, Specifier
    from packaging.version import InvalidVersion, Version

    text = value.strip()
    try:
        if text[:1].isdigit():
            return f"=={Version(text)}"
        # Clause by clause, in the user's order (SpecifierSet may reorder them).
        clauses = [str(Specifier(clause.strip())) for clause in text.split(",")]
    except (InvalidSpecifier, InvalidVersion):
        clauses = []
    if not clauses:
        raise ValueError(
            f"version filter {value!r} is not a PEP 440 version or specifier\n"
            "Hint: use specifiers such as '>=1.0,<2', or a bare version such as '2.1.0'"
        )
    return ",".join(clauses)


def check_metadata_filter(value: object) -> dict[str, Any] | None:
    """A metadata filter: ``None`` or a mapping of string keys to JSON values.

    Example:
        >>> check_metadata_filter({"mode": "batch"})
        {'mode': 'batch'}
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"metadata must be a mapping such as {{'mode': 'batch'}}, not {value!r}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"metadata keys must be strings, found {key!r}")
    return dict(value)


def check_profile(value: object) -> str | None:
    """A profile: ``None`` (the caller's default), `ALL_PROFILES` or a profile name.

    Example:
        >>> check_profile("production"), check_profile("*"), check_profile(None)
        ('production', '*', None)
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"profile must be a string, not {value!r}")
    if not value:
        raise ValueError(f"profile must not be empty; pass {ALL_PROFILES!r} for every profile")
    return value


def check_limit(value: object) -> int | None:
    """A result limit: ``None`` or a positive integer.

    Example:
        >>> check_limit(5), check_limit(None)
        (5, None)
    """
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"limit must be a positive integer or None, not {value!r}")
    if value < 1:
        raise ValueError(f"limit must be a positive integer or None, not {value!r}")
    return value


def check_text(value: object, what: str) -> str:
    """Free text for semantic queries (an intent, a context).

    Example:
        >>> check_text("compress data", "intent")
        'compress data'
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {value!r}")
    return value


# -- the discovery object -------------------------------------------------------------------


def _same(wanted: object, actual: object) -> bool:
    # JSON-equality: True is not 1, 1 is 1.0.
    if isinstance(wanted, bool) or isinstance(actual, bool):
        return wanted is actual
    return wanted == actual


def _is_active(raw: Mapping[str, Any], profile: str) -> bool:
    profiles = raw["profiles"]
    if not profiles:
        return True
    return profile != DEFAULT_PROFILE and profile in profiles


class Discovery:
    """Answers discovery queries over one catalogue, building its indexes on first use.

    Wrap a catalogue once and query it many times: the indexes are kept. The catalogue must
    not change while wrapped; make a new `Discovery` when it does (`ModuleRegistry` does so
    after each runtime registration).

    Args:
        catalogue: The plugins to search: a `Manifest`, or any `Catalogue`. A catalogue with a
            ``raw_records()`` method (as `Manifest` has) is indexed from its JSON records
            without building a record object per plugin.

    Example:
        >>> from mreg_di import Manifest
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> manifest = Manifest.build(
        ...     [PluginRecord(PluginSpec("gzip", capabilities=["compression"]), "acme", "Gzip"),
        ...      PluginRecord(PluginSpec("aes", capabilities=["encryption"]), "acme", "Aes")],
        ...     files={}, order={}, generator="example")
        >>> [spec.name for spec in Discovery(manifest).discover(capabilities=["encryption"])]
        ['aes']
    """

    __slots__ = (
        "_active",
        "_by_capability",
        "_by_metadata",
        "_by_name",
        "_by_type",
        "_rows",
        "_semantic",
        "catalogue",
    )

    def __init__(self, catalogue: Catalogue) -> None:
        self.catalogue = catalogue
        self._rows: list[Mapping[str, Any]] | None = None
        self._by_name: dict[str, int] | None = None
        self._by_capability: dict[str, list[int]] | None = None
        self._by_type: dict[str, list[int]] | None = None
        self._by_metadata: dict[str, dict[tuple[str, object], list[int]]] = {}
        self._active: dict[str, set[int] | None] = {}
        self._semantic: SemanticIndex | None = None

    def __repr__(self) -> str:
        return f"<Discovery over {self.catalogue!r}>"

    # -- indexes ------------------------------------------------------------------------

    def _records(self) -> list[Mapping[str, Any]]:
        rows = self._rows
        if rows is None:
            raw_records: Callable[[], Iterable[Mapping[str, Any]]] | None = getattr(
                self.catalogue, "raw_records", None
            )
            if callable(raw_records):
                rows = sorted(raw_records(), key=lambda raw: raw["name"])
            else:
                rows = [self.catalogue.record(name).to_json() for name in self.catalogue.names()]
                rows.sort(key=lambda raw: raw["name"])
            self._rows = rows
        return rows

    def _names(self) -> dict[str, int]:
        if self._by_name is None:
            self._by_name = {raw["name"]: position for position, raw in enumerate(self._records())}
        return self._by_name

    def _capabilities(self) -> dict[str, list[int]]:
        if self._by_capability is None:
            index: dict[str, list[int]] = {}
            for position, raw in enumerate(self._records()):
                for capability in dict.fromkeys(raw["capabilities"]):
                    index.setdefault(capability, []).append(position)
            self._by_capability = index
        return self._by_capability

    def _types(self) -> dict[str, list[int]]:
        if self._by_type is None:
            index: dict[str, list[int]] = {}
            for position, raw in enumerate(self._records()):
                index.setdefault(raw["type"], []).append(position)
            self._by_type = index
        return self._by_type

    def _metadata(self, key: str) -> dict[tuple[str, object], list[int]]:
        """Scalar value -> positions of the plugins whose metadata has it under `key`."""
        index = self._by_metadata.get(key)
        if index is None:
            index = {}
            for position, raw in enumerate(self._records()):
                value = raw["metadata"].get(key, _MISSING)
                if value is not _MISSING and _is_scalar(value):
                    index.setdefault(_scalar_key(value), []).append(position)
            self._by_metadata[key] = index
        return index

    def _active_positions(self, profile: str) -> set[int] | None:
        """Positions of the plugins active in `profile`; ``None`` when all of them are."""
        if profile == ALL_PROFILES:
            return None
        if profile not in self._active:
            rows = self._records()
            active = {p for p, raw in enumerate(rows) if _is_active(raw, profile)}
            self._active[profile] = None if len(active) == len(rows) else active
        return self._active[profile]

    def _semantic_index(self) -> SemanticIndex:
        if self._semantic is None:
            from mreg_di._semantic import SemanticIndex, document_fields

            started = time.perf_counter()
            cache: dict[str, list[str]] = {}
            documents = [document_fields(raw, cache) for raw in self._records()]
            self._semantic = SemanticIndex(documents)
            elapsed = (time.perf_counter() - started) * 1e3
            logger.debug(
                "built the semantic index of %d plugins in %.1f ms",
                len(documents),
                elapsed,
                extra={"plugins": len(documents), "milliseconds": elapsed},
            )
        return self._semantic

    def _spec(self, position: int) -> PluginSpec:
        return self.catalogue.record(self._records()[position]["name"]).spec

    def capabilities(self) -> list[str]:
        """Every capability some plugin declares, sorted (for hints and completion).

        Example:
            >>> from mreg_di._resolve import RecordCatalogue
            >>> from mreg_di._spec import PluginRecord, PluginSpec
            >>> Discovery(RecordCatalogue([PluginRecord(
            ...     PluginSpec("gzip", capabilities=["compression", "streaming"]), "a", "G")]
            ... )).capabilities()
            ['compression', 'streaming']
        """
        return sorted(self._capabilities())

    def types(self) -> list[str]:
        """Every plugin type in the catalogue, sorted.

        Example:
            >>> from mreg_di._resolve import RecordCatalogue
            >>> from mreg_di._spec import PluginRecord, PluginSpec
            >>> Discovery(RecordCatalogue([PluginRecord(PluginSpec("s", type="storage"), "a", "S")]
            ... )).types()
            ['storage']
        """
        return sorted(self._types())

    def _candidates(
        self,
        capabilities: Sequence[str],
        type: str | None,
        provides: str | None,
        metadata: Mapping[str, Any] | None = None,
    ) -> set[int] | None:
        """Positions passing the indexed filters; ``None`` when no filter narrows them."""
        lists: list[Sequence[int]] = []
        if capabilities:
            index = self._capabilities()
            lists.extend(index.get(capability, ()) for capability in capabilities)
        if type is not None:
            lists.append(self._types().get(type, ()))
        if provides is not None:
            names = self._names()
            lists.append([names[n] for n in self.catalogue.candidates(provides) if n in names])
        for key, value in (metadata or {}).items():
            if _is_scalar(value):  # lists and objects are compared one by one afterwards
                lists.append(self._metadata(key).get(_scalar_key(value), ()))
        if not lists:
            return None
        lists.sort(key=len)
        found = set(lists[0])
        for positions in lists[1:]:
            if not found:
                break
            found.intersection_update(positions)
        return found

    # -- queries ------------------------------------------------------------------------

    def discover(
        self,
        profile: str | None = None,
        *,
        type: str | PluginType | None = None,
        capabilities: Iterable[str] = (),
        optional_capabilities: Iterable[str] = (),
        provides: Interface | None = None,
        version: str | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> list[PluginSpec]:
        """The plugins matching every filter, best first.

        Args:
            profile: Which plugins are visible: a profile name, ``None`` / ``"default"`` for
                the plugins without profiles, or `ALL_PROFILES` for all.
            type: Only plugins of this type (a `PluginType` or a string).
            capabilities: Only plugins declaring every one of these capabilities.
            optional_capabilities: Preferred capabilities: plugins declaring more of them
                rank higher. They never exclude a plugin.
            provides: Only plugins bound to this interface (a class or its qualified name).
            version: Only plugins whose version satisfies these PEP 440 specifiers; a bare
                version means ``==`` it.
            metadata: Only plugins whose metadata has each key with an equal value.

        Returns:
            The matching plugins' specs, ranked by how many optional capabilities they have,
            then by priority (highest first), then by name.

        Raises:
            TypeError: A filter has the wrong type, e.g. ``capabilities="compression"``.
            ValueError: `version` is not a PEP 440 version or specifier.

        Example:
            >>> from mreg_di._resolve import RecordCatalogue
            >>> from mreg_di._spec import PluginRecord, PluginSpec
            >>> discovery = Discovery(RecordCatalogue([
            ...     PluginRecord(PluginSpec("aes", capabilities=["encryption"]), "a", "A"),
            ...     PluginRecord(PluginSpec("vault", capabilities=["encryption", "monitoring"]),
            ...                  "a", "V"),
            ... ]))
            >>> [s.name for s in discovery.discover(capabilities=["encryption"],
            ...                                     optional_capabilities=["monitoring"])]
            ['vault', 'aes']
        """
        required = check_strings(capabilities, "capabilities")
        optional = check_strings(optional_capabilities, "optional_capabilities")
        wanted_type = check_type(type)
        interface = check_interface(provides)
        specifier = check_version_filter(version)
        wanted_metadata = check_metadata_filter(metadata)
        active = check_profile(profile) or DEFAULT_PROFILE

        rows = self._records()
        found = self._candidates(required, wanted_type, interface, wanted_metadata)
        positions = range(len(rows)) if found is None else found
        satisfies = _version_matcher(specifier)
        ranked: list[tuple[int, int, int]] = []
        for position in positions:
            raw = rows[position]
            if active != ALL_PROFILES and not _is_active(raw, active):
                continue
            if satisfies is not None and not satisfies(raw["version"]):
                continue
            if wanted_metadata and not _metadata_matches(raw["metadata"], wanted_metadata):
                continue
            declared = raw["capabilities"]
            preferred = sum(1 for capability in optional if capability in declared)
            ranked.append((-preferred, -raw["priority"], position))
        ranked.sort()
        return [self._spec(position) for _, _, position in ranked]

    @overload
    def discover_semantically(
        self,
        intent: str,
        context: str | None = ...,
        requirements: Iterable[str] = ...,
        *,
        profile: str | None = ...,
        type: str | PluginType | None = ...,
        limit: int | None = ...,
        explain: Literal[False] = ...,
    ) -> list[tuple[PluginSpec, float]]: ...

    @overload
    def discover_semantically(
        self,
        intent: str,
        context: str | None = ...,
        requirements: Iterable[str] = ...,
        *,
        profile: str | None = ...,
        type: str | PluginType | None = ...,
        limit: int | None = ...,
        explain: Literal[True],
    ) -> list[SemanticMatch]: ...

    def discover_semantically(
        self,
        intent: str,
        context: str | None = None,
        requirements: Iterable[str] = (),
        *,
        profile: str | None = None,
        type: str | PluginType | None = None,
        limit: int | None = None,
        explain: bool = False,
    ) -> list[tuple[PluginSpec, float]] | list[SemanticMatch]:
        """The plugins whose name, description, type, capabilities and metadata best match text.

        Ranking is BM25F (see `mreg_di._semantic`): words are split on punctuation and case,
        lightly stemmed, and weighted by the field they are found in and by their rarity.

        Args:
            intent: What the plugin should do, e.g. ``"compress data"``.
            context: Softer preferences, e.g. ``"high performance"``: they count half as much
                as the intent.
            requirements: Capabilities a plugin must declare (exact names, as in `discover`).
            profile: Which plugins are visible, as in `discover`.
            type: Only plugins of this type.
            limit: At most this many results.
            explain: Return `SemanticMatch` objects carrying the matched terms per field
                instead of ``(spec, score)`` pairs.

        Returns:
            Plugins with a positive score, best first; ties are broken by name.

        Raises:
            ValueError: The intent has no searchable word (it is empty or only stop words).

        Example:
            >>> from mreg_di._resolve import RecordCatalogue
            >>> from mreg_di._spec import PluginRecord, PluginSpec
            >>> discovery = Discovery(RecordCatalogue([
            ...     PluginRecord(PluginSpec("gzip-compressor", description="Gzip streams."),
            ...                  "a", "G"),
            ...     PluginRecord(PluginSpec("aes-encryptor", description="AES-GCM."), "a", "A"),
            ... ]))
            >>> [(s.name, round(score, 3)) for s, score in
            ...  discovery.discover_semantically("compress data")]
            [('gzip-compressor', 0.495)]
        """
        text = check_text(intent, "intent")
        extra = None if context is None else check_text(context, "context")
        required = check_strings(requirements, "requirements")
        wanted_type = check_type(type)
        most = check_limit(limit)
        active = check_profile(profile) or DEFAULT_PROFILE
        from mreg_di._semantic import SemanticIndex, SemanticMatch, Source, query_terms

        terms: list[tuple[str, str, Source]] = [(t, w, "intent") for t, w in query_terms(text)]
        if not terms:
            raise ValueError(
                f"intent {text!r} has no searchable word\n"
                "Hint: describe what the plugin should do, e.g. 'compress data'"
            )
        if extra is not None:
            terms.extend((t, w, "context") for t, w in query_terms(extra))

        index = self._semantic_index()
        found = self._candidates(required, wanted_type, None)
        visible = self._active_positions(active)
        if visible is not None:
            found = visible if found is None else found & visible
        candidates = found
        weights = SemanticIndex.weigh(terms)
        scores = index.search(weights, candidates)
        order = [(-score, position) for position, score in scores.items()]
        best = heapq.nsmallest(most, order) if most is not None else sorted(order)
        if explain:
            return [SemanticMatch(self._spec(p), -s, index.evidence(p, weights)) for s, p in best]
        return [(self._spec(position), -score) for score, position in best]


_MISSING = object()


def _is_scalar(value: object) -> bool:
    return value is None or isinstance(value, str | int | float)


def _scalar_key(value: object) -> tuple[str, object]:
    # JSON equality as dictionary keys: True is not 1, but 1 is 1.0.
    return ("bool" if isinstance(value, bool) else "value", value)


def _metadata_matches(actual: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    return all(_same(value, actual.get(key, _MISSING)) for key, value in wanted.items())


def _version_matcher(specifier: str | None) -> Callable[[str], bool] | None:
    if specifier is None:
        return None
    from packaging.specifiers import SpecifierSet

    compiled = SpecifierSet(specifier)
    cache: dict[str, bool] = {}

    def satisfies(version: str) -> bool:
        result = cache.get(version)
        if result is None:
            result = cache[version] = compiled.contains(version, prereleases=True)
        return result

    return satisfies


def _discovery_of(catalogue: Catalogue | Discovery) -> Discovery:
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
            cached = Discovery(catalogue)
            self._discovery_cache = cached
        return cached

    def _discovery_profile(self, profile: str | None) -> str:
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
            from mreg_di._queries import PluginCapabilityQuery, PluginDiscoveryQuery

            given = (capabilities, optional_capabilities, provides, version, profile, metadata)
            if given != ((), (), None, None, None, None):
                raise TypeError(_QUERY_CONFLICT)
            if isinstance(type, PluginCapabilityQuery):
                return self._discovery().discover(
                    self._discovery_profile(type.profile),
                    capabilities=type.required,
                    optional_capabilities=type.optional,
                )
            if isinstance(type, PluginDiscoveryQuery):
                return self._discovery().discover(
                    self._discovery_profile(type.profile),
                    type=type.type,
                    capabilities=type.capabilities,
                    optional_capabilities=type.optional_capabilities,
                    provides=type.provides,
                    version=type.version,
                    metadata=type.metadata,
                )
            hint = (
                "use discover_plugins_semantically for a PluginSemanticQuery"
                if _is_semantic_query(type)
                else "pass a PluginType, a string, or a PluginDiscoveryQuery"
            )
            raise TypeError(
                f"type must be a PluginType, a string or a query, not {type!r}\nHint: {hint}"
            )
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
        return self._discovery().discover(
            self._discovery_profile(required.profile),
            capabilities=required.required,
            optional_capabilities=required.optional,
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
            return self._discovery().discover_semantically(  # type: ignore[call-overload, no-any-return]
                intent.intent,
                intent.context,
                intent.requirements,
                profile=self._discovery_profile(intent.profile),
                limit=intent.limit,
                explain=explain,
            )
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
