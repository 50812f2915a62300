"""The ``mreg-codegen`` command line: ``scan``, ``validate``, ``graph`` and ``list``.

Each subcommand is two small functions: ``_add_<name>`` declares its arguments and
``_run_<name>`` does the work; `SUBCOMMANDS` registers them in one place. Diagnostics go to
stderr, results to stdout. Exit status: 0 when all is well, 1 when problems were found or the
manifest is stale, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from mreg_codegen import __version__
from mreg_codegen._query import _positive_int, add_query_parser

if TYPE_CHECKING:
    from mreg_codegen._build import ScanReport
    from mreg_codegen._diagnostics import Diagnostic
    from mreg_di._manifest import Manifest

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "SUBCOMMANDS", "build_parser", "run"]

PROG = "mreg-codegen"

EXIT_OK = 0
"""Success: the manifest was written, is up to date, or has no problems."""

EXIT_PROBLEMS = 1
"""Errors were found, or ``--check`` found the manifest stale or missing."""

EXIT_USAGE = 2
"""The command line is wrong (argparse's own status for usage errors)."""

EXIT_INTERRUPTED = 130
"""Ctrl-C (128 + SIGINT, as shells report it)."""

_Subparsers = Any  # argparse's _SubParsersAction is private; its type is not worth importing


class Streams:
    """Where a command writes: results to `out`, diagnostics to `err`.

    Example:
        >>> import io
        >>> Streams(io.StringIO(), io.StringIO()).out.write("ok")
        2
    """

    def __init__(self, out: TextIO, err: TextIO) -> None:
        self.out = out
        self.err = err


Handler = Callable[[argparse.Namespace, Streams], int]


# -- scan -----------------------------------------------------------------------------------


def _add_scan(subparsers: _Subparsers) -> None:
    parser = subparsers.add_parser(
        "scan",
        help="scan import roots and write a validated manifest",
        description="Find every @plugin / @factory under the import roots without importing "
        "them, validate the dependency graph of every profile and write the manifest "
        "atomically. Nothing is written when there is an error.",
    )
    parser.add_argument(
        "src",
        nargs="+",
        metavar="SRC",
        help="an import root: a directory on sys.path at run time (module names are relative "
        "to it)",
    )
    parser.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="MANIFEST",
        help="the manifest to write; file paths in it are relative to its directory",
    )
    parser.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out files and directories matching GLOB (by name, by path relative to "
        "SRC, or by path relative to the current directory); repeatable",
    )
    parser.add_argument(
        "-j",
        "--jobs",
        type=_positive_int,
        default=None,
        metavar="N",
        help="worker processes for parsing (default: every core)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="how diagnostics are printed on stderr (default: text)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 and print a diff when the manifest is missing or stale",
    )
    cache = parser.add_mutually_exclusive_group()
    cache.add_argument(
        "--cache-dir",
        metavar="DIR",
        help="where the incremental cache lives (default: .mreg-cache in the current directory)",
    )
    cache.add_argument(
        "--no-cache", action="store_true", help="scan everything; read and write no cache"
    )
    parser.add_argument(
        "--no-prefilter",
        action="store_true",
        help="parse every file, even those whose bytes show they declare nothing",
    )
    parser.set_defaults(handler=_run_scan)


def _run_scan(args: argparse.Namespace, streams: Streams) -> int:
    from mreg_codegen._build import ScanOptions, scan_project
    from mreg_codegen._diagnostics import render_all
    from mreg_codegen._progress import Progress

    options = ScanOptions(
        roots=args.src,
        output=args.output,
        excludes=args.exclude,
        cache_dir=args.cache_dir,
        use_cache=not args.no_cache,
        prefilter=not args.no_prefilter,
        **({"jobs": args.jobs} if args.jobs else {}),
    )
    progress = Progress(streams.err) if args.format == "text" else None
    try:
        report = scan_project(options, progress=progress)
    finally:
        if progress is not None:
            progress.close()
    if report.diagnostics:
        streams.err.write(render_all(report.diagnostics, args.format) + "\n")
    if report.text is None:
        if args.format == "text":
            action = "checked" if args.check else "written"
            streams.err.write(f"{PROG}: {report.output_display} was not {action}\n")
        return EXIT_PROBLEMS
    summary = _scan_summary(report)
    if args.check:
        return _check(report, report.text, summary, streams)
    if report.up_to_date:
        streams.out.write(f"{report.output_display} is up to date ({summary})\n")
        return EXIT_OK
    from mreg_codegen._output import atomic_write

    try:
        atomic_write(report.output, report.text.encode("utf-8"))
    except OSError as exc:
        streams.err.write(
            f"{PROG}: error: cannot write {report.output_display}: {exc.strerror or exc}\n"
            "Hint: the manifest was checked but not written; make its directory writable, or "
            "pass an --output where it can be written\n"
        )
        return EXIT_PROBLEMS
    streams.out.write(f"wrote {report.output_display} ({summary})\n")
    return EXIT_OK


