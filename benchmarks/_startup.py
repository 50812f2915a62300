"""Start-up sections: ready, first use and memory, each run in fresh processes.

The probe (``_probe.py``) does the timing inside the child; this module runs it, interleaving
the variants round by round so that noise from other work on a shared machine spreads over
all of them alike, and discards one warm-up round (which also writes the ``.pyc`` files: every
figure is for warm bytecode caches, as in production after the first start).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from benchmarks._common import BENCHMARKS, Figures, child_env, run_child, summarize, unavailable
from benchmarks._tree import ENTRY_POINT_GROUP, TreeLayout, TreeShape

__all__ = ["VARIANTS", "Subject", "measure_first_use", "measure_memory", "measure_ready"]

VARIANTS = {
    "mreg": "mreg_di from_manifest",
    "scan": "import-scan",
    "ep": "entry points + load all",
    "floor": "floor: json.load + lazy factories",
}
"""Start-up variants, by key, with the label the table shows."""

PROBE = BENCHMARKS / "_probe.py"


class Subject:
    """One tree, and which manifest each variant reads.

    Until ``mreg-codegen`` can scan the tree, this project's rows read the generator's
    reference manifest instead (built with `mreg_di.Manifest.build` from what the generator
    wrote, so it describes the same plugins); `manifest_origin` says which one was used and
    the results carry it.

    Attributes:
        shape: The generated shape.
        layout: Where its variants live.
        manifest: The manifest ``mreg-codegen`` wrote, or ``None`` when codegen is unavailable.
        codegen_problem: Why there is no codegen manifest, if there is none.
    """

    def __init__(
        self,
        shape: TreeShape,
        layout: TreeLayout,
        manifest: Path | None,
        codegen_problem: str | None,
    ) -> None:
        self.shape = shape
        self.layout = layout
        self.manifest = manifest
        self.codegen_problem = codegen_problem

    @property
    def runtime_manifest(self) -> Path:
        """The manifest mreg_di and the floor read: codegen's, else the reference one."""
        return self.manifest or self.layout.reference_manifest

    @property
    def manifest_origin(self) -> str:
        """``"mreg-codegen"``, or which stand-in manifest was used and why."""
        if self.manifest is not None:
            return "mreg-codegen"
        why = (self.codegen_problem or "").removeprefix("unavailable: ")
        return f"generator reference manifest (mreg-codegen: {why})"

    def probe_args(self, variant: str) -> tuple[list[str], dict[str, str]]:
        """The probe's arguments and environment for `variant`, or why it cannot run."""
        target = self.shape.plugins[self.shape.target]
        package_variant = "mreg" if variant in ("mreg", "floor") else variant
        package = self.layout.package(package_variant)
        opts = {
            "plugins": str(self.shape.n),
            "package": package,
            "group": ENTRY_POINT_GROUP,
            "interface": f"{package}.{target.interface_module}:{target.interface}",
            "cls": target.class_name,
        }
        if variant in ("mreg", "floor"):
            opts["manifest"] = str(self.runtime_manifest)
        env = child_env(self.layout.import_root(package_variant))
        return [f"{key}={value}" for key, value in opts.items()], env


def _rounds(
    subject: Subject,
    mode: str,
    variants: Sequence[str],
    repeats: int,
    collect: Callable[[str, dict[str, str], int], dict[str, float]],
    extra: Sequence[str] = (),
) -> dict[str, Figures]:
    """Run `repeats` + 1 interleaved rounds of the probe; return each variant's figures."""
    samples: dict[str, dict[str, list[float]]] = {v: {} for v in variants}
    problems: dict[str, str] = {}
    for round_index in range(repeats + 1):
        for variant in variants:
            if variant in problems:
                continue
            opts, env = subject.probe_args(variant)
            result = run_child([str(PROBE), mode, variant, *opts, *extra], env)
            if result.problem:
                problems[variant] = result.problem
                continue
            if round_index == 0:
                continue  # warm-up: writes .pyc files, fills the OS cache
            collected = collect(variant, result.values, result.started_ns)
            for key, value in collected.items():
                samples[variant].setdefault(key, []).append(value)
    out: dict[str, Figures] = {}
    for variant in variants:
        if variant in problems:
            out[variant] = unavailable(problems[variant])
            continue
        figures: Figures = {}
        for key, values in samples[variant].items():
            unit = "ms" if key.endswith("_ms") else ("kB" if key.endswith("_kb") else "")
            figures[key] = summarize(values, unit, 3 if unit == "ms" else 0)
        out[variant] = figures
    return out


def measure_ready(subject: Subject, repeats: int) -> dict[str, Figures]:
    """Ready time of each variant: in-process, from before the first framework import."""

    def collect(variant: str, values: dict[str, str], started_ns: int) -> dict[str, float]:
        return {"ready_ms": float(values["ready_ms"]), "modules": float(values["modules_ready"])}

    return _rounds(subject, "ready", list(VARIANTS), repeats, collect)


def measure_first_use(subject: Subject, repeats: int) -> dict[str, Figures]:
    """Whole-process time from exec to the first ``get`` of the target returning."""

    def collect(variant: str, values: dict[str, str], started_ns: int) -> dict[str, float]:
        return {
            "first_use_ms": (int(values["done_ns"]) - started_ns) / 1e6,
            "first_use_inprocess_ms": float(values["first_use_inprocess_ms"]),
            "modules": float(values["modules_first_use"]),
        }

    return _rounds(subject, "first-use", ["mreg", "scan", "floor"], repeats, collect)


def measure_memory(subject: Subject, repeats: int) -> dict[str, Figures]:
    """Peak RSS of each variant once ready, and of this project's registry once started."""

    def collect(variant: str, values: dict[str, str], started_ns: int) -> dict[str, float]:
        return {"maxrss_kb": float(values["maxrss_kb"])}

    def collect_started(variant: str, values: dict[str, str], started_ns: int) -> dict[str, float]:
        return {
            "maxrss_kb": float(values["maxrss_kb"]),
            "start_ms": float(values["start_ms"]),
            "modules": float(values["modules_started"]),
        }

    out = _rounds(subject, "memory", list(VARIANTS), repeats, collect)
    started = _rounds(subject, "memory", ["mreg"], repeats, collect_started, extra=["start=1"])
    out["mreg_started"] = started["mreg"]
    return out
