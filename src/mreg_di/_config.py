"""Per-plugin configuration: constructor values from dicts, TOML, JSON and the environment.

A configuration maps plugin names to their constructor's *value* parameters (those not injected
from the graph)::

    {"gzip-compressor": {"level": 9}}

Sources are layered: a later layer overrides an earlier one key by key, so
``Configuration.load("app.toml").merged(Configuration.from_env())`` lets environment variables
win over the file. Environment variables are spelled ``MREG_<PLUGIN>__<PARAM>``, the plugin name
upper-cased with every character other than a letter or digit replaced by ``_``
(``MREG_GZIP_COMPRESSOR__LEVEL=9``). Their text is read as JSON unless the parameter is
annotated ``str`` or ``Path``, so ``9`` is an int and ``[1, 2]`` a list.

Only the standard library is used, and files are parsed when loaded: a plain dict costs nothing
on the start-up path.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NamedTuple

from mreg_di._validation import close_matches

if TYPE_CHECKING:
    from mreg_di._problems import Problem

__all__ = [
    "ENV_PREFIX",
    "Configuration",
    "configuration_problems",
    "env_name",
    "plugin_problems",
    "plugin_values",
]

ENV_PREFIX = "MREG_"
"""The prefix of configuration environment variables."""

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_TEXT_ANNOTATIONS = frozenset({"str", "builtins.str", "Path", "pathlib.Path"})
_SHAPE_HINT = (
    '\nHint: map each plugin name to its parameter values, e.g. {"gzip": {"level": 9}}, '
    "or in TOML a table [gzip] holding level = 9"
)


def env_name(plugin: str, parameter: str | None = None, prefix: str = ENV_PREFIX) -> str:
    """The environment variable (or its plugin part) that configures `plugin`.

    Example:
        >>> env_name("gzip-compressor", "level")
        'MREG_GZIP_COMPRESSOR__LEVEL'
    """
    head = prefix + _NOT_ALNUM.sub("_", plugin).upper()
    return head if parameter is None else f"{head}__{parameter.upper()}"


class _Entry(NamedTuple):
    value: Any
    origin: str  # e.g. "app.toml" or "environment variable MREG_GZIP__LEVEL"
    from_env: bool


class _Layer:
    """One source: exact plugin names, or normalized names read from the environment."""

    __slots__ = ("by_name", "from_env", "origin")

    def __init__(
        self, by_name: dict[str, dict[str, Any]], origin: str, *, from_env: bool = False
    ) -> None:
        self.by_name = by_name
        self.origin = origin
        self.from_env = from_env


class Configuration:
    """Constructor values per plugin, from one or more layered sources.

    Create it with `from_mapping`, `load` (TOML or JSON, by suffix), `from_env`, and combine
    with `merged`; `ModuleRegistry.from_manifest` also accepts a plain dict or a file path.

    Example:
        >>> config = Configuration.from_mapping({"gzip": {"level": 9}}).merged(
        ...     Configuration.from_env({"MREG_GZIP__LEVEL": "3"}))
        >>> config.values("gzip", {"level": "int"})
        {'level': 3}
    """

    __slots__ = ("_layers",)

    def __init__(self, layers: Iterable[_Layer] = ()) -> None:
        self._layers = tuple(layers)

    def __repr__(self) -> str:
        return (
            f"<Configuration from {', '.join(layer.origin for layer in self._layers) or 'nothing'}>"
        )

    def __bool__(self) -> bool:
        return any(layer.by_name for layer in self._layers)

    # -- construction -------------------------------------------------------------------

    @classmethod
    def from_mapping(
        cls, data: Mapping[str, Mapping[str, Any]], *, source: str = "the configuration dict"
    ) -> Configuration:
        """Values from a mapping of plugin name to ``{parameter: value}``.

        Raises:
            TypeError: A plugin's entry is not a mapping with string keys.

        Example:
            >>> Configuration.from_mapping({"gzip": 9})
            Traceback (most recent call last):
            ...
            TypeError: the configuration dict: the entry for plugin `gzip` must be a mapping \
of parameter names to values, not int
            Hint: map each plugin name to its parameter values, e.g. {"gzip": {"level": 9}}, \
