"""Query objects in the seed's style, for callers who build a query once and run it often.

Each is a frozen attrs class whose fields are checked when it is built, with the same rules
and messages as the keyword arguments of the discovery methods, so a bad query fails where it
is written rather than where it is run. ``registry.discover_plugins(query)`` and friends take
them in place of keyword arguments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from mreg_di._discovery_checks import (
    check_interface,
    check_limit,
    check_metadata_filter,
    check_profile,
    check_strings,
    check_text,
    check_type,
    check_version_filter,
)

__all__ = ["PluginCapabilityQuery", "PluginDiscoveryQuery", "PluginSemanticQuery"]


def _capabilities(value: Iterable[str]) -> tuple[str, ...]:
    return check_strings(value, "capabilities")


def _optional_capabilities(value: Iterable[str]) -> tuple[str, ...]:
    return check_strings(value, "optional_capabilities")


def _required(value: Iterable[str]) -> tuple[str, ...]:
    return check_strings(value, "required")


def _optional(value: Iterable[str]) -> tuple[str, ...]:
    return check_strings(value, "optional")


def _requirements(value: Iterable[str]) -> tuple[str, ...]:
    return check_strings(value, "requirements")


def _intent(value: str) -> str:
    return check_text(value, "intent")


def _context(value: str | None) -> str | None:
    return None if value is None else check_text(value, "context")


def _metadata(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    return check_metadata_filter(value)


@attrs.frozen
class PluginDiscoveryQuery:
    """A structured query: every filter of ``discover_plugins`` in one object.

    Attributes:
        type: Only plugins of this type (a `PluginType` is stored as its string).
        capabilities: Required capabilities.
        optional_capabilities: Preferred capabilities, used for ranking.
        provides: Only plugins bound to this interface (a class is stored as its name).
        version: PEP 440 specifiers (a bare version is stored as ``==`` it).
        profile: The profile to query; ``None`` means the registry's.
        metadata: Key/value pairs the plugin's metadata must contain.

    Example:
        >>> from mreg_di import PluginType
        >>> PluginDiscoveryQuery(type=PluginType.STORAGE, version="2.0")
        PluginDiscoveryQuery(type='storage', capabilities=(), optional_capabilities=(), \
provides=None, version='==2.0', profile=None, metadata=None)
    """

    type: str | None = attrs.field(default=None, converter=check_type)
    capabilities: tuple[str, ...] = attrs.field(default=(), converter=_capabilities)
    optional_capabilities: tuple[str, ...] = attrs.field(
        default=(), converter=_optional_capabilities
    )
    provides: str | None = attrs.field(default=None, converter=check_interface)
    version: str | None = attrs.field(default=None, converter=check_version_filter)
    profile: str | None = attrs.field(default=None, converter=check_profile)
    metadata: Mapping[str, Any] | None = attrs.field(default=None, converter=_metadata, hash=False)


@attrs.frozen
class PluginCapabilityQuery:
    """A capability query: what a plugin must do, and what it preferably also does.

    Attributes:
        required: Capabilities every result declares.
        optional: Capabilities that rank a result higher.
        profile: The profile to query; ``None`` means the registry's.

    Example:
        >>> PluginCapabilityQuery(required=["encryption"], optional=["monitoring"])
        PluginCapabilityQuery(required=('encryption',), optional=('monitoring',), profile=None)
    """

    required: tuple[str, ...] = attrs.field(default=(), converter=_required)
    optional: tuple[str, ...] = attrs.field(default=(), converter=_optional)
    profile: str | None = attrs.field(default=None, converter=check_profile)


@attrs.frozen
class PluginSemanticQuery:
    """A semantic query: what the plugin is for, in words.

    Attributes:
        intent: What the plugin should do, e.g. ``"compress data"``.
        context: Softer preferences, e.g. ``"high performance"``.
        requirements: Capabilities every result must declare.
        limit: At most this many results.
        profile: The profile to query; ``None`` means the registry's.

    Example:
        >>> PluginSemanticQuery("compress data", context="high performance").requirements
        ()
    """

    intent: str = attrs.field(converter=_intent)
    context: str | None = attrs.field(default=None, converter=_context)
    requirements: tuple[str, ...] = attrs.field(default=(), converter=_requirements)
    limit: int | None = attrs.field(default=None, converter=check_limit)
    profile: str | None = attrs.field(default=None, converter=check_profile)
