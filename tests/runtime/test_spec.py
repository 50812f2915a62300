"""Tests for mreg_di._spec: the value objects and their manifest JSON form."""

from __future__ import annotations

import dataclasses
import json
import pickle

import pytest

from mreg_di._spec import ParameterSpec, PluginRecord, PluginSpec, PluginType

FULL_SPEC = PluginSpec(
    name="gzip",
    version="2.1.0",
    type=PluginType.STORAGE,
    capabilities=["compression"],
    provides=["acme.Compressor"],
    requires=["store>=1.0"],
    scope="factory",
    profiles=["production", "test"],
    permissions=["fs.read"],
    priority=5,
    metadata={"author": "me", "nested": {"list": [1, 2.5, None, True]}},
    description="Compress.",
    variants=["fast"],
    kind="factory",
)
PARAMETERS = (
    ParameterSpec("store", "acme.Store", "acme.Store", line=4),
    ParameterSpec("sinks", "list[acme.Sink]", "acme.Sink", many=True, line=5),
    ParameterSpec("cache", "acme.Cache | None", "acme.Cache", optional=True, line=6),
    ParameterSpec("level", "builtins.int", None, optional=True, has_default=True, line=7),
    ParameterSpec("raw"),
)
FULL_RECORD = PluginRecord(FULL_SPEC, "acme.gz", "Outer.Gzip", "acme/gz.py", 12, 1, PARAMETERS)


class TestPluginType:
    def test_members_are_strings(self) -> None:
        """Members equal their kebab-case values, so strings and members declare the same."""
        assert [member.value for member in PluginType] == [
            "data-processor",
            "analyzer",
            "storage",
            "security",
            "monitoring",
            "network",
            "transformer",
            "generic",
        ]
        assert PluginType("storage") is PluginType.STORAGE
        assert str(PluginType.DATA_PROCESSOR) == "data-processor"


class TestPluginSpec:
    def test_defaults(self) -> None:
        """Only the name is required."""
        spec = PluginSpec("x")
        assert spec.to_json() == {
            "name": "x",
            "version": "0.0.0",
            "type": "generic",
            "capabilities": [],
            "provides": [],
            "requires": [],
            "scope": "singleton",
            "profiles": [],
            "permissions": [],
            "priority": 0,
            "metadata": {},
            "description": "",
            "variants": [],
            "kind": "class",
        }

    def test_lists_become_tuples(self) -> None:
        """List arguments are stored as tuples, so specs are hashable."""
        assert FULL_SPEC.capabilities == ("compression",)
        assert FULL_SPEC.profiles == ("production", "test")
        assert isinstance(hash(FULL_SPEC), int)

    def test_metadata_compared_but_not_hashed(self) -> None:
        """Specs differing only in metadata are unequal; metadata stays out of the hash."""
        one = PluginSpec("x", metadata={"a": 1})
        two = PluginSpec("x", metadata={"b": 2})
        assert one != two
        assert one == PluginSpec("x", metadata={"a": 1})
        assert hash(one) == hash(two)

    def test_metadata_copied(self) -> None:
        """The spec keeps its own copy of the metadata."""
        source = {"a": 1}
        spec = PluginSpec("x", metadata=source)
        source["a"] = 2
        assert spec.metadata == {"a": 1}

    def test_frozen(self) -> None:
        """Specs cannot be changed."""
        with pytest.raises(dataclasses.FrozenInstanceError):
            FULL_SPEC.name = "other"  # type: ignore[misc]

    def test_json_round_trip(self) -> None:
        """to_json is plain JSON data and from_json rebuilds an equal spec."""
        data = json.loads(json.dumps(FULL_SPEC.to_json()))
        spec = PluginSpec.from_json(data)
        assert spec == FULL_SPEC
        assert spec.metadata == FULL_SPEC.metadata
        assert spec.to_json() == data
        assert data["type"] == "storage"

    @pytest.mark.parametrize(
        ("profiles", "profile", "active"),
        [
            ((), None, True),
            ((), "default", True),
            ((), "test", True),
            (("test",), None, False),
            (("test",), "test", True),
            (("test",), "production", False),
            (("test", "dev"), "dev", True),
        ],
    )
    def test_is_active_in(
        self, profiles: tuple[str, ...], profile: str | None, active: bool
    ) -> None:
        """No profiles means every profile; otherwise only the listed ones."""
        assert PluginSpec("x", profiles=profiles).is_active_in(profile) is active

    def test_default_profile_by_name_is_the_default_profile(self) -> None:
        """Asking for "default" by name is asking for no profile, as the registry does."""
        spec = PluginSpec("x", profiles=["default"])
        assert spec.is_active_in("default") is spec.is_active_in(None) is False
        assert PluginSpec("y").is_active_in("default") is True


