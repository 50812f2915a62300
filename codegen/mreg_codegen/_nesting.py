"""A pre-parse check that keeps pathological source away from libcst's native parser.

libcst's parser is written in Rust and recurses once per level of nesting. Measured with
libcst 1.9 on CPython 3.11 (8 MB main-thread stack), it crashes the whole process with a
segmentation fault at about 2,000 nested brackets, and at 4,000 to 16,000 chained operators
(``1+1+...``, ``a.b.c...``, ``f()()...``, ``lambda: lambda: ...``, ``not not ...``); it also
slows down quadratically long before that (1,000 nested lists take 5 s, 4,000 chained
subscripts 14 s). A crash cannot be caught, so such files must be refused before parsing.

`find_excessive_nesting` tokenizes the text with one regular expression (no ``compile``, no
import) and tracks, per logical line, the bracket depth and how deeply operators nest at each
bracket level, by precedence, as the parsed tree will. Real code stays below the limits: over
the 27,000 files of this machine's standard library and site-packages, the deepest (a table of
generated polynomials in sympy) reaches 563 and the next 225; CPython itself refuses more than
200 nested brackets.
"""

from __future__ import annotations

import re

import attrs

__all__ = ["MAX_BRACKET_DEPTH", "MAX_CHAIN", "MAX_ELIF", "Excess", "find_excessive_nesting"]

MAX_BRACKET_DEPTH = 200
"""Most nested brackets accepted: CPython's own limit (``too many nested parentheses``)."""

MAX_CHAIN = 1000
"""Most operators nested along one path of an expression (summed over its bracket levels)."""

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
    | (?P<punctuation>[=:!])
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


# Operator precedence classes, lowest first. An operator nests the rest of its operand one level
# deeper; an operator of a lower class starts a new operand, so the higher classes' chains end.
_KEYWORD_CLASSES = {"lambda": 0, "for": 0, "if": 1, "or": 2, "and": 3, "not": 4, "await": 14}
_BINARY_CLASSES = {
    "|": 6, "^": 7, "&": 8, "<<": 9, ">>": 9, "+": 10, "-": 10,
    "*": 11, "/": 11, "//": 11, "%": 11, "@": 11, "**": 13, ".": 15,
}  # fmt: skip
_UNARY_CLASS = 12
_TRAILER_CLASS = 15
_OPERANDS = frozenset({"name", "number", "string", "close"})
# Every token that can deepen a path contains one of these (keywords as substrings): a text
# with few of them cannot exceed any limit, whatever their order.
_DEEPENING = (*"([{+-*/%@&|^~.", "not", "lambda", "if", "for", "and", "or", "await")


def find_excessive_nesting(text: str) -> Excess | None:
    """Find the first place where `text` nests deeper than the parser can safely handle.

    Strings and comments are skipped. Along the current path the check keeps, per bracket
    level, how many operators of each precedence are chained (``1 + 2 * 3 + 4`` chains two
    ``+``, and at most one ``*`` at a time, as the parsed tree nests them); their sum
    approximates how deep the parser must recurse. A comma or a semicolon ends the chains at
    its level; the end of a logical line ends them all. Comparisons and commas do not nest.

    Example:
        >>> find_excessive_nesting("x = (1 + 2) * 3\\n") is None
        True
        >>> find_excessive_nesting("x = " + "(" * 201 + "1" + ")" * 201)
        Excess(offset=204, reason='more than 200 nested brackets')
    """
    if sum(map(text.count, _DEEPENING)) <= min(MAX_BRACKET_DEPTH, MAX_CHAIN):
        return None  # the common small module: nothing can exceed a limit
    # Per open bracket level, a stack of [precedence class, count], classes increasing.
    levels: list[list[list[int]]] = [[]]
    total = 0  # every count on every level: the depth of the current path
    elifs = 0
    previous = ""
    for match in _TOKENS.finditer(text):
        kind = match.lastgroup or ""
        precedence = -1
        if kind == "keyword":
            word = match.group()
            if not (word == "not" and previous in _OPERANDS):  # `x not in y` is a comparison
                precedence = _KEYWORD_CLASSES[word]
        elif kind == "operator":
            token = match.group()
            if previous in _OPERANDS or token in ("**", "."):
                precedence = _BINARY_CLASSES.get(token, -1)
            else:
                precedence = _UNARY_CLASS  # -x, +x, ~x, *args, **kwargs, @decorator
        elif kind == "open":
            precedence = _TRAILER_CLASS  # a call, a subscript, or a nested display
        if precedence >= 0:
            chain = levels[-1]
            while chain and chain[-1][0] > precedence:
                total -= chain.pop()[1]
            if chain and chain[-1][0] == precedence:
                chain[-1][1] += 1
            else:
                chain.append([precedence, 1])
            total += 1
        if kind == "open":
            levels.append([])
            if len(levels) - 1 > MAX_BRACKET_DEPTH:
                return Excess(match.start(), f"more than {MAX_BRACKET_DEPTH} nested brackets")
        elif kind == "close":
            if len(levels) > 1:
                total -= sum(count for _, count in levels.pop())
        elif kind == "comma":
            total -= sum(count for _, count in levels[-1])
            levels[-1] = []
        elif kind == "semicolon" or (kind == "newline" and len(levels) == 1):
            levels = [[]]
            total = 0
        elif kind == "elif":
            elifs += 1
            if elifs > MAX_ELIF:
                return Excess(match.start(), f"more than {MAX_ELIF} elif branches")
        if total > MAX_CHAIN:
            return Excess(match.start(), f"more than {MAX_CHAIN} chained operators")
        if kind not in ("comment", "continuation", "newline"):
            previous = kind
    return None
