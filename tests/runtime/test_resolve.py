"""Tests for mreg_di._resolve: binding parameters and requirements to active providers."""

from __future__ import annotations

from typing import Any

import pytest

from mreg_di._manifest import Manifest
from mreg_di._problems import Problem, ProblemKind
from mreg_di._resolve import Binder, Binding, RecordCatalogue, closure
from mreg_di._spec import ParameterSpec, PluginRecord, PluginSpec


def rec(
    name: str,
    *params: ParameterSpec,
    file: str | None = "",
    line: int = 1,
    **spec: Any,
) -> PluginRecord:
    """A record in module `m`, file `<name>.py` unless given."""
    return PluginRecord(
        PluginSpec(name, **spec),
        "m",
        name.title().replace("-", ""),
        f"{name}.py" if file == "" else file,
        line,
        1,
        params,
    )


def needs(name: str, interface: str, *, line: int = 5, **kwargs: Any) -> ParameterSpec:
    """An injected parameter."""
    return ParameterSpec(name, interface, interface, line=line, **kwargs)


def binder(*records: PluginRecord, profile: str | None = None) -> Binder:
    return Binder(RecordCatalogue(records), profile)


class TestRecordCatalogue:
    def test_names_record_candidates(self) -> None:
        """Names are sorted; candidates include declared interfaces and the own name."""
        cat = RecordCatalogue([rec("b", provides=["x.I"]), rec("a", provides=["x.I"])])
        assert cat.names() == ["a", "b"]
        assert cat.record("a").name == "a"
        assert list(cat.candidates("x.I")) == ["a", "b"]
        assert list(cat.candidates("m.A")) == ["a"]
        assert list(cat.candidates("x.Nothing")) == []

    def test_unknown_record(self) -> None:
        """An unknown name is a KeyError."""
        with pytest.raises(KeyError):
            RecordCatalogue([]).record("ghost")

    def test_manifest_is_a_catalogue(self) -> None:
        """A Manifest works as the Binder's catalogue, with the same answers."""
        records = [rec("store", provides=["x.S"]), rec("app", needs("s", "x.S"))]
        manifest = Manifest.build(
            records,
            files={r.file: "0" * 64 for r in records if r.file},
            order={},
            generator="t",
        )
        from_manifest = Binder(manifest, None)
        from_records = binder(*records)
        assert from_manifest.dependencies("app") == from_records.dependencies("app") == ["store"]


class TestActivity:
    def test_profiles(self) -> None:
        """Profile-less plugins are active everywhere; others only in their profiles."""
        records = (rec("all"), rec("dev-only", profiles=["dev"]))
        assert binder(*records).active_names() == ["all"]
        assert binder(*records, profile="default").active_names() == ["all"]
        assert binder(*records, profile="dev").active_names() == ["all", "dev-only"]
        assert binder(*records, profile="dev").profile == "dev"
        assert binder(*records).profile == "default"

    def test_unknown_is_not_active(self) -> None:
        """An unknown name is simply not active."""
        assert binder(rec("a")).is_active("ghost") is False


class TestProviders:
    def test_ranked_by_priority_then_name(self) -> None:
        """Providers come highest priority first, ties by name; inactive ones are left out."""
        b = binder(
            rec("c", provides=["x.I"], priority=1),
            rec("a", provides=["x.I"], priority=1),
            rec("z", provides=["x.I"], priority=9),
            rec("low", provides=["x.I"], priority=-1),
            rec("off", provides=["x.I"], priority=100, profiles=["test"]),
        )
        assert [r.name for r in b.providers("x.I")] == ["z", "a", "c", "low"]

    def test_profile_provider_replaces_default(self) -> None:
        """A profile plugin with a higher priority wins in its profile only."""
        records = (
            rec("real", provides=["x.S"]),
            rec("mock", provides=["x.S"], priority=10, profiles=["dev"]),
            rec("app", needs("s", "x.S")),
        )
        assert binder(*records).dependencies("app") == ["real"]
        assert binder(*records, profile="dev").dependencies("app") == ["mock"]
        assert binder(*records, profile="dev").problems("app") == []


