"""Tests for mreg_di._decorators: @plugin and @factory are validating pure markers."""

from __future__ import annotations

import gc
import re
import sys
from collections.abc import Callable
from typing import Any, Protocol

import pytest

from mreg_di._decorators import (
    SPEC_ATTRIBUTE,
    factory,
    first_paragraph,
    plugin,
    qualified_name,
    spec_of,
)
from mreg_di._spec import PluginSpec, PluginType


class Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


class Storage:
    pass


def make_class(doc: str | None = None) -> type:
    """A fresh undecorated class named Target."""
    return type("Target", (), {"__doc__": doc})


def exact(text: str) -> str:
    """A `match=` pattern for exactly `text`."""
    return f"^{re.escape(text)}$"


class TestPlugin:
    def test_returns_the_same_class(self) -> None:
        """The decorator returns the very class it was given, unchanged apart from the spec."""
        cls = make_class()
        before = {k: v for k, v in vars(cls).items() if k != SPEC_ATTRIBUTE}
        assert plugin("target")(cls) is cls
        after = {k: v for k, v in vars(cls).items() if k != SPEC_ATTRIBUTE}
        assert after == before
        assert isinstance(vars(cls)[SPEC_ATTRIBUTE], PluginSpec)

    def test_full_spec(self) -> None:
        """Every argument lands in the spec, interfaces as qualified names."""

        @plugin(
            "gzip-compressor",
            version="2.1.0",
            type=PluginType.STORAGE,
            capabilities=["compression", "decompression"],
            provides=[Compressor, Storage, "acme.Extra"],
            requires=["memory-storage>=1.0"],
            scope="thread",
            profiles=["production"],
            permissions=["fs.read"],
            priority=-3,
            metadata={"author": "me", "tags": ["a", {"b": None}], "ratio": 0.5},
            description="Explicit.",
        )
        class Gzip:
            """Ignored docstring."""

        spec = spec_of(Gzip)
        assert spec == PluginSpec(
            name="gzip-compressor",
            version="2.1.0",
            type="storage",
            capabilities=("compression", "decompression"),
            provides=(f"{__name__}.Compressor", f"{__name__}.Storage", "acme.Extra"),
            requires=("memory-storage>=1.0",),
            scope="thread",
            profiles=("production",),
            permissions=("fs.read",),
            priority=-3,
            metadata={"author": "me", "tags": ["a", {"b": None}], "ratio": 0.5},
            description="Explicit.",
            kind="class",
        )
        assert type(spec.type) is str

    def test_defaults(self) -> None:
        """Without arguments the spec has the documented defaults."""
        spec = spec_of(plugin("x")(make_class()))
        assert spec == PluginSpec("x")
        assert (spec.version, spec.type, spec.scope, spec.priority) == (
            "0.0.0",
            "generic",
            "singleton",
            0,
        )
        assert spec.metadata == {}
        assert spec.kind == "class"

    def test_name_as_keyword(self) -> None:
        """The name may be passed as name=."""
        assert spec_of(plugin(name="kw")(make_class())).name == "kw"

    def test_description_from_docstring(self) -> None:
        """The description defaults to the docstring's first paragraph, on one line."""
        cls = make_class("Compress data\n    with gzip.\n\n    More details.\n")
        assert spec_of(plugin("x")(cls)).description == "Compress data with gzip."

    def test_empty_description_overrides_docstring(self) -> None:
        """An explicit empty description wins over the docstring."""
        assert spec_of(plugin("x", description="")(make_class("Doc."))).description == ""

    def test_no_docstring(self) -> None:
        """A class without a docstring has an empty description."""
        assert spec_of(plugin("x")(make_class())).description == ""

    def test_plain_string_type(self) -> None:
        """Any non-empty string is a valid type."""
        assert spec_of(plugin("x", type="custom-kind")(make_class())).type == "custom-kind"

    def test_iterables_are_read_once(self) -> None:
        """Generators and sets are accepted and their items kept."""
        spec = spec_of(
            plugin(
                "x",
                capabilities=(c for c in ["a", "b"]),  # type: ignore[arg-type]
                requires=iter(["dep>=1"]),  # type: ignore[arg-type]
                provides=iter([Storage]),  # type: ignore[arg-type]
                profiles={"test"},  # type: ignore[arg-type]
            )(make_class())
        )
        assert spec.capabilities == ("a", "b")
        assert spec.requires == ("dep>=1",)
        assert spec.provides == (f"{__name__}.Storage",)
        assert spec.profiles == ("test",)

    def test_registers_nothing(self) -> None:
        """Decorating keeps no reference to the class anywhere: it can be collected."""
        import weakref

        cls = plugin("ephemeral")(make_class())
        ref = weakref.ref(cls)
        del cls
        gc.collect()
        assert ref() is None

    def test_decorated_module_state_untouched(self) -> None:
        """Decorating does not add attributes to mreg_di's modules."""
        modules = [m for name, m in sys.modules.items() if name.startswith("mreg_di")]
        before = [dict(vars(m)) for m in modules]
        plugin("quiet")(make_class())
        assert [dict(vars(m)) for m in modules] == before


