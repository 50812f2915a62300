"""Tests for mreg_di._manifest: building, writing, loading and validating manifests.

Every manifest these tests build is also validated against the JSON Schema shipped in the
package (src/mreg_di/manifest.schema.json), and every corrupted one is checked against it too,
so the schema, the loader's field tables and its fast path cannot drift apart.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import importlib.resources
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]  # stubs not needed for tests
import pytest

from mreg_di._errors import ManifestError
from mreg_di._manifest import (
    GENERATED_MARKER,
    MANIFEST_FILENAME,
    PARAMETER_FIELDS,
    PLUGIN_FIELDS,
    SCHEMA_VERSION,
    Manifest,
)
from mreg_di._manifest_check import (
    _PARAMETER_FIELDS,
    _PLAIN_REQUIREMENT_RE,
    _PLUGIN_FIELDS,
    _TOP_KEYS,
    _Checker,
    _rows_look_valid,
)
from mreg_di._spec import ParameterSpec, PluginRecord, PluginSpec
from mreg_di._validation import KINDS, SCOPES, check_name, check_requirement, check_version

REGENERATE = "regenerate the manifest with `mreg-codegen scan`; never edit it by hand"
SCHEMA: dict[str, Any] = json.loads(
    importlib.resources.files("mreg_di").joinpath("manifest.schema.json").read_text("utf-8")
)
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)
ROW = len(PLUGIN_FIELDS)


def at(field: str) -> int:
    """The row position of plugin field `field`."""
    return PLUGIN_FIELDS.index(field)


def sha(path: str) -> str:
    """A deterministic fake sha256 for a file path."""
    return hashlib.sha256(path.encode()).hexdigest()


def rec(
    name: str,
    *,
    module: str = "acme.mod",
    qualname: str | None = None,
    file: str | None = "acme/mod.py",
    line: int = 1,
    column: int = 1,
    parameters: tuple[ParameterSpec, ...] = (),
    **spec: Any,
) -> PluginRecord:
    """A record with sensible defaults."""
    return PluginRecord(
        PluginSpec(name, **spec),
        module,
        qualname or name.title().replace("-", ""),
        file,
        line,
        column,
        parameters,
    )


def assert_schema_valid(data: object) -> None:
    """The JSON Schema accepts `data` (with a readable failure)."""
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(data)]
    assert errors == []


def build(
    records: list[PluginRecord],
    *,
    order: dict[str, list[str]] | None = None,
    files: dict[str, str] | None = None,
) -> Manifest:
    """Build a manifest the way the build step does, and hold it to the schema and fast path."""
    if files is None:
        files = {r.file: sha(r.file) for r in records if r.file is not None}
    if order is None:
        order = {"default": sorted(r.name for r in records if not r.spec.profiles)}
    manifest = Manifest.build(records, files=files, order=order, generator="mreg-codegen test")
    data = json.loads(manifest.dumps())
    assert_schema_valid(data)
    # The fast path must accept every valid table, or start-up silently takes the slow one.
    assert _rows_look_valid(data["plugins"], data["files"])
    return manifest


def sample_records() -> list[PluginRecord]:
    """A small but complete set of records: every field and form used at least once."""
    return [
        rec(
            "pipeline",
            module="acme.pipeline",
            qualname="Pipeline",
            file="acme/pipeline.py",
            line=10,
            column=1,
            version="2.1.0rc1",
            type="data-processor",
            capabilities=["process"],
            requires=["storage>=1.0,<2", "compressor"],
            permissions=["fs.read"],
            metadata={"author": "ü", "tags": ["a", {"b": None}], "ratio": 0.5, "n": 3},
            description="Runs things.",
            parameters=(
                ParameterSpec("storage", "acme.Storage", "acme.Storage", line=11),
                ParameterSpec("sinks", "list[acme.Sink]", "acme.Sink", many=True, line=12),
                ParameterSpec("cache", "acme.Cache | None", "acme.Cache", optional=True, line=13),
                ParameterSpec("level", "builtins.int", None, optional=True, has_default=True),
                ParameterSpec("raw"),
            ),
        ),
        rec(
            "storage",
            module="acme.storage",
            file="acme/storage.py",
            version="1.5",
            provides=["acme.Storage"],
            scope="thread",
            priority=5,
        ),
        rec(
            "mock-storage",
            module="acme.storage",
            file="acme/storage.py",
            line=30,
            provides=["acme.Storage"],
            profiles=["dev", "test"],
            priority=10,
        ),
        rec(
            "compressor",
            module="acme.factories",
            file="acme/factories.py",
            kind="factory",
            scope="factory",
            variants=["fast", "small"],
            provides=["acme.Compressor"],
            parameters=(ParameterSpec("variant", "builtins.str", None),),
        ),
        rec("runtime-thing", module="app", qualname="Thing", file=None, line=0, column=0),
    ]


def sample_manifest() -> Manifest:
    """The sample records with orders for the default and `dev` profiles."""
    names = ["compressor", "runtime-thing", "storage", "pipeline"]
    dev = ["compressor", "mock-storage", "runtime-thing", "storage", "pipeline"]
    return build(sample_records(), order={"default": names, "dev": dev})


def sample_data() -> dict[str, Any]:
    """A fresh, valid, JSON-shaped copy of the sample manifest."""
    data: dict[str, Any] = json.loads(sample_manifest().dumps())
    return data


class TestBuildAndDump:
    def test_round_trip_is_byte_identical(self) -> None:
        """build -> dumps -> from_text -> dumps gives the same bytes."""
        text = sample_manifest().dumps()
        again = Manifest.from_text(text).dumps()
        assert again == text
        assert Manifest.from_text(text.encode()).dumps() == text

    def test_record_order_does_not_matter(self) -> None:
        """Shuffled records, files and orders give the same text."""
        text = sample_manifest().dumps()
        records = sample_records()
        rng = random.Random(7)
        for _ in range(5):
            rng.shuffle(records)
            files = {r.file: sha(r.file) for r in reversed(records) if r.file}
            order = {
                "dev": ["compressor", "mock-storage", "runtime-thing", "storage", "pipeline"],
                "default": ["compressor", "runtime-thing", "storage", "pipeline"],
            }
            assert build(records, order=order, files=files).dumps() == text

    def test_layout(self) -> None:
        """Keys in layout order, one row per line, non-ASCII kept, with a trailing newline."""
        text = sample_manifest().dumps()
        assert text.startswith('{\n  "$comment": "generated by mreg-codegen, do not edit",\n')
        assert text.endswith("}\n")
        assert '"author": "ü"' in text
        data = json.loads(text)
        assert list(data) == [
            "$comment",
            "schema",
            "generator",
            "fields",
            "files",
            "plugins",
            "order",
        ]
        names = [row[at("name")] for row in data["plugins"]]
        assert names == sorted(names)
        rows = [line for line in text.splitlines() if line.startswith('    ["')]
        assert [json.loads(line.rstrip(","))[0] for line in rows] == names
        assert data["fields"] == {
            "plugin": list(PLUGIN_FIELDS),
            "parameter": list(PARAMETER_FIELDS),
        }
        assert data["schema"] == SCHEMA_VERSION == 2
        assert data["$comment"] == GENERATED_MARKER

    def test_empty_blocks(self) -> None:
        """A manifest without files, plugins or orders writes empty brackets and reads back."""
        text = build([], order={}).dumps()
        assert '  "files": {},\n  "plugins": [],\n  "order": {}\n}\n' in text
        assert Manifest.from_text(text).dumps() == text

    def test_records_survive(self) -> None:
        """Records read back from the text equal the records built from."""
        manifest = Manifest.from_text(sample_manifest().dumps())
        assert manifest.records() == sorted(sample_records(), key=lambda r: r.name)

    def test_empty_manifest(self) -> None:
        """A manifest without plugins is valid."""
        manifest = build([], order={})
        assert len(manifest) == 0
        assert manifest.names() == []

    def test_build_validates(self) -> None:
        """build refuses what the loader would refuse, e.g. an order naming no plugin."""
        with pytest.raises(ManifestError, match=re.escape("$.order['default'][0]: 'ghost' is")):
            Manifest.build([], files={}, order={"default": ["ghost"]}, generator="g")

    def test_raw_records_give_the_same_bytes(self) -> None:
        """from_raw_records, fed the records' JSON form in any order, writes what build writes."""
        records = sample_records()
        files = {r.file: sha(r.file) for r in records if r.file}
        order = sample_manifest().order
        raw = [record.to_json() for record in reversed(records)]
        made = Manifest.from_raw_records(
            raw, files=files, order=order, generator="mreg-codegen test"
        )
        assert made.dumps() == build(records, order=order, files=files).dumps()

    def test_to_data_does_not_alias_order(self) -> None:
        """Changing to_data's result leaves the manifest alone."""
        manifest = sample_manifest()
        manifest.to_data()["order"]["default"].append("x")
        assert "x" not in manifest.order["default"]


