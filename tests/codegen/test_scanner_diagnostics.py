"""Every diagnostic the scanner emits, with its exact rendered text.

docs/diagnostics.md shows the same samples; test_scanner_docs.py keeps it in step. Expected
output is written as it is printed, long lines included, so that it reads like the terminal.
"""
# ruff: noqa: E501

from __future__ import annotations

from textwrap import dedent

import libcst
import pytest

from mreg_codegen._diagnostics import render_all
from mreg_codegen._nesting import MAX_BRACKET_DEPTH

# One snippet per code, scanned as module acme.gz in acme/gz.py, and what it prints.
CASES: dict[str, tuple[str | bytes, str]] = {
    "syntax-error": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip")
            class Gzip
                pass
            """
        ),
        (
            "acme/gz.py:5:5: error: invalid syntax: expected one of (, :, [ "
            "[syntax-error]\n"
            "        pass\n"
            "        ^\n"
            "Hint: mreg-codegen reads every file that mentions mreg_di: it must be "
            "valid Python 3"
        ),
    ),
    "undecodable-source": (
        b'from mreg_di import plugin\n\n@plugin("caf\xe9")\nclass Cafe: ...\n',
        (
            "acme/gz.py:3:13: error: the file is not valid utf-8: byte 0xe9 at "
            "offset 40 (invalid continuation byte) [undecodable-source]\n"
            '    @plugin("caf�")\n'
            "                ^\n"
            "Hint: save the file as UTF-8, or declare its encoding in a comment on "
            "its first or second line, e.g. `# -*- coding: latin-1 -*-`"
        ),
    ),
    "missing-name": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin(version="1.0")
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:2: error: @plugin on `Gzip` declares no plugin name "
            "[missing-name]\n"
            '    @plugin(version="1.0")\n'
            "     ^\n"
            'Hint: give it first: @plugin("my-plugin", ...)'
        ),
    ),
    "bad-name": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip compressor")
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:9: error: @plugin on `Gzip`: plugin name 'gzip "
            "compressor' must contain only letters, digits, '.', '_' and '-', and "
            "start and end with a letter or digit [bad-name]\n"
            '    @plugin("gzip compressor")\n'
            "            ^\n"
            "Hint: use letters, digits, '.', '_' and '-', e.g. \"gzip-compressor\""
        ),
    ),
    "bad-version": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip", version="2.1 beta")
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:25: error: @plugin('gzip') on `Gzip`: version '2.1 beta' "
            "is not a valid PEP 440 version (e.g. '1.0', '2.1.0rc1') [bad-version]\n"
            '    @plugin("gzip", version="2.1 beta")\n'
            "                            ^\n"
            "Hint: versions are compared as PEP 440 says: https://peps.python.org/pep-0440/"
        ),
    ),
    "bad-requirement": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip", requires=["memory-storage=>1.0"])
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:27: error: @plugin('gzip') on `Gzip`: requirement "
            "'memory-storage=>1.0' must be a plugin name optionally followed by "
            "PEP 440 specifiers, e.g. 'memory-storage>=1.0,<2' [bad-requirement]\n"
            '    @plugin("gzip", requires=["memory-storage=>1.0"])\n'
            "                              ^\n"
            "Hint: separate clauses with commas; the operators are ==, !=, <=, >=, "
            "<, >, ~= and ==="
        ),
    ),
    "bad-scope": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip", scope="singelton")
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:23: error: @plugin('gzip') on `Gzip`: scope 'singelton' "
            "is not one of 'singleton', 'factory', 'thread' [bad-scope]\n"
            '    @plugin("gzip", scope="singelton")\n'
            "                          ^\n"
            'Hint: did you mean "singleton"?'
        ),
    ),
    "reserved-profile": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip", profiles=["test", "default"])
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:35: error: @plugin('gzip') on `Gzip`: profile 'default' is "
            "reserved for running without a profile, where only plugins that list no profile "
            "are active: a plugin listing it is active nowhere [reserved-profile]\n"
            '    @plugin("gzip", profiles=["test", "default"])\n'
            "                                      ^\n"
            "Hint: leave profiles empty to be active in every profile, the default one "
            "included, or list only named profiles such as 'production'"
        ),
    ),
    "bad-type": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip", capabilities="compression")
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:30: error: @plugin('gzip') on `Gzip`: capabilities must "
            "be a list of strings, not str [bad-type]\n"
            '    @plugin("gzip", capabilities="compression")\n'
            "                                 ^\n"
            'Hint: write a list of strings, e.g. capabilities=["compression"]'
        ),
    ),
    "bad-call": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip", "2.1.0")
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:17: error: @plugin('gzip') on `Gzip`: only the plugin "
            'name may be given positionally, not `"2.1.0"` [bad-call]\n'
            '    @plugin("gzip", "2.1.0")\n'
            "                    ^\n"
            'Hint: pass the other arguments by keyword, e.g. @plugin("my-plugin", '
            'version="1.0")'
        ),
    ),
    "non-literal-argument": (
        dedent(
            """\
            from mreg_di import plugin

            VERSION = "2.1.0"

            @plugin("gzip", version=VERSION)
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:5:25: error: @plugin('gzip') on `Gzip`: `version` must be "
            "a literal, not the name `VERSION` [non-literal-argument]\n"
            '    @plugin("gzip", version=VERSION)\n'
            "                            ^\n"
            "Hint: replace `VERSION` with its value: mreg-codegen reads "
            "declarations without importing the module"
        ),
    ),
    "unknown-keyword": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip", verison="2.1.0")
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:17: error: @plugin('gzip') on `Gzip`: unknown keyword "
            "argument `verison` [unknown-keyword]\n"
            '    @plugin("gzip", verison="2.1.0")\n'
            "                    ^\n"
            "Hint: did you mean `version`?"
        ),
    ),
    "not-class-or-function": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip")
            def make_gzip(): ...
            """
        ),
        (
            "acme/gz.py:3:2: error: @plugin decorates classes, but `make_gzip` is "
            "a function [not-class-or-function]\n"
            '    @plugin("gzip")\n'
            "     ^\n"
            "Hint: use @factory for a function that builds the plugin"
        ),
    ),
    "not-importable": (
        dedent(
            """\
            from mreg_di import plugin

            def build():
                @plugin("gzip")
                class Gzip: ...
                return Gzip
            """
        ),
        (
            "acme/gz.py:4:6: error: @plugin('gzip') on `build.<locals>.Gzip` is "
            "defined inside a function, so the registry cannot import it [not-importable]\n"
            '        @plugin("gzip")\n'
            "         ^\n"
            "Hint: move `Gzip` to module level, or into a class at module level"
        ),
    ),
    "factory-method": (
        dedent(
            """\
            from mreg_di import factory

            class Maker:
                @factory("thing")
                def make(self) -> object: ...
            """
        ),
        (
            "acme/gz.py:4:6: error: @factory('thing') on `Maker.make` is a method of `Maker`, so "
            "the registry would have to call it without an instance [factory-method]\n"
            '        @factory("thing")\n'
            "         ^\n"
            "Hint: move `make` to module level, or make it a @staticmethod"
        ),
    ),
    "variant-parameter": (
        dedent(
            """\
            from mreg_di import factory

            @factory("processor")
            def make_processor(variant: str) -> object: ...
            """
        ),
        (
            "acme/gz.py:4:20: error: @factory('processor') on `make_processor`: "
            "the factory takes a `variant` parameter but declares no variants "
            "[variant-parameter]\n"
            "    def make_processor(variant: str) -> object: ...\n"
            "                       ^\n"
            'Hint: declare them, e.g. variants=["fast", "small"]'
        ),
    ),
    "unresolved-annotation": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip")
            class Gzip:
                def __init__(self, storage: Storage) -> None: ...
            """
        ),
        (
            "acme/gz.py:5:33: error: @plugin('gzip') on `Gzip`: the annotation of "
            "parameter `storage` names `Storage`, which is not imported or defined "
            "in `acme.gz` [unresolved-annotation]\n"
            "        def __init__(self, storage: Storage) -> None: ...\n"
            "                                    ^\n"
            "Hint: import `Storage` in this module (an import under `if "
            "TYPE_CHECKING:` is enough), or define it here"
        ),
    ),
    "unresolved-name": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip", provides=[Compressor])
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:27: error: @plugin('gzip') on `Gzip`: `provides` entry "
            "`Compressor` is not imported or defined in `acme.gz` [unresolved-name]\n"
            '    @plugin("gzip", provides=[Compressor])\n'
            "                              ^\n"
            "Hint: import `Compressor` in this module, or define it here"
        ),
    ),
    "unresolved-base": (
        dedent(
            """\
            from mreg_di import plugin
            from acme.interfaces import *

            @plugin("gzip")
            class Gzip(Compressor): ...
            """
        ),
        (
            "acme/gz.py:5:12: warning: base class `Compressor` of `Gzip` is not "
            "imported or defined in `acme.gz`, so it is not recorded as a provided "
            "interface [unresolved-base]\n"
            "    class Gzip(Compressor): ...\n"
            "               ^\n"
            "Hint: `Compressor` may come from `from acme.interfaces import *`, "
            "which mreg-codegen cannot see into; import `Compressor` by name, or "
            "list the interface in `provides`"
        ),
    ),
    "positional-only-parameter": (
        dedent(
            """\
            from mreg_di import plugin
            from acme.interfaces import Storage

            @plugin("gzip")
            class Gzip:
                def __init__(self, storage: Storage, /) -> None: ...
            """
        ),
        (
            "acme/gz.py:6:24: error: @plugin('gzip') on `Gzip`: parameter `storage` is "
            "positional-only, but the registry passes every argument by keyword "
            "[positional-only-parameter]\n"
            "        def __init__(self, storage: Storage, /) -> None: ...\n"
            "                           ^\n"
            "Hint: remove the `/` from the signature"
        ),
    ),
    "variadic-parameter": (
        dedent(
            """\
            from mreg_di import plugin

            @plugin("gzip")
            class Gzip:
                def __init__(self, **options) -> None: ...
            """
        ),
        (
            "acme/gz.py:5:24: warning: @plugin('gzip') on `Gzip`: parameter "
            "`**options` cannot be injected, so it is ignored [variadic-parameter]\n"
            "        def __init__(self, **options) -> None: ...\n"
            "                           ^\n"
            "Hint: declare each dependency as its own annotated parameter"
        ),
    ),
    "unsupported-annotation": (
        dedent(
            """\
            from mreg_di import plugin
            from acme.interfaces import Disk, Memory

            @plugin("gzip")
            class Gzip:
                def __init__(self, storage: Disk | Memory) -> None: ...
            """
        ),
        (
            "acme/gz.py:6:33: warning: @plugin('gzip') on `Gzip`: the annotation "
            "of parameter `storage` is a union of several types "
            "(`acme.interfaces.Disk | acme.interfaces.Memory`), which cannot be "
            "injected, so it is read as a configuration value [unsupported-annotation]\n"
            "        def __init__(self, storage: Disk | Memory) -> None: ...\n"
            "                                    ^\n"
            "Hint: annotate with one interface: `X`, `X | None` for an optional "
            "dependency, or `list[X]` for all of its providers"
        ),
    ),
    "star-import": (
        dedent(
            """\
            from mreg_di import *

            @plugin("gzip")
            class Gzip: ...
            """
        ),
        (
            "acme/gz.py:3:2: warning: `@plugin` on `Gzip` may be mreg-di's, "
            "imported with `from mreg_di import *`, which mreg-codegen cannot see "
            "into, so it is not scanned [star-import]\n"
            '    @plugin("gzip")\n'
            "     ^\n"
            "Hint: import it by name: `from mreg_di import plugin`"
        ),
    ),
}