def _decorate(**kwargs: Any) -> Callable[[], object]:
    return lambda: plugin(**kwargs)(make_class())


class TestPluginErrors:
    OWNER = "@plugin('x') on 'Target': "

    @pytest.mark.parametrize(
        ("kwargs", "error", "reason"),
        [
            (
                {"name": 5},
                TypeError,
                "plugin name must be a string, not int",
            ),
            (
                {"name": "a b"},
                ValueError,
                "plugin name 'a b' must contain only letters, digits, '.', '_' and '-', "
                "and start and end with a letter or digit",
            ),
            ({"version": 1}, TypeError, "version must be a string, not int"),
            (
                {"version": "two"},
                ValueError,
                "version 'two' is not a valid PEP 440 version (e.g. '1.0', '2.1.0rc1')",
            ),
            ({"type": ""}, TypeError, "type must be a non-empty string or PluginType, not ''"),
            ({"type": 3}, TypeError, "type must be a non-empty string or PluginType, not 3"),
            (
                {"scope": "request"},
                ValueError,
                "scope 'request' is not one of 'singleton', 'factory', 'thread'",
            ),
            ({"priority": True}, TypeError, "priority must be an int, not True"),
            (
                {"profiles": ["default"]},
                ValueError,
                "profile 'default' is reserved for running without a profile, where only "
                "plugins that list no profile are active: a plugin listing it is active "
                "nowhere\nHint: leave profiles empty to be active in every profile, the default "
                "one included, or list only named profiles such as 'production'",
            ),
            ({"priority": 1.5}, TypeError, "priority must be an int, not 1.5"),
            ({"description": 5}, TypeError, "description must be a string, not 5"),
            ({"capabilities": "x"}, TypeError, "capabilities must be a list of strings, not str"),
            ({"capabilities": 7}, TypeError, "capabilities must be a list of strings, not int"),
            (
                {"profiles": [""]},
                TypeError,
                "profiles must contain only non-empty strings, found ''",
            ),
            (
                {"permissions": [1]},
                TypeError,
                "permissions must contain only non-empty strings, found 1",
            ),
            ({"requires": "dep"}, TypeError, "requires must be a list of strings, not str"),
            ({"requires": [1]}, TypeError, "requires must contain only non-empty strings, found 1"),
            (
                {"requires": ["dep>>1"]},
                ValueError,
                "requirement 'dep>>1' must be a plugin name optionally followed by PEP 440 "
                "specifiers, e.g. 'memory-storage>=1.0,<2'",
            ),
            ({"provides": "acme.I"}, TypeError, "provides must be a list of classes, not 'acme.I'"),
            ({"provides": 5}, TypeError, "provides must be a list of classes, not 5"),
            (
                {"provides": [5]},
                TypeError,
                "`provides` entries must be classes or qualified names, not 5",
            ),
            ({"metadata": 5}, TypeError, "metadata must be a dict, not int"),
            ({"metadata": [("k", 1)]}, TypeError, "metadata must be a dict, not list"),
            ({"metadata": {1: "v"}}, TypeError, "metadata keys must be strings, found 1"),
            (
                {"metadata": {"k": object()}},
                TypeError,
                "metadata['k'] must hold only JSON values (str, int, float, bool, None, list, "
                "dict), found object",
            ),
            (
                {"metadata": {"k": [1, {"z": {1, 2}}]}},
                TypeError,
                "metadata['k'][1]['z'] must hold only JSON values (str, int, float, bool, None, "
                "list, dict), found set",
            ),
            (
                {"metadata": {"k": {2: 1}}},
                TypeError,
                "metadata['k'] keys must be strings, found 2",
            ),
            *(
                (
                    {"metadata": {"score": number}},
                    TypeError,
                    "metadata['score'] must hold finite numbers (JSON has no NaN or "
                    f"Infinity), found {number!r}",
                )
                for number in (float("nan"), float("inf"), -float("inf"))
            ),
        ],
    )
    def test_bad_argument(
        self, kwargs: dict[str, Any], error: type[Exception], reason: str
    ) -> None:
        """Each bad argument raises at decoration time, naming decorator, name and class."""
        kwargs.setdefault("name", "x")
        owner = f"@plugin({kwargs['name']!r}) on 'Target': "
        with pytest.raises(error, match=exact(owner + reason)):
            _decorate(**kwargs)()

    def test_variants_on_a_class(self) -> None:
        """Classes cannot declare variants (only factories can)."""
        from mreg_di._decorators import _build_spec

        with pytest.raises(
            TypeError, match=exact(self.OWNER + "variants are for @factory functions, not classes")
        ):
            _build_spec(
                make_class(), "class", "x", "0.0.0", "generic", (), (), (), "singleton",
                (), (), 0, None, None, ["fast"],
            )  # fmt: skip

    def test_function_rejected(self) -> None:
        """@plugin on a function points to @factory."""

        def build() -> None:
            pass

        with pytest.raises(
            TypeError,
            match=exact(
                "@plugin('x') on 'TestPluginErrors.test_function_rejected.<locals>.build': "
                "@plugin decorates classes; use @factory for functions"
            ),
        ):
            plugin("x")(build)  # type: ignore[type-var]

    def test_error_leaves_class_undecorated(self) -> None:
        """A failing decoration attaches no spec."""
        cls = make_class()
        with pytest.raises(ValueError, match="version"):
            plugin("x", version="bad")(cls)
        assert SPEC_ATTRIBUTE not in vars(cls)