class TestLoad:
    def test_load_file(self, tmp_path: Path) -> None:
        """load reads a file, remembers its path and directory."""
        path = tmp_path / MANIFEST_FILENAME
        path.write_text(sample_manifest().dumps(), "utf-8")
        manifest = Manifest.load(path)
        assert manifest.source == str(path)
        assert manifest.directory == tmp_path
        assert manifest.file_path("acme/storage.py") == tmp_path / "acme/storage.py"
        assert repr(manifest) == f"<Manifest {str(path)!r}: 5 plugins>"

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is a ManifestError saying how to generate it."""
        path = tmp_path / "nope.json"
        with pytest.raises(ManifestError) as info:
            Manifest.load(path)
        assert str(info.value) == (
            f"{path}: cannot read the manifest: No such file or directory\n"
            "Hint: run `mreg-codegen scan SRC --output MANIFEST` to generate it, "
            "or pass the right path"
        )
        assert isinstance(info.value.__cause__, FileNotFoundError)

    def test_directory(self, tmp_path: Path) -> None:
        """A directory instead of a file is a ManifestError too."""
        with pytest.raises(
            ManifestError, match=re.escape(f"{tmp_path}: cannot read the manifest:")
        ):
            Manifest.load(tmp_path)

    @pytest.mark.parametrize(
        ("text", "reason"),
        [
            ("", "not valid JSON (Expecting value at line 1 column 1)"),
            ("{", "not valid JSON (Expecting property name enclosed in double quotes at line 1 "
             "column 2)"),
            ('{"a": 1 "b": 2}', "not valid JSON (Expecting ',' delimiter at line 1 column 9)"),
            (b"\xff{}", "not valid JSON (invalid start byte at byte 0)"),
        ],
        ids=["empty", "truncated", "missing-comma", "bad-utf8"],
    )  # fmt: skip
    def test_not_json(self, text: str | bytes, reason: str) -> None:
        """Text that is not JSON is a ManifestError naming the source, never a raw error."""
        with pytest.raises(ManifestError) as info:
            Manifest.from_text(text, source="m.json")
        assert str(info.value) == f"m.json: {reason}\nHint: {REGENERATE}"
        assert info.value.json_path == ""

    @pytest.mark.parametrize(
        ("text", "error"),
        [("[" * 100_000, RecursionError), ("1" * 5000, ValueError)],
        ids=["nested-too-deep", "integer-too-long"],
    )
    def test_json_limits(self, text: str, error: type[Exception]) -> None:
        """json's own limits (nesting depth, integer digits) become a ManifestError too."""
        with pytest.raises(error) as raw:
            json.loads(text)
        with pytest.raises(ManifestError) as info:
            Manifest.from_text(text, source="m.json")
        assert str(info.value) == f"m.json: not valid JSON ({raw.value})\nHint: {REGENERATE}"
        assert isinstance(info.value.__cause__, error)

    @pytest.mark.parametrize(
        ("text", "found"),
        [("[]", "a list"), ("null", "null"), ('"x"', "the string 'x'"), ("3", "the number 3")],
    )
    def test_not_an_object(self, text: str, found: str) -> None:
        """A JSON document that is not an object is refused at `$`."""
        with pytest.raises(ManifestError) as info:
            Manifest.from_text(text, source="m.json")
        assert str(info.value) == (
            f"m.json: $: the manifest must be a JSON object, not {found}\nHint: {REGENERATE}"
        )

    def test_comment_is_optional(self) -> None:
        """`$comment` may be missing; the output puts it back."""
        data = sample_data()
        del data["$comment"]
        assert Manifest.from_data(data).dumps() == sample_manifest().dumps()


