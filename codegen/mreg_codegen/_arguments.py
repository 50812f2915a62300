"""Read and check the arguments of one ``@plugin(...)`` / ``@factory(...)`` call.

Each keyword's value is read as a literal (`mreg_codegen._literals`) and goes through the check
the decorators run at decoration time (`mreg_di._validation`), with the same wording. Every
problem is reported to the file's context; a wrong value reads as `INVALID`.
"""

from __future__ import annotations

from typing import Any

import libcst as cst

from mreg_codegen._context import FileContext
from mreg_codegen._literals import INVALID, LiteralReader
from mreg_codegen._names import Definition
from mreg_codegen._provides import read_provides
from mreg_di._decorators import first_paragraph
from mreg_di._spec import PluginKind
from mreg_di._validation import (
    DEFAULT_PROFILE,
    PROFILES_HINT,
    SCOPES,
    check_identifier_list,
    check_metadata,
    check_name,
    check_profiles,
    check_requirement,
    check_scope,
    check_version,
    close_matches,
)

__all__ = ["FACTORY_KEYWORDS", "PLUGIN_KEYWORDS", "ArgumentReader"]

PLUGIN_KEYWORDS = (
    "name",
    "version",
    "type",
    "capabilities",
    "provides",
    "requires",
    "scope",
    "profiles",
    "permissions",
    "priority",
    "metadata",
    "description",
)
"""The arguments ``@plugin`` takes (a test keeps this in step with its signature)."""

FACTORY_KEYWORDS = (*PLUGIN_KEYWORDS, "variants")
"""The arguments ``@factory`` takes."""

_LIST_EXAMPLES = {
    "capabilities": '["compression"]',
    "profiles": '["production"]',
    "permissions": '["fs.read"]',
    "variants": '["fast", "small"]',
    "requires": '["memory-storage>=1.0"]',
}
_LITERAL_HINT = (
    "mreg-codegen reads declarations without importing the module: write the value itself "
    "(a string, number, True, False, None, or a list, tuple, set or dict of them)"
)


