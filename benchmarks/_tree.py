"""Synthetic plugin trees: the same N plugins written four ways, deterministically.

One `TreeShape` (seeded) describes N plugins: each in its own module, a few varied
standard-library imports, a Protocol interface it provides (interfaces live in modules of 20),
and 0 to 3 constructor parameters annotated with interfaces that earlier plugins provide, so the
graph is acyclic. Plugins come in subsystems of 100 (one sub-package each); dependencies stay
inside the subsystem, apart from a few on the 20 dependency-free "core" plugins, the way real
applications are layered. About half the modules use ``from __future__ import annotations``.

`write_tree` writes the variants the benchmarks compare, each under its own import root:

- ``mreg``: ``from mreg_di import plugin`` (this project; ``mreg-codegen scan`` reads it);
- ``scan``: the same modules registering into a small self-contained registry on import, and
  a ``discover()`` that walks the package and imports every module, the way
  ``dependency_injector``'s ``wire(packages=...)`` and similar tools find plugins;
- ``ep``: plain classes advertised as entry points in an installed-style ``.dist-info``
  (stevedore / pluggy style), loaded with ``importlib.metadata``.

It also writes ``reference-manifest.json`` next to the ``mreg`` package: the manifest the
generator knows to be right (via `mreg_di.Manifest.build`), used by the floor variant when
codegen is unavailable and to check that codegen found every plugin.

Example:
    >>> shape = TreeShape.generate(100, seed=7)
    >>> len(shape.plugins), len(shape.plugins[shape.target].deps)
    (100, 3)
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "GENERATOR_VERSION",
    "PluginShape",
    "TreeLayout",
    "TreeShape",
    "write_tree",
]

GENERATOR_VERSION = 1
"""Bumped whenever the generated files change, so cached trees are rewritten."""

SUBSYSTEM_SIZE = 100
INTERFACES_PER_MODULE = 20
CORE_SIZE = 20
PACKAGES = {"mreg": "mb_mreg", "scan": "mb_scan", "ep": "mb_ep"}
ENTRY_POINT_GROUP = "mb_ep.plugins"

# (import statement, the name it binds): common, cheap-to-moderate standard-library modules.
_STDLIB_POOL: tuple[tuple[str, str], ...] = (
    ("import json", "json"),
    ("import hashlib", "hashlib"),
    ("import re", "re"),
    ("import logging", "logging"),
    ("import functools", "functools"),
    ("import itertools", "itertools"),
    ("from collections import defaultdict", "defaultdict"),
    ("from collections import OrderedDict", "OrderedDict"),
    ("import os", "os"),
    ("from pathlib import Path", "Path"),
    ("import dataclasses", "dataclasses"),
    ("import enum", "enum"),
    ("import datetime", "datetime"),
    ("import textwrap", "textwrap"),
    ("import string", "string"),
    ("import math", "math"),
    ("import base64", "base64"),
    ("import struct", "struct"),
    ("import time", "time"),
    ("import threading", "threading"),
    ("import contextlib", "contextlib"),
    ("import operator", "operator"),
    ("import heapq", "heapq"),
    ("import bisect", "bisect"),
    ("import uuid", "uuid"),
    ("import decimal", "decimal"),
    ("import fractions", "fractions"),
    ("import statistics", "statistics"),
    ("import zlib", "zlib"),
    ("import csv", "csv"),
    ("import io", "io"),
    ("import copy", "copy"),
    ("import weakref", "weakref"),
    ("import random", "random"),
    ("from typing import NamedTuple", "NamedTuple"),
    ("import shlex", "shlex"),
)
_FAN_OUT_WEIGHTS = (0.25, 0.35, 0.25, 0.15)  # P(0), P(1), P(2), P(3) dependencies
_CORE_DEP_CHANCE = 0.1
_CAPABILITIES = ("compression", "storage", "analysis", "transport", "metrics", "security")
_PARAM_NAMES = ("store", "codec", "sink", "source", "policy", "clock", "cache", "bus")


@dataclass(frozen=True)
class PluginShape:
    """One synthetic plugin: where it lives, what it imports and what it depends on."""

    index: int
    deps: tuple[int, ...]
    stdlib: tuple[int, ...]
    future_annotations: bool
    scope: str
    has_value_param: bool

    @property
    def name(self) -> str:
        """The plugin's name, e.g. ``plugin-00042``."""
        return f"plugin-{self.index:05d}"

    @property
    def class_name(self) -> str:
        """The class name, e.g. ``Plugin00042``."""
        return f"Plugin{self.index:05d}"

    @property
    def interface(self) -> str:
        """The Protocol it provides, e.g. ``IPlugin00042``."""
        return f"IPlugin{self.index:05d}"

    @property
    def subsystem(self) -> int:
        """Which sub-package of `SUBSYSTEM_SIZE` plugins it lives in."""
        return self.index // SUBSYSTEM_SIZE

    @property
    def module(self) -> str:
        """Module path inside the package, e.g. ``plugins.s000.p00042``."""
        return f"plugins.s{self.subsystem:03d}.p{self.index:05d}"

    @property
    def interface_module(self) -> str:
        """Module path of its interface inside the package, e.g. ``interfaces.g0002``."""
        return f"interfaces.g{self.index // INTERFACES_PER_MODULE:04d}"


