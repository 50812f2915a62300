"""Manifest validation: the schema's field tables, the fast path and the field-by-field checker.

`mreg_di._manifest.Manifest` runs `_Checker.document` on every manifest it loads. Most records
are accepted by `_looks_valid`, a few C-level calls per record; whatever it refuses goes through
`_Checker`, which decides and raises `ManifestError` naming the JSON path of the first bad value.
Like `mreg_di._manifest`, this module is on the start-up path and imports no third-party package.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from mreg_di._errors import ManifestError
from mreg_di._validation import (
    _NAME,
    _NAME_RE,
    KINDS,
    SCOPES,
    check_name,
    check_requirement,
    check_scope,
    check_version,
)

__all__ = ["SCHEMA_VERSION"]

SCHEMA_VERSION = 1
"""The schema version this runtime reads and the build step writes."""

_TOP_KEYS = frozenset({"$comment", "schema", "generator", "files", "plugins", "order"})
_PARAMETER_KEYS = frozenset(
    {"name", "annotation", "interface", "many", "optional", "has_default", "line"}
)
_SHA256_LENGTH = 64
_SHA256_RE = re.compile("[0-9a-f]{64}")
_HEX = frozenset("0123456789abcdef")


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_str_list(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(item, str) for item in value)


def _is_opt_str(value: object) -> bool:
    return value is None or isinstance(value, str)


# Field -> (check, expected type in words). Semantic checks (versions, names, ...) follow.
_PLUGIN_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "name": (_is_str, "a string"),
    "version": (_is_str, "a string"),
    "type": (_is_str, "a string"),
    "capabilities": (_is_str_list, "a list of strings"),
    "provides": (_is_str_list, "a list of strings"),
    "requires": (_is_str_list, "a list of strings"),
    "scope": (_is_str, "a string"),
    "profiles": (_is_str_list, "a list of strings"),
    "permissions": (_is_str_list, "a list of strings"),
    "priority": (_is_int, "an integer"),
    "metadata": (lambda v: isinstance(v, dict), "an object"),
    "description": (_is_str, "a string"),
    "variants": (_is_str_list, "a list of strings"),
    "kind": (_is_str, "a string"),
    "module": (_is_str, "a string"),
    "qualname": (_is_str, "a string"),
    "file": (_is_opt_str, "a string or null"),
    "line": (_is_int, "an integer"),
    "column": (_is_int, "an integer"),
    "parameters": (lambda v: isinstance(v, list), "a list"),
}
_PLUGIN_KEYS = frozenset(_PLUGIN_FIELDS)
_PARAMETER_FIELDS: dict[str, tuple[Callable[[object], bool], str]] = {
    "name": (_is_str, "a string"),
    "annotation": (_is_opt_str, "a string or null"),
    "interface": (_is_opt_str, "a string or null"),
    "many": (lambda v: isinstance(v, bool), "a boolean"),
    "optional": (lambda v: isinstance(v, bool), "a boolean"),
    "has_default": (lambda v: isinstance(v, bool), "a boolean"),
    "line": (_is_int, "an integer"),
}


# -- fast path ----------------------------------------------------------------------------
# Checking 5,000 records field by field costs more than parsing their JSON. `_looks_valid`
# applies the same checks to one record in a few C-level calls. It may answer True only when
# `_Checker.plugin` would accept the record (it is as strict or stricter: exact types, no
# subclasses); whatever it refuses, an error or merely an unusual value, goes through the
# checker, which decides and names the bad field. Tests hold the two to that.

_FAST_FIELDS = (
    *("name", "version", "type", "description", "module", "qualname", "scope", "kind"),
    *("priority", "line", "column", "metadata", "parameters", "file"),
    *("capabilities", "provides", "requires", "profiles", "permissions", "variants"),
)
_get_fields = operator.itemgetter(*_FAST_FIELDS)
_FAST_TYPES = frozenset(
    (*(str,) * 8, int, int, int, dict, list, file_type, *(list,) * 6)
    for file_type in (str, type(None))
)
_get_parameter = operator.itemgetter(*_PARAMETER_FIELDS)
_FAST_PARAMETER_TYPES = frozenset(
    (str, annotation, interface, bool, bool, bool, int)
    for annotation in (str, type(None))
    for interface in (str, type(None))
)
_WORD_LISTS = ("capabilities", "provides", "profiles", "permissions", "variants")
_SCOPE_SET = frozenset(SCOPES)
_KIND_SET = frozenset(KINDS)
_STR_ONLY = frozenset({str})
# The usual requirement spellings ("storage", "storage>=1.0,<2"): release-only versions, which
# every operator accepts. Anything else is checked by check_requirement.
_PLAIN_CLAUSE = r"(?:(?:>=|<=|<|>|==|!=)[0-9]+(?:\.[0-9]+)*|~=[0-9]+(?:\.[0-9]+)+)"
_PLAIN_REQUIREMENT_RE = re.compile(rf"{_NAME}(?:{_PLAIN_CLAUSE}(?:,{_PLAIN_CLAUSE})*)?")


def _looks_valid(raw: object, files: Mapping[str, str], versions: set[str]) -> bool:
    """Whether a plugin record certainly passes `_Checker.plugin` (`versions`: known good)."""
    if type(raw) is not dict or len(raw) != len(_FAST_FIELDS):
        return False
    try:
        values = _get_fields(raw)  # with the length above: exactly the expected keys
    except KeyError:
        return False
    if tuple(map(type, values)) not in _FAST_TYPES:
        return False
    name, version, type_, _, _, _, scope, kind, _, line, column, _, parameters, file = values[:14]
    capabilities, provides, _, profiles, permissions, variants = values[14:]
    if not (
        scope in _SCOPE_SET
        and kind in _KIND_SET
        and type_
        and line >= 0
        and column >= 0
        and (kind == "factory" or not variants)
        and "" not in capabilities
        and "" not in provides
        and "" not in profiles
        and "" not in permissions
        and "" not in variants
        and (file is None or file in files)
        and _NAME_RE.fullmatch(name)
        and _STR_ONLY.issuperset(map(type, itertools.chain.from_iterable(values[14:])))
    ):
        return False
    if version not in versions:
        if check_version(version) is not None:
            return False
        versions.add(version)
    for requirement in values[16]:
        if not _PLAIN_REQUIREMENT_RE.fullmatch(requirement) and check_requirement(requirement):
            return False
    for parameter in parameters:
        if type(parameter) is not dict or len(parameter) != len(_PARAMETER_FIELDS):
            return False
        try:
            parameter_values = _get_parameter(parameter)
        except KeyError:
            return False
        if tuple(map(type, parameter_values)) not in _FAST_PARAMETER_TYPES:
            return False
        if parameter_values[6] < 0:
            return False
    return True


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
        schema = data.get("schema")
        if isinstance(schema, int) and not isinstance(schema, bool) and schema > SCHEMA_VERSION:
            self.fail(
                "$.schema",
                f"schema version {schema} is newer than this mreg-di understands "
                f"({SCHEMA_VERSION})",
                "upgrade mreg-di to a version that reads this manifest, "
                "or regenerate it with the mreg-codegen that matches this runtime",
            )
        self.keys(data, _TOP_KEYS, "$")
        if not isinstance(schema, int) or isinstance(schema, bool) or schema < 1:
            self.fail("$.schema", f"expected a positive integer, found {schema!r}")
        if not _is_str(data["generator"]):
            self.fail("$.generator", f"expected a string, found {_json_type(data['generator'])}")
        files = data["files"]
        if not isinstance(files, dict):
            self.fail("$.files", f"expected an object, found {_json_type(files)}")
        digests = files.values()
        fast = _STR_ONLY.issuperset(map(type, digests)) and all(map(_SHA256_RE.fullmatch, digests))
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
        seen: dict[str, int] = {}
        versions: set[str] = set()
        for index, raw in enumerate(plugins):
            if _looks_valid(raw, files, versions):
                name = raw["name"]
            else:
                name = self.plugin(raw, f"$.plugins[{index}]", files)
            if name in seen:
                self.fail(
                    f"$.plugins[{index}].name",
                    f"duplicate plugin name {name!r} (also at $.plugins[{seen[name]}])",
                )
            seen[name] = index
        order = data["order"]
        if not isinstance(order, dict):
            self.fail("$.order", f"expected an object, found {_json_type(order)}")
        for profile, names in order.items():
            if not _is_str_list(names):
                self.wrong_type(f"$.order[{profile!r}]", names, "a list of plugin names")
            for position, name in enumerate(() if seen.keys() >= set(names) else names):
                if name not in seen:
                    self.fail(
                        f"$.order[{profile!r}][{position}]",
                        f"{name!r} is not a plugin in this manifest",
                    )

    def plugin(self, raw: object, path: str, files: Mapping[str, str]) -> str:
        if not isinstance(raw, dict):
            self.fail(path, f"expected an object, found {_json_type(raw)}")
        self.keys(raw, _PLUGIN_KEYS, path)
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
        if raw["variants"] and raw["kind"] != "factory":
            self.fail(f"{path}.variants", "variants are for factory records, not classes")
        for field in ("line", "column"):
            if raw[field] < 0:
                self.fail(f"{path}.{field}", f"expected a non-negative integer, found {raw[field]}")
        file = raw["file"]
        if file is not None and file not in files:
            self.fail(f"{path}.file", f"{file!r} has no sha256 entry in $.files")
        for position, parameter in enumerate(raw["parameters"]):
            where = f"{path}.parameters[{position}]"
            if not isinstance(parameter, dict):
                self.fail(where, f"expected an object, found {_json_type(parameter)}")
            self.keys(parameter, _PARAMETER_KEYS, where)
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
