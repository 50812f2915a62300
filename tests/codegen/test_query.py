"""Tests for mreg_codegen._query: ``mreg-codegen query`` on the runtime tests' catalogue."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mreg_codegen._cli import Streams, build_parser
from mreg_codegen._query import QueryUsageError, parse_metadata

REPO = Path(__file__).resolve().parents[2]
CATALOGUE = REPO / "tests" / "runtime" / "catalogue"
MANIFEST = CATALOGUE / "mreg-manifest.json"


def query(*argv: str) -> tuple[int, str, str]:
    """Run ``mreg-codegen query MANIFEST *argv`` in process: (status, stdout, stderr)."""
    args = build_parser().parse_args(["query", str(MANIFEST), *argv])
    out, err = io.StringIO(), io.StringIO()
    status = args.handler(args, Streams(out, err))
    return status, out.getvalue(), err.getvalue()


def lines(*rows: str) -> str:
    return "".join(f"{row}\n" for row in rows)


class TestStructuredQueries:
    def test_prints_a_ranked_table(self) -> None:
        """Optional capabilities rank first, then priority; --limit cuts the list."""
        status, out, err = query(
            "--capability", "compression", "--optional-capability", "low-latency", "--limit", "3"
        )
        assert (status, err) == (0, "")
        assert out == lines(
            "NAME               VERSION  TYPE         PRIORITY  CAPABILITIES",
            "lz4-compressor     4.3.0    transformer  5         compression, decompression, "
            "low-latency",
            "snappy-compressor  0.7.0    transformer  4         compression, decompression, "
            "low-latency",
            "zstd-compressor    1.5.2    transformer  20        compression, decompression, "
            "streaming, high-performance",
        )

    def test_filters_by_type_and_version(self) -> None:
        """--type and --version-spec intersect."""
        status, out, _ = query("--type", "storage", "--version-spec", ">=2.0")
        assert status == 0
        assert [row.split()[0] for row in out.splitlines()[1:]] == [
            "disk-storage",
            "s3-storage",
            "redis-cache",
        ]

    def test_filters_by_interface_in_a_profile(self) -> None:
        """--provides with --profile development includes the development-only sink."""
        status, out, _ = query(
            "--provides", "acme_catalogue.interfaces.MetricsSink", "--profile", "development"
        )
        assert status == 0
        assert [row.split()[0] for row in out.splitlines()[1:]] == [
            "prometheus-exporter",
            "statsd-sink",
            "console-logger",
        ]

    def test_reads_metadata_values_as_json(self) -> None:
        """persistent=true is the boolean true; engine=sqlite is a string."""
        status, out, _ = query("--metadata", "persistent=true", "--metadata", "engine=sqlite")
        assert status == 0
        assert out.splitlines()[1].split()[0] == "sqlite-storage"
        assert len(out.splitlines()) == 2

    def test_all_profiles_show_profile_only_plugins(self) -> None:
        """--profile '*' finds the mock storage the default profile hides."""
        status, out, _ = query("--capability", "testing", "--profile", "*")
        assert status == 0
        assert out == lines(
            "NAME          VERSION  TYPE     PRIORITY  CAPABILITIES",
            "mock-storage  1.0.0    storage  100       storage, in-memory, testing",
        )

    def test_writes_json_for_programs(self) -> None:
        """--format json echoes the query and gives each plugin's record and location."""
        status, out, _ = query(
            "--capability",
            "encryption",
            "--optional-capability",
            "monitoring",
            "--limit",
            "2",
            "--format",
            "json",
        )
        document = json.loads(out)
        assert status == 0
        assert document["profile"] == "default"
        assert document["query"] == {
            "type": None,
            "capabilities": ["encryption"],
            "optional_capabilities": ["monitoring"],
            "provides": None,
            "version": None,
            "metadata": {},
            "limit": 2,
        }
        first = document["plugins"][0]
        assert [p["name"] for p in document["plugins"]] == ["vault-encryptor", "aes-gcm-encryptor"]
        assert (first["module"], first["qualname"], first["file"]) == (
            "acme_catalogue.encryption",
            "VaultEncryptor",
            "acme_catalogue/encryption.py",
        )
        assert "parameters" not in first


