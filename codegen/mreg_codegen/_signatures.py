"""Constructor parameters, annotations and base classes of a declaration, read from source.

An annotation is resolved to fully qualified names through the module's imports and read
through the usual typing forms: ``X``; ``list[X]`` / ``List[X]`` / ``Sequence[X]`` /
``Iterable[X]`` / ``tuple[X, ...]`` (every provider); ``X | None`` / ``Optional[X]`` /
``Union[X, None]`` (optional); ``Annotated[X, ...]`` (``X``); a string (parsed, then read the
same way). Whether the parameter is injected follows `mreg_di._annotations.is_value_type`, the
rule the runtime applies to live objects.
"""

from __future__ import annotations

from typing import NamedTuple

import libcst as cst

from mreg_codegen._context import FileContext
from mreg_codegen._names import Definition, Scope, dotted_name
from mreg_codegen._nesting import find_excessive_nesting
from mreg_di._annotations import OPTIONAL_FORMS, SEQUENCE_FORMS, is_value_type
from mreg_di._spec import ParameterSpec

__all__ = [
    "AnnotationReader",
    "ParameterDraft",
    "Shape",
    "base_interfaces",
    "read_parameter",
    "read_parameters",
]

_ANNOTATED = frozenset({"typing.Annotated"})
_UNION = frozenset({"typing.Union"})
_LITERAL = frozenset({"typing.Literal"})
_TUPLES = frozenset({"builtins.tuple", "typing.Tuple"})
_EMPTY = cst.Module(body=[])


class Shape(NamedTuple):
    """What an annotation means for injection.

    Attributes:
        rendered: The annotation with names fully qualified (builtins bare), e.g.
            ``"list[acme.interfaces.Sink]"``.
        interface: The fully qualified interface to inject, ``None`` for a value.
        many: Every provider of `interface` is injected, as a list.
        optional: ``None`` is allowed.
        is_none: The annotation is ``None`` itself.
    """

    rendered: str
    interface: str | None = None
    many: bool = False
    optional: bool = False
    is_none: bool = False


def _code(node: cst.CSTNode) -> str:
    return _EMPTY.code_for_node(node)


def _display(qualified: str) -> str:
    return qualified.removeprefix("builtins.")