DELETE = object()


def positional(path: tuple[Any, ...]) -> tuple[Any, ...]:
    """A path naming row fields, like ``("plugins", 2, "version")``, with positions instead.

    A name that is not a field (``"zzz"``) becomes the position just past the row's end, so
    setting it appends a value.
    """
    out = list(path)
    for depth, fields in ((2, PLUGIN_FIELDS), (4, PARAMETER_FIELDS)):
        if len(out) > depth and out[0] == "plugins" and isinstance(out[depth], str):
            name = out[depth]
            out[depth] = fields.index(name) if name in fields else len(fields)
    return tuple(out)


def mutate(data: dict[str, Any], path: tuple[Any, ...], value: object) -> dict[str, Any]:
    """A deep copy of `data` with the node at `path` replaced, added or deleted (DELETE).

    Inside a plugin or parameter row, fields are named (see `positional`); deleting one removes
    it from the row.
    """
    path = positional(path)
    result = copy.deepcopy(data)
    node: Any = result
    for key in path[:-1]:
        node = node[key]
    if value is DELETE:
        del node[path[-1]]
    elif isinstance(node, list) and path[-1] == len(node):
        node.append(value)
    else:
        node[path[-1]] = value
    return result


# (path to change, new value, JSON path reported, reason). Plugin 2 is `pipeline` (sorted).
P = ("plugins", 2)
PIPE = "$.plugins[2]"
ARG = "$.plugins[2].parameters[1]"
FIELDS_LISTED = "(the fields are listed in $.fields)"
SHA = "expected a lowercase sha256 hex digest"
STORAGE = "acme/storage.py"
NAME_RULE = (
    "must contain only letters, digits, '.', '_' and '-', and start and end with a letter or digit"
)
REQUIREMENT_RULE = (
    "must be a plugin name optionally followed by PEP 440 specifiers, e.g. 'memory-storage>=1.0,<2'"
)
CORRUPTIONS: list[tuple[tuple[Any, ...], object, str, str]] = [
    # top level
    (("schema",), DELETE, "$.schema", "required field is missing"),
    (("generator",), DELETE, "$.generator", "required field is missing"),
    (("files",), DELETE, "$.files", "required field is missing"),
    (("plugins",), DELETE, "$.plugins", "required field is missing"),
    (("order",), DELETE, "$.order", "required field is missing"),
    (("extra",), 1, "$.extra", "unknown field"),
    (("fields",), DELETE, "$.fields", "required field is missing"),
    (("fields",), [], "$.fields", "expected an object, found a list"),
    (("fields", "parameter"), DELETE, "$.fields.parameter", "required field is missing"),
    (
        ("fields", "plugin"),
        "name",
        "$.fields.plugin",
        "expected a list of field names, found the string 'name'",
    ),
    (
        ("fields", "plugin"),
        list(reversed(PLUGIN_FIELDS)),
        "$.fields.plugin[0]",
        "expected 'name', found 'parameters'",
    ),
    (
        ("fields", "plugin", ROW - 1),
        DELETE,
        f"$.fields.plugin[{ROW - 1}]",
        "expected 'parameters', found the end of the list",
    ),
    (
        ("fields", "parameter", 7),
        "extra",
        "$.fields.parameter[7]",
        "unknown field 'extra': this mreg-di reads 7 parameter fields",
    ),
    (("schema",), 0, "$.schema", "expected a positive integer, found 0"),
    (("schema",), -1, "$.schema", "expected a positive integer, found -1"),
    (("schema",), "1", "$.schema", "expected a positive integer, found '1'"),
    (("schema",), True, "$.schema", "expected a positive integer, found True"),
    (("schema",), 1.0, "$.schema", "expected a positive integer, found 1.0"),
    (("generator",), 1, "$.generator", "expected a string, found the number 1"),
    (("files",), [], "$.files", "expected an object, found a list"),
    (("plugins",), {}, "$.plugins", "expected a list, found an object"),
    (("order",), [], "$.order", "expected an object, found a list"),
    # files
    (("files", STORAGE), "A" * 64, f"$.files[{STORAGE!r}]", SHA),
    (("files", STORAGE), "0" * 63, f"$.files[{STORAGE!r}]", SHA),
    (("files", STORAGE), "g" * 64, f"$.files[{STORAGE!r}]", SHA),
    (("files", STORAGE), 5, f"$.files[{STORAGE!r}]", SHA),
    (
        ("files", "acme/pipeline.py"),
        DELETE,
        f"{PIPE}.file",
        "'acme/pipeline.py' has no sha256 entry in $.files",
    ),
    # a plugin
    (P, "pipeline", PIPE, "expected a plugin row (a list), found the string 'pipeline'"),
    (P, {}, PIPE, "expected a plugin row (a list), found an object"),
    (
        (*P, "version"),
        DELETE,
        PIPE,
        f"expected a plugin row of {ROW} fields, found 19 {FIELDS_LISTED}",
    ),
    (
        (*P, "parameters"),
        DELETE,
        PIPE,
        f"expected a plugin row of {ROW} fields, found 19 {FIELDS_LISTED}",
    ),
    ((*P, "zzz"), 1, PIPE, f"expected a plugin row of {ROW} fields, found 21 {FIELDS_LISTED}"),
    ((*P, "name"), 1, f"{PIPE}.name", "expected a string, found the number 1"),
    ((*P, "name"), "a b", f"{PIPE}.name", f"plugin name 'a b' {NAME_RULE}"),
    (
        (*P, "name"),
        "storage",
        "$.plugins[4].name",
        "duplicate plugin name 'storage' (also at $.plugins[2])",
    ),
    (
        (*P, "version"),
        "two",
        f"{PIPE}.version",
        "version 'two' is not a valid PEP 440 version (e.g. '1.0', '2.1.0rc1')",
    ),
    ((*P, "version"), 2, f"{PIPE}.version", "expected a string, found the number 2"),
    ((*P, "type"), None, f"{PIPE}.type", "expected a string, found null"),
    ((*P, "type"), "", f"{PIPE}.type", "expected a non-empty string, found the string ''"),
    (
        (*P, "capabilities"),
        ["a", ""],
        f"{PIPE}.capabilities[1]",
        "expected a non-empty string, found the string ''",
    ),
    (
        (*P, "provides"),
        [""],
        f"{PIPE}.provides[0]",
        "expected a non-empty string, found the string ''",
    ),
    (
        (*P, "variants"),
        ["fast"],
        f"{PIPE}.variants",
        "variants are for factory records, not classes",
    ),
    ((*P, "line"), -1, f"{PIPE}.line", "expected a non-negative integer, found -1"),
    ((*P, "column"), -3, f"{PIPE}.column", "expected a non-negative integer, found -3"),
    (
        (*P, "parameters", 1, "line"),
        -2,
        f"{ARG}.line",
        "expected a non-negative integer, found -2",
    ),
    (
        (*P, "capabilities"),
        "process",
        f"{PIPE}.capabilities",
        "expected a list of strings, found the string 'process'",
    ),
    (
        (*P, "capabilities"),
        ["a", 1],
        f"{PIPE}.capabilities[1]",
        "expected a string, found the number 1",
    ),
    ((*P, "provides"), {}, f"{PIPE}.provides", "expected a list of strings, found an object"),
    ((*P, "requires"), [None], f"{PIPE}.requires[0]", "expected a string, found null"),
    (
        (*P, "requires", 1),
        "storage>>1",
        f"{PIPE}.requires[1]",
        f"requirement 'storage>>1' {REQUIREMENT_RULE}",
    ),
    (
        (*P, "scope"),
        "request",
        f"{PIPE}.scope",
        "scope 'request' is not one of 'singleton', 'factory', 'thread'",
    ),
    ((*P, "scope"), ["singleton"], f"{PIPE}.scope", "expected a string, found a list"),
    ((*P, "profiles"), [True], f"{PIPE}.profiles[0]", "expected a string, found a boolean"),
    (
        (*P, "profiles"),
        ["test", "default"],
        f"{PIPE}.profiles[1]",
        "profile 'default' is reserved for running without a profile, where only plugins that "
        "list no profile are active: a plugin listing it is active nowhere",
    ),
    ((*P, "permissions"), None, f"{PIPE}.permissions", "expected a list of strings, found null"),
    ((*P, "priority"), True, f"{PIPE}.priority", "expected an integer, found a boolean"),
    ((*P, "priority"), 1.5, f"{PIPE}.priority", "expected an integer, found the number 1.5"),
    ((*P, "metadata"), [], f"{PIPE}.metadata", "expected an object, found a list"),
    ((*P, "description"), 0, f"{PIPE}.description", "expected a string, found the number 0"),
    (
        (*P, "variants"),
        "fast",
        f"{PIPE}.variants",
        "expected a list of strings, found the string 'fast'",
    ),
    ((*P, "kind"), "function", f"{PIPE}.kind", "expected 'class' or 'factory', found 'function'"),
    ((*P, "kind"), 1, f"{PIPE}.kind", "expected a string, found the number 1"),
    ((*P, "module"), None, f"{PIPE}.module", "expected a string, found null"),
    ((*P, "qualname"), [], f"{PIPE}.qualname", "expected a string, found a list"),
    ((*P, "file"), 5, f"{PIPE}.file", "expected a string or null, found the number 5"),
    (
        (*P, "file"),
        "acme/other.py",
        f"{PIPE}.file",
        "'acme/other.py' has no sha256 entry in $.files",
    ),
    ((*P, "line"), "10", f"{PIPE}.line", "expected an integer, found the string '10'"),
    ((*P, "line"), 10.0, f"{PIPE}.line", "expected an integer, found the number 10.0"),
    ((*P, "column"), None, f"{PIPE}.column", "expected an integer, found null"),
    ((*P, "parameters"), {}, f"{PIPE}.parameters", "expected a list, found an object"),
    # a parameter
    ((*P, "parameters", 1), {}, ARG, "expected a parameter row (a list), found an object"),
    (
        (*P, "parameters", 1),
        [],
        ARG,
        f"expected a parameter row of 7 fields, found 0 {FIELDS_LISTED}",
    ),
    (
        (*P, "parameters", 1, "many"),
        DELETE,
        ARG,
        f"expected a parameter row of 7 fields, found 6 {FIELDS_LISTED}",
    ),
    (
        (*P, "parameters", 1, "extra"),
        1,
        ARG,
        f"expected a parameter row of 7 fields, found 8 {FIELDS_LISTED}",
    ),
    ((*P, "parameters", 1, "name"), None, f"{ARG}.name", "expected a string, found null"),
    (
        (*P, "parameters", 1, "annotation"),
        1,
        f"{ARG}.annotation",
        "expected a string or null, found the number 1",
    ),
    (
        (*P, "parameters", 1, "interface"),
        [],
        f"{ARG}.interface",
        "expected a string or null, found a list",
    ),
    ((*P, "parameters", 1, "many"), 1, f"{ARG}.many", "expected a boolean, found the number 1"),
    (
        (*P, "parameters", 1, "optional"),
        "no",
        f"{ARG}.optional",
        "expected a boolean, found the string 'no'",
    ),
    (
        (*P, "parameters", 1, "has_default"),
        None,
        f"{ARG}.has_default",
        "expected a boolean, found null",
    ),
    ((*P, "parameters", 1, "line"), True, f"{ARG}.line", "expected an integer, found a boolean"),
    # order
    (
        ("order", "default"),
        "pipeline",
        "$.order['default']",
        "expected a list of plugin names, found the string 'pipeline'",
    ),
    (("order", "default", 1), 3, "$.order['default'][1]", "expected a string, found the number 3"),
    (("order", "dev", 2), "ghost", "$.order['dev'][2]", "'ghost' is not a plugin in this manifest"),
]