or in TOML a table [gzip] holding level = 9
        """
        if not isinstance(data, Mapping):
            raise TypeError(
                f"{source}: configuration must map plugin names to mappings of parameter "
                f"values, not {type(data).__name__}{_SHAPE_HINT}"
            )
        by_name: dict[str, dict[str, Any]] = {}
        for plugin, values in data.items():
            if not isinstance(plugin, str):
                raise TypeError(
                    f"{source}: plugin names must be strings, found {plugin!r}{_SHAPE_HINT}"
                )
            if not isinstance(values, Mapping):
                raise TypeError(
                    f"{source}: the entry for plugin `{plugin}` must be a mapping of parameter "
                    f"names to values, not {type(values).__name__}{_SHAPE_HINT}"
                )
            for key in values:
                if not isinstance(key, str):
                    raise TypeError(
                        f"{source}: parameter names for plugin `{plugin}` must be strings, "
                        f"found {key!r}{_SHAPE_HINT}"
                    )
            by_name[plugin] = dict(values)
        return cls([_Layer(by_name, source)])

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Configuration:
        """Values from a ``.toml`` or ``.json`` file: one table (object) per plugin.

        Raises:
            ValueError: The suffix is neither, or the file does not parse.
            OSError: The file cannot be read.

        Example:
            >>> Configuration.load("settings.yaml")
            Traceback (most recent call last):
            ...
            ValueError: configuration file settings.yaml: unsupported format '.yaml'
            Hint: use a .toml or .json file, or pass a dict
        """
        from pathlib import Path

        path = Path(path)
        suffix = path.suffix.lower()
        if suffix not in (".toml", ".json"):
            raise ValueError(
                f"configuration file {path}: unsupported format {suffix or '(no suffix)'!r}\n"
                "Hint: use a .toml or .json file, or pass a dict"
            )
        text = path.read_bytes()
        try:
            if suffix == ".toml":
                import tomllib

                data: Any = tomllib.loads(text.decode("utf-8"))
            else:
                import json

                data = json.loads(text)
        except ValueError as exc:  # TOMLDecodeError, JSONDecodeError, UnicodeDecodeError
            kind = "TOML" if suffix == ".toml" else "JSON"
            raise ValueError(
                f"configuration file {path}: not valid {kind} ({exc})\n"
                f"Hint: fix the syntax; each plugin is a table of parameter values"
            ) from exc
        return cls.from_mapping(data, source=str(path))

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, *, prefix: str = ENV_PREFIX
    ) -> Configuration:
        """Values from ``<prefix><PLUGIN>__<PARAM>`` environment variables (`os.environ`).

        Example:
            >>> Configuration.from_env({"MREG_GZIP_COMPRESSOR__LEVEL": "9", "HOME": "/root"})
            <Configuration from environment variables MREG_*>
        """
        environ = os.environ if environ is None else environ
        by_name: dict[str, dict[str, Any]] = {}
        for variable, text in environ.items():
            if not variable.startswith(prefix):
                continue
            plugin, sep, parameter = variable[len(prefix) :].partition("__")
            if not sep or not plugin or not parameter:
                continue
            by_name.setdefault(plugin.upper(), {})[parameter] = (text, variable)
        return cls([_Layer(by_name, f"environment variables {prefix}*", from_env=True)])

    @classmethod
    def coerce(cls, config: object) -> Configuration:
        """A `Configuration` from what ``from_manifest(config=...)`` accepts.

        Raises:
            TypeError: `config` is none of a Configuration, mapping, path or ``None``.
        """
        if config is None:
            return cls()
        if isinstance(config, Configuration):
            return config
        if isinstance(config, Mapping):
            return cls.from_mapping(config)
        if isinstance(config, (str, os.PathLike)):
            return cls.load(config)
        raise TypeError(
            "config must be a dict of plugin name to parameter values, a .toml/.json path or "
            f"a Configuration, not {type(config).__name__}"
        )

    def merged(self, *others: Configuration) -> Configuration:
        """A configuration where each of `others`, in turn, overrides this one key by key.

        Example:
            >>> base = Configuration.from_mapping({"gzip": {"level": 1, "window": 15}})
            >>> base.merged(Configuration.from_mapping({"gzip": {"level": 9}})).values(
            ...     "gzip", {"level": "int", "window": "int"})
            {'level': 9, 'window': 15}
        """
        layers = list(self._layers)
        for other in others:
            layers.extend(other._layers)
        return Configuration(layers)

    # -- queries ------------------------------------------------------------------------

    def entries(self, plugin: str, parameters: Iterable[str] = ()) -> dict[str, _Entry]:
        """The merged values set for `plugin`, with where each came from.

        Environment variables name parameters in upper case; they are matched to `parameters`
        case-insensitively.
        """
        merged: dict[str, _Entry] = {}
        env_key: str | None = None
        by_upper: dict[str, str] | None = None
        for layer in self._layers:
            if not layer.from_env:
                for key, value in layer.by_name.get(plugin, {}).items():
                    merged[key] = _Entry(value, layer.origin, False)
                continue
            if env_key is None:
                env_key = env_name(plugin, prefix="")
            found = layer.by_name.get(env_key)
            if not found:
                continue
            if by_upper is None:
                by_upper = {name.upper(): name for name in parameters}
            for upper, (text, variable) in found.items():
                key = by_upper.get(upper.upper(), upper.lower())
                merged[key] = _Entry(text, f"environment variable {variable}", True)
        return merged

    def plugin_keys(self) -> Iterator[tuple[str, str, bool]]:
        """Every plugin key any layer sets: ``(key, origin, from_env)``.

        Keys from the environment are normalized (``GZIP_COMPRESSOR``).
        """
        for layer in self._layers:
            for key, values in layer.by_name.items():
                if layer.from_env:
                    variables = sorted(variable for _, variable in values.values())
                    yield key, f"environment variable {variables[0]}", True
                else:
                    yield key, layer.origin, False

    def values(self, plugin: str, annotations: Mapping[str, str | None]) -> dict[str, Any]:
        """The values for `plugin`'s parameters named in `annotations`, converted.

        Text from environment variables is read as JSON unless the annotation is ``str`` or
        ``Path``. Keys that are not in `annotations` are left out (`plugin_problems` reports
        them).
        """
        result: dict[str, Any] = {}
        for key, entry in self.entries(plugin, annotations).items():
            if key not in annotations:
                continue
            result[key] = (
                _from_text(entry.value, annotations[key]) if entry.from_env else entry.value
            )
        return result


def _from_text(text: str, annotation: str | None) -> Any:
    """An environment variable's text as the value its parameter takes."""
    bare = _strip_optional(annotation)
    if bare is None or bare in _TEXT_ANNOTATIONS:
        if bare in ("Path", "pathlib.Path"):
            from pathlib import Path

            return Path(text)
        return text
    import json

    try:
        return json.loads(text)
    except ValueError:
        return text  # the type check reports the mismatch, naming parameter and type


