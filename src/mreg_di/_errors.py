"""The exceptions mreg-di raises.

One base class (`MregError`), family bases mixed with the builtin a caller would catch
(`LookupError`, `TypeError`, `ValueError`), fields kept on the instance and the message built
from them. Nothing in here imports anything heavy: errors are raised on the start-up path too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mreg_di._problems import Problem

__all__ = [
    "LifecycleError",
    "ManifestError",
    "MregError",
    "PluginNotFoundError",
    "PluginTypeError",
    "ResolutionError",
    "StaleManifestError",
]


class MregError(Exception):
    """Base class of every error mreg-di raises on purpose.

    Example:
        >>> try:
        ...     raise PluginNotFoundError("nope", known=("gzip",))
        ... except MregError as exc:
        ...     print(type(exc).__name__)
        PluginNotFoundError
    """


class ManifestError(MregError, ValueError):
    """A manifest could not be read, or a field in it is invalid.

    Attributes:
        path: The manifest file (or a description of where the data came from).
        json_path: Where in the document the bad value is, e.g. ``$.plugins[3].version``;
            empty when the document as a whole is wrong.
        reason: What is wrong with it, one sentence.
        hint: What to do about it.
    """

    def __init__(self, path: str, json_path: str, reason: str, hint: str = "") -> None:
        self.path = path
        self.json_path = json_path
        self.reason = reason
        self.hint = hint
        super().__init__(path, json_path, reason, hint)

    def __str__(self) -> str:
        where = f"{self.path}: {self.json_path}: " if self.json_path else f"{self.path}: "
        text = where + self.reason
        if self.hint:
            text += f"\nHint: {self.hint}"
        return text


class StaleManifestError(ManifestError):
    """The manifest no longer describes the source it was generated from.

    Raised before a plugin's module is imported when the file's sha256 differs from the one
    recorded, and after import when the declared class or function is missing.

    Attributes:
        plugin: The plugin being loaded.
        file: The source file that changed or lost the declaration.
    """

    def __init__(self, path: str, plugin: str, file: str, reason: str) -> None:
        self.plugin = plugin
        self.file = file
        super().__init__(
            path,
            "",
            f"plugin `{plugin}` ({file}): {reason}",
            "the manifest is stale; re-run `mreg-codegen scan` to regenerate it",
        )

    def __reduce__(
        self,
    ) -> tuple[type[StaleManifestError], tuple[str, str, str, str], dict[str, object]]:
        # Keep the exception picklable although __init__ takes other arguments than
        # ManifestError's. Strip the exact prefix __init__ added (the file name itself may
        # contain ": "), and pass __dict__ along so notes (add_note) survive too.
        detail = self.reason.removeprefix(f"plugin `{self.plugin}` ({self.file}): ")
        return (type(self), (self.path, self.plugin, self.file, detail), self.__dict__)


class ResolutionError(MregError):
    """The dependency graph cannot be wired.

    Every problem found is kept in `problems`, so a caller sees all of them at once.

    Attributes:
        problems: The problems, in a stable order.
    """

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        super().__init__(self.problems)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in the plugin graph:"
        return "\n".join([head, *(f"- {problem.render()}" for problem in self.problems)])


class PluginNotFoundError(MregError, LookupError):
    """No active plugin has the requested name or provides the requested interface.

    Attributes:
        key: The name, interface or variant that was asked for.
        known: Close or available names to suggest (a few, never the whole registry).
        profile: The active profile, when it decided the answer.
        reason: Extra explanation, e.g. that the plugin exists but only in another profile.
        kind: What `key` is: ``"plugin"`` (a name), ``"interface"`` (a qualified name),
            ``"factory"`` (a factory's name) or ``"variant"`` (a variant of `factory`).
        factory: For ``kind="variant"``, the factory and its ``file:line``.
        hint: What to do about it, beyond the did-you-mean suggestions.
    """

    def __init__(
        self,
        key: str,
        *,
        known: Sequence[str] = (),
        profile: str | None = None,
        reason: str = "",
        kind: str = "plugin",
        factory: str = "",
        hint: str = "",
    ) -> None:
        self.key = key
        self.known = tuple(known)
        self.profile = profile
        self.reason = reason
        self.kind = kind
        self.factory = factory
        self.hint = hint
        super().__init__(key)

    def __str__(self) -> str:
        where = f" in profile `{self.profile}`" if self.profile else ""
        if self.kind == "interface":
            text = f"no active plugin provides `{self.key}`{where}"
        elif self.kind == "variant":
            text = f"factory {self.factory} has no variant `{self.key}`"
        else:
            text = f"no active {self.kind} `{self.key}`{where}"
        if self.reason:
            text += f": {self.reason}"
        if self.known:
            text += "\nHint: did you mean " + ", ".join(f"`{k}`" for k in self.known) + "?"
        if self.hint:
            text += f"\nHint: {self.hint}"
        return text


class PluginTypeError(MregError, TypeError):
    """A value does not have the type a plugin declares.

    Attributes:
        plugin: The plugin being constructed.
        location: Its ``file:line`` from the manifest (may be empty).
        parameter: The constructor parameter, or ``None`` when the instance itself fails an
            interface it claims to provide.
        expected: The expected type, as text.
        actual: The actual type, as text.
        reason: Why the value does not match, e.g. the protocol member it lacks (may be empty).
        hint: What to do about it (may be empty).
    """

    def __init__(
        self,
        plugin: str,
        location: str,
        parameter: str | None,
        expected: str,
        actual: str,
        *,
        reason: str = "",
        hint: str = "",
    ) -> None:
        self.plugin = plugin
        self.location = location
        self.parameter = parameter
        self.expected = expected
        self.actual = actual
        self.reason = reason
        self.hint = hint
        super().__init__(plugin, location, parameter, expected, actual)

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        if self.parameter is None:
            text = (
                f"plugin `{self.plugin}`{where} claims to provide `{self.expected}` "
                f"but its instance of `{self.actual}` does not satisfy it"
            )
        else:
            text = (
                f"plugin `{self.plugin}`{where}: parameter `{self.parameter}` expects "
                f"`{self.expected}` but got `{self.actual}`"
            )
        if self.reason:
            text += f" ({self.reason})"
        if self.hint:
            text += f"\nHint: {self.hint}"
        return text


class LifecycleError(MregError):
    """Starting or stopping plugins failed.

    The original exception is chained (``__cause__``). When `start` fails, the plugins already
    initialized have been cleaned up and the registry is back in its pre-start state.

    Attributes:
        plugin: The plugin whose construction, ``initialize`` or ``cleanup`` failed.
        location: Its ``file:line`` from the manifest (may be empty).
        phase: ``"construction"`` (building the instance during start), ``"initialize"`` or
            ``"cleanup"``.
        detail: What happened, one sentence.
        hint: What to do about it (may be empty).
    """

    def __init__(
        self, plugin: str, location: str, phase: str, detail: str, *, hint: str = ""
    ) -> None:
        self.plugin = plugin
        self.location = location
        self.phase = phase
        self.detail = detail
        self.hint = hint
        super().__init__(plugin, location, phase, detail)

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        text = f"{self.phase} of plugin `{self.plugin}`{where} failed: {self.detail}"
        if self.hint:
            text += f"\nHint: {self.hint}"
        return text