class TestBindings:
    def test_single(self) -> None:
        """A single parameter gets the top provider."""
        b = binder(rec("s", provides=["x.S"]), rec("app", needs("s", "x.S")))
        bindings, problems = b.bindings("app")
        assert problems == []
        assert [(x.parameter.name, x.providers) for x in bindings] == [("s", ("s",))]
        assert repr(bindings[0]) == "Binding('s' -> ['s'])"

    def test_by_own_qualified_name(self) -> None:
        """A parameter annotated with a plugin's own class binds to that plugin."""
        b = binder(rec("store"), rec("app", needs("s", "m.Store")))
        assert b.dependencies("app") == ["store"]

    def test_many_takes_all_in_rank_order(self) -> None:
        """A many parameter gets every provider, priority then name; none is fine."""
        b = binder(
            rec("a", provides=["x.Sink"]),
            rec("b", provides=["x.Sink"], priority=3),
            rec("app", needs("sinks", "x.Sink", many=True), needs("none", "x.No", many=True)),
        )
        bindings, problems = b.bindings("app")
        assert problems == []
        assert [x.providers for x in bindings] == [("b", "a"), ()]

    def test_many_ignores_ties(self) -> None:
        """Tied providers are no ambiguity for a many parameter."""
        b = binder(
            rec("a", provides=["x.I"]),
            rec("b", provides=["x.I"]),
            rec("app", needs("all", "x.I", many=True)),
        )
        assert b.problems("app") == []

    def test_optional_unbound(self) -> None:
        """An optional parameter without a provider stays unbound, without a problem."""
        b = binder(rec("app", needs("cache", "x.Cache", optional=True)))
        bindings, problems = b.bindings("app")
        assert problems == []
        assert bindings[0].providers == ()

    def test_value_parameters_not_listed(self) -> None:
        """Parameters without an interface are configuration, not bindings."""
        b = binder(rec("app", ParameterSpec("level", "builtins.int", None)))
        assert b.bindings("app") == ([], [])

    def test_factory_variant_skipped(self) -> None:
        """A factory's `variant` parameter is never injected, even if annotated."""
        b = binder(
            rec("f", needs("variant", "x.Variant"), kind="factory", variants=["a"]),
        )
        assert b.bindings("f") == ([], [])

    def test_class_variant_parameter_is_injected(self) -> None:
        """For a class, a parameter named `variant` is an ordinary dependency."""
        b = binder(rec("c", needs("variant", "x.Variant")))
        assert [p.kind for p in b.problems("c")] == [ProblemKind.MISSING_BINDING]

    def test_self_exclusion(self) -> None:
        """A plugin never binds to itself: a decorator-style plugin gets the other provider."""
        b = binder(
            rec("inner", provides=["x.I"]),
            rec("wrapper", needs("inner", "x.I"), provides=["x.I"], priority=10),
        )
        assert b.dependencies("wrapper") == ["inner"]
        assert b.problems("wrapper") == []

    def test_self_only_provider_is_missing(self) -> None:
        """When the plugin itself is the only provider, the binding is missing."""
        b = binder(rec("loop", needs("me", "x.I"), provides=["x.I"]))
        assert [p.kind for p in b.problems("loop")] == [ProblemKind.MISSING_BINDING]

    def test_cached(self) -> None:
        """Bindings are computed once per plugin."""
        b = binder(rec("s", provides=["x.S"]), rec("app", needs("s", "x.S")))
        assert b.bindings("app") is b.bindings("app")


