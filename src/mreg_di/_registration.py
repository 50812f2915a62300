"""Plugins registered at run time, and the catalogue that joins them to the manifest.

Two ways in, both checked before anything changes:

- a class or function decorated with ``@plugin``/``@factory`` (its spec from `spec_of`);
- the seed's style: a `PluginConfig` plus ``implementation=`` (a class) or, through
  ``register_plugin_factory``, ``factory=`` (a function) and ``variants=``.

`prepare` builds the new record, refuses a duplicate name, and re-validates the graph with
networkx (the one place the runtime imports it unasked); the registry commits the result only
when all of that succeeded, so a failed registration leaves it exactly as it was.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

import attrs

from mreg_di._catalogue import LayeredCatalogue
from mreg_di._decorators import first_paragraph, qualified_name, spec_of
from mreg_di._errors import ResolutionError
from mreg_di._introspect import record_of
from mreg_di._spec import PluginKind, PluginRecord, PluginSpec, PluginType, Scope
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

if TYPE_CHECKING:
    from mreg_di._problems import Problem

__all__ = [
    "PluginConfig",
    "Registration",
    "prepare",
    "problem_key",
    "spec_for",
]


def _strings(value: Any) -> Any:
    # A string or non-iterable is kept as is, and rejected with a message after conversion.
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value
    return tuple(value)


def _provided(value: Any) -> Any:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        return value
    return tuple(qualified_name(item) for item in value)


def _metadata(value: Any) -> Mapping[str, Any]:
    return dict(value) if isinstance(value, Mapping) else value


@attrs.frozen
class PluginConfig:
    """A plugin declared in code rather than with a decorator, as the seed registers them.

    Its fields mirror `PluginSpec`; ``dependencies`` are the seed's name for ``requires``.
    Invalid values raise `TypeError`/`ValueError` when the config is created.

    Example:
        >>> config = PluginConfig(name="memory-storage", version="1.0", type="storage",
        ...                       capabilities=["storage"], dependencies=["clock>=1"])
        >>> config.dependencies
        ('clock>=1',)
        >>> PluginConfig(name="bad name")
        Traceback (most recent call last):
        ...
        ValueError: PluginConfig(name='bad name'): plugin name 'bad name' must contain only \