class TestFactory:
    def test_returns_the_same_function(self) -> None:
        """The decorator returns the very function it was given."""

        def make() -> object:
            return object()

        assert factory("maker")(make) is make
        assert spec_of(make).kind == "factory"

    def test_static_methods_in_either_order(self) -> None:
        """Above or below @staticmethod, the spec is on the function `Cls.make` gives."""

        class Maker:
            @staticmethod
            @factory("below")
            def below(size: int = 1) -> object:
                return object()

            @factory("above")
            @staticmethod
            def above(size: int = 1) -> object:
                return object()

        assert isinstance(vars(Maker)["above"], staticmethod)  # returned unchanged
        assert (spec_of(Maker.below).name, spec_of(Maker.above).name) == ("below", "above")
        assert spec_of(Maker.above).description == ""

    def test_variants(self) -> None:
        """A factory taking `variant` declares its variants, in order."""

        @factory("processor-factory", provides=[Storage], variants=["fast", "batch"])
        def make(variant: str, storage: Storage) -> Storage:
            """Build a processor.

            Details."""
            return storage

        spec = spec_of(make)
        assert spec.variants == ("fast", "batch")
        assert spec.description == "Build a processor."
        assert spec.provides == (f"{__name__}.Storage",)

    def test_keyword_only_variant(self) -> None:
        """A keyword-only `variant` parameter counts as taking a variant."""

        @factory("kw", variants=["a"])
        def make(*, variant: str) -> None:
            pass

        assert spec_of(make).variants == ("a",)

    def test_callable_instance(self) -> None:
        """A callable object (not a class) can be a factory."""

        class Maker:
            def __call__(self) -> int:
                return 1

        maker = Maker()
        assert spec_of(factory("maker")(maker)).name == "maker"

    def test_variant_without_variants(self) -> None:
        """Taking `variant` without declaring variants is an error."""

        def make(variant: str) -> None:
            pass

        with pytest.raises(
            TypeError,
            match=exact(
                f"@factory('f') on {make.__qualname__!r}: the factory takes a `variant` "
                "parameter but declares no variants"
            ),
        ):
            factory("f")(make)

    def test_variants_without_variant(self) -> None:
        """Declaring variants without a `variant` parameter is an error."""

        def make() -> None:
            pass

        with pytest.raises(
            TypeError,
            match=exact(
                f"@factory('f') on {make.__qualname__!r}: the factory declares variants but "
                "takes no `variant` parameter"
            ),
        ):
            factory("f", variants=["a"])(make)

    @pytest.mark.parametrize(
        ("variants", "reason"),
        [
            ("fast", "variants must be a list of strings, not str"),
            ([""], "variants must contain only non-empty strings, found ''"),
            ([1], "variants must contain only non-empty strings, found 1"),
        ],
    )
    def test_bad_variants(self, variants: Any, reason: str) -> None:
        """Variants must be a list of non-empty strings."""

        def make(variant: str) -> None:
            pass

        with pytest.raises(
            TypeError, match=exact(f"@factory('f') on {make.__qualname__!r}: {reason}")
        ):
            factory("f", variants=variants)(make)

    def test_class_rejected(self) -> None:
        """@factory on a class points to @plugin."""
        with pytest.raises(
            TypeError,
            match=exact(
                "@factory('f') on 'Target': @factory decorates functions; use @plugin for classes"
            ),
        ):
            factory("f")(make_class())

    def test_non_callable_rejected(self) -> None:
        """@factory on something that is not callable is rejected."""
        with pytest.raises(
            TypeError,
            match=exact(
                "@factory('f') on 5: @factory decorates functions; use @plugin for classes"
            ),
        ):
            factory("f")(5)  # type: ignore[type-var]

    def test_shares_argument_checks(self) -> None:
        """Factories validate their other arguments like plugins do."""

        def make() -> None:
            pass

        with pytest.raises(
            ValueError,
            match=exact(
                f"@factory('f') on {make.__qualname__!r}: scope 'request' is not one of "
                "'singleton', 'factory', 'thread'"
            ),
        ):
            factory("f", scope="request")(make)  # type: ignore[arg-type]


