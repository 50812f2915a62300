"""Tests for mreg_di._catalogue: the manifest's plugins joined with runtime registrations."""

from __future__ import annotations

from mreg_di._catalogue import LayeredCatalogue
from mreg_di._manifest import Manifest
from mreg_di._spec import PluginRecord, PluginSpec


def manifest_with(*records: PluginRecord) -> Manifest:
    return Manifest.build(records, files={}, order={}, generator="tests")


STORE = PluginRecord(PluginSpec("store", provides=["x.Store"]), "x.store", "Memory")
DISK = PluginRecord(PluginSpec("disk", provides=["x.Store"], priority=3), "x.disk", "Disk")


class TestLayeredCatalogue:
    def test_manifest_only(self) -> None:
        """Without registrations the manifest answers everything."""
        catalogue = LayeredCatalogue(manifest_with(STORE))
        assert catalogue.names() == ["store"]
        assert list(catalogue.candidates("x.Store")) == ["store"]
        assert catalogue.raw("store")["module"] == "x.store"
        assert "store" in catalogue
        assert len(catalogue) == 1

    def test_with_record_joins_and_leaves_the_original(self) -> None:
        """with_record returns a new catalogue; names and candidates merge, sorted."""
        base = LayeredCatalogue(manifest_with(STORE))
        joined = base.with_record(DISK)
        assert joined.names() == ["disk", "store"]
        assert list(joined.candidates("x.Store")) == ["disk", "store"]
        assert list(joined.candidates("x.disk.Disk")) == ["disk"]
        assert joined.record("disk") is DISK
        assert joined.raw("disk") == DISK.to_json()
        assert [raw["name"] for raw in joined.raw_records()] == ["store", "disk"]
        assert base.names() == ["store"]
        assert "disk" not in base
