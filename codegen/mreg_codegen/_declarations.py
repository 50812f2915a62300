"""Read one ``@plugin(...)`` / ``@factory(...)`` declaration from source into a `PluginSpec`.

Every value goes through the checks the decorators run at decoration time
(`mreg_di._validation`), so a declaration that passes the build passes at import too, with the
same wording. Every problem of a declaration is reported, not just the first; a declaration
with any error gives no record.

This module recognises the decorators, checks what they decorate, reads the signature and
assembles the record; reading and checking each argument of the decorator call is
`mreg_codegen._arguments` (and `mreg_codegen._provides` for ``provides``).
"""

from __future__ import annotations

from typing import NamedTuple

import libcst as cst

from mreg_codegen._arguments import FACTORY_KEYWORDS, PLUGIN_KEYWORDS, ArgumentReader
from mreg_codegen._constructors import constructor_parameters
from mreg_codegen._context import FileContext
from mreg_codegen._literals import INVALID
from mreg_codegen._names import Definition, dotted_name
from mreg_codegen._signatures import (
    AnnotationReader,
    ParameterDraft,
    base_interfaces,
    read_parameters,
)
from mreg_di._spec import PluginKind, PluginSpec

__all__ = [
    "DECORATORS",
    "FACTORY_KEYWORDS",
    "PLUGIN_KEYWORDS",
    "RecordDraft",
    "decorator_kind",
    "read_declaration",
]

DECORATORS: dict[str, PluginKind] = {
    "mreg_di.plugin": "class",
    "mreg_di._decorators.plugin": "class",
    "mreg_di.factory": "factory",
    "mreg_di._decorators.factory": "factory",
}
"""Fully qualified decorator name -> the kind of declaration it makes."""


class RecordDraft(NamedTuple):
    """A declaration read from source; positions are filled in by the scanner.

    Attributes:
        spec: The declaration.
        definition: The decorated class or function.
        decorator: The decorator that declared it.
        parameters: Constructor (or factory) parameters, in order.
    """

    spec: PluginSpec
    definition: Definition
    decorator: cst.Decorator
    parameters: list[ParameterDraft]


def decorator_kind(definition: Definition, decorator: cst.Decorator) -> PluginKind | None:
    """``"class"`` for mreg-di's ``@plugin``, ``"factory"`` for ``@factory``, else ``None``.

    The decorator's name is resolved through the imports of the scope the definition is in.
    """
    expression = decorator.decorator
    callee = expression.func if isinstance(expression, cst.Call) else expression
    dotted = dotted_name(callee)
    if dotted is None:
        return None
    for qualified in definition.scope.candidates(dotted):
        kind = DECORATORS.get(qualified)
        if kind is not None:
            return kind
    return None


def read_declaration(
    ctx: FileContext, definition: Definition, decorator: cst.Decorator, kind: PluginKind
) -> RecordDraft | None:
    """Read a declaration; report its problems to `ctx`; ``None`` if it has any error."""
    return _Declaration(ctx, definition, decorator, kind).read()


