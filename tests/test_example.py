"""The bundled example, examples/pipeline, run end to end as users run it.

Each run copies the example into a temporary directory and runs its ``run.py`` in a
subprocess (PYTHONPATH set to this checkout's ``src`` and ``codegen``), so the build step writes
its manifest into the copy and nothing is written into the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "pipeline"
SRC = EXAMPLE / "src"
COMMITTED_MANIFEST = SRC / "pipeline_demo" / "mreg-manifest.json"
DATA = EXAMPLE / "data" / "sensor-readings.csv"
VARIANTS = ("high-performance", "low-latency", "batch")
# A guard against a hung subprocess, not a speed assertion.
HANG_GUARD_SECONDS = 600


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO / "src"), str(REPO / "codegen")])
    env.pop("PIPELINE_KEY", None)
    env["PYTHONWARNINGS"] = "error::ResourceWarning"
    return env


def _copy_example(destination: Path) -> Path:
    copy = destination / "pipeline"
    shutil.copytree(
        EXAMPLE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".mreg-cache*")
    )
    return copy


def _run(example: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(example / "run.py"), *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )


def _codegen(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mreg_codegen", *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=HANG_GUARD_SECONDS,
        check=False,
    )


def _plugin_lines(stdout: str, plugin: str) -> list[str]:
    return [line.strip() for line in stdout.splitlines() if line.strip().startswith(f"[{plugin}]")]


class _Run:
    """One finished run of the example: its copy, work directory and output."""

    def __init__(self, copy: Path, workdir: Path, result: subprocess.CompletedProcess[str]):
        self.copy = copy
        self.workdir = workdir
        self.result = result
        self.stdout = result.stdout


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> _Run:
    base = tmp_path_factory.mktemp("production")
    copy = _copy_example(base)
    (copy / "src" / "pipeline_demo" / "mreg-manifest.json").unlink()
    workdir = base / "work"
    return _Run(copy, workdir, _run(copy, base, "--workdir", str(workdir)))


@pytest.fixture(scope="module")
def development(tmp_path_factory: pytest.TempPathFactory) -> _Run:
    base = tmp_path_factory.mktemp("development")
    copy = _copy_example(base)
    workdir = base / "work"
    return _Run(
        copy, workdir, _run(copy, base, "--profile", "development", "--workdir", str(workdir))
    )


class TestProductionRun:
    """``python examples/pipeline/run.py``: the README's first command after installing."""

    def test_succeeds_without_anything_on_stderr(self, production: _Run) -> None:
        """The run exits 0 and writes nothing to stderr (no traceback, no warning)."""
        assert production.result.returncode == 0, production.stdout + production.result.stderr
        assert production.result.stderr == ""

    def test_build_step_generates_the_committed_manifest(self, production: _Run) -> None:
        """The build step writes a manifest byte-identical to the committed one."""
        generated = production.copy / "src" / "pipeline_demo" / "mreg-manifest.json"
        assert "$ mreg-codegen scan " in production.stdout
        assert generated.read_bytes() == COMMITTED_MANIFEST.read_bytes()

    def test_no_plugin_module_is_imported_by_start_up(self, production: _Run) -> None:
        """Right after from_manifest, no module of the plugin package has been imported."""
        assert "   plugin modules imported so far: none\n" in production.stdout

    def test_round_trip_is_verified(self, production: _Run) -> None:
        """The data file comes back byte for byte after storing and loading."""
        size = f"{DATA.stat().st_size:,}"
        assert f"round trip verified: {size} bytes in, {size} bytes out, sha256 " in (
            production.stdout
        )

    def test_each_step_is_done_by_its_plugin(self, production: _Run) -> None:
        """Every plugin of the production profile reports the work it did."""
        out = production.stdout
        assert _plugin_lines(out, "byte-analyzer")[0].startswith("[byte-analyzer] analyze: 19,984")
        expected = {
            "zlib-compressor": ("compress: 19,984 -> ", "decompress: "),
            "hmac-ctr-cipher": ("initialize: ", "encrypt: ", "decrypt: tag verified", "cleanup: "),
            "fs-storage": ("initialize: ", "put: wrote ", "get: read ", "cleanup: "),
            "ingest-pipeline": ("ingest 'sensor-readings.csv'", "retrieve 'sensor-readings.csv'"),
            "metrics-collector": ("initialize: ", "cleanup: "),
            "metrics-file-sink": ("initialize (async): ", "cleanup (async): "),
            "gzip-compressor": ("compress: 19,984 -> ", "decompress: "),
            "processor-factory": tuple(f"{variant}: 19,984 -> " for variant in VARIANTS),
        }
        for plugin, starts in expected.items():
            lines = _plugin_lines(out, plugin)
            for start in starts:
                assert any(line.startswith(f"[{plugin}] {start}") for line in lines), (
                    plugin,
                    start,
                    lines,
                )

    def test_the_real_storage_is_used_and_writes_files(self, production: _Run) -> None:
        """Production stores the sealed blob as a file in the work directory."""
        assert "storage in use: FileSystemStorage, files in " in production.stdout
        blob = production.workdir / "store" / "sensor-readings.csv.blob"
        assert blob.read_bytes().startswith(b"MRC1")
        assert b"greenhouse" not in blob.read_bytes()

    def test_tampering_is_detected(self, production: _Run) -> None:
        """A flipped bit and a blob moved to another key both fail authentication."""
        assert "one flipped bit: rejected (hmac-ctr-cipher: authentication failed" in (
            production.stdout
        )
        assert "intact blob stored under another key: rejected (hmac-ctr-cipher: " in (
            production.stdout
        )

    def test_development_profile_swaps_in_the_mock(self, production: _Run) -> None:
        """Asking the development profile for Storage gives the in-memory mock."""
        assert "profile 'development': Storage -> MemoryStorage, process memory (mock)\n" in (
            production.stdout
        )
        assert "profile 'production': Storage -> FileSystemStorage, files in " in (
            production.stdout
        )

    def test_discovery_answers_every_query_without_imports(self, production: _Run) -> None:
        """Each discovery query prints an answer and discovery imports no plugin module."""
        out = production.stdout
        assert re.search(r"type 'storage': fs-storage 1\.3\.0\n", out)
        assert re.search(r"type 'compressor', version >=2\.0: zlib-compressor 2\.1\.0\n", out)
        assert re.search(
            r"capabilities encryption \(\+ integrity preferred\): hmac-ctr-cipher", out
        )
        assert re.search(
            r"capabilities compression \(\+ archival preferred\): gzip-compressor 1\.4\.0, "
            r"zlib-compressor 2\.1\.0, processor-factory 1\.0\.0\n",
            out,
        )
        assert re.search(
            r"provides MetricsSink: metrics-collector 1\.0\.0, metrics-file-sink 1\.0\.0\n", out
        )
        assert re.search(r"semantic 'compress data': (zlib|gzip)-compressor \(", out)
        assert "plugin modules imported by discovery: none\n" in out

    def test_each_factory_variant_is_built_and_round_trips(self, production: _Run) -> None:
        """Every declared variant builds a processor whose output restores exactly."""
        out = production.stdout
        assert "factories: processor-factory [high-performance, low-latency, batch]\n" in out
        frames = {}
        for variant in VARIANTS:
            match = re.search(
                rf"built {variant}: (\d+) frame\(s\), [\d,]+ bytes .*round trip ok", out
            )
            assert match, variant
            frames[variant] = int(match.group(1))
        assert frames["batch"] == 1
        assert frames["low-latency"] > frames["high-performance"] > 1

    def test_metrics_reach_both_sinks(self, production: _Run) -> None:
        """The collector's summary is printed and the file sink wrote parseable JSON lines."""
        assert re.search(r"zlib-compressor: bytes_in=[\d,]+, bytes_out=[\d,]+", production.stdout)
        lines = (production.workdir / "metrics.jsonl").read_text().splitlines()
        records = [json.loads(line) for line in lines]
        assert all(set(record) == {"metric", "source", "value"} for record in records)
        assert {record["source"] for record in records} >= {
            "byte-analyzer",
            "fs-storage",
            "hmac-ctr-cipher",
            "ingest-pipeline",
            "zlib-compressor",
        }

    def test_shutdown_cleans_up_in_reverse_initialize_order(self, production: _Run) -> None:
        """Plugins are cleaned up in exactly the reverse of the order they were initialized."""
        out = production.stdout
        started = re.findall(r"\[([\w-]+)\] initialize", out)
        stopped = re.findall(r"\[([\w-]+)\] cleanup", out)
        assert len(started) == 4
        assert stopped == started[::-1]
        assert out.index("== 8. Shutdown") < out.index(f"[{stopped[0]}] cleanup")
        assert out.rstrip().endswith("shut down cleanly")