class ArgumentReader:
    """Reads the arguments of one declaration's decorator call, reporting every problem.

    Attributes:
        label: ``"@plugin"`` or ``"@factory"``.
        owner: How messages name the declaration; it gains the plugin name once `bind` has
            read a valid one.
        allowed: The keywords the decorator takes.
    """

    def __init__(self, ctx: FileContext, definition: Definition, kind: PluginKind) -> None:
        self.ctx = ctx
        self.definition = definition
        self.kind = kind
        self.label = "@plugin" if kind == "class" else "@factory"
        self.owner = f"{self.label} on `{definition.qualname}`"
        self.allowed = PLUGIN_KEYWORDS if kind == "class" else FACTORY_KEYWORDS

    def report(self, node: cst.CSTNode, code: str, reason: str, hint: str = "") -> None:
        """Report a problem of this declaration, prefixed with its owner."""
        self.ctx.report(node, code, f"{self.owner}: {reason}", hint)

    def bind(self, call: cst.Call) -> dict[str, cst.BaseExpression]:
        """Map argument names to their values, reporting what cannot be bound."""
        positional = [arg for arg in call.args if not arg.star and arg.keyword is None]
        keywords = [arg for arg in call.args if arg.keyword is not None]
        name_node = (
            positional[0].value
            if positional
            else next(
                (arg.value for arg in keywords if arg.keyword and arg.keyword.value == "name"), None
            )
        )
        self.set_owner(name_node)
        bound: dict[str, cst.BaseExpression] = {}
        if name_node is not None:
            bound["name"] = name_node
        for arg in call.args:
            if arg.star:
                self.report(
                    arg,
                    "non-literal-argument",
                    f"`{arg.star}{_code(arg.value)}` cannot be read without running the module",
                    "pass each argument by keyword, with a literal value",
                )
            elif arg.keyword is None:
                if arg is not positional[0]:
                    self.report(
                        arg.value,
                        "bad-call",
                        f"only the plugin name may be given positionally, not `{_code(arg.value)}`",
                        f'pass the other arguments by keyword, e.g. {self.label}("my-plugin", '
                        'version="1.0")',
                    )
            elif arg.value is name_node:
                continue
            elif arg.keyword.value == "name" and positional:
                self.report(
                    arg.keyword,
                    "bad-call",
                    "the plugin name is given both positionally and as `name=`",
                    "give it once",
                )
            elif arg.keyword.value not in self.allowed:
                keyword = arg.keyword.value
                self.report(
                    arg.keyword,
                    "unknown-keyword",
                    f"unknown keyword argument `{keyword}`",
                    self.keyword_hint(keyword),
                )
            elif arg.keyword.value in bound:
                self.report(
                    arg.keyword,
                    "bad-call",
                    f"keyword argument `{arg.keyword.value}` is given twice",
                    "give it once",
                )
            else:
                bound[arg.keyword.value] = arg.value
        return bound

    def keyword_hint(self, keyword: str) -> str:
        if keyword == "variants" and self.kind == "class":
            return "variants are for @factory functions; a class plugin has no variants"
        matches = close_matches(keyword, self.allowed, limit=1)
        if matches:
            return f"did you mean `{matches[0]}`?"
        return f"{self.label} takes " + ", ".join(self.allowed)

    def set_owner(self, name_node: cst.BaseExpression | None) -> None:
        if name_node is None:
            return
        value = LiteralReader(self.definition.scope).read(name_node)
        if isinstance(value, str) and check_name(value) is None:
            self.owner = f"{self.label}({value!r}) on `{self.definition.qualname}`"

    def literal(self, field: str, node: cst.BaseExpression) -> object:
        reader = LiteralReader(self.definition.scope)
        value = reader.read(node)
        for problem in reader.problems:
            if problem.code == "non-literal-argument":
                hint = problem.hint
                if not hint and isinstance(problem.node, cst.Name):
                    name = problem.node.value
                    hint = (
                        f"replace `{name}` with its value: mreg-codegen reads declarations "
                        "without importing the module"
                    )
                self.report(
                    problem.node,
                    problem.code,
                    f"`{field}` must be a literal, not {problem.detail}",
                    hint or _LITERAL_HINT,
                )
            else:
                self.report(
                    problem.node, problem.code, f"`{field}`: {problem.detail}", problem.hint
                )
        return value

    def fields(self, arguments: dict[str, cst.BaseExpression], call: cst.Call) -> dict[str, Any]:
        """Every argument read and checked; `INVALID` for the ones that are wrong."""
        fields: dict[str, Any] = {}
        name_node = arguments.get("name")
        if name_node is None:
            self.ctx.report(
                call,
                "missing-name",
                f"{self.owner} declares no plugin name",
                f'give it first: {self.label}("my-plugin", ...)',
            )
            fields["name"] = INVALID
        else:
            fields["name"] = self.checked("name", name_node, check_name, "bad-name", _NAME_HINT)
        if "version" in arguments:
            fields["version"] = self.checked(
                "version", arguments["version"], check_version, "bad-version", _VERSION_HINT
            )
        if "type" in arguments:
            fields["type"] = self.plugin_type(arguments["type"])
        for field in ("capabilities", "profiles", "permissions", "variants", "requires"):
            fields[field] = self.string_list(field, arguments.get(field))
        profiles = fields["profiles"]
        if isinstance(profiles, tuple) and (reason := check_profiles(profiles)):
            node = _element(arguments["profiles"], profiles.index(DEFAULT_PROFILE))
            self.report(node, "reserved-profile", reason, PROFILES_HINT)
            fields["profiles"] = INVALID
        requires = fields["requires"]
        for position, requirement in enumerate(requires if isinstance(requires, tuple) else ()):
            reason = check_requirement(requirement)
            if reason:
                node = _element(arguments["requires"], position)
                self.report(node, "bad-requirement", reason, _REQUIREMENT_HINT)
                fields["requires"] = INVALID
        if "scope" in arguments:
            fields["scope"] = self.scope(arguments["scope"])
        if "priority" in arguments:
            fields["priority"] = self.priority(arguments["priority"])
        fields["metadata"] = self.metadata(arguments.get("metadata"))
        fields["description"] = self.description(arguments.get("description"))
        fields["provides"] = read_provides(self, arguments.get("provides"))
        return fields

    def checked(
        self, field: str, node: cst.BaseExpression, check: Any, code: str, hint: str
    ) -> object:
        value = self.literal(field, node)
        if value is INVALID:
            return INVALID
        reason = check(value)
        if reason:
            self.report(node, code, reason, hint)
            return INVALID
        return value

    def plugin_type(self, node: cst.BaseExpression) -> object:
        value = self.literal("type", node)
        if value is INVALID:
            return INVALID
        if not isinstance(value, str) or not value:
            self.report(
                node,
                "bad-type",
                f"type must be a non-empty string or PluginType member, not {value!r}",
                'e.g. type=PluginType.STORAGE or type="storage"',
            )
            return INVALID
        return value

    def string_list(self, field: str, node: cst.BaseExpression | None) -> object:
        if node is None:
            return ()
        value = self.literal(field, node)
        if value is INVALID:
            return INVALID
        items: object = value
        if isinstance(value, set):  # a set has no order: sort it for a deterministic manifest
            items = sorted(value) if all(isinstance(i, str) for i in value) else list(value)
        reason = check_identifier_list(items, field)
        if reason or not isinstance(items, list | tuple):
            at: cst.CSTNode = node
            if isinstance(value, list | tuple):
                bad = [i for i, item in enumerate(value) if not isinstance(item, str) or not item]
                at = _element(node, bad[0]) if bad else node
            hint = f"write a list of strings, e.g. {field}={_LIST_EXAMPLES[field]}"
            self.report(at, "bad-type", reason or "", hint)
            return INVALID
        return tuple(items)

    def scope(self, node: cst.BaseExpression) -> object:
        value = self.literal("scope", node)
        if value is INVALID:
            return INVALID
        reason = check_scope(value)
        if reason:
            matches = close_matches(value, SCOPES, limit=1) if isinstance(value, str) else []
            hint = (
                f'did you mean "{matches[0]}"?'
                if matches
                else '"singleton": one instance per registry; "factory": a new one per request; '
                '"thread": one per thread'
            )
            self.report(node, "bad-scope", reason, hint)
            return INVALID
        return value

    def priority(self, node: cst.BaseExpression) -> object:
        value = self.literal("priority", node)
        if value is INVALID:
            return INVALID
        if not isinstance(value, int) or isinstance(value, bool):
            self.report(
                node,
                "bad-type",
                f"priority must be an int, not {value!r}",
                "higher wins among the providers of one interface, e.g. priority=10",
            )
            return INVALID
        return value

    def metadata(self, node: cst.BaseExpression | None) -> object:
        if node is None:
            return {}
        value = self.literal("metadata", node)
        if value is INVALID:
            return INVALID
        if value is None:
            return {}
        if not isinstance(value, dict):
            reason = f"metadata must be a dict, not {type(value).__name__}"
        else:
            reason = check_metadata(value, "metadata") or ""
        if reason:
            self.report(node, "bad-type", reason, _METADATA_HINT)
            return INVALID
        return _json_form(value)

    def description(self, node: cst.BaseExpression | None) -> object:
        value = None if node is None else self.literal("description", node)
        if value is INVALID:
            return INVALID
        if value is None:
            return first_paragraph(_docstring(self.definition.node))
        if not isinstance(value, str) and node is not None:
            self.report(
                node,
                "bad-type",
                f"description must be a string, not {value!r}",
                "leave it out to use the first paragraph of the docstring",
            )
            return INVALID
        return value


