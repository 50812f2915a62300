"""The checks no single file can make: duplicate plugin names, unimportable modules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mreg_codegen._cache import CacheCorruptError
from mreg_codegen._diagnostics import Diagnostic, diagnostic_at
from mreg_codegen._graph_diagnostics import SourceTexts
from mreg_codegen._project import SourceFile

__all__ = ["check_across_files"]


def check_across_files(
    records: list[tuple[SourceFile, dict[str, Any]]],
    diagnostics: list[Diagnostic],
) -> list[dict[str, Any]]:
    """Report duplicate names and unimportable modules; return one record per name.

    The first declaration of a name, in (file, line, column) order, is the one kept.

    Raises:
        CacheCorruptError: A record (read back from the cache) is malformed.
    """
    sources = SourceTexts()
    try:
        ordered = sorted(
            records, key=lambda item: (item[1]["file"], item[1]["line"], item[1]["column"])
        )
        first: dict[str, tuple[SourceFile, dict[str, Any]]] = {}
        unique: list[dict[str, Any]] = []
        for file, raw in ordered:
            name = raw["name"]
            if not file.is_importable:
                diagnostics.append(_unimportable(file, raw, sources))
            if name in first:
                diagnostics.append(_duplicate(file, raw, *first[name], sources))
                continue
            first[name] = (file, raw)
            unique.append(raw)
    except (KeyError, TypeError) as exc:
        raise CacheCorruptError(f"a cached record is malformed: {exc!r}") from exc
    return unique


def _unimportable(file: SourceFile, raw: dict[str, Any], sources: SourceTexts) -> Diagnostic:
    return diagnostic_at(
        file.display,
        sources.text(Path(file.path)),
        raw["line"],
        raw["column"],
        "unimportable-module",
        f"plugin `{raw['name']}` is declared in {file.display}, whose module name "
        f"{file.module!r} cannot be imported",
        hint="rename the file or directory to a valid Python identifier, or pass the "
        "right import root as SRC",
    )


def _duplicate(
    file: SourceFile,
    raw: dict[str, Any],
    first_file: SourceFile,
    first_raw: dict[str, Any],
    sources: SourceTexts,
) -> Diagnostic:
    here = f"{file.display}:{raw['line']}"
    there = f"{first_file.display}:{first_raw['line']}"
    return diagnostic_at(
        file.display,
        sources.text(Path(file.path)),
        raw["line"],
        raw["column"],
        "duplicate-name",
        f"plugin name `{raw['name']}` is declared twice: at {there} "
        f"(`{first_raw['module']}.{first_raw['qualname']}`) and at {here} "
        f"(`{raw['module']}.{raw['qualname']}`)",
        hint="plugin names must be unique in a manifest; rename one of them",
    )
