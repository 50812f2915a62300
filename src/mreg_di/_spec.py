"""Value objects describing plugins: what is declared, where it lives, what it takes.

`PluginSpec` is what a decorator declares (and what discovery returns). `PluginRecord` adds
where the declaration lives and its constructor parameters; it is one entry of a manifest.
Both convert to and from the manifest's JSON form with `to_json` / `from_json`; the manifest
loader has already validated the data when `from_json` runs.

They are frozen, slotted dataclasses rather than attrs classes (the house style for value
objects) because they are on the first-use path: every plugin module imports the decorators,
and the first ``get`` builds records. Importing attrs there cost 11 to 15 ms of a ~70 ms first
``get`` on the benchmark machine, while ``dataclasses`` costs under 1 ms once ``inspect`` is
loaded (the decorators and dependency-injector load it anyway). `dataclasses.replace` makes a
changed copy (the classes' own ``__init__`` converts its lists).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from enum import StrEnum
from typing import Any, Literal

from mreg_di._validation import is_active

__all__ = ["ParameterSpec", "PluginKind", "PluginRecord", "PluginSpec", "PluginType", "Scope"]

Scope = Literal["singleton", "factory", "thread"]
"""How many instances a plugin has: one per registry, one per request, or one per thread."""

PluginKind = Literal["class", "factory"]
"""What a declaration decorates."""


class PluginType(StrEnum):
    """The plugin types of the `module-registry` seed. Plain strings are accepted too.

    Members compare equal to their string values, so ``type="storage"`` and
    ``type=PluginType.STORAGE`` declare the same thing.

    Example:
        >>> PluginType.DATA_PROCESSOR == "data-processor"
        True
    """

    DATA_PROCESSOR = "data-processor"
    ANALYZER = "analyzer"
    STORAGE = "storage"
    SECURITY = "security"
    MONITORING = "monitoring"
    NETWORK = "network"
    TRANSFORMER = "transformer"
    GENERIC = "generic"


@dataclasses.dataclass(frozen=True, slots=True, init=False)
class PluginSpec:
    """What a ``@plugin`` / ``@factory`` declaration says about a plugin.

    Attributes:
        name: Unique name in a manifest.
        version: PEP 440 version.
        type: A `PluginType` value or any other string.
        capabilities: What the plugin can do, free-form words.
        provides: Fully qualified names of the interfaces it is bound to.
        requires: Named dependencies with PEP 440 specifiers, e.g. ``"storage>=1.0"``.
        scope: ``"singleton"``, ``"factory"`` or ``"thread"``.
        profiles: Profiles it is active in; empty means every profile.
        permissions: Permissions it needs.
        priority: Higher wins among several providers of one interface.
        metadata: Free-form JSON-compatible data.
        description: Defaults to the first paragraph of the docstring.
        variants: For factories, the variants it can build.
        kind: ``"class"`` or ``"factory"``.

    Example:
        >>> PluginSpec("gzip", version="2.1.0", capabilities=["compression"]).capabilities
        ('compression',)
    """

    name: str
    version: str
    type: str
    capabilities: tuple[str, ...]
    provides: tuple[str, ...]
    requires: tuple[str, ...]
    scope: Scope
    profiles: tuple[str, ...]
    permissions: tuple[str, ...]
    priority: int
    # Compared like every other field; left out of the hash only because a dict has none.
    metadata: Mapping[str, Any] = dataclasses.field(hash=False)
    description: str
    variants: tuple[str, ...]
    kind: PluginKind

    def __init__(
        self,
        name: str,
        version: str = "0.0.0",
        type: str = "generic",  # the field's name in the manifest and the seed
        capabilities: Iterable[str] = (),
        provides: Iterable[str] = (),
        requires: Iterable[str] = (),
        scope: Scope = "singleton",
        profiles: Iterable[str] = (),
        permissions: Iterable[str] = (),
        priority: int = 0,
        metadata: Mapping[str, Any] | None = None,
        description: str = "",
        variants: Iterable[str] = (),
        kind: PluginKind = "class",
    ) -> None:
        # Word lists are stored as tuples, whatever iterable was given. metadata is copied, so
        # the caller's dict cannot change the spec; a plain dict (not a read-only proxy)
        # because records cross process boundaries in the build step and must pickle.
        fields = (
            ("name", name),
            ("version", version),
            ("type", type),
            ("capabilities", tuple(capabilities)),
            ("provides", tuple(provides)),
            ("requires", tuple(requires)),
            ("scope", scope),
            ("profiles", tuple(profiles)),
            ("permissions", tuple(permissions)),
            ("priority", priority),
            ("metadata", dict(metadata or {})),
            ("description", description),
            ("variants", tuple(variants)),
            ("kind", kind),
        )
        for field, value in fields:
            object.__setattr__(self, field, value)

    def is_active_in(self, profile: str | None) -> bool:
        """Whether the plugin is active in `profile` (``None`` or ``"default"``: no profile).

        Example:
            >>> PluginSpec("mock", profiles=["test"]).is_active_in("test")
            True
            >>> PluginSpec("mock", profiles=["test"]).is_active_in(None)
            False
        """
        return is_active(self.profiles, profile)

    def to_json(self) -> dict[str, Any]:
        """The spec's fields as the manifest stores them."""
        return {
            "name": self.name,
            "version": self.version,
            "type": str(self.type),
            "capabilities": list(self.capabilities),
            "provides": list(self.provides),
            "requires": list(self.requires),
            "scope": self.scope,
            "profiles": list(self.profiles),
            "permissions": list(self.permissions),
            "priority": self.priority,
            "metadata": dict(self.metadata),
            "description": self.description,
            "variants": list(self.variants),
            "kind": self.kind,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PluginSpec:
        """Build a spec from validated manifest data."""
        return cls(
            name=data["name"],
            version=data["version"],
            type=data["type"],
            capabilities=data["capabilities"],
            provides=data["provides"],
            requires=data["requires"],
            scope=data["scope"],
            profiles=data["profiles"],
            permissions=data["permissions"],
            priority=data["priority"],
            metadata=data["metadata"],
            description=data["description"],
            variants=data["variants"],
            kind=data["kind"],
        )


@dataclasses.dataclass(frozen=True, slots=True)
class ParameterSpec:
    """One constructor (or factory) parameter, with its annotation resolved.

    A parameter whose `interface` is set is injected from the graph; any other parameter is a
    value parameter, filled from configuration or its default.

    Attributes:
        name: The parameter's name.
        annotation: The annotation with names fully qualified, e.g.
            ``"list[acme.interfaces.Sink]"``; ``None`` when there is none.
        interface: The fully qualified interface to inject, or ``None`` for a value parameter.
        many: ``list[X]`` / ``Sequence[X]``: inject every active provider of `interface`.
        optional: ``X | None``, ``Optional[X]`` or a default: may stay unprovided.
        has_default: The parameter has a default value.
        line: 1-based line of the parameter in its file, 0 when unknown.

    Example:
        >>> ParameterSpec("storage", "acme.Storage", "acme.Storage").is_injected
        True
    """

    name: str
    annotation: str | None = None
    interface: str | None = None
    many: bool = False
    optional: bool = False
    has_default: bool = False
    line: int = 0

    @property
    def is_injected(self) -> bool:
        """Whether the parameter is filled from the graph rather than from configuration."""
        return self.interface is not None

    def to_json(self) -> dict[str, Any]:
        """The parameter as the manifest stores it."""
        return {
            "name": self.name,
            "annotation": self.annotation,
            "interface": self.interface,
            "many": self.many,
            "optional": self.optional,
            "has_default": self.has_default,
            "line": self.line,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ParameterSpec:
        """Build a parameter from validated manifest data."""
        return cls(
            name=data["name"],
            annotation=data["annotation"],
            interface=data["interface"],
            many=data["many"],
            optional=data["optional"],
            has_default=data["has_default"],
            line=data["line"],
        )


@dataclasses.dataclass(frozen=True, slots=True, init=False)
class PluginRecord:
    """A plugin as the manifest knows it: its spec, where it lives and what it takes.

    Attributes:
        spec: The declaration.
        module: The importable module name, e.g. ``"acme.compression"``.
        qualname: The qualified name inside the module, e.g. ``"GzipCompressor"``.
        file: The file, relative to the manifest's directory, in POSIX form; ``None`` for a
            plugin registered at run time.
        line: 1-based line of the decorated definition, 0 when unknown.
        column: 1-based column of the decorator, 0 when unknown.
        parameters: Constructor (or factory) parameters, in order.

    Example:
        >>> rec = PluginRecord(PluginSpec("gzip"), "acme.gz", "Gzip", "acme/gz.py", 12)
        >>> rec.target, rec.location
        ('acme.gz:Gzip', 'acme/gz.py:12')
    """

    spec: PluginSpec
    module: str
    qualname: str
    file: str | None
    line: int
    column: int
    parameters: tuple[ParameterSpec, ...]

    def __init__(
        self,
        spec: PluginSpec,
        module: str,
        qualname: str,
        file: str | None = None,
        line: int = 0,
        column: int = 0,
        parameters: Iterable[ParameterSpec] = (),
    ) -> None:
        fields = (
            ("spec", spec),
            ("module", module),
            ("qualname", qualname),
            ("file", file),
            ("line", line),
            ("column", column),
            ("parameters", tuple(parameters)),
        )
        for field, value in fields:
            object.__setattr__(self, field, value)

    @property
    def name(self) -> str:
        """The plugin's name (``spec.name``)."""
        return self.spec.name

    @property
    def target(self) -> str:
        """``module:qualname``, the entry-point style reference to the implementation."""
        return f"{self.module}:{self.qualname}"

    @property
    def qualified_name(self) -> str:
        """``module.qualname``, the implementation's fully qualified name."""
        return f"{self.module}.{self.qualname}"

    @property
    def location(self) -> str:
        """``file:line`` for messages (``module:qualname`` when there is no file)."""
        if self.file is None:
            return self.target
        return f"{self.file}:{self.line}" if self.line else self.file

    def provides_interface(self, interface: str) -> bool:
        """Whether the plugin is bound to `interface` (declared, a base class, or itself)."""
        return interface in self.spec.provides or interface == self.qualified_name

    def to_json(self) -> dict[str, Any]:
        """The record as the manifest stores it (one flat object)."""
        data = self.spec.to_json()
        data.update(
            module=self.module,
            qualname=self.qualname,
            file=self.file,
            line=self.line,
            column=self.column,
            parameters=[p.to_json() for p in self.parameters],
        )
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> PluginRecord:
        """Build a record from validated manifest data."""
        return cls(
            spec=PluginSpec.from_json(data),
            module=data["module"],
            qualname=data["qualname"],
            file=data["file"],
            line=data["line"],
            column=data["column"],
            parameters=tuple(ParameterSpec.from_json(p) for p in data["parameters"]),
        )