# Rules JSON Schema cannot express; the schema's description lists them.
SEMANTIC_ONLY = (
    "has no sha256 entry",
    "duplicate plugin name",
    "is not a plugin in this",
    "requirement ",
)


def schema_can_tell(reason: str, value: object) -> bool:
    """Whether the JSON Schema is expected to refuse what the loader refused for `reason`.

    Besides the semantic rules, JSON Schema counts 1.0 as the integer 1.
    """
    integral_float = isinstance(value, float) and value.is_integer()
    return not integral_float and not any(part in reason for part in SEMANTIC_ONLY)


class TestCorrupted:
    @pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
    def test_non_json_constants_are_refused(self, constant: str) -> None:
        """NaN and Infinity, which json.loads accepts but JSON lacks, are a ManifestError."""
        data = sample_data()
        data["plugins"][0][at("priority")] = 123456789
        text = json.dumps(data).replace("123456789", constant)
        with pytest.raises(ManifestError) as info:
            Manifest.from_text(text, source="m.json")
        assert str(info.value) == (
            f"m.json: not valid JSON ({constant} is not a JSON value)\nHint: {REGENERATE}"
        )

    @pytest.mark.parametrize(
        ("path", "value", "json_path", "reason"),
        CORRUPTIONS,
        ids=[f"{'.'.join(map(str, c[0]))}={c[1]!r}"[:60] for c in CORRUPTIONS],
    )
    def test_names_file_and_json_path(
        self, path: tuple[Any, ...], value: object, json_path: str, reason: str
    ) -> None:
        """Each corruption is a ManifestError naming the file, the exact JSON path and reason."""
        data = mutate(sample_data(), path, value)
        with pytest.raises(ManifestError) as info:
            Manifest.from_text(json.dumps(data), source="src/acme/mreg-manifest.json")
        assert (info.value.json_path, info.value.reason) == (json_path, reason)
        assert str(info.value) == (
            f"src/acme/mreg-manifest.json: {json_path}: {reason}\nHint: {REGENERATE}"
        )
        if schema_can_tell(reason, value):
            assert not VALIDATOR.is_valid(data), "the JSON Schema accepts what the loader refuses"

    @pytest.mark.parametrize("schema", [3, 99])
    def test_newer_schema_says_upgrade(self, schema: int) -> None:
        """A newer schema version is refused with a message to upgrade, whatever else changed."""
        data = sample_data()
        data["schema"] = schema
        data["new-top-level-field"] = {}
        del data["plugins"]
        with pytest.raises(ManifestError) as info:
            Manifest.from_data(data, source="m.json")
        assert str(info.value) == (
            f"m.json: $.schema: schema version {schema} is newer than this mreg-di understands "
            "(2)\nHint: upgrade mreg-di to a version that reads this manifest, or regenerate it "
            "with the mreg-codegen that matches this runtime"
        )

    def test_older_schema_says_regenerate(self) -> None:
        """A schema 1 manifest (objects, not rows) is refused with a message to regenerate it."""
        data = sample_data()
        data["schema"] = 1
        del data["fields"]
        data["plugins"] = [dict(zip(PLUGIN_FIELDS, row, strict=True)) for row in data["plugins"]]
        with pytest.raises(ManifestError) as info:
            Manifest.from_data(data, source="m.json")
        assert str(info.value) == (
            "m.json: $.schema: schema version 1 is older than this mreg-di reads (2)\n"
            "Hint: regenerate the manifest with this version's `mreg-codegen scan`"
        )

    def test_missing_field_beside_missing_comment(self) -> None:
        """A missing required field is named even when the optional `$comment` is missing too."""
        data = sample_data()
        del data["$comment"]
        del data["files"]
        with pytest.raises(ManifestError, match=re.escape("m.json: $.files: required field")):
            Manifest.from_data(data, source="m.json")

    def test_first_problem_in_document_order(self) -> None:
        """With several problems, the first plugin's comes first, at its own index."""
        data = sample_data()
        data["plugins"][0][at("scope")] = "x"
        data["plugins"][2][at("scope")] = "y"
        with pytest.raises(ManifestError, match=re.escape("$.plugins[0].scope: scope 'x'")):
            Manifest.from_data(data)

    def test_from_data_rejects_non_dict_mapping(self) -> None:
        """from_data wants a plain dict, like JSON gives."""
        from types import MappingProxyType

        with pytest.raises(ManifestError, match=re.escape("$: the manifest must be a JSON object")):
            Manifest.from_data(MappingProxyType(sample_data()))

    def test_str_subclass_values_still_validated(self) -> None:
        """Values of builtin subclasses skip the fast path but get the same checks."""

        class Text(str):
            pass

        data = sample_data()
        data["plugins"][2][at("version")] = Text("2.0")
        assert Manifest.from_data(data).raw("pipeline")["version"] == "2.0"
        data["plugins"][2][at("version")] = Text("two")
        with pytest.raises(ManifestError, match=re.escape("$.plugins[2].version: version 'two'")):
            Manifest.from_data(data)