class AnnotationReader:
    """Reads annotations evaluated in `scope`, reporting what it cannot resolve.

    Args:
        ctx: The file being scanned.
        scope: The scope the annotation is evaluated in.
        owner: Who the annotation belongs to, for messages (``@plugin('gz') on `Gz```).
        subject: Which annotation it is, for messages (``the annotation of parameter `x```).
    """

    def __init__(self, ctx: FileContext, scope: Scope, owner: str, subject: str) -> None:
        self.ctx = ctx
        self.scope = scope
        self.owner = owner
        self.subject = subject
        self._anchor: cst.CSTNode | None = None  # the string an annotation was parsed from
        self._reported: set[str] = set()

    def read(self, node: cst.BaseExpression) -> Shape:
        """What the annotation `node` means (problems are reported to the context)."""
        if isinstance(node, cst.SimpleString | cst.ConcatenatedString):
            return self._string(node)
        if isinstance(node, cst.Name) and node.value == "None":
            return Shape("None", is_none=True)
        if isinstance(node, cst.Name | cst.Attribute):
            qualified = self._qualify(node)
            if qualified is None:
                return Shape(dotted_name(node) or _code(node))
            interface = None if is_value_type(qualified) else qualified
            return Shape(_display(qualified), interface)
        if isinstance(node, cst.Subscript):
            return self._subscript(node)
        if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
            return self._union(_union_members(node), None)
        if isinstance(node, cst.List):
            inner = ", ".join(self.read(element.value).rendered for element in node.elements)
            return Shape(f"[{inner}]")
        return Shape(_code(node))

    def _qualify(self, node: cst.Name | cst.Attribute) -> str | None:
        dotted = dotted_name(node)
        if dotted is None:
            return None
        qualified = self.scope.qualify(dotted)
        if qualified is None and dotted not in self._reported:
            self._reported.add(dotted)
            self._unresolved(dotted, self._anchor or node)
        return qualified

    def _unresolved(self, dotted: str, node: cst.CSTNode) -> None:
        head = dotted.partition(".")[0]
        module = self.ctx.module
        if self.scope.is_relative_beyond_top(dotted):
            message = (
                f"{self.owner}: {self.subject} names `{dotted}`, whose relative import climbs "
                f"above the top-level package of `{module}`"
            )
            hint = (
                "check the leading dots of the import, and that the scanned root is the "
                "directory that is on sys.path at run time"
            )
        else:
            message = (
                f"{self.owner}: {self.subject} names `{dotted}`, which is not imported or "
                f"defined in `{module}`"
            )
            stars = self.ctx.index.star_imports
            if stars:
                hint = (
                    f"`{head}` may come from `from {stars[0]} import *`, which mreg-codegen "
                    f"cannot see into; import `{head}` by name"
                )
            else:
                hint = (
                    f"import `{head}` in this module (an import under `if TYPE_CHECKING:` "
                    "is enough), or define it here"
                )
        self.ctx.report(node, "unresolved-annotation", message, hint)

    def _string(self, node: cst.SimpleString | cst.ConcatenatedString) -> Shape:
        try:
            value = node.evaluated_value
        except Exception:  # a literal CPython itself would refuse (a bad escape)
            value = None
        expression: cst.BaseExpression | None = None
        if isinstance(value, str) and find_excessive_nesting(value) is None:
            try:
                expression = cst.parse_expression(value.strip())
            except Exception:  # libcst's parser errors are not all ParserSyntaxError
                expression = None
        if expression is None:
            self.ctx.report(
                node,
                "unsupported-annotation",
                f"{self.owner}: {self.subject} is a string that is not a valid type "
                "expression, so it is read as a configuration value",
                'write the annotation as Python code, e.g. "Storage" or "list[Sink]"',
                severity="warning",
            )
            return Shape(_code(node))
        outer, self._anchor = self._anchor, self._anchor or node
        try:
            return self.read(expression)
        finally:
            self._anchor = outer

    def _subscript(self, node: cst.Subscript) -> Shape:
        if not isinstance(node.value, cst.Name | cst.Attribute) or not all(
            isinstance(element.slice, cst.Index) for element in node.slice
        ):
            return Shape(_code(node))
        origin = self._qualify(node.value)
        shown = _display(origin) if origin else (dotted_name(node.value) or "")
        arguments = [
            element.slice.value for element in node.slice if isinstance(element.slice, cst.Index)
        ]
        if origin in _LITERAL:
            return Shape(f"{shown}[{', '.join(_code(a) for a in arguments)}]")
        if origin in _ANNOTATED:
            return self.read(arguments[0])
        if origin in OPTIONAL_FORMS and len(arguments) == 1:
            inner = self.read(arguments[0])
            return inner._replace(rendered=f"{shown}[{inner.rendered}]", optional=True)
        if origin in _UNION:
            return self._union(arguments, shown)
        shapes = [self.read(argument) for argument in arguments]
        rendered = f"{shown}[{', '.join(shape.rendered for shape in shapes)}]"
        if origin in SEQUENCE_FORMS:
            if origin in _TUPLES:
                is_homogeneous = len(arguments) == 2 and isinstance(arguments[1], cst.Ellipsis)
                element = shapes[0] if is_homogeneous else None
            else:
                element = shapes[0] if len(shapes) == 1 else None
            if element is not None and element.interface and not element.many:
                return Shape(rendered, element.interface, many=True)
            return Shape(rendered)
        if origin is None or is_value_type(origin):
            return Shape(rendered)
        return Shape(rendered, origin)  # a generic of the application's: inject its origin

    def _union(self, members: list[cst.BaseExpression], shown: str | None) -> Shape:
        shapes = [self.read(member) for member in members]
        if shown is None:
            rendered = " | ".join(shape.rendered for shape in shapes)
        else:
            rendered = f"{shown}[{', '.join(shape.rendered for shape in shapes)}]"
        values = [shape for shape in shapes if not shape.is_none]
        optional = len(values) < len(shapes)
        if len(values) == 1:
            only = values[0]
            return Shape(rendered, only.interface, only.many, only.optional or optional)
        if any(shape.interface for shape in values):
            self.ctx.report(
                members[0] if self._anchor is None else self._anchor,
                "unsupported-annotation",
                f"{self.owner}: {self.subject} is a union of several types (`{rendered}`), "
                "which cannot be injected, so it is read as a configuration value",
                "annotate with one interface: `X`, `X | None` for an optional dependency, "
                "or `list[X]` for all of its providers",
                severity="warning",
            )
        return Shape(rendered, optional=optional)


def _union_members(node: cst.BaseExpression) -> list[cst.BaseExpression]:
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.BitOr):
        return [*_union_members(node.left), *_union_members(node.right)]
    return [node]


