"""The issue's targets, evaluated as ratios of one run's figures, and the printed table.

Every target compares two figures from the same results document, so machine speed cancels
out. A target whose figures are missing is ``UNAVAILABLE`` with the reason; one whose size was
not run (``--quick``, ``--sizes``) is ``n/a`` but still shows the ratio at the size that was.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from benchmarks._getbench import LIBRARIES
from benchmarks._startup import VARIANTS

__all__ = ["OTHER_LIBRARIES", "evaluate_targets", "render"]

OTHER_LIBRARIES = ("wireup", "dishka", "that_depends", "svcs", "lagom", "punq", "injector")
"""The "other libraries" of the per-get targets (raw dependency-injector and direct
construction are references, not competitors)."""

Results = dict[str, Any]


class _Missing(Exception):
    """A figure a target needs is not in the results; the message says which and why."""


def _median(row: Any, key: str, what: str) -> float:
    if not isinstance(row, dict):
        raise _Missing(f"{what}: not measured")
    if "unavailable" in row:
        raise _Missing(f"{what}: {row['unavailable']}")
    value = row.get(key)
    if not isinstance(value, dict) or not isinstance(value.get("median"), (int, float)):
        raise _Missing(f"{what}: not measured")
    return float(value["median"])


def _size_key(results: Results, section: str, wanted: int) -> tuple[str, bool]:
    """The size to evaluate `section` at: `wanted` if it ran, else the largest that did."""
    sizes = sorted(int(n) for n in results.get(section, {}))
    if not sizes:
        raise _Missing(f"{section}: no size was measured")
    if wanted in sizes:
        return str(wanted), True
    return str(sizes[-1]), False


def _startup_ratio(
    results: Results, section: str, key: str, size: int, slow: str, fast: str
) -> tuple[float, str, bool]:
    n, exact = _size_key(results, section, size)
    rows = results[section][n]
    slow_ms = _median(rows.get(slow), key, f"{VARIANTS[slow]} at N={n}")
    fast_ms = _median(rows.get(fast), key, f"{VARIANTS[fast]} at N={n}")
    text = (
        f"N={n}: {VARIANTS[slow]} {slow_ms:.1f} ms / {VARIANTS[fast]} {fast_ms:.1f} ms = "
        f"{slow_ms / fast_ms:.2f}x"
    )
    return slow_ms / fast_ms, text, exact


def _get_ratio(results: Results, shape: str, mine: str, theirs: Iterable[str]) -> tuple[float, str]:
    rows = results.get("per_get", {}).get("rows", {})
    mine_ns = _median(rows.get(mine), shape, f"{LIBRARIES[mine]} ({shape})")
    available = {}
    problems = []
    for name in theirs:
        try:
            available[name] = _median(rows.get(name), shape, f"{LIBRARIES[name]} ({shape})")
        except _Missing as exc:
            problems.append(str(exc))
    if not available:
        raise _Missing("; ".join(problems) or "no library to compare with")
    best = min(available, key=available.__getitem__)
    text = (
        f"{LIBRARIES[mine]} {mine_ns:.0f} ns / {LIBRARIES[best]} {available[best]:.0f} ns = "
        f"{mine_ns / available[best]:.2f}x"
    )
    if problems:
        text += f" (not compared: {len(problems)} unavailable)"
    return mine_ns / available[best], text


def _codegen_ratio(results: Results, numerator: str, denominator: str) -> tuple[float, str, bool]:
    section = results.get("codegen")
    if not isinstance(section, dict) or "size" not in section:
        raise _Missing("codegen: not measured")
    rows = section["rows"]
    top = _median(rows.get(numerator), "time", numerator)
    bottom = _median(rows.get(denominator), "time", denominator)
    text = (
        f"N={section['size']}: {numerator} {top:.3f} s / {denominator} {bottom:.3f} s = "
        f"{top / bottom:.3f}"
    )
    return top / bottom, text, section["size"] == 5000


_Check = Callable[[Results], tuple[float, str, bool]]


def _targets() -> list[tuple[str, str, Callable[[float], bool], _Check]]:
    def startup(section: str, key: str, size: int, slow: str, fast: str) -> _Check:
        return lambda r: _startup_ratio(r, section, key, size, slow, fast)

    def get(shape: str, theirs: tuple[str, ...]) -> _Check:
        def check(r: Results) -> tuple[float, str, bool]:
            ratio, text = _get_ratio(r, shape, "mreg_di", theirs)
            return ratio, text, True

        return check

    def codegen(numerator: str, denominator: str) -> _Check:
        return lambda r: _codegen_ratio(r, numerator, denominator)

    return [
        (
            "ready_5k_vs_import_scan",
            "Ready at N=5,000: at least 10x faster than import-scan",
            lambda x: x >= 10,
            startup("ready", "ready_ms", 5000, "scan", "mreg"),
        ),
        (
            "ready_5k_vs_floor",
            "Ready at N=5,000: within 2.5x of the floor",
            lambda x: x <= 2.5,
            startup("ready", "ready_ms", 5000, "mreg", "floor"),
        ),
        (
            "first_use_5k_vs_import_scan",
            "First use at N=5,000: at least 4x faster than import-scan",
            lambda x: x >= 4,
            startup("first_use", "first_use_ms", 5000, "scan", "mreg"),
        ),
        (
            "first_use_1k_vs_import_scan",
            "First use at N=1,000: at least 1.5x faster than import-scan",
            lambda x: x >= 1.5,
            startup("first_use", "first_use_ms", 1000, "scan", "mreg"),
        ),
        (
            "singleton_get_vs_dependency_injector",
            "Cached singleton get: within 2x of a raw dependency-injector provider call",
            lambda x: x <= 2,
            get("singleton", ("dependency_injector",)),
        ),
        (
            "singleton_get_vs_fastest_other",
            "Cached singleton get: no slower than the fastest other library",
            lambda x: x <= 1,
            get("singleton", OTHER_LIBRARIES),
        ),
        (
            "new3_get_vs_dependency_injector",
            "New instance with three dependencies: within 1.3x of raw dependency-injector",
            lambda x: x <= 1.3,
            get("new3", ("dependency_injector",)),
        ),
        (
            "new3_get_vs_every_other",
            "New instance with three dependencies: faster than every other library",
            lambda x: x < 1,
            get("new3", OTHER_LIBRARIES),
        ),
        (
            "warm_rescan_vs_cold",
            "Warm re-scan of an unchanged 5,000-file tree: at most 5% of a cold scan (2 jobs)",
            lambda x: x <= 0.05,
            codegen("warm_rescan", "cold_2_jobs"),
        ),
        (
            "cold_scan_2_jobs_speedup",
            "Cold scan on 2 jobs: at least 1.7x faster than on 1",
            lambda x: x >= 1.7,
            codegen("cold_1_job", "cold_2_jobs"),
        ),
    ]


def evaluate_targets(results: Results) -> list[dict[str, Any]]:
    """Each target of the issue with its measured ratio and ``PASS`` / ``MISS`` status.

    Example:
        >>> [t["status"] for t in evaluate_targets({})][:2]
        ['UNAVAILABLE', 'UNAVAILABLE']
    """
    out = []
    for key, description, passes, check in _targets():
        entry: dict[str, Any] = {"id": key, "target": description}
        try:
            ratio, text, at_target_size = check(results)
        except _Missing as exc:
            entry.update(status="UNAVAILABLE", measured=None, figures=str(exc))
        else:
            status = "PASS" if passes(ratio) else "MISS"
            if not at_target_size:
                status = f"n/a (not at the target size; would be {status})"
            entry.update(status=status, measured=round(ratio, 3), figures=text)
        out.append(entry)
    return out


# -- rendering --------------------------------------------------------------------------------


def _cell(row: Any, key: str, digits: int = 1) -> str:
    if not isinstance(row, dict):
        return "-"
    if "unavailable" in row:
        return "unavailable"
    value = row.get(key)
    if not isinstance(value, dict) or value.get("median") is None:
        return "-"
    return f"{value['median']:.{digits}f}"


def _table(title: str, header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = [c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True)]
        return "  ".join([first, *rest]).rstrip()

    return ["", title, line(header), line(["-" * w for w in widths]), *map(line, rows)]


def _notes(section: dict[str, Any], label: Callable[[str], str]) -> list[str]:
    notes = []
    for key, row in section.items():
        if isinstance(row, dict) and "unavailable" in row:
            notes.append(f"  {label(key)}: {row['unavailable']}")
    return notes


def _variant(key: str) -> str:
    return VARIANTS.get(key, key)


def render(results: Results) -> str:
    """The results as text tables, followed by each target's status."""
    lines = []
    meta = results.get("meta", {})
    lines.append(
        f"mreg-di benchmarks ({'quick' if meta.get('quick') else 'full'}): "
        f"{meta.get('python', '?')} on {meta.get('platform', '?')}, "
        f"{meta.get('cpus', '?')} CPUs, {meta.get('repeats', '?')} runs per figure"
    )
    environment = meta.get("environment")
    if environment:
        lines.append(f"environment: {environment['label']}: {environment['interpreter']}")
    for section, key, title in (
        ("ready", "ready_ms", "Ready (ms, median; fresh process, from before the first import)"),
        ("first_use", "first_use_ms", "First use (ms, median; whole process, exec to get)"),
    ):
        sizes = results.get(section, {})
        if not sizes:
            continue
        variants = [v for v in VARIANTS if any(v in rows for rows in sizes.values())]
        header = ["N", *[VARIANTS[v] for v in variants]]
        rows = [[n, *[_cell(sizes[n].get(v), key) for v in variants]] for n in sizes]
        lines += _table(title, header, rows)
        modules = [[n, *[_cell(sizes[n].get(v), "modules", 0) for v in variants]] for n in sizes]
        lines += _table(f"  modules imported ({section.replace('_', ' ')})", header, modules)
        for n, rows_by_variant in sizes.items():
            lines += [f"  N={n} {note.lstrip()}" for note in _notes(rows_by_variant, _variant)]
        for n, tree in results.get("trees", {}).items():
            if n in sizes and tree.get("manifest") != "mreg-codegen":
                lines.append(f"  N={n} manifest: {tree.get('manifest')}")
    per_get = results.get("per_get", {})
    if per_get:
        rows = [
            [LIBRARIES[k], _cell(r, "singleton", 0), _cell(r, "new3", 0)]
            for k, r in per_get["rows"].items()
        ]
        header = ["library", "cached singleton", "new with 3 deps"]
        lines += _table("Per-get (ns per call, median)", header, rows)
        lines += _notes(per_get["rows"], lambda k: LIBRARIES[k])
        lines.append(f"  mreg_di manifest: {per_get['manifest']}")
    codegen = results.get("codegen", {})
    if codegen:
        rows = []
        for name, row in codegen["rows"].items():
            fps = row.get("files_per_s") if isinstance(row, dict) else None
            rows.append([name, _cell(row, "time", 3), "-" if fps is None else str(fps)])
        title = f"Codegen at N={codegen['size']} (seconds, median; files/s)"
        lines += _table(title, ["scan", "seconds", "files/s"], rows)
        lines += _notes(codegen["rows"], str)
    memory = results.get("memory", {})
    if memory:
        labels = {**VARIANTS, "mreg_started": "mreg_di registry, started"}
        rows = [
            [labels[k], _cell(r, "maxrss_kb", 0), _cell(r, "start_ms", 0)]
            for k, r in memory["rows"].items()
        ]
        header = ["variant", "max RSS", "start() ms"]
        lines += _table(f"Peak RSS at N={memory['size']} (kB)", header, rows)
        lines += _notes(memory["rows"], lambda k: labels[k])
    lines += ["", "Targets (ratios from this run)"]
    for target in results.get("targets", []):
        lines.append(f"  {target['status']:<6} {target['target']}")
        lines.append(f"         {target['figures']}")
    return "\n".join(lines)
