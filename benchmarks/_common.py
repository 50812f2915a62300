"""What the benchmark sections share: paths, child processes and statistics.

Every measurement runs in a child process whose ``PYTHONPATH`` puts this checkout's ``src``
and ``codegen`` first, so the working tree is what gets measured. A child reports ``key=value``
lines on stdout; ``unavailable=<reason>`` means the thing measured cannot run here (a library
not installed, a part of this project not written yet) and becomes a row saying so.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = [
    "BENCHMARKS",
    "REPO",
    "ChildResult",
    "child_env",
    "interpreter",
    "run_child",
    "summarize",
    "unavailable",
    "use_interpreter",
]

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent

_INTERPRETER = [sys.executable]

Figures = dict[str, Any]
"""One measured row as stored in the JSON: figures, or ``{"unavailable": reason}``."""


def unavailable(reason: str) -> Figures:
    """The row for something that cannot be measured here, with the reason.

    Example:
        >>> unavailable("wireup is not installed")
        {'unavailable': 'wireup is not installed'}
    """
    return {"unavailable": reason}


def interpreter() -> str:
    """The Python every child runs with: this one, unless `use_interpreter` chose another.

    Example:
        >>> interpreter() == sys.executable
        True
    """
    return _INTERPRETER[0]


def use_interpreter(python: str) -> None:
    """Run every later child with `python` (the ``--venv`` environment's interpreter)."""
    _INTERPRETER[0] = python


def child_env(*import_roots: Path) -> dict[str, str]:
    """The environment for a child: `import_roots`, then this checkout's packages, first.

    Example:
        >>> child_env(Path("/t"))["PYTHONPATH"].split(os.pathsep)[0]
        '/t'
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    paths = [*map(str, import_roots), str(REPO / "src"), str(REPO / "codegen")]
    env["PYTHONPATH"] = os.pathsep.join(paths)
    return env


class ChildResult:
    """What a child process printed, and when it was started on the monotonic clock.

    Attributes:
        values: The ``key=value`` lines it printed.
        returncode: Its exit status.
        started_ns: ``time.monotonic_ns()`` just before it was spawned.
        wall_s: Seconds from spawn to exit, as the parent saw them.
        stderr: What it wrote to stderr (for error messages).
    """

    def __init__(
        self, values: dict[str, str], returncode: int, started_ns: int, wall_s: float, stderr: str
    ) -> None:
        self.values = values
        self.returncode = returncode
        self.started_ns = started_ns
        self.wall_s = wall_s
        self.stderr = stderr

    @property
    def problem(self) -> str | None:
        """Why the child produced no figures (``unavailable: ...``, ``error: ...``), if so."""
        if "unavailable" in self.values:
            return f"unavailable: {self.values['unavailable']}"
        if "error" in self.values:
            return f"error: {self.values['error']}"
        if self.returncode != 0:
            tail = self.stderr.strip().splitlines()[-1:] or ["(no output)"]
            return f"error: exit status {self.returncode}: {tail[0]}"
        return None

    def number(self, key: str) -> float:
        """The figure printed under `key`, as a float."""
        return float(self.values[key])


def run_child(
    argv: Sequence[str], env: Mapping[str, str], *, cwd: Path | None = None, timeout: float = 900
) -> ChildResult:
    """Run ``python ARGV...`` and collect its ``key=value`` output."""
    started = time.monotonic_ns()
    try:
        completed = subprocess.run(
            [interpreter(), *argv],
            env=dict(env),
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return ChildResult({"error": f"timed out after {timeout:.0f} s"}, -1, started, timeout, "")
    wall = (time.monotonic_ns() - started) / 1e9
    values: dict[str, str] = {}
    for line in completed.stdout.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.isidentifier():
            values[key] = value
    return ChildResult(values, completed.returncode, started, wall, completed.stderr)


def summarize(samples: Sequence[float], unit: str, digits: int = 2) -> Figures:
    """Median, min and max of `samples`, with the samples themselves.

    Example:
        >>> summarize([3.0, 1.0, 2.0], "ms")
        {'median': 2.0, 'min': 1.0, 'max': 3.0, 'runs': [3.0, 1.0, 2.0], 'unit': 'ms'}
    """
    return {
        "median": round(statistics.median(samples), digits),
        "min": round(min(samples), digits),
        "max": round(max(samples), digits),
        "runs": [round(s, digits) for s in samples],
        "unit": unit,
    }
