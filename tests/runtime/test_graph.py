"""Tests for mreg_di._graph: the networkx graph, cycles, orders and per-profile validation."""

from __future__ import annotations

import re
from typing import Any

import networkx as nx
import pytest

from mreg_di._errors import ResolutionError
from mreg_di._graph import (
    _consumer_chain,
    _cycles,
    build_graph,
    dependency_order,
    profiles_of,
    validate,
    validate_profiles,
)
from mreg_di._problems import ProblemKind
from mreg_di._resolve import Binder, RecordCatalogue
from mreg_di._spec import ParameterSpec, PluginRecord, PluginSpec

CYCLE_HINT = (
    "break the cycle: make one of these parameters optional and set it later, or move the "
    "shared part into a plugin both depend on; edges: "
)


def rec(name: str, *params: ParameterSpec, line: int = 1, **spec: Any) -> PluginRecord:
    """A record in module `m`, class `<Name>`, file `<name>.py`."""
    return PluginRecord(PluginSpec(name, **spec), "m", name.title(), f"{name}.py", line, 1, params)


def needs(name: str, interface: str, **kwargs: Any) -> ParameterSpec:
    return ParameterSpec(name, interface, interface, line=5, **kwargs)


def cat(*records: PluginRecord) -> RecordCatalogue:
    return RecordCatalogue(records)


class TestBuildGraph:
    def test_nodes_edges_and_via(self) -> None:
        """Active plugins are nodes with their record; edges point consumer -> dependency."""
        records = (
            rec("store", provides=["x.S"]),
            rec("sink", provides=["x.Sink"]),
            rec(
                "app",
                needs("s", "x.S"),
                needs("backup", "x.S"),
                needs("sinks", "x.Sink", many=True),
                requires=["store>=0", "sink"],
            ),
            rec("dev-only", profiles=["dev"]),
        )
        graph = build_graph(Binder(cat(*records), None))
        assert sorted(graph.nodes) == ["app", "sink", "store"]
        assert graph.nodes["store"]["record"] is records[0]
        assert sorted(graph.edges) == [("app", "sink"), ("app", "store")]
        assert graph.edges["app", "store"]["via"] == [
            "parameter `backup`",
            "parameter `s`",
            "requires `store>=0`",
        ]
        assert graph.edges["app", "sink"]["via"] == ["parameter `sinks`", "requires `sink`"]
        assert graph.graph["profile"] == "default"

    def test_profile_graph(self) -> None:
        """The graph of a profile holds that profile's plugins."""
        graph = build_graph(Binder(cat(rec("a"), rec("b", profiles=["dev"])), "dev"))
        assert sorted(graph.nodes) == ["a", "b"]
        assert graph.graph["profile"] == "dev"

    def test_no_edge_to_inactive_or_self(self) -> None:
        """Requirements on inactive plugins or on oneself make no edge."""
        graph = build_graph(
            Binder(cat(rec("a", requires=["a", "ghost", "b"]), rec("b", profiles=["x"])), None)
        )
        assert list(graph.edges) == []