@dataclass(frozen=True)
class TreeShape:
    """N plugins and their dependency graph, generated from a seed.

    Attributes:
        n: Number of plugins.
        seed: The random seed.
        plugins: The plugins, by index; dependencies always point to lower indices.
        target: The plugin the first-use benchmark asks for: among the singletons with three
            dependencies, the one whose dependency closure has the median size.
    """

    n: int
    seed: int
    plugins: tuple[PluginShape, ...]
    target: int

    @classmethod
    def generate(cls, n: int, seed: int = 20240601) -> TreeShape:
        """Draw a tree of `n` plugins (at least 4) from `seed`; same inputs, same tree."""
        if n < 4:
            raise ValueError(f"a tree needs at least 4 plugins, not {n}")
        rng = random.Random(f"{seed}:{n}")
        plugins = []
        for index in range(n):
            start = (index // SUBSYSTEM_SIZE) * SUBSYSTEM_SIZE
            core = range(min(CORE_SIZE, index))
            local = range(max(start, CORE_SIZE), index)  # disjoint from core
            if index == n - 1:
                fan_out = 3
            elif index < CORE_SIZE:
                fan_out = 0
            else:
                fan_out = rng.choices(range(4), weights=_FAN_OUT_WEIGHTS)[0]
            fan_out = min(fan_out, len(core) + len(local))
            deps: set[int] = set()
            while len(deps) < fan_out:
                from_core = not local or (len(core) > 0 and rng.random() < _CORE_DEP_CHANCE)
                deps.add(rng.choice(core if from_core else local))
            stdlib = tuple(sorted(rng.sample(range(len(_STDLIB_POOL)), rng.randint(2, 4))))
            plugins.append(
                PluginShape(
                    index=index,
                    deps=tuple(sorted(deps)),
                    stdlib=stdlib,
                    future_annotations=rng.random() < 0.5,
                    scope="factory" if rng.random() < 0.1 and index != n - 1 else "singleton",
                    has_value_param=rng.random() < 0.3,
                )
            )
        shape = cls(n=n, seed=seed, plugins=tuple(plugins), target=n - 1)
        # The first-use target is a typical singleton with three dependencies: the one whose
        # dependency closure has the median size among them (ties: the lowest index).
        three = sorted(
            (len(shape.closure(p.index)), p.index)
            for p in shape.plugins
            if len(p.deps) == 3 and p.scope == "singleton"
        )
        return cls(n=n, seed=seed, plugins=shape.plugins, target=three[len(three) // 2][1])

    def closure(self, index: int) -> set[int]:
        """`index` and every plugin it depends on, directly or not."""
        seen: set[int] = set()
        stack = [index]
        while stack:
            current = stack.pop()
            if current not in seen:
                seen.add(current)
                stack.extend(self.plugins[current].deps)
        return seen

    def digest(self) -> str:
        """A fingerprint of the shape and the generator version, for cache checks."""
        text = json.dumps(
            [GENERATOR_VERSION, self.n, self.seed, [p.__dict__ for p in self.plugins]],
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class TreeLayout:
    """Where the variants of one tree live on disk."""

    root: Path

    def import_root(self, variant: str) -> Path:
        """The directory to put on ``sys.path`` for `variant` (``mreg``, ``scan``, ``ep``)."""
        return self.root / variant

    def package(self, variant: str) -> str:
        """The top-level package name of `variant`."""
        return PACKAGES[variant]

    @property
    def manifest(self) -> Path:
        """Where ``mreg-codegen scan`` writes the ``mreg`` variant's manifest."""
        return self.root / "mreg" / "mreg-manifest.json"

    @property
    def reference_manifest(self) -> Path:
        """The manifest the generator knows to be right."""
        return self.root / "mreg" / "reference-manifest.json"

    @property
    def stamp(self) -> Path:
        """Holds the shape's digest once every file is written."""
        return self.root / "shape.sha256"


def write_tree(shape: TreeShape, root: Path) -> TreeLayout:
    """Write every variant of `shape` under `root`, unless an identical tree is already there.

    Returns:
        Where the variants are.
    """
    layout = TreeLayout(root)
    digest = shape.digest()
    if layout.stamp.is_file() and layout.stamp.read_text() == digest:
        return layout
    if root.exists():
        shutil.rmtree(root)
    for variant, package in PACKAGES.items():
        base = layout.import_root(variant) / package
        for relative, text in _package_files(shape, variant, package):
            path = base / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    _write_dist_info(shape, layout.import_root("ep"))
    _write_reference_manifest(shape, layout)
    layout.stamp.write_text(digest)
    return layout


def _package_files(shape: TreeShape, variant: str, package: str) -> Iterator[tuple[str, str]]:
    header = '"""Generated by benchmarks/_tree.py; do not edit."""\n'
    yield "__init__.py", header
    yield "interfaces/__init__.py", header
    yield "plugins/__init__.py", header
    if variant == "scan":
        yield "_scanreg.py", _SCAN_REGISTRY
    groups: dict[str, list[PluginShape]] = {}
    for plugin in shape.plugins:
        groups.setdefault(plugin.interface_module, []).append(plugin)
    for module, members in groups.items():
        yield module.replace(".", "/") + ".py", _interface_module(members)
    for subsystem in sorted({p.subsystem for p in shape.plugins}):
        yield f"plugins/s{subsystem:03d}/__init__.py", header
    for plugin in shape.plugins:
        yield plugin.module.replace(".", "/") + ".py", _plugin_module(shape, plugin, variant)


def _interface_module(members: list[PluginShape]) -> str:
    lines = [
        f'"""Interfaces {members[0].index} to {members[-1].index} (generated; do not edit)."""',
        "",
        "from typing import Protocol",
        "",
    ]
    for plugin in members:
        lines += [
            "",
            f"class {plugin.interface}(Protocol):",
            f'    """What {plugin.name} provides."""',
            "",
            "    def run(self, payload: bytes) -> bytes: ...",
            "",
            "    def describe(self) -> str: ...",
            "",
        ]
    return "\n".join(lines)


def _plugin_module(shape: TreeShape, plugin: PluginShape, variant: str) -> str:
    package = PACKAGES[variant]
    lines = [f'"""{plugin.name}: a synthetic plugin (generated; do not edit)."""', ""]
    if plugin.future_annotations:
        lines += ["from __future__ import annotations", ""]
    lines += [_STDLIB_POOL[i][0] for i in plugin.stdlib]
    lines.append("")
    if variant == "mreg":
        lines.append("from mreg_di import plugin")
    elif variant == "scan":
        lines.append(f"from {package}._scanreg import plugin")
    imports: dict[str, list[str]] = {}
    for index in (plugin.index, *plugin.deps):
        other = shape.plugins[index]
        imports.setdefault(other.interface_module, []).append(other.interface)
    for module in sorted(imports):
        names = ", ".join(sorted(imports[module]))
        lines.append(f"from {package}.{module} import {names}")
    used = ", ".join(_STDLIB_POOL[i][1] for i in plugin.stdlib)
    params = [
        (_PARAM_NAMES[k % len(_PARAM_NAMES)] + str(k), shape.plugins[dep].interface)
        for k, dep in enumerate(plugin.deps)
    ]
    signature = "".join(f", {name}: {annotation}" for name, annotation in params)
    if plugin.has_value_param:
        signature += ", retries: int = 3"
    capability = _CAPABILITIES[plugin.index % len(_CAPABILITIES)]
    lines += ["", f"_USES = ({used},)", f"_LIMIT = {plugin.index % 97 + 3}", "", ""]
    if variant != "ep":
        scope = "" if plugin.scope == "singleton" else f', scope="{plugin.scope}"'
        lines += [
            "@plugin(",
            f'    "{plugin.name}",',
            f'    version="1.{plugin.index % 10}.0",',
            f'    capabilities=["{capability}"],',
            f"    provides=[{plugin.interface}]{scope},",
            ")",
        ]
    lines += [
        f"class {plugin.class_name}:",
        f'    """Synthetic plugin number {plugin.index}, a {capability} component."""',
        "",
        f"    def __init__(self{signature}) -> None:",
    ]
    lines += [f"        self.{name} = {name}" for name, _ in params]
    if plugin.has_value_param:
        lines.append("        self.retries = retries")
    if not params and not plugin.has_value_param:
        lines.append("        self.calls = 0")
    lines += [
        "",
        "    def run(self, payload: bytes) -> bytes:",
        '        """Return the payload, trimmed to the limit."""',
        "        return payload[:_LIMIT]",
        "",
        "    def describe(self) -> str:",
        '        """Say what this plugin is."""',
        f'        return "{plugin.name} uses " + str(len(_USES)) + " modules"',
        "",
    ]
    return "\n".join(lines)


def _write_dist_info(shape: TreeShape, root: Path) -> None:
    dist = root / "mb_ep_plugins-1.0.0.dist-info"
    dist.mkdir(parents=True, exist_ok=True)
    (dist / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: mb-ep-plugins\nVersion: 1.0.0\n", encoding="utf-8"
    )
    lines = [f"[{ENTRY_POINT_GROUP}]"]
    lines += [f"{p.name} = {PACKAGES['ep']}.{p.module}:{p.class_name}" for p in shape.plugins]
    (dist / "entry_points.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_reference_manifest(shape: TreeShape, layout: TreeLayout) -> None:
    from mreg_di import Manifest, ParameterSpec, PluginRecord, PluginSpec

    package = PACKAGES["mreg"]
    base = layout.import_root("mreg")
    records = []
    files = {}
    for plugin in shape.plugins:
        relative = f"{package}/{plugin.module.replace('.', '/')}.py"
        files[relative] = hashlib.sha256((base / relative).read_bytes()).hexdigest()
        interface = f"{package}.{plugin.interface_module}.{plugin.interface}"
        parameters = [
            ParameterSpec(
                name=_PARAM_NAMES[k % len(_PARAM_NAMES)] + str(k),
                annotation=f"{package}.{other.interface_module}.{other.interface}",
                interface=f"{package}.{other.interface_module}.{other.interface}",
            )
            for k, other in enumerate(shape.plugins[d] for d in plugin.deps)
        ]
        if plugin.has_value_param:
            parameters.append(ParameterSpec("retries", "builtins.int", has_default=True))
        spec = PluginSpec(
            plugin.name,
            version=f"1.{plugin.index % 10}.0",
            capabilities=[_CAPABILITIES[plugin.index % len(_CAPABILITIES)]],
            provides=[interface],
            scope=plugin.scope,  # type: ignore[arg-type]  # "singleton" or "factory"
            description=f"Synthetic plugin number {plugin.index}, a "
            f"{_CAPABILITIES[plugin.index % len(_CAPABILITIES)]} component.",
        )
        records.append(
            PluginRecord(
                spec,
                module=f"{package}.{plugin.module}",
                qualname=plugin.class_name,
                file=relative,
                parameters=parameters,
            )
        )
    order = [p.name for p in shape.plugins]  # dependencies always have lower indices
    manifest = Manifest.build(
        records,
        files=files,
        order={"default": order},
        generator="benchmarks/_tree.py reference",
        source=str(layout.reference_manifest),
    )
    layout.reference_manifest.write_text(manifest.dumps(), encoding="utf-8")


_SCAN_REGISTRY = '''"""A small import-scan registry (generated by benchmarks/_tree.py; do not edit).

Importing a module runs its decorators, which register the plugin in a global dict;
`discover` walks the package and imports every module, the way dependency_injector's
``wire(packages=...)`` and similar tools find what to wire. `Container.get` resolves a
plugin's constructor parameters by their annotations and caches the instances.
"""

import importlib
import pkgutil
import typing

PLUGINS = {}
BY_INTERFACE = {}


def plugin(name, *, provides=(), **options):
    """Register the decorated class under `name` and each interface it provides."""

    def register(cls):
        PLUGINS[name] = cls
        for interface in provides:
            BY_INTERFACE[interface] = name
        cls.__plugin_options__ = options
        return cls

    return register


def discover(package):
    """Import `package` and every module below it; return how many plugins registered."""
    root = importlib.import_module(package)
    for info in pkgutil.walk_packages(root.__path__, package + "."):
        importlib.import_module(info.name)
    return len(PLUGINS)


class Container:
    """Builds plugins on request, injecting constructor parameters by annotation."""

    def __init__(self):
        self._instances = {}

    def get(self, interface):
        name = BY_INTERFACE[interface]
        instance = self._instances.get(name)
        if instance is None:
            cls = PLUGINS[name]
            hints = typing.get_type_hints(cls.__init__)
            kwargs = {
                param: self.get(annotation)
                for param, annotation in hints.items()
                if param != "return" and annotation in BY_INTERFACE
            }
            instance = self._instances[name] = cls(**kwargs)
        return instance
'''