class ParameterDraft(NamedTuple):
    """A parameter read from source; its `line` is filled in once positions are known.

    Attributes:
        spec: The parameter, its line still 0.
        name: The node naming it (a ``def`` parameter's, or a dataclass field's): where its
            line is read and where diagnostics about it point.
    """

    spec: ParameterSpec
    name: cst.Name


def read_parameters(
    ctx: FileContext, owner: str, function: cst.FunctionDef, scope: Scope, *, skip_first: bool
) -> list[ParameterDraft]:
    """The parameters of `function` (annotations evaluated in `scope`), in order.

    ``*args`` and ``**kwargs`` cannot be injected: they are left out, with a warning.
    """
    params = function.params
    positional = [*params.posonly_params, *params.params]
    if skip_first and positional:
        positional = positional[1:]
    for param in positional:
        if any(param is posonly for posonly in params.posonly_params):
            # The registry passes every argument by keyword, as runtime registration
            # (mreg_di._introspect.parameters_of) also insists.
            ctx.report(
                param,
                "positional-only-parameter",
                f"{owner}: parameter `{param.name.value}` is positional-only, but the registry "
                "passes every argument by keyword",
                "remove the `/` from the signature",
            )
    drafts: list[ParameterDraft] = []
    for param in [*positional, *params.kwonly_params]:
        annotation = None if param.annotation is None else param.annotation.annotation
        spec = read_parameter(
            ctx, owner, scope, param.name.value, annotation, has_default=param.default is not None
        )
        drafts.append(ParameterDraft(spec, param.name))
    for variadic, stars in ((params.star_arg, "*"), (params.star_kwarg, "**")):
        if isinstance(variadic, cst.Param):
            ctx.report(
                variadic,
                "variadic-parameter",
                f"{owner}: parameter `{stars}{variadic.name.value}` cannot be injected, so it "
                "is ignored",
                "declare each dependency as its own annotated parameter",
                severity="warning",
            )
    return drafts


def read_parameter(
    ctx: FileContext,
    owner: str,
    scope: Scope,
    name: str,
    annotation: cst.BaseExpression | None,
    *,
    has_default: bool,
) -> ParameterSpec:
    """One parameter (or dataclass field) named `name`, its annotation evaluated in `scope`."""
    if annotation is None:
        return ParameterSpec(name, optional=has_default, has_default=has_default)
    subject = f"the annotation of parameter `{name}`"
    shape = AnnotationReader(ctx, scope, owner, subject).read(annotation)
    return ParameterSpec(
        name,
        annotation=shape.rendered,
        interface=shape.interface,
        many=shape.many,
        optional=shape.optional or has_default,
        has_default=has_default,
    )


def base_interfaces(ctx: FileContext, definition: Definition) -> list[str]:
    """Fully qualified base classes of a class, and theirs when defined in this file.

    Standard-library bases (``object``, ``typing.Protocol``, ``abc.ABC``, ...) are left out:
    they are never injected (see `is_value_type`). A base that cannot be resolved is reported
    as a warning.
    """
    found: list[str] = []
    seen: set[str] = set()
    pending = [(definition, True)]
    while pending:
        current, report = pending.pop(0)
        if current.qualname in seen or not isinstance(current.node, cst.ClassDef):
            continue
        seen.add(current.qualname)
        for arg in current.node.bases:
            if arg.keyword is not None or arg.star:
                continue
            value = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
            dotted = dotted_name(value)
            if dotted is None:
                continue
            qualified = current.scope.qualify(dotted)
            if qualified is None:
                if report:
                    _unresolved_base(ctx, definition, dotted, value)
                continue
            if not is_value_type(qualified):
                found.append(qualified)
            local = ctx.index.local_class(qualified)
            if local is not None:
                pending.append((local, False))
    return found


def _unresolved_base(
    ctx: FileContext, definition: Definition, dotted: str, node: cst.CSTNode
) -> None:
    stars = ctx.index.star_imports
    head = dotted.partition(".")[0]
    hint = (
        f"`{head}` may come from `from {stars[0]} import *`, which mreg-codegen cannot see "
        f"into; import `{head}` by name, or list the interface in `provides`"
        if stars
        else f"import `{head}` by name, or list the interface in `provides`"
    )
    ctx.report(
        node,
        "unresolved-base",
        f"base class `{dotted}` of `{definition.qualname}` is not imported or defined in "
        f"`{ctx.module}`, so it is not recorded as a provided interface",
        hint,
        severity="warning",
    )