def _check(report: ScanReport, text: str, summary: str, streams: Streams) -> int:
    if report.up_to_date:
        streams.out.write(f"{report.output_display} is up to date ({summary})\n")
        return EXIT_OK
    from mreg_codegen._output import read_text, unified_diff

    old = read_text(report.output)
    exists = report.output.exists()
    streams.out.write(unified_diff(old if exists else None, text, report.output_display))
    state = "stale" if exists else "missing"
    streams.err.write(
        f"{PROG}: {report.output_display} is {state}\n"
        "Hint: run the same command without --check to regenerate it\n"
    )
    return EXIT_PROBLEMS


def _scan_summary(report: ScanReport) -> str:
    from mreg_codegen._diagnostics import counted

    stats = report.stats
    return (
        f"{counted(stats.plugins, 'plugin')} from {counted(stats.files, 'file')}: "
        f"{stats.scanned} scanned, {stats.cached} cached"
    )


# -- validate -------------------------------------------------------------------------------


def _add_manifest_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("manifest", metavar="MANIFEST", help="a manifest written by `scan`")


def _add_profile_argument(parser: argparse.ArgumentParser, what: str) -> None:
    parser.add_argument(
        "--profile",
        metavar="P",
        help=f"{what} only profile P (default: "
        + ("every profile the manifest names)" if what == "validate" else "no profile)"),
    )


def _add_validate(subparsers: _Subparsers) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="validate the dependency graph of an existing manifest",
        description="Check the graph stored in MANIFEST (missing bindings, cycles, "
        "ambiguities, version conflicts) and that its stored start-up orders are current.",
    )
    _add_manifest_argument(parser)
    _add_profile_argument(parser, "validate")
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="how diagnostics are printed on stderr (default: text)",
    )
    parser.set_defaults(handler=_run_validate)


def _run_validate(args: argparse.Namespace, streams: Streams) -> int:
    from mreg_codegen._diagnostics import counted, render_all
    from mreg_codegen._graph_diagnostics import SourceTexts, displayed_names, problem_diagnostic
    from mreg_codegen._project import display_path
    from mreg_di._graph import profiles_of, validate_profiles

    manifest, path = _load(args.manifest)
    cwd = Path.cwd().resolve()
    shown = display_path(path, cwd)
    _warn_unnamed_profile(manifest, args.profile, shown, streams)
    profiles = [args.profile] if args.profile else profiles_of(manifest)
    problems, orders = validate_profiles(manifest, profiles)
    sources = SourceTexts()
    names = displayed_names(manifest.files, path.parent, cwd)
    diagnostics = [
        problem_diagnostic(
            problem,
            manifest_dir=path.parent,
            manifest_display=shown,
            cwd=cwd,
            sources=sources,
            record=_raw_or_none(manifest, problem.plugin),
            shown=names,
        )
        for problem in problems
    ]
    diagnostics.extend(_order_diagnostics(manifest, orders, shown))
    if diagnostics:
        streams.err.write(render_all(diagnostics, args.format) + "\n")
        return EXIT_PROBLEMS
    listed = ", ".join(profiles)
    noun = "profile" if len(profiles) == 1 else "profiles"
    streams.out.write(
        f"{shown}: {counted(len(manifest), 'plugin')}; {noun} {listed}: no problems\n"
    )
    return EXIT_OK


def _warn_unnamed_profile(
    manifest: Manifest, profile: str | None, shown: str, streams: Streams
) -> None:
    """Warn when `profile` is named by no plugin: likely a typo, and it acts as the default."""
    from mreg_di._graph import profiles_of
    from mreg_di._validation import close_matches

    if profile is None:
        return
    known = profiles_of(manifest)
    if profile in known:
        return
    close = close_matches(profile, known, limit=1)
    guess = f"did you mean {close[0]!r}? " if close else ""
    streams.err.write(
        f"{PROG}: warning: no plugin in {shown} names profile {profile!r}, so it has the "
        "default profile's plugins\n"
        f"Hint: {guess}the profiles this manifest names: {', '.join(known)}\n"
    )