class TestAmbiguity:
    def test_two_tied(self) -> None:
        """Two providers at the top priority are an ambiguity naming both with file:line."""
        b = binder(
            rec("s1", provides=["x.S"], line=3),
            rec("s2", provides=["x.S"], line=4),
            rec("low", provides=["x.S"], priority=-1),
            rec("app", needs("store", "x.S", line=7), line=6),
        )
        (problem,) = b.problems("app")
        assert problem == Problem(
            ProblemKind.AMBIGUOUS,
            "`app` needs one `x.S` (constructor parameter `store`) but `s1` (s1.py:3) and "
            "`s2` (s2.py:4) both provide it at priority 0",
            plugin="app",
            file="app.py",
            line=7,
            hint="give one provider a higher priority, restrict one to a profile, or take "
            "every provider with `list[S]`",
        )
        assert b.dependencies("app") == ["s1"]  # still bound, to the first by name

    def test_three_tied(self) -> None:
        """Three tied providers are listed with commas and "all"."""
        b = binder(
            rec("s1", provides=["x.S"], priority=2),
            rec("s2", provides=["x.S"], priority=2),
            rec("s3", provides=["x.S"], priority=2),
            rec("app", needs("store", "x.S")),
        )
        (problem,) = b.problems("app")
        assert problem.message == (
            "`app` needs one `x.S` (constructor parameter `store`) but `s1` (s1.py:1), "
            "`s2` (s2.py:1) and `s3` (s3.py:1) all provide it at priority 2"
        )

    def test_runtime_providers_named_by_target(self) -> None:
        """Providers without a file are named by module:qualname."""
        b = binder(
            rec("s1", provides=["x.S"], file=None),
            rec("s2", provides=["x.S"], file=None),
            rec("app", needs("store", "x.S")),
        )
        assert "`s1` (m:S1) and `s2` (m:S2) both" in b.problems("app")[0].message

    def test_higher_priority_resolves(self) -> None:
        """A unique highest priority is no ambiguity."""
        b = binder(
            rec("s1", provides=["x.S"]),
            rec("s2", provides=["x.S"], priority=1),
            rec("app", needs("store", "x.S")),
        )
        assert b.problems("app") == []
        assert b.dependencies("app") == ["s2"]


class TestMissing:
    def test_missing_binding(self) -> None:
        """A required parameter without a provider names consumer, parameter and location."""
        b = binder(rec("app", needs("compressor", "acme.Compressor", line=12), line=10))
        (problem,) = b.problems("app")
        assert problem == Problem(
            ProblemKind.MISSING_BINDING,
            "`app` needs `acme.Compressor` (constructor parameter `compressor`, app.py:12) "
            "but no active plugin provides it",
            plugin="app",
            file="app.py",
            line=12,
            column=0,
            hint="declare a plugin with `provides=[Compressor]`, or give the parameter a "
            "default or an `| None` annotation",
        )

    def test_missing_without_parameter_line(self) -> None:
        """Without a parameter line, the plugin's line and column are used."""
        b = binder(rec("app", needs("c", "x.C", line=0), line=10))
        (problem,) = b.problems("app")
        assert (problem.line, problem.column) == (10, 1)
        assert "(constructor parameter `c`, app.py:10)" in problem.message

    def test_missing_for_runtime_plugin(self) -> None:
        """A consumer without a file is located by module:qualname."""
        b = binder(rec("app", needs("c", "x.C"), file=None))
        assert "(constructor parameter `c`, m:App)" in b.problems("app")[0].message

    def test_hint_names_other_profiles(self) -> None:
        """When providers exist only in other profiles, the hint names them and the profiles."""
        b = binder(
            rec("mock-a", provides=["x.S"], profiles=["test", "dev"]),
            rec("mock-b", provides=["x.S"], profiles=["ci"]),
            rec("app", needs("s", "x.S")),
        )
        (problem,) = b.problems("app")
        assert problem.hint == (
            "`mock-a`, `mock-b` provide it only in profile(s) ci, dev, test; activate one of "
            "those profiles or add a provider for `default`"
        )

    def test_hint_names_single_other_profile(self) -> None:
        """One provider elsewhere is named in the singular."""
        b = binder(rec("mock", provides=["x.S"], profiles=["dev"]), rec("app", needs("s", "x.S")))
        assert b.problems("app")[0].hint == (
            "`mock` provides it only in profile(s) dev; activate one of those profiles or add a "
            "provider for `default`"
        )

    def test_problem_carries_profile(self) -> None:
        """Problems record the binder's profile."""
        b = binder(rec("app", needs("s", "x.S"), profiles=["dev"]), profile="dev")
        assert b.problems("app")[0].profile == "dev"


