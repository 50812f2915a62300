"""Text for people: the plugin table of ``list`` and the graph of ``graph``.

Everything here works on a loaded `Manifest` and returns a string; the command line prints it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import networkx as nx

    from mreg_di._manifest import Manifest

__all__ = ["GraphFormat", "graph_data", "plugin_table", "render_graph"]

GraphFormat = Literal["dot", "mermaid", "json"]
"""The formats ``mreg-codegen graph`` writes."""

_TABLE_COLUMNS = ("NAME", "VERSION", "TYPE", "CAPABILITIES", "MODULE")


def format_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned columns two spaces apart, without trailing spaces.

    Example:
        >>> print(format_table(["A", "BB"], [["xyz", "1"]]), end="")
        A    BB
        xyz  1
    """
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, *rows]:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"


def plugin_table(manifest: Manifest) -> str:
    """The ``list`` table: name, version, type, capabilities and module, sorted by name.

    Example:
        >>> from mreg_di._manifest import Manifest
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> rec = PluginRecord(PluginSpec("gzip", "2.1.0", capabilities=["compression"]),
        ...                    "acme.gz", "Gzip")
        >>> m = Manifest.build([rec], files={}, order={}, generator="doc")
        >>> print(plugin_table(m), end="")
        NAME  VERSION  TYPE     CAPABILITIES  MODULE
        gzip  2.1.0    generic  compression   acme.gz
    """
    rows = [
        [
            raw["name"],
            raw["version"],
            raw["type"],
            ", ".join(raw["capabilities"]) or "-",
            raw["module"],
        ]
        for raw in (manifest.raw(name) for name in manifest.names())
    ]
    return format_table(_TABLE_COLUMNS, rows)


def _graph(manifest: Manifest, profile: str | None) -> nx.DiGraph:
    from mreg_di._graph import build_graph
    from mreg_di._resolve import Binder

    return build_graph(Binder(manifest, profile))


def graph_data(manifest: Manifest, profile: str | None) -> dict[str, Any]:
    """The active graph of `profile` as JSON-ready data: nodes, edges and start-up order.

    ``order`` is the dependency order (dependencies first), or ``None`` when the graph has a
    cycle. Edges point from a consumer to its dependency.

    Example:
        >>> from mreg_di._manifest import Manifest
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> a = PluginRecord(PluginSpec("a", requires=["b"]), "m", "A")
        >>> b = PluginRecord(PluginSpec("b"), "m", "B")
        >>> data = graph_data(Manifest.build([a, b], files={}, order={}, generator="doc"), None)
        >>> data["edges"], data["order"]
        ([{'from': 'a', 'to': 'b', 'via': ['requires `b`']}], ['b', 'a'])
    """
    from mreg_di._errors import ResolutionError
    from mreg_di._graph import dependency_order

    graph = _graph(manifest, profile)
    nodes = []
    for name in sorted(graph.nodes):
        raw = manifest.raw(name)
        nodes.append(
            {
                "name": name,
                "version": raw["version"],
                "type": raw["type"],
                "kind": raw["kind"],
                "target": f"{raw['module']}:{raw['qualname']}",
                "file": raw["file"],
                "line": raw["line"],
            }
        )
    edges = [
        {"from": consumer, "to": dependency, "via": list(graph.edges[consumer, dependency]["via"])}
        for consumer, dependency in sorted(graph.edges)
    ]
    try:
        order: list[str] | None = dependency_order(manifest, profile)
    except ResolutionError:
        order = None
    return {"profile": graph.graph["profile"], "nodes": nodes, "edges": edges, "order": order}


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _mermaid_label(text: str) -> str:
    # Backticks switch Mermaid to Markdown labels and quotes end a label: drop or escape them.
    return '"' + text.replace("`", "").replace('"', "#quot;") + '"'


def render_graph(manifest: Manifest, profile: str | None, fmt: GraphFormat) -> str:
    """The active graph of `profile` as Graphviz dot, a Mermaid flowchart or JSON.

    Example:
        >>> from mreg_di._manifest import Manifest
        >>> from mreg_di._spec import PluginRecord, PluginSpec
        >>> a = PluginRecord(PluginSpec("a", requires=["b"]), "m", "A")
        >>> b = PluginRecord(PluginSpec("b"), "m", "B")
        >>> m = Manifest.build([a, b], files={}, order={}, generator="doc")
        >>> print(render_graph(m, None, "mermaid"), end="")
        flowchart LR
          n0["a 0.0.0"]
          n1["b 0.0.0"]
          n0 -->|"requires b"| n1
    """
    data = graph_data(manifest, profile)
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=True) + "\n"
    ids = {node["name"]: f"n{index}" for index, node in enumerate(data["nodes"])}
    if fmt == "mermaid":
        lines = ["flowchart LR"]
        for node in data["nodes"]:
            label = _mermaid_label(f"{node['name']} {node['version']}")
            lines.append(f"  {ids[node['name']]}[{label}]")
        for edge in data["edges"]:
            via = _mermaid_label(", ".join(edge["via"]))
            lines.append(f"  {ids[edge['from']]} -->|{via}| {ids[edge['to']]}")
        return "\n".join(lines) + "\n"
    lines = [
        f"digraph {_dot_quote('plugins (' + data['profile'] + ')')} {{",
        "  rankdir=LR;",
        "  node [shape=box];",
    ]
    for node in data["nodes"]:
        label = _dot_quote(f"{node['name']}\n{node['version']}").replace("\n", "\\n")
        lines.append(f"  {_dot_quote(node['name'])} [label={label}];")
    for edge in data["edges"]:
        via = _dot_quote(", ".join(edge["via"]))
        lines.append(f"  {_dot_quote(edge['from'])} -> {_dot_quote(edge['to'])} [label={via}];")
    lines.append("}")
    return "\n".join(lines) + "\n"
