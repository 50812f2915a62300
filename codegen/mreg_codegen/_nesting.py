"""A pre-parse check that keeps pathological source away from libcst's native parser.

libcst's parser is written in Rust and recurses once per level of nesting. Measured with
libcst 1.9 on CPython 3.11 (8 MB main-thread stack), it crashes the whole process with a
segmentation fault at about 2,000 nested brackets, and at 4,000 to 16,000 chained operators
(``1+1+...``, ``a.b.c...``, ``f()()...``, ``lambda: lambda: ...``, ``not not ...``); it also
slows down quadratically long before that (1,000 nested lists take 5 s, 4,000 chained
subscripts 14 s). A crash cannot be caught, so such files must be refused before parsing.

`find_excessive_nesting` tokenizes the text with one regular expression (no ``compile``, no
import) and tracks, per logical line, the bracket depth and the number of operators chained at
each bracket level. Real code stays far below the limits; CPython itself refuses more than 200
nested brackets.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["MAX_BRACKET_DEPTH", "MAX_CHAIN", "MAX_ELIF", "Excess", "find_excessive_nesting"]

MAX_BRACKET_DEPTH = 200
"""Most nested brackets accepted: CPython's own limit (``too many nested parentheses``)."""

MAX_CHAIN = 1000
"""Most operators chained along one path of an expression (summed over its bracket levels)."""

MAX_ELIF = 5000
"""Most ``elif`` branches in one file (each nests the chain one level deeper)."""

_TOKENS = re.compile(
    r"""
      (?P<string>(?:[rRbBuUfFtT]{1,2})?
          (?:'''(?:\\.|[^\\']|'(?!''))*'''
            |\"\"\"(?:\\.|[^\\"]|"(?!""))*\"\"\"
            |'(?:\\.|[^\\'\r\n])*'
            |"(?:\\.|[^\\"\r\n])*"))
    | (?P<comment>\#[^\r\n]*)
    | (?P<continuation>\\(?:\r\n|\r|\n))
    | (?P<newline>\r\n|\r|\n)
    | (?P<number>(?:\d|\.\d)(?:[eE][-+]?\d|[\w.])*)
    | (?P<elif>(?<![\w.])elif(?!\w))
    | (?P<keyword>(?<![\w.])(?:not|lambda|if|for|and|or|await)(?!\w))
    | (?P<name>[^\W\d]\w*)
    | (?P<open>[(\[{])
    | (?P<close>[)\]}])
    | (?P<comma>,)
    | (?P<semicolon>;)
    | (?P<operator>\*\*|//|<<|>>|[-+*/%@&|^~<>.])
    """,
    re.VERBOSE | re.DOTALL,
)


@attrs.frozen
class Excess:
    """Where the text first goes past a limit, and which one.

    Attributes:
        offset: 0-based character offset of the token that went past the limit.
        reason: What was exceeded, to complete "the file cannot be parsed safely: ...".
    """

    offset: int
    reason: str


def find_excessive_nesting(text: str) -> Excess | None:
    """Find the first place where `text` nests deeper than the parser can safely handle.

    Strings and comments are skipped. A comma or a semicolon ends a chain at its level; the end
    of a logical line ends them all.

    Example:
        >>> find_excessive_nesting("x = (1 + 2) * 3\\n") is None
        True
        >>> find_excessive_nesting("x = " + "(" * 201 + "1" + ")" * 201)
        Excess(offset=204, reason='more than 200 nested brackets')
    """
    chains = [0]  # operators chained at each open bracket level; [0] is the statement level
    total = 0  # sum(chains): the chain along the current path
    elifs = 0
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup
        if kind in ("operator", "keyword"):
            chains[-1] += 1
            total += 1
        elif kind == "open":
            chains[-1] += 1  # a call or subscript trailer chains like an operator
            chains.append(0)
            total += 1
            if len(chains) - 1 > MAX_BRACKET_DEPTH:
                return Excess(match.start(), f"more than {MAX_BRACKET_DEPTH} nested brackets")
        elif kind == "close":
            if len(chains) > 1:
                total -= chains.pop()
        elif kind == "comma":
            total -= chains[-1]
            chains[-1] = 0
        elif kind == "semicolon" or (kind == "newline" and len(chains) == 1):
            chains = [0]
            total = 0
        elif kind == "elif":
            elifs += 1
            if elifs > MAX_ELIF:
                return Excess(match.start(), f"more than {MAX_ELIF} elif branches")
        if total > MAX_CHAIN:
            return Excess(match.start(), f"more than {MAX_CHAIN} chained operators")
    return None
