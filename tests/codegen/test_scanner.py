"""The per-file scanner: which declarations it finds and what it reads from them.

Diagnostics are tested with their exact text in test_scanner_diagnostics.py; the no-import
proofs and robustness on real and hostile input in test_scanner_safety.py.
"""

from __future__ import annotations

import hashlib
import inspect
import pickle
from pathlib import Path

import pytest

from mreg_codegen._declarations import FACTORY_KEYWORDS, PLUGIN_KEYWORDS
from mreg_codegen._scanner import FileScan, may_declare, scan_file, scan_source
from mreg_di import Manifest, PluginType
from mreg_di._decorators import factory, plugin
from mreg_di._spec import ParameterSpec, PluginRecord, PluginSpec


def only(scan: FileScan) -> PluginRecord:
    """The single record of a scan that must have no diagnostics."""
    assert scan.diagnostics == ()
    assert len(scan.records) == 1
    return scan.records[0]


class TestMayDeclare:
    def test_file_importing_mreg_di_may_declare(self) -> None:
        """A file that mentions mreg_di passes the pre-filter."""
        assert may_declare(b"import mreg_di as m\n")

    def test_file_without_mreg_di_cannot_declare(self) -> None:
        """A file that never mentions mreg_di is skipped by the pre-filter."""
        assert not may_declare(b"from plugins import plugin\n@plugin('x')\nclass X: ...\n")


class TestDecoratorMatching:
    @pytest.mark.parametrize(
        ("imports", "decorator"),
        [
            ("from mreg_di import plugin", "plugin"),
            ("from mreg_di import plugin as register", "register"),
            ("import mreg_di as m", "m.plugin"),
            ("import mreg_di", "mreg_di.plugin"),
            ("from mreg_di._decorators import plugin", "plugin"),
            ("import mreg_di._decorators", "mreg_di._decorators.plugin"),
            ("from mreg_di import _decorators as d", "d.plugin"),
            ("if True:\n    from mreg_di import plugin", "plugin"),
            ("try:\n    from mreg_di import plugin\nexcept ImportError:\n    pass", "plugin"),
        ],
    )
    def test_import_forms_match(self, scan, imports: str, decorator: str) -> None:
        """Every way of importing mreg-di's ``plugin`` is recognised by qualified name."""
        source = f"{imports}\n@{decorator}('gzip')\nclass Gzip: ...\n"
        assert only(scan(source)).spec.name == "gzip"

    def test_relative_import_inside_mreg_di_matches(self, scan) -> None:
        """A module of the mreg_di package importing the decorator relatively is matched."""
        result = scan(
            """
            from ._decorators import factory
            @factory("made")
            def make() -> object: ...
            """,
            module="mreg_di.examples",
        )
        assert only(result).spec.kind == "factory"

    def test_decorator_named_plugin_from_elsewhere_is_ignored(self, scan) -> None:
        """A ``plugin`` decorator imported from another module is not ours."""
        result = scan(
            """
            import mreg_di
            from pluggy import plugin
            @plugin("gzip")
            class Gzip: ...
            """
        )
        assert result.records == ()
        assert result.diagnostics == ()

    def test_local_function_named_plugin_is_ignored(self, scan) -> None:
        """A ``plugin`` function defined in the module itself is not ours."""
        result = scan(
            """
            import mreg_di
            def plugin(name): return lambda cls: cls
            @plugin("gzip")
            class Gzip: ...
            """
        )
        assert result.records == ()
        assert result.diagnostics == ()

    def test_unimported_plugin_is_ignored(self, scan) -> None:
        """A bare ``plugin`` name bound nowhere is not ours (names never match by spelling)."""
        result = scan("import mreg_di\n@plugin('gzip')\nclass Gzip: ...\n")
        assert result.records == ()
        assert result.diagnostics == ()

    def test_text_in_strings_and_comments_is_not_a_declaration(self, scan) -> None:
        """Declarations written inside strings or comments are not declarations."""
        result = scan(
            '''
            """Usage:

            @plugin("gzip")
            class Gzip: ...
            """
            import mreg_di
            # @mreg_di.plugin("commented")
            # class Commented: ...
            EXAMPLE = "@mreg_di.plugin('in-a-string')\\nclass S: ..."
            '''
        )
        assert result.records == ()
        assert result.diagnostics == ()

    def test_several_declarations_in_source_order(self, scan) -> None:
        """Every declaration of the file is found, in source order."""
        result = scan(
            """
            from mreg_di import factory, plugin
            @plugin("b")
            class B: ...
            @factory("a")
            def make_a() -> B: ...
            @plugin("c")
            class C: ...
            """
        )
        assert [r.name for r in result.records] == ["b", "a", "c"]

    def test_other_decorators_around_ours_are_fine(self, scan) -> None:
        """Other decorators on the same class do not hide ours."""
        result = scan(
            """
            import functools, mreg_di
            @functools.total_ordering
            @mreg_di.plugin("gzip")
            @some.other.decorator(1)
            class Gzip: ...
            """
        )
        assert only(result).name == "gzip"


