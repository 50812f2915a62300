"""Tests for mreg_di._annotations: which annotations are injected and which are values."""

from __future__ import annotations

import sys

import pytest

from mreg_di._annotations import OPTIONAL_FORMS, SEQUENCE_FORMS, is_value_type


class TestIsValueType:
    @pytest.mark.parametrize(
        "name",
        [
            "builtins.int",
            "builtins.str",
            "builtins.dict",
            "pathlib.Path",
            "datetime.timedelta",
            "decimal.Decimal",
            "typing.Any",
            "collections.abc.Mapping",
            "logging.Logger",
            "re.Pattern",
        ],
    )
    def test_standard_library_is_value(self, name: str) -> None:
        """Standard-library classes are configuration values."""
        assert is_value_type(name) is True

    @pytest.mark.parametrize(
        "name",
        [
            "acme.interfaces.Compressor",
            "mreg_di.Manifest",
            "attrs.Attribute",
            "networkx.DiGraph",
            "pathlibx.Path",
            "builtinsx.int",
            "Compressor",
        ],
    )
    def test_other_classes_are_injected(self, name: str) -> None:
        """Application and third-party classes, and unqualified names, are injected."""
        assert is_value_type(name) is False

    def test_prefix_is_a_whole_package_name(self) -> None:
        """Only the first dotted part counts: `datetimes.X` is not the standard `datetime`."""
        assert is_value_type("datetime.date") is True
        assert is_value_type("datetimes.date") is False

    def test_every_stdlib_root(self) -> None:
        """Every standard-library top-level module name is a value root."""
        assert all(is_value_type(f"{root}.X") for root in sys.stdlib_module_names)


class TestForms:
    def test_sequence_forms(self) -> None:
        """list, tuple, Sequence and Iterable (typing and collections.abc) mean "every provider"."""
        assert {
            "builtins.list",
            "builtins.tuple",
            "typing.List",
            "typing.Tuple",
            "typing.Sequence",
            "typing.Iterable",
            "collections.abc.Sequence",
            "collections.abc.Iterable",
        } == SEQUENCE_FORMS
        assert "builtins.set" not in SEQUENCE_FORMS

    def test_optional_forms(self) -> None:
        """typing.Optional is the optional form (`X | None` is handled by the scanner)."""
        assert {"typing.Optional"} == OPTIONAL_FORMS
