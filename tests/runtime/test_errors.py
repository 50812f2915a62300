"""Tests for mreg_di._errors: messages, class relations and pickling of every error."""

from __future__ import annotations

import pickle

import pytest

from mreg_di._errors import (
    LifecycleError,
    ManifestError,
    MregError,
    PluginNotFoundError,
    PluginTypeError,
    ResolutionError,
    StaleManifestError,
)
from mreg_di._problems import Problem, ProblemKind

CYCLE = Problem(
    ProblemKind.CYCLE,
    "dependency cycle: `a` -> `b` -> `a`",
    plugin="a",
    file="acme/a.py",
    line=3,
    hint="break it",
)
MISSING = Problem(ProblemKind.MISSING_BINDING, "`b` needs `x.I`", plugin="b", file="acme/b.py")


def all_errors() -> list[MregError]:
    """One fully populated instance of every error class."""
    return [
        MregError("plain"),
        ManifestError("m.json", "$.plugins[0].version", "bad version", "regenerate it"),
        StaleManifestError("m.json", "gzip", "acme/gz.py", "sha256 changed"),
        ResolutionError([CYCLE, MISSING]),
        PluginNotFoundError("gzp", known=("gzip",), profile="test", reason="only in `prod`"),
        PluginNotFoundError("turbo", kind="variant", factory="`f` (f.py:1)", hint="see docs"),
        PluginTypeError("gzip", "acme/gz.py:3", "level", "int", "str"),
        PluginTypeError("gzip", "", None, "acme.C", "acme.G", reason="lacks `x`", hint="add it"),
        LifecycleError("gzip", "acme/gz.py:3", "initialize", "RuntimeError: boom"),
        LifecycleError("gzip", "acme/gz.py:3", "cleanup", "OSError: x", hint="check the disk"),
    ]


class TestHierarchy:
    @pytest.mark.parametrize(
        ("error", "bases"),
        [
            (ManifestError, (MregError, ValueError)),
            (StaleManifestError, (ManifestError, MregError, ValueError)),
            (ResolutionError, (MregError,)),
            (PluginNotFoundError, (MregError, LookupError)),
            (PluginTypeError, (MregError, TypeError)),
            (LifecycleError, (MregError,)),
            (MregError, (Exception,)),
        ],
    )
    def test_bases(self, error: type[Exception], bases: tuple[type[Exception], ...]) -> None:
        """Each error is an MregError and the builtin a caller would catch."""
        for base in bases:
            assert issubclass(error, base)

    def test_families_stay_apart(self) -> None:
        """Errors are not accidentally instances of unrelated builtins."""
        assert not issubclass(ResolutionError, (LookupError, TypeError, ValueError))
        assert not issubclass(LifecycleError, (LookupError, TypeError, ValueError))
        assert not issubclass(PluginNotFoundError, (KeyError, ValueError))

    def test_catch_as_builtin(self) -> None:
        """`except LookupError` catches PluginNotFoundError, `except TypeError` PluginTypeError."""
        with pytest.raises(LookupError):
            raise PluginNotFoundError("x")
        with pytest.raises(TypeError):
            raise PluginTypeError("p", "", "a", "int", "str")
        with pytest.raises(ValueError, match=r"^m\.json: bad$"):
            raise ManifestError("m.json", "", "bad")


class TestManifestError:
    def test_str_with_path_and_hint(self) -> None:
        """The message is file, JSON path, reason, then a Hint line."""
        error = ManifestError("m.json", "$.plugins[0].version", "bad version", "regenerate it")
        assert str(error) == "m.json: $.plugins[0].version: bad version\nHint: regenerate it"

    def test_str_without_json_path_or_hint(self) -> None:
        """Without a JSON path or hint those parts are left out."""
        assert str(ManifestError("m.json", "", "not valid JSON")) == "m.json: not valid JSON"

    def test_fields(self) -> None:
        """The fields are kept on the instance."""
        error = ManifestError("m.json", "$.x", "bad", "fix")
        assert (error.path, error.json_path, error.reason, error.hint) == (
            "m.json",
            "$.x",
            "bad",
            "fix",
        )


class TestStaleManifestError:
    def test_str(self) -> None:
        """The message names plugin and file and says to re-run the scanner."""
        error = StaleManifestError("m.json", "gzip", "acme/gz.py", "sha256 changed")
        assert str(error) == (
            "m.json: plugin `gzip` (acme/gz.py): sha256 changed\n"
            "Hint: the manifest is stale; re-run `mreg-codegen scan` to regenerate it"
        )
        assert (error.plugin, error.file, error.json_path) == ("gzip", "acme/gz.py", "")

    def test_pickle_when_file_contains_colon_space(self) -> None:
        """A file name containing ': ' survives a pickle round trip unchanged."""
        error = StaleManifestError("m.json", "gzip", "odd: name.py", "gone: renamed")
        clone = pickle.loads(pickle.dumps(error))
        assert str(clone) == str(error)
        assert clone.file == "odd: name.py"


