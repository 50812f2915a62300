"""``@plugin`` and ``@factory``: pure markers.

A decorator validates its arguments, attaches one frozen `PluginSpec` to the object under
`SPEC_ATTRIBUTE` and returns the very same object. Nothing is registered anywhere: importing a
module that uses them has no effect beyond defining its classes and functions. The build step
reads the same declarations from source, without importing it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NoReturn, TypeVar

from mreg_di._spec import PluginKind, PluginSpec, PluginType, Scope
from mreg_di._validation import (
    PROFILES_HINT,
    check_identifier_list,
    check_metadata,
    check_name,
    check_profiles,
    check_requirement,
    check_scope,
    check_version,
)

__all__ = ["SPEC_ATTRIBUTE", "factory", "first_paragraph", "plugin", "spec_of"]

SPEC_ATTRIBUTE = "__mreg_plugin__"
"""The attribute a decorated class or function carries its `PluginSpec` under."""

_T = TypeVar("_T")
_C = TypeVar("_C", bound=type[Any])
_F = TypeVar("_F", bound=Callable[..., Any])


def first_paragraph(doc: str | None) -> str:
    """The first paragraph of a docstring, on one line.

    Example:
        >>> first_paragraph('''Compress with gzip.
        ...
        ...     Details nobody reads.''')
        'Compress with gzip.'
    """
    if not doc:
        return ""
    paragraph = inspect.cleandoc(doc).split("\n\n", 1)[0]
    return " ".join(line.strip() for line in paragraph.splitlines()).strip()


def qualified_name(obj: object) -> str:
    """``module.qualname`` of a class or function, or the string itself."""
    if isinstance(obj, str):
        return obj
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        raise TypeError(f"`provides` entries must be classes or qualified names, not {obj!r}")
    return f"{module}.{qualname}"


def _fail(owner: str, reason: str, error: type[Exception] = ValueError) -> NoReturn:
    raise error(f"{owner}: {reason}")


def _build_spec(
    obj: Any,
    kind: PluginKind,
    name: str,
    version: str,
    type: str | PluginType,
    capabilities: Iterable[str],
    provides: Iterable[object],
    requires: Iterable[str],
    scope: str,
    profiles: Iterable[str],
    permissions: Iterable[str],
    priority: int,
    metadata: Mapping[str, Any] | None,
    description: str | None,
    variants: Iterable[str],
) -> PluginSpec:
    decorator = "@plugin" if kind == "class" else "@factory"
    owner = f"{decorator}({name!r}) on {getattr(obj, '__qualname__', obj)!r}"
    if kind == "class" and not inspect.isclass(obj):
        _fail(owner, "@plugin decorates classes; use @factory for functions", TypeError)
    if kind == "factory" and (inspect.isclass(obj) or not callable(obj)):
        _fail(owner, "@factory decorates functions; use @plugin for classes", TypeError)
    reason = check_name(name)
    if reason:
        _fail(owner, reason, TypeError if not isinstance(name, str) else ValueError)
    reason = check_version(version)
    if reason:
        _fail(owner, reason, TypeError if not isinstance(version, str) else ValueError)
    if not isinstance(type, str) or not type:
        _fail(owner, f"type must be a non-empty string or PluginType, not {type!r}", TypeError)
    reason = check_scope(scope)
    if reason:
        _fail(owner, reason)
    if not isinstance(priority, int) or isinstance(priority, bool):
        _fail(owner, f"priority must be an int, not {priority!r}", TypeError)
    if description is not None and not isinstance(description, str):
        _fail(owner, f"description must be a string, not {description!r}", TypeError)
    lists = {
        "capabilities": capabilities,
        "profiles": profiles,
        "permissions": permissions,
        "variants": variants,
        "requires": requires,
    }
    for field, value in lists.items():
        if _is_iterable(value):
            # Iterate once: a generator or iterator must not be consumed by the check.
            value = lists[field] = list(value)
        reason = check_identifier_list(value, field)
        if reason:
            _fail(owner, reason, TypeError)
    reason = check_profiles(lists["profiles"])
    if reason:
        _fail(owner, f"{reason}\nHint: {PROFILES_HINT}")
    for requirement in lists["requires"]:
        reason = check_requirement(requirement)
        if reason:
            _fail(owner, reason)
    if isinstance(provides, str) or not _is_iterable(provides):
        _fail(owner, f"provides must be a list of classes, not {provides!r}", TypeError)
    try:
        provided = tuple(qualified_name(item) for item in provides)
    except TypeError as exc:
        _fail(owner, str(exc), TypeError)
    if metadata is not None and not isinstance(metadata, Mapping):
        _fail(owner, f"metadata must be a dict, not {metadata.__class__.__name__}", TypeError)
    meta = dict(metadata or {})
    reason = check_metadata(meta, "metadata")
    if reason:
        _fail(owner, reason, TypeError)
    variant_list = tuple(lists["variants"])
    if kind == "factory":
        takes_variant = "variant" in inspect.signature(obj).parameters
        if takes_variant and not variant_list:
            _fail(
                owner, "the factory takes a `variant` parameter but declares no variants", TypeError
            )
        if variant_list and not takes_variant:
            _fail(
                owner, "the factory declares variants but takes no `variant` parameter", TypeError
            )
    elif variant_list:
        _fail(owner, "variants are for @factory functions, not classes", TypeError)
    return PluginSpec(
        name=name,
        version=version,
        type=str(type),
        capabilities=tuple(lists["capabilities"]),
        provides=provided,
        requires=tuple(lists["requires"]),
        scope=scope,  # type: ignore[arg-type]  # checked by check_scope above
        profiles=tuple(lists["profiles"]),
        permissions=tuple(lists["permissions"]),
        priority=priority,
        metadata=meta,
        description=first_paragraph(obj.__doc__) if description is None else description,
        variants=variant_list,
        kind=kind,
    )


def _is_iterable(value: object) -> bool:
    return isinstance(value, (list, tuple, set, frozenset)) or (
        hasattr(value, "__iter__") and not isinstance(value, (str, bytes, Mapping))
    )


def plugin(
    name: str,
    *,
    version: str = "0.0.0",
    type: str | PluginType = PluginType.GENERIC,
    capabilities: Sequence[str] = (),
    provides: Sequence[object] = (),
    requires: Sequence[str] = (),
    scope: Scope = "singleton",
    profiles: Sequence[str] = (),
    permissions: Sequence[str] = (),
    priority: int = 0,
    metadata: Mapping[str, Any] | None = None,
    description: str | None = None,
) -> Callable[[_C], _C]:
    """Declare a class as a plugin. The class is returned unchanged.

    Arguments must be literals so that ``mreg-codegen`` can read them without importing the
    module. Invalid arguments raise `TypeError` / `ValueError` when the class is decorated.

    Args:
        name: Unique name in a manifest.
        version: PEP 440 version.
        type: A `PluginType` or any other string.
        capabilities: What the plugin can do.
        provides: Interfaces (Protocols, ABCs or classes) it is bound to.
        requires: Named dependencies with PEP 440 specifiers, e.g. ``"storage>=1.0"``.
        scope: ``"singleton"`` (default), ``"factory"`` or ``"thread"``.
        profiles: Profiles it is active in; empty means all.
        permissions: Permissions it needs.
        priority: Higher wins among several providers of one interface.
        metadata: JSON-compatible extra data.
        description: Defaults to the first paragraph of the class docstring.

    Example:
        >>> @plugin("memory-storage", version="1.0", type=PluginType.STORAGE)
        ... class MemoryStorage:
        ...     '''Keeps blobs in a dict.'''
        >>> spec_of(MemoryStorage).description
        'Keeps blobs in a dict.'
    """

    def decorate(cls: _C) -> _C:
        spec = _build_spec(
            cls,
            "class",
            name,
            version,
            type,
            capabilities,
            provides,
            requires,
            scope,
            profiles,
            permissions,
            priority,
            metadata,
            description,
            (),
        )
        setattr(cls, SPEC_ATTRIBUTE, spec)
        return cls

    return decorate


def factory(
    name: str,
    *,
    version: str = "0.0.0",
    type: str | PluginType = PluginType.GENERIC,
    capabilities: Sequence[str] = (),
    provides: Sequence[object] = (),
    requires: Sequence[str] = (),
    scope: Scope = "singleton",
    profiles: Sequence[str] = (),
    permissions: Sequence[str] = (),
    priority: int = 0,
    metadata: Mapping[str, Any] | None = None,
    description: str | None = None,
    variants: Sequence[str] = (),
) -> Callable[[_F], _F]:
    """Declare a function as a plugin factory. The function is returned unchanged.

    A factory with `variants` must take a ``variant`` parameter, and one taking ``variant`` must
    declare its variants. Its other parameters are injected like a constructor's.

    Example:
        >>> @factory("processor-factory", variants=["fast", "batch"])
        ... def make_processor(variant: str) -> object:
        ...     '''Build a processor.'''
        ...     return object()
        >>> spec_of(make_processor).variants
        ('fast', 'batch')
    """

    def decorate(func: _F) -> _F:
        # Written above @staticmethod, the decorator gets the staticmethod object: the spec
        # goes on the function inside, which is what `Cls.make` gives the registry.
        target = func.__func__ if isinstance(func, staticmethod) else func
        spec = _build_spec(
            target,
            "factory",
            name,
            version,
            type,
            capabilities,
            provides,
            requires,
            scope,
            profiles,
            permissions,
            priority,
            metadata,
            description,
            variants,
        )
        setattr(target, SPEC_ATTRIBUTE, spec)
        return func

    return decorate


def spec_of(obj: object) -> PluginSpec:
    """The `PluginSpec` attached to a decorated class or function.

    Raises:
        TypeError: `obj` was not decorated with ``@plugin`` or ``@factory``.

    Example:
        >>> spec_of(int)
        Traceback (most recent call last):
        ...
        TypeError: int is not decorated with @plugin or @factory
    """
    spec = obj.__dict__.get(SPEC_ATTRIBUTE) if hasattr(obj, "__dict__") else None
    if not isinstance(spec, PluginSpec):
        label = getattr(obj, "__qualname__", repr(obj))
        raise TypeError(f"{label} is not decorated with @plugin or @factory")
    return spec
