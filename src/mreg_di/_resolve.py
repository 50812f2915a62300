"""Who provides what: binding each plugin's parameters to active providers.

Pure Python on purpose: the runtime resolves along the dependency closure of what is requested
at start-up, where importing networkx would cost more than the work. Whole-graph checks (cycles,
orders, consumer chains) live in `mreg_di._graph`, which builds on this module.

The rules, shared by the build step and the runtime:

- A plugin is *active* in a profile when it lists no profiles or lists that profile.
- A parameter annotated with an interface is bound to the active providers of it, the consumer
  itself excluded, ranked by priority (highest first), then name.
- A single parameter takes the first; a tie at the top priority is an ambiguity. A ``many``
  parameter takes them all. An optional parameter may stay unbound; a required one may not.
- A named requirement (``requires=["storage>=1.0"]``) must name an active plugin whose
  version satisfies the specifier, and makes that plugin a dependency.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from mreg_di._validation import DEFAULT_PROFILE, split_requirement

if TYPE_CHECKING:
    from mreg_di._problems import Problem
    from mreg_di._spec import ParameterSpec, PluginRecord

__all__ = ["Binder", "Binding", "Catalogue", "RecordCatalogue", "closure"]


class Catalogue(Protocol):
    """Where a `Binder` looks plugins up. `mreg_di.Manifest` is one; so is `RecordCatalogue`."""

    def names(self) -> Iterable[str]:
        """Every plugin name."""

    def record(self, name: str) -> PluginRecord:
        """The record of plugin `name` (`KeyError` if unknown)."""

    def candidates(self, interface: str) -> Sequence[str]:
        """Names of plugins bound to `interface` in any profile, sorted."""


class RecordCatalogue:
    """A `Catalogue` over records already in memory (the build step, runtime registrations).

    Example:
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> cat = RecordCatalogue([PluginRecord(PluginSpec("a", provides=["x.I"]), "x", "A")])
        >>> list(cat.candidates("x.I")), list(cat.candidates("x.A"))
        (['a'], ['a'])
    """

    def __init__(self, records: Iterable[PluginRecord]) -> None:
        self._records = {record.name: record for record in records}
        self._index: dict[str, list[str]] | None = None

    def names(self) -> list[str]:
        """Every plugin name, sorted."""
        return sorted(self._records)

    def record(self, name: str) -> PluginRecord:
        """The record of plugin `name` (`KeyError` if unknown)."""
        return self._records[name]

    def candidates(self, interface: str) -> Sequence[str]:
        """Names of plugins bound to `interface` in any profile, sorted."""
        if self._index is None:
            index: dict[str, list[str]] = {}
            for name in sorted(self._records):
                record = self._records[name]
                for bound in {*record.spec.provides, record.qualified_name}:
                    index.setdefault(bound, []).append(name)
            self._index = index
        return self._index.get(interface, ())


class Binding:
    """One parameter of a plugin and the providers chosen for it.

    Attributes:
        parameter: The parameter being filled.
        providers: The chosen plugin names: one for a single parameter, all for a ``many``
            parameter, none when an optional parameter has no provider.
    """

    __slots__ = ("parameter", "providers")

    def __init__(self, parameter: ParameterSpec, providers: tuple[str, ...]) -> None:
        self.parameter = parameter
        self.providers = providers

    def __repr__(self) -> str:
        return f"Binding({self.parameter.name!r} -> {list(self.providers)!r})"


class Binder:
    """Binds plugins' parameters and requirements to the active plugins of one profile.

    Results are cached per plugin, so resolving along a dependency closure touches only the
    records on it.

    Args:
        catalogue: Where plugins are looked up.
        profile: The active profile; ``None`` means ``"default"`` (only profile-less plugins).

    Example:
        >>> from mreg_di._spec import ParameterSpec, PluginRecord, PluginSpec
        >>> store = PluginRecord(PluginSpec("store", provides=["x.Store"]), "x", "Mem")
        >>> app = PluginRecord(PluginSpec("app"), "x", "App",
        ...                    parameters=[ParameterSpec("s", "x.Store", "x.Store")])
        >>> binder = Binder(RecordCatalogue([store, app]), None)
        >>> binder.dependencies("app")
        ['store']
    """

    def __init__(self, catalogue: Catalogue, profile: str | None) -> None:
        self.catalogue = catalogue
        self.profile = profile or DEFAULT_PROFILE
        self._bindings: dict[str, tuple[list[Binding], list[Problem]]] = {}
        self._providers: dict[str, list[PluginRecord]] = {}

    def _spec_profile(self) -> str | None:
        return None if self.profile == DEFAULT_PROFILE else self.profile

    def is_active(self, name: str) -> bool:
        """Whether plugin `name` exists and is active in this profile."""
        try:
            record = self.catalogue.record(name)
        except KeyError:
            return False
        return record.spec.is_active_in(self._spec_profile())

    def active_names(self) -> list[str]:
        """The active plugins' names, sorted."""
        return sorted(name for name in self.catalogue.names() if self.is_active(name))

    def providers(self, interface: str) -> list[PluginRecord]:
        """Active providers of `interface`: highest priority first, then by name."""
        cached = self._providers.get(interface)
        if cached is None:
            profile = self._spec_profile()
            found = [self.catalogue.record(name) for name in self.catalogue.candidates(interface)]
            cached = [r for r in found if r.spec.is_active_in(profile)]
            cached.sort(key=lambda r: (-r.spec.priority, r.name))
            self._providers[interface] = cached
        return cached

    def bindings(self, name: str) -> tuple[list[Binding], list[Problem]]:
        """How plugin `name`'s injected parameters are filled, and what cannot be.

        Value parameters (``interface is None``) are not listed: configuration fills them.
        """
        cached = self._bindings.get(name)
        if cached is None:
            cached = self._bind(self.catalogue.record(name))
            self._bindings[name] = cached
        return cached

    def _bind(self, record: PluginRecord) -> tuple[list[Binding], list[Problem]]:
        from mreg_di._problems import Problem, ProblemKind

        bindings: list[Binding] = []
        problems: list[Problem] = []
        for parameter in record.parameters:
            interface = parameter.interface
            if interface is None or (record.spec.kind == "factory" and parameter.name == "variant"):
                continue
            found = [p for p in self.providers(interface) if p.name != record.name]
            if parameter.many:
                bindings.append(Binding(parameter, tuple(p.name for p in found)))
                continue
            if not found:
                if not parameter.optional:
                    problems.append(
                        Problem(
                            ProblemKind.MISSING_BINDING,
                            f"`{record.name}` needs `{interface}` (constructor parameter "
                            f"`{parameter.name}`, {_where(record, parameter.line)}) "
                            "but no active plugin provides it",
                            plugin=record.name,
                            file=record.file,
                            line=parameter.line or record.line,
                            column=record.column if not parameter.line else 0,
                            hint=self._missing_hint(interface),
                            profile=self.profile,
                        )
                    )
                bindings.append(Binding(parameter, ()))
                continue
            top = [p for p in found if p.spec.priority == found[0].spec.priority]
            if len(top) > 1:
                named = [f"`{p.name}` ({p.location})" for p in top]
                names = ", ".join(named[:-1]) + " and " + named[-1]
                both = "both" if len(top) == 2 else "all"
                problems.append(
                    Problem(
                        ProblemKind.AMBIGUOUS,
                        f"`{record.name}` needs one `{interface}` (constructor parameter "
                        f"`{parameter.name}`) but {names} {both} provide it at priority "
                        f"{found[0].spec.priority}",
                        plugin=record.name,
                        file=record.file,
                        line=parameter.line or record.line,
                        hint="give one provider a higher priority, restrict one to a profile, "
                        f"or take every provider with `list[{interface.rpartition('.')[2]}]`",
                        profile=self.profile,
                    )
                )
            bindings.append(Binding(parameter, (found[0].name,)))
        return bindings, problems

    def _missing_hint(self, interface: str) -> str:
        elsewhere = [
            name for name in self.catalogue.candidates(interface) if not self.is_active(name)
        ]
        if elsewhere:
            profiles = sorted(
                {p for name in elsewhere for p in self.catalogue.record(name).spec.profiles}
            )
            listed = ", ".join(f"`{name}`" for name in elsewhere)
            verb = "provides" if len(elsewhere) == 1 else "provide"
            return (
                f"{listed} {verb} it only in profile(s) {', '.join(profiles)}; "
                f"activate one of those profiles or add a provider for `{self.profile}`"
            )
        return (
            f"declare a plugin with `provides=[{interface.rpartition('.')[2]}]`, "
            "or give the parameter a default or an `| None` annotation"
        )

    def requirement_problems(self, name: str) -> list[Problem]:
        """Problems with plugin `name`'s named requirements: missing or wrong version."""
        from mreg_di._problems import Problem, ProblemKind

        record = self.catalogue.record(name)
        problems: list[Problem] = []
        for requirement in record.spec.requires:
            wanted, specifier = split_requirement(requirement) or (requirement, "")
            if wanted == name:
                problems.append(
                    Problem(
                        ProblemKind.CYCLE,
                        f"`{name}` requires itself (`{requirement}`)",
                        plugin=name,
                        file=record.file,
                        line=record.line,
                        column=record.column,
                        hint="remove the requirement: a plugin cannot depend on itself",
                        profile=self.profile,
                    )
                )
                continue
            if not self.is_active(wanted):
                problems.append(
                    Problem(
                        ProblemKind.MISSING_REQUIREMENT,
                        f"`{name}` requires `{requirement}` but no active plugin is named "
                        f"`{wanted}`",
                        plugin=name,
                        file=record.file,
                        line=record.line,
                        column=record.column,
                        hint="add that plugin, activate the profile it belongs to, "
                        "or remove the requirement",
                        profile=self.profile,
                    )
                )
                continue
            if specifier and not _satisfies(self.catalogue.record(wanted).spec.version, specifier):
                provider = self.catalogue.record(wanted)
                problems.append(
                    Problem(
                        ProblemKind.VERSION_CONFLICT,
                        f"`{name}` requires `{requirement}` but the active `{wanted}` is "
                        f"version {provider.spec.version} ({provider.location})",
                        plugin=name,
                        file=record.file,
                        line=record.line,
                        column=record.column,
                        hint=f"upgrade `{wanted}` or relax the specifier `{specifier}`",
                        profile=self.profile,
                    )
                )
        return problems

    def problems(self, name: str) -> list[Problem]:
        """Every binding and requirement problem of plugin `name`."""
        return [*self.bindings(name)[1], *self.requirement_problems(name)]

    def dependencies(self, name: str) -> list[str]:
        """Direct dependencies of plugin `name` (bound providers and named requirements)."""
        found: set[str] = set()
        for binding in self.bindings(name)[0]:
            found.update(binding.providers)
        for requirement in self.catalogue.record(name).spec.requires:
            wanted = (split_requirement(requirement) or (requirement, ""))[0]
            if self.is_active(wanted):
                found.add(wanted)
        found.discard(name)
        return sorted(found)


def _where(record: PluginRecord, line: int) -> str:
    if record.file is None:
        return record.target
    return f"{record.file}:{line or record.line}"


def _satisfies(version: str, specifier: str) -> bool:
    # packaging.specifiers costs ~10 ms to import: only requirement checks pay for it.
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(specifier).contains(version, prereleases=True)


def closure(binder: Binder, names: Iterable[str]) -> list[str]:
    """`names` and everything they depend on, transitively, sorted (cycles tolerated)."""
    seen: set[str] = set()
    stack = list(names)
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        stack.extend(binder.dependencies(name))
    return sorted(seen)
