"""Run the mreg-di example pipeline end to end, printing what every plugin does.

One command does everything a real application does, in order:

1. **Build step**: ``mreg-codegen scan`` reads ``examples/pipeline/src`` without importing it and
   writes ``src/pipeline_demo/mreg-manifest.json``.
2. **Start-up**: ``ModuleRegistry.from_manifest`` (no plugin module imported yet),
   ``validate()``, then ``await astart()`` (one plugin has async ``initialize``/``cleanup``).
3. **Real work**: a CSV file is analyzed, compressed, encrypted and stored, then loaded back,
   decrypted, decompressed and checked byte for byte; tampering is shown to be detected.
4. **Profiles**: in ``development`` the mock storage replaces the file-system one.
5. **Discovery**: by type, capability, version and meaning, answered from the manifest.
6. **Factory variants**: one processor per variant, each doing a real round trip.
7. **Shutdown**: ``await ashutdown()`` cleans up in reverse order.

Usage::

    python -m pip install -e . && python examples/pipeline/run.py
    python examples/pipeline/run.py --profile development --workdir /tmp/pipeline

The key for the demonstration cipher comes from ``--key`` or the ``PIPELINE_KEY`` environment
variable (64 hex digits); without either, a random key is made for the run.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import logging
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mreg_di import ModuleRegistry

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
PACKAGE = "pipeline_demo"
DEFAULT_MANIFEST = SRC / PACKAGE / "mreg-manifest.json"
DEFAULT_DATA = HERE / "data" / "sensor-readings.csv"
PROFILES = ("production", "development")

# Plugins whose per-call log lines would drown the factory section; they are quiet there.
_CHATTY = ("zlib-compressor", "gzip-compressor", "hmac-ctr-cipher")


class _PluginFormatter(logging.Formatter):
    """``    [fs-storage] put: ...``: the plugin's name instead of the logger's."""

    def format(self, record: logging.LogRecord) -> str:
        name = record.name.removeprefix(f"{PACKAGE}.")
        return f"    [{name}] {record.getMessage()}"


def _section(number: int, title: str) -> None:
    print(f"\n== {number}. {title}")


def _say(text: str) -> None:
    print(f"   {text}")


def _shown(path: Path) -> str:
    """`path` relative to the working directory when it is inside it, for shorter lines."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _plugin_modules() -> list[str]:
    return sorted(name for name in sys.modules if name.startswith(f"{PACKAGE}."))


@contextlib.contextmanager
def _quiet(*plugins: str) -> Iterator[None]:
    loggers = [logging.getLogger(f"{PACKAGE}.{name}") for name in plugins]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def build_manifest(manifest: Path) -> int:
    """Run the build step, ``mreg-codegen scan``, in a subprocess; return its exit code."""
    # Eight files scan in milliseconds: no incremental cache, so the run leaves nothing behind.
    arguments = ["scan", str(SRC), "--output", str(manifest), "--no-cache"]
    print(f"   $ mreg-codegen scan {_shown(SRC)} --output {_shown(manifest)} --no-cache")
    command = [sys.executable, "-m", "mreg_codegen", *arguments]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    for line in [*result.stdout.splitlines(), *result.stderr.splitlines()]:
        print(f"     {line}")
    if result.returncode != 0 and "No module named mreg_codegen" in result.stderr:
        _say("Hint: install the project first: python -m pip install -e .")
    return result.returncode


def _config(workdir: Path, key: str, level: int) -> dict[str, dict[str, Any]]:
    """Per-plugin constructor arguments (plugin name -> parameter -> value)."""
    return {
        "fs-storage": {"root": str(workdir / "store")},
        "zlib-compressor": {"level": level},
        "gzip-compressor": {"level": 9},
        "hmac-ctr-cipher": {"key": key},
        "metrics-file-sink": {"path": str(workdir / "metrics.jsonl")},
    }


def _number(value: float) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.2f}"


def _names(specs: Sequence[Any]) -> str:
    return ", ".join(f"{spec.name} {spec.version}" for spec in specs) or "(none)"


