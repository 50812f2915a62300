"""Tests for mreg_di._precheck: type checks proved to pass without importing typeguard.

The one rule: `certainly_passes` may answer True only where typeguard's `check_type` passes.
`TestAgreesWithTypeguard` holds it to that over a corpus of values, plain classes and
Protocols; the other classes pin down which cases it proves and which it leaves to typeguard.
"""

from __future__ import annotations

import functools
import itertools
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, NamedTuple, Protocol, TypedDict, TypeVar

import pytest
import typeguard

from mreg_di._precheck import certainly_passes

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)


class Sink(Protocol):
    def write(self, data: bytes, *, flush: bool = False) -> int: ...

    def close(self) -> None: ...


class GoodSink:
    def write(self, data: bytes, *, flush: bool = False) -> int:
        return len(data)

    def close(self) -> None:
        pass


class Point(NamedTuple):
    x: int


class Options(TypedDict):
    level: int


class TestPlainClasses:
    def test_any_and_object_accept_everything(self) -> None:
        """Any and object pass for any value."""
        assert certainly_passes(None, Any)
        assert certainly_passes(GoodSink(), object)

    def test_instance_of_the_class(self) -> None:
        """An instance of the annotated class or a subclass passes; any other value is left."""
        assert certainly_passes(3, int)
        assert certainly_passes(True, int)
        assert certainly_passes("x", str)
        assert not certainly_passes("3", int)
        assert not certainly_passes(3, float)  # typeguard accepts it; proving it is its job

    def test_special_forms_are_left_to_typeguard(self) -> None:
        """Unions, generics, typing's own classes, NamedTuple and TypedDict are never decided."""
        assert not certainly_passes(3, int | None)
        assert not certainly_passes([1], list[int])
        assert not certainly_passes(Point(1), Point)
        assert not certainly_passes({"level": 1}, Options)
        assert not certainly_passes(3, T)
        assert not certainly_passes(sys.stdout, IO)


class TestProtocols:
    def test_same_methods_pass(self) -> None:
        """A class with each Protocol method, parameters identical, passes without inheriting."""
        assert certainly_passes(GoodSink(), Sink)

    @pytest.mark.parametrize(
        "body",
        [
            "def write(self, data, *, flush=False): return 0",  # close missing
            "def write(self, payload, *, flush=False): return 0\ndef close(self): pass",
            "def write(self, data, *, flush=False, extra): return 0\ndef close(self): pass",
            "def write(self, data, flush=False): return 0\ndef close(self): pass",
            "def write(self, data, *args, flush=False): return 0\ndef close(self): pass",
            "@staticmethod\ndef write(data, *, flush=False): return 0\ndef close(self): pass",
            "write = 3\ndef close(self): pass",
            "def __getattr__(self, name): return lambda *a, **k: 0",
        ],
    )
    def test_other_shapes_are_left_to_typeguard(self, body: str) -> None:
        """A missing, renamed, reshaped or dynamic member is not proved (typeguard decides)."""
        namespace: dict[str, Any] = {}
        exec(f"class Other:\n{textwrap.indent(body, '    ')}", namespace)
        assert not certainly_passes(namespace["Other"](), Sink)

    def test_wrapped_methods_are_left_to_typeguard(self) -> None:
        """A method behind functools.wraps has the signature of what it wraps: not proved."""

        def logged(function: Callable[..., Any]) -> Callable[..., Any]:
            @functools.wraps(function)
            def wrapper(*args: Any, **kwargs: Any) -> Any:
                return function(*args, **kwargs)

            return wrapper

        class Logged(GoodSink):
            write = logged(GoodSink.write)

        assert not certainly_passes(Logged(), Sink)

    def test_protocols_with_data_members_are_left_to_typeguard(self) -> None:
        """A Protocol with an annotated member (checked by value) is typeguard's."""

        class Named(Protocol):
            name: str

            def close(self) -> None: ...

        class Thing(GoodSink):
            name = "thing"

        assert not certainly_passes(Thing(), Named)

    def test_generic_protocols_and_classes_as_values(self) -> None:
        """Generic Protocols, and classes given as values, are typeguard's."""

        class Box(Protocol[T_co]):
            def get(self) -> T_co: ...

        class IntBox:
            def get(self) -> int:
                return 1

        assert not certainly_passes(IntBox(), Box)
        assert not certainly_passes(GoodSink, Sink)

    def test_custom_typeguard_checkers_disable_the_proof(self) -> None:
        """With a checker lookup registered in typeguard, nothing is decided here."""

        def lookup(origin: Any, args: Any, extras: Any) -> None:
            return None

        typeguard.checker_lookup_functions.append(lookup)
        try:
            assert not certainly_passes(3, int)
            assert not certainly_passes(GoodSink(), Sink)
        finally:
            typeguard.checker_lookup_functions.remove(lookup)
        assert certainly_passes(3, int)