class TestCycles:
    def test_two_nodes(self) -> None:
        """A two-plugin cycle is shown as its path with each edge's reason."""
        problems = validate(cat(rec("b", needs("a", "m.A")), rec("a", requires=["b"])), None)
        assert [(p.kind, p.message, p.plugin, p.file) for p in problems] == [
            (ProblemKind.CYCLE, "dependency cycle: `a` -> `b` -> `a`", "a", "a.py")
        ]
        assert (
            problems[0].hint == CYCLE_HINT + "`a` -> `b` (requires `b`); `b` -> `a` (parameter `a`)"
        )

    def test_three_nodes_start_at_smallest(self) -> None:
        """A longer cycle starts at its smallest node and lists only its nodes, in order."""
        problems = validate(
            cat(
                rec("m", requires=["z"]),
                rec("z", requires=["c"]),
                rec("c", requires=["m"]),
                rec("outside", requires=["m"]),
            ),
            None,
        )
        assert [p.message for p in problems] == ["dependency cycle: `c` -> `m` -> `z` -> `c`"]

    def test_two_separate_cycles(self) -> None:
        """Each strongly connected component is one cycle problem, sorted."""
        problems = validate(
            cat(
                rec("y", requires=["x"]),
                rec("x", requires=["y"]),
                rec("b", requires=["a"]),
                rec("a", requires=["b"]),
            ),
            None,
        )
        assert [p.message for p in problems] == [
            "dependency cycle: `a` -> `b` -> `a`",
            "dependency cycle: `x` -> `y` -> `x`",
        ]

    def test_shortest_way_back(self) -> None:
        """Within a component, the shortest path back to the smallest node is shown."""
        problems = validate(
            cat(
                rec("a", requires=["b", "d"]),
                rec("b", requires=["c"]),
                rec("c", requires=["a"]),
                rec("d", requires=["a"]),
            ),
            None,
        )
        assert [p.message for p in problems] == ["dependency cycle: `a` -> `d` -> `a`"]

    def test_self_loop(self) -> None:
        """A self-loop (possible in a graph changed at run time) is shown as `q -> q`."""
        graph = nx.DiGraph([("q", "q"), ("a", "b"), ("b", "a"), ("b", "c")])
        assert _cycles(graph) == [["a", "b", "a"], ["q", "q"]]

    def test_acyclic(self) -> None:
        """A DAG has no cycles."""
        assert _cycles(nx.DiGraph([("a", "b"), ("b", "c"), ("a", "c")])) == []


class TestMissingBindingChain:
    def test_chain_from_root(self) -> None:
        """A missing binding names the chain of consumers from a root down to the plugin."""
        problems = validate(
            cat(
                rec("ui", needs("p", "m.Pipeline")),
                rec("app", needs("p", "m.Pipeline")),
                rec("pipeline", needs("c", "x.Comp")),
            ),
            None,
        )
        (problem,) = problems
        assert problem.message == (
            "`pipeline` needs `x.Comp` (constructor parameter `c`, pipeline.py:5) but no active "
            "plugin provides it (needed by `app` -> `pipeline`)"
        )

    def test_shortest_chain(self) -> None:
        """The shortest chain wins over a longer one from an alphabetically earlier root."""
        graph = nx.DiGraph([("a", "b"), ("b", "c"), ("c", "target"), ("z", "target")])
        assert _consumer_chain(graph, "target") == ["z", "target"]

    def test_root_itself(self) -> None:
        """A plugin nobody needs gets no chain suffix."""
        (problem,) = validate(cat(rec("app", needs("c", "x.C"))), None)
        assert "needed by" not in problem.message

    def test_inside_a_cycle(self) -> None:
        """A plugin reachable only from a cycle has just itself as chain."""
        graph = nx.DiGraph([("a", "b"), ("b", "a"), ("b", "t")])
        assert _consumer_chain(graph, "t") == ["t"]


class TestValidate:
    def test_every_problem_at_once(self) -> None:
        """All problems of all plugins come back together, plugins in name order."""
        problems = validate(
            cat(
                rec("b", needs("x", "x.X")),
                rec("a", requires=["ghost"]),
                rec("s1", provides=["x.S"]),
                rec("s2", provides=["x.S"]),
                rec("c", needs("s", "x.S")),
            ),
            None,
        )
        assert [(p.plugin, p.kind) for p in problems] == [
            ("a", ProblemKind.MISSING_REQUIREMENT),
            ("b", ProblemKind.MISSING_BINDING),
            ("c", ProblemKind.AMBIGUOUS),
        ]

    def test_clean_graph(self) -> None:
        """A wired graph has no problems."""
        assert validate(cat(rec("s", provides=["x.S"]), rec("a", needs("s", "x.S"))), None) == []