class TestSemanticQueries:
    def test_prints_scores_best_first(self) -> None:
        """--intent and --context rank by meaning; the score leads each row."""
        status, out, err = query(
            "--intent", "process data", "--context", "high performance", "--limit", "2"
        )
        assert (status, err) == (0, "")
        assert out == lines(
            "SCORE   NAME                        VERSION  TYPE            PRIORITY  CAPABILITIES",
            "4.2801  high-performance-processor  2.0.0    data-processor  10        processing, "
            "high-performance, parallel, scalability",
            "2.5164  processor-factory           2.0.0    data-processor  0         processing",
        )

    def test_explain_shows_terms_per_field(self) -> None:
        """--explain prints each result's matched terms, fields and shares."""
        status, out, _ = query("--intent", "compress data", "--limit", "1", "--explain")
        assert status == 0
        assert out == lines(
            "gzip-compressor  2.2461",
            "  compress (intent 'compress'): name x1, capabilities x1, description x1 -> 1.7432",
            "  data (intent 'data'): description x1 -> 0.5029",
        )

    def test_type_and_capabilities_narrow_a_semantic_query(self) -> None:
        """--type filters, and --capability is a requirement, before ranking."""
        status, out, _ = query("--intent", "compress", "--type", "storage")
        assert status == 0
        assert [row.split()[1] for row in out.splitlines()[1:]] == ["archive-storage"]
        status, out, _ = query("--intent", "store data", "--capability", "cloud")
        assert [row.split()[1] for row in out.splitlines()[1:]] == [
            "s3-storage",
            "envelope-encryptor",
        ]

    def test_json_carries_scores_and_matches(self) -> None:
        """Semantic JSON gives each plugin its score and matched terms."""
        status, out, _ = query("--intent", "compress data", "--limit", "1", "--format", "json")
        [plugin] = json.loads(out)["plugins"]
        assert status == 0
        assert plugin["name"] == "gzip-compressor"
        assert plugin["score"] == pytest.approx(2.2461, abs=1e-4)
        assert plugin["matches"][1] == {
            "term": "data",
            "word": "data",
            "source": "intent",
            "fields": {"description": 1},
            "score": pytest.approx(0.5029, abs=1e-4),
        }


class TestNoMatch:
    def test_exits_1_with_a_did_you_mean(self) -> None:
        """A misspelt capability matches nothing: status 1, and close names suggested."""
        assert query("--capability", "encyption") == (
            1,
            "",
            "mreg-codegen query: no plugin matches in profile `default`\n"
            "Hint: no plugin declares capability `encyption`; did you mean `encryption`, "
            "`decryption`, `authentication`?\n",
        )

    def test_lists_the_types_when_none_is_close(self) -> None:
        """An unknown type with no close name lists the catalogue's types."""
        assert query("--type", "quantum")[2] == (
            "mreg-codegen query: no plugin matches in profile `default`\n"
            "Hint: no plugin has type `quantum`; the types are analyzer, data-processor, "
            "monitoring, network, security, storage, transformer\n"
        )

    def test_points_to_plugins_in_other_profiles(self) -> None:
        """When another profile has matches, the hint names them and their profiles."""
        assert query("--capability", "testing") == (
            1,
            "",
            "mreg-codegen query: no plugin matches in profile `default`\n"
            "Hint: `mock-storage` (development, test) matches in other profiles; pass --profile "
            "with one of them, or --profile '*' for every plugin\n",
        )

    def test_json_still_prints_an_empty_result(self) -> None:
        """With --format json, stdout holds the (empty) answer; the status is still 1."""
        status, out, _ = query("--capability", "telepathy", "--format", "json")
        assert status == 1
        assert json.loads(out)["plugins"] == []


