"""Problems found in a plugin graph, shared by the build step and the runtime.

A `Problem` is data: the build step turns it into a compiler-style diagnostic with a caret, the
runtime collects several into a `ResolutionError`. It is a frozen dataclass, like the specs in
`mreg_di._spec` and for the same reason: the runtime builds problems on the first ``get``
(resolving a plugin's bindings), where importing attrs would cost more than the rest of it.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum

__all__ = ["Problem", "ProblemKind"]


class ProblemKind(StrEnum):
    """What kind of wiring problem was found."""

    MISSING_BINDING = "missing-binding"
    """A required dependency has no active provider."""
    CYCLE = "cycle"
    """Plugins depend on each other in a loop."""
    AMBIGUOUS = "ambiguous"
    """Two providers of one interface share the highest priority."""
    VERSION_CONFLICT = "version-conflict"
    """A named requirement's version specifier is not met."""
    MISSING_REQUIREMENT = "missing-requirement"
    """A named requirement names no active plugin."""
    MISSING_CONFIGURATION = "missing-configuration"
    """A required value parameter has neither a default nor configuration."""
    UNKNOWN_CONFIGURATION = "unknown-configuration"
    """Configuration names a parameter the plugin does not take."""


@dataclasses.dataclass(frozen=True, slots=True)
class Problem:
    """One problem in the plugin graph.

    Attributes:
        kind: What kind of problem it is.
        message: One sentence naming the plugin(s) and what is wrong.
        plugin: The plugin the problem is reported on, if any.
        file: The file to point at (manifest-relative or as scanned), if known.
        line: 1-based line in `file`, 0 when unknown.
        column: 1-based column in `file`, 0 when unknown.
        hint: What to do about it.
        profile: The profile the problem was found in (``"default"`` for no profile).

    Example:
        >>> Problem(ProblemKind.CYCLE, "cycle: a -> b -> a", plugin="a").render()
        'cycle: a -> b -> a'
    """

    kind: ProblemKind
    message: str
    plugin: str | None = None
    file: str | None = None
    line: int = 0
    column: int = 0
    hint: str = ""
    profile: str = "default"

    @property
    def location(self) -> str:
        """``file:line`` (or ``file``, or empty) for messages."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file

    def render(self) -> str:
        """The message with its location prefix and hint, for humans."""
        text = f"{self.location}: {self.message}" if self.location else self.message
        if self.hint:
            text += f"\n  Hint: {self.hint}"
        return text
