"""Type checks that provably pass, decided without importing typeguard.

typeguard is the judge of every type check the registry makes (`mreg_di._typecheck`), but
importing it costs more than the rest of a first ``get`` (it pulls in ``unittest.mock``,
``asyncio`` and ``importlib.metadata``). Most checks are trivially true: the value is an
instance of the plain class its parameter is annotated with, or its class implements a
Protocol's methods with exactly the Protocol's parameter lists. `certainly_passes` recognises
those cases, and only those, from facts under which typeguard's own checks provably pass; for
everything else, including every check that fails, it answers ``False`` and typeguard decides
as before, with its own message. The answer is never "fails".

The conditions, against typeguard 4's checkers:

- ``Any`` and ``object`` accept everything (typeguard returns at once for ``Any``).
- A plain class, not from ``typing``, not a Protocol, not a tuple (NamedTuple fields are
  checked item by item) and not a TypedDict: typeguard's verdict is ``isinstance`` or looser
  (``float`` also takes an ``int``), so ``isinstance(value, cls)`` is enough.
- A Protocol without annotated members, every member a plain method: typeguard checks that the
  value has each member, that it is callable, and that the class's method signature is
  compatible. A plain function on the value's class with the same parameters (names, kinds,
  ``*args`` / ``**kwargs``) as the Protocol's is compatible by each of those rules.

Checker lookups registered with typeguard could judge a class differently, so once typeguard is
imported with any lookup besides its built-in one, nothing is decided here.
"""

from __future__ import annotations

import sys
import types
import typing
from typing import Any

__all__ = ["certainly_passes"]

_CO_VARARGS = 0x04
_CO_VARKEYWORDS = 0x08
_UNCHECKED_MODULES = frozenset({"typing", "typing_extensions"})


def certainly_passes(value: object, hint: object) -> bool:
    """Whether typeguard's ``check_type(value, hint)`` certainly passes (``False``: ask it).

    Example:
        >>> certainly_passes(3, int), certainly_passes("3", int), certainly_passes(3, int | None)
        (True, False, False)
    """
    if hint is Any or hint is object:
        return True
    if not isinstance(hint, type) or hint.__module__ in _UNCHECKED_MODULES:
        return False
    if _custom_checkers():
        return False
    if getattr(hint, "_is_protocol", False):
        return _implements(value, hint)
    if issubclass(hint, tuple):
        return False
    try:
        return isinstance(value, hint)
    except TypeError:  # TypedDict and other classes that refuse instance checks
        return False


def _custom_checkers() -> bool:
    """Whether typeguard is imported with checker lookups besides its built-in one."""
    checkers = sys.modules.get("typeguard._checkers")
    if checkers is None:
        return False
    lookups = getattr(checkers, "checker_lookup_functions", None)
    return lookups != [getattr(checkers, "builtin_checker_lookup", None)]


def _implements(value: object, protocol: type) -> bool:
    """Whether `value` has every member of `protocol` as a method of the very same shape."""
    if isinstance(value, type) or getattr(protocol, "__parameters__", None):
        return False
    if any(vars(base).get("__annotations__") for base in protocol.__mro__[:-1]):
        return False  # data members are checked by value: typeguard's job
    from typing_extensions import get_protocol_members  # the members typeguard checks

    cls = type(value)
    for name in get_protocol_members(protocol):
        expected = _plain_method(protocol, name)
        actual = _plain_method(cls, name)
        if expected is None or actual is None or not callable(getattr(value, name, None)):
            return False
        if _shape(expected) != _shape(actual):
            return False
    return True


def _plain_method(cls: type, name: str) -> types.FunctionType | None:
    """`name` as found on `cls`'s MRO, if it is a plain function whose signature is its code."""
    for base in cls.__mro__:
        if name in vars(base):
            found = vars(base)[name]
            plain = type(found) is types.FunctionType
            # inspect.signature (typeguard's view) follows these instead of the code object.
            if plain and not hasattr(found, "__wrapped__") and not hasattr(found, "__signature__"):
                return typing.cast("types.FunctionType", found)
            return None
    return None


def _shape(function: types.FunctionType) -> tuple[object, ...]:
    """A function's parameters as far as signature compatibility goes: names and kinds."""
    code = function.__code__
    count = code.co_argcount + code.co_kwonlyargcount
    flags = code.co_flags & (_CO_VARARGS | _CO_VARKEYWORDS)
    count += bool(flags & _CO_VARARGS) + bool(flags & _CO_VARKEYWORDS)
    return (
        code.co_posonlyargcount,
        code.co_argcount,
        code.co_kwonlyargcount,
        flags,
        code.co_varnames[:count],
    )