class TestDevelopmentRun:
    """``run.py --profile development``: the mock storage replaces the file-system one."""

    def test_succeeds(self, development: _Run) -> None:
        """The run exits 0 and verifies the round trip."""
        assert development.result.returncode == 0, development.stdout + development.result.stderr
        assert "round trip verified: 19,984 bytes in, 19,984 bytes out" in development.stdout

    def test_the_mock_storage_does_the_storing(self, development: _Run) -> None:
        """memory-storage keeps the blob and no blob file is written."""
        out = development.stdout
        assert "storage in use: MemoryStorage, process memory (mock)" in out
        assert any(
            line.startswith("[memory-storage] put: kept ")
            for line in _plugin_lines(out, "memory-storage")
        )
        assert not any("put: wrote" in line for line in _plugin_lines(out, "fs-storage"))
        assert list((development.workdir / "store").glob("*.blob")) == []


class TestBuildStepFailures:
    """The build step stops a broken example before anything starts."""

    def test_missing_binding_stops_the_run(self, tmp_path: Path) -> None:
        """A plugin needing an interface nobody provides fails the scan and nothing starts."""
        copy = _copy_example(tmp_path)
        storage = copy / "src" / "pipeline_demo" / "storage.py"
        storage.write_text(storage.read_text().replace("provides=[Storage],", "provides=[],"))
        result = _run(copy, tmp_path, "--workdir", str(tmp_path / "work"))
        assert result.returncode == 1
        assert "`ingest-pipeline` needs `pipeline_demo.interfaces.Storage`" in result.stdout
        assert "the build step failed (exit 1); nothing was started" in result.stdout
        assert "== 2. Start-up" not in result.stdout

    def test_bad_cipher_key_is_reported(self, tmp_path: Path) -> None:
        """A key that is not 64 hex digits fails start-up with the cipher's message."""
        copy = _copy_example(tmp_path)
        result = _run(copy, tmp_path, "--workdir", str(tmp_path / "work"), "--key", "zz")
        assert result.returncode == 1
        assert "hmac-ctr-cipher: key must be 64 hex digits (256 bits), got 2 characters" in (
            result.stdout + result.stderr
        )


