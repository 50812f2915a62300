"""Tests for mreg_di._config: sources, layering, environment variables, and the checks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from runtime_support import Project

from mreg_di._config import Configuration, env_name
from mreg_di._errors import ResolutionError
from mreg_di._registry import ModuleRegistry

ANNOTATIONS = {"level": "int", "name": "str", "path": "pathlib.Path", "tags": "list[str]"}
SHAPE_HINT = (
    '\nHint: map each plugin name to its parameter values, e.g. {"gzip": {"level": 9}}, '
    "or in TOML a table [gzip] holding level = 9"
)


class TestSources:
    def test_mapping(self) -> None:
        """A dict gives its values for the parameters asked about."""
        config = Configuration.from_mapping({"gzip": {"level": 9, "name": "x"}})
        assert config.values("gzip", ANNOTATIONS) == {"level": 9, "name": "x"}
        assert config.values("other", ANNOTATIONS) == {}

    @pytest.mark.parametrize(
        ("data", "message"),
        [
            (
                {"gzip": 9},
                "the configuration dict: the entry for plugin `gzip` must be a mapping of "
                "parameter names to values, not int" + SHAPE_HINT,
            ),
            ({1: {}}, "the configuration dict: plugin names must be strings, found 1" + SHAPE_HINT),
            (
                {"gzip": {2: 1}},
                "the configuration dict: parameter names for plugin `gzip` must be strings, "
                "found 2" + SHAPE_HINT,
            ),
            (
                [1],
                "the configuration dict: configuration must map plugin names to mappings of "
                "parameter values, not list" + SHAPE_HINT,
            ),
        ],
    )
    def test_bad_mapping(self, data: object, message: str) -> None:
        """A malformed mapping is a TypeError saying which entry is wrong."""
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            Configuration.from_mapping(data)  # type: ignore[arg-type]

    def test_toml(self, tmp_path: Path) -> None:
        """A TOML file has one table per plugin."""
        path = tmp_path / "app.toml"
        path.write_text('[gzip]\nlevel = 9\ntags = ["a", "b"]\n')
        config = Configuration.load(path)
        assert config.values("gzip", ANNOTATIONS) == {"level": 9, "tags": ["a", "b"]}
        assert repr(config) == f"<Configuration from {path}>"

    def test_json(self, tmp_path: Path) -> None:
        """A JSON file has one object per plugin."""
        path = tmp_path / "app.json"
        path.write_text(json.dumps({"gzip": {"level": 3}}))
        assert Configuration.load(path).values("gzip", ANNOTATIONS) == {"level": 3}

    def test_invalid_toml(self, tmp_path: Path) -> None:
        """A TOML syntax error names the file and the position."""
        path = tmp_path / "app.toml"
        path.write_text("[gzip\n")
        message = (
            f"configuration file {path}: not valid TOML (Expected ']' at the end of a table "
            "declaration (at line 1, column 6))\n"
            "Hint: fix the syntax; each plugin is a table of parameter values"
        )
        with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
            Configuration.load(path)

    def test_unsupported_suffix(self, tmp_path: Path) -> None:
        """Only .toml and .json are read."""
        with pytest.raises(ValueError, match=re.escape("unsupported format '.ini'")):
            Configuration.load(tmp_path / "app.ini")

    def test_coerce(self, tmp_path: Path) -> None:
        """None, a dict, a path and a Configuration are accepted; anything else is not."""
        path = tmp_path / "app.json"
        path.write_text('{"a": {"level": 1}}')
        assert not Configuration.coerce(None)
        assert Configuration.coerce({"a": {"level": 1}}).values("a", ANNOTATIONS) == {"level": 1}
        assert Configuration.coerce(str(path)).values("a", ANNOTATIONS) == {"level": 1}
        config = Configuration.from_mapping({})
        assert Configuration.coerce(config) is config
        with pytest.raises(TypeError, match=r"not int$"):
            Configuration.coerce(3)


class TestEnvironment:
    def test_names(self) -> None:
        """Plugin names are upper-cased with every other character replaced by `_`."""
        assert env_name("gzip-compressor", "level") == "MREG_GZIP_COMPRESSOR__LEVEL"
        assert env_name("acme.store_v2") == "MREG_ACME_STORE_V2"

    def test_values_are_json_unless_text(self) -> None:
        """Values parse as JSON, except for parameters annotated str or Path."""
        config = Configuration.from_env(
            {
                "MREG_GZIP__LEVEL": "9",
                "MREG_GZIP__NAME": "9",
                "MREG_GZIP__PATH": "/tmp/x",
                "MREG_GZIP__TAGS": '["a"]',
                "MREG_OTHER__LEVEL": "1",
                "HOME": "/root",
                "MREG_BROKEN": "no separator",
            }
        )
        assert config.values("gzip", ANNOTATIONS) == {
            "level": 9,
            "name": "9",
            "path": Path("/tmp/x"),
            "tags": ["a"],
        }

    def test_unparsable_text_stays_a_string(self) -> None:
        """Text that is not JSON is passed on as a string (the type check reports it)."""
        config = Configuration.from_env({"MREG_GZIP__LEVEL": "high"})
        assert config.values("gzip", ANNOTATIONS) == {"level": "high"}

    def test_optional_text(self) -> None:
        """`str | None` counts as text."""
        config = Configuration.from_env({"MREG_GZIP__NAME": "42"})
        assert config.values("gzip", {"name": "str | None"}) == {"name": "42"}

    def test_prefix(self) -> None:
        """Another prefix can be chosen."""
        config = Configuration.from_env({"APP_GZIP__LEVEL": "2"}, prefix="APP_")
        assert config.values("gzip", ANNOTATIONS) == {"level": 2}

    def test_layers_later_wins(self, tmp_path: Path) -> None:
        """Merged layers override earlier ones key by key."""
        path = tmp_path / "app.toml"
        path.write_text("[gzip]\nlevel = 1\nname = 'file'\n")
        config = Configuration.load(path).merged(Configuration.from_env({"MREG_GZIP__LEVEL": "7"}))
        assert config.values("gzip", ANNOTATIONS) == {"level": 7, "name": "file"}


PLUGINS = """
from mreg_di import plugin


