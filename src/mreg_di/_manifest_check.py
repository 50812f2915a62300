"""Manifest validation: the schema's field tables, the fast path and the field-by-field checker.

`mreg_di._manifest.Manifest` runs `_Checker.document` on every manifest it loads. Plugin and
parameter records are rows, lists whose positions follow `PLUGIN_FIELDS` and `PARAMETER_FIELDS`
(the manifest repeats both under ``$.fields``). A valid table of rows is accepted by
`_rows_look_valid`, which checks each column with a few C-level calls; whatever it refuses goes
through `_Checker`, which decides row by row and raises `ManifestError` naming the first bad
value, as ``$.plugins[2].version``. Like `mreg_di._manifest`, this module is on the start-up
path and imports no third-party package.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, NoReturn, TypeGuard, cast

from mreg_di._errors import ManifestError
from mreg_di._validation import (
    _NAME,
    _PLAIN_VERSION_RE,
    DEFAULT_PROFILE,
    KINDS,
    SCOPES,
    check_name,
    check_profiles,
    check_requirement,
    check_scope,
    check_version,
)

__all__ = ["PARAMETER_FIELDS", "PLUGIN_FIELDS", "SCHEMA_VERSION"]

SCHEMA_VERSION = 2
"""The schema version this runtime reads and the build step writes."""

_TOP_KEYS = frozenset({"$comment", "schema", "generator", "fields", "files", "plugins", "order"})
_SHA256_LENGTH = 64
_HEX_RUN_RE = re.compile("[0-9a-f]*")
_HEX = frozenset("0123456789abcdef")


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_opt_str(value: object) -> bool:
    return value is None or isinstance(value, str)


# Field -> (check, expected type in words), in row order. Semantic checks (versions, names, ...)
# follow in `_Checker.plugin`.
_PLUGIN_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "name": (_is_str, "a string"),
    "version": (_is_str, "a string"),
    "type": (_is_str, "a string"),
    "kind": (_is_str, "a string"),
    "scope": (_is_str, "a string"),
    "module": (_is_str, "a string"),
    "qualname": (_is_str, "a string"),
    "file": (_is_opt_str, "a string or null"),
    "line": (_is_int, "an integer"),
    "column": (_is_int, "an integer"),
    "priority": (_is_int, "an integer"),
    "description": (_is_str, "a string"),
    "provides": (_is_str_list, "a list of strings"),
    "capabilities": (_is_str_list, "a list of strings"),
    "requires": (_is_str_list, "a list of strings"),
    "profiles": (_is_str_list, "a list of strings"),
    "permissions": (_is_str_list, "a list of strings"),
    "variants": (_is_str_list, "a list of strings"),
    "metadata": (lambda v: isinstance(v, dict), "an object"),
    "parameters": (lambda v: isinstance(v, list), "a list"),
}
_PARAMETER_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "name": (_is_str, "a string"),
    "annotation": (_is_opt_str, "a string or null"),
    "interface": (_is_opt_str, "a string or null"),
    "many": (lambda v: isinstance(v, bool), "a boolean"),
    "optional": (lambda v: isinstance(v, bool), "a boolean"),
    "has_default": (lambda v: isinstance(v, bool), "a boolean"),
    "line": (_is_int, "an integer"),
}

PLUGIN_FIELDS: tuple[str, ...] = tuple(_PLUGIN_FIELDS)
"""The fields of a plugin row, in the order the manifest stores them."""

PARAMETER_FIELDS: tuple[str, ...] = tuple(_PARAMETER_FIELDS)
"""The fields of a parameter row, in the order the manifest stores them."""

_FIELDS_HEADER = {"plugin": list(PLUGIN_FIELDS), "parameter": list(PARAMETER_FIELDS)}
_WORD_LISTS = ("capabilities", "provides", "profiles", "permissions", "variants")


# -- fast path ----------------------------------------------------------------------------
# Checking 5,000 rows field by field costs more than parsing their JSON. `_rows_look_valid`
# transposes the rows into columns and checks each column in a few C-level calls. It may answer
# True only when `_Checker.plugin` would accept every row (it is as strict or stricter: exact
# types, no subclasses); whatever it refuses, an error or merely an unusual value, goes through
# the checker, which decides and names the bad field. Tests hold the two to that.

_STR_ONLY: frozenset[type] = frozenset({str})
_INT_ONLY: frozenset[type] = frozenset({int})
_BOOL_ONLY: frozenset[type] = frozenset({bool})
_LIST_ONLY: frozenset[type] = frozenset({list})
_DICT_ONLY: frozenset[type] = frozenset({dict})
_OPT_STR: frozenset[type] = frozenset({str, type(None)})
_SCOPE_SET = frozenset(SCOPES)
_KIND_SET = frozenset(KINDS)
_N_PLUGIN = len(PLUGIN_FIELDS)
_N_PARAMETER = len(PARAMETER_FIELDS)
# The usual requirement spellings ("storage", "storage>=1.0,<2"): release-only versions, which
# every operator accepts. Anything else is checked by check_requirement.
_PLAIN_CLAUSE = r"(?:(?:>=|<=|<|>|==|!=)[0-9]+(?:\.[0-9]+)*|~=[0-9]+(?:\.[0-9]+)+)"
_PLAIN_REQUIREMENT_RE = re.compile(rf"{_NAME}(?:{_PLAIN_CLAUSE}(?:,{_PLAIN_CLAUSE})*)?")
_NAMES_RE = re.compile(rf"(?:{_NAME}\n)*{_NAME}")


def _only(types: frozenset[type], values: Any) -> bool:
    """Whether every value's exact type is one of `types`."""
    return types.issuperset(map(type, values))


