"""The scanner's helpers: the nesting guard, node positions, and name resolution."""

from __future__ import annotations

import libcst as cst
import pytest

from mreg_codegen._names import ModuleIndex, index_module
from mreg_codegen._nesting import (
    MAX_BRACKET_DEPTH,
    MAX_CHAIN,
    MAX_ELIF,
    Excess,
    find_excessive_nesting,
)
from mreg_codegen._positions import positions_of


class TestFindExcessiveNesting:
    def test_brackets_up_to_the_limit_are_fine(self) -> None:
        """Exactly MAX_BRACKET_DEPTH nested brackets pass; one more is refused where it opens."""
        fine = "x = " + "(" * MAX_BRACKET_DEPTH + ")" * MAX_BRACKET_DEPTH
        assert find_excessive_nesting(fine) is None
        too_deep = "x = " + "[" * (MAX_BRACKET_DEPTH + 1)
        assert find_excessive_nesting(too_deep) == Excess(
            4 + MAX_BRACKET_DEPTH, "more than 200 nested brackets"
        )

    def test_chains_up_to_the_limit_are_fine(self) -> None:
        """MAX_CHAIN chained operators pass; the next one is refused."""
        assert find_excessive_nesting("x = a" + ".b" * MAX_CHAIN) is None
        excess = find_excessive_nesting("x = a" + ".b" * (MAX_CHAIN + 1))
        assert excess == Excess(5 + 2 * MAX_CHAIN, "more than 1000 chained operators")

    def test_chain_counts_across_bracket_levels(self) -> None:
        """Operators chained at every level of one path add up."""
        half = MAX_CHAIN // 2 + 5
        text = "x = " + "+1" * half + "+(" + "+1" * half + ")"
        assert find_excessive_nesting(text) is not None

    def test_higher_precedence_operators_nest_per_operand(self) -> None:
        """In a long sum of products, each product's operators nest only inside its own term."""
        terms = ["-c[0] * x.real ** 2 / 7"] * (MAX_CHAIN - 10)
        assert find_excessive_nesting("y = " + " + ".join(terms)) is None
        assert find_excessive_nesting("y = " + " * ".join(["2"] * (MAX_CHAIN + 2))) is not None

    def test_comparisons_do_not_nest(self) -> None:
        """Chained comparisons, ``not in`` and ``is not`` are flat in the parsed tree."""
        text = "y = a" + " < b not in c is not d" * 2000
        assert find_excessive_nesting(text) is None

    def test_unary_chains_nest(self) -> None:
        """Each unary operator or ``not`` nests the next one."""
        assert find_excessive_nesting("y = " + "-" * (MAX_CHAIN + 1) + "1") is not None
        assert find_excessive_nesting("y = " + "not " * (MAX_CHAIN + 1) + "x") is not None

    def test_commas_semicolons_and_newlines_end_chains(self) -> None:
        """Separators reset the chain, so long flat code is fine."""
        assert find_excessive_nesting("x = [" + "-1, " * 5000 + "]") is None
        assert find_excessive_nesting("a.b; " * 5000) is None
        assert find_excessive_nesting("x = a.b\n" * 5000) is None

    def test_newlines_inside_brackets_do_not_end_chains(self) -> None:
        """A chain continued over lines inside brackets is still one chain."""
        assert find_excessive_nesting("x = (1" + "\n+ 1" * (MAX_CHAIN + 1) + ")") is not None

    def test_strings_and_comments_are_skipped(self) -> None:
        """Brackets and operators inside strings and comments do not count."""
        noise = "(" * 5000 + "+" * 5000
        text = f"x = '{noise}'\ny = '''{noise}\n{noise}'''\n# {noise}\nz = r\"\\\"{noise}\"\n"
        assert find_excessive_nesting(text) is None

    def test_numbers_and_names_do_not_count_as_operators(self) -> None:
        """Dots in floats and keywords inside identifiers are not chain operators."""
        text = "x = " + "+".join(["1.5e-3"] * 400) + " + " + "+".join(["notify_iffy"] * 400)
        assert find_excessive_nesting(text) is None

    def test_elif_branches(self) -> None:
        """More than MAX_ELIF elif branches in one file are refused."""
        fine = "if a: pass\n" + "elif a: pass\n" * MAX_ELIF
        assert find_excessive_nesting(fine) is None
        assert find_excessive_nesting(fine + "elif a: pass\n") == Excess(
            len(fine), "more than 5000 elif branches"
        )