class TestLiterals:
    def test_every_literal_argument(self, scan) -> None:
        """Strings, numbers, signs, bools, None and containers are read as Python would."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                @plugin(
                    name="gzip-" "compressor",
                    version='2.1.0',
                    type="compressor",
                    capabilities=("compression", "decompression"),
                    requires=["memory-storage>=1.0,<2"],
                    scope="factory",
                    profiles=["production"],
                    permissions=["fs.read", "fs.write"],
                    priority=-3,
                    metadata={"level": 6, "ratio": 1.5e0, "flags": (True, False, None),
                              "nested": {"k": [r"raw\\d", "s"]}},
                    description="Explicit.",
                )
                class Gzip:
                    '''Ignored: the description is explicit.'''
                """
            )
        )
        assert record.spec == PluginSpec(
            "gzip-compressor",
            version="2.1.0",
            type="compressor",
            capabilities=["compression", "decompression"],
            requires=["memory-storage>=1.0,<2"],
            scope="factory",
            profiles=["production"],
            permissions=["fs.read", "fs.write"],
            priority=-3,
            metadata={
                "level": 6,
                "ratio": 1.5,
                "flags": [True, False, None],
                "nested": {"k": ["raw\\d", "s"]},
            },
            description="Explicit.",
        )

    def test_escapes_and_prefixes_are_evaluated(self, scan) -> None:
        """String escapes, prefixes and triple quotes give the value Python gives."""
        record = only(
            scan(
                r'''
                from mreg_di import plugin
                @plugin("tab", metadata={"a": "x\ty", "b": r"x\ty", "c": u"é", "d": """l1
                l2""", "e": "\N{BULLET}"})
                class Tab: ...
                '''
            )
        )
        assert record.spec.metadata == {
            "a": "x\ty",
            "b": "x\\ty",
            "c": "é",
            "d": "l1\nl2",
            "e": "•",
        }

    def test_set_literals_are_sorted(self, scan) -> None:
        """A set literal has no order, so its strings are sorted for a deterministic manifest."""
        record = only(
            scan(
                "from mreg_di import plugin\n"
                '@plugin("s", capabilities={"b", "c", "a"})\n'
                "class S: ...\n"
            )
        )
        assert record.spec.capabilities == ("a", "b", "c")

    @pytest.mark.parametrize(
        ("imports", "expression"),
        [
            ("from mreg_di import PluginType", "PluginType.STORAGE"),
            ("from mreg_di import PluginType as PT", "PT.STORAGE"),
            ("import mreg_di", "mreg_di.PluginType.STORAGE"),
            ("import mreg_di._spec as spec", "spec.PluginType.STORAGE"),
        ],
    )
    def test_plugin_type_member_is_read_as_its_value(
        self, scan, imports: str, expression: str
    ) -> None:
        """``PluginType.X`` is resolved by qualified name to the member's string value."""
        declaration = f"@plugin('s', type={expression})\nclass S: ...\n"
        source = f"{imports}\nfrom mreg_di import plugin\n{declaration}"
        assert only(scan(source)).spec.type == PluginType.STORAGE.value == "storage"

    def test_defaults_match_the_decorator(self, scan) -> None:
        """A declaration with only a name gets the decorator's defaults."""
        record = only(scan("from mreg_di import plugin\n@plugin('bare')\nclass Bare: ...\n"))

        @plugin("bare")
        class Bare:
            pass

        assert record.spec == Bare.__mreg_plugin__  # type: ignore[attr-defined]

    def test_keywords_match_the_decorators_signatures(self) -> None:
        """The keywords the scanner accepts are exactly the decorators' parameters."""
        assert tuple(inspect.signature(plugin).parameters) == PLUGIN_KEYWORDS
        assert tuple(inspect.signature(factory).parameters) == FACTORY_KEYWORDS