# Warnings leave the declaration's record in place (except star-import: nothing is matched).
KEEPS_RECORD = {"unresolved-base", "variadic-parameter", "unsupported-annotation"}


class TestEveryCode:
    @pytest.mark.parametrize("code", sorted(CASES))
    def test_rendered_exactly(self, scan, code: str) -> None:
        """Each sample gives exactly one diagnostic of its code, rendered exactly."""
        source, expected = CASES[code]
        result = scan(source)
        assert [d.code for d in result.diagnostics] == [code]
        assert result.diagnostics[0].render() == expected
        assert bool(result.records) == (code in KEEPS_RECORD)

    def test_parse_error_on_deep_nesting(self, scan) -> None:
        """Brackets nested deeper than CPython allows are refused before parsing."""
        depth = MAX_BRACKET_DEPTH + 1
        result = scan(f"from mreg_di import plugin\n\nTABLE = {'[' * depth}{']' * depth}\n")
        (diagnostic,) = result.diagnostics
        column = len("TABLE = ") + depth
        assert diagnostic.render().splitlines() == [
            f"acme/gz.py:3:{column}: error: the file nests too deeply to be parsed safely "
            "(more than 200 nested brackets) [parse-error]",
            "    …" + "[" * 81 + "]" * 79 + "…",
            "    " + " " * 81 + "^",
            "Hint: split the expression into smaller ones; if the file declares no plugin, "
            "leave it out with --exclude",
        ]