class _Declaration:
    """One declaration: its arguments (`ArgumentReader`), its target and its signature."""

    def __init__(
        self, ctx: FileContext, definition: Definition, decorator: cst.Decorator, kind: PluginKind
    ) -> None:
        self.ctx = ctx
        self.definition = definition
        self.decorator = decorator
        self.kind = kind
        self.arguments = ArgumentReader(ctx, definition, kind)
        self.label = self.arguments.label

    @property
    def owner(self) -> str:
        return self.arguments.owner

    def report(self, node: cst.CSTNode, code: str, reason: str, hint: str = "") -> None:
        self.arguments.report(node, code, reason, hint)

    def read(self) -> RecordDraft | None:
        errors = self.ctx.errors
        expression = self.decorator.decorator
        if not isinstance(expression, cst.Call):
            self.ctx.report(
                expression,
                "missing-name",
                f"{self.owner} is used without parentheses, so it declares no plugin name",
                f'call it with the name: {self.label}("my-plugin")',
            )
            self.check_target()
            return None
        arguments = self.arguments.bind(expression)
        self.check_target()
        fields = self.arguments.fields(arguments, expression)
        # Read the signature even when an argument is wrong: every problem is reported at once.
        parameters = self.parameters()
        implied = self.implied_interfaces()
        variants = fields.get("variants")
        if isinstance(variants, tuple):
            self.check_variants(variants, parameters, arguments.get("variants"))
        if self.ctx.errors > errors or any(value is INVALID for value in fields.values()):
            return None
        fields["provides"] = sorted({*fields["provides"], *implied})
        spec = PluginSpec(**fields, kind=self.kind)
        return RecordDraft(spec, self.definition, self.decorator, parameters)

    # -- the decorated object -------------------------------------------------------------

    def check_target(self) -> None:
        node, qualname = self.definition.node, self.definition.qualname
        if self.kind == "class" and isinstance(node, cst.FunctionDef):
            self.ctx.report(
                self.decorator.decorator,
                "not-class-or-function",
                f"@plugin decorates classes, but `{qualname}` is a function",
                "use @factory for a function that builds the plugin",
            )
        elif self.kind == "factory" and isinstance(node, cst.ClassDef):
            self.ctx.report(
                self.decorator.decorator,
                "not-class-or-function",
                f"@factory decorates functions, but `{qualname}` is a class",
                "use @plugin for a class",
            )
        if not self.definition.importable:
            self.ctx.report(
                self.decorator.decorator,
                "not-importable",
                f"{self.owner} is defined inside a function, so the registry cannot import it",
                f"move `{node.name.value}` to module level, or into a class at module level",
            )
        elif (
            self.kind == "factory"
            and isinstance(node, cst.FunctionDef)
            and self.definition.scope.kind == "class"
            and not self._is_static(node)
        ):
            self.ctx.report(
                self.decorator.decorator,
                "factory-method",
                f"{self.owner} is a method of `{qualname.rpartition('.')[0]}`, so the registry "
                "would have to call it without an instance",
                f"move `{node.name.value}` to module level, or make it a @staticmethod",
            )

    def _is_static(self, node: cst.FunctionDef) -> bool:
        """Whether the builtin ``@staticmethod`` is among the function's decorators."""
        scope = self.definition.scope
        return any(
            (dotted := dotted_name(decorator.decorator)) is not None
            and scope.qualify(dotted) == "builtins.staticmethod"
            for decorator in node.decorators
        )

    def parameters(self) -> list[ParameterDraft]:
        node = self.definition.node
        if isinstance(node, cst.FunctionDef):
            return read_parameters(
                self.ctx, self.owner, node, self.definition.scope, skip_first=False
            )
        return constructor_parameters(self.ctx, self.owner, self.definition)

    def implied_interfaces(self) -> list[str]:
        node = self.definition.node
        if isinstance(node, cst.ClassDef):
            return base_interfaces(self.ctx, self.definition)
        if node.returns is None:
            return []
        reader = AnnotationReader(
            self.ctx, self.definition.scope, self.owner, "the return annotation"
        )
        shape = reader.read(node.returns.annotation)
        return [shape.interface] if shape.interface and not shape.many else []

    def check_variants(
        self,
        variants: tuple[str, ...],
        parameters: list[ParameterDraft],
        variants_node: cst.BaseExpression | None,
    ) -> None:
        if self.kind != "factory":
            return
        takes_variant = next((p for p in parameters if p.spec.name == "variant"), None)
        if takes_variant is not None and not variants:
            self.report(
                takes_variant.name,
                "variant-parameter",
                "the factory takes a `variant` parameter but declares no variants",
                'declare them, e.g. variants=["fast", "small"]',
            )
        elif variants and takes_variant is None:
            self.report(
                variants_node if variants_node is not None else self.decorator.decorator,
                "variant-parameter",
                "the factory declares variants but takes no `variant` parameter",
                "add a `variant: str` parameter: the registry passes the requested variant in it",
            )
