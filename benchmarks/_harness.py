"""``python -m benchmarks``: run every section, print the table, write the JSON.

Sections run in this order, each in fresh child processes: generate the trees (and scan them
with ``mreg-codegen``), ready, first use, memory, per-get, codegen. A part of this project that
does not exist yet, or a library that is not installed, turns its rows into
``unavailable: <reason>``; the run still completes.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks._codegen import count_sources, ensure_manifest, measure_codegen
from benchmarks._common import BENCHMARKS, REPO, interpreter, use_interpreter
from benchmarks._getbench import measure_per_get
from benchmarks._report import evaluate_targets, render
from benchmarks._startup import (
    Subject,
    measure_first_use,
    measure_memory,
    measure_ready,
)
from benchmarks._tree import TreeShape, write_tree

__all__ = ["SECTIONS", "main"]

SECTIONS = ("ready", "first_use", "memory", "per_get", "codegen")
_FULL_SIZES = (100, 1000, 5000, 10000)
_BENCH_DISTRIBUTIONS = (
    "dependency-injector",
    "wireup",
    "dishka",
    "that-depends",
    "svcs",
    "lagom",
    "punq",
    "injector",
    "libcst",
    "networkx",
    "typeguard",
    "attrs",
)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description="Measure mreg-di's start-up, get and codegen beside the alternatives.",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke run: N=100, few repeats; checks that everything runs, not timings",
    )
    parser.add_argument(
        "--sizes", help="comma-separated plugin counts (default 100,1000,5000,10000)"
    )
    parser.add_argument("--repeats", type=int, help="runs per start-up figure (default 7)")
    parser.add_argument(
        "--sections",
        default=",".join(SECTIONS),
        help=f"comma-separated subset of {','.join(SECTIONS)}",
    )
    parser.add_argument("--codegen-size", type=int, help="tree size for codegen (default 5000)")
    parser.add_argument("--memory-size", type=int, help="tree size for memory (default 10000)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=BENCHMARKS / ".trees",
        help="where generated trees live (default benchmarks/.trees, reused between runs)",
    )
    parser.add_argument(
        "--venv",
        type=Path,
        help="measure with this virtual environment's Python, holding only mreg-di's declared "
        "dependencies and the bench extra (created with `python -m venv` and "
        "`pip install -e .[bench]` if missing); default: this interpreter",
    )
    parser.add_argument(
        "--output",
        type=Path,
        default=BENCHMARKS / "results" / "latest.json",
        help="the JSON results file (default benchmarks/results/latest.json)",
    )
    return parser


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    quick = bool(args.quick)
    sizes = (
        [int(s) for s in args.sizes.split(",") if s.strip()]
        if args.sizes
        else ([100] if quick else list(_FULL_SIZES))
    )
    sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(sections) - set(SECTIONS))
    if unknown:
        raise SystemExit(f"unknown section(s) {', '.join(unknown)}; choose from {SECTIONS}")
    largest = max(sizes)
    return {
        "quick": quick,
        "sizes": sizes,
        "sections": sections,
        "repeats": args.repeats or (2 if quick else 7),
        "codegen_size": args.codegen_size or (largest if quick else 5000),
        "codegen_repeats": 1 if quick else 3,
        "memory_size": args.memory_size or (largest if quick else 10000),
        "memory_repeats": 1 if quick else 3,
        "get_repeats": 3 if quick else 5,
        "get_budget": 0.02 if quick else 0.1,
        "get_rounds": 1 if quick else 3,
    }


def _git(*argv: str) -> str:
    try:
        return subprocess.run(
            ["git", *argv], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        return ""


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as file:
            for line in file:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _versions() -> dict[str, str]:
    """The measured libraries' versions, as the children's interpreter sees them."""
    if interpreter() != sys.executable:
        code = (
            "import json, sys\nfrom importlib import metadata\nout = {}\n"
            "for name in sys.argv[1:]:\n"
            "    try:\n        out[name] = metadata.version(name)\n"
            "    except metadata.PackageNotFoundError:\n        out[name] = 'not installed'\n"
            "print(json.dumps(out))"
        )
        completed = subprocess.run(
            [interpreter(), "-c", code, *_BENCH_DISTRIBUTIONS],
            capture_output=True,
            text=True,
            check=True,
        )
        found: dict[str, str] = json.loads(completed.stdout)
        return found
    versions = {}
    for name in _BENCH_DISTRIBUTIONS:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def ensure_venv(directory: Path) -> str:
    """The Python of the virtual environment at `directory`, created first if missing.

    A new environment gets ``pip install -e .[bench]`` of this checkout: mreg-di's declared
    dependencies and the libraries it is compared with, and nothing else, so that no import
    made by unrelated tools installed globally on the machine lands in a figure.
    """
    python = directory / "bin" / "python"
    if not python.exists():
        _log(f"creating the virtual environment {directory}")
        subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-e", f"{REPO}[bench]"], check=True
        )
    return str(python)


def _environment() -> dict[str, Any]:
    """Which interpreter the children run, and whether it is an isolated environment."""
    code = "import sys; print(sys.prefix != sys.base_prefix, sys.version.split()[0])"
    completed = subprocess.run(
        [interpreter(), "-c", code], capture_output=True, text=True, check=True
    )
    isolated, version = completed.stdout.split()
    return {
        "interpreter": interpreter(),
        "isolated_venv": isolated == "True",
        "python_version": version,
        "label": (
            "isolated venv (mreg-di's dependencies + bench extra only)"
            if isolated == "True"
            else "current interpreter (global site-packages)"
        ),
    }


def _meta(settings: dict[str, Any], argv: Sequence[str]) -> dict[str, Any]:
    return {
        "command": " ".join(["python -m benchmarks", *argv]),
        "quick": settings["quick"],
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cpus": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "git_commit": _git("rev-parse", "HEAD"),
        "git_dirty": bool(_git("status", "--porcelain", "--", "src", "codegen", "benchmarks")),
        "versions": _versions(),
        "environment": _environment(),
        "repeats": settings["repeats"],
        "settings": settings,
    }


def _log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _subject(n: int, workdir: Path, cache: dict[int, Subject]) -> Subject:
    if n not in cache:
        _log(f"tree N={n}: generating and scanning")
        shape = TreeShape.generate(n)
        layout = write_tree(shape, workdir / f"n{n}")
        manifest, problem = ensure_manifest(shape, layout)
        if problem:
            _log(f"tree N={n}: {problem}")
        cache[n] = Subject(shape, layout, manifest, problem)
    return cache[n]


def run(settings: dict[str, Any], workdir: Path, argv: Sequence[str]) -> dict[str, Any]:
    """Run the selected sections and return the results document (without printing)."""
    started = time.monotonic()
    results: dict[str, Any] = {"meta": _meta(settings, argv), "trees": {}}
    subjects: dict[int, Subject] = {}
    sections = settings["sections"]
    needed = set(settings["sizes"]) if {"ready", "first_use"} & set(sections) else set()
    if "memory" in sections:
        needed.add(settings["memory_size"])
    if "codegen" in sections:
        needed.add(settings["codegen_size"])
    for n in sorted(needed):
        subject = _subject(n, workdir, subjects)
        target = subject.shape.plugins[subject.shape.target]
        results["trees"][str(n)] = {
            "plugins": n,
            "source_files": count_sources(subject.layout),
            "mean_fan_out": round(sum(len(p.deps) for p in subject.shape.plugins) / n, 3),
            "first_use_target": target.name,
            "first_use_closure": len(subject.shape.closure(target.index)),
            "manifest": subject.manifest_origin,
        }
    repeats = settings["repeats"]
    for section, measure in (("ready", measure_ready), ("first_use", measure_first_use)):
        if section in sections:
            results[section] = {}
            for n in settings["sizes"]:
                _log(f"{section} N={n}: {repeats} runs per variant")
                results[section][str(n)] = measure(subjects[n], repeats)
    if "memory" in sections:
        n = settings["memory_size"]
        _log(f"memory N={n}")
        rows = measure_memory(subjects[n], settings["memory_repeats"])
        results["memory"] = {"size": n, "rows": rows}
    if "per_get" in sections:
        _log("per-get: one process per library")
        results["per_get"] = measure_per_get(
            workdir, settings["get_repeats"], settings["get_budget"], settings["get_rounds"]
        )
    if "codegen" in sections:
        n = settings["codegen_size"]
        _log(f"codegen N={n}")
        subject = subjects[n]
        rows = measure_codegen(subject.shape, subject.layout, settings["codegen_repeats"])
        results["codegen"] = {"size": n, "rows": rows}
    results["targets"] = evaluate_targets(results)
    results["meta"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["meta"]["duration_s"] = round(time.monotonic() - started, 1)
    return results


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``python -m benchmarks``; returns the exit status.

    Exit status 0 means every section ran (rows may still be ``unavailable``); a missed
    target is reported, not an error.
    """
    # The children measure this checkout; the generator (which writes reference manifests
    # with mreg_di) must use the same one.
    for path in (str(REPO / "codegen"), str(REPO / "src")):
        if path not in sys.path:
            sys.path.insert(0, path)
    args_list = list(sys.argv[1:] if argv is None else argv)
    args = _parser().parse_args(args_list)
    if args.venv is not None:
        use_interpreter(ensure_venv(args.venv.resolve()))
    settings = _settings(args)
    results = run(settings, args.workdir, args_list)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(render(results))
    print(f"\nJSON written to {args.output}")
    return 0
