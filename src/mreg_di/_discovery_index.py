"""The `Discovery` object: one catalogue, its lazily built indexes, and the queries over them.

Every query is answered from the catalogue's records (for a `Manifest`, its raw JSON records):
no plugin module is imported, and no plugin is built. A `Discovery` builds the indexes a query
needs on first use (capability, type, name and metadata tables for structured queries; an
inverted index for semantic ones), so that later queries on a large catalogue cost about the
size of their answer.

Not on the start-up path: `mreg_di._discovery` imports this module on the first query. Even
then, ``packaging.specifiers`` (version filters) and the semantic index are imported only by
the queries that need them.
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

from mreg_di._bulk import gc_paused
from mreg_di._discovery_checks import (
    ALL_PROFILES,
    check_interface,
    check_limit,
    check_metadata_filter,
    check_profile,
    check_strings,
    check_text,
    check_type,
    check_version_filter,
)
from mreg_di._validation import DEFAULT_PROFILE, is_active

if TYPE_CHECKING:
    from mreg_di._resolve import Catalogue
    from mreg_di._semantic import SemanticIndex, SemanticMatch
    from mreg_di._spec import PluginSpec, PluginType

    Interface: TypeAlias = "type[Any] | str"

__all__ = ["Discovery"]


def _same(wanted: object, actual: object) -> bool:
    # JSON-equality: True is not 1, 1 is 1.0.
    if isinstance(wanted, bool) or isinstance(actual, bool):
        return wanted is actual
    return wanted == actual


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
            active = {p for p, raw in enumerate(rows) if is_active(raw["profiles"], profile)}
            self._active[profile] = None if len(active) == len(rows) else active
        return self._active[profile]

    def _semantic_index(self) -> SemanticIndex:
        if self._semantic is None:
            from mreg_di._semantic import SemanticIndex, document_fields

            started = time.perf_counter()
            cache: dict[str, list[str]] = {}
            records = self._records()
            with gc_paused():
                documents = [document_fields(raw, cache) for raw in records]
                self._semantic = SemanticIndex(documents)
            elapsed = (time.perf_counter() - started) * 1e3
            import logging  # ~3 ms: paid only by the first semantic query, not at start-up

            logging.getLogger("mreg_di").debug(
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

    def _visible(self, found: set[int] | None, profile: str) -> set[int] | None:
        """The positions of `found` (``None``: every plugin) active in `profile`; ``None``: all."""
        active = self._active_positions(profile)
        if active is None:
            return found
        return active if found is None else found & active

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
        visible = self._visible(found, active)
        satisfies = _version_matcher(specifier)
        ranked: list[tuple[int, int, int]] = []
        for position in range(len(rows)) if visible is None else visible:
            raw = rows[position]
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
        visible = self._visible(self._candidates(required, wanted_type, None), active)
        weights = SemanticIndex.weigh(terms)
        scores = index.search(weights, visible)
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
