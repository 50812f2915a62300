"""Graph problems as compiler diagnostics: the file, the line, the source and a caret.

`mreg_di` finds graph problems (`Problem`: missing binding, cycle, ambiguity, version conflict,
missing requirement) and knows nothing about terminals; the build step shows each one where it
was declared, with the declaration's source line, like a compiler error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from mreg_codegen._diagnostics import Diagnostic, diagnostic_at
from mreg_codegen._project import display_path

if TYPE_CHECKING:
    from mreg_di._problems import Problem

__all__ = ["SourceTexts", "problem_diagnostic"]


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


def problem_diagnostic(
    problem: Problem,
    *,
    manifest_dir: Path,
    manifest_display: str,
    cwd: Path,
    sources: SourceTexts,
) -> Diagnostic:
    """The diagnostic for a graph `problem`, pointing at the declaration it is about.

    Args:
        problem: From `mreg_di._graph.validate_profiles`; its file is manifest-relative.
        manifest_dir: The directory the manifest's paths are relative to.
        manifest_display: How to name the manifest when the problem has no file.
        cwd: Displayed paths are relative to it.
        sources: Where source lines come from.

    Example:
        >>> from mreg_di._problems import Problem, ProblemKind
        >>> d = problem_diagnostic(
        ...     Problem(ProblemKind.CYCLE, "dependency cycle: `a` -> `a`"),
        ...     manifest_dir=Path("/p"), manifest_display="m.json", cwd=Path("/p"),
        ...     sources=SourceTexts())
        >>> d.path, d.code
        ('m.json', 'cycle')
    """
    if problem.file is None:
        path, source = manifest_display, None
    else:
        absolute = Path(os.path.normpath(manifest_dir / problem.file))
        path, source = display_path(absolute, cwd), sources.text(absolute)
    return diagnostic_at(
        path,
        source,
        problem.line,
        problem.column,
        problem.kind.value,
        problem.message,
        hint=problem.hint,
    )