class TestDescription:
    def test_first_paragraph_of_the_docstring(self, scan) -> None:
        """The description defaults to the docstring's first paragraph, on one line."""
        record = only(
            scan(
                '''
                from mreg_di import plugin
                @plugin("gz")
                class Gz:
                    """Compress with
                    gzip, quickly.

                    Details nobody reads.
                    """
                '''
            )
        )
        assert record.spec.description == "Compress with gzip, quickly."

    def test_concatenated_docstring_of_a_factory(self, scan) -> None:
        """A factory's docstring, even implicitly concatenated, gives its description."""
        record = only(
            scan(
                """
                from mreg_di import factory
                @factory("f")
                def make(): "Build " 'it.'
                """
            )
        )
        assert record.spec.description == "Build it."

    def test_no_docstring_gives_empty_description(self, scan) -> None:
        """Without a docstring (a string that is not the first statement) it is empty."""
        source = "from mreg_di import plugin\n@plugin('x')\nclass X:\n    a = 1\n    'not a doc'\n"
        assert only(scan(source)).spec.description == ""


class TestProvides:
    def test_provides_resolves_through_imports(self, scan) -> None:
        """``provides`` entries become fully qualified names, sorted and unique."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                from .interfaces import Compressor
                import acme.other as other
                import acme.deep.module
                class Local: ...
                @plugin("gz", provides=[Compressor, other.Sink, acme.deep.module.Thing, Local,
                                        "given.as.Text", Compressor])
                class Gz: ...
                """
            )
        )
        assert record.spec.provides == (
            "acme.deep.module.Thing",
            "acme.gz.Local",
            "acme.interfaces.Compressor",
            "acme.other.Sink",
            "given.as.Text",
        )

    @pytest.mark.parametrize(
        ("module", "is_package", "imports", "expected"),
        [
            ("acme.gz", False, "from .interfaces import Compressor", "acme.interfaces.Compressor"),
            (
                "acme.sub.gz",
                False,
                "from ..interfaces import Compressor",
                "acme.interfaces.Compressor",
            ),
            ("acme", True, "from .interfaces import Compressor", "acme.interfaces.Compressor"),
            ("acme.sub", True, "from ..interfaces import Compressor", "acme.interfaces.Compressor"),
            ("acme.gz", False, "from . import interfaces as i", "acme.interfaces.Compressor"),
            (
                "acme.gz",
                False,
                "from .interfaces import Compressor as C",
                "acme.interfaces.Compressor",
            ),
        ],
    )
    def test_relative_imports(
        self, scan, module: str, is_package: bool, imports: str, expected: str
    ) -> None:
        """Relative imports resolve from the module's package (the package itself for __init__)."""
        entry = (
            "i.Compressor" if "as i" in imports else ("C" if "as C" in imports else "Compressor")
        )
        source = (
            f"from mreg_di import plugin\n{imports}\n"
            f"@plugin('gz', provides=[{entry}])\nclass Gz: ...\n"
        )
        record = only(scan(source, module=module, is_package=is_package))
        assert record.spec.provides == (expected,)

    def test_aliases_are_followed(self, scan) -> None:
        """An aliased decorator declares; aliased annotations and bases name the real classes."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                from acme.interfaces import Sink, Storage
                register = plugin
                Store = Storage
                Output = Sink
                @register("gz")
                class Gz(Output):
                    def __init__(self, store: Store) -> None: ...
                """
            )
        )
        assert record.spec.provides == ("acme.interfaces.Sink",)
        assert [(p.name, p.interface) for p in record.parameters] == [
            ("store", "acme.interfaces.Storage")
        ]

    def test_base_classes_are_provided(self, scan) -> None:
        """Statically visible bases count, transitively through this file's classes."""
        record = only(
            scan(
                """
                import abc, typing
                from typing import Generic, Protocol, TypeVar
                from mreg_di import plugin
                from acme.interfaces import Compressor, Sink
                T = TypeVar("T")
                class Base(Sink, Generic[T]): ...
                @plugin("gz")
                class Gz(Base[int], Compressor, abc.ABC, typing.Protocol, object,
                         metaclass=abc.ABCMeta): ...
                """
            )
        )
        assert record.spec.provides == (
            "acme.gz.Base",
            "acme.interfaces.Compressor",
            "acme.interfaces.Sink",
        )

    def test_factory_return_annotation_is_provided(self, scan) -> None:
        """A factory provides its resolved return annotation (unwrapping Optional)."""
        record = only(
            scan(
                """
                from typing import Optional
                from mreg_di import factory
                from acme.interfaces import Processor
                @factory("p", provides=["acme.interfaces.Other"])
                def make() -> "Optional[Processor]": ...
                """
            )
        )
        assert record.spec.provides == ("acme.interfaces.Other", "acme.interfaces.Processor")

    def test_value_return_annotation_is_not_provided(self, scan) -> None:
        """A factory returning a standard-library type provides nothing from it."""
        source = "from mreg_di import factory\n@factory('p')\ndef make() -> dict[str, int]: ...\n"
        assert only(scan(source)).spec.provides == ()