class TestUsageErrors:
    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (
                ["--context", "fast"],
                "mreg-codegen query: error: --context needs --intent\n"
                "Hint: add --intent 'what it does'\n",
            ),
            (
                ["--explain"],
                "mreg-codegen query: error: --explain needs --intent\n"
                "Hint: add --intent 'what it does'\n",
            ),
            (
                ["--intent", "x", "--optional-capability", "y"],
                "mreg-codegen query: error: --optional-capability does not apply to a semantic "
                "query (--intent)\nHint: semantic queries take --type, --capability (as "
                "requirements), --context, --explain, --limit and --profile\n",
            ),
            (
                ["--version-spec", ">>1"],
                "mreg-codegen query: error: version filter '>>1' is not a PEP 440 version or "
                "specifier\nHint: use specifiers such as '>=1.0,<2', or a bare version such "
                "as '2.1.0'\n",
            ),
            (
                ["--metadata", "engine"],
                "mreg-codegen query: error: --metadata 'engine' must be KEY=VALUE, "
                "e.g. engine=redis\n",
            ),
            (
                ["--intent", "the"],
                "mreg-codegen query: error: intent 'the' has no searchable word\n"
                "Hint: describe what the plugin should do, e.g. 'compress data'\n",
            ),
        ],
    )
    def test_exit_2_with_an_exact_message(self, argv: list[str], message: str) -> None:
        """Options that do not make a query are usage errors, explained on stderr."""
        assert query(*argv) == (2, "", message)

    def test_rejects_a_non_positive_limit_while_parsing(self) -> None:
        """--limit 0 is refused by the argument parser itself (status 2)."""
        with pytest.raises(SystemExit) as raised:
            build_parser().parse_args(["query", str(MANIFEST), "--limit", "0"])
        assert raised.value.code == 2


class TestParseMetadata:
    def test_reads_json_values_and_falls_back_to_strings(self) -> None:
        """JSON literals become JSON values; anything else stays a string."""
        assert parse_metadata(["a=true", "b=6", "c=null", 'd=["x"]', "e=redis", 'f="6"']) == {
            "a": True,
            "b": 6,
            "c": None,
            "d": ["x"],
            "e": "redis",
            "f": "6",
        }

    def test_rejects_an_item_without_a_key(self) -> None:
        """ "=x" has no key and is a usage error."""
        with pytest.raises(QueryUsageError, match=r"^--metadata '=x' must be KEY=VALUE"):
            parse_metadata(["=x"])


class TestCommandLine:
    def _run(self, *argv: str) -> subprocess.CompletedProcess[str]:
        path = os.pathsep.join(str(REPO / part) for part in ("src", "codegen"))
        return subprocess.run(
            [sys.executable, "-m", "mreg_codegen", "query", *argv],
            env={**os.environ, "PYTHONPATH": path},
            capture_output=True,
            text=True,
            check=False,
        )

    def test_exit_statuses_of_the_real_command(self) -> None:
        """The installed entry point returns 0 on a match, 1 on none, 2 on a usage error."""
        statuses: dict[str, Any] = {
            "match": self._run(str(MANIFEST), "--capability", "compression").returncode,
            "none": self._run(str(MANIFEST), "--capability", "telepathy").returncode,
            "usage": self._run(str(MANIFEST), "--context", "fast").returncode,
        }
        assert statuses == {"match": 0, "none": 1, "usage": 2}

    def test_an_unreadable_manifest_is_reported(self, tmp_path: Path) -> None:
        """A missing manifest is a ManifestError on stderr with status 1, like every command."""
        result = self._run(str(tmp_path / "missing.json"), "--type", "storage")
        assert result.returncode == 1
        assert "cannot read the manifest" in result.stderr
        assert "acme_catalogue" not in result.stderr
