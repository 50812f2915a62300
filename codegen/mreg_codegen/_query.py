"""``mreg-codegen query``: discovery from the command line, answered offline from a manifest.

Structured queries (``--type``, ``--capability``, ``--optional-capability``, ``--provides``,
``--version-spec``, ``--metadata``) rank like ``registry.discover_plugins``: by optional
capabilities matched, then priority, then name. With ``--intent`` the query is semantic, like
``registry.discover_plugins_semantically``: ``--context`` adds softer words, ``--capability``
becomes a requirement, ``--explain`` shows which terms matched in which field.

Exit status, like ``grep``'s within this CLI's conventions: 0 when at least one plugin
matches; 1 when none does (with hints on stderr), or when the manifest cannot be read; 2 for a
usage error, such as an invalid version specifier or an option that does not fit the mode.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mreg_codegen._cli import Streams
    from mreg_di._discovery import Discovery
    from mreg_di._manifest import Manifest
    from mreg_di._semantic import SemanticMatch
    from mreg_di._spec import PluginSpec

__all__ = ["add_query_parser", "parse_metadata", "run_query"]

_PROG = "mreg-codegen query"
_EXIT_OK, _EXIT_NO_MATCH, _EXIT_USAGE = 0, 1, 2
_STRUCTURED_ONLY = ("optional_capability", "provides", "version_spec", "metadata")
_SEMANTIC_ONLY = ("context", "explain")
_SHOWN = 5  # plugins named in a hint; never the whole catalogue


class QueryUsageError(Exception):
    """The options do not make a query (reported with exit status 2)."""


def add_query_parser(subparsers: Any) -> None:
    """Declare the ``query`` subcommand and its options on `subparsers`.

    Example:
        >>> parser = argparse.ArgumentParser(prog="mreg-codegen")
        >>> add_query_parser(parser.add_subparsers(dest="command"))
        >>> args = parser.parse_args(["query", "m.json", "--capability", "encryption"])
        >>> args.capability, args.profile, args.format
        (['encryption'], 'default', 'text')
    """
    parser = subparsers.add_parser(
        "query",
        help="find plugins in a manifest by type, capability or meaning",
        description="Answer a discovery query from MANIFEST alone, without importing any "
        "plugin. Without --intent the query is structured; with --intent it is semantic "
        "(BM25F over name, description, type, capabilities and metadata).",
        epilog="Exit status: 0 when a plugin matches, 1 when none does or the manifest "
        "cannot be read, 2 for a usage error.",
    )
    parser.add_argument("manifest", metavar="MANIFEST", help="a manifest written by `scan`")
    parser.add_argument("--type", metavar="T", help="only plugins of type T")
    parser.add_argument(
        "--capability",
        action="append",
        default=[],
        metavar="C",
        help="only plugins declaring capability C (repeatable; with --intent: a requirement)",
    )
    parser.add_argument(
        "--optional-capability",
        action="append",
        default=[],
        metavar="C",
        help="rank plugins declaring C higher (repeatable)",
    )
    parser.add_argument(
        "--provides", metavar="INTERFACE", help="only plugins bound to this qualified name"
    )
    parser.add_argument(
        "--version-spec",
        metavar="SPEC",
        help="only versions satisfying PEP 440 specifiers, e.g. '>=2.0,<3' (a bare version "
        "means ==)",
    )
    parser.add_argument(
        "--metadata",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="only plugins whose metadata has KEY equal to VALUE; VALUE is read as JSON when "
        'it is JSON (true, 6, null, ["a"]) and as a string otherwise (repeatable)',
    )
    parser.add_argument(
        "--intent", metavar="TEXT", help="rank plugins by meaning, e.g. 'compress data'"
    )
    parser.add_argument(
        "--context", metavar="TEXT", help="softer words for --intent, e.g. 'high performance'"
    )
    parser.add_argument(
        "--explain", action="store_true", help="with --intent: show the terms matched per field"
    )
    parser.add_argument("--limit", type=_positive_int, metavar="N", help="print at most N plugins")
    parser.add_argument(
        "--profile",
        metavar="P",
        default="default",
        help="query the plugins active in profile P (default: 'default', the plugins without "
        "profiles; '*' for every plugin)",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="a table for people or JSON for programs (default: text)",
    )
    parser.set_defaults(handler=run_query)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, not {text!r}")
    return value


def parse_metadata(items: Sequence[str]) -> dict[str, Any]:
    """``KEY=VALUE`` options as a metadata filter; a VALUE that is JSON is read as JSON.

    Example:
        >>> parse_metadata(["persistent=true", "engine=redis", "level=6", "tag=\\"6\\""])
        {'persistent': True, 'engine': 'redis', 'level': 6, 'tag': '6'}
        >>> parse_metadata(["engine"])  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        mreg_codegen._query.QueryUsageError: --metadata 'engine' must be KEY=VALUE, e.g. ...
    """
    found: dict[str, Any] = {}
    for item in items:
        key, sep, text = item.partition("=")
        if not sep or not key:
            example = f"{key or 'engine'}=redis"
            raise QueryUsageError(f"--metadata {item!r} must be KEY=VALUE, e.g. {example}")
        try:
            found[key] = json.loads(text)
        except json.JSONDecodeError:
            found[key] = text
    return found


def _check_mode(args: argparse.Namespace) -> None:
    semantic = args.intent is not None
    wrong = _STRUCTURED_ONLY if semantic else _SEMANTIC_ONLY
    for option in wrong:
        if getattr(args, option):
            flag = "--" + option.replace("_", "-")
            if semantic:
                raise QueryUsageError(
                    f"{flag} does not apply to a semantic query (--intent)\n"
                    "Hint: semantic queries take --type, --capability (as requirements), "
                    "--context, --explain, --limit and --profile"
                )
            raise QueryUsageError(f"{flag} needs --intent\nHint: add --intent 'what it does'")


def run_query(args: argparse.Namespace, streams: Streams | None = None) -> int:
    """Run a parsed ``query`` command; results to ``streams.out``, hints to ``streams.err``.

    Returns:
        0 when a plugin matches, 1 when none does, 2 when the options are wrong.
        A manifest that cannot be read raises `ManifestError` (the CLI reports it, status 1).
    """
    out = sys.stdout if streams is None else streams.out
    err = sys.stderr if streams is None else streams.err
    from mreg_di._discovery import Discovery
    from mreg_di._manifest import Manifest

    try:
        _check_mode(args)
        metadata = parse_metadata(args.metadata)
    except QueryUsageError as exc:
        err.write(f"{_PROG}: error: {exc}\n")
        return _EXIT_USAGE
    manifest = Manifest.load(args.manifest)
    discovery = Discovery(manifest)
    try:
        if args.intent is not None:
            matches = discovery.discover_semantically(
                args.intent,
                args.context,
                args.capability,
                profile=args.profile,
                type=args.type,
                limit=args.limit,
                explain=True,
            )
            specs = [match.spec for match in matches]
        else:
            matches = []
            specs = discovery.discover(
                args.profile,
                type=args.type,
                capabilities=args.capability,
                optional_capabilities=args.optional_capability,
                provides=args.provides,
                version=args.version_spec,
                metadata=metadata or None,
            )[: args.limit]
    except (TypeError, ValueError) as exc:
        err.write(f"{_PROG}: error: {exc}\n")
        return _EXIT_USAGE
    if args.format == "json":
        out.write(_json(manifest, args, metadata, specs, matches))
    elif specs:
        out.write(_text(specs, matches, explain=args.explain))
    if not specs:
        err.write(f"{_PROG}: no plugin matches in profile `{args.profile}`\n")
        for hint in _hints(discovery, args, metadata):
            err.write(f"Hint: {hint}\n")
        return _EXIT_NO_MATCH
    return _EXIT_OK


def _text(specs: Sequence[PluginSpec], matches: Sequence[SemanticMatch], *, explain: bool) -> str:
    from mreg_codegen._render import format_table

    if explain:
        return "\n\n".join(match.explain() for match in matches) + "\n"
    header = ["NAME", "VERSION", "TYPE", "PRIORITY", "CAPABILITIES"]
    rows = [
        [s.name, s.version, s.type, str(s.priority), ", ".join(s.capabilities) or "-"]
        for s in specs
    ]
    if matches:
        header.insert(0, "SCORE")
        for row, match in zip(rows, matches, strict=True):
            row.insert(0, f"{match.score:.4f}")
    return format_table(header, rows)


def _json(
    manifest: Manifest,
    args: argparse.Namespace,
    metadata: dict[str, Any],
    specs: Sequence[PluginSpec],
    matches: Sequence[SemanticMatch],
) -> str:
    if args.intent is not None:
        query: dict[str, Any] = {
            "intent": args.intent,
            "context": args.context,
            "requirements": args.capability,
            "type": args.type,
            "limit": args.limit,
        }
    else:
        query = {
            "type": args.type,
            "capabilities": args.capability,
            "optional_capabilities": args.optional_capability,
            "provides": args.provides,
            "version": args.version_spec,
            "metadata": metadata,
            "limit": args.limit,
        }
    plugins = []
    for position, spec in enumerate(specs):
        record = manifest.record(spec.name)
        item = record.to_json()
        del item["parameters"]
        if matches:
            match = matches[position]
            item["score"] = match.score
            item["matches"] = [
                {
                    "term": term.term,
                    "word": term.word,
                    "source": term.source,
                    "fields": dict(term.fields),
                    "score": term.score,
                }
                for term in match.terms
            ]
        plugins.append(item)
    document = {"profile": args.profile, "query": query, "plugins": plugins}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _hints(discovery: Discovery, args: argparse.Namespace, metadata: dict[str, Any]) -> list[str]:
    """Why nothing matched, as far as the catalogue can tell, with a way out."""
    from mreg_di._validation import close_matches

    hints: list[str] = []
    known = discovery.capabilities()
    for capability in args.capability:
        if capability not in known:
            near = close_matches(capability, known)
            hints.append(f"no plugin declares capability `{capability}`{_did_you_mean(near)}")
    types = discovery.types()
    if args.type is not None and args.type not in types:
        near = close_matches(args.type, types)
        suffix = _did_you_mean(near) or f"; the types are {', '.join(types)}"
        hints.append(f"no plugin has type `{args.type}`{suffix}")
    if not hints and args.profile != "*":
        elsewhere = _elsewhere(discovery, args, metadata)
        if elsewhere:
            shown = [f"`{spec.name}` ({', '.join(spec.profiles)})" for spec in elsewhere[:_SHOWN]]
            more = f" and {len(elsewhere) - _SHOWN} more" if len(elsewhere) > _SHOWN else ""
            verb = "matches" if len(elsewhere) == 1 else "match"
            hints.append(
                f"{', '.join(shown)}{more} {verb} in other profiles; pass --profile with one "
                "of them, or --profile '*' for every plugin"
            )
    return hints


def _did_you_mean(names: Sequence[str]) -> str:
    return "; did you mean " + ", ".join(f"`{n}`" for n in names) + "?" if names else ""


def _elsewhere(
    discovery: Discovery, args: argparse.Namespace, metadata: dict[str, Any]
) -> list[PluginSpec]:
    if args.intent is not None:
        found = discovery.discover_semantically(
            args.intent, args.context, args.capability, profile="*", type=args.type
        )
        return [spec for spec, _ in found]
    return discovery.discover(
        "*",
        type=args.type,
        capabilities=args.capability,
        optional_capabilities=args.optional_capability,
        provides=args.provides,
        version=args.version_spec,
        metadata=metadata or None,
    )