PARAMETER_CASES = [
    # annotation source, annotation, interface, many, optional
    ("Storage", "acme.interfaces.Storage", "acme.interfaces.Storage", False, False),
    ("'Storage'", "acme.interfaces.Storage", "acme.interfaces.Storage", False, False),
    ("ifaces.Sink", "acme.interfaces.Sink", "acme.interfaces.Sink", False, False),
    ("list[Storage]", "list[acme.interfaces.Storage]", "acme.interfaces.Storage", True, False),
    (
        "List[Storage]",
        "typing.List[acme.interfaces.Storage]",
        "acme.interfaces.Storage",
        True,
        False,
    ),
    (
        "Sequence[Storage]",
        "collections.abc.Sequence[acme.interfaces.Storage]",
        "acme.interfaces.Storage",
        True,
        False,
    ),
    (
        "t.Iterable[Storage]",
        "typing.Iterable[acme.interfaces.Storage]",
        "acme.interfaces.Storage",
        True,
        False,
    ),
    (
        "tuple[Storage, ...]",
        "tuple[acme.interfaces.Storage, ...]",
        "acme.interfaces.Storage",
        True,
        False,
    ),
    ("Storage | None", "acme.interfaces.Storage | None", "acme.interfaces.Storage", False, True),
    ("None | Storage", "None | acme.interfaces.Storage", "acme.interfaces.Storage", False, True),
    (
        "Optional[Storage]",
        "typing.Optional[acme.interfaces.Storage]",
        "acme.interfaces.Storage",
        False,
        True,
    ),
    (
        "Union[Storage, None]",
        "typing.Union[acme.interfaces.Storage, None]",
        "acme.interfaces.Storage",
        False,
        True,
    ),
    (
        "'Optional[list[Storage]]'",
        "typing.Optional[list[acme.interfaces.Storage]]",
        "acme.interfaces.Storage",
        True,
        True,
    ),
    (
        "list['Storage'] | None",
        "list[acme.interfaces.Storage] | None",
        "acme.interfaces.Storage",
        True,
        True,
    ),
    (
        "Annotated[Storage, 'meta', f(x)]",
        "acme.interfaces.Storage",
        "acme.interfaces.Storage",
        False,
        False,
    ),
    (
        "te.Annotated[Storage | None, 1]",
        "acme.interfaces.Storage | None",
        "acme.interfaces.Storage",
        False,
        True,
    ),
    (
        "Repository[User]",
        "acme.interfaces.Repository[acme.interfaces.User]",
        "acme.interfaces.Repository",
        False,
        False,
    ),
    ("Local", "acme.gz.Local", "acme.gz.Local", False, False),
    ("Local.Nested", "acme.gz.Local.Nested", "acme.gz.Local.Nested", False, False),
    ("int", "int", None, False, False),
    ("str | None", "str | None", None, False, True),
    ("pathlib.Path", "pathlib.Path", None, False, False),
    ("dict[str, Storage]", "dict[str, acme.interfaces.Storage]", None, False, False),
    ("list[int]", "list[int]", None, False, False),
    (
        "tuple[Storage, Sink]",
        "tuple[acme.interfaces.Storage, acme.interfaces.Sink]",
        None,
        False,
        False,
    ),
    ("Literal['a', 'b']", "typing.Literal['a', 'b']", None, False, False),
    (
        "Callable[[Storage], int]",
        "collections.abc.Callable[[acme.interfaces.Storage], int]",
        None,
        False,
        False,
    ),
    ("t.Any", "typing.Any", None, False, False),
    ("None", "None", None, False, False),
]


