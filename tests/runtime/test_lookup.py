"""Tests for mreg_di._lookup: which plugin answers, and the errors when none or several do."""

from __future__ import annotations

import re

import pytest

from mreg_di._errors import PluginNotFoundError, ResolutionError
from mreg_di._lookup import check_variant, provider_name, qualified_name
from mreg_di._resolve import Binder, RecordCatalogue
from mreg_di._spec import PluginRecord, PluginSpec

GZIP = PluginRecord(PluginSpec("gzip", provides=["x.Compressor"]), "x.gz", "Gzip", "x/gz.py", 4)
ZLIB = PluginRecord(PluginSpec("zlib", provides=["x.Compressor"]), "x.zl", "Zlib", "x/zl.py", 9)
PLAIN = PluginRecord(PluginSpec("plain", kind="factory"), "x.f", "make", "x/f.py", 2)


class TestQualifiedName:
    def test_class_and_string(self) -> None:
        """A class gives module.qualname, a string is taken as is."""
        assert qualified_name(PluginRecord, "get") == "mreg_di._spec.PluginRecord"
        assert qualified_name("x.Compressor", "get") == "x.Compressor"

    def test_other(self) -> None:
        """Anything else is a TypeError naming the method."""
        message = "override() takes a class or a qualified name such as 'acme.Compressor', not 1.5"
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            qualified_name(1.5, "override")


class TestProviderName:
    def test_single(self) -> None:
        """One provider answers."""
        assert provider_name(Binder(RecordCatalogue([GZIP]), None), "x.Compressor") == "gzip"

    def test_tie(self) -> None:
        """A tie at the top priority is an ambiguity naming both, with locations."""
        with pytest.raises(ResolutionError) as info:
            provider_name(Binder(RecordCatalogue([GZIP, ZLIB]), None), "x.Compressor")
        assert str(info.value) == (
            "1 problem in the plugin graph:\n"
            "- x/gz.py:4: `x.Compressor` is provided by `gzip` (x/gz.py:4) and `zlib` "
            "(x/zl.py:9), all at priority 0\n"
            "  Hint: give one provider a higher priority or restrict one to a profile; to get "
            "every provider use `registry.get_all(Compressor)`"
        )

    def test_suggestions_from_any_catalogue(self) -> None:
        """Close interfaces are suggested from a plain record catalogue too."""
        with pytest.raises(PluginNotFoundError) as info:
            provider_name(Binder(RecordCatalogue([GZIP]), None), "x.Compresor")
        assert info.value.known == ("x.Compressor",)


class TestCheckVariant:
    def test_factory_without_variants(self) -> None:
        """A factory without variants says so and points to create_plugin."""
        with pytest.raises(PluginNotFoundError) as info:
            check_variant(PLAIN, "fast")
        assert str(info.value) == (
            "factory `plain` (x/f.py:2) has no variant `fast`: it declares no variants\n"
            "Hint: use `registry.create_plugin('plain')`"
        )

    def test_non_string_variant(self) -> None:
        """A variant that is not a string is shown with repr."""
        record = PluginRecord(PluginSpec("f", kind="factory", variants=["a"]), "x", "f")
        with pytest.raises(
            PluginNotFoundError, match=r"has no variant `3`: valid variants are `a`"
        ):
            check_variant(record, 3)


class TestActiveName:
    def test_unknown_name_without_close_match_says_where_to_look(self) -> None:
        """A name like no plugin's gets a hint to list the manifest or re-run the scan."""
        from mreg_di._registry import ModuleRegistry

        with pytest.raises(PluginNotFoundError) as info:
            ModuleRegistry().create_plugin("ghost")
        assert str(info.value) == (
            "no active plugin `ghost` in profile `default`\n"
            "Hint: no plugin in the manifest has that name: list them with "
            "`mreg-codegen list MANIFEST`, and re-run `mreg-codegen scan` if the plugin was "
            "declared since the manifest was generated"
        )
