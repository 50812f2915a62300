"""Tests for mreg_di._introspect: records of live classes, classified like the scanner does."""

from __future__ import annotations

import abc
import collections.abc
import pathlib
import re
import typing
from typing import Annotated, Any, Generic, Optional, Protocol, TypeVar

import pytest

from mreg_di import factory, plugin, spec_of
from mreg_di._introspect import Classified, bases_of, classify, parameters_of, record_of, render

T = TypeVar("T")


class Storage(Protocol):
    def put(self, key: str) -> None: ...


class Clock(Protocol):
    def now(self) -> float: ...


STORAGE = f"{__name__}.Storage"


class TestClassify:
    @pytest.mark.parametrize(
        ("hint", "expected"),
        [
            (int, Classified("int", None, False, False)),
            (str, Classified("str", None, False, False)),
            (pathlib.Path, Classified("pathlib.Path", None, False, False)),
            (Storage, Classified(STORAGE, STORAGE, False, False)),
            (Storage | None, Classified(f"{STORAGE} | None", STORAGE, False, True)),
            (Optional[Storage], Classified(f"{STORAGE} | None", STORAGE, False, True)),  # noqa: UP045
            (list[Storage], Classified(f"list[{STORAGE}]", STORAGE, True, False)),
            (
                collections.abc.Sequence[Storage],
                Classified(f"collections.abc.Sequence[{STORAGE}]", STORAGE, True, False),
            ),
            (typing.List[Storage], Classified(f"list[{STORAGE}]", STORAGE, True, False)),  # noqa: UP006
            (tuple[Storage, ...], Classified(f"tuple[{STORAGE}, ...]", STORAGE, True, False)),
            (tuple[Storage, int], Classified(f"tuple[{STORAGE}, int]", None, False, False)),
            (list[int], Classified("list[int]", None, False, False)),
            (list[Storage] | None, Classified(f"list[{STORAGE}] | None", STORAGE, True, True)),
            (
                Annotated[Storage, "meta"],
                Classified(repr(Annotated[Storage, "meta"]), STORAGE, False, False),
            ),
            (Storage | Clock, Classified(f"{STORAGE} | {__name__}.Clock", None, False, False)),
            (dict[str, int], Classified("dict[str, int]", None, False, False)),
            (Any, Classified("typing.Any", None, False, False)),
        ],
    )
    def test_table(self, hint: Any, expected: Classified) -> None:
        """Standard-library annotations are values, others injected; lists many; None optional."""
        assert classify(hint) == expected

    def test_default_makes_optional(self) -> None:
        """A parameter with a default is optional, injected or not."""
        assert classify(Storage, has_default=True) == Classified(STORAGE, STORAGE, False, True)
        assert classify(int, has_default=True).optional

    def test_no_annotation(self) -> None:
        """A parameter without annotation is a value with no annotation text."""
        import inspect

        assert classify(inspect.Parameter.empty) == Classified(None, None, False, False)

    def test_render_none(self) -> None:
        """None renders as None."""
        assert render(None) == "None"


class Base(abc.ABC):
    @abc.abstractmethod
    def run(self) -> None: ...


class Generic1(Generic[T]):
    pass


class Service(Base, Generic1[int]):
    def run(self) -> None:
        pass

    def __init__(
        self, storage: Storage, many: list[Clock], level: int = 3, *args: int, **kw: int
    ) -> None:
        pass


class TestParameters:
    def test_signature(self) -> None:
        """Every named parameter is listed in order; *args and **kwargs are not."""
        parameters = parameters_of(Service, owner="x")
        assert [(p.name, p.interface, p.many, p.optional, p.has_default) for p in parameters] == [
            ("storage", STORAGE, False, False, False),
            ("many", f"{__name__}.Clock", True, False, False),
            ("level", None, False, True, True),
        ]

    def test_no_init(self) -> None:
        """A class without its own constructor takes nothing."""
        assert parameters_of(Base, owner="x") == ()

    def test_function(self) -> None:
        """A factory function's parameters are read the same way."""

        def make(variant: str, storage: Storage) -> object:
            return object()

        assert [p.interface for p in parameters_of(make, owner="x")] == [None, STORAGE]

    def test_positional_only(self) -> None:
        """A positional-only parameter cannot be filled and is refused."""

        class Odd:
            def __init__(self, value: int, /) -> None:
                pass

        message = (
            "plugin `odd` (Odd): parameter `value` is positional-only, but the registry passes "
            "every argument by keyword\nHint: remove the `/` from the signature"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            parameters_of(Odd, owner="plugin `odd` (Odd)")

    def test_unresolvable_annotation(self) -> None:
        """An annotation that cannot be evaluated is refused with what to do."""

        class Late:
            def __init__(self, thing: Missing) -> None:  # type: ignore[name-defined]  # noqa: F821
                pass

        with pytest.raises(TypeError) as info:
            parameters_of(Late, owner="plugin `late`")
        assert str(info.value) == (
            "plugin `late`: cannot evaluate the annotations of its parameters (name 'Missing' "
            "is not defined)\nHint: import every annotated type at module level (not only "
            "under TYPE_CHECKING), so the registry can tell injected parameters from values"
        )


class TestProvides:
    def test_bases_except_markers(self) -> None:
        """Direct bases count as interfaces, except object, Protocol, Generic and ABC."""
        assert bases_of(Service) == [f"{__name__}.Base", f"{__name__}.Generic1"]
        assert bases_of(Base) == []

        class Impl(Storage):
            def put(self, key: str) -> None:
                pass

        assert bases_of(Impl) == [STORAGE]

    def test_record_adds_bases_to_declared(self) -> None:
        """A record provides what its spec declares, then its bases, without duplicates."""

        @plugin("svc", provides=[Clock, Base])
        class Svc(Base):
            def run(self) -> None:
                pass

        record = record_of(Svc, spec_of(Svc))
        assert record.spec.provides == (f"{__name__}.Clock", f"{__name__}.Base")
        assert (record.module, record.file, record.line) == (__name__, None, 0)
        assert record.qualname.endswith("Svc")

    def test_factory_record(self) -> None:
        """A function's record is of kind factory and provides only what it declares."""

        @factory("maker", provides=[Clock], variants=["a"])
        def maker(variant: str) -> object:
            return object()

        record = record_of(maker, spec_of(maker))
        assert (record.spec.kind, record.spec.provides) == ("factory", (f"{__name__}.Clock",))
        assert [p.name for p in record.parameters] == ["variant"]
