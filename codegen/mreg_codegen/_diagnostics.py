"""Compiler-style diagnostics: ``path:line:col: error: message``, the source line, a caret, a hint.

A `Diagnostic` is a frozen value, picklable so that worker processes can send it back to the
driver. `diagnostic_at` builds one from the file's text (it cuts the source line out, and a
window of it when the line is very long); `render_all` turns a batch into the text or JSON
that ``mreg-codegen`` prints.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from typing import Literal

import attrs

__all__ = [
    "SEVERITIES",
    "Diagnostic",
    "Severity",
    "counted",
    "diagnostic_at",
    "render_all",
    "source_line_at",
    "split_lines",
]

Severity = Literal["error", "warning"]
"""How bad a diagnostic is: an ``"error"`` fails the build, a ``"warning"`` does not."""

SEVERITIES: tuple[Severity, ...] = ("error", "warning")
"""The allowed severities."""

# Python's tokenizer (and libcst) end lines at \r\n, \r or \n only; str.splitlines() would also
# split at form feeds and other separators and shift every line number after them.
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
# Control characters would garble a terminal; each becomes one visible character, so columns
# (counted in characters) still line up with the caret.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MAX_SHOWN = 200  # longest source line shown whole
_CONTEXT = 80  # characters kept on each side of the caret in a longer line
_ELLIPSIS = "…"


def _severity(value: object) -> Severity:
    if value not in SEVERITIES:
        raise ValueError(f"severity must be 'error' or 'warning', not {value!r}")
    return value


@attrs.frozen
class Diagnostic:
    """One problem found in one file, with enough context to show where.

    Attributes:
        path: The file as it should be displayed.
        line: 1-based line, 0 when unknown.
        column: 1-based column (in characters), 0 when unknown.
        code: Stable kebab-case identifier, e.g. ``"non-literal-argument"``; each code is
            documented in ``docs/diagnostics.md``.
        message: One sentence naming the plugin or object and what is wrong.
        hint: What to do about it (may be empty).
        severity: ``"error"`` or ``"warning"``.
        source_line: The text of the line (or a window of it, see `source_start`), for the
            caret; empty when unknown.
        source_start: The column `source_line` starts at: 1 unless a very long line was cut
            down to the part around the caret.

    Example:
        >>> d = Diagnostic("acme/gz.py", 3, 22, "bad-version", "version 'x' is bad",
        ...                hint="use '1.0'", source_line="@plugin('gz', version='x')")
        >>> print(d.render())
        acme/gz.py:3:22: error: version 'x' is bad [bad-version]
            @plugin('gz', version='x')
                                 ^
        Hint: use '1.0'
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = attrs.field(default="error", converter=_severity)
    source_line: str = ""
    source_start: int = 1

    @property
    def location(self) -> str:
        """``path:line:column``, leaving out the parts that are unknown.

        Example:
            >>> Diagnostic("a.py", 0, 0, "unreadable-file", "cannot read").location
            'a.py'
        """
        if self.line <= 0:
            return self.path
        if self.column <= 0:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"

    @property
    def is_error(self) -> bool:
        """Whether the diagnostic fails the build.

        Example:
            >>> Diagnostic("a.py", 1, 1, "unresolved-base", "m", severity="warning").is_error
            False
        """
        return self.severity == "error"

    def render(self) -> str:
        """The diagnostic as a compiler prints it: header, source line, caret, hint.

        The header ends with the diagnostic's code in brackets, as mypy does, so that it can
        be looked up in the documentation.

        Example:
            >>> print(Diagnostic("a.py", 1, 0, "syntax-error", "bad", hint="fix it").render())
            a.py:1: error: bad [syntax-error]
            Hint: fix it
        """
        lines = [f"{self.location}: {self.severity}: {self.message} [{self.code}]"]
        if self.line > 0 and self.source_line:
            lines.append("    " + self.source_line.rstrip())
            index = self.column - self.source_start
            if self.column > 0 and 0 <= index <= len(self.source_line):
                # Keep tabs as tabs so that the caret lines up however wide a tab is shown.
                pad = "".join("\t" if c == "\t" else " " for c in self.source_line[:index])
                lines.append("    " + pad + "^")
        if self.hint:
            lines.append(f"Hint: {self.hint}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The diagnostic as a JSON object (every field, by name).

        Example:
            >>> Diagnostic("a.py", 1, 2, "bad-name", "bad").to_json()["code"]
            'bad-name'
        """
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "severity": self.severity,
            "code": self.code,
            "message": self.message,
            "hint": self.hint,
            "source_line": self.source_line,
            "source_start": self.source_start,
        }

    def sort_key(self) -> tuple[str, int, int, str, str]:
        """The order diagnostics are shown in: by path, line, column, code, then message.

        Example:
            >>> Diagnostic("a.py", 2, 5, "bad-name", "m").sort_key()
            ('a.py', 2, 5, 'bad-name', 'm')
        """
        return (self.path, self.line, self.column, self.code, self.message)


def source_line_at(line_text: str, column: int) -> tuple[str, int]:
    """The part of a source line to show under a header, and the column it starts at.

    Lines up to 200 characters are shown whole; a longer one is cut to the 80 characters on
    each side of `column`, with ``…`` marking what was cut. Control characters are replaced
    so that they cannot garble a terminal.

    Example:
        >>> source_line_at("x = 1", 5)
        ('x = 1', 1)
        >>> text, start = source_line_at("y" * 300, 150)
        >>> len(text), start, text[150 - start]
        (162, 69, 'y')
    """
    text = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", line_text.rstrip("\r\n"))
    if len(text) <= _MAX_SHOWN:
        return text, 1
    index = max(column - 1, 0)
    first = max(index - _CONTEXT, 0)
    last = min(index + _CONTEXT, len(text))
    head = _ELLIPSIS if first > 0 else ""
    tail = _ELLIPSIS if last < len(text) else ""
    # The ellipsis takes the place of the character just before the window.
    return head + text[first:last] + tail, (first if head else 1)


def split_lines(source: str) -> list[str]:
    """The lines of `source` as Python counts them (only ``\\r\\n``, ``\\r`` and ``\\n`` end one).

    Example:
        >>> split_lines("a\\r\\nb\\x0cc\\rd")
        ['a', 'b\\x0cc', 'd']
    """
    return _LINE_BREAK.split(source)


def diagnostic_at(
    path: str,
    source: str | Sequence[str] | None,
    line: int,
    column: int,
    code: str,
    message: str,
    hint: str = "",
    severity: Severity = "error",
) -> Diagnostic:
    """Build a diagnostic, cutting its source line out of the file's text.

    Args:
        path: The file as it should be displayed.
        source: The file's text (or its `split_lines`, when building many diagnostics for
            one file), or ``None`` when it is not available.
        line: 1-based line, 0 when unknown.
        column: 1-based column, 0 when unknown.
        code: The diagnostic's code.
        message: One sentence saying what is wrong.
        hint: What to do about it.
        severity: ``"error"`` or ``"warning"``.

    Example:
        >>> d = diagnostic_at("a.py", "x = 1\\ny = $\\n", 2, 5, "syntax-error", "bad token")
        >>> d.source_line
        'y = $'
    """
    text, start = "", 1
    if source is not None and line > 0:
        lines = split_lines(source) if isinstance(source, str) else source
        if line <= len(lines):
            text, start = source_line_at(lines[line - 1], column)
    return Diagnostic(
        path=path,
        line=line,
        column=column,
        code=code,
        message=message,
        hint=hint,
        severity=severity,
        source_line=text,
        source_start=start,
    )


def counted(number: int, noun: str) -> str:
    """`number` and `noun`, plural unless `number` is 1; for summary lines.

    Example:
        >>> counted(1, "error"), counted(0, "warning"), counted(3, "plugin")
        ('1 error', '0 warnings', '3 plugins')
    """
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def render_all(diagnostics: Iterable[Diagnostic], fmt: Literal["text", "json"] = "text") -> str:
    """Render diagnostics for people (``"text"``) or tools (``"json"``), sorted by place.

    Text is every rendered diagnostic, a blank line between them, and a summary line such as
    ``2 errors, 1 warning``. JSON is a list of `Diagnostic.to_json` objects.

    Raises:
        ValueError: `fmt` is neither ``"text"`` nor ``"json"``.

    Example:
        >>> print(render_all([Diagnostic("a.py", 0, 0, "unreadable-file", "cannot read")]))
        a.py: error: cannot read [unreadable-file]
        <BLANKLINE>
        1 error, 0 warnings
    """
    ordered = sorted(diagnostics, key=Diagnostic.sort_key)
    if fmt == "json":
        return json.dumps([d.to_json() for d in ordered], indent=2, ensure_ascii=False)
    if fmt != "text":
        raise ValueError(f"diagnostics format must be 'text' or 'json', not {fmt!r}")
    errors = sum(1 for d in ordered if d.is_error)
    summary = f"{counted(errors, 'error')}, {counted(len(ordered) - errors, 'warning')}"
    return "\n\n".join([*(d.render() for d in ordered), summary])
