"""The whole dependency graph, with networkx: validation, cycles and start-up order.

The build step runs this for every profile and stores the orders in the manifest, so the
runtime imports networkx only when its graph changes (runtime registration) or when someone asks
for ``registry.graph``. Import this module lazily.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING

import networkx as nx

from mreg_di._problems import Problem, ProblemKind
from mreg_di._resolve import Binder, Catalogue
from mreg_di._validation import DEFAULT_PROFILE, split_requirement

if TYPE_CHECKING:
    from mreg_di._spec import PluginRecord

__all__ = [
    "build_graph",
    "dependency_order",
    "profiles_of",
    "validate",
    "validate_profiles",
]


def build_graph(binder: Binder) -> nx.DiGraph:
    """The active plugins of `binder`'s profile and their dependencies.

    Nodes are plugin names with a ``record`` attribute; an edge ``consumer -> dependency`` has a
    ``via`` attribute: the parameter names and requirements that create it, sorted.

    Example:
        >>> from mreg_di._resolve import RecordCatalogue
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> a = PluginRecord(PluginSpec("a", requires=["b"]), "m", "A")
        >>> b = PluginRecord(PluginSpec("b"), "m", "B")
        >>> sorted(build_graph(Binder(RecordCatalogue([a, b]), None)).edges)
        [('a', 'b')]
    """
    graph = nx.DiGraph(profile=binder.profile)
    for name in binder.active_names():
        graph.add_node(name, record=binder.catalogue.record(name))
    for name in list(graph.nodes):
        via: dict[str, list[str]] = {}
        for binding in binder.bindings(name)[0]:
            for provider in binding.providers:
                via.setdefault(provider, []).append(f"parameter `{binding.parameter.name}`")
        record: PluginRecord = graph.nodes[name]["record"]
        for requirement in record.spec.requires:
            wanted = (split_requirement(requirement) or (requirement, ""))[0]
            if wanted != name and binder.is_active(wanted):
                via.setdefault(wanted, []).append(f"requires `{requirement}`")
        for dependency, reasons in via.items():
            if dependency in graph:
                graph.add_edge(name, dependency, via=sorted(reasons))
    return graph


def _consumer_chain(graph: nx.DiGraph, name: str) -> list[str]:
    """A shortest path from a plugin nobody depends on down to `name` (inclusive)."""
    reverse = graph.reverse(copy=False)
    lengths = nx.single_source_shortest_path(reverse, name)
    roots = [node for node in lengths if graph.in_degree(node) == 0]
    if not roots:
        return [name]
    root = min(roots, key=lambda node: (len(lengths[node]), node))
    return list(reversed(lengths[root]))


def _cycles(graph: nx.DiGraph) -> list[list[str]]:
    """One cycle per strongly connected component, each starting at its smallest node."""
    found: list[list[str]] = []
    for component in nx.strongly_connected_components(graph):
        start = min(component)
        if len(component) == 1 and not graph.has_edge(start, start):
            continue
        sub = graph.subgraph(component)
        # The shortest way back to `start` is the clearest cycle to show.
        back = min(
            (nx.shortest_path(sub, succ, start) for succ in sorted(sub.successors(start))),
            key=lambda path: (len(path), path),
        )
        found.append([start, *back] if back[0] != start else [start, start])
    return sorted(found)


def validate(catalogue: Catalogue, profile: str | None) -> list[Problem]:
    """Every problem of the active graph in `profile`, in a stable order.

    Missing bindings name the chain of consumers that needs them; each cycle is shown once, as
    its path.
    """
    return _problems_of(Binder(catalogue, profile))[0]


def _problems_of(binder: Binder) -> tuple[list[Problem], nx.DiGraph]:
    """`validate` on an existing binder, also returning the graph it built."""
    graph = build_graph(binder)
    problems: list[Problem] = []
    for name in sorted(graph.nodes):
        for problem in binder.problems(name):
            if problem.kind is ProblemKind.MISSING_BINDING:
                chain = _consumer_chain(graph, name)
                if len(chain) > 1:
                    problem = _with_message(
                        problem,
                        problem.message
                        + " (needed by "
                        + " -> ".join(f"`{node}`" for node in chain)
                        + ")",
                    )
            problems.append(problem)
    for cycle in _cycles(graph):
        first: PluginRecord = graph.nodes[cycle[0]]["record"]
        steps = []
        for consumer, dependency in itertools.pairwise(cycle):
            via = ", ".join(graph.edges[consumer, dependency]["via"])
            steps.append(f"`{consumer}` -> `{dependency}` ({via})")
        problems.append(
            Problem(
                ProblemKind.CYCLE,
                "dependency cycle: " + " -> ".join(f"`{node}`" for node in cycle),
                plugin=cycle[0],
                file=first.file,
                line=first.line,
                column=first.column,
                hint="break the cycle: make one of these parameters optional and set it "
                "later, or move the shared part into a plugin both depend on; edges: "
                + "; ".join(steps),
                profile=binder.profile,
            )
        )
    return problems, graph


def _with_message(problem: Problem, message: str) -> Problem:
    return dataclasses.replace(problem, message=message)


def dependency_order(catalogue: Catalogue, profile: str | None) -> list[str]:
    """The active plugins of `profile`, dependencies first; ties broken by name.

    Raises:
        ResolutionError: The graph has a cycle.
    """
    return _order_of(build_graph(Binder(catalogue, profile)), catalogue, profile)


def _order_of(graph: nx.DiGraph, catalogue: Catalogue, profile: str | None) -> list[str]:
    try:
        # Edges point consumer -> dependency; reverse them so dependencies come first.
        return list(nx.lexicographical_topological_sort(graph.reverse(copy=False)))
    except nx.NetworkXUnfeasible as exc:
        from mreg_di._errors import ResolutionError

        raise ResolutionError(
            [p for p in validate(catalogue, profile) if p.kind is ProblemKind.CYCLE]
        ) from exc


def profiles_of(catalogue: Catalogue) -> list[str]:
    """``"default"`` followed by every profile any plugin names, sorted."""
    named = {
        profile
        for name in catalogue.names()
        for profile in catalogue.record(name).spec.profiles
        if profile != DEFAULT_PROFILE
    }
    return [DEFAULT_PROFILE, *sorted(named)]


def validate_profiles(
    catalogue: Catalogue, profiles: Iterable[str] | None = None
) -> tuple[list[Problem], dict[str, list[str]]]:
    """Validate every profile (by default `profiles_of`) at once, as the build step does.

    Returns:
        The problems, each reported once even when it occurs in several profiles (the first
        profile it occurs in is kept on it; the message names the profiles unless the default
        one is among them), and the dependency order of every profile that has no problem.
    """
    seen: dict[tuple[str, str | None, str], tuple[Problem, list[str]]] = {}
    orders: dict[str, list[str]] = {}
    for profile in profiles if profiles is not None else profiles_of(catalogue):
        # One binder and one graph per profile serve both the problems and the order.
        problems, graph = _problems_of(Binder(catalogue, profile))
        for problem in problems:
            key = (problem.kind.value, problem.plugin, problem.message)
            if key in seen:
                seen[key][1].append(profile)
            else:
                seen[key] = (problem, [profile])
        if not problems:
            orders[profile] = _order_of(graph, catalogue, profile)
    merged: list[Problem] = []
    for problem, in_profiles in seen.values():
        if DEFAULT_PROFILE not in in_profiles:
            listed = ", ".join(f"`{p}`" for p in in_profiles)
            problem = _with_message(problem, f"{problem.message} [profile {listed}]")
        merged.append(problem)
    merged.sort(key=lambda p: (p.file or "", p.line, p.kind.value, p.message))
    return merged, orders
