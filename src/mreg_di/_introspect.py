"""A `PluginRecord` from a live class or function, for plugins registered at run time.

The build step reads declarations from source; runtime registration reads the same facts from
the objects themselves, with the same rules, so a plugin behaves alike either way:

- parameters come from `inspect.signature` and `typing.get_type_hints`, and each is classified
  with `mreg_di._annotations.is_value_type`: an annotation from the standard library (or none)
  is a configuration value, any other class is injected; ``list[X]``/``Sequence[X]`` take every
  provider, ``X | None`` and a default make the parameter optional;
- ``provides`` is what the declaration lists plus the class's direct base classes, except
  ``object``, ``Protocol``, ``Generic`` and ``ABC``.
"""

from __future__ import annotations

import abc
import dataclasses
import inspect
import types
import typing
from typing import Any, NamedTuple

from mreg_di._annotations import SEQUENCE_FORMS, is_value_type
from mreg_di._spec import ParameterSpec, PluginKind, PluginRecord, PluginSpec

__all__ = ["Classified", "bases_of", "classify", "parameters_of", "record_of", "render"]

_IGNORED_BASES = (object, typing.Protocol, typing.Generic, abc.ABC)
_NONE = type(None)


class Classified(NamedTuple):
    """How one annotation is wired: its text, the interface to inject, many, optional."""

    annotation: str | None
    interface: str | None
    many: bool
    optional: bool


def _qualified(obj: Any) -> str:
    return f"{obj.__module__}.{obj.__qualname__}"


def render(hint: Any) -> str:
    """An annotation as text, classes fully qualified and builtins bare.

    Example:
        >>> import collections.abc
        >>> render(list[collections.abc.Sized] | None)
        'list[collections.abc.Sized] | None'
    """
    if hint is _NONE or hint is None:
        return "None"
    if hint is Ellipsis:
        return "..."
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(render(arg) for arg in typing.get_args(hint))
    if origin is not None:
        args = typing.get_args(hint)
        head = render(origin)
        return f"{head}[{', '.join(render(arg) for arg in args)}]" if args else head
    if isinstance(hint, type):
        return hint.__qualname__ if hint.__module__ == "builtins" else _qualified(hint)
    return repr(hint)


def classify(hint: Any, *, has_default: bool = False) -> Classified:
    """Classify an evaluated annotation the way the scanner classifies its source text.

    Example:
        >>> import collections.abc, pathlib
        >>> classify(pathlib.Path).interface is None
        True
        >>> classify(list[collections.abc.Sized])
        Classified(annotation='list[collections.abc.Sized]', interface=None, many=False, \
optional=False)
    """
    if hint is inspect.Parameter.empty:
        return Classified(None, None, False, has_default)
    text = render(hint)
    value = Classified(text, None, False, has_default)
    while typing.get_origin(hint) is typing.Annotated:
        hint = typing.get_args(hint)[0]
    optional = has_default
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(hint)
        rest = [arg for arg in args if arg is not _NONE]
        optional = optional or len(rest) < len(args)
        if len(rest) != 1:
            return value._replace(optional=optional)
        hint = rest[0]
        origin = typing.get_origin(hint)
    if origin is not None:
        if not isinstance(origin, type) or _qualified(origin) not in SEQUENCE_FORMS:
            return value._replace(optional=optional)
        args = typing.get_args(hint)
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            return value._replace(optional=optional)
        inner = args[0] if args else None
        if isinstance(inner, type) and not is_value_type(_qualified(inner)):
            return Classified(text, _qualified(inner), True, optional)
        return value._replace(optional=optional)
    if isinstance(hint, type) and not is_value_type(_qualified(hint)):
        return Classified(text, _qualified(hint), False, optional)
    return value._replace(optional=optional)


def _hints(target: Any, owner: str) -> dict[str, Any]:
    try:
        return typing.get_type_hints(target, include_extras=True)
    except Exception as exc:
        raise TypeError(
            f"{owner}: cannot evaluate the annotations of its parameters ({exc})\n"
            "Hint: import every annotated type at module level (not only under "
            "TYPE_CHECKING), so the registry can tell injected parameters from values"
        ) from exc


def parameters_of(obj: Any, *, owner: str) -> tuple[ParameterSpec, ...]:
    """The constructor (class) or call (function) parameters of `obj`, classified.

    Raises:
        TypeError: A parameter is positional-only, or an annotation cannot be evaluated.
    """
    is_class = isinstance(obj, type)
    target = getattr(obj, "__init__", None) if is_class else obj
    if is_class and (target is None or target is object.__init__):
        return ()
    signature = inspect.signature(obj)
    hints = _hints(target, owner)
    parameters: list[ParameterSpec] = []
    for parameter in signature.parameters.values():
        if parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if parameter.kind is parameter.POSITIONAL_ONLY:
            raise TypeError(
                f"{owner}: parameter `{parameter.name}` is positional-only, but the registry "
                "passes every argument by keyword\nHint: remove the `/` from the signature"
            )
        has_default = parameter.default is not parameter.empty
        hint = hints.get(parameter.name, inspect.Parameter.empty)
        found = classify(hint, has_default=has_default)
        parameters.append(
            ParameterSpec(
                name=parameter.name,
                annotation=found.annotation,
                interface=found.interface,
                many=found.many,
                optional=found.optional,
                has_default=has_default,
            )
        )
    return tuple(parameters)


def bases_of(cls: type) -> list[str]:
    """Qualified names of `cls`'s direct bases that count as interfaces it provides.

    Example:
        >>> import collections.abc
        >>> class Box(collections.abc.Sized):
        ...     def __len__(self) -> int:
        ...         return 0
        >>> bases_of(Box)
        ['collections.abc.Sized']
    """
    return [_qualified(base) for base in cls.__bases__ if base not in _IGNORED_BASES]


def record_of(obj: Any, spec: PluginSpec) -> PluginRecord:
    """The record of a live class or function declared by `spec`.

    Example:
        >>> class Store: ...
        >>> record_of(Store, PluginSpec("store")).spec.provides
        ()
    """
    kind: PluginKind = "class" if isinstance(obj, type) else "factory"
    owner = f"plugin `{spec.name}` ({_qualified(obj)})"
    provides = list(spec.provides)
    if isinstance(obj, type):
        provides.extend(base for base in bases_of(obj) if base not in provides)
    return PluginRecord(
        spec=dataclasses.replace(spec, provides=tuple(provides), kind=kind),
        module=obj.__module__,
        qualname=obj.__qualname__,
        file=None,
        line=0,
        parameters=parameters_of(obj, owner=owner),
    )