class TestRequirements:
    def test_requiring_itself_is_a_cycle(self) -> None:
        """A plugin that requires itself is reported as a cycle, not silently ignored."""
        b = binder(rec("db", version="2.0", requires=["db>=1"], line=3))
        assert b.requirement_problems("db") == [
            Problem(
                ProblemKind.CYCLE,
                "`db` requires itself (`db>=1`)",
                plugin="db",
                file="db.py",
                line=3,
                column=1,
                hint="remove the requirement: a plugin cannot depend on itself",
            )
        ]
        assert b.dependencies("db") == []

    def test_satisfied(self) -> None:
        """A met requirement is no problem and is a dependency."""
        b = binder(rec("db", version="2.5"), rec("app", requires=["db>=2,<3"]))
        assert b.requirement_problems("app") == []
        assert b.dependencies("app") == ["db"]

    def test_missing_requirement(self) -> None:
        """A requirement naming no active plugin is reported with its location."""
        b = binder(rec("cache", profiles=["prod"]), rec("app", requires=["cache"], line=4))
        assert b.requirement_problems("app") == [
            Problem(
                ProblemKind.MISSING_REQUIREMENT,
                "`app` requires `cache` but no active plugin is named `cache`",
                plugin="app",
                file="app.py",
                line=4,
                column=1,
                hint="add that plugin, activate the profile it belongs to, or remove the "
                "requirement",
            )
        ]
        assert b.dependencies("app") == []

    def test_version_conflict(self) -> None:
        """An unmet specifier names both versions and the provider's location."""
        b = binder(rec("db", version="1.5", line=9), rec("app", requires=["db>=2"]))
        assert b.requirement_problems("app") == [
            Problem(
                ProblemKind.VERSION_CONFLICT,
                "`app` requires `db>=2` but the active `db` is version 1.5 (db.py:9)",
                plugin="app",
                file="app.py",
                line=1,
                column=1,
                hint="upgrade `db` or relax the specifier `>=2`",
            )
        ]
        assert b.dependencies("app") == ["db"]  # still a dependency, for ordering

    def test_prereleases_count(self) -> None:
        """A pre-release satisfies a specifier it is inside of."""
        b = binder(rec("db", version="2.1rc1"), rec("app", requires=["db>=2"]))
        assert b.requirement_problems("app") == []

    def test_requirement_in_profile(self) -> None:
        """Requirements are checked against the binder's profile."""
        records = (rec("cache", profiles=["prod"]), rec("app", requires=["cache"]))
        assert binder(*records, profile="prod").requirement_problems("app") == []

    def test_problems_combines(self) -> None:
        """problems() lists binding problems, then requirement problems."""
        b = binder(rec("app", needs("s", "x.S"), requires=["ghost"]))
        assert [p.kind for p in b.problems("app")] == [
            ProblemKind.MISSING_BINDING,
            ProblemKind.MISSING_REQUIREMENT,
        ]


class TestDependencies:
    def test_sorted_union_without_self(self) -> None:
        """Direct dependencies are bound providers and requirements, sorted, never itself."""
        b = binder(
            rec("z", provides=["x.Z"]),
            rec("a", provides=["x.A"]),
            rec("db"),
            rec("app", needs("z", "x.Z"), needs("a", "x.A"), requires=["db", "app", "a"]),
        )
        assert b.dependencies("app") == ["a", "db", "z"]

    def test_unknown_plugin(self) -> None:
        """Asking about an unknown plugin is a KeyError."""
        with pytest.raises(KeyError):
            binder().dependencies("ghost")


class TestClosure:
    def test_transitive(self) -> None:
        """closure() is the names and everything they depend on, sorted."""
        b = binder(
            rec("c"),
            rec("b", requires=["c"]),
            rec("a", requires=["b"]),
            rec("unrelated"),
        )
        assert closure(b, ["a"]) == ["a", "b", "c"]
        assert closure(b, ["c", "unrelated"]) == ["c", "unrelated"]
        assert closure(b, []) == []

    def test_cycles_tolerated(self) -> None:
        """A cycle does not loop forever."""
        b = binder(rec("a", requires=["b"]), rec("b", requires=["a"]))
        assert closure(b, ["a"]) == ["a", "b"]

    def test_only_closure_is_bound(self) -> None:
        """Resolving a closure binds only the plugins on it."""
        b = binder(rec("a", requires=["b"]), rec("b"), rec("other", needs("x", "x.Missing")))
        closure(b, ["a"])
        assert "other" not in b._bindings


def test_binding_slots() -> None:
    """Binding is a small slotted object."""
    binding = Binding(ParameterSpec("p"), ("a",))
    assert not hasattr(binding, "__dict__")