_NAME_HINT = "use letters, digits, '.', '_' and '-', e.g. \"gzip-compressor\""
_VERSION_HINT = "versions are compared as PEP 440 says: https://peps.python.org/pep-0440/"
_REQUIREMENT_HINT = (
    "separate clauses with commas; the operators are ==, !=, <=, >=, <, >, ~= and ==="
)
_METADATA_HINT = (
    "metadata is stored in the JSON manifest: use strings, numbers, True, False, None, and "
    "lists and dicts (with string keys) of them"
)
_EMPTY = cst.Module(body=[])


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _element(node: cst.BaseExpression, position: int) -> cst.CSTNode:
    """The `position`-th element of a list/tuple literal, or the literal itself."""
    if isinstance(node, cst.List | cst.Tuple) and position < len(node.elements):
        return node.elements[position].value
    return node


def _json_form(value: object) -> object:
    """Tuples as lists, as the manifest's JSON stores them."""
    if isinstance(value, list | tuple):
        return [_json_form(item) for item in value]
    if isinstance(value, dict):
        return {key: _json_form(item) for key, item in value.items()}
    return value


def _docstring(node: cst.ClassDef | cst.FunctionDef) -> str | None:
    body = node.body
    first: cst.CSTNode | None = body.body[0] if body.body else None
    if isinstance(first, cst.SimpleStatementLine):
        first = first.body[0] if first.body else None
    if isinstance(first, cst.Expr) and isinstance(
        first.value, cst.SimpleString | cst.ConcatenatedString
    ):
        value = LiteralReader(None).read(first.value)
        return value if isinstance(value, str) else None
    return None