class TestResolutionError:
    def test_str_lists_every_problem(self) -> None:
        """The message counts the problems and renders each on its own bullet."""
        assert str(ResolutionError([CYCLE, MISSING])) == (
            "2 problems in the plugin graph:\n"
            "- acme/a.py:3: dependency cycle: `a` -> `b` -> `a`\n"
            "  Hint: break it\n"
            "- acme/b.py: `b` needs `x.I`"
        )

    def test_str_singular(self) -> None:
        """One problem is counted in the singular."""
        assert str(ResolutionError([MISSING])) == (
            "1 problem in the plugin graph:\n- acme/b.py: `b` needs `x.I`"
        )

    def test_problems_tuple(self) -> None:
        """Problems are kept as a tuple in the given order."""
        assert ResolutionError([MISSING, CYCLE]).problems == (MISSING, CYCLE)


class TestPluginNotFoundError:
    def test_str_minimal(self) -> None:
        """Only the key is named when nothing else is known."""
        assert str(PluginNotFoundError("gzip")) == "no active plugin `gzip`"

    def test_str_full(self) -> None:
        """Profile, reason and suggestions are all shown."""
        error = PluginNotFoundError("gzp", known=("gzip", "zip"), profile="test", reason="why")
        assert str(error) == (
            "no active plugin `gzp` in profile `test`: why\nHint: did you mean `gzip`, `zip`?"
        )
        assert error.known == ("gzip", "zip")

    def test_interface(self) -> None:
        """kind="interface" says no plugin provides it, and a hint follows the suggestions."""
        error = PluginNotFoundError(
            "acme.Compressor", kind="interface", profile="dev", known=("acme.Compress",), hint="h"
        )
        assert str(error) == (
            "no active plugin provides `acme.Compressor` in profile `dev`\n"
            "Hint: did you mean `acme.Compress`?\nHint: h"
        )

    def test_variant(self) -> None:
        """kind="variant" names the factory and its location."""
        error = PluginNotFoundError(
            "turbo", kind="variant", factory="`proc` (acme/f.py:3)", known=("fast",)
        )
        assert str(error) == (
            "factory `proc` (acme/f.py:3) has no variant `turbo`\nHint: did you mean `fast`?"
        )

    def test_factory(self) -> None:
        """kind="factory" names the missing factory."""
        assert str(PluginNotFoundError("proc", kind="factory")) == "no active factory `proc`"

    def test_key_error_args(self) -> None:
        """args holds just the key, like a LookupError."""
        assert PluginNotFoundError("gzip", known=["a"]).args == ("gzip",)


class TestPluginTypeError:
    def test_parameter_mismatch(self) -> None:
        """A parameter mismatch names plugin, location, parameter, expected and actual."""
        assert str(PluginTypeError("gzip", "acme/gz.py:3", "level", "int", "str")) == (
            "plugin `gzip` (acme/gz.py:3): parameter `level` expects `int` but got `str`"
        )

    def test_without_location(self) -> None:
        """An empty location is left out."""
        assert str(PluginTypeError("gzip", "", "level", "int", "str")) == (
            "plugin `gzip`: parameter `level` expects `int` but got `str`"
        )

    def test_interface_mismatch(self) -> None:
        """parameter=None means the instance fails an interface it claims."""
        assert str(PluginTypeError("gzip", "acme/gz.py:3", None, "acme.C", "acme.Gzip")) == (
            "plugin `gzip` (acme/gz.py:3) claims to provide `acme.C` but its instance of "
            "`acme.Gzip` does not satisfy it"
        )

    def test_reason_and_hint(self) -> None:
        """A reason is appended in parentheses and a hint on its own line."""
        error = PluginTypeError(
            "gzip", "", None, "acme.C", "acme.Gzip", reason="lacks `compress`", hint="add it"
        )
        assert str(error) == (
            "plugin `gzip` claims to provide `acme.C` but its instance of `acme.Gzip` does not "
            "satisfy it (lacks `compress`)\nHint: add it"
        )


class TestLifecycleError:
    def test_str(self) -> None:
        """The message names the phase, plugin, location and what happened."""
        assert str(LifecycleError("gzip", "acme/gz.py:3", "cleanup", "OSError: x")) == (
            "cleanup of plugin `gzip` (acme/gz.py:3) failed: OSError: x"
        )
        assert str(LifecycleError("gzip", "", "initialize", "boom")) == (
            "initialize of plugin `gzip` failed: boom"
        )

    def test_hint(self) -> None:
        """A hint follows on its own line."""
        assert str(LifecycleError("gzip", "", "construction", "boom", hint="fix it")) == (
            "construction of plugin `gzip` failed: boom\nHint: fix it"
        )


class TestPickling:
    @pytest.mark.parametrize("error", all_errors(), ids=lambda e: type(e).__name__)
    def test_round_trip(self, error: MregError) -> None:
        """Every error pickles and unpickles to the same class, message and fields."""
        clone = pickle.loads(pickle.dumps(error))
        assert type(clone) is type(error)
        assert str(clone) == str(error)
        assert clone.args == error.args
        assert vars(clone) == vars(error)

    @pytest.mark.parametrize("error", all_errors(), ids=lambda e: type(e).__name__)
    def test_repr_is_readable(self, error: MregError) -> None:
        """repr names the class, so logs of a pickled error stay legible."""
        assert repr(error).startswith(type(error).__name__ + "(")

    @pytest.mark.parametrize("error", all_errors(), ids=lambda e: type(e).__name__)
    def test_notes_survive(self, error: MregError) -> None:
        """Notes added with add_note are kept through a pickle round trip."""
        error.add_note("while loading acme")
        assert pickle.loads(pickle.dumps(error)).__notes__ == ["while loading acme"]
