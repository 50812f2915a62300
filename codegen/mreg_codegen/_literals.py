"""Read the value of a literal expression from libcst nodes, never evaluating any code.

Accepted: strings (implicit concatenation included, f-strings not), numbers (with a sign),
``True``/``False``/``None``, lists, tuples, sets and dicts of those, and ``PluginType.X``
members (matched by qualified name, read as their string value). Anything else is recorded as a
`LiteralProblem` pointing at the offending sub-expression, and reading goes on, so that one
pass reports every problem of an argument.
"""

from __future__ import annotations

from typing import Final, NamedTuple

import libcst as cst

from mreg_codegen._names import Scope, dotted_name
from mreg_di._spec import PluginType
from mreg_di._validation import close_matches

__all__ = ["INVALID", "LiteralProblem", "LiteralReader", "describe"]


class _Invalid:
    """The value of an expression that is not a literal (a problem has been recorded)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "INVALID"


INVALID: Final = _Invalid()
"""What `LiteralReader.read` returns for an expression it could not read."""

PLUGIN_TYPE_NAMES = frozenset({"mreg_di.PluginType", "mreg_di._spec.PluginType"})
"""Fully qualified names `PluginType` is reached through."""

_CONSTANTS: dict[str, object] = {"True": True, "False": False, "None": None}
_QUOTES = ('"""', "'''", '"', "'")

_DESCRIPTIONS: dict[type[cst.CSTNode], str] = {
    cst.Call: "a call",
    cst.FormattedString: "an f-string",
    cst.Lambda: "a lambda",
    cst.ListComp: "a comprehension",
    cst.SetComp: "a comprehension",
    cst.DictComp: "a comprehension",
    cst.GeneratorExp: "a generator expression",
    cst.Subscript: "a subscript",
    cst.IfExp: "a conditional expression",
    cst.NamedExpr: "an assignment expression",
    cst.Await: "an await expression",
    cst.Yield: "a yield expression",
    cst.StarredElement: "an unpacked `*` element",
    cst.StarredDictElement: "an unpacked `**` mapping",
    cst.Ellipsis: "`...`",
}
if hasattr(cst, "TemplatedString"):  # t-strings (PEP 750), parsed by libcst >= 1.8
    _DESCRIPTIONS[cst.TemplatedString] = "a template string"


def describe(node: cst.CSTNode) -> str:
    """A few words naming what kind of expression `node` is, for messages.

    Example:
        >>> describe(cst.parse_expression("VERSION")), describe(cst.parse_expression("f'{x}'"))
        ('the name `VERSION`', 'an f-string')
    """
    if isinstance(node, cst.Name):
        return f"the name `{node.value}`"
    if isinstance(node, cst.Attribute):
        dotted = dotted_name(node)
        return f"`{dotted}`" if dotted else "an attribute"
    if isinstance(node, cst.ConcatenatedString):
        return "an f-string"
    return _DESCRIPTIONS.get(type(node), "an expression")


class LiteralProblem(NamedTuple):
    """Why an expression could not be read.

    Attributes:
        node: The sub-expression to point at.
        code: ``"non-literal-argument"`` or ``"bad-type"``.
        detail: For ``non-literal-argument``, what the expression is (see `describe`); for
            ``bad-type``, the reason, one clause.
        hint: A hint specific to this problem, or ``""``.
    """

    node: cst.CSTNode
    code: str
    detail: str
    hint: str = ""


