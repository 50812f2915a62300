"""Smoke test of the benchmark harness: ``python -m benchmarks --quick`` runs and writes JSON.

Timings are never asserted (the machine is shared); only that every section ran, that each row
holds figures or says why it is unavailable, and that the generated trees are what they claim.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from benchmarks._tree import PACKAGES, TreeShape, write_tree

REPO = Path(__file__).resolve().parent.parent
SECTIONS = ("ready", "first_use", "memory", "per_get", "codegen")
STATUSES = ("PASS", "MISS", "UNAVAILABLE", "n/a")


def _rows(results: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for section in ("ready", "first_use"):
        for n, variants in results[section].items():
            rows += [(f"{section} N={n} {key}", row) for key, row in variants.items()]
    rows += [(f"per_get {key}", row) for key, row in results["per_get"]["rows"].items()]
    rows += [(f"memory {key}", row) for key, row in results["memory"]["rows"].items()]
    rows += [(f"codegen {key}", row) for key, row in results["codegen"]["rows"].items()]
    return rows


@pytest.fixture(scope="module")
def quick_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[subprocess.CompletedProcess[str], Path]:
    tmp = tmp_path_factory.mktemp("bench")
    output = tmp / "latest.json"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(str(REPO / p) for p in ("src", "codegen", "."))
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "benchmarks",
            "--quick",
            "--workdir",
            str(tmp / "trees"),
            "--output",
            str(output),
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return completed, output


class TestQuickRun:
    def test_exits_zero_and_prints_targets(
        self, quick_run: tuple[subprocess.CompletedProcess[str], Path]
    ) -> None:
        """The quick run must finish with status 0 and print the targets section."""
        completed, _ = quick_run
        assert completed.returncode == 0, completed.stderr
        assert "Targets (ratios from this run)" in completed.stdout

    def test_writes_every_section(
        self, quick_run: tuple[subprocess.CompletedProcess[str], Path]
    ) -> None:
        """The JSON must be valid and hold every section, the machine and the settings."""
        _, output = quick_run
        results = json.loads(output.read_text(encoding="utf-8"))
        assert set(SECTIONS) <= results.keys()
        assert results["meta"]["quick"] is True
        assert results["meta"]["cpus"] >= 1
        assert results["trees"]["100"]["plugins"] == 100

    def test_every_row_has_figures_or_a_reason(
        self, quick_run: tuple[subprocess.CompletedProcess[str], Path]
    ) -> None:
        """Each row must hold positive medians, or say it is unavailable and why; none errs."""
        _, output = quick_run
        results = json.loads(output.read_text(encoding="utf-8"))
        for label, row in _rows(results):
            if "unavailable" in row:
                reason = row["unavailable"]
                assert reason.startswith("unavailable: "), f"{label}: {reason}"
                continue
            medians = [v["median"] for v in row.values() if isinstance(v, dict)]
            assert medians, label
            assert all(m > 0 for m in medians), f"{label}: {row}"

    def test_baselines_always_run(
        self, quick_run: tuple[subprocess.CompletedProcess[str], Path]
    ) -> None:
        """Import-scan, entry points, the floor and direct construction need nothing else."""
        _, output = quick_run
        results = json.loads(output.read_text(encoding="utf-8"))
        for variant in ("scan", "ep", "floor"):
            assert "ready_ms" in results["ready"]["100"][variant]
        assert "singleton" in results["per_get"]["rows"]["direct"]
        assert "time" in results["codegen"]["rows"]["ast_reference"]

    def test_every_target_is_evaluated(
        self, quick_run: tuple[subprocess.CompletedProcess[str], Path]
    ) -> None:
        """All ten targets of the issue must appear with a known status and their figures."""
        _, output = quick_run
        targets = json.loads(output.read_text(encoding="utf-8"))["targets"]
        assert len(targets) == 10
        for target in targets:
            assert target["status"].startswith(STATUSES), target
            assert target["figures"], target


class TestTreeShape:
    def test_same_seed_same_tree(self) -> None:
        """Generating twice from one seed must give the same shape."""
        assert TreeShape.generate(300, seed=3).digest() == TreeShape.generate(300, seed=3).digest()

    def test_dependencies_point_backwards(self) -> None:
        """Every dependency must have a lower index, so the graph is acyclic, with 0-3 each."""
        shape = TreeShape.generate(1000)
        for plugin in shape.plugins:
            assert all(dep < plugin.index for dep in plugin.deps)
            assert 0 <= len(plugin.deps) <= 3

    def test_target_is_a_singleton_with_three_dependencies(self) -> None:
        """The first-use target must be a singleton with exactly three dependencies."""
        shape = TreeShape.generate(1000)
        assert len(shape.plugins[shape.target].deps) == 3
        assert shape.plugins[shape.target].scope == "singleton"

    def test_too_small_is_refused(self) -> None:
        """A tree of fewer than four plugins must be refused with a clear message."""
        with pytest.raises(ValueError, match="a tree needs at least 4 plugins, not 3"):
            TreeShape.generate(3)

    def test_written_variants_declare_every_plugin(self, tmp_path: Path) -> None:
        """Each variant must hold one module per plugin, and entry points list them all."""
        shape = TreeShape.generate(120)
        layout = write_tree(shape, tmp_path / "tree")
        for variant, package in PACKAGES.items():
            modules = list((layout.import_root(variant) / package / "plugins").rglob("p*.py"))
            assert len(modules) == 120, variant
        entry_points = next(layout.import_root("ep").glob("*.dist-info")) / "entry_points.txt"
        assert entry_points.read_text(encoding="utf-8").count(" = mb_ep.plugins.") == 120
        reference = json.loads(layout.reference_manifest.read_text(encoding="utf-8"))
        assert len(reference["plugins"]) == 120


class TestVenv:
    def test_existing_venv_is_reused_and_children_run_in_it(self, tmp_path: Path) -> None:
        """--venv reuses an existing environment and every child then runs its interpreter."""
        from benchmarks import _common, _harness

        directory = tmp_path / "venv"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(directory)], check=True)
        marker = directory / "bin" / "python"
        before = marker.stat().st_mtime_ns
        previous = _common.interpreter()
        try:
            python = _harness.ensure_venv(directory)
            assert python == str(marker)
            assert marker.stat().st_mtime_ns == before  # not rebuilt, nothing installed
            _common.use_interpreter(python)
            environment = _harness._environment()
        finally:
            _common.use_interpreter(previous)
        assert environment["interpreter"] == str(marker)
        assert environment["isolated_venv"] is True
        assert environment["label"] == ("isolated venv (mreg-di's dependencies + bench extra only)")