class TestDependencyOrder:
    def test_dependencies_first(self) -> None:
        """Dependencies come before their consumers."""
        order = dependency_order(
            cat(rec("app", requires=["db", "cache"]), rec("db"), rec("cache", requires=["db"])),
            None,
        )
        assert order == ["db", "cache", "app"]

    def test_lexicographic_tie_break(self) -> None:
        """Unrelated plugins come in name order, whatever the input order."""
        names = ["delta", "alpha", "charlie", "bravo"]
        assert dependency_order(cat(*(rec(n) for n in names)), None) == sorted(names)
        order = dependency_order(cat(rec("z"), rec("b", requires=["z"]), rec("a")), None)
        assert order == ["a", "z", "b"]

    def test_profile(self) -> None:
        """The order of a profile includes that profile's plugins."""
        records = (rec("app", requires=["db"]), rec("db"), rec("mock", profiles=["dev"]))
        assert dependency_order(cat(*records), "dev") == ["db", "app", "mock"]
        assert dependency_order(cat(*records), None) == ["db", "app"]

    def test_cycle_raises(self) -> None:
        """A cycle raises ResolutionError holding only the cycle problems."""
        catalogue = cat(
            rec("a", requires=["b"]), rec("b", requires=["a"]), rec("c", requires=["x"])
        )
        with pytest.raises(
            ResolutionError,
            match=re.escape(
                "1 problem in the plugin graph:\n- a.py:1: dependency cycle: `a` -> `b` -> `a`"
            ),
        ) as info:
            dependency_order(catalogue, None)
        assert [p.kind for p in info.value.problems] == [ProblemKind.CYCLE]


class TestProfiles:
    def test_profiles_of(self) -> None:
        """ "default" first, then every named profile once, sorted."""
        catalogue = cat(rec("a", profiles=["test", "dev"]), rec("b", profiles=["dev", "default"]))
        assert profiles_of(catalogue) == ["default", "dev", "test"]
        assert profiles_of(cat()) == ["default"]

    def test_dedup_across_profiles(self) -> None:
        """A problem in several non-default profiles is reported once, naming them."""
        catalogue = cat(rec("app", needs("s", "x.S"), profiles=["dev", "test"]))
        problems, orders = validate_profiles(catalogue)
        (problem,) = problems
        assert problem.message.endswith("but no active plugin provides it [profile `dev`, `test`]")
        assert problem.profile == "dev"
        assert orders == {"default": []}

    def test_default_profile_problem_not_suffixed(self) -> None:
        """A problem that occurs in the default profile carries no profile suffix."""
        catalogue = cat(rec("app", needs("s", "x.S")), rec("mock", profiles=["dev"]))
        problems, orders = validate_profiles(catalogue)
        (problem,) = problems
        assert problem.message.endswith("but no active plugin provides it")
        assert problem.profile == "default"
        assert orders == {}

    def test_orders_for_clean_profiles(self) -> None:
        """Profiles without problems get their dependency order; broken ones none."""
        catalogue = cat(
            rec("app", needs("s", "x.S")),
            rec("real", provides=["x.S"], profiles=["prod"]),
            rec("mock", provides=["x.S"], profiles=["dev"]),
        )
        problems, orders = validate_profiles(catalogue)
        assert orders == {"dev": ["mock", "app"], "prod": ["real", "app"]}
        assert [p.profile for p in problems] == ["default"]

    def test_explicit_profiles(self) -> None:
        """Only the given profiles are validated."""
        catalogue = cat(rec("app", needs("s", "x.S"), profiles=["dev"]))
        assert validate_profiles(catalogue, ["default"]) == ([], {"default": []})

    def test_sorted_by_location(self) -> None:
        """Merged problems are sorted by file, line, kind and message."""
        catalogue = cat(
            rec("zed", needs("s", "x.S"), line=1),
            rec("abe", needs("s", "x.S"), line=1),
            rec("abe2", requires=["ghost"], line=3),
        )
        problems, _ = validate_profiles(catalogue)
        assert [(p.file, p.line) for p in problems] == [
            ("abe.py", 5),
            ("abe2.py", 3),
            ("zed.py", 5),
        ]
