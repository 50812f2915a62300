"""`ModuleRegistry`'s plugin graph: the networkx view, its problems, and the start order.

The build step validates each profile before writing its dependency order into the manifest,
so a registry with nothing registered at run time trusts that order and imports no networkx;
otherwise `mreg_di._graph` computes problems and order, once, until the plugins change.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from mreg_di._config import configuration_problems
from mreg_di._errors import ResolutionError
from mreg_di._validation import DEFAULT_PROFILE

if TYPE_CHECKING:
    import networkx as nx

    from mreg_di._catalogue import LayeredCatalogue
    from mreg_di._config import Configuration
    from mreg_di._manifest import Manifest
    from mreg_di._problems import Problem
    from mreg_di._resolve import Binder

__all__ = ["GraphMixin"]


class GraphMixin:
    """`graph`, `validate`, and the cached problems and start order, for `ModuleRegistry`.

    The host sets ``_graph``, ``_problems`` and ``_order`` to ``None`` whenever its plugins
    change.

    Example:
        >>> from mreg_di import ModuleRegistry
        >>> ModuleRegistry().validate()  # an empty registry has no problem
    """

    if TYPE_CHECKING:
        _manifest: Manifest
        _profile: str
        _config: Configuration
        _catalogue_now: LayeredCatalogue
        _binder: Binder
        _problems: list[Problem] | None
        _order: list[str] | None
        _graph: nx.DiGraph | None

    @property
    def graph(self) -> nx.DiGraph:
        """The active plugins and their dependencies, as a networkx ``DiGraph``.

        Built on first access (importing networkx) and after each registration. Nodes are
        plugin names with a ``record`` attribute; an edge ``consumer -> dependency`` has a
        ``via`` attribute naming the parameters and requirements behind it. Do not mutate it.

        Example:
            >>> sorted(ModuleRegistry().graph.nodes)
            []
        """
        graph = self._graph
        if graph is None:
            from mreg_di._graph import build_graph

            graph = self._graph = build_graph(self._binder)
        return graph

    def validate(self) -> None:
        """Check the whole active graph and the configuration; report every problem at once.

        Graph problems (missing or ambiguous bindings, unmet requirements, cycles) come from
        the build step when the manifest holds a validated order for this profile and nothing
        was registered at run time; otherwise they are computed with networkx. Configuration
        problems: a key that is not a parameter of its plugin (naming the valid ones), a plugin
        name that does not exist, a required value parameter with neither default nor value.

        Raises:
            ResolutionError: With every problem in ``problems``.

        Example:
            >>> ModuleRegistry(config={"gzip": {"level": 9}}).validate()
            Traceback (most recent call last):
            ...
            mreg_di._errors.ResolutionError: 1 problem in the plugin graph:
            - configuration names plugin `gzip` (from the configuration dict), but no plugin \
has that name
              Hint: check the plugin name, or remove the entry
        """
        problems = [
            *self._graph_problems(),
            *configuration_problems(self._config, self._catalogue_now.raw_records(), self._profile),
        ]
        if problems:
            raise ResolutionError(problems)

    def _graph_problems(self) -> list[Problem]:
        problems = self._problems
        if problems is None:
            trusted = not self._catalogue_now.runtime and self._manifest_order() is not None
            if trusted:
                problems = []  # the build step validated this profile before writing its order
            else:
                from mreg_di._graph import validate

                problems = validate(self._catalogue_now, self._profile)
            self._problems = problems
        return problems

    def _manifest_order(self) -> list[str] | None:
        return self._manifest.order_for(None if self._profile == DEFAULT_PROFILE else self._profile)

    def _start_order(self) -> list[str]:
        if not self._catalogue_now.runtime:
            order = self._manifest_order()
            if order is not None:
                return order
        if self._order is None:
            from mreg_di._graph import dependency_order

            self._order = dependency_order(self._catalogue_now, self._profile)
        return self._order
