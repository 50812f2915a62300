"""The catalogue a registry answers from: the manifest's plugins and those registered at run time.

Kept apart from `mreg_di._registration` so that loading a registry imports no attrs: manifest
plugins stay raw dicts here until a record is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mreg_di._manifest import Manifest
    from mreg_di._spec import PluginRecord

__all__ = ["LayeredCatalogue"]


class LayeredCatalogue:
    """Every plugin a registry knows: the manifest's, then those registered at run time.

    A `mreg_di._resolve.Catalogue`; `raw` gives a plugin's manifest form without building
    records for manifest plugins.

    Example:
        >>> from mreg_di._manifest import Manifest
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> empty = Manifest.build([], files={}, order={}, generator="doc")
        >>> record = PluginRecord(PluginSpec("clock", provides=["x.Clock"]), "x", "Clock")
        >>> catalogue = LayeredCatalogue(empty).with_record(record)
        >>> catalogue.names(), list(catalogue.candidates("x.Clock"))
        (['clock'], ['clock'])
    """

    def __init__(
        self, manifest: Manifest, runtime: Mapping[str, PluginRecord] | None = None
    ) -> None:
        self.manifest = manifest
        self.runtime: Mapping[str, PluginRecord] = runtime or {}
        self._index: dict[str, list[str]] | None = None
        self._raw: dict[str, dict[str, Any]] = {}

    def __contains__(self, name: object) -> bool:
        return name in self.runtime or name in self.manifest

    def __len__(self) -> int:
        return len(self.manifest) + len(self.runtime)

    def names(self) -> list[str]:
        """Every plugin name, sorted."""
        if not self.runtime:
            return self.manifest.names()
        return sorted([*self.manifest.names(), *self.runtime])

    def record(self, name: str) -> PluginRecord:
        """The record of plugin `name` (`KeyError` if unknown)."""
        found = self.runtime.get(name)
        return found if found is not None else self.manifest.record(name)

    def raw(self, name: str) -> Mapping[str, Any]:
        """Plugin `name` in its manifest (JSON) form (`KeyError` if unknown; do not mutate)."""
        found = self.runtime.get(name)
        if found is None:
            return self.manifest.raw(name)
        raw = self._raw.get(name)
        if raw is None:
            raw = self._raw[name] = found.to_json()
        return raw

    def raw_records(self) -> Iterator[Mapping[str, Any]]:
        """Every plugin in its manifest form: the manifest's, then the runtime ones."""
        yield from self.manifest.raw_records()
        for name in self.runtime:
            yield self.raw(name)

    def candidates(self, interface: str) -> Sequence[str]:
        """Names of plugins bound to `interface` in any profile, sorted."""
        found = self.manifest.candidates(interface)
        if not self.runtime:
            return found
        if self._index is None:
            index: dict[str, list[str]] = {}
            for name, record in self.runtime.items():
                for bound in {*record.spec.provides, record.qualified_name}:
                    index.setdefault(bound, []).append(name)
            self._index = index
        extra = self._index.get(interface)
        return sorted([*found, *extra]) if extra else found

    def with_record(self, record: PluginRecord) -> LayeredCatalogue:
        """A new catalogue with `record` added (this one is unchanged)."""
        return LayeredCatalogue(self.manifest, {**self.runtime, record.name: record})
