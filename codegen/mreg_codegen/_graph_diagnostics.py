"""Graph problems as compiler diagnostics: the file, the line, the source and a caret.

`mreg_di` finds graph problems (`Problem`: missing binding, cycle, ambiguity, version conflict,
missing requirement) and knows nothing about terminals; the build step shows each one where it
was declared, with the declaration's source line, like a compiler error.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mreg_codegen._diagnostics import Diagnostic, diagnostic_at, split_lines
from mreg_codegen._project import display_path

if TYPE_CHECKING:
    from mreg_di._problems import Problem

__all__ = ["SourceTexts", "displayed_names", "parameter_column", "problem_diagnostic"]


class SourceTexts:
    """Reads source files once each, for the lines diagnostics quote.

    Example:
        >>> SourceTexts().text(Path("/no/such/file.py")) is None
        True
    """

    def __init__(self) -> None:
        self._texts: dict[Path, str | None] = {}

    def text(self, path: Path) -> str | None:
        """The file's text, or ``None`` when it cannot be read (the diagnostic then has no
        source line)."""
        if path not in self._texts:
            try:
                self._texts[path] = path.read_bytes().decode("utf-8", errors="replace")
            except OSError:
                self._texts[path] = None
        return self._texts[path]


def parameter_column(problem: Problem, record: Mapping[str, Any] | None, line_text: str) -> int:
    """The 1-based column of the constructor parameter a problem is about, or 0.

    A missing binding or an ambiguity is reported on the parameter's line, but the graph does
    not know its column: find the parameter (on that line, annotated with the interface the
    message names) in the source line.

    Example:
        >>> from mreg_di._problems import Problem, ProblemKind
        >>> problem = Problem(ProblemKind.MISSING_BINDING, "`p` needs `acme.Clock` (...)",
        ...                   plugin="p", line=8)
        >>> record = {"parameters": [{"name": "clock", "interface": "acme.Clock", "line": 8}]}
        >>> parameter_column(problem, record, "    def __init__(self, clock: Clock):")
        24
    """
    if record is None or problem.column or not problem.line:
        return 0
    for parameter in record.get("parameters", ()):
        interface = parameter.get("interface")
        if parameter.get("line") != problem.line or f"`{interface}`" not in problem.message:
            continue
        match = re.search(rf"(?<![\w.]){re.escape(parameter['name'])}\b", line_text)
        if match:
            return match.start() + 1
    return 0


def problem_diagnostic(
    problem: Problem,
    *,
    manifest_dir: Path,
    manifest_display: str,
    cwd: Path,
    sources: SourceTexts,
    record: Mapping[str, Any] | None = None,
    shown: Mapping[str, str] | None = None,
) -> Diagnostic:
    """The diagnostic for a graph `problem`, pointing at the declaration it is about.

    Args:
        problem: From `mreg_di._graph.validate_profiles`; its file is manifest-relative.
        manifest_dir: The directory the manifest's paths are relative to.
        manifest_display: How to name the manifest when the problem has no file.
        cwd: Displayed paths are relative to it.
        sources: Where source lines come from.
        record: The JSON record of ``problem.plugin``, to point the caret at a parameter.
        shown: Manifest-relative path -> displayed path, for the files whose two names differ
            (`displayed_names`): locations quoted in the message are shown as the header
            shows its own.

    Example:
        >>> from mreg_di._problems import Problem, ProblemKind
        >>> d = problem_diagnostic(
        ...     Problem(ProblemKind.CYCLE, "dependency cycle: `a` -> `a`"),
        ...     manifest_dir=Path("/p"), manifest_display="m.json", cwd=Path("/p"),
        ...     sources=SourceTexts())
        >>> d.path, d.code
        ('m.json', 'cycle')
    """
    column = problem.column
    if problem.file is None:
        path, source = manifest_display, None
    else:
        absolute = Path(os.path.normpath(manifest_dir / problem.file))
        path, source = display_path(absolute, cwd), sources.text(absolute)
        if source is not None and not column:
            lines = split_lines(source)
            if 0 < problem.line <= len(lines):
                column = parameter_column(problem, record, lines[problem.line - 1])
    message, hint = problem.message, problem.hint
    for relative, displayed in (shown or {}).items():
        message = message.replace(f"{relative}:", f"{displayed}:")
        hint = hint.replace(f"{relative}:", f"{displayed}:")
    return diagnostic_at(path, source, problem.line, column, problem.kind.value, message, hint)


def displayed_names(files: Iterable[str], manifest_dir: Path, cwd: Path) -> dict[str, str]:
    """Manifest-relative path -> displayed path, for the files whose two names differ.

    Longest paths come first, so that replacing them in a message never touches a longer
    path through a shorter one it ends with.

    Example:
        >>> displayed_names(["../src/a.py"], Path("/p/build"), Path("/p"))
        {'../src/a.py': 'src/a.py'}
        >>> displayed_names(["src/a.py"], Path("/p"), Path("/p"))
        {}
    """
    names = {}
    for relative in sorted(files, key=len, reverse=True):
        displayed = display_path(Path(os.path.normpath(manifest_dir / relative)), cwd)
        if displayed != relative:
            names[relative] = displayed
    return names