letters, digits, '.', '_' and '-', and start and end with a letter or digit
    """

    name: str
    version: str = "0.0.0"
    type: str = attrs.field(default=PluginType.GENERIC, converter=str)
    capabilities: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    dependencies: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    provides: tuple[str, ...] = attrs.field(default=(), converter=_provided)
    scope: Scope = "singleton"
    profiles: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    permissions: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    priority: int = 0
    metadata: Mapping[str, Any] = attrs.field(
        factory=dict, converter=_metadata, eq=False, hash=False
    )
    description: str | None = None

    def __attrs_post_init__(self) -> None:
        def fail(reason: str, error: type[Exception] = TypeError) -> None:
            raise error(f"PluginConfig(name={self.name!r}): {reason}")

        reason = check_name(self.name)
        if reason:
            fail(reason, TypeError if not isinstance(self.name, str) else ValueError)
        reason = check_version(self.version)
        if reason:
            fail(reason, TypeError if not isinstance(self.version, str) else ValueError)
        reason = check_scope(self.scope)
        if reason:
            fail(reason, ValueError)
        if not isinstance(self.priority, int) or isinstance(self.priority, bool):
            fail(f"priority must be an int, not {self.priority!r}")
        if self.description is not None and not isinstance(self.description, str):
            fail(f"description must be a string, not {self.description!r}")
        for field in ("capabilities", "dependencies", "profiles", "permissions"):
            reason = check_identifier_list(getattr(self, field), field)
            if reason:
                fail(reason)
        reason = check_profiles(self.profiles)
        if reason:
            fail(f"{reason}\nHint: {PROFILES_HINT}", ValueError)
        for requirement in self.dependencies:
            reason = check_requirement(requirement)
            if reason:
                fail(reason, ValueError)
        if not isinstance(self.provides, tuple):
            fail(f"provides must be a list of classes, not {self.provides!r}")
        if not isinstance(self.metadata, Mapping):
            fail(f"metadata must be a dict, not {type(self.metadata).__name__}")
        reason = check_metadata(self.metadata, "metadata")
        if reason:
            fail(reason)

    def to_spec(
        self, implementation: object, kind: PluginKind, variants: Sequence[str] = ()
    ) -> PluginSpec:
        """The `PluginSpec` this config declares for `implementation`.

        The description defaults to the first paragraph of the implementation's docstring.
        """
        doc = getattr(implementation, "__doc__", None)
        return PluginSpec(
            name=self.name,
            version=self.version,
            type=self.type,
            capabilities=self.capabilities,
            provides=self.provides,
            requires=self.dependencies,
            scope=self.scope,
            profiles=self.profiles,
            permissions=self.permissions,
            priority=self.priority,
            metadata=self.metadata,
            description=first_paragraph(doc) if self.description is None else self.description,
            variants=tuple(variants),
            kind=kind,
        )


class Registration(NamedTuple):
    """A checked registration, ready to commit."""

    record: PluginRecord
    implementation: object
    catalogue: LayeredCatalogue
    problems: list[Problem]


def problem_key(problem: Problem) -> tuple[str, str | None, str]:
    """What makes two problems the same problem (to tell new ones from known ones)."""
    return (problem.kind.value, problem.plugin, problem.message)


def spec_for(
    target: object,
    *,
    implementation: object = None,
    factory: object = None,
    variants: Sequence[str] | None = None,
) -> tuple[PluginSpec, object]:
    """The spec and implementation of a registration call.

    Raises:
        TypeError: The arguments do not fit one of the accepted forms.
        ValueError: Variants are inconsistent with the factory's signature.
    """
    if isinstance(target, PluginConfig):
        if factory is not None:
            return target.to_spec(factory, "factory", _variants(target, factory, variants)), factory
        if implementation is None:
            raise TypeError(
                f"register_plugin(PluginConfig(name={target.name!r})): pass the class as "
                "`implementation=`\nHint: for a factory function use "
                "`registry.register_plugin_factory(config, factory=..., variants=[...])`"
            )
        if not inspect.isclass(implementation):
            raise TypeError(
                f"register_plugin(PluginConfig(name={target.name!r})): `implementation` must be "
                f"a class, not {implementation!r}\nHint: for a factory function use "
                "`registry.register_plugin_factory(config, factory=...)`"
            )
        return target.to_spec(implementation, "class"), implementation
    if implementation is not None:
        raise TypeError(
            f"register_plugin({_label(target)}, implementation=...): `implementation=` goes "
            "with a PluginConfig\nHint: register a decorated class on its own: "
            "`registry.register_plugin(MyPlugin)`"
        )
    try:
        spec = spec_of(target)
    except TypeError as exc:
        raise TypeError(
            f"register_plugin({_label(target)}): {exc}\nHint: decorate it with "
            "`@plugin(...)`/`@factory(...)`, or pass `PluginConfig(...), implementation=...`"
        ) from None
    return spec, target


def _label(target: object) -> str:
    return getattr(target, "__qualname__", None) or repr(target)


def _variants(
    config: PluginConfig, factory: object, variants: Sequence[str] | None
) -> tuple[str, ...]:
    owner = f"register_plugin_factory(PluginConfig(name={config.name!r}))"
    if inspect.isclass(factory) or not callable(factory):
        raise TypeError(
            f"{owner}: `factory` must be a function, not {factory!r}\nHint: register a class "
            "with `registry.register_plugin(config, implementation=...)`"
        )
    listed = list(variants or ())
    reason = check_identifier_list(listed, "variants")
    if reason:
        raise TypeError(f"{owner}: {reason}")
    takes_variant = "variant" in inspect.signature(factory).parameters
    if takes_variant and not listed:
        raise ValueError(
            f"{owner}: the factory takes a `variant` parameter but no variants were given\n"
            "Hint: pass `variants=[...]`"
        )
    if listed and not takes_variant:
        raise ValueError(
            f"{owner}: variants were given but the factory takes no `variant` parameter\n"
            "Hint: add a `variant: str` parameter to the factory"
        )
    return tuple(listed)


def prepare(
    catalogue: LayeredCatalogue,
    profile: str,
    known_problems: Iterable[Problem],
    spec: PluginSpec,
    implementation: object,
) -> Registration:
    """Check a registration against the current catalogue, changing nothing.

    Raises:
        ValueError: A plugin with that name exists already (in any profile).
        TypeError: The implementation's signature cannot be read.
        ResolutionError: The new plugin adds problems to the graph of `profile`.
    """
    if spec.name in catalogue:
        existing = catalogue.record(spec.name)
        raise ValueError(
            f"cannot register plugin `{spec.name}` ({_label(implementation)}): a plugin with "
            f"that name already exists ({existing.location})\nHint: choose another name, or "
            f"replace its instance in tests with `registry.override({spec.name!r}, instance)`"
        )
    record = record_of(implementation, spec)
    updated = catalogue.with_record(record)
    from mreg_di import _graph  # networkx: only when the graph changes

    problems = _graph.validate(updated, profile)
    known = {problem_key(p) for p in known_problems}
    introduced = [p for p in problems if problem_key(p) not in known]
    if introduced:
        raise ResolutionError(introduced)
    return Registration(record, implementation, updated, problems)
