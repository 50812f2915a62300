"""Tests for mreg_codegen._render: the plugin table and the graph in dot, mermaid and json."""

from __future__ import annotations

import json

from mreg_codegen._render import format_table, graph_data, plugin_table, render_graph
from mreg_di._manifest import Manifest
from mreg_di._spec import ParameterSpec, PluginRecord, PluginSpec


def manifest() -> Manifest:
    storage = PluginRecord(
        PluginSpec("memory-storage", "1.2.0", "storage", ["store", "load"], ["acme.Storage"]),
        "acme.storage",
        "MemoryStorage",
        "acme/storage.py",
        4,
    )
    compressor = PluginRecord(
        PluginSpec("gzip", "2.1.0", "compressor", provides=["acme.Compressor"]),
        "acme.gz",
        "Gzip",
        "acme/gz.py",
        7,
        parameters=[ParameterSpec("storage", "acme.Storage", "acme.Storage", line=9)],
    )
    pipeline = PluginRecord(
        PluginSpec("pipeline", requires=["gzip>=2"]),
        "acme.pipeline",
        "Pipeline",
        "acme/pipeline.py",
        12,
        parameters=[
            ParameterSpec("compressor", "acme.Compressor", "acme.Compressor", line=14),
            ParameterSpec("storage", "acme.Storage", "acme.Storage", line=15),
        ],
    )
    mock = PluginRecord(PluginSpec("mock", profiles=["test"]), "acme.mock", "Mock", "acme/m.py", 1)
    return Manifest.build(
        [storage, compressor, pipeline, mock],
        files=dict.fromkeys(
            ["acme/storage.py", "acme/gz.py", "acme/pipeline.py", "acme/m.py"], "0" * 64
        ),
        order={},
        generator="test",
    )


class TestTable:
    def test_plugin_table(self) -> None:
        """Every plugin, sorted by name, with its capabilities joined; no trailing spaces."""
        assert plugin_table(manifest()) == (
            "NAME            VERSION  TYPE        CAPABILITIES  MODULE\n"
            "gzip            2.1.0    compressor  -             acme.gz\n"
            "memory-storage  1.2.0    storage     store, load   acme.storage\n"
            "mock            0.0.0    generic     -             acme.mock\n"
            "pipeline        0.0.0    generic     -             acme.pipeline\n"
        )

    def test_empty_manifest(self) -> None:
        """A manifest without plugins is just the header."""
        empty = Manifest.build([], files={}, order={}, generator="test")
        assert plugin_table(empty) == "NAME  VERSION  TYPE  CAPABILITIES  MODULE\n"

    def test_format_table_widths(self) -> None:
        """Columns are as wide as their widest cell, two spaces apart."""
        assert format_table(["A", "B"], [["long", "x"], ["s", "yy"]]) == (
            "A     B\nlong  x\ns     yy\n"
        )


class TestGraph:
    def test_dot(self) -> None:
        """dot: one node per active plugin, edges consumer -> dependency labelled with why."""
        assert render_graph(manifest(), None, "dot") == (
            'digraph "plugins (default)" {\n'
            "  rankdir=LR;\n"
            "  node [shape=box];\n"
            '  "gzip" [label="gzip\\n2.1.0"];\n'
            '  "memory-storage" [label="memory-storage\\n1.2.0"];\n'
            '  "pipeline" [label="pipeline\\n0.0.0"];\n'
            '  "gzip" -> "memory-storage" [label="parameter `storage`"];\n'
            '  "pipeline" -> "gzip" [label="parameter `compressor`, requires `gzip>=2`"];\n'
            '  "pipeline" -> "memory-storage" [label="parameter `storage`"];\n'
            "}\n"
        )

    def test_mermaid(self) -> None:
        """mermaid: a left-to-right flowchart; backticks are dropped from labels."""
        assert render_graph(manifest(), None, "mermaid") == (
            "flowchart LR\n"
            '  n0["gzip 2.1.0"]\n'
            '  n1["memory-storage 1.2.0"]\n'
            '  n2["pipeline 0.0.0"]\n'
            '  n0 -->|"parameter storage"| n1\n'
            '  n2 -->|"parameter compressor, requires gzip>=2"| n0\n'
            '  n2 -->|"parameter storage"| n1\n'
        )

    def test_json(self) -> None:
        """json: nodes, edges and the start-up order (dependencies first)."""
        data = json.loads(render_graph(manifest(), None, "json"))
        assert data == graph_data(manifest(), None)
        assert data["profile"] == "default"
        assert data["order"] == ["memory-storage", "gzip", "pipeline"]
        assert data["nodes"][0] == {
            "name": "gzip",
            "version": "2.1.0",
            "type": "compressor",
            "kind": "class",
            "target": "acme.gz:Gzip",
            "file": "acme/gz.py",
            "line": 7,
        }
        assert data["edges"][1] == {
            "from": "pipeline",
            "to": "gzip",
            "via": ["parameter `compressor`", "requires `gzip>=2`"],
        }

    def test_profile_selects_nodes(self) -> None:
        """A profile adds the plugins active only in it."""
        data = graph_data(manifest(), "test")
        assert data["profile"] == "test"
        assert [node["name"] for node in data["nodes"]] == [
            "gzip",
            "memory-storage",
            "mock",
            "pipeline",
        ]

    def test_cycle_has_no_order(self) -> None:
        """A cyclic graph is still drawn; its order is null."""
        a = PluginRecord(PluginSpec("a", requires=["b"]), "m", "A")
        b = PluginRecord(PluginSpec("b", requires=["a"]), "m", "B")
        cyclic = Manifest.build([a, b], files={}, order={}, generator="test")
        data = graph_data(cyclic, None)
        assert data["order"] is None
        assert [(e["from"], e["to"]) for e in data["edges"]] == [("a", "b"), ("b", "a")]

    def test_dot_escapes_quotes(self) -> None:
        """Quotes and backslashes in labels are escaped for dot."""
        a = PluginRecord(PluginSpec("a", version="1.0"), "m", "A")
        text = render_graph(Manifest.build([a], files={}, order={}, generator="t"), None, "dot")
        assert '  "a" [label="a\\n1.0"];\n' in text
