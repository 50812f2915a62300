"""Tests for mreg_di._problems: the Problem value object and its rendering."""

from __future__ import annotations

import dataclasses
import pickle

import pytest

from mreg_di._problems import Problem, ProblemKind


class TestProblemKind:
    def test_values(self) -> None:
        """Each kind has a stable kebab-case value (the build step prints them)."""
        assert {kind.name: kind.value for kind in ProblemKind} == {
            "MISSING_BINDING": "missing-binding",
            "CYCLE": "cycle",
            "AMBIGUOUS": "ambiguous",
            "VERSION_CONFLICT": "version-conflict",
            "MISSING_REQUIREMENT": "missing-requirement",
            "MISSING_CONFIGURATION": "missing-configuration",
            "UNKNOWN_CONFIGURATION": "unknown-configuration",
        }

    def test_is_a_string(self) -> None:
        """Kinds compare equal to their values and format as them."""
        assert ProblemKind.CYCLE == "cycle"  # type: ignore[comparison-overlap]
        assert f"{ProblemKind.AMBIGUOUS}" == "ambiguous"
        assert ProblemKind("version-conflict") is ProblemKind.VERSION_CONFLICT


class TestProblem:
    def test_defaults(self) -> None:
        """Only kind and message are required; the profile defaults to "default"."""
        problem = Problem(ProblemKind.CYCLE, "loop")
        assert (problem.plugin, problem.file, problem.line, problem.column) == (None, None, 0, 0)
        assert (problem.hint, problem.profile) == ("", "default")

    @pytest.mark.parametrize(
        ("file", "line", "location"),
        [(None, 0, ""), (None, 7, ""), ("a.py", 0, "a.py"), ("a.py", 7, "a.py:7")],
    )
    def test_location(self, file: str | None, line: int, location: str) -> None:
        """location is file:line, just file without a line, empty without a file."""
        assert Problem(ProblemKind.CYCLE, "m", file=file, line=line).location == location

    def test_render_plain(self) -> None:
        """Without location or hint, render is the message."""
        assert Problem(ProblemKind.CYCLE, "cycle: a -> b -> a").render() == "cycle: a -> b -> a"

    def test_render_full(self) -> None:
        """Location prefixes the message and the hint follows, indented, on its own line."""
        problem = Problem(
            ProblemKind.MISSING_BINDING, "`a` needs `x.I`", file="a.py", line=3, hint="add one"
        )
        assert problem.render() == "a.py:3: `a` needs `x.I`\n  Hint: add one"

    def test_frozen(self) -> None:
        """Problems cannot be changed after creation."""
        problem = Problem(ProblemKind.CYCLE, "m")
        with pytest.raises(dataclasses.FrozenInstanceError):
            problem.message = "other"  # type: ignore[misc]

    def test_equality_and_hash(self) -> None:
        """Equal fields make equal, hashable problems (the build step dedups them)."""
        one = Problem(ProblemKind.CYCLE, "m", plugin="a", profile="test")
        two = Problem(ProblemKind.CYCLE, "m", plugin="a", profile="test")
        assert one == two
        assert len({one, two}) == 1
        assert one != dataclasses.replace(two, profile="default")

    def test_pickle(self) -> None:
        """A problem survives pickling (diagnostics cross worker processes)."""
        problem = Problem(ProblemKind.AMBIGUOUS, "m", "a", "a.py", 1, 2, "h", "test")
        assert pickle.loads(pickle.dumps(problem)) == problem