def _raw_or_none(manifest: Manifest, name: str | None) -> dict[str, Any] | None:
    return manifest.raw(name) if name is not None and name in manifest else None


def _order_diagnostics(
    manifest: Manifest, orders: dict[str, list[str]], shown: str
) -> list[Diagnostic]:
    """Stored start-up orders that differ from the graph's (a hand-edited manifest)."""
    from mreg_codegen._diagnostics import diagnostic_at

    found = []
    for profile, order in sorted(orders.items()):
        stored = manifest.order_for(profile)
        if stored == order:
            continue
        what = (
            "has no stored start-up order"
            if stored is None
            else (
                "stores a start-up order that differs from the graph's dependency order "
                f"({', '.join(order)})"
            )
        )
        found.append(
            diagnostic_at(
                shown,
                None,
                0,
                0,
                "stale-order",
                f"profile `{profile}` {what}",
                hint="regenerate the manifest with `mreg-codegen scan`; never edit it by hand",
            )
        )
    return found


def _load(argument: str) -> tuple[Manifest, Path]:
    from mreg_di._manifest import Manifest

    path = Path(argument).resolve()
    return Manifest.load(argument), path


# -- graph ----------------------------------------------------------------------------------


def _add_graph(subparsers: _Subparsers) -> None:
    parser = subparsers.add_parser(
        "graph",
        help="print the dependency graph as dot, mermaid or json",
        description="Print the active plugins of one profile and their dependencies; edges "
        "point from a consumer to what it needs.",
    )
    _add_manifest_argument(parser)
    _add_profile_argument(parser, "draw")
    parser.add_argument(
        "--format",
        choices=("dot", "mermaid", "json"),
        default="dot",
        help="Graphviz dot, a Mermaid flowchart or JSON (default: dot)",
    )
    parser.set_defaults(handler=_run_graph)


def _run_graph(args: argparse.Namespace, streams: Streams) -> int:
    from mreg_codegen._project import display_path
    from mreg_codegen._render import render_graph

    manifest, path = _load(args.manifest)
    _warn_unnamed_profile(manifest, args.profile, display_path(path, Path.cwd().resolve()), streams)
    streams.out.write(render_graph(manifest, args.profile, args.format))
    return EXIT_OK


# -- list -----------------------------------------------------------------------------------


def _add_list(subparsers: _Subparsers) -> None:
    parser = subparsers.add_parser(
        "list",
        help="print a table of the manifest's plugins",
        description="Print name, version, type, capabilities and module of every plugin.",
    )
    _add_manifest_argument(parser)
    parser.set_defaults(handler=_run_list)


def _run_list(args: argparse.Namespace, streams: Streams) -> int:
    from mreg_codegen._render import plugin_table

    manifest, _ = _load(args.manifest)
    streams.out.write(plugin_table(manifest))
    return EXIT_OK


# -- the parser -----------------------------------------------------------------------------

SUBCOMMANDS: tuple[Callable[[_Subparsers], None], ...] = (
    _add_scan,
    _add_validate,
    _add_graph,
    _add_list,
    add_query_parser,
)
"""Every subcommand's ``_add_<name>`` function, in the order ``--help`` lists them."""


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``mreg-codegen``, with every subcommand in `SUBCOMMANDS`.

    Example:
        >>> build_parser().parse_args(["list", "m.json"]).manifest
        'm.json'
    """
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="The build step of mreg-di: find plugins without importing them, validate "
        "their dependency graph and write the manifest the runtime starts from.",
        epilog="Exit status: 0 ok, 1 problems found or manifest stale, 2 usage error.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for add in SUBCOMMANDS:
        add(subparsers)
    return parser


def run(argv: Sequence[str]) -> int:
    """Parse `argv` (without the program name), run the subcommand, return the exit status.

    Results go to ``sys.stdout`` and diagnostics to ``sys.stderr``, looked up at call time.

    Example:
        >>> run(["--version"])
        mreg-codegen 0.1.0
        0
    """
    streams = Streams(sys.stdout, sys.stderr)
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    handler: Handler = args.handler
    from mreg_codegen._project import UsageError
    from mreg_di._errors import ManifestError

    try:
        return handler(args, streams)
    except UsageError as exc:
        streams.err.write(f"{PROG} {args.command}: error: {exc}\n")
        return EXIT_USAGE
    except ManifestError as exc:
        streams.err.write(f"{PROG}: error: {exc}\n")
        return EXIT_PROBLEMS
    except KeyboardInterrupt:
        streams.err.write(f"{PROG}: interrupted\n")
        return EXIT_INTERRUPTED