class TestParameters:
    @pytest.mark.parametrize(
        ("written", "annotation", "interface", "many", "optional"), PARAMETER_CASES
    )
    def test_annotation_forms(
        self,
        scan,
        written: str,
        annotation: str,
        interface: str | None,
        many: bool,
        optional: bool,
    ) -> None:
        """Each typing form gives its resolved annotation and injection shape."""
        source = f"""
            import pathlib
            import typing as t
            import typing_extensions as te
            from collections.abc import Callable, Sequence
            from typing import Annotated, List, Literal, Optional, Union
            from mreg_di import plugin
            import acme.interfaces as ifaces
            from acme.interfaces import Repository, Sink, Storage, User
            class Local:
                class Nested: ...
            @plugin("gz")
            class Gz:
                def __init__(self, value: {written}) -> None: ...
            """
        (parameter,) = only(scan(source)).parameters
        assert parameter == ParameterSpec(
            "value", annotation, interface, many, optional, has_default=False, line=14
        )

    def test_defaults_make_parameters_optional(self, scan) -> None:
        """A parameter with a default is optional and has_default, injected or not."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                from acme.interfaces import Storage
                @plugin("gz")
                class Gz:
                    def __init__(self, storage: Storage = None, level: int = 6, raw=None): ...
                """
            )
        )
        assert [(p.name, p.interface, p.optional, p.has_default) for p in record.parameters] == [
            ("storage", "acme.interfaces.Storage", True, True),
            ("level", None, True, True),
            ("raw", None, True, True),
        ]

    def test_kinds_of_parameters_in_order(self, scan) -> None:
        """Ordinary and keyword-only parameters come in order, without a positional-only self."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                @plugin("gz")
                class Gz:
                    def __init__(me, /, b: str, *, c: bytes, d=1) -> None: ...
                """
            )
        )
        assert [p.name for p in record.parameters] == ["b", "c", "d"]
        assert [p.line for p in record.parameters] == [5, 5, 5]

    def test_factory_parameters_include_variant(self, scan) -> None:
        """A factory's parameters are its own, the ``variant`` selector included."""
        record = only(
            scan(
                """
                from mreg_di import factory
                from acme.interfaces import Storage
                @factory("p", variants=["fast", "small"])
                def make(
                    variant: str,
                    storage: Storage,
                ) -> object: ...
                """
            )
        )
        assert record.spec.variants == ("fast", "small")
        assert [(p.name, p.annotation, p.interface, p.line) for p in record.parameters] == [
            ("variant", "str", None, 6),
            ("storage", "acme.interfaces.Storage", "acme.interfaces.Storage", 7),
        ]

    def test_init_inherited_from_a_base_in_the_file(self, scan) -> None:
        """Without its own __init__, a class uses the first one among its bases in the file."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                from acme.interfaces import Storage
                class Root:
                    def __init__(self, root: int) -> None: ...
                class Middle(Root): ...
                class Other:
                    def __init__(self, storage: Storage) -> None: ...
                @plugin("gz")
                class Gz(Middle, Other): ...
                """
            )
        )
        assert [p.name for p in record.parameters] == ["root"]

    def test_dataclass_fields_are_the_parameters(self, scan) -> None:
        """A @dataclass's generated __init__: its fields and its dataclass bases', in order."""
        record = only(
            scan(
                """
                import dataclasses
                from dataclasses import InitVar, KW_ONLY, dataclass, field
                from typing import ClassVar
                from mreg_di import plugin
                from acme.interfaces import Sink, Storage
                @dataclass
                class Base:
                    sink: Sink
                    level: int = 1
                @plugin("gz")
                @dataclasses.dataclass(frozen=True)
                class Gz(Base):
                    storage: Storage
                    level: int = 6
                    cache: dict = field(default_factory=dict)
                    hidden: int = field(init=False, default=0)
                    count: ClassVar[int] = 0
                    _: KW_ONLY
                    seed: InitVar[int] = 1
                    backup: Storage | None = field(default=None)
                """
            )
        )
        assert [(p.name, p.interface, p.has_default, p.line) for p in record.parameters] == [
            ("sink", "acme.interfaces.Sink", False, 9),
            ("level", None, True, 15),  # redefined: the base's place, the subclass's line
            ("storage", "acme.interfaces.Storage", False, 14),
            ("cache", None, True, 16),
            ("seed", None, True, 20),
            ("backup", "acme.interfaces.Storage", True, 21),
        ]
        assert record.parameters[4].annotation == "int"

    def test_an_explicit_init_wins_over_the_dataclass(self, scan) -> None:
        """A dataclass that writes __init__, or says init=False, is read like any class."""
        result = scan(
            """
            from dataclasses import dataclass
            from mreg_di import plugin
            @plugin("a")
            @dataclass
            class A:
                x: int
                def __init__(self, y: int) -> None: ...
            class Root:
                def __init__(self, z: int) -> None: ...
            @plugin("b")
            @dataclass(init=False)
            class B(Root):
                x: int
            """
        )
        assert [[p.name for p in r.parameters] for r in result.records] == [["y"], ["z"]]

    def test_no_init_means_no_parameters(self, scan) -> None:
        """A class whose constructor is not visible in the file takes no parameters."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                from acme.base import Base
                @plugin("gz")
                class Gz(Base):
                    def compress(self, data: bytes) -> bytes: ...
                """
            )
        )
        assert record.parameters == ()

    def test_last_init_in_the_body_wins(self, scan) -> None:
        """When a class body defines __init__ twice, the later one is the constructor."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                @plugin("gz")
                class Gz:
                    def __init__(self, first: int) -> None: ...
                    def __init__(self, second: int) -> None: ...
                """
            )
        )
        assert [p.name for p in record.parameters] == ["second"]

    def test_class_level_names_resolve_in_method_annotations(self, scan) -> None:
        """Annotations of __init__ see names bound in the class body, as Python does."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                @plugin("gz")
                class Gz:
                    from acme.interfaces import Storage
                    def __init__(self, storage: Storage) -> None: ...
                """
            )
        )
        assert record.parameters[0].interface == "acme.interfaces.Storage"

    def test_type_checking_imports_resolve(self, scan) -> None:
        """Imports under ``if TYPE_CHECKING:`` resolve string annotations."""
        record = only(
            scan(
                """
                from __future__ import annotations
                from typing import TYPE_CHECKING
                from mreg_di import plugin
                if TYPE_CHECKING:
                    from acme.interfaces import Storage
                @plugin("gz")
                class Gz:
                    def __init__(self, storage: Storage) -> None: ...
                """
            )
        )
        assert record.parameters[0].interface == "acme.interfaces.Storage"

    def test_fallback_import_is_used_last(self, scan) -> None:
        """An import in an ``except ImportError`` clause is only the fallback."""
        record = only(
            scan(
                """
                from mreg_di import plugin
                try:
                    from acme.fast import Codec
                except ImportError:
                    from acme.slow import Codec
                @plugin("gz")
                class Gz:
                    def __init__(self, codec: Codec) -> None: ...
                """
            )
        )
        assert record.parameters[0].interface == "acme.fast.Codec"


