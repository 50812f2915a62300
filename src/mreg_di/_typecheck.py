"""Type checks at construction, with typeguard (imported on the first check, never earlier).

Each plugin is checked on its *first* construction only: every injected argument and
configuration value against the constructor's (or factory's) annotations, then the instance
against each interface in ``provides``, Protocols included (typeguard compares members and
signatures; ``@runtime_checkable`` is not needed). Later constructions of a factory- or
thread-scoped plugin, and every cached singleton ``get``, run no check at all.

typeguard is imported only for a check that `mreg_di._precheck.certainly_passes` cannot prove
will pass: a value of the plain class it is annotated with, or a class whose methods have the
very parameter lists of the Protocol it implements, needs no typeguard (it would pass there too).
Every other check, and so every mismatch, is typeguard's, with its message.

Modes: ``"error"`` raises `PluginTypeError`, ``"warn"`` emits a `RuntimeWarning` with the same
message, ``"off"`` checks nothing and never imports typeguard.
"""

from __future__ import annotations

import sys
import threading
import typing
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from mreg_di._errors import PluginTypeError
from mreg_di._log import logger as _logger
from mreg_di._precheck import certainly_passes

if TYPE_CHECKING:
    from mreg_di._spec import PluginRecord

__all__ = ["TYPE_CHECK_MODES", "TypeCheckMode", "TypeChecker", "type_text"]

TypeCheckMode = Literal["error", "warn", "off"]
"""What a failed type check does."""

TYPE_CHECK_MODES = ("error", "warn", "off")


def type_text(hint: object) -> str:
    """A type as messages show it: qualified, builtins bare.

    Example:
        >>> import fractions
        >>> type_text(int), type_text(list[int]), type_text(fractions.Fraction)
        ('int', 'list[int]', 'fractions.Fraction')
    """
    if isinstance(hint, type) and not hasattr(hint, "__origin__"):
        module = hint.__module__
        return hint.__qualname__ if module == "builtins" else f"{module}.{hint.__qualname__}"
    return repr(hint).replace("typing.", "")


def _resolve(qualified: str) -> Any:
    """The object named `qualified` (``module.Name``), importing its module only if needed."""
    import importlib

    parts = qualified.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        module = sys.modules.get(".".join(parts[:cut]))
        if module is None:
            continue
        obj: Any = module
        for part in parts[cut:]:
            obj = getattr(obj, part, None)
        if obj is not None:
            return obj
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for part in parts[cut:]:
            obj = getattr(obj, part, None)
        return obj
    return None


class TypeChecker:
    """Checks constructor arguments and instances of plugins, once per plugin.

    Args:
        mode: ``"error"``, ``"warn"`` or ``"off"``.

    Example:
        >>> TypeChecker("off").enabled
        False
    """

    def __init__(self, mode: TypeCheckMode = "error") -> None:
        if mode not in TYPE_CHECK_MODES:
            raise ValueError(
                f"type_checks must be one of 'error', 'warn', 'off', not {mode!r}\n"
                "Hint: 'error' (the default) raises PluginTypeError on a mismatch, 'warn' emits "
                "a RuntimeWarning, 'off' skips the checks"
            )
        self.mode: TypeCheckMode = mode
        self.enabled = mode != "off"
        self._hints: dict[object, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def check_arguments(
        self,
        record: PluginRecord,
        implementation: Any,
        arguments: Mapping[str, Any],
        origins: Mapping[str, str],
    ) -> None:
        """Check each argument against the annotation of its parameter.

        Args:
            record: The plugin being built.
            implementation: Its class or factory function.
            arguments: The keyword arguments it is about to be called with.
            origins: Per argument, where the value came from, for the hint (e.g.
                ``"plugin `memory-storage` (acme/storage.py:12)"`` or ``"app.toml"``).
        """
        if not self.enabled:
            return
        hints = self._hints_of(implementation)
        doubtful = [
            (name, value, hint)
            for name, value in arguments.items()
            if (hint := hints.get(name)) is not None and not certainly_passes(value, hint)
        ]
        if not doubtful:
            return
        from typeguard import TypeCheckError

        for name, value, hint in doubtful:
            try:
                _check(value, hint)
            except TypeCheckError as exc:
                origin = origins.get(name, "")
                if origin.startswith("plugin "):
                    fix = (
                        f"the value comes from {origin}; make that plugin match the "
                        f"annotation, or correct the annotation of `{name}`"
                    )
                else:
                    fix = f"set `{name}` to a value of type `{type_text(hint)}` in {origin}"
                self._fail(
                    PluginTypeError(
                        record.name,
                        record.location,
                        name,
                        type_text(hint),
                        type_text(type(value)),
                        reason=str(exc),
                        hint=fix,
                    )
                )

    def check_instance(self, record: PluginRecord, instance: object) -> None:
        """Check `instance` against every interface `record` declares in ``provides``."""
        if not self.enabled:
            return
        for interface in record.spec.provides:
            expected = _resolve(interface)
            if not isinstance(expected, type):
                _logger().debug(
                    "cannot check plugin %s against %s: not found",
                    record.name,
                    interface,
                    extra={"plugin": record.name, "interface": interface},
                )
                continue
            if certainly_passes(instance, expected):
                continue
            from typeguard import TypeCheckError

            try:
                _check(instance, expected)
            except TypeCheckError as exc:
                self._fail(
                    PluginTypeError(
                        record.name,
                        record.location,
                        None,
                        interface,
                        type_text(type(instance)),
                        reason=str(exc),
                        hint=f"implement what `{interface}` requires, or remove it from "
                        f"`provides` of `{record.name}`",
                    )
                )

    def _fail(self, error: PluginTypeError) -> None:
        if self.mode == "error":
            raise error
        warnings.warn(str(error), RuntimeWarning, stacklevel=2)

    def _hints_of(self, implementation: Any) -> dict[str, Any]:
        cached = self._hints.get(implementation)
        if cached is None:
            cached = _annotations_of(implementation)
            with self._lock:
                self._hints[implementation] = cached
        return cached


def _check(value: object, hint: object) -> None:
    from typeguard import CollectionCheckStrategy, ForwardRefPolicy, check_type

    check_type(
        value,
        hint,
        collection_check_strategy=CollectionCheckStrategy.ALL_ITEMS,
        forward_ref_policy=ForwardRefPolicy.IGNORE,
    )


def _annotations_of(implementation: Any) -> dict[str, Any]:
    """The evaluated parameter annotations of a class's ``__init__`` or of a function.

    Annotations that cannot be evaluated (names imported only under ``TYPE_CHECKING``) are
    skipped rather than failing the whole plugin.
    """
    target = implementation
    if isinstance(implementation, type):
        target = getattr(implementation, "__init__", None)
        if target is None or target is object.__init__:
            return {}
    try:
        hints = typing.get_type_hints(target)
    except Exception:  # a forward reference that does not resolve: take them one by one
        hints = {}
        raw = getattr(target, "__annotations__", {})
        namespace = getattr(target, "__globals__", {})
        for name, annotation in raw.items():
            if not isinstance(annotation, str):
                hints[name] = annotation
                continue
            try:
                hints[name] = eval(annotation, namespace)  # the annotation's own module
            except Exception:
                _logger().debug(
                    "skipping the type check of parameter %s: cannot evaluate %r",
                    name,
                    annotation,
                    extra={"parameter": name, "annotation": annotation},
                )
    hints.pop("return", None)
    return hints