def _rows_look_valid(table: Sequence[object], files: Mapping[str, str]) -> bool:
    """Whether every row certainly passes `_Checker.plugin`, names unique (checked by column)."""
    if not _only(_LIST_ONLY, table):
        return False
    if not table:
        return True
    rows = cast("Sequence[list[Any]]", table)
    if set(map(len, rows)) != {_N_PLUGIN}:
        return False
    (names, versions, types, kinds, scopes, modules, qualnames, paths, lines, columns,
     priorities, descriptions, provides, capabilities, requires, profiles, permissions,
     variants, metadata, parameters) = zip(*rows, strict=True)  # fmt: skip
    if not (
        _only(_LIST_ONLY, itertools.chain(provides, capabilities, requires, profiles))
        and _only(_LIST_ONLY, itertools.chain(permissions, variants, parameters))
    ):
        return False
    words = list(itertools.chain.from_iterable(
        itertools.chain(provides, capabilities, profiles, permissions, variants)))  # fmt: skip
    if not (
        _only(_STR_ONLY, itertools.chain(names, versions, types, kinds, scopes, modules))
        and _only(_STR_ONLY, itertools.chain(qualnames, descriptions))
        and _only(_INT_ONLY, itertools.chain(lines, columns, priorities))
        and _only(_OPT_STR, paths)
        and _only(_DICT_ONLY, metadata)
        and _only(_STR_ONLY, words)
        and "" not in words
        and "" not in types
        and min(lines) >= 0
        and min(columns) >= 0
        and _SCOPE_SET.issuperset(scopes)
        and _KIND_SET.issuperset(kinds)
        and files.keys() >= set(paths).difference((None,))
        and _names_look_valid(names)
        and len(set(names)) == len(names)
        and {kind for kind, listed in zip(kinds, variants, strict=True) if listed} <= {"factory"}
    ):
        return False
    for version in set(versions):
        if not _PLAIN_VERSION_RE.fullmatch(version) and check_version(version) is not None:
            return False
    if DEFAULT_PROFILE in itertools.chain.from_iterable(profiles):
        return False
    needed = list(itertools.chain.from_iterable(requires))
    if not _only(_STR_ONLY, needed):
        return False
    for requirement in set(needed):
        if not _PLAIN_REQUIREMENT_RE.fullmatch(requirement) and check_requirement(requirement):
            return False
    return _parameters_look_valid(list(itertools.chain.from_iterable(parameters)))


def _names_look_valid(names: Sequence[str]) -> bool:
    """Whether every name matches the name pattern: one match over all of them, joined.

    Counting the separators first makes sure no name contains one, which would split it.
    """
    joined = "\n".join(names)
    return joined.count("\n") == len(names) - 1 and _NAMES_RE.fullmatch(joined) is not None


def _parameters_look_valid(rows: list[Any]) -> bool:
    """Whether every parameter row certainly passes the checker's parameter checks."""
    if not rows:
        return True
    if not _only(_LIST_ONLY, rows) or set(map(len, rows)) != {_N_PARAMETER}:
        return False
    names, annotations, interfaces, many, optional, has_default, lines = zip(*rows, strict=True)
    return (
        _only(_STR_ONLY, names)
        and _only(_OPT_STR, itertools.chain(annotations, interfaces))
        and _only(_BOOL_ONLY, itertools.chain(many, optional, has_default))
        and _only(_INT_ONLY, lines)
        and min(lines) >= 0
    )