async def run_pipeline(args: argparse.Namespace, workdir: Path) -> int:
    """Everything after the build step; returns the exit code."""
    from mreg_di import ModuleRegistry

    key = args.key or os.environ.get("PIPELINE_KEY") or secrets.token_hex(32)
    key_origin = (
        "--key" if args.key else "PIPELINE_KEY" if os.environ.get("PIPELINE_KEY") else "random"
    )
    config = _config(workdir, key, args.level)

    _section(2, f"Start-up (profile {args.profile!r})")
    started = time.perf_counter()
    registry = ModuleRegistry.from_manifest(args.manifest, profile=args.profile, config=config)
    elapsed_ms = (time.perf_counter() - started) * 1000
    _say(f"from_manifest: ready in {elapsed_ms:.1f} ms")
    registry.validate()
    _say("validate(): the graph is complete, unambiguous and acyclic")
    _say(f"plugin modules imported so far: {', '.join(_plugin_modules()) or 'none'}")
    _say(f"cipher key: {key_origin} (256 bits, not shown)")
    _say("astart(): initializing the active singletons in dependency order")
    await registry.astart()
    try:
        code = await _work(registry, args, workdir, config)
    finally:
        _section(8, "Shutdown")
        _say("ashutdown(): cleaning up in reverse order")
        await registry.ashutdown()
    _say("shut down cleanly" if code == 0 else "shut down; the run FAILED (see above)")
    return code


async def _work(
    registry: ModuleRegistry, args: argparse.Namespace, workdir: Path, config: dict[str, Any]
) -> int:
    from pipeline_demo.interfaces import Cipher, Storage

    from mreg_di import ModuleRegistry

    data_path: Path = args.data
    data = data_path.read_bytes()
    key = data_path.name
    _say(f"plugin modules imported now: {', '.join(_plugin_modules())}")

    _section(3, f"Round trip of {_shown(data_path)} ({len(data):,} bytes)")
    pipeline = registry.create_plugin("ingest-pipeline")
    # mypy rejects a Protocol where type[T] is expected (python/mypy#4717); the call is fine.
    storage = registry.get(Storage)  # type: ignore[type-abstract]
    _say(f"storage in use: {type(storage).__name__}, {storage.describe()}")
    receipt = pipeline.ingest(key, data)
    restored = pipeline.retrieve(key)
    digest = hashlib.sha256(restored).hexdigest()
    if restored != data or digest != receipt.sha256:
        _say(f"ROUND TRIP FAILED: {len(data):,} bytes in, {len(restored):,} bytes out")
        return 1
    _say(
        f"round trip verified: {len(data):,} bytes in, {len(restored):,} bytes out, "
        f"sha256 {digest[:12]}... identical"
    )
    _say(
        f"stored {receipt.stored_size:,} bytes for {receipt.analysis.size:,} "
        f"({receipt.analysis.size / receipt.stored_size:.2f}x smaller, encrypted)"
    )
    blob = storage.get(key)
    cipher = registry.get(Cipher)  # type: ignore[type-abstract]
    flipped = blob[:-40] + bytes([blob[-40] ^ 0x01]) + blob[-39:]
    try:
        cipher.decrypt(flipped, key.encode())
    except ValueError as exc:
        _say(f"one flipped bit: rejected ({exc})")
    else:
        _say("TAMPERING NOT DETECTED: a flipped bit decrypted")
        return 1
    storage.put("moved-copy", blob)
    try:
        pipeline.retrieve("moved-copy")
    except ValueError as exc:
        _say(f"intact blob stored under another key: rejected ({exc})")
    else:
        _say("TAMPERING NOT DETECTED: a blob moved to another key decrypted")
        return 1

    _section(4, "Profiles: the development mock")
    other = "development" if args.profile != "development" else "production"
    peer = ModuleRegistry.from_manifest(args.manifest, profile=other, config=config)
    peer_storage = peer.get(Storage)  # type: ignore[type-abstract]
    for profile, bound in ((args.profile, storage), (other, peer_storage)):
        _say(f"profile {profile!r}: Storage -> {type(bound).__name__}, {bound.describe()}")
    _say("same manifest, same consumers: in development the mock wins by priority 10 > 0")

    _section(5, "Discovery (answered from the manifest, no plugin imported)")
    before = set(sys.modules)
    by_type = registry.discover_plugins(type="storage")
    _say(f"type 'storage': {_names(by_type)}")
    compressors = registry.discover_plugins(type="compressor", version=">=2.0")
    _say(f"type 'compressor', version >=2.0: {_names(compressors)}")
    secure = registry.discover_plugins_by_capabilities(["encryption"], optional=["integrity"])
    _say(f"capabilities encryption (+ integrity preferred): {_names(secure)}")
    archival = registry.discover_plugins_by_capabilities(["compression"], optional=["archival"])
    _say(f"capabilities compression (+ archival preferred): {_names(archival)}")
    archiver = registry.create_plugin(archival[0].name)
    _say(f"created the best match by name, {archival[0].name}: {type(archiver).__name__}")
    archived = archiver.compress(data)
    if archiver.decompress(archived) != data:
        _say(f"{archival[0].name}: ROUND TRIP FAILED")
        return 1
    sinks = registry.discover_plugins(provides="pipeline_demo.interfaces.MetricsSink")
    _say(f"provides MetricsSink: {_names(sinks)}")
    for intent in ("compress data", "encrypt data", "store files on disk"):
        ranked = registry.discover_plugins_semantically(intent)
        shown = ", ".join(f"{spec.name} ({score:.2f})" for spec, score in ranked[:3])
        _say(f"semantic {intent!r}: {shown}")
    explained = registry.discover_plugins_semantically(
        "process data", context="high performance", explain=True
    )
    best = explained[0]
    _say(f"semantic 'process data' in context 'high performance': {best.name} ({best.score:.2f})")
    for term in best.terms:
        fields = ", ".join(term.fields)
        _say(f"  {term.source} word {term.word!r} matched in {fields} (+{term.score:.2f})")
    new_modules = sorted(m for m in set(sys.modules) - before if m.startswith(PACKAGE))
    _say(f"plugin modules imported by discovery: {', '.join(new_modules) or 'none'}")

    _section(6, "Processor factory: one processor per variant")
    factories = registry.factories()
    _say("factories: " + "; ".join(f"{n} [{', '.join(v)}]" for n, v in factories.items()))
    variants = factories["processor-factory"]
    with _quiet(*_CHATTY):
        for variant in variants:
            processor = registry.create_plugin_from_factory("processor-factory", variant)
            container = processor.process(data)
            if processor.restore(container) != data:
                _say(f"{variant}: ROUND TRIP FAILED")
                return 1
            _say(
                f"built {variant}: {processor.frames} frame(s), {len(container):,} bytes "
                f"({len(data) / len(container):.2f}x), round trip ok"
            )

    _section(7, "Metrics collected by the monitoring sinks")
    summary = registry.create_plugin("metrics-collector").summary()
    for source, metrics in summary.items():
        values = ", ".join(f"{name}={_number(value)}" for name, value in metrics.items())
        _say(f"{source}: {values}")
    return 0