def _corpus() -> Iterator[tuple[object, object]]:
    """Values and hints: plain classes, and method shapes against Protocols of other shapes."""
    shapes = [
        "(self)",
        "(self, data)",
        "(self, data, /)",
        "(self, payload)",
        "(self, data=None)",
        "(self, *args)",
        "(self, **kwargs)",
        "(self, data, *, flush=False)",
        "(self, data, *, flush)",
        "(self, *args, **kwargs)",
    ]
    classes = []
    for index, shape in enumerate(shapes):
        namespace: dict[str, Any] = {"Protocol": Protocol}
        exec(
            f"class P{index}(Protocol):\n    def run{shape}: ...\n"
            f"class C{index}:\n    def run{shape}: return 0\n",
            namespace,
        )
        classes.append((namespace[f"P{index}"], namespace[f"C{index}"]))
    for (protocol, _), (_, implementation) in itertools.product(classes, classes):
        yield implementation(), protocol
    values = [0, True, 1.5, "s", b"b", None, [1], {"k": 1}, GoodSink(), Point(1)]
    hints = [int, bool, float, str, bytes, list, dict, object, Sink, GoodSink, tuple, Exception]
    yield from itertools.product(values, hints)


class TestAgreesWithTypeguard:
    @pytest.mark.parametrize(("value", "hint"), list(_corpus()))
    def test_a_proof_is_never_wrong(self, value: object, hint: object) -> None:
        """Whatever certainly_passes proves, typeguard's check_type accepts."""
        if certainly_passes(value, hint):
            typeguard.check_type(value, hint)

    def test_the_corpus_proves_something(self) -> None:
        """Both answers occur: of the 100 Protocol pairs, the 10 identical shapes pass, and the 4
        that differ only in defaults (which typeguard does not compare); no other does."""
        answers = [certainly_passes(value, hint) for value, hint in _corpus()]
        assert sum(answers) > 20
        assert answers.count(False) > 20
        protocol_pairs = answers[:100]
        assert sum(protocol_pairs) == 14


class TestImports:
    def test_a_get_through_protocols_never_imports_typeguard(self, tmp_path: Path) -> None:
        """Building a plugin whose dependencies match their Protocols leaves typeguard unloaded."""
        package = tmp_path / "shop"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "parts.py").write_text(
            textwrap.dedent(
                """
                from typing import Protocol
                from mreg_di import plugin

                class Store(Protocol):
                    def put(self, key: str, value: bytes) -> None: ...

                @plugin("memory", provides=[Store])
                class Memory:
                    def put(self, key: str, value: bytes) -> None:
                        pass

                @plugin("cart")
                class Cart:
                    def __init__(self, store: Store, size: int = 3) -> None:
                        self.store = store
                """
            )
        )
        root = Path(__file__).resolve().parents[2]
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(
                [str(tmp_path), str(root / "src"), str(root / "codegen")]
            ),
        }
        manifest = tmp_path / "mreg-manifest.json"
        subprocess.run(
            [sys.executable, "-m", "mreg_codegen", "scan", str(tmp_path), "--output",
             str(manifest), "--no-cache"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        code = (
            "import sys\nfrom mreg_di import ModuleRegistry\n"
            f"registry = ModuleRegistry.from_manifest({str(manifest)!r})\n"
            "print(type(registry.create_plugin('cart')).__name__, 'typeguard' in sys.modules)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
        )
        assert result.stdout == "Cart False\n"
