"""Start-up probe: one fresh process measuring one way of getting plugins ready.

Run by the harness as a script: ``python _probe.py MODE VARIANT key=value ...``, where MODE is
``ready``, ``first-use`` or ``memory`` and VARIANT one of:

- ``mreg``: this project, ``ModuleRegistry.from_manifest(manifest)``;
- ``scan``: import-scan, ``discover(package)`` imports every module, decorators register;
- ``ep``: ``importlib.metadata.entry_points(group=...)``, then ``.load()`` on every one;
- ``floor``: ``json.load`` of the manifest and a dict of lazy factories, nothing else.

The clock starts at the top of this file, before anything but ``sys`` and ``time`` is
imported, so every module a variant needs is paid for inside the measurement. Results are
printed as ``key=value`` lines (``json`` is not imported before the end, since the floor needs
it). ``first-use`` then asks for one plugin with three dependencies and prints the system-wide
monotonic clock when it returns, so the harness can time the whole process from exec.
"""

from __future__ import annotations  # loads only the tiny `__future__` module, before the clock

import sys
import time

T0 = time.perf_counter()
MODULES_AT_START = len(sys.modules)

from typing import Any  # noqa: E402  # after the clock: typing is part of what is measured


def _import_attr(reference: str) -> Any:
    """``package.module:Name`` -> the object."""
    import importlib

    module, _, name = reference.partition(":")
    return getattr(importlib.import_module(module), name)


class _Unavailable(Exception):
    """The variant cannot run here; the message says why."""


# -- (a) this project ------------------------------------------------------------------------


def _ready_mreg(opts: dict[str, str]) -> Any:
    try:
        from mreg_di import ModuleRegistry  # what users write
    except ImportError as exc:
        raise _Unavailable(f"mreg_di.ModuleRegistry is not importable ({exc})") from exc
    return ModuleRegistry.from_manifest(opts["manifest"])


def _get_mreg(registry: Any, opts: dict[str, str]) -> Any:
    return registry.get(_import_attr(opts["interface"]))


def _start_mreg(registry: Any) -> None:
    registry.start()


# -- (b) import-scan --------------------------------------------------------------------------


def _ready_scan(opts: dict[str, str]) -> Any:
    import importlib

    package = opts["package"]
    scanreg = importlib.import_module(f"{package}._scanreg")
    found = scanreg.discover(package)
    if found != int(opts["plugins"]):
        raise RuntimeError(f"import-scan registered {found} plugins, expected {opts['plugins']}")
    return scanreg.Container()


def _get_scan(container: Any, opts: dict[str, str]) -> Any:
    return container.get(_import_attr(opts["interface"]))


# -- (c) entry points plus load-all -----------------------------------------------------------


def _ready_ep(opts: dict[str, str]) -> Any:
    from importlib.metadata import entry_points

    loaded = {ep.name: ep.load() for ep in entry_points(group=opts["group"])}
    if len(loaded) != int(opts["plugins"]):
        raise RuntimeError(f"loaded {len(loaded)} entry points, expected {opts['plugins']}")
    return loaded


# -- (d) the floor ----------------------------------------------------------------------------


class _LazyFactory:
    """Imports its plugin's module and builds it on first call; the floor's only machinery."""

    __slots__ = ("instance", "row")

    def __init__(self, row: list[Any]) -> None:
        self.row = row
        self.instance: Any = None

    def __call__(self, floor: _Floor) -> Any:
        if self.instance is None:
            import importlib

            at, row = floor.at, self.row
            module = importlib.import_module(row[at["module"]])
            cls = getattr(module, row[at["qualname"]])
            name, interface = floor.parameter_at["name"], floor.parameter_at["interface"]
            kwargs = {
                p[name]: floor.get(p[interface])
                for p in row[at["parameters"]]
                if p[interface] is not None
            }
            self.instance = cls(**kwargs)
        return self.instance


class _Floor:
    """``json.load`` plus a dict of lazy factories; an interface index built on first use.

    It reads the manifest as any program would: plugins are rows whose positions the manifest's
    ``fields`` header names.
    """

    def __init__(self, path: str) -> None:
        import json

        with open(path, "rb") as file:
            data = json.load(file)
        self.at = {field: i for i, field in enumerate(data["fields"]["plugin"])}
        self.parameter_at = {field: i for i, field in enumerate(data["fields"]["parameter"])}
        name = self.at["name"]
        self.factories = {row[name]: _LazyFactory(row) for row in data["plugins"]}
        self.index: dict[str, str] | None = None

    def get(self, interface: str) -> Any:
        if self.index is None:
            provides = self.at["provides"]
            self.index = {
                provided: name
                for name, factory in self.factories.items()
                for provided in factory.row[provides]
            }
        return self.factories[self.index[interface]](self)


def _ready_floor(opts: dict[str, str]) -> Any:
    floor = _Floor(opts["manifest"])
    if len(floor.factories) != int(opts["plugins"]):
        raise RuntimeError(f"the manifest has {len(floor.factories)} plugins")
    return floor


def _get_floor(floor: Any, opts: dict[str, str]) -> Any:
    interface = _import_attr(opts["interface"])  # as a user would, to name what they want
    return floor.get(f"{interface.__module__}.{interface.__qualname__}")


# -- driver -----------------------------------------------------------------------------------

_READY = {"mreg": _ready_mreg, "scan": _ready_scan, "ep": _ready_ep, "floor": _ready_floor}
_GET = {"mreg": _get_mreg, "scan": _get_scan, "floor": _get_floor}


def _report(values: dict[str, object]) -> None:
    for key, value in values.items():
        sys.stdout.write(f"{key}={value}\n")
    sys.stdout.flush()


def _peak_rss_kb() -> int:
    """This process's peak resident set size (``VmHWM``), in kB; 0 where unknown.

    ``getrusage``'s ``ru_maxrss`` would not do: Linux carries it across ``exec`` from the
    forked parent, so every child would report at least the harness's own size.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def main() -> int:
    """Run one measurement and print its figures."""
    mode, variant = sys.argv[1], sys.argv[2]
    opts = dict(arg.split("=", 1) for arg in sys.argv[3:])
    out: dict[str, object] = {}
    try:
        ready = _READY[variant](opts)
        t_ready = time.perf_counter()
        out["ready_ms"] = f"{(t_ready - T0) * 1e3:.3f}"
        out["modules_ready"] = len(sys.modules) - MODULES_AT_START
        if mode == "first-use":
            instance = _GET[variant](ready, opts)
            done_ns = time.monotonic_ns()
            out["done_ns"] = done_ns
            out["first_use_inprocess_ms"] = f"{(time.perf_counter() - T0) * 1e3:.3f}"
            out["modules_first_use"] = len(sys.modules) - MODULES_AT_START
            if type(instance).__name__ != opts["cls"]:
                raise RuntimeError(f"got {type(instance).__name__}, expected {opts['cls']}")
        elif mode == "memory" and variant == "mreg" and opts.get("start") == "1":
            t_start = time.perf_counter()
            _start_mreg(ready)
            out["start_ms"] = f"{(time.perf_counter() - t_start) * 1e3:.3f}"
            out["modules_started"] = len(sys.modules) - MODULES_AT_START
    except _Unavailable as exc:
        _report({"unavailable": exc})
        return 0
    except Exception as exc:
        _report({"error": f"{type(exc).__name__}: {exc}".replace("\n", " | ")})
        return 1
    out["maxrss_kb"] = _peak_rss_kb()
    out["modules_at_start"] = MODULES_AT_START
    _report(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
