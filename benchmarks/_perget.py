"""Per-``get`` probe: the cost of one resolution, in one fresh process per library.

Run by the harness as a script (``python _perget.py LIBRARY [options]``); it prints
``key=value`` lines. Each library resolves the same shapes:

- ``singleton``: ``A``, a cached singleton without dependencies, asked for again and again;
- ``new3``: ``S(a: A, b: B, c: C)``, a new instance per request whose three dependencies are
  cached singletons.

Each library is set up the way its documentation shows, with its fastest documented call path
for a synchronous lookup. A library that is not installed prints ``unavailable=<reason>``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import timeit
from collections.abc import Callable
from typing import Any


class A:
    """A dependency-free service, resolved as a cached singleton."""


class B:
    """A dependency-free service, resolved as a cached singleton."""


class C:
    """A dependency-free service, resolved as a cached singleton."""


class S:
    """A service built anew on every request from three singletons."""

    def __init__(self, a: A, b: B, c: C) -> None:
        self.a = a
        self.b = b
        self.c = c


Getter = Callable[[], object]
Setup = Callable[[argparse.Namespace], tuple[Getter, Getter]]


def _direct(args: argparse.Namespace) -> tuple[Getter, Getter]:
    a, b, c = A(), B(), C()

    def singleton() -> A:
        return a

    def new3() -> S:
        return S(a, b, c)

    return singleton, new3


def _dependency_injector(args: argparse.Namespace) -> tuple[Getter, Getter]:
    from dependency_injector import providers

    a = providers.ThreadSafeSingleton(A)
    b = providers.ThreadSafeSingleton(B)
    c = providers.ThreadSafeSingleton(C)
    s = providers.Factory(S, a=a, b=b, c=c)
    return a, s


def _wireup(args: argparse.Namespace) -> tuple[Getter, Getter]:
    import wireup

    for cls in (A, B, C):
        wireup.injectable(cls)
    wireup.injectable(S, lifetime="transient")
    container = wireup.create_sync_container(injectables=[A, B, C, S])
    get = container.get
    # wireup resolves transient injectables only inside a scope; one scope serves all calls.
    scoped_get = container.enter_scope().get
    return (lambda: get(A)), (lambda: scoped_get(S))


def _dishka(args: argparse.Namespace) -> tuple[Getter, Getter]:
    from dishka import Provider, Scope, make_container

    provider = Provider(scope=Scope.APP)
    provider.provide(A)
    provider.provide(B)
    provider.provide(C)
    provider.provide(S, cache=False)
    get = make_container(provider).get
    return (lambda: get(A)), (lambda: get(S))


def _that_depends(args: argparse.Namespace) -> tuple[Getter, Getter]:
    from that_depends import BaseContainer, providers

    class Container(BaseContainer):
        a = providers.Singleton(A)
        b = providers.Singleton(B)
        c = providers.Singleton(C)
        s = providers.Factory(S, a=a.cast, b=b.cast, c=c.cast)

    return Container.a.resolve_sync, Container.s.resolve_sync


def _svcs(args: argparse.Namespace) -> tuple[Getter, Getter]:
    import svcs

    registry = svcs.Registry()
    for cls in (A, B, C):
        registry.register_value(cls, cls())

    def make_s(svcs_container: svcs.Container) -> S:
        a, b, c = svcs_container.get(A, B, C)
        return S(a, b, c)

    registry.register_factory(S, make_s)
    get = svcs.Container(registry).get

    # svcs caches every service in its container and has no transient lifetime: its documented
    # way to a new S is a new container (one per request) asking for it.
    def new3() -> S:
        result: S = svcs.Container(registry).get(S)
        return result

    return (lambda: get(A)), new3


def _lagom(args: argparse.Namespace) -> tuple[Getter, Getter]:
    from lagom import Container, Singleton

    container = Container()
    container[A] = Singleton(A)
    container[B] = Singleton(B)
    container[C] = Singleton(C)
    resolve = container.resolve
    return (lambda: resolve(A)), (lambda: resolve(S))


def _punq(args: argparse.Namespace) -> tuple[Getter, Getter]:
    import punq

    container = punq.Container()
    for cls in (A, B, C):
        container.register(cls, scope=punq.Scope.singleton)
    container.register(S)
    resolve = container.resolve
    return (lambda: resolve(A)), (lambda: resolve(S))


def _injector(args: argparse.Namespace) -> tuple[Getter, Getter]:
    import injector

    injector.inject(S.__init__)

    def configure(binder: injector.Binder) -> None:
        for cls in (A, B, C):
            binder.bind(cls, scope=injector.singleton)

    get = injector.Injector([configure]).get
    return (lambda: get(A)), (lambda: get(S))


def _mreg(args: argparse.Namespace) -> tuple[Getter, Getter]:
    """This project: a registry from the manifest of the generated ``getbench`` package."""
    if not args.manifest:
        raise _Unavailable("no manifest for the per-get package (codegen unavailable)")
    import importlib

    try:
        from mreg_di import ModuleRegistry
    except ImportError as exc:
        raise _Unavailable(f"mreg_di.ModuleRegistry is not importable ({exc})") from exc
    subjects = importlib.import_module(args.package)
    registry = ModuleRegistry.from_manifest(args.manifest, type_checks=args.type_checks)
    get = registry.get
    a_cls, s_cls = subjects.A, subjects.S
    return (lambda: get(a_cls)), (lambda: get(s_cls))


class _Unavailable(Exception):
    """The library under test cannot run here; the message says why."""


LIBRARIES: dict[str, Setup] = {
    "mreg_di": _mreg,
    "dependency_injector": _dependency_injector,
    "wireup": _wireup,
    "dishka": _dishka,
    "that_depends": _that_depends,
    "svcs": _svcs,
    "lagom": _lagom,
    "punq": _punq,
    "injector": _injector,
    "direct": _direct,
}


def _time(getter: Getter, repeats: int, budget: float) -> tuple[list[float], int]:
    """ns per call of each of `repeats` timeit runs of about `budget` seconds, and the loop size."""
    timer = timeit.Timer(getter)
    number = 1
    while (elapsed := timer.timeit(number)) < budget / 10:
        number *= 4
    number = max(1, int(number * budget / max(elapsed, 1e-9)))
    return [t / number * 1e9 for t in timer.repeat(repeat=repeats, number=number)], number


def main(argv: list[str] | None = None) -> int:
    """Set up one library, check both getters behave, time them and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("library", choices=sorted(LIBRARIES))
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--budget", type=float, default=0.2, help="seconds per repeat")
    parser.add_argument("--manifest", default="", help="mreg_di only: the manifest")
    parser.add_argument("--package", default="", help="mreg_di only: the subjects module")
    parser.add_argument("--type-checks", default="error", help="mreg_di only")
    args = parser.parse_args(argv)
    try:
        singleton, new3 = LIBRARIES[args.library](args)
    except _Unavailable as exc:
        print(f"unavailable={exc}")
        return 0
    except ImportError as exc:
        print(f"unavailable={args.library} is not installed ({exc.name or exc})")
        return 0
    first: Any = singleton()
    if singleton() is not first:
        print(f"error={args.library}: the singleton getter returned two different objects")
        return 1
    one: Any = new3()
    two: Any = new3()
    if one is two or not (one.a is two.a and one.b is two.b and one.c is two.c):
        print(f"error={args.library}: new3 must build a new S around the same singletons")
        return 1
    for label, getter in (("singleton", singleton), ("new3", new3)):
        runs, number = _time(getter, args.repeats, args.budget)
        print(f"{label}_median_ns={statistics.median(runs):.1f}")
        print(f"{label}_runs_ns={','.join(f'{run:.1f}' for run in runs)}")
        print(f"{label}_number={number}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
