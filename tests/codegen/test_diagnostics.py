"""Diagnostics: rendering with a caret, JSON, sorting, summaries, pickling."""

from __future__ import annotations

import json
import pickle
import re

import attrs
import pytest

from mreg_codegen._diagnostics import (
    Diagnostic,
    diagnostic_at,
    render_all,
    source_line_at,
    split_lines,
)


def make(**changes: object) -> Diagnostic:
    base = Diagnostic(
        "acme/gz.py",
        3,
        25,
        "bad-version",
        "@plugin('gzip') on `Gzip`: version 'two' is not a valid PEP 440 version",
        hint="use '1.0'",
        source_line='@plugin("gzip", version="two")',
    )
    return attrs.evolve(base, **changes)


class TestRender:
    def test_full_diagnostic(self) -> None:
        """Header with code, source line, caret under the column, and the hint."""
        assert make().render() == (
            "acme/gz.py:3:25: error: @plugin('gzip') on `Gzip`: version 'two' is not a valid "
            "PEP 440 version [bad-version]\n"
            '    @plugin("gzip", version="two")\n'
            "                            ^\n"
            "Hint: use '1.0'"
        )

    def test_warning_without_hint(self) -> None:
        """A warning says so; no hint means no Hint line."""
        assert make(severity="warning", hint="").render().splitlines() == [
            "acme/gz.py:3:25: warning: @plugin('gzip') on `Gzip`: version 'two' is not a valid "
            "PEP 440 version [bad-version]",
            '    @plugin("gzip", version="two")',
            "                            ^",
        ]

    def test_unknown_column_shows_the_line_without_caret(self) -> None:
        """Without a column the location has no column and there is no caret."""
        assert make(column=0, hint="").render().splitlines() == [
            "acme/gz.py:3: error: @plugin('gzip') on `Gzip`: version 'two' is not a valid PEP 440 "
            "version [bad-version]",
            '    @plugin("gzip", version="two")',
        ]

    def test_unknown_line_shows_only_the_path(self) -> None:
        """Without a line there is no location number and no source line."""
        rendered = make(line=0, column=0, hint="").render()
        assert rendered.startswith("acme/gz.py: error: ")
        assert "\n" not in rendered

    def test_tabs_are_kept_in_the_caret_line(self) -> None:
        """A tab before the column stays a tab, so the caret lines up in any terminal."""
        rendered = make(source_line="\tx =\tVERSION", column=6, hint="").render()
        assert rendered.splitlines()[1:] == ["    \tx =\tVERSION", "    \t   \t^"]

    def test_caret_at_the_end_of_the_line(self) -> None:
        """A column just past the text (an unexpected end of line) still gets a caret."""
        rendered = make(source_line="x = (", column=6, hint="").render()
        assert rendered.splitlines()[1:] == ["    x = (", "         ^"]

    def test_caret_beyond_the_line_is_left_out(self) -> None:
        """A column far past the text has no sensible caret, so none is drawn."""
        rendered = make(source_line="x", column=40, hint="").render()
        assert rendered.splitlines()[1:] == ["    x"]

    def test_window_of_a_long_line(self) -> None:
        """A cut-down line is drawn with its caret under the right character."""
        text, start = source_line_at("a" * 150 + "X" + "b" * 150, 151)
        rendered = make(source_line=text, source_start=start, column=151, hint="").render()
        source, caret = rendered.splitlines()[1:]
        assert source[caret.index("^")] == "X"
        assert source.startswith("    …a")
        assert source.endswith("b…")