class TestVariants:
    """The other messages of each code, checked on their first line."""

    @pytest.mark.parametrize(
        ("arguments", "expected"),
        [
            ("type=5", "type must be a non-empty string or PluginType member, not 5"),
            ("type=''", "type must be a non-empty string or PluginType member, not ''"),
            ("priority='high'", "priority must be an int, not 'high'"),
            ("priority=True", "priority must be an int, not True"),
            ("metadata=[1]", "metadata must be a dict, not list"),
            ("metadata={1: 'a'}", "metadata keys must be strings, found 1"),
            (
                "metadata={'a': {1, 2}}",
                "metadata['a'] must hold only JSON values (str, int, float, bool, None, list, "
                "dict), found set",
            ),
            ("description=5", "description must be a string, not 5"),
            ("provides=Storage", "provides must be a list of classes, not `Storage`"),
            ("provides='acme.X'", "provides must be a list of classes, not 'acme.X'"),
            ("provides=[5]", "provides entries must be classes or qualified names, not 5"),
            ("provides=['']", "provides entries must be classes or qualified names, not ''"),
            ("profiles=['a', '']", "profiles must contain only non-empty strings, found ''"),
            ("permissions=[1]", "permissions must contain only non-empty strings, found 1"),
            (
                "capabilities={('a',), 'b'}",
                "capabilities must contain only non-empty strings, found ('a',)",
            ),
            ("capabilities={['a']}", "`capabilities`: a set cannot hold a list"),
            ("metadata={['a']: 1}", "`metadata`: a dict key cannot be a list"),
            ("type=PluginType.STORAGEE", "`type`: PluginType has no member `STORAGEE`"),
            ("name=b'gz'", "plugin name must be a string, not bytes"),
        ],
    )
    def test_bad_values(self, scan, arguments: str, expected: str) -> None:
        """Each wrong value names the argument and what is wrong with it."""
        name = "" if arguments.startswith("name=") else "'gz', "
        owner = "@plugin on `Gz`" if not name else "@plugin('gz') on `Gz`"
        result = scan(
            "from mreg_di import plugin, PluginType\nfrom acme import Storage\n"
            f"@plugin({name}{arguments})\nclass Gz: ...\n"
        )
        assert [d.message for d in result.diagnostics] == [f"{owner}: {expected}"]
        assert result.records == ()

    @pytest.mark.parametrize(
        ("arguments", "expected", "hint"),
        [
            (
                "version=f'{1}.0'",
                "`version` must be a literal, not an f-string",
                "mreg-codegen reads declarations without importing the module: write the value "
                "itself (a string, number, True, False, None, or a list, tuple, set or dict of "
                "them)",
            ),
            (
                "version='1.' f'{0}'",
                "`version` must be a literal, not an f-string",
                "mreg-codegen reads declarations without importing the module: write the value "
                "itself (a string, number, True, False, None, or a list, tuple, set or dict of "
                "them)",
            ),
            ("version=str(1)", "`version` must be a literal, not a call", None),
            (
                "capabilities=[c for c in 'ab']",
                "`capabilities` must be a literal, not a comprehension",
                None,
            ),
            (
                "capabilities=[*BASE]",
                "`capabilities` must be a literal, not an unpacked `*` element",
                None,
            ),
            (
                "metadata={**BASE}",
                "`metadata` must be a literal, not an unpacked `**` mapping",
                None,
            ),
            ("priority=1 + 1", "`priority` must be a literal, not an expression", None),
            ("priority=-LEVEL", "`priority` must be a literal, not an expression", None),
            ("type=os.sep", "`type` must be a literal, not `os.sep`", None),
            (
                "**OPTIONS",
                "`**OPTIONS` cannot be read without running the module",
                "pass each argument by keyword, with a literal value",
            ),
            (
                "*ARGS",
                "`*ARGS` cannot be read without running the module",
                "pass each argument by keyword, with a literal value",
            ),
            (
                "provides=[make()]",
                "`provides` must be a literal, not a call",
                "`provides` takes classes imported or defined in this module, or their fully "
                "qualified names as strings",
            ),
            (
                "provides=[*BASE]",
                "`provides` must be a literal, not an unpacked `*` element",
                "`provides` takes classes imported or defined in this module, or their fully "
                "qualified names as strings",
            ),
        ],
    )
    def test_non_literal_arguments(
        self, scan, arguments: str, expected: str, hint: str | None
    ) -> None:
        """Each kind of non-literal argument is named, with a hint saying what to write."""
        result = scan(
            f"import os\nfrom mreg_di import plugin\n@plugin('gz', {arguments})\nclass Gz: ...\n"
        )
        (diagnostic,) = result.diagnostics
        assert (diagnostic.code, diagnostic.message) == (
            "non-literal-argument",
            f"@plugin('gz') on `Gz`: {expected}",
        )
        if hint is not None:
            assert diagnostic.hint == hint

    def test_bad_calls(self, rendered) -> None:
        """A name given twice and a keyword given twice are both reported."""
        output = rendered(
            """
            from mreg_di import plugin
            @plugin("gz", name="gz", version="1", version="2")
            class Gz: ...
            """
        )
        assert output == dedent(
            """\
            acme/gz.py:3:15: error: @plugin('gz') on `Gz`: the plugin name is given both positionally and as `name=` [bad-call]
                @plugin("gz", name="gz", version="1", version="2")
                              ^
            Hint: give it once

            acme/gz.py:3:39: error: @plugin('gz') on `Gz`: keyword argument `version` is given twice [bad-call]
                @plugin("gz", name="gz", version="1", version="2")
                                                      ^
            Hint: give it once

            2 errors, 0 warnings"""
        )

    @pytest.mark.parametrize(
        ("decorator", "hint"),
        [
            (
                "plugin('gz', variants=['a'])",
                "variants are for @factory functions; a class plugin has no variants",
            ),
            (
                "plugin('gz', colour='red')",
                "@plugin takes name, version, type, capabilities, provides, requires, scope, "
                "profiles, permissions, priority, metadata, description",
            ),
            ("plugin('gz', priorty=1)", "did you mean `priority`?"),
        ],
    )
    def test_unknown_keyword_hints(self, scan, decorator: str, hint: str) -> None:
        """An unknown keyword gets a did-you-mean, a note about variants, or the list."""
        (diagnostic,) = scan(
            f"from mreg_di import plugin\n@{decorator}\nclass Gz: ...\n"
        ).diagnostics
        assert (diagnostic.code, diagnostic.hint) == ("unknown-keyword", hint)

    def test_bare_decorator(self, rendered) -> None:
        """``@plugin`` without parentheses declares no name."""
        assert rendered("from mreg_di import plugin\n@plugin\nclass Gz: ...\n") == dedent(
            """\
            acme/gz.py:2:2: error: @plugin on `Gz` is used without parentheses, so it declares no plugin name [missing-name]
                @plugin
                 ^
            Hint: call it with the name: @plugin("my-plugin")

            1 error, 0 warnings"""
        )

    def test_factory_on_a_class_and_nested_in_a_function(self, rendered) -> None:
        """A factory on a class inside a function body reports both problems."""
        output = rendered(
            """
            from mreg_di import factory
            def build():
                @factory("f")
                class F: ...
            """
        )
        assert output == dedent(
            """\
            acme/gz.py:4:6: error: @factory decorates functions, but `build.<locals>.F` is a class [not-class-or-function]
                    @factory("f")
                     ^
            Hint: use @plugin for a class

            acme/gz.py:4:6: error: @factory('f') on `build.<locals>.F` is defined inside a function, so the registry cannot import it [not-importable]
                    @factory("f")
                     ^
            Hint: move `F` to module level, or into a class at module level

            2 errors, 0 warnings"""
        )

    def test_variants_without_a_variant_parameter(self, rendered) -> None:
        """Declaring variants without taking ``variant`` points at the variants."""
        output = rendered(
            """
            from mreg_di import factory
            @factory("f", variants=["fast"])
            def make(level: int) -> object: ...
            """
        )
        assert output == dedent(
            """\
            acme/gz.py:3:24: error: @factory('f') on `make`: the factory declares variants but takes no `variant` parameter [variant-parameter]
                @factory("f", variants=["fast"])
                                       ^
            Hint: add a `variant: str` parameter: the registry passes the requested variant in it

            1 error, 0 warnings"""
        )

    def test_unresolved_names_in_strings_returns_and_relative_imports(self, rendered) -> None:
        """Unresolved names inside string annotations, return types and relative imports."""
        output = rendered(
            """
            from mreg_di import factory
            from ...far import Far
            @factory("f")
            def make(a: "list[Sink]", b: Far) -> Product: ...
            """,
            module="acme.gz",
        )
        assert output == dedent(
            """\
            acme/gz.py:5:13: error: @factory('f') on `make`: the annotation of parameter `a` names `Sink`, which is not imported or defined in `acme.gz` [unresolved-annotation]
                def make(a: "list[Sink]", b: Far) -> Product: ...
                            ^
            Hint: import `Sink` in this module (an import under `if TYPE_CHECKING:` is enough), or define it here

            acme/gz.py:5:30: error: @factory('f') on `make`: the annotation of parameter `b` names `Far`, whose relative import climbs above the top-level package of `acme.gz` [unresolved-annotation]
                def make(a: "list[Sink]", b: Far) -> Product: ...
                                             ^
            Hint: check the leading dots of the import, and that the scanned root is the directory that is on sys.path at run time

            acme/gz.py:5:38: error: @factory('f') on `make`: the return annotation names `Product`, which is not imported or defined in `acme.gz` [unresolved-annotation]
                def make(a: "list[Sink]", b: Far) -> Product: ...
                                                     ^
            Hint: import `Product` in this module (an import under `if TYPE_CHECKING:` is enough), or define it here

            3 errors, 0 warnings"""
        )

    def test_unresolved_annotation_after_a_star_import(self, scan) -> None:
        """After ``from m import *`` the hint says to import the name explicitly."""
        (diagnostic,) = scan(
            """
            from mreg_di import plugin
            from acme.interfaces import *
            @plugin("gz")
            class Gz:
                def __init__(self, storage: Storage) -> None: ...
            """
        ).diagnostics
        assert diagnostic.hint == (
            "`Storage` may come from `from acme.interfaces import *`, which mreg-codegen cannot "
            "see into; import `Storage` by name"
        )

    def test_unparseable_string_annotation(self, rendered) -> None:
        """A string annotation that is not an expression is a warning and a value parameter."""
        output = rendered(
            """
            from mreg_di import plugin
            @plugin("gz")
            class Gz:
                def __init__(self, level: "an int") -> None: ...
            """
        )
        assert output == dedent(
            """\
            acme/gz.py:5:31: warning: @plugin('gz') on `Gz`: the annotation of parameter `level` is a string that is not a valid type expression, so it is read as a configuration value [unsupported-annotation]
                    def __init__(self, level: "an int") -> None: ...
                                              ^
            Hint: write the annotation as Python code, e.g. "Storage" or "list[Sink]"

            0 errors, 1 warning"""
        )

    @pytest.mark.parametrize(
        ("source", "expected"),
        [
            (
                b"x = 'abc\n",
                "acme/gz.py:1:1: error: invalid syntax: unterminated string literal [syntax-error]",
            ),
            (
                b"x = 'a' b'b'\n",
                "acme/gz.py: error: invalid syntax: Cannot concatenate string and bytes "
                "[syntax-error]",
            ),
            (
                b"# coding: klingon\nx = 1\n",
                "acme/gz.py:1:1: error: the file's encoding declaration cannot be used (unknown "
                "encoding: klingon) [undecodable-source]",
            ),
            (
                b"\xef\xbb\xbf# coding: latin-1\nx = 1\n",
                "acme/gz.py:1:1: error: the file's encoding declaration cannot be used (encoding "
                "problem: utf-8) [undecodable-source]",
            ),
        ],
    )
    def test_unreadable_sources(self, scan, source: bytes, expected: str) -> None:
        """Tokenizer errors, invalid concatenations and bad coding lines are diagnostics."""
        (diagnostic,) = scan(source).diagnostics
        assert diagnostic.render().splitlines()[0] == expected


