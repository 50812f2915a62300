"""Read the `provides` argument: the interfaces a declaration names, resolved like imports.

Each entry is a class imported or defined in the module (resolved through its imports, never by
spelling) or a fully qualified name as a string.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from mreg_codegen._context import FileContext
from mreg_codegen._literals import INVALID, LiteralReader
from mreg_codegen._names import dotted_name

if TYPE_CHECKING:
    from mreg_codegen._arguments import ArgumentReader

__all__ = ["read_provides"]

_PROVIDES_HINT = (
    "`provides` takes classes imported or defined in this module, or their fully qualified "
    "names as strings"
)


def read_provides(reader: ArgumentReader, node: cst.BaseExpression | None) -> object:
    """The qualified names `provides` lists, reporting each entry it cannot resolve."""
    if node is None:
        return ()
    if not isinstance(node, cst.List | cst.Tuple | cst.Set):
        dotted = dotted_name(node)
        shown = f"`{dotted}`" if dotted else None
        if shown is None:
            value = reader.literal("provides", node)
            if value is INVALID:
                return INVALID
            shown = repr(value)
        reader.report(
            node,
            "bad-type",
            f"provides must be a list of classes, not {shown}",
            f"write provides=[{dotted or '...'}]",
        )
        return INVALID
    entries = [_provided(reader, element) for element in node.elements]
    if any(not isinstance(entry, str) for entry in entries):
        return INVALID  # each problem has been reported
    return tuple(entries)


def _provided(reader: ArgumentReader, element: cst.BaseElement) -> object:
    value = element.value
    if isinstance(element, cst.StarredElement):
        reader.report(
            element,
            "non-literal-argument",
            "`provides` must be a literal, not an unpacked `*` element",
            _PROVIDES_HINT,
        )
        return INVALID
    dotted = dotted_name(value)
    if dotted is not None:
        qualified = reader.definition.scope.qualify(dotted)
        if qualified is None:
            reader.report(
                value,
                "unresolved-name",
                f"`provides` entry `{dotted}` is not imported or defined in `{reader.ctx.module}`",
                _import_hint(reader.ctx, dotted),
            )
            return INVALID
        return qualified
    if isinstance(value, cst.SimpleString | cst.ConcatenatedString | cst.Name):
        entry = reader.literal("provides", value)
    else:
        literals = LiteralReader(reader.definition.scope)
        entry = literals.read(value)
        if literals.problems:
            reader.report(
                value,
                "non-literal-argument",
                f"`provides` must be a literal, not {literals.problems[0].detail}",
                _PROVIDES_HINT,
            )
            return INVALID
    if entry is INVALID:
        return INVALID
    if not isinstance(entry, str) or not entry:
        reader.report(
            value,
            "bad-type",
            f"provides entries must be classes or qualified names, not {entry!r}",
            _PROVIDES_HINT,
        )
        return INVALID
    return entry


def _import_hint(ctx: FileContext, dotted: str) -> str:
    head = dotted.partition(".")[0]
    stars = ctx.index.star_imports
    if stars:
        return (
            f"`{head}` may come from `from {stars[0]} import *`, which mreg-codegen cannot see "
            f"into; import `{head}` by name"
        )
    return f"import `{head}` in this module, or define it here"