def node_paths(node: object, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """The path of every value inside a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield (*prefix, key)
            yield from node_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield (*prefix, index)
            yield from node_paths(value, (*prefix, index))


REPLACEMENTS: list[object] = [None, True, 0, -1, 1.5, "", "x", "a b", [], ["x"], [1], {}, {"k": 1}]


class TestFuzz:
    def test_only_manifest_errors_and_schema_agrees(self) -> None:
        """Deleting, retyping or adding any field gives a valid manifest or a ManifestError.

        The JSON Schema agrees with the loader on every mutation, except the rules it cannot
        express; and the loader's fast path never accepts a record the checker refuses.
        """
        base = sample_data()
        mutations: list[tuple[tuple[Any, ...], object]] = []
        for path in node_paths(base):
            mutations.extend((path, value) for value in REPLACEMENTS)
            if isinstance(path[-1], str):
                mutations.append((path, DELETE))
        mutations.extend(
            ((*path, "zzz"), 1)
            for path in [(), *node_paths(base)]
            if isinstance(_at(base, path), dict)
        )
        assert len(mutations) > 1500
        accepted = refused = 0
        disagreements = []
        for path, value in mutations:
            data = mutate(base, path, value)
            error: ManifestError | None = None
            try:
                Manifest.from_data(data, source="m.json")
            except ManifestError as exc:
                error = exc
            if error is None:
                accepted += 1
                if not VALIDATOR.is_valid(data):
                    disagreements.append((path, value, "schema refuses a valid manifest"))
            else:
                refused += 1
                if error.path != "m.json" or not error.json_path.startswith("$"):
                    disagreements.append((path, value, f"badly located: {error}"))
                if schema_can_tell(error.reason, value) and VALIDATOR.is_valid(data):
                    disagreements.append((path, value, f"schema accepts: {error}"))
            self._fast_path_never_looser(data)
        assert disagreements == []
        assert accepted > 100
        assert refused > 1000

    @staticmethod
    def _fast_path_never_looser(data: dict[str, Any]) -> None:
        files = data.get("files")
        plugins = data.get("plugins")
        if not isinstance(files, dict) or not isinstance(plugins, list):
            return
        if _rows_look_valid(plugins, files):
            # Must not raise: the checker agrees every row is fine and the names are unique.
            _Checker("m.json").plugins(plugins, files)

    def test_random_garbage(self) -> None:
        """Random byte strings never raise anything but ManifestError."""
        rng = random.Random(1234)
        valid = sample_manifest().dumps().encode()
        for _ in range(300):
            text = bytearray(valid)
            for _ in range(rng.randint(1, 8)):
                text[rng.randrange(len(text))] = rng.randrange(256)
            with contextlib.suppress(ManifestError):
                Manifest.from_text(bytes(text))


class TestFastPath:
    @pytest.mark.parametrize("field", PLUGIN_FIELDS)
    def test_checks_every_plugin_field(self, field: str) -> None:
        """A value of the wrong type at any plugin position is refused by the fast path."""
        data = sample_data()
        wrong = 1.5 if field != "line" else "1"
        data["plugins"][2][at(field)] = wrong
        assert not _rows_look_valid(data["plugins"], data["files"])
        with pytest.raises(ManifestError, match=re.escape(f"$.plugins[2].{field}: expected")):
            Manifest.from_data(data)

    @pytest.mark.parametrize("field", ["provides", "capabilities", "requires", "profiles",
                                       "permissions", "variants", "parameters"])  # fmt: skip
    @pytest.mark.parametrize("wrong", [None, 0, "x"])
    def test_non_list_words_are_refused_not_crashed(self, field: str, wrong: object) -> None:
        """A list field holding null, a number or a string is a ManifestError, never a crash."""
        data = sample_data()
        data["plugins"][2][at(field)] = wrong
        assert not _rows_look_valid(data["plugins"], data["files"])
        with pytest.raises(
            ManifestError, match=re.escape(f"$.plugins[2].{field}: expected a list")
        ):
            Manifest.from_data(data)

    @pytest.mark.parametrize("field", PARAMETER_FIELDS)
    def test_checks_every_parameter_field(self, field: str) -> None:
        """A value of the wrong type at any parameter position is refused by the fast path."""
        data = sample_data()
        data["plugins"][2][at("parameters")][1][PARAMETER_FIELDS.index(field)] = 1.5
        assert not _rows_look_valid(data["plugins"], data["files"])
        where = f"$.plugins[2].parameters[1].{field}: expected"
        with pytest.raises(ManifestError, match=re.escape(where)):
            Manifest.from_data(data)

    def test_plain_requirements_are_valid(self) -> None:
        """Every requirement the fast regex accepts is one check_requirement accepts."""
        names = ["a", "mem-storage", "x.y_z", "-bad", "a b"]
        specs = ["", ">=1", "<=1.0", "<2", ">0.1", "==1.2.3", "!=3", "~=1", "~=1.4", ">=1,<2",
                 ">=1.0,", ">>1", "==1.*", ">=1.0+local", ">=1.0rc1", " >=1"]  # fmt: skip
        accepted = 0
        for name in names:
            for spec in specs:
                text = name + spec
                if _PLAIN_REQUIREMENT_RE.fullmatch(text):
                    accepted += 1
                    assert check_requirement(text) is None, text
        assert accepted >= 20

    def test_valid_rows_take_the_fast_path(self) -> None:
        """Every row of a valid manifest passes the fast check, and so does an empty table."""
        data = sample_data()
        assert _rows_look_valid(data["plugins"], data["files"])
        assert _rows_look_valid([], {})

    @pytest.mark.parametrize("name", ["storage\nother", "storage\n", "\nstorage", "a b", ""])
    def test_bad_names_leave_the_fast_path(self, name: str) -> None:
        """Names are matched all at once, joined by newlines: a name holding one is still bad."""
        data = sample_data()
        data["plugins"][4][at("name")] = name
        assert not _rows_look_valid(data["plugins"], data["files"])
        with pytest.raises(ManifestError, match=re.escape("$.plugins[4].name: plugin name")):
            Manifest.from_data(data)

    def test_duplicate_names_leave_the_fast_path(self) -> None:
        """Two rows with one name are refused by the fast path, then named by the checker."""
        data = sample_data()
        data["plugins"][1][at("name")] = data["plugins"][0][at("name")]
        assert not _rows_look_valid(data["plugins"], data["files"])

    def test_unusual_but_valid_values_take_the_slow_path(self) -> None:
        """A str subclass, or an unusual version or requirement, is left to the checker."""

        class Text(str):
            pass

        data = sample_data()
        row = data["plugins"][2]
        row[at("type")] = Text("data-processor")
        assert not _rows_look_valid(data["plugins"], data["files"])
        row[at("type")] = "data-processor"
        row[at("requires")] = ["storage===weird"]
        row[at("version")] = "2.0.post1"
        assert _rows_look_valid(data["plugins"], data["files"])  # checked and accepted
        raw = Manifest.from_data(data).raw("pipeline")
        assert (raw["requires"], raw["version"]) == (["storage===weird"], "2.0.post1")


def _at(data: object, path: tuple[Any, ...]) -> object:
    node: Any = data
    for key in path:
        node = node[key]
    return node


class TestAccess:
    def test_container_protocol(self) -> None:
        """len, in, iteration and names() cover the plugins, names sorted."""
        manifest = sample_manifest()
        names = ["compressor", "mock-storage", "pipeline", "runtime-thing", "storage"]
        assert len(manifest) == 5
        assert list(manifest) == names == manifest.names()
        assert "storage" in manifest
        assert "ghost" not in manifest
        assert 5 not in manifest

    def test_raw_and_records(self) -> None:
        """raw() gives the JSON object; record() builds the record once and caches it."""
        manifest = Manifest.from_text(sample_manifest().dumps())
        assert manifest.raw("storage")["priority"] == 5
        record = manifest.record("storage")
        assert record is manifest.record("storage")
        assert record == next(r for r in sample_records() if r.name == "storage")
        assert [r.name for r in manifest.records()] == manifest.names()
        assert [d["name"] for d in manifest.raw_records()] == manifest.names()

    def test_unknown_name(self) -> None:
        """raw() and record() raise KeyError for an unknown name."""
        manifest = sample_manifest()
        with pytest.raises(KeyError, match="ghost"):
            manifest.raw("ghost")
        with pytest.raises(KeyError, match="ghost"):
            manifest.record("ghost")

    def test_fields(self) -> None:
        """generator, files and order are exposed as loaded."""
        manifest = sample_manifest()
        assert manifest.generator == "mreg-codegen test"
        assert manifest.files["acme/storage.py"] == sha("acme/storage.py")
        assert manifest.order["dev"][1] == "mock-storage"
        assert manifest.directory is None
        assert manifest.file_path("a.py") == Path.cwd() / "a.py"


class TestCandidates:
    def test_by_interface_in_any_profile(self) -> None:
        """Every plugin bound to an interface, in any profile, sorted by name."""
        manifest = sample_manifest()
        assert manifest.candidates("acme.Storage") == ["mock-storage", "storage"]
        assert manifest.candidates("acme.Compressor") == ["compressor"]

    def test_own_qualified_name(self) -> None:
        """A plugin is bound to its own module.qualname too."""
        assert sample_manifest().candidates("acme.pipeline.Pipeline") == ["pipeline"]
        assert sample_manifest().candidates("app.Thing") == ["runtime-thing"]

    def test_unknown_interface(self) -> None:
        """An interface nobody provides has no candidates."""
        assert sample_manifest().candidates("acme.Nothing") == []

    def test_provider_listed_once(self) -> None:
        """Providing one's own qualified name explicitly does not list a plugin twice."""
        manifest = build([rec("a", module="m", qualname="A", provides=["m.A"])])
        assert manifest.candidates("m.A") == ["a"]


class TestOrderFor:
    def test_default(self) -> None:
        """None and "default" give the default order."""
        manifest = sample_manifest()
        expected = ["compressor", "runtime-thing", "storage", "pipeline"]
        assert manifest.order_for(None) == expected
        assert manifest.order_for("default") == expected

    def test_mentioned_profile(self) -> None:
        """A profile with a stored order gets it."""
        assert sample_manifest().order_for("dev")[1] == "mock-storage"  # type: ignore[index]

    def test_mentioned_profile_without_order(self) -> None:
        """A profile a plugin names but without a stored order has none (was invalid)."""
        assert sample_manifest().order_for("test") is None

    def test_unmentioned_profile(self) -> None:
        """A profile no plugin names runs the default set, so it gets the default order."""
        assert sample_manifest().order_for("production") == sample_manifest().order_for(None)

    def test_no_default_order(self) -> None:
        """Without a default order, unmentioned profiles have none either."""
        manifest = build([rec("a")], order={})
        assert manifest.order_for(None) is None
        assert manifest.order_for("production") is None


class TestSchemaFile:
    def test_shipped_and_valid(self) -> None:
        """The schema is a package resource and a valid draft 2020-12 schema."""
        assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        jsonschema.Draft202012Validator.check_schema(SCHEMA)

    def test_top_level_fields_match_loader(self) -> None:
        """Top-level properties and required fields are the loader's (`$comment` optional)."""
        assert set(SCHEMA["properties"]) == _TOP_KEYS
        assert set(SCHEMA["required"]) == _TOP_KEYS - {"$comment"}
        assert SCHEMA["additionalProperties"] is False
        assert SCHEMA["properties"]["schema"]["const"] == SCHEMA_VERSION

    def test_plugin_fields_match_loader(self) -> None:
        """Plugin rows: one position per loader field, in order, each with the loader's type."""
        fields = SCHEMA["$defs"]["plugin_field"]["properties"]
        plugin = SCHEMA["$defs"]["plugin"]
        assert tuple(fields) == PLUGIN_FIELDS
        assert plugin["prefixItems"] == [
            {"$ref": f"#/$defs/plugin_field/properties/{f}"} for f in PLUGIN_FIELDS
        ]
        assert plugin["items"] is False
        assert plugin["minItems"] == len(PLUGIN_FIELDS)
        for field, (_, expected) in _PLUGIN_FIELDS.items():
            assert _schema_type_words(fields[field]) == expected, field
        assert tuple(fields["scope"]["enum"]) == SCOPES
        assert tuple(fields["kind"]["enum"]) == KINDS

    def test_parameter_fields_match_loader(self) -> None:
        """Parameter rows: one position per loader field, in order, with the loader's type."""
        fields = SCHEMA["$defs"]["parameter_field"]["properties"]
        parameter = SCHEMA["$defs"]["parameter"]
        assert tuple(fields) == PARAMETER_FIELDS
        assert parameter["prefixItems"] == [
            {"$ref": f"#/$defs/parameter_field/properties/{f}"} for f in PARAMETER_FIELDS
        ]
        assert parameter["items"] is False
        assert parameter["minItems"] == len(PARAMETER_FIELDS)
        for field, (_, expected) in _PARAMETER_FIELDS.items():
            assert _schema_type_words(fields[field]) == expected, field

    @pytest.mark.parametrize(
        "name", ["a", "gzip-compressor", "a.b_c-1", "", "a b", "-a", "a-", "a\n", "é", "a/b"]
    )
    def test_name_pattern_agrees(self, name: str) -> None:
        """The schema's name pattern accepts exactly what check_name accepts."""
        pattern = SCHEMA["$defs"]["plugin_field"]["properties"]["name"]["pattern"]
        assert (re.search(pattern, name) is not None) == (check_name(name) is None)

    @pytest.mark.parametrize(
        "version",
        [
            "0", "1.0", "v1.0", "V1.0", "1!2.0", "1.0a1", "1.0-alpha.1", "1.0RC1", "1.0c",
            "1.0.post1", "1.0-1", "1.0rev", "1.0.dev", "1.0-DEV_3", "1.0a1.post2.dev3",
            "1.0+local", "1.0+Loc.Al-9_z", "", "v", "1.0-", "1..0", "1.0+", "1.0+a..b", " 1.0",
            "1.0\n", "one", "1.0.x", "1.0beta", "1.0pre.4", "1.0preview", "1.0-r", "1.0_post",
        ],
    )  # fmt: skip
    def test_version_pattern_agrees(self, version: str) -> None:
        """The schema's version pattern accepts exactly what check_version accepts."""
        pattern = SCHEMA["$defs"]["plugin_field"]["properties"]["version"]["pattern"]
        assert (re.search(pattern, version) is not None) == (check_version(version) is None)


def _schema_type_words(prop: dict[str, Any]) -> str:
    """The loader's words for a schema property's type, e.g. "a list of strings"."""
    kind = prop["type"]
    if kind == "array":
        items = prop.get("items", {})
        return "a list of strings" if items.get("type") == "string" else "a list"
    words = {
        "string": "a string",
        "integer": "an integer",
        "boolean": "a boolean",
        "object": "an object",
        ("string", "null"): "a string or null",
    }
    return words[tuple(kind) if isinstance(kind, list) else kind]
