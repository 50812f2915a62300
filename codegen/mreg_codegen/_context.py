"""What the parts of one file's scan share: where problems are reported, and their positions.

Problems are reported against libcst nodes while a file is analysed; their lines and columns
are computed afterwards, in one code generation pass for all of them (see `_positions`).
"""

from __future__ import annotations

from typing import NamedTuple

import libcst as cst

from mreg_codegen._diagnostics import Diagnostic, Severity, diagnostic_at, split_lines
from mreg_codegen._names import ModuleIndex
from mreg_codegen._positions import positions_of

__all__ = ["FileContext"]


class _Pending(NamedTuple):
    node: cst.CSTNode
    code: str
    message: str
    hint: str
    severity: Severity


class FileContext:
    """The file being scanned, and the problems found in it so far.

    Attributes:
        path: The file as it should be displayed.
        text: Its decoded source.
        module: Its dotted module name.
        index: Its scopes and decorated definitions.
        errors: How many errors have been reported so far.
    """

    def __init__(self, path: str, text: str, module: str, index: ModuleIndex) -> None:
        self.path = path
        self.text = text
        self.module = module
        self.index = index
        self.errors = 0
        self._pending: list[_Pending] = []

    def report(
        self,
        node: cst.CSTNode,
        code: str,
        message: str,
        hint: str = "",
        severity: Severity = "error",
    ) -> None:
        """Record a problem at `node` (its position is found by `diagnostics`)."""
        self._pending.append(_Pending(node, code, message, hint, severity))
        if severity == "error":
            self.errors += 1

    def nodes(self) -> list[cst.CSTNode]:
        """The nodes reported on so far."""
        return [pending.node for pending in self._pending]

    def diagnostics(self, positions: dict[cst.CSTNode, tuple[int, int]]) -> list[Diagnostic]:
        """The reported problems as diagnostics, placed with `positions` (see `locate`)."""
        lines = split_lines(self.text) if self._pending else []
        return [
            diagnostic_at(
                self.path,
                lines,
                *positions.get(pending.node, (0, 0)),
                pending.code,
                pending.message,
                pending.hint,
                pending.severity,
            )
            for pending in self._pending
        ]

    def locate(
        self, module: cst.Module, extra: list[cst.CSTNode]
    ) -> dict[cst.CSTNode, tuple[int, int]]:
        """Positions of every reported node and of `extra` nodes, in one pass."""
        return positions_of(module, self.text, [*self.nodes(), *extra])