class LiteralReader:
    """Reads literal values of expressions evaluated in `scope`.

    Attributes:
        problems: What could not be read, in source order.

    Example:
        >>> reader = LiteralReader(None)
        >>> reader.read(cst.parse_expression("['a', -1, {'k': (None, 2.5)}]"))
        ['a', -1, {'k': (None, 2.5)}]
        >>> reader.read(cst.parse_expression("[VERSION]")), reader.problems[0].detail
        (INVALID, 'the name `VERSION`')
    """

    def __init__(self, scope: Scope | None) -> None:
        self.scope = scope
        self.problems: list[LiteralProblem] = []

    def fail(
        self,
        node: cst.CSTNode,
        code: str = "non-literal-argument",
        detail: str = "",
        hint: str = "",
    ) -> _Invalid:
        """Record a problem at `node` and return `INVALID`."""
        self.problems.append(LiteralProblem(node, code, detail or describe(node), hint))
        return INVALID

    def read(self, node: cst.CSTNode) -> object:
        """The value of `node`, or `INVALID` (with the problems recorded)."""
        if isinstance(node, cst.SimpleString):
            return self._string(node)
        if isinstance(node, cst.ConcatenatedString):
            return self._concatenated(node)
        if isinstance(node, cst.Integer | cst.Float | cst.Imaginary):
            return node.evaluated_value
        if isinstance(node, cst.UnaryOperation):
            return self._signed(node)
        if isinstance(node, cst.Name) and node.value in _CONSTANTS:
            return _CONSTANTS[node.value]
        if isinstance(node, cst.List | cst.Tuple | cst.Set):
            return self._sequence(node)
        if isinstance(node, cst.Dict):
            return self._dict(node)
        if isinstance(node, cst.Attribute):
            return self._plugin_type(node)
        return self.fail(node)

    def _string(self, node: cst.SimpleString) -> object:
        text = node.value
        # The common case needs no literal_eval (which compiles the literal): no prefix, no
        # escapes, no carriage return (which Python turns into a plain newline).
        if "\\" not in text and "\r" not in text:
            for quote in _QUOTES:
                if text.startswith(quote):
                    return text[len(quote) : -len(quote)]
        try:
            return node.evaluated_value
        except Exception:  # a literal CPython itself would refuse (a bad escape)
            return self.fail(node, detail="a string literal Python cannot read")

    def _concatenated(self, node: cst.ConcatenatedString) -> object:
        parts: list[object] = []
        current: cst.BaseExpression = node
        while isinstance(current, cst.ConcatenatedString):
            parts.append(self.read(current.left))
            current = current.right
        parts.append(self.read(current))
        if any(part is INVALID for part in parts):
            return INVALID
        if all(isinstance(part, str) for part in parts):
            return "".join(parts)  # type: ignore[arg-type]  # all str, checked above
        if all(isinstance(part, bytes) for part in parts):
            return b"".join(parts)  # type: ignore[arg-type]  # all bytes, checked above
        return self.fail(node, detail="a concatenation of str and bytes")

    def _signed(self, node: cst.UnaryOperation) -> object:
        operand = node.expression
        if isinstance(node.operator, cst.Minus | cst.Plus) and isinstance(
            operand, cst.Integer | cst.Float | cst.Imaginary
        ):
            value = operand.evaluated_value
            return -value if isinstance(node.operator, cst.Minus) else +value
        return self.fail(node)

    def _sequence(self, node: cst.List | cst.Tuple | cst.Set) -> object:
        items: list[object] = []
        for element in node.elements:
            if isinstance(element, cst.StarredElement):
                items.append(self.fail(element))
            else:
                items.append(self.read(element.value))
        if any(item is INVALID for item in items):
            return INVALID
        if isinstance(node, cst.List):
            return items
        if isinstance(node, cst.Tuple):
            return tuple(items)
        try:
            return set(items)
        except TypeError:
            unhashable = next(i for i, item in enumerate(items) if not _hashable(item))
            value = node.elements[unhashable].value
            kind = type(items[unhashable]).__name__
            return self.fail(value, "bad-type", f"a set cannot hold a {kind}")

    def _dict(self, node: cst.Dict) -> object:
        pairs: list[tuple[object, object, cst.BaseExpression]] = []
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                pairs.append((self.read(element.key), self.read(element.value), element.key))
            else:
                pairs.append((self.fail(element), INVALID, element.value))
        if any(key is INVALID or value is INVALID for key, value, _ in pairs):
            return INVALID
        result: dict[object, object] = {}
        for key, value, key_node in pairs:
            if not _hashable(key):
                return self.fail(
                    key_node, "bad-type", f"a dict key cannot be a {type(key).__name__}"
                )
            result[key] = value
        return result

    def _plugin_type(self, node: cst.Attribute) -> object:
        dotted = dotted_name(node)
        qualified = self.scope.qualify(dotted) if dotted and self.scope else None
        if qualified is None:
            return self.fail(node)
        owner, _, member = qualified.rpartition(".")
        if owner not in PLUGIN_TYPE_NAMES:
            return self.fail(node)
        if member not in PluginType.__members__:
            suggestions = close_matches(member, PluginType.__members__)
            hint = (
                f"did you mean `PluginType.{suggestions[0]}`?"
                if suggestions
                else "members are " + ", ".join(PluginType.__members__)
            )
            return self.fail(node.attr, "bad-type", f"PluginType has no member `{member}`", hint)
        return PluginType[member].value


def _hashable(value: object) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True
