"""Codegen section: ``mreg-codegen scan`` timed as a user runs it, beside an ``ast`` parse.

Each scan is the real command, ``python -m mreg_codegen scan ROOT --output MANIFEST --jobs J``,
timed from spawn to exit (interpreter start-up and imports included: that is what a build step
costs). Cold scans start without a cache; the warm re-scan runs on an unchanged tree; the
touched re-scan follows a real edit of one plugin file (a comment line appended, so its content
hash changes). The edit is undone and the manifest rewritten before returning.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from benchmarks._common import (
    BENCHMARKS,
    ChildResult,
    Figures,
    child_env,
    run_child,
    summarize,
    unavailable,
)
from benchmarks._tree import TreeLayout, TreeShape

__all__ = ["count_sources", "ensure_manifest", "measure_codegen", "scan", "scan_problem"]

CACHE_DIRS = (".mreg-cache",)
"""Cache directories ``mreg-codegen`` may leave in the import root or the working directory."""


def scan(import_root: Path, manifest: Path, *, cwd: Path, jobs: int | None = None) -> ChildResult:
    """Run ``mreg-codegen scan IMPORT_ROOT --output MANIFEST [--jobs J]`` in a child."""
    argv = ["-m", "mreg_codegen", "scan", str(import_root), "--output", str(manifest)]
    if jobs is not None:
        argv += ["--jobs", str(jobs)]
    return run_child(argv, child_env(), cwd=cwd, timeout=1800)


def _scan(layout: TreeLayout, jobs: int | None) -> ChildResult:
    return scan(layout.import_root("mreg"), layout.manifest, cwd=layout.root, jobs=jobs)


def _clear_cache(layout: TreeLayout) -> None:
    for base in (layout.root, layout.import_root("mreg")):
        for name in CACHE_DIRS:
            shutil.rmtree(base / name, ignore_errors=True)


_MISSING_PARTS = ("No module named mreg_codegen", "No module named 'mreg_codegen")


def scan_problem(result: ChildResult) -> str | None:
    """Why a scan produced no manifest: ``unavailable: ...`` while parts of mreg-codegen are
    not written yet, ``error: ...`` otherwise; ``None`` when it succeeded."""
    if result.returncode == 0:
        return None
    lines = [line.strip() for line in result.stderr.replace("\r", "\n").splitlines()]
    lines = [line for line in lines if line]
    for line in lines:
        if any(part in line for part in _MISSING_PARTS) or (
            "cannot import name" in line and "from 'mreg_codegen" in line
        ):
            detail = line[line.find("No module") :] if "No module" in line else line
            return f"unavailable: mreg-codegen cannot run yet ({detail.split(' [')[0]})"
    last = lines[-1] if lines else f"exit status {result.returncode}"
    return f"error: mreg-codegen scan failed: {last}"


def count_sources(layout: TreeLayout) -> int:
    """How many ``.py`` files the ``mreg`` variant has (what a scan reads)."""
    return sum(1 for _ in layout.import_root("mreg").rglob("*.py"))


def ensure_manifest(shape: TreeShape, layout: TreeLayout) -> tuple[Path | None, str | None]:
    """Scan the tree so the ``mreg`` variant has a manifest; ``(path, None)`` or ``(None, why)``.

    The manifest must list every generated plugin, or it is reported as an error.
    """
    result = _scan(layout, None)
    problem = scan_problem(result)
    if problem:
        return None, problem
    try:
        plugins = json.loads(layout.manifest.read_text(encoding="utf-8"))["plugins"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return None, f"error: the manifest mreg-codegen wrote is unreadable ({exc})"
    if len(plugins) != shape.n:
        return None, f"error: mreg-codegen found {len(plugins)} of {shape.n} plugins"
    return layout.manifest, None


def _timed_scans(
    layout: TreeLayout, jobs: int | None, repeats: int, *, cold: bool
) -> Figures | str:
    seconds = []
    for _ in range(repeats):
        if cold:
            _clear_cache(layout)
        result = _scan(layout, jobs)
        problem = scan_problem(result)
        if problem:
            return problem
        seconds.append(result.wall_s)
    return summarize(seconds, "s", 3)


def _touched_scans(shape: TreeShape, layout: TreeLayout, repeats: int) -> Figures | str:
    target = shape.plugins[shape.n // 2]
    path = (
        layout.import_root("mreg")
        / layout.package("mreg")
        / (target.module.replace(".", "/") + ".py")
    )
    original = path.read_bytes()
    seconds = []
    try:
        for attempt in range(repeats):
            path.write_bytes(original + f"# touched {attempt}\n".encode())
            result = _scan(layout, None)
            problem = scan_problem(result)
            if problem:
                return problem
            seconds.append(result.wall_s)
    finally:
        path.write_bytes(original)
        _scan(layout, None)  # leave the manifest matching the tree again
    return summarize(seconds, "s", 3)


def _ast_reference(layout: TreeLayout, repeats: int) -> Figures | str:
    seconds = []
    for _ in range(repeats):
        result = run_child(
            [str(BENCHMARKS / "_astscan.py"), str(layout.import_root("mreg"))], child_env()
        )
        if result.problem:
            return result.problem
        seconds.append(result.number("seconds"))
    return summarize(seconds, "s", 4)


def measure_codegen(shape: TreeShape, layout: TreeLayout, repeats: int) -> dict[str, Figures]:
    """Cold scans on 1 and 2 jobs, a warm re-scan, a re-scan after one edit, and ``ast``.

    Each row is ``{"time": <seconds summary>, "files": F, "files_per_s": F / median}``.
    """
    files = count_sources(layout)
    rows: dict[str, Figures | str] = {}
    rows["cold_1_job"] = _timed_scans(layout, 1, repeats, cold=True)
    rows["cold_2_jobs"] = _timed_scans(layout, 2, repeats, cold=True)
    # The cache is warm after the cold scans; re-scan the unchanged tree.
    rows["warm_rescan"] = _timed_scans(layout, None, max(repeats, 3), cold=False)
    rows["touched_rescan"] = _touched_scans(shape, layout, max(repeats, 3))
    rows["ast_reference"] = _ast_reference(layout, max(repeats, 3))
    out: dict[str, Figures] = {}
    for key, value in rows.items():
        if isinstance(value, str):
            out[key] = unavailable(value)
            continue
        median = value["median"]
        out[key] = {
            "time": value,
            "files": files,
            "files_per_s": round(files / median) if median else None,
        }
    return out
