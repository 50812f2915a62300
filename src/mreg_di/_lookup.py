"""Which plugin answers a request, and the errors when none (or several) do.

`ModuleRegistry` asks three questions: which active plugin has this name (`active_name`), which
one is bound to this interface (`provider_name`), and whether a factory has this variant
(`check_variant`). The answers are cheap; the errors do the work of explaining: a did-you-mean
from close names, the profile a plugin is active in, the method that was probably meant.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from mreg_di._catalogue import LayeredCatalogue
from mreg_di._errors import PluginNotFoundError, ResolutionError
from mreg_di._validation import DEFAULT_PROFILE, close_matches

if TYPE_CHECKING:
    from mreg_di._problems import Problem
    from mreg_di._resolve import Binder, Catalogue
    from mreg_di._spec import PluginRecord

__all__ = ["active_name", "check_variant", "provider_name", "qualified_name"]


def qualified_name(interface: object, method: str) -> str:
    """``module.qualname`` of a class, or the string itself.

    Raises:
        TypeError: `interface` is neither a class (or function) nor a string.

    Example:
        >>> qualified_name(int, "get"), qualified_name("acme.Compressor", "get")
        ('builtins.int', 'acme.Compressor')
    """
    if isinstance(interface, str):
        return interface
    module = getattr(interface, "__module__", None)
    qualname = getattr(interface, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str):
        raise TypeError(
            f"{method}() takes a class or a qualified name such as 'acme.Compressor', not "
            f"{interface!r}"
        )
    return f"{module}.{qualname}"


def active_name(
    catalogue: LayeredCatalogue, profile: str, name: str, *, kind: str = "plugin"
) -> str:
    """`name` itself, once checked to be an active plugin in `profile`.

    Raises:
        TypeError: `name` is not a string.
        PluginNotFoundError: No plugin has that name (with close names), or it is active only
            in other profiles (naming them).
    """
    if not isinstance(name, str):
        raise TypeError(f"plugin names are strings, not {type(name).__name__}: {name!r}")
    if name not in catalogue:
        known = close_matches(name, catalogue.names())
        hint = ""
        if catalogue.candidates(name):
            hint = f"`{name}` is an interface; use `registry.get({name!r})`"
        elif not known:
            hint = (
                "no plugin in the manifest has that name: list them with "
                "`mreg-codegen list MANIFEST`, and re-run `mreg-codegen scan` if the plugin "
                "was declared since the manifest was generated"
            )
        raise PluginNotFoundError(name, kind=kind, profile=profile, known=known, hint=hint)
    record = catalogue.record(name)
    if not record.spec.is_active_in(None if profile == DEFAULT_PROFILE else profile):
        raise PluginNotFoundError(
            name,
            kind=kind,
            profile=profile,
            reason=f"`{name}` ({record.location}) is active only in profile(s) "
            + ", ".join(f"`{p}`" for p in record.spec.profiles),
            hint=f"create the registry with `profile={record.spec.profiles[0]!r}`",
        )
    return name


def provider_name(binder: Binder, qualified: str) -> str:
    """The plugin answering ``get(qualified)``: the one active provider of top priority.

    Raises:
        PluginNotFoundError: No active plugin provides it.
        ResolutionError: Several providers tie at the top priority.
    """
    found = binder.providers(qualified)
    if not found:
        raise _no_provider(binder, qualified)
    top = [r for r in found if r.spec.priority == found[0].spec.priority]
    if len(top) > 1:
        raise ResolutionError([_ambiguity(qualified, top, binder.profile)])
    return found[0].name


def check_variant(record: PluginRecord, variant: object) -> None:
    """Check that `record` is a factory with `variant` among its variants.

    Raises:
        PluginNotFoundError: It is a plugin class, or the variant is unknown (listing the
            valid ones).
    """
    name, spec = record.name, record.spec
    if spec.kind != "factory":
        raise PluginNotFoundError(
            name,
            kind="factory",
            reason=f"`{name}` ({record.location}) is a plugin class, not a factory",
            hint=f"use `registry.create_plugin({name!r})`",
        )
    if variant in spec.variants:
        return
    listed = ", ".join(f"`{v}`" for v in spec.variants)
    raise PluginNotFoundError(
        variant if isinstance(variant, str) else repr(variant),
        kind="variant",
        factory=f"`{name}` ({record.location})",
        reason=f"valid variants are {listed}" if listed else "it declares no variants",
        known=close_matches(variant, spec.variants) if isinstance(variant, str) else (),
        hint="" if listed else f"use `registry.create_plugin({name!r})`",
    )


def _no_provider(binder: Binder, qualified: str) -> PluginNotFoundError:
    catalogue = binder.catalogue
    profile = binder.profile
    elsewhere = [catalogue.record(n) for n in catalogue.candidates(qualified)]
    if elsewhere:
        listed = ", ".join(
            f"`{r.name}` ({r.location}, profile(s) "
            + ", ".join(f"`{p}`" for p in r.spec.profiles)
            + ")"
            for r in elsewhere
        )
        return PluginNotFoundError(
            qualified,
            kind="interface",
            profile=profile,
            reason=f"it is provided only in other profiles: {listed}",
            hint=f"create the registry with `profile={elsewhere[0].spec.profiles[0]!r}`, "
            f"or add a provider active in `{profile}`",
        )
    known: list[str] = []
    if _exists(binder, qualified):
        hint = f"`{qualified}` is a plugin name; use `registry.create_plugin({qualified!r})`"
    else:
        known = _close_interfaces(binder, qualified)
        hint = (
            f"declare a plugin with `provides=[{qualified.rpartition('.')[2]}]`, or register "
            "one with `registry.register_plugin(...)`"
        )
    return PluginNotFoundError(qualified, kind="interface", profile=profile, known=known, hint=hint)


def _exists(binder: Binder, name: str) -> bool:
    try:
        binder.catalogue.record(name)
    except KeyError:
        return False
    return True


def _interfaces(catalogue: Catalogue) -> Iterator[str]:
    """Every interface any plugin is bound to (raw records when the catalogue has them)."""
    if isinstance(catalogue, LayeredCatalogue):
        for raw in catalogue.raw_records():
            yield from raw["provides"]
            yield f"{raw['module']}.{raw['qualname']}"
        return
    for name in catalogue.names():
        record = catalogue.record(name)
        yield from record.spec.provides
        yield record.qualified_name


def _close_interfaces(binder: Binder, qualified: str) -> list[str]:
    """Interfaces with a class name close to `qualified`'s, those of the same module first."""
    by_short: dict[str, set[str]] = {}
    for interface in _interfaces(binder.catalogue):
        by_short.setdefault(interface.rpartition(".")[2], set()).add(interface)
    module, _, short = qualified.rpartition(".")
    found = [i for s in close_matches(short, by_short) for i in sorted(by_short[s])]
    same_module = [i for i in found if i.rpartition(".")[0] == module]
    return (same_module or found)[:3]


def _ambiguity(qualified: str, top: Sequence[PluginRecord], profile: str) -> Problem:
    from mreg_di._problems import Problem, ProblemKind

    named = [f"`{r.name}` ({r.location})" for r in top]
    names = ", ".join(named[:-1]) + " and " + named[-1]
    return Problem(
        ProblemKind.AMBIGUOUS,
        f"`{qualified}` is provided by {names}, all at priority {top[0].spec.priority}",
        plugin=top[0].name,
        file=top[0].file,
        line=top[0].line,
        hint="give one provider a higher priority or restrict one to a profile; to get "
        f"every provider use `registry.get_all({qualified.rpartition('.')[2]})`",
        profile=profile,
    )