class _Checker:
    """Validates raw manifest data, raising `ManifestError` at the first bad value."""

    def __init__(self, source: str) -> None:
        self.source = source

    def fail(self, json_path: str, reason: str, hint: str = "") -> NoReturn:
        raise ManifestError(self.source, json_path, reason, hint or _REGENERATE)

    def keys(self, data: Mapping[str, Any], expected: frozenset[str], path: str) -> None:
        keys = data.keys()
        if keys == expected:
            return
        # `$comment` is the only optional field: a missing one must not hide a missing other.
        missing = sorted(expected - keys - ({"$comment"} if path == "$" else set()))
        if missing:
            self.fail(f"{path}.{missing[0]}", "required field is missing")
        extra = sorted(keys - expected)
        if extra:
            self.fail(f"{path}.{extra[0]}", "unknown field")

    def wrong_type(self, json_path: str, value: object, expected: str) -> NoReturn:
        # In a list of strings, point at the first item that is not one.
        if expected.startswith("a list of") and isinstance(value, list):
            for index, item in enumerate(value):
                if not isinstance(item, str):
                    self.fail(
                        f"{json_path}[{index}]", f"expected a string, found {_json_type(item)}"
                    )
        self.fail(json_path, f"expected {expected}, found {_json_type(value)}")

    def document(self, data: object) -> None:
        if not isinstance(data, dict):
            self.fail("$", f"the manifest must be a JSON object, not {_json_type(data)}")
        # Another schema version may have other fields: say so before naming any of them.
        schema = data.get("schema")
        if _is_int(schema) and schema >= 1:
            self.schema(schema)
        self.keys(data, _TOP_KEYS, "$")
        if not _is_int(schema) or schema < 1:
            self.fail("$.schema", f"expected a positive integer, found {schema!r}")
        if not _is_str(data["generator"]):
            self.fail("$.generator", f"expected a string, found {_json_type(data['generator'])}")
        if data["fields"] != _FIELDS_HEADER:
            self.fields(data["fields"])
        files = data["files"]
        if not isinstance(files, dict):
            self.fail("$.files", f"expected an object, found {_json_type(files)}")
        digests = files.values()
        # One regex over all digests joined: a match per digest costs ~0.4 µs each.
        fast = (
            _only(_STR_ONLY, digests)
            and set(map(len, digests)) <= {_SHA256_LENGTH}
            and _HEX_RUN_RE.fullmatch("".join(digests)) is not None
        )
        for rel, digest in () if fast else files.items():
            if not (
                isinstance(digest, str)
                and len(digest) == _SHA256_LENGTH
                and _HEX.issuperset(digest)
            ):
                self.fail(f"$.files[{rel!r}]", "expected a lowercase sha256 hex digest")
        plugins = data["plugins"]
        if not isinstance(plugins, list):
            self.fail("$.plugins", f"expected a list, found {_json_type(plugins)}")
        if _rows_look_valid(plugins, files):
            names: Sequence[str] = [row[0] for row in plugins]
        else:
            names = self.plugins(plugins, files)
        self.order(data["order"], set(names))

    def fields(self, header: object) -> None:
        """Name the first entry of the ``fields`` header that is not this runtime's."""
        if not isinstance(header, dict):
            self.fail("$.fields", f"expected an object, found {_json_type(header)}")
        self.keys(header, frozenset(_FIELDS_HEADER), "$.fields")
        for kind, expected in _FIELDS_HEADER.items():
            listed = header[kind]
            where = f"$.fields.{kind}"
            if not isinstance(listed, list):
                self.fail(where, f"expected a list of field names, found {_json_type(listed)}")
            for position, (want, found) in enumerate(itertools.zip_longest(expected, listed)):
                if want is None:
                    self.fail(
                        f"{where}[{position}]",
                        f"unknown field {found!r}: this mreg-di reads {len(expected)} {kind} "
                        "fields",
                    )
                if found != want:
                    found_text = "the end of the list" if position >= len(listed) else repr(found)
                    self.fail(f"{where}[{position}]", f"expected {want!r}, found {found_text}")

    def schema(self, schema: int) -> None:
        if schema > SCHEMA_VERSION:
            self.fail(
                "$.schema",
                f"schema version {schema} is newer than this mreg-di understands "
                f"({SCHEMA_VERSION})",
                "upgrade mreg-di to a version that reads this manifest, "
                "or regenerate it with the mreg-codegen that matches this runtime",
            )
        if schema < SCHEMA_VERSION:
            self.fail(
                "$.schema",
                f"schema version {schema} is older than this mreg-di reads ({SCHEMA_VERSION})",
                "regenerate the manifest with this version's `mreg-codegen scan`",
            )

    def plugins(self, rows: list[object], files: Mapping[str, str]) -> list[str]:
        seen: dict[str, int] = {}
        for index, row in enumerate(rows):
            name = self.plugin(row, f"$.plugins[{index}]", files)
            if name in seen:
                self.fail(
                    f"$.plugins[{index}].name",
                    f"duplicate plugin name {name!r} (also at $.plugins[{seen[name]}])",
                )
            seen[name] = index
        return list(seen)

    def order(self, order: object, names: set[str]) -> None:
        if not isinstance(order, dict):
            self.fail("$.order", f"expected an object, found {_json_type(order)}")
        for profile, listed in order.items():
            if not (isinstance(listed, list) and _only(_STR_ONLY, listed)):
                self.wrong_type(f"$.order[{profile!r}]", listed, "a list of plugin names")
            for position, name in enumerate(() if names.issuperset(listed) else listed):
                if name not in names:
                    self.fail(
                        f"$.order[{profile!r}][{position}]",
                        f"{name!r} is not a plugin in this manifest",
                    )

    def row(self, row: object, path: str, fields: Sequence[str], what: str) -> dict[str, Any]:
        """`row` as a dict keyed by `fields`, after checking it is a list of the right length."""
        if not isinstance(row, list):
            self.fail(path, f"expected {what} row (a list), found {_json_type(row)}")
        if len(row) != len(fields):
            self.fail(
                path,
                f"expected {what} row of {len(fields)} fields, found {len(row)} "
                f"(the fields are listed in $.fields)",
            )
        return dict(zip(fields, row, strict=True))

    def plugin(self, row: object, path: str, files: Mapping[str, str]) -> str:
        raw = self.row(row, path, PLUGIN_FIELDS, "a plugin")
        for field, (check, expected) in _PLUGIN_FIELDS.items():
            value = raw[field]
            if not check(value):
                self.wrong_type(f"{path}.{field}", value, expected)
        semantic = (
            ("name", check_name(raw["name"])),
            ("version", check_version(raw["version"])),
            ("scope", check_scope(raw["scope"])),
        )
        for field, reason in semantic:
            if reason:
                self.fail(f"{path}.{field}", reason)
        for position, requirement in enumerate(raw["requires"]):
            reason = check_requirement(requirement)
            if reason:
                self.fail(f"{path}.requires[{position}]", reason)
        if raw["kind"] not in KINDS:
            self.fail(f"{path}.kind", f"expected 'class' or 'factory', found {raw['kind']!r}")
        # The same rules the decorators apply at declaration time.
        if not raw["type"]:
            self.fail(f"{path}.type", "expected a non-empty string, found the string ''")
        for field in _WORD_LISTS:
            for position, item in enumerate(raw[field]):
                if not item:
                    self.fail(
                        f"{path}.{field}[{position}]",
                        "expected a non-empty string, found the string ''",
                    )
        reason = check_profiles(raw["profiles"])
        if reason:
            position = raw["profiles"].index(DEFAULT_PROFILE)
            self.fail(f"{path}.profiles[{position}]", reason)
        if raw["variants"] and raw["kind"] != "factory":
            self.fail(f"{path}.variants", "variants are for factory records, not classes")
        for field in ("line", "column"):
            if raw[field] < 0:
                self.fail(f"{path}.{field}", f"expected a non-negative integer, found {raw[field]}")
        file = raw["file"]
        if file is not None and file not in files:
            self.fail(f"{path}.file", f"{file!r} has no sha256 entry in $.files")
        for position, parameter_row in enumerate(raw["parameters"]):
            where = f"{path}.parameters[{position}]"
            parameter = self.row(parameter_row, where, PARAMETER_FIELDS, "a parameter")
            for field, (check, expected) in _PARAMETER_FIELDS.items():
                if not check(parameter[field]):
                    self.fail(
                        f"{where}.{field}",
                        f"expected {expected}, found {_json_type(parameter[field])}",
                    )
            if parameter["line"] < 0:
                self.fail(
                    f"{where}.line", f"expected a non-negative integer, found {parameter['line']}"
                )
        name: str = raw["name"]
        return name


_REGENERATE = "regenerate the manifest with `mreg-codegen scan`; never edit it by hand"


def _reject_constant(name: str) -> object:
    # json.loads accepts NaN/Infinity, which are not JSON and could not be written back.
    raise ValueError(f"{name} is not a JSON value")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    if isinstance(value, str):
        return f"the string {value!r}" if len(value) < 40 else "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