class TestEveryProblemAtOnce:
    def test_all_problems_of_a_file_are_reported_in_order(self, scan) -> None:
        """Every problem of every declaration is reported in one scan, sorted by position."""
        result = scan(
            """
            from mreg_di import factory, plugin
            @plugin("b c", version="x", scope="request", capabilities="a", priority="1")
            class A:
                def __init__(self, s: Missing) -> None: ...
            @factory("ok")
            def make(variant: str) -> object: ...
            @plugin("fine")
            class Fine: ...
            """
        )
        assert [(d.line, d.code) for d in result.diagnostics] == [
            (3, "bad-name"),
            (3, "bad-version"),
            (3, "bad-scope"),
            (3, "bad-type"),
            (3, "bad-type"),
            (5, "unresolved-annotation"),
            (7, "variant-parameter"),
        ]
        assert [r.name for r in result.records] == ["fine"]
        assert render_all(result.diagnostics).endswith("\n\n7 errors, 0 warnings")


class TestInternalErrors:
    def test_an_unexpected_failure_is_a_diagnostic(self, scan, monkeypatch) -> None:
        """A failure inside libcst that the scanner does not expect still gives a diagnostic."""

        def broken(source: str) -> libcst.Module:
            raise ValueError("something libcst never does")

        monkeypatch.setattr(libcst, "parse_module", broken)
        result = scan("import mreg_di\n")
        assert [d.render() for d in result.diagnostics] == [
            "acme/gz.py: error: mreg-codegen failed on this file: ValueError: something libcst "
            "never does [internal-error]\n"
            "Hint: this is a bug in mreg-codegen; please report it with the file attached, and "
            "leave the file out with --exclude meanwhile"
        ]