@plugin("gzip-compressor")
class Gzip:
    def __init__(self, level: int, window: int = 15) -> None:
        self.level = level
        self.window = window


@plugin("consumer")
class Consumer:
    def __init__(self, gzip: Gzip) -> None:
        self.gzip = gzip
"""


@pytest.fixture
def configured(project: Project) -> Project:
    """A plugin with a required and an optional value parameter, and a consumer of it."""
    project.write("conf.plugins", PLUGINS)
    project.build()
    return project


class TestRegistryConfiguration:
    def test_values_reach_the_constructor(self, configured: Project) -> None:
        """Configured values are passed as keyword arguments, overriding defaults."""
        registry = ModuleRegistry.from_manifest(
            configured.manifest_path, config={"gzip-compressor": {"level": 9, "window": 9}}
        )
        gzip = registry.create_plugin("consumer").gzip
        assert (gzip.level, gzip.window) == (9, 9)

    def test_toml_path_and_environment(self, configured: Project, tmp_path: Path) -> None:
        """A TOML path and environment variables combine, the environment winning."""
        path = tmp_path / "app.toml"
        path.write_text('["gzip-compressor"]\nlevel = 1\nwindow = 10\n')
        config = Configuration.load(path).merged(
            Configuration.from_env({"MREG_GZIP_COMPRESSOR__LEVEL": "4"})
        )
        registry = ModuleRegistry.from_manifest(configured.manifest_path, config=config)
        gzip = registry.create_plugin("gzip-compressor")
        assert (gzip.level, gzip.window) == (4, 10)
        registry.validate()

    def test_missing_required_value_at_construction(self, configured: Project) -> None:
        """Building a plugin whose required value is not configured says what to add."""
        registry = ModuleRegistry.from_manifest(configured.manifest_path)
        with pytest.raises(ResolutionError) as info:
            registry.create_plugin("consumer")
        where = configured.location("conf.plugins", "def __init__(self, level: int")
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- {where}: `gzip-compressor` needs a value for parameter `level`, which has no "
            "default and is not configured\n"
            '  Hint: add {"gzip-compressor": {"level": ...}} to the configuration, set '
            "MREG_GZIP_COMPRESSOR__LEVEL, or give the parameter a default"
        )

    def test_injected_parameter_cannot_be_configured(self, configured: Project) -> None:
        """Configuring an injected parameter is an error pointing to override()."""
        registry = ModuleRegistry.from_manifest(
            configured.manifest_path,
            config={"gzip-compressor": {"level": 1}, "consumer": {"gzip": None}},
        )
        with pytest.raises(ResolutionError) as info:
            registry.validate()
        where = configured.location("conf.plugins", '@plugin("consumer"')
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- {where}: configuration for `consumer` sets `gzip` (from the configuration "
            "dict), but `gzip` is injected from the graph (`conf.plugins.Gzip`), not "
            "configured\n"
            "  Hint: remove `gzip` from the configuration dict; to replace the dependency in "
            "tests, use `registry.override(...)`"
        )

    def test_unknown_key_from_environment(self, configured: Project) -> None:
        """An unknown key from an environment variable names the variable."""
        config = Configuration.from_mapping({"gzip-compressor": {"level": 1}}).merged(
            Configuration.from_env({"MREG_GZIP_COMPRESSOR__WINDOWS": "3"})
        )
        registry = ModuleRegistry.from_manifest(configured.manifest_path, config=config)
        with pytest.raises(ResolutionError) as info:
            registry.create_plugin("gzip-compressor")
        where = configured.location("conf.plugins", '@plugin("gzip-compressor"')
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            f"- {where}: configuration for `gzip-compressor` sets `windows` (from environment "
            "variable MREG_GZIP_COMPRESSOR__WINDOWS), which is not one of its parameters; valid "
            "parameters: `level`, `window`\n"
            "  Hint: did you mean `window`? Otherwise remove `windows` from environment variable "
            "MREG_GZIP_COMPRESSOR__WINDOWS"
        )

    def test_unknown_plugin_from_environment(self, configured: Project) -> None:
        """An environment variable for no plugin suggests the variable meant."""
        config = Configuration.from_mapping({"gzip-compressor": {"level": 1}}).merged(
            Configuration.from_env({"MREG_GZIP_COMPRESOR__LEVEL": "3"})
        )
        registry = ModuleRegistry.from_manifest(configured.manifest_path, config=config)
        with pytest.raises(ResolutionError) as info:
            registry.validate()
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            "- configuration names plugin `GZIP_COMPRESOR` (from environment variable "
            "MREG_GZIP_COMPRESOR__LEVEL), but no plugin has that name\n"
            "  Hint: did you mean `MREG_GZIP_COMPRESSOR`? check the plugin name, or remove the "
            "entry"
        )

    def test_inactive_plugin_may_be_configured(self, project: Project) -> None:
        """Configuration of a plugin of another profile is accepted silently."""
        project.write(
            "conf.mock",
            """
            from mreg_di import plugin


            @plugin("mock", profiles=["dev"])
            class Mock:
                def __init__(self, seed: int) -> None:
                    self.seed = seed
            """,
        )
        project.build()
        registry = ModuleRegistry.from_manifest(project.manifest_path, config={"mock": {"x": 1}})
        registry.validate()