class TestSpecOf:
    def test_undecorated_class(self) -> None:
        """An undecorated class raises TypeError naming it."""
        with pytest.raises(
            TypeError, match=exact("Target is not decorated with @plugin or @factory")
        ):
            spec_of(make_class())

    def test_undecorated_function_and_value(self) -> None:
        """Functions and plain values without a spec raise too."""
        with pytest.raises(TypeError, match=exact("len is not decorated with @plugin or @factory")):
            spec_of(len)
        with pytest.raises(TypeError, match=exact("5 is not decorated with @plugin or @factory")):
            spec_of(5)

    def test_subclass_does_not_inherit(self) -> None:
        """A subclass of a decorated class is not itself a plugin."""
        base = plugin("base")(make_class())
        child = type("Child", (base,), {})
        assert spec_of(base).name == "base"
        with pytest.raises(
            TypeError, match=exact("Child is not decorated with @plugin or @factory")
        ):
            spec_of(child)

    def test_decorated_subclass_has_its_own_spec(self) -> None:
        """Decorating a subclass gives it its own spec and leaves the base's alone."""
        base = plugin("base")(make_class())
        child = plugin("child")(type("Child", (base,), {}))
        assert (spec_of(base).name, spec_of(child).name) == ("base", "child")

    def test_forged_attribute_is_not_a_spec(self) -> None:
        """An attribute of the right name that is not a PluginSpec does not count."""
        cls = type("Forged", (), {SPEC_ATTRIBUTE: {"name": "x"}})
        with pytest.raises(
            TypeError, match=exact("Forged is not decorated with @plugin or @factory")
        ):
            spec_of(cls)

    def test_instance_of_decorated_class(self) -> None:
        """An instance of a plugin class is not the declaration."""
        cls = plugin("p")(make_class())
        with pytest.raises(TypeError, match="is not decorated with @plugin or @factory"):
            spec_of(cls())


class TestHelpers:
    @pytest.mark.parametrize(
        ("doc", "expected"),
        [
            (None, ""),
            ("", ""),
            ("One line.", "One line."),
            ("\n    Starts later\n    and wraps.\n\n    Second.", "Starts later and wraps."),
            ("Title\n\n\n\nBody", "Title"),
        ],
    )
    def test_first_paragraph(self, doc: str | None, expected: str) -> None:
        """The first paragraph is joined onto one line."""
        assert first_paragraph(doc) == expected

    def test_qualified_name(self) -> None:
        """Classes give module.qualname; strings pass through; other values are rejected."""
        assert qualified_name(Storage) == f"{__name__}.Storage"
        assert qualified_name("acme.I") == "acme.I"
        with pytest.raises(
            TypeError, match=exact("`provides` entries must be classes or qualified names, not 5")
        ):
            qualified_name(5)