class TestCommittedManifest:
    """examples/pipeline/src/pipeline_demo/mreg-manifest.json cannot drift from the source."""

    def test_is_up_to_date(self, tmp_path: Path) -> None:
        """``mreg-codegen scan --check`` on the committed manifest exits 0."""
        result = _codegen(
            "scan", str(SRC), "--output", str(COMMITTED_MANIFEST), "--check", cwd=tmp_path
        )
        assert result.returncode == 0, result.stdout + result.stderr

    def test_check_notices_a_changed_plugin(self, tmp_path: Path) -> None:
        """After a declaration changes, ``--check`` exits 1: the freshness test can fail."""
        copy = _copy_example(tmp_path)
        analysis = copy / "src" / "pipeline_demo" / "analysis.py"
        analysis.write_text(analysis.read_text().replace('version="1.2.0"', 'version="1.2.1"'))
        result = _codegen(
            "scan",
            str(copy / "src"),
            "--output",
            str(copy / "src" / "pipeline_demo" / "mreg-manifest.json"),
            "--check",
            cwd=tmp_path,
        )
        assert result.returncode == 1
        assert '"1.2.1"' in result.stdout


class TestExampleDocstrings:
    """The examples in the example package's docstrings are right."""

    def test_docstring_examples_pass(self, tmp_path: Path) -> None:
        """doctest runs the examples of every pipeline_demo module and none fails."""
        modules = sorted(
            "pipeline_demo" if path.stem == "__init__" else f"pipeline_demo.{path.stem}"
            for path in (SRC / "pipeline_demo").glob("*.py")
        )
        script = (
            "import doctest, importlib\n"
            f"results = [doctest.testmod(importlib.import_module(m)) for m in {modules!r}]\n"
            "print(sum(r.attempted for r in results), sum(r.failed for r in results))\n"
        )
        env = _env()
        env["PYTHONPATH"] += os.pathsep + str(SRC)
        env["TMPDIR"] = str(tmp_path)  # some examples make temporary directories
        result = subprocess.run(
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG_GUARD_SECONDS,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        attempted, failed = map(int, result.stdout.split()[-2:])
        assert failed == 0, result.stdout
        assert attempted >= 20
