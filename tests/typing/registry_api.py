"""What a user's type checker sees of the public API: checked by mypy --strict, never run.

tests/test_typing.py type-checks this file; each `assert_type` fails the check if the inferred
type drifts. Lines marked `type: ignore[...]` pin errors users meet (and that docs explain).
"""

from __future__ import annotations

from typing import Any, Protocol, assert_type

from mreg_di import ModuleRegistry, PluginSpec, plugin


class Sink:
    def write(self, data: bytes) -> None: ...


class Compressor(Protocol):
    def compress(self, data: bytes) -> bytes: ...


@plugin("memory-sink", provides=[Sink])
class MemorySink(Sink):
    pass


registry = ModuleRegistry()

assert_type(registry.get(Sink), Sink)
assert_type(registry.get("acme.Sink"), Any)
assert_type(registry.get_all(Sink), list[Sink])
assert_type(registry.get_all("acme.Sink"), list[Any])
assert_type(registry.create_plugin("memory-sink"), Any)
assert_type(MemorySink, type[MemorySink])  # the decorator returns the class unchanged
assert_type(PluginSpec("x", capabilities=["a"]).capabilities, tuple[str, ...])

# docs/wiring.md, "Type checkers": a Protocol where type[T] is expected (python/mypy#4717).
compressor = registry.get(Compressor)  # type: ignore[type-abstract]
assert_type(compressor, Compressor)
