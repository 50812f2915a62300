"""What a scan produced: its statistics and its report (manifest text and diagnostics)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import attrs

from mreg_codegen._diagnostics import Diagnostic

__all__ = ["ScanReport", "ScanStats", "sorted_diagnostics"]


@attrs.define
class ScanStats:
    """What one scan did, for the summary line and for tests.

    Attributes:
        files: ``.py`` files found under the roots.
        cached: Files whose cached scan was reused.
        parsed: Files parsed by a worker in this run.
        prefiltered: Files a worker only hashed: their bytes show they declare nothing.
        crashed: Files whose parser crashed its worker, or that hit an internal error.
        plugins: Declarations found (before removing duplicates).
        graph_cached: The graph outcome was reused (networkx was not needed).

    Example:
        >>> ScanStats(files=3, cached=3).scanned
        0
    """

    files: int = 0
    cached: int = 0
    parsed: int = 0
    prefiltered: int = 0
    crashed: int = 0
    plugins: int = 0
    graph_cached: bool = False

    @property
    def scanned(self) -> int:
        """Files handed to a worker in this run (parsed, prefiltered or crashed)."""
        return self.parsed + self.prefiltered + self.crashed


@attrs.frozen
class ScanReport:
    """The result of `scan_project`.

    Attributes:
        output: The manifest's absolute path.
        output_display: The manifest's path as messages show it.
        text: The manifest text, or ``None`` when an error prevents writing one.
        up_to_date: The manifest on disk is byte-identical to `text`.
        diagnostics: Every diagnostic, sorted by path, line and column.
        stats: What the scan did.

    Example:
        >>> report = ScanReport(Path("/p/m.json"), "m.json", None, False, (), ScanStats())
        >>> report.errors, report.ok
        (0, False)
    """

    output: Path
    output_display: str
    text: str | None
    up_to_date: bool
    diagnostics: tuple[Diagnostic, ...]
    stats: ScanStats

    @property
    def errors(self) -> int:
        """How many diagnostics are errors."""
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        """How many diagnostics are warnings."""
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    @property
    def ok(self) -> bool:
        """A manifest was produced (there were no errors)."""
        return self.text is not None


def sorted_diagnostics(diagnostics: Sequence[Diagnostic]) -> tuple[Diagnostic, ...]:
    """The diagnostics in report order: by path, line and column."""
    return tuple(sorted(diagnostics, key=Diagnostic.sort_key))
