"""The seed's plugin contracts, as `typing.Protocol`s that plugin classes implement.

Nothing has to inherit from them: a class that has the members is a `Plugin` to a type checker
and, because they are `runtime_checkable`, to ``isinstance`` too (which checks that the members
exist, not their signatures). ``initialize`` and ``cleanup`` may be plain or ``async`` methods;
`ModuleRegistry.start` awaits the async ones.
"""

from __future__ import annotations

from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

__all__ = ["AdvancedPlugin", "Plugin"]


@runtime_checkable
class Plugin(Protocol):
    """What the seed's plugins look like: identity, lifecycle, and a bytes-to-bytes `process`.

    Plain class attributes satisfy the read-only members.

    Example:
        >>> class Upper:
        ...     name = "upper"
        ...     version = "1.0.0"
        ...     plugin_type = "data-processor"
        ...     capabilities = ("uppercase",)
        ...     def initialize(self) -> None: ...
        ...     def cleanup(self) -> None: ...
        ...     def process(self, data: bytes) -> bytes:
        ...         return data.upper()
        >>> isinstance(Upper(), Plugin)
        True
    """

    @property
    def name(self) -> str:
        """The plugin's name, as registered."""
        ...

    @property
    def version(self) -> str:
        """Its PEP 440 version."""
        ...

    @property
    def plugin_type(self) -> str:
        """Its type: a `PluginType` (which is a string) or any other string."""
        ...

    @property
    def capabilities(self) -> Sequence[str]:
        """What it can do."""
        ...

    def initialize(self) -> Awaitable[None] | None:
        """Acquire resources; called once by `ModuleRegistry.start`, in dependency order."""
        ...

    def cleanup(self) -> Awaitable[None] | None:
        """Release resources; called once by `ModuleRegistry.shutdown`, in reverse order."""
        ...

    def process(self, data: bytes) -> bytes:
        """Transform `data` (what `ModuleRegistry.process` calls)."""
        ...


@runtime_checkable
class AdvancedPlugin(Plugin, Protocol):
    """A `Plugin` that also exposes its context, configuration, state and metrics.

    Example:
        >>> class Counter:
        ...     name, version, plugin_type, capabilities = "counter", "1.0", "monitoring", ()
        ...     context = {"host": "worker-1"}
        ...     configuration = {"window": 60}
        ...     state = "running"
        ...     def __init__(self) -> None:
        ...         self.seen = 0
        ...     @property
        ...     def metrics(self) -> dict[str, float]:
        ...         return {"bytes_seen": float(self.seen)}
        ...     def initialize(self) -> None: ...
        ...     def cleanup(self) -> None: ...
        ...     def process(self, data: bytes) -> bytes:
        ...         self.seen += len(data)
        ...         return data
        >>> counter = Counter()
        >>> isinstance(counter, AdvancedPlugin), counter.process(b"abc"), counter.metrics
        (True, b'abc', {'bytes_seen': 3.0})
    """

    @property
    def context(self) -> Mapping[str, Any]:
        """Where the plugin runs: environment facts it was given (host, profile, ...)."""
        ...

    @property
    def configuration(self) -> Mapping[str, Any]:
        """The configuration it is running with."""
        ...

    @property
    def state(self) -> str:
        """Its lifecycle state in its own words, e.g. ``"running"``."""
        ...

    @property
    def metrics(self) -> Mapping[str, float]:
        """Numbers it reports: counters, gauges, timings."""
        ...