def _parse(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Run the mreg-di example pipeline end to end.",
    )
    parser.add_argument(
        "--profile",
        choices=PROFILES,
        default="production",
        help="production: files on disk; development: the in-memory mock storage",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="where stored blobs and metrics go (kept); default: a temporary directory",
    )
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="the file to process")
    parser.add_argument(
        "--manifest", type=Path, default=DEFAULT_MANIFEST, help="where the build step writes"
    )
    parser.add_argument("--level", type=int, default=6, help="zlib compression level, 0-9")
    parser.add_argument("--key", help="cipher key, 64 hex digits (default: $PIPELINE_KEY)")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Build, start, work, shut down; return the process exit code."""
    args = _parse(argv)
    args.data = args.data.resolve()
    args.manifest = args.manifest.resolve()
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(_PluginFormatter())
    logger = logging.getLogger(PACKAGE)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False

    print("mreg-di example: a data pipeline made of plugins")
    _section(1, "Build step: scan the source tree without importing it")
    code = build_manifest(args.manifest)
    if code != 0:
        _say(f"the build step failed (exit {code}); nothing was started")
        return code

    # The scanned tree is an import root: put it on sys.path, as an installed package would be.
    sys.path.insert(0, str(SRC))
    from mreg_di import MregError

    with contextlib.ExitStack() as stack:
        if args.workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="pipeline-")))
            _say(f"work directory: {workdir} (removed at exit; --workdir DIR keeps it)")
        else:
            workdir = args.workdir.resolve()
            workdir.mkdir(parents=True, exist_ok=True)
        try:
            return asyncio.run(run_pipeline(args, workdir))
        except MregError as exc:
            print(f"\nerror: {exc}", file=sys.stderr)
            return 1


if __name__ == "__main__":
    sys.exit(main())
