"""Which annotations are injected and which are configuration values.

One rule, used by the scanner on source text and by the runtime on live objects, so both sides
classify a parameter the same way: a parameter annotated with a class from the standard library
(``int``, ``str``, ``pathlib.Path``, ``datetime.timedelta``, ...) or with no annotation is a
*value* parameter, filled from configuration or its default; a parameter annotated with any
other class (the application's or a third party's) is *injected* from the graph.
"""

from __future__ import annotations

import sys

__all__ = ["OPTIONAL_FORMS", "SEQUENCE_FORMS", "is_value_type"]

_STDLIB_ROOTS = frozenset(sys.stdlib_module_names) | {"builtins"}

SEQUENCE_FORMS = frozenset(
    {
        "builtins.list",
        "typing.List",
        "typing.Sequence",
        "collections.abc.Sequence",
        "typing.Iterable",
        "collections.abc.Iterable",
        "builtins.tuple",
        "typing.Tuple",
    }
)
"""Generic forms whose argument means "every active provider" (``list[X]``, ``Sequence[X]``)."""

OPTIONAL_FORMS = frozenset({"typing.Optional"})
"""Generic forms that mean "may be absent" (``X | None`` is recognised as well)."""


def is_value_type(qualified_name: str) -> bool:
    """Whether a fully qualified annotation is a configuration value rather than a dependency.

    Example:
        >>> is_value_type("builtins.int"), is_value_type("pathlib.Path")
        (True, True)
        >>> is_value_type("acme.interfaces.Compressor")
        False
    """
    return qualified_name.partition(".")[0] in _STDLIB_ROOTS
