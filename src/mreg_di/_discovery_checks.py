"""Argument checks for discovery: one rule and one message per filter, wherever it is given.

The discovery methods (`mreg_di._discovery_index.Discovery`) check their keyword arguments
with these functions, and the query objects (`mreg_di._queries`) their fields, so a bad filter
gets the same message whether it is passed to a query method or written into a query object.

Imported on the first query (or query object), not at start-up; ``packaging`` is imported only
by `check_version_filter`, when called.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mreg_di._validation import check_identifier_list

__all__ = [
    "ALL_PROFILES",
    "check_interface",
    "check_limit",
    "check_metadata_filter",
    "check_profile",
    "check_strings",
    "check_text",
    "check_type",
    "check_version_filter",
]

ALL_PROFILES = "*"
"""Pass as ``profile`` to query every plugin, whatever profiles it is restricted to."""


def check_strings(value: object, what: str) -> tuple[str, ...]:
    """`value` as a tuple of non-empty strings, or `TypeError` naming `what`.

    Example:
        >>> check_strings(["compression"], "capabilities")
        ('compression',)
        >>> check_strings("compression", "capabilities")
        Traceback (most recent call last):
        ...
        TypeError: capabilities must be a list of strings, not the string 'compression'
        Hint: write capabilities=['compression']
    """
    if isinstance(value, str):
        raise TypeError(
            f"{what} must be a list of strings, not the string {value!r}\n"
            f"Hint: write {what}=[{value!r}]"
        )
    items = list(value) if isinstance(value, Iterable) else value
    reason = check_identifier_list(items, what)
    if reason:
        raise TypeError(reason)
    return tuple(items)  # type: ignore[arg-type]  # checked just above


def check_type(value: object) -> str | None:
    """A plugin type filter: ``None``, a `PluginType` or a non-empty string, as a string.

    Example:
        >>> check_type("storage"), check_type(None)
        ('storage', None)
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"type must be a PluginType or a string, not {value!r}")
    if not value:
        raise ValueError("type must not be empty; pass None to accept every type")
    return str(value)


def check_interface(value: object) -> str | None:
    """An interface filter: ``None``, a class or its fully qualified name, as the name.

    Example:
        >>> check_interface("acme.Compressor"), check_interface(None)
        ('acme.Compressor', None)
        >>> check_interface(int)
        'builtins.int'
    """
    if value is None:
        return None
    if isinstance(value, str):
        if not value:
            raise ValueError("provides must not be empty; pass None to accept every plugin")
        return value
    module = getattr(value, "__module__", None)
    qualname = getattr(value, "__qualname__", None)
    if not isinstance(value, type) or not isinstance(module, str) or not qualname:
        raise TypeError(f"provides must be a class or a fully qualified name, not {value!r}")
    return f"{module}.{qualname}"


def check_version_filter(value: object) -> str | None:
    """A version filter: ``None``, PEP 440 specifiers, or a bare version meaning ``==`` it.

    Example:
        >>> check_version_filter(">=1.0, <2"), check_version_filter("2.1")
        ('>=1.0,<2', '==2.1')
        >>> check_version_filter(">>1")
        Traceback (most recent call last):
        ...
        ValueError: version filter '>>1' is not a PEP 440 version or specifier
        Hint: use specifiers such as '>=1.0,<2', or a bare version such as '2.1.0'
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"version must be a string such as '>=1.0', not {value!r}")
    from packaging.specifiers import InvalidSpecifier, Specifier
    from packaging.version import InvalidVersion, Version

    text = value.strip()
    try:
        if text[:1].isdigit():
            return f"=={Version(text)}"
        # Clause by clause, in the user's order (SpecifierSet may reorder them).
        clauses = [str(Specifier(clause.strip())) for clause in text.split(",")]
    except (InvalidSpecifier, InvalidVersion):
        clauses = []
    if not clauses:
        raise ValueError(
            f"version filter {value!r} is not a PEP 440 version or specifier\n"
            "Hint: use specifiers such as '>=1.0,<2', or a bare version such as '2.1.0'"
        )
    return ",".join(clauses)


def check_metadata_filter(value: object) -> dict[str, Any] | None:
    """A metadata filter: ``None`` or a mapping of string keys to JSON values.

    Example:
        >>> check_metadata_filter({"mode": "batch"})
        {'mode': 'batch'}
    """
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise TypeError(f"metadata must be a mapping such as {{'mode': 'batch'}}, not {value!r}")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"metadata keys must be strings, found {key!r}")
    return dict(value)


def check_profile(value: object) -> str | None:
    """A profile: ``None`` (the caller's default), `ALL_PROFILES` or a profile name.

    Example:
        >>> check_profile("production"), check_profile("*"), check_profile(None)
        ('production', '*', None)
    """
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"profile must be a string, not {value!r}")
    if not value:
        raise ValueError(f"profile must not be empty; pass {ALL_PROFILES!r} for every profile")
    return value


def check_limit(value: object) -> int | None:
    """A result limit: ``None`` or a positive integer.

    Example:
        >>> check_limit(5), check_limit(None)
        (5, None)
    """
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"limit must be a positive integer or None, not {value!r}")
    if value < 1:
        raise ValueError(f"limit must be a positive integer or None, not {value!r}")
    return value


def check_text(value: object, what: str) -> str:
    """Free text for semantic queries (an intent, a context).

    Example:
        >>> check_text("compress data", "intent")
        'compress data'
    """
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a string, not {value!r}")
    return value
