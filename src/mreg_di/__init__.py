"""mreg-di: dependency injection with compile-time plugin discovery.

Declare plugins with `plugin` / `factory`, run ``mreg-codegen scan`` at build time, and wire
them at start-up with `ModuleRegistry.from_manifest`.

Public names are loaded on first access (PEP 562): ``import mreg_di`` costs almost nothing, and
``from mreg_di import ModuleRegistry`` loads only what start-up needs. attrs, networkx,
typeguard and dependency-injector stay unimported until something asks for them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mreg_di._config import Configuration
    from mreg_di._decorators import factory, plugin, spec_of
    from mreg_di._discovery import ALL_PROFILES, Discovery, discover, discover_semantically
    from mreg_di._errors import (
        LifecycleError,
        ManifestError,
        MregError,
        PluginNotFoundError,
        PluginTypeError,
        ResolutionError,
        StaleManifestError,
    )
    from mreg_di._manifest import SCHEMA_VERSION, Manifest
    from mreg_di._problems import Problem, ProblemKind
    from mreg_di._protocols import AdvancedPlugin, Plugin
    from mreg_di._queries import PluginCapabilityQuery, PluginDiscoveryQuery, PluginSemanticQuery
    from mreg_di._registration import PluginConfig
    from mreg_di._registry import ModuleRegistry
    from mreg_di._semantic import SemanticMatch, TermMatch
    from mreg_di._spec import ParameterSpec, PluginRecord, PluginSpec, PluginType, Scope

__version__ = "0.1.0"

# Public name -> private module defining it.
_EXPORTS: dict[str, str] = {
    "plugin": "mreg_di._decorators",
    "factory": "mreg_di._decorators",
    "spec_of": "mreg_di._decorators",
    "MregError": "mreg_di._errors",
    "ManifestError": "mreg_di._errors",
    "StaleManifestError": "mreg_di._errors",
    "ResolutionError": "mreg_di._errors",
    "PluginNotFoundError": "mreg_di._errors",
    "PluginTypeError": "mreg_di._errors",
    "LifecycleError": "mreg_di._errors",
    "Manifest": "mreg_di._manifest",
    "SCHEMA_VERSION": "mreg_di._manifest",
    "Problem": "mreg_di._problems",
    "ProblemKind": "mreg_di._problems",
    "ParameterSpec": "mreg_di._spec",
    "PluginRecord": "mreg_di._spec",
    "PluginSpec": "mreg_di._spec",
    "PluginType": "mreg_di._spec",
    "Scope": "mreg_di._spec",
    "ModuleRegistry": "mreg_di._registry",
    "Configuration": "mreg_di._config",
    "PluginConfig": "mreg_di._registration",
    "PluginDiscoveryQuery": "mreg_di._queries",
    "PluginCapabilityQuery": "mreg_di._queries",
    "PluginSemanticQuery": "mreg_di._queries",
    "Plugin": "mreg_di._protocols",
    "AdvancedPlugin": "mreg_di._protocols",
    "SemanticMatch": "mreg_di._semantic",
    "TermMatch": "mreg_di._semantic",
    "Discovery": "mreg_di._discovery",
    "ALL_PROFILES": "mreg_di._discovery",
    "discover": "mreg_di._discovery",
    "discover_semantically": "mreg_di._discovery",
}

__all__ = [
    "ALL_PROFILES",
    "SCHEMA_VERSION",
    "AdvancedPlugin",
    "Configuration",
    "Discovery",
    "LifecycleError",
    "Manifest",
    "ManifestError",
    "ModuleRegistry",
    "MregError",
    "ParameterSpec",
    "Plugin",
    "PluginCapabilityQuery",
    "PluginConfig",
    "PluginDiscoveryQuery",
    "PluginNotFoundError",
    "PluginRecord",
    "PluginSemanticQuery",
    "PluginSpec",
    "PluginType",
    "PluginTypeError",
    "Problem",
    "ProblemKind",
    "ResolutionError",
    "Scope",
    "SemanticMatch",
    "StaleManifestError",
    "TermMatch",
    "discover",
    "discover_semantically",
    "factory",
    "plugin",
    "spec_of",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mreg_di' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later lookups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