class TestRecords:
    def test_static_method_factory(self, scan) -> None:
        """A @staticmethod factory in a class is a plugin by qualname, without a `self`."""
        result = scan(
            """
            from mreg_di import factory
            class Maker:
                @staticmethod
                @factory("thing")
                def make(size: int = 1) -> object: ...
            """
        )
        record = only(result)
        assert (record.qualname, record.spec.kind) == ("Maker.make", "factory")
        assert [p.name for p in record.parameters] == ["size"]

    def test_record_fields(self, scan) -> None:
        """A record carries module, qualname, file, line of ``class`` and column of ``@``."""
        result = scan(
            """
            import mreg_di
            class Outer:
                # a comment between
                @mreg_di.plugin("inner")

                class Inner: ...
            """,
            module="acme.gz",
            path="/abs/src/acme/gz.py",
            rel_file="src/acme/gz.py",
        )
        record = only(result)
        assert (record.module, record.qualname, record.file, record.line, record.column) == (
            "acme.gz",
            "Outer.Inner",
            "src/acme/gz.py",
            7,
            5,
        )
        assert record.spec.kind == "class"
        assert (result.path, result.rel_file, result.module) == (
            "/abs/src/acme/gz.py",
            "src/acme/gz.py",
            "acme.gz",
        )

    def test_column_of_the_at_sign_with_space_after_it(self, scan) -> None:
        """The column is the ``@``'s even with whitespace between it and the name."""
        record = only(
            scan("import mreg_di\nif True:\n    @  mreg_di.plugin('x')\n    class X: ...\n")
        )
        assert (record.line, record.column) == (4, 5)

    def test_sha256_of_the_bytes(self, scan) -> None:
        """The scan carries the sha256 of the exact bytes scanned."""
        data = b"import mreg_di\r\n"
        assert scan(data).sha256 == hashlib.sha256(data).hexdigest()

    def test_positions_with_bom_crlf_and_tabs(self, scan) -> None:
        """Lines and columns are counted as Python counts them, after a BOM, with CRLF and tabs."""
        data = (
            b"\xef\xbb\xbfimport mreg_di\r\nif 1:\r\n\t@mreg_di.plugin('x')\r\n"
            b"\tclass X:\r\n\t\tdef __init__(self, a: int): ...\r\n"
        )
        record = only(scan(data))
        assert (record.line, record.column, record.parameters[0].line) == (4, 2, 5)

    def test_encoding_declaration_is_honoured(self, scan) -> None:
        """A PEP 263 coding line decodes the file before parsing."""
        text = (
            "# -*- coding: latin-1 -*-\nimport mreg_di\n"
            "@mreg_di.plugin('x', description='café')\nclass X: ...\n"
        )
        data = text.encode("latin-1")
        assert only(scan(data)).spec.description == "café"

    def test_records_round_trip_through_a_manifest(self, scan) -> None:
        """Scanned records are valid manifest records."""
        result = scan(
            """
            from mreg_di import factory, plugin
            from acme.interfaces import Storage
            @plugin("gz", version="1.0", requires=["store>=1"], metadata={"a": (1, 2)})
            class Gz:
                def __init__(self, storage: Storage, level: int = 6) -> None: ...
            @factory("f", variants=["x"])
            def make(variant: str) -> Gz: ...
            """
        )
        manifest = Manifest.build(
            result.records,
            files={result.rel_file: result.sha256},
            order={"default": ["f", "gz"]},
            generator="test",
        )
        assert manifest.records() == sorted(result.records, key=lambda r: r.name)

    def test_scan_is_picklable(self, scan) -> None:
        """A scan with records and diagnostics survives pickling (it crosses processes)."""
        result = scan(
            """
            from mreg_di import plugin
            @plugin("gz", metadata={"a": [1]})
            class Gz:
                def __init__(self, x: Missing) -> None: ...
            @plugin("ok")
            class Ok: ...
            """
        )
        assert result.records
        assert result.diagnostics
        assert pickle.loads(pickle.dumps(result)) == result

    def test_scan_is_deterministic(self, scan) -> None:
        """Scanning the same bytes twice gives equal results."""
        source = "from mreg_di import plugin\n@plugin('x', capabilities={'b', 'a'})\nclass X: ...\n"
        assert scan(source) == scan(source)


