"""Line and column of the few nodes a scan reports on.

libcst's ``PositionProvider`` computes a range for every node of a module: measured on a small
plugin module it costs 4.2 ms, 2.4 times the parse itself. A scan needs the positions of a
handful of nodes (decorators, arguments, parameters), so `positions_of` generates the module's
code once (0.7 ms), notes at which token each wanted node starts, and turns those token
indexes into lines and columns of the original text.

That uses libcst's code generator state, which is not public API; if it ever changes shape,
`positions_of` falls back to ``PositionProvider``, whose answers are the same for the nodes
the scanner asks about (names, literals, calls, parameters), except that a parenthesised
expression starts at its opening parenthesis here and inside the parentheses there.
"""

from __future__ import annotations

import bisect
import itertools
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import libcst as cst

__all__ = ["positions_of"]

_log = logging.getLogger("mreg_codegen")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")

try:  # libcst's private code generator state; see the module docstring.
    from libcst._nodes.internal import CodegenState as _CodegenState
except ImportError:  # pragma: no cover - only on a libcst that reorganised its internals
    _CodegenState = None  # type: ignore[assignment,misc]


if _CodegenState is not None:

    @dataclass
    class _StartRecorder(_CodegenState):
        """A code generator state that notes the token index where each wanted node starts."""

        wanted: frozenset[cst.CSTNode] = frozenset()
        starts: dict[cst.CSTNode, int] = field(default_factory=dict)

        def before_codegen(self, node: cst.CSTNode) -> None:
            if node in self.wanted:
                self.starts[node] = len(self.tokens)


def positions_of(
    module: cst.Module, text: str, nodes: Iterable[cst.CSTNode], *, fast: bool = True
) -> dict[cst.CSTNode, tuple[int, int]]:
    """The 1-based (line, column) where each of `nodes` starts in `text`.

    Args:
        module: The module parsed from `text`.
        text: The source the module was parsed from.
        nodes: Nodes of `module` (compared by identity).
        fast: Use the code generator directly; ``False`` forces libcst's
            ``PositionProvider`` (the fallback, exercised by the tests).

    Raises:
        RecursionError: The module nests too deeply for libcst's code generator.

    Example:
        >>> module = cst.parse_module("x = 1\\ny = f(2)\\n")
        >>> call = module.body[1].body[0].value
        >>> positions_of(module, module.code, [call.args[0].value])[call.args[0].value]
        (2, 7)
    """
    wanted = frozenset(nodes)
    if not wanted:
        return {}
    if fast and _CodegenState is not None:
        try:
            found = _fast_positions(module, text, wanted)
        except (AttributeError, TypeError) as exc:  # libcst internals changed shape
            _log.debug("fast positions unavailable (%s); using PositionProvider", exc)
        else:
            if found is not None:
                return found
    return _provider_positions(module, wanted)


def _fast_positions(
    module: cst.Module, text: str, wanted: frozenset[cst.CSTNode]
) -> dict[cst.CSTNode, tuple[int, int]] | None:
    state = _StartRecorder(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        wanted=wanted,
    )
    module._codegen(state)
    ends = list(itertools.accumulate(map(len, state.tokens)))
    if (ends[-1] if ends else 0) != len(text):
        # The generated code is not the text: offsets would be wrong.
        _log.debug("generated code differs from the source; using PositionProvider")
        return None
    line_starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]
    found: dict[cst.CSTNode, tuple[int, int]] = {}
    for node, index in state.starts.items():
        offset = ends[index - 1] if index else 0
        line = bisect.bisect_right(line_starts, offset)
        found[node] = (line, offset - line_starts[line - 1] + 1)
    return found


def _provider_positions(
    module: cst.Module, wanted: frozenset[cst.CSTNode]
) -> dict[cst.CSTNode, tuple[int, int]]:
    from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

    ranges: Mapping[cst.CSTNode, CodeRange] = MetadataWrapper(
        module, unsafe_skip_copy=True
    ).resolve(PositionProvider)
    return {
        node: (ranges[node].start.line, ranges[node].start.column + 1)
        for node in wanted
        if node in ranges
    }