class TestDiagnosticValue:
    def test_to_json_has_every_field(self) -> None:
        """to_json gives every field by name."""
        assert make().to_json() == {
            "path": "acme/gz.py",
            "line": 3,
            "column": 25,
            "severity": "error",
            "code": "bad-version",
            "message": "@plugin('gzip') on `Gzip`: version 'two' is not a valid PEP 440 version",
            "hint": "use '1.0'",
            "source_line": '@plugin("gzip", version="two")',
            "source_start": 1,
        }

    def test_picklable_and_rebuildable_from_asdict(self) -> None:
        """A diagnostic survives pickling and attrs.asdict (how workers send it)."""
        diagnostic = make()
        assert pickle.loads(pickle.dumps(diagnostic)) == diagnostic
        assert Diagnostic(**attrs.asdict(diagnostic)) == diagnostic

    def test_bad_severity_is_refused(self) -> None:
        """Only 'error' and 'warning' are severities."""
        with pytest.raises(
            ValueError, match=re.escape("severity must be 'error' or 'warning', not 'fatal'")
        ):
            make(severity="fatal")

    def test_frozen(self) -> None:
        """Diagnostics are immutable values."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            make().line = 4  # type: ignore[misc]


class TestDiagnosticAt:
    def test_fills_the_source_line(self) -> None:
        """The source line is cut from the text, lines counted as Python counts them."""
        source = "a = 1\r\nb = 2\x0cstill b\rc = $\n"
        diagnostic = diagnostic_at("f.py", source, 3, 5, "syntax-error", "bad")
        assert diagnostic.source_line == "c = $"
        assert diagnostic_at("f.py", source, 2, 1, "x", "m").source_line == "b = 2\ufffdstill b"

    def test_accepts_pre_split_lines(self) -> None:
        """Pre-split lines give the same result as the text."""
        source = "x = 1\ny = $\n"
        assert diagnostic_at("f.py", split_lines(source), 2, 5, "c", "m") == diagnostic_at(
            "f.py", source, 2, 5, "c", "m"
        )

    def test_line_out_of_range_or_unknown(self) -> None:
        """A line past the end, line 0 or no source leaves the source line empty."""
        assert diagnostic_at("f.py", "x = 1\n", 9, 1, "c", "m").source_line == ""
        assert diagnostic_at("f.py", "x = 1\n", 0, 0, "c", "m").source_line == ""
        assert diagnostic_at("f.py", None, 1, 1, "c", "m").source_line == ""

    def test_control_characters_are_replaced(self) -> None:
        """Control characters cannot reach the terminal; tabs stay."""
        diagnostic = diagnostic_at("f.py", "\tx\x00y\x1b[31m\n", 1, 1, "c", "m")
        assert diagnostic.source_line == "\tx\ufffdy\ufffd[31m"

    def test_long_line_is_windowed(self) -> None:
        """A line longer than 200 characters is cut around the column."""
        line = "".join(str(i % 10) for i in range(1000))
        diagnostic = diagnostic_at("f.py", line, 1, 500, "c", "m")
        index = diagnostic.column - diagnostic.source_start
        assert diagnostic.source_line[index] == line[499]
        assert len(diagnostic.source_line) == 162

    def test_long_line_with_column_near_the_start(self) -> None:
        """Near the start of a long line only the end is cut."""
        text, start = source_line_at("x" * 300, 3)
        assert (start, text) == (1, "x" * 82 + "…")


class TestRenderAll:
    def test_text_sorted_with_summary(self) -> None:
        """Text output is sorted by place, blocks separated by blank lines, then a summary."""
        first = make(path="a.py", line=1, column=1, code="bad-name", message="first", hint="")
        second = make(path="a.py", line=2, column=1, code="unresolved-base", message="second",
                      hint="", severity="warning", source_line="")  # fmt: skip
        third = make(path="b.py", line=1, column=1, code="bad-scope", message="third", hint="",
                     source_line="")  # fmt: skip
        text = render_all([third, second, first], "text")
        assert text == (
            "a.py:1:1: error: first [bad-name]\n"
            '    @plugin("gzip", version="two")\n'
            "    ^\n\n"
            "a.py:2:1: warning: second [unresolved-base]\n\n"
            "b.py:1:1: error: third [bad-scope]\n\n"
            "2 errors, 1 warning"
        )

    def test_empty_text(self) -> None:
        """No diagnostics give just the summary."""
        assert render_all([], "text") == "0 errors, 0 warnings"

    def test_json_sorted(self) -> None:
        """JSON output is a list of to_json objects sorted by path, line, column and code."""
        later = make(line=9, code="a-code")
        earlier = make(line=3, code="z-code")
        same_place = make(line=3, code="b-code")
        data = json.loads(render_all([later, earlier, same_place], "json"))
        assert [(d["line"], d["code"]) for d in data] == [
            (3, "b-code"),
            (3, "z-code"),
            (9, "a-code"),
        ]
        assert data[0] == same_place.to_json()

    def test_unknown_format(self) -> None:
        """An unknown format is refused with the allowed ones named."""
        with pytest.raises(
            ValueError, match=re.escape("diagnostics format must be 'text' or 'json', not 'xml'")
        ):
            render_all([], "xml")  # type: ignore[arg-type]
