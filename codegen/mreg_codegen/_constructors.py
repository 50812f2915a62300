"""Which ``__init__`` a declared class uses, read from source: its own, a base's, or a dataclass's.

The class's own body is searched first, then its base classes defined in the same file, depth
first and left to right, as Python's method resolution mostly goes. The first class that writes
``__init__`` gives the parameters. A class decorated with ``@dataclass`` (``init`` not
``False``) gives the parameters of the ``__init__`` that dataclasses generates: its fields, those
of its dataclass bases in this file first, in the order dataclasses uses. Constructors from other
files, and those other libraries generate (attrs, pydantic), cannot be seen from source.
"""

from __future__ import annotations

import libcst as cst

from mreg_codegen._context import FileContext
from mreg_codegen._names import Definition, Scope, dotted_name
from mreg_codegen._signatures import ParameterDraft, read_parameter, read_parameters

__all__ = ["constructor_parameters"]

_DATACLASS = "dataclasses.dataclass"
_FIELD = "dataclasses.field"
_INIT_VAR = "dataclasses.InitVar"
_NOT_FIELDS = frozenset({"typing.ClassVar", "dataclasses.KW_ONLY"})
_DEFAULTS = ("default", "default_factory")


def constructor_parameters(
    ctx: FileContext, owner: str, definition: Definition
) -> list[ParameterDraft]:
    """The parameters of the ``__init__`` class `definition` uses (``self`` left out)."""
    seen: set[str] = set()
    pending = [definition]
    while pending:
        current = pending.pop(0)
        if current.qualname in seen or not isinstance(current.node, cst.ClassDef):
            continue
        seen.add(current.qualname)
        init = _init_of(current.node)
        if init is not None:
            return read_parameters(ctx, owner, init, current.body, skip_first=True)
        if _generates_init(current):
            return _dataclass_parameters(ctx, owner, current)
        pending[:0] = _local_bases(ctx, current)
    return []


def _init_of(node: cst.ClassDef) -> cst.FunctionDef | None:
    found = None
    if isinstance(node.body, cst.IndentedBlock):
        for statement in node.body.body:
            if isinstance(statement, cst.FunctionDef) and statement.name.value == "__init__":
                found = statement  # a later definition replaces an earlier one
    return found


def _local_bases(ctx: FileContext, definition: Definition) -> list[Definition]:
    found: list[Definition] = []
    if not isinstance(definition.node, cst.ClassDef):
        return found
    for arg in definition.node.bases:
        value = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
        dotted = dotted_name(value)
        qualified = definition.scope.qualify(dotted) if dotted else None
        local = ctx.index.local_class(qualified) if qualified else None
        if local is not None:
            found.append(local)
    return found


def _qualified(scope: Scope, node: cst.BaseExpression) -> str | None:
    """What a name, attribute or subscripted name (``ClassVar[int]``) stands for in `scope`."""
    if isinstance(node, cst.Subscript):
        node = node.value
    if isinstance(node, cst.Call):
        node = node.func
    dotted = dotted_name(node)
    return scope.qualify(dotted) if dotted is not None else None


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _is_false(node: cst.BaseExpression | None) -> bool:
    return isinstance(node, cst.Name) and node.value == "False"


def _dataclass_decorator(definition: Definition) -> cst.BaseExpression | None:
    """The ``@dataclass`` / ``@dataclass(...)`` expression on the class, if there is one."""
    for decorator in definition.node.decorators:
        if _qualified(definition.scope, decorator.decorator) == _DATACLASS:
            return decorator.decorator
    return None


def _generates_init(definition: Definition) -> bool:
    """Whether the class is a ``@dataclass`` whose ``__init__`` dataclasses writes."""
    expression = _dataclass_decorator(definition)
    if expression is None:
        return False
    return not (isinstance(expression, cst.Call) and _is_false(_keyword(expression, "init")))


def _dataclass_chain(ctx: FileContext, definition: Definition) -> list[Definition]:
    """The dataclass and its dataclass bases in this file, bases first (fields' order)."""
    order: list[Definition] = []
    seen: set[str] = set()

    def visit(current: Definition) -> None:
        if current.qualname in seen:
            return
        seen.add(current.qualname)
        for base in reversed(_local_bases(ctx, current)):
            visit(base)
        if _dataclass_decorator(current) is not None:
            order.append(current)

    visit(definition)
    return order


def _dataclass_parameters(
    ctx: FileContext, owner: str, definition: Definition
) -> list[ParameterDraft]:
    """The generated ``__init__``'s parameters: one per field, as dataclasses orders them."""
    fields: dict[str, ParameterDraft | None] = {}
    for current in _dataclass_chain(ctx, definition):
        body = current.node.body
        statements = body.body if isinstance(body, cst.IndentedBlock) else ()
        for statement in statements:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name):
                    is_field, draft = _field(ctx, owner, current.body, small, small.target)
                    if is_field:
                        # A field redefined in a subclass keeps its place, as dataclasses does.
                        fields[small.target.value] = draft
    return [draft for draft in fields.values() if draft is not None]


def _field(
    ctx: FileContext, owner: str, scope: Scope, node: cst.AnnAssign, target: cst.Name
) -> tuple[bool, ParameterDraft | None]:
    """Whether the annotated name is a field, and its parameter (``None``: not in ``__init__``)."""
    annotation = node.annotation.annotation
    kind = _qualified(scope, annotation)
    if kind in _NOT_FIELDS:
        return False, None
    value = node.value
    has_default = value is not None
    if isinstance(value, cst.Call) and _qualified(scope, value) == _FIELD:
        if _is_false(_keyword(value, "init")):
            return True, None
        has_default = any(_keyword(value, key) is not None for key in _DEFAULTS)
    if kind == _INIT_VAR and isinstance(annotation, cst.Subscript) and annotation.slice:
        element = annotation.slice[0].slice
        annotation = element.value if isinstance(element, cst.Index) else annotation
    spec = read_parameter(ctx, owner, scope, target.value, annotation, has_default=has_default)
    return True, ParameterDraft(spec, target)