class TestScanFile:
    def test_reads_and_scans(self, tmp_path: Path) -> None:
        """scan_file reads the bytes and treats __init__.py as a package."""
        package = tmp_path / "acme"
        package.mkdir()
        (package / "__init__.py").write_text(
            "from mreg_di import plugin\nfrom .interfaces import Sink\n"
            "@plugin('x', provides=[Sink])\nclass X: ...\n"
        )
        result = scan_file(
            package / "__init__.py",
            module="acme",
            path="acme/__init__.py",
            rel_file="acme/__init__.py",
        )
        assert only(result).spec.provides == ("acme.interfaces.Sink",)

    def test_unreadable_file_is_a_diagnostic(self, tmp_path: Path) -> None:
        """A file that cannot be read gives a diagnostic, never an exception."""
        result = scan_file(tmp_path / "missing.py", module="m", path="m.py", rel_file="m.py")
        assert result.records == ()
        assert result.sha256 == ""
        assert [d.render() for d in result.diagnostics] == [
            "m.py: error: cannot read the file: No such file or directory [unreadable-file]\n"
            "Hint: fix its permissions or leave it out with --exclude"
        ]

    def test_scan_source_defaults(self) -> None:
        """scan_source treats a module as a plain module unless told it is a package."""
        result = scan_source(
            b"from mreg_di import plugin\nfrom . import x\n"
            b"@plugin('p', provides=[x.Y])\nclass P: ...\n",
            module="acme.gz",
            path="p",
            rel_file="p",
        )
        assert only(result).spec.provides == ("acme.x.Y",)