def _names(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            found.append(node)

        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            found.append(node)

    module.visit(Collect())
    return found


class TestPositionsOf:
    @pytest.mark.parametrize(
        "text",
        [
            "x = 1\ny = f(a, 'b')\n",
            "if a:\n\tb = c\r\n\tc = 'd'\rd = 1",
            "class A:\n    def f(self, x: int) -> 'str': ...\n# done",
            "x = '''\nmulti\nline''' + y\n",
        ],
    )
    def test_same_as_libcst_position_provider(self, text: str) -> None:
        """The fast path and libcst's PositionProvider agree on names and strings."""
        module = cst.parse_module(text)
        nodes = _names(module)
        fast = positions_of(module, text, nodes)
        provider = positions_of(module, text, nodes, fast=False)
        assert fast == provider
        assert len(fast) == len(nodes)

    def test_known_positions(self) -> None:
        """Lines and columns are 1-based, columns counted in characters."""
        text = "é = 1\n\tname = 'x'\n"
        module = cst.parse_module("if 1:\n" + text.replace("é", "    é").replace("\t", "    "))
        line = module.body[0].body.body[1]  # type: ignore[attr-defined]
        target = line.body[0].targets[0].target
        assert positions_of(module, module.code, [target]) == {target: (3, 5)}

    def test_mismatched_text_falls_back_to_the_provider(self) -> None:
        """If the text is not the module's code, positions still come from the provider."""
        module = cst.parse_module("x = 1\n")
        name = module.body[0].body[0].targets[0].target  # type: ignore[attr-defined]
        assert positions_of(module, "\ufeffx = 1\n", [name]) == {name: (1, 1)}

    def test_no_nodes(self) -> None:
        """Asking for no positions generates nothing."""
        assert positions_of(cst.parse_module("x = 1\n"), "x = 1\n", []) == {}


def _index(text: str, module: str = "acme.gz", is_package: bool = False) -> ModuleIndex:
    return index_module(cst.parse_module(text), module, is_package)


class TestNames:
    def test_bindings_of_every_statement_kind(self) -> None:
        """Imports, definitions and every assignment target bind module names."""
        index = _index(
            "import a.b.c\nimport d.e as f\nfrom g import h as i, j\nclass K: ...\n"
            "def l(): ...\nm = n = 1\no, (p, *q) = r\ns: int = 1\nt += 1\n"
            "for u in v: pass\nwith w as x, y as (z, aa): pass\n"
            "try: pass\nexcept E as bb: pass\ntype cc = int\n"
        )
        scope = index.scope
        assert scope.qualify("a.b.c.D") == "a.b.c.D"
        assert scope.qualify("f.G") == "d.e.G"
        assert (scope.qualify("i"), scope.qualify("j")) == ("g.h", "g.j")
        local = ["K", "l", "m", "n", "o", "p", "q", "s", "t", "u", "x", "z", "aa", "bb", "cc"]
        assert [scope.qualify(name) for name in local] == [f"acme.gz.{n}" for n in local]
        assert scope.qualify("nowhere") is None
        assert scope.qualify("len") == "builtins.len"

    def test_class_scopes_are_skipped_by_functions_and_nested_classes(self) -> None:
        """A method body or nested class does not see the enclosing class's names."""
        index = _index(
            "from x import A\nclass Outer:\n    A = 1\n    @d\n    class Inner:\n"
            "        @d\n        def m(self): ...\n"
        )
        outer = index.classes["Outer"]
        inner = index.classes["Outer.Inner"]
        assert outer.body.qualify("A") == "acme.gz.Outer.A"
        assert inner.scope.qualify("A") == "acme.gz.Outer.A"  # the class body sees it
        assert inner.body.qualify("A") == "x.A"  # the nested class body does not
        method = index.definitions[1]
        assert (method.qualname, method.body.qualify("A")) == ("Outer.Inner.m", "x.A")

    def test_function_scopes_and_importability(self) -> None:
        """Definitions inside functions are collected, marked not importable."""
        index = _index(
            "def build():\n    from y import B\n    @d\n    class Local(B): ...\n"
            "@d\nclass Top: ...\n"
        )
        local, top = index.definitions
        assert (local.qualname, local.importable, local.scope.qualify("B")) == (
            "build.<locals>.Local",
            False,
            "y.B",
        )
        assert (top.qualname, top.importable) == ("Top", True)
        assert index.scope.qualify("B") is None
        assert "build.<locals>.Local" not in index.classes

    def test_candidates_rank_imports_then_locals_then_fallbacks(self) -> None:
        """Imports come first, fallback imports last, each group in source order."""
        index = _index(
            "try:\n    from fast import C\nexcept ImportError:\n    from slow import C\n"
            "C = C\nfrom other import C\n"
        )
        assert index.scope.candidates("C") == ["fast.C", "other.C", "acme.gz.C", "slow.C"]

    def test_aliases_stand_for_what_they_name(self) -> None:
        """`Store = Storage` (or annotated, or dotted) names what Storage names, chains too."""
        index = _index(
            "from acme.interfaces import Storage\nimport acme.io as io\n"
            "Store = Storage\nSink: TypeAlias = io.Sink\nChain = Store\n"
            "from mreg_di import plugin\nregister = plugin\n"
        )
        scope = index.scope
        assert scope.qualify("Store") == "acme.interfaces.Storage"
        assert scope.qualify("Sink") == "acme.io.Sink"
        assert scope.qualify("Chain") == "acme.interfaces.Storage"
        assert scope.qualify("Store.Inner") == "acme.interfaces.Storage.Inner"
        assert scope.qualify("register") == "mreg_di.plugin"

    def test_aliases_of_nothing_visible_stay_local(self) -> None:
        """A cycle, or an alias of a name nothing binds, is a local name like any assignment."""
        index = _index("A = B\nB = A\nC = nowhere\nD = make()\nE = list[int]\n")
        names = ["A", "B", "C", "D", "E"]
        assert [index.scope.qualify(n) for n in names] == [f"acme.gz.{n}" for n in names]

    def test_typing_extensions_is_read_as_typing(self) -> None:
        """Names from typing_extensions are recorded under typing."""
        index = _index("import typing_extensions as te\nfrom typing_extensions import Protocol\n")
        assert index.scope.qualify("te.Annotated") == "typing.Annotated"
        assert index.scope.qualify("Protocol") == "typing.Protocol"

    @pytest.mark.parametrize(
        ("module", "is_package", "target", "expected"),
        [
            ("acme.gz", False, ".x.Y", "acme.x.Y"),
            ("acme.gz", False, ".", "acme"),
            ("acme", True, ".x", "acme.x"),
            ("acme", True, "..x", None),
            ("acme.sub.gz", False, "..x", "acme.x"),
            ("acme.sub.gz", False, "...x", None),
            ("gz", False, ".x", None),
            ("acme.gz", False, "absolute.x", "absolute.x"),
        ],
    )
    def test_relative_imports(
        self, module: str, is_package: bool, target: str, expected: str | None
    ) -> None:
        """Relative targets resolve from the package; climbing above the top gives None."""
        assert ModuleIndex(module, is_package).absolute(target) == expected

    def test_star_imports_are_recorded(self) -> None:
        """Module-level star imports are remembered; their names stay unresolved."""
        index = _index("from mreg_di import *\nfrom .sibling import *\nX\n")
        assert index.star_imports == ["mreg_di", ".sibling"]
        assert index.scope.qualify("plugin") is None
