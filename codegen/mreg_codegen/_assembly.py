"""Assembling the manifest from the records' JSON form, and validating their graph.

Both work on the records as the scanner (or the cache) stores them: cached records never need
to become objects, except to validate the graph. mreg_di's manifest and graph modules are
imported inside the functions, so a warm re-scan that needs neither never loads networkx.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mreg_codegen import __version__
from mreg_codegen._cache import CacheCorruptError, CachedScan, FileResult
from mreg_codegen._project import SourceFile

if TYPE_CHECKING:
    from mreg_di._manifest import Manifest

__all__ = ["GENERATOR", "build_manifest", "declaring_files", "digest", "validate_graph"]

GENERATOR = f"mreg-codegen {__version__}"
"""What the manifest's ``generator`` field says."""


def digest(data: object) -> str:
    """The SHA-256 of `data`'s canonical JSON form (sorted keys, no spaces, ASCII)."""
    text = json.dumps(data, sort_keys=True, separators=(",", ":"))  # ASCII: surrogates too
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def validate_graph(
    unique: list[dict[str, Any]],
) -> tuple[tuple[dict[str, Any], ...], dict[str, list[str]]]:
    """Validate every profile's graph; return the problems (as JSON) and the start orders.

    Raises:
        CacheCorruptError: A record (read back from the cache) is malformed.
    """
    from mreg_di._graph import validate_profiles
    from mreg_di._resolve import RecordCatalogue
    from mreg_di._spec import PluginRecord

    try:
        records = [PluginRecord.from_json(raw) for raw in unique]
    except (KeyError, TypeError, ValueError) as exc:
        raise CacheCorruptError(f"a cached record is malformed: {exc!r}") from exc
    problems, orders = validate_profiles(RecordCatalogue(records))
    serialised = tuple(
        {**dataclasses.asdict(problem), "kind": problem.kind.value} for problem in problems
    )
    return serialised, orders


def declaring_files(
    files: Sequence[SourceFile],
    unique: list[dict[str, Any]],
    results: Sequence[FileResult | CachedScan],
) -> dict[str, str]:
    """The manifest's ``files`` map: each file declaring a record, to its SHA-256."""
    declaring = {raw["file"] for raw in unique}
    return {
        file.rel_file: result.sha256
        for file, result in zip(files, results, strict=True)
        if file.rel_file in declaring
    }


def build_manifest(
    unique: list[dict[str, Any]],
    files: dict[str, str],
    orders: dict[str, list[str]],
    *,
    source: str,
    directory: Path,
) -> Manifest:
    """Build the manifest, checked as the runtime checks it.

    Args:
        unique: One record (JSON form) per plugin name.
        files: The ``files`` map (`declaring_files`).
        orders: The start order of every profile.
        source: The manifest's path as messages show it.
        directory: The manifest's directory; file paths in it are relative to it.

    Raises:
        CacheCorruptError: The records do not make a valid manifest.
    """
    from mreg_di._errors import ManifestError
    from mreg_di._manifest import Manifest

    try:
        # From the records' JSON form: cached records never need to become objects.
        manifest = Manifest.from_raw_records(
            unique,
            files=files,
            order=orders,
            generator=GENERATOR,
            source=source,
            directory=directory,
        )
    except ManifestError as exc:
        raise CacheCorruptError(str(exc)) from exc
    return manifest