def _strip_optional(annotation: str | None) -> str | None:
    if annotation is None:
        return None
    text = annotation.strip()
    for form in ("typing.Optional[", "Optional["):
        if text.startswith(form) and text.endswith("]"):
            return text[len(form) : -1].strip()
    parts = [part.strip() for part in text.split("|")]
    rest = [part for part in parts if part not in ("None", "builtins.None", "NoneType")]
    return rest[0] if len(rest) == 1 else text


# -- checks against plugin records (raw manifest dicts) -------------------------------------


def _location(raw: Mapping[str, Any], line: int = 0) -> tuple[str | None, int]:
    """The file and line to report a problem of plugin `raw` at (no line without a file)."""
    if raw["file"] is None:
        return None, 0
    return raw["file"], line or raw["line"]


def plugin_values(config: Configuration, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The configured values of one plugin's value parameters (raw manifest record)."""
    annotations = {p["name"]: p["annotation"] for p in raw["parameters"] if p["interface"] is None}
    if not annotations:
        return {}
    return config.values(raw["name"], annotations)


def plugin_problems(
    config: Configuration,
    raw: Mapping[str, Any],
    profile: str,
    *,
    supplied: Iterable[str] = (),
) -> list[Problem]:
    """Unknown keys and missing required values for one plugin (raw manifest record).

    Args:
        config: The configuration.
        raw: The plugin's record as the manifest stores it.
        profile: The active profile, recorded on each problem.
        supplied: Parameters the caller fills itself (a factory's ``variant``).
    """
    from mreg_di._problems import Problem, ProblemKind  # attrs: off the start-up path

    name: str = raw["name"]
    parameters = raw["parameters"]
    values = [p for p in parameters if p["interface"] is None]
    injected = {p["name"]: p["interface"] for p in parameters if p["interface"] is not None}
    valid = [p["name"] for p in values]
    entries = config.entries(name, valid)
    problems: list[Problem] = []
    file, line = _location(raw)
    for key, entry in entries.items():
        if key in valid:
            continue
        if key in injected:
            problems.append(
                Problem(
                    ProblemKind.UNKNOWN_CONFIGURATION,
                    f"configuration for `{name}` sets `{key}` (from {entry.origin}), but "
                    f"`{key}` is injected from the graph (`{injected[key]}`), not configured",
                    plugin=name,
                    file=file,
                    line=line,
                    hint=f"remove `{key}` from {entry.origin}; to replace the dependency in "
                    "tests, use `registry.override(...)`",
                    profile=profile,
                )
            )
            continue
        accepted = ", ".join(f"`{v}`" for v in valid) if valid else "none"
        close = close_matches(key, valid)
        hint = (
            f"did you mean `{close[0]}`? Otherwise remove `{key}` from {entry.origin}"
            if close
            else f"remove `{key}` from {entry.origin}, or rename it to a valid parameter"
        )
        problems.append(
            Problem(
                ProblemKind.UNKNOWN_CONFIGURATION,
                f"configuration for `{name}` sets `{key}` (from {entry.origin}), which is not "
                f"one of its parameters; valid parameters: {accepted}",
                plugin=name,
                file=file,
                line=line,
                hint=hint,
                profile=profile,
            )
        )
    skip = set(supplied)
    for parameter in values:
        key = parameter["name"]
        if parameter["has_default"] or parameter["optional"] or key in entries or key in skip:
            continue
        if raw["kind"] == "factory" and key == "variant" and raw["variants"]:
            listed = ", ".join(f"`{v}`" for v in raw["variants"])
            problems.append(
                Problem(
                    ProblemKind.MISSING_CONFIGURATION,
                    f"`{name}` is a factory with variants {listed} and no variant was chosen",
                    plugin=name,
                    file=file,
                    line=line,
                    hint=f"call `registry.create_plugin_from_factory({name!r}, "
                    f"{raw['variants'][0]!r})`, or configure one: "
                    f'{{"{name}": {{"variant": "{raw["variants"][0]}"}}}}',
                    profile=profile,
                )
            )
            continue
        problems.append(
            Problem(
                ProblemKind.MISSING_CONFIGURATION,
                f"`{name}` needs a value for parameter `{key}`, which has no default and is "
                "not configured",
                plugin=name,
                file=file,
                line=_location(raw, parameter["line"])[1],
                hint=f'add {{"{name}": {{"{key}": ...}}}} to the configuration, set '
                f"{env_name(name, key)}, or give the parameter a default",
                profile=profile,
            )
        )
    return problems


def configuration_problems(
    config: Configuration,
    raw_records: Iterable[Mapping[str, Any]],
    profile: str,
) -> list[Problem]:
    """Every configuration problem against a whole catalogue, in a stable order.

    Configuration naming a plugin that does not exist is reported; configuration of a plugin
    that exists but is inactive in `profile` is accepted silently (one file may serve several
    profiles). Every active plugin is checked for unknown keys and missing required values,
    except that a factory with variants may leave ``variant`` to
    ``create_plugin_from_factory``.
    """
    from mreg_di._problems import Problem, ProblemKind

    spec_profile = None if profile == "default" else profile
    names: list[str] = []
    normalized: dict[str, str] = {}
    problems: list[Problem] = []
    active: list[Mapping[str, Any]] = []
    for raw in raw_records:
        names.append(raw["name"])
        normalized[env_name(raw["name"], prefix="")] = raw["name"]
        if not raw["profiles"] or (spec_profile is not None and spec_profile in raw["profiles"]):
            active.append(raw)
    known = set(names)
    for key, origin, from_env in config.plugin_keys():
        if key in (normalized if from_env else known):
            continue
        pool = list(normalized) if from_env else names
        close = close_matches(key, pool)
        if from_env:
            close = [env_name(normalized[c]) for c in close]
        problems.append(
            Problem(
                ProblemKind.UNKNOWN_CONFIGURATION,
                f"configuration names plugin `{key}` (from {origin}), but no plugin has that name",
                hint=(f"did you mean `{close[0]}`? " if close else "")
                + "check the plugin name, or remove the entry",
                profile=profile,
            )
        )
    for raw in sorted(active, key=lambda r: r["name"]):
        supplied = ("variant",) if raw["kind"] == "factory" and raw["variants"] else ()
        problems.extend(plugin_problems(config, raw, profile, supplied=supplied))
    return problems