class TestParameterSpec:
    def test_defaults_and_injection(self) -> None:
        """A parameter with an interface is injected; one without is a value parameter."""
        assert ParameterSpec("x").is_injected is False
        assert ParameterSpec("x", "acme.I", "acme.I").is_injected is True
        assert ParameterSpec("x").to_json() == {
            "name": "x",
            "annotation": None,
            "interface": None,
            "many": False,
            "optional": False,
            "has_default": False,
            "line": 0,
        }

    @pytest.mark.parametrize("parameter", PARAMETERS, ids=lambda p: p.name)
    def test_json_round_trip(self, parameter: ParameterSpec) -> None:
        """Every parameter form survives to_json -> JSON text -> from_json."""
        data = json.loads(json.dumps(parameter.to_json()))
        assert ParameterSpec.from_json(data) == parameter


class TestPluginRecord:
    def test_pickles(self) -> None:
        """A record survives pickling (the build step's workers send records) with its hash."""
        record = PluginRecord(
            FULL_SPEC, "acme.gz", "Gzip", "acme/gz.py", 3, 1, [ParameterSpec("p")]
        )
        again = pickle.loads(pickle.dumps(record))
        assert again == record
        assert hash(again) == hash(record)

    def test_replace_converts_like_the_constructor(self) -> None:
        """dataclasses.replace makes a changed copy whose lists are tuples again."""
        spec = dataclasses.replace(FULL_SPEC, provides=["acme.Other"])
        assert spec.provides == ("acme.Other",)
        assert spec.name == FULL_SPEC.name

    def test_properties(self) -> None:
        """name, target, qualified_name and location derive from the fields."""
        assert FULL_RECORD.name == "gzip"
        assert FULL_RECORD.target == "acme.gz:Outer.Gzip"
        assert FULL_RECORD.qualified_name == "acme.gz.Outer.Gzip"
        assert FULL_RECORD.location == "acme/gz.py:12"

    @pytest.mark.parametrize(
        ("file", "line", "location"),
        [(None, 3, "m:Q"), ("m.py", 0, "m.py"), ("m.py", 3, "m.py:3")],
    )
    def test_location(self, file: str | None, line: int, location: str) -> None:
        """Without a file the location is module:qualname; without a line just the file."""
        assert PluginRecord(PluginSpec("x"), "m", "Q", file, line).location == location

    def test_provides_interface(self) -> None:
        """A record provides its declared interfaces and its own qualified name only."""
        assert FULL_RECORD.provides_interface("acme.Compressor")
        assert FULL_RECORD.provides_interface("acme.gz.Outer.Gzip")
        assert not FULL_RECORD.provides_interface("acme.Store")
        assert not FULL_RECORD.provides_interface("acme.gz:Outer.Gzip")

    def test_parameters_become_tuple(self) -> None:
        """Parameters given as a list are stored as a tuple."""
        record = PluginRecord(PluginSpec("x"), "m", "Q", parameters=list(PARAMETERS))
        assert record.parameters == PARAMETERS

    def test_to_json_is_flat(self) -> None:
        """The record's JSON is the spec's fields plus location and parameters, one object."""
        data = FULL_RECORD.to_json()
        assert set(data) == set(FULL_SPEC.to_json()) | {
            "module",
            "qualname",
            "file",
            "line",
            "column",
            "parameters",
        }
        assert data["parameters"] == [p.to_json() for p in PARAMETERS]

    def test_json_round_trip(self) -> None:
        """to_json -> JSON text -> from_json gives an equal record."""
        text = json.dumps(FULL_RECORD.to_json(), sort_keys=True)
        record = PluginRecord.from_json(json.loads(text))
        assert record == FULL_RECORD
        assert json.dumps(record.to_json(), sort_keys=True) == text

    def test_runtime_record_without_file(self) -> None:
        """A record registered at run time has file null in JSON and round-trips."""
        record = PluginRecord(PluginSpec("rt"), "app", "Thing")
        data = record.to_json()
        assert (data["file"], data["line"], data["column"]) == (None, 0, 0)
        assert PluginRecord.from_json(data) == record
