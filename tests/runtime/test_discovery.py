"""Tests for mreg_di._discovery: every query form on a real 58-plugin catalogue.

The catalogue (``catalogue/acme_catalogue``) is a plugin package whose import fails loudly;
``catalogue/mreg-manifest.json`` is its manifest. Expected results below were worked out from
the declarations in that package: priorities, profiles, versions and metadata.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from runtime_support import PYTHONPATH, Project, run_python

from mreg_di import Manifest, PluginSpec, PluginType
from mreg_di._discovery import (
    ALL_PROFILES,
    Discovery,
    discover,
    discover_semantically,
)
from mreg_di._discovery_checks import check_version_filter
from mreg_di._queries import PluginCapabilityQuery, PluginDiscoveryQuery, PluginSemanticQuery
from mreg_di._registration import PluginConfig
from mreg_di._registry import ModuleRegistry
from mreg_di._resolve import RecordCatalogue
from mreg_di._semantic import SemanticMatch
from mreg_di._spec import PluginRecord

CATALOGUE = Path(__file__).resolve().parent / "catalogue"
MANIFEST = CATALOGUE / "mreg-manifest.json"
COMPRESSOR = "acme_catalogue.interfaces.Compressor"
METRICS_SINK = "acme_catalogue.interfaces.MetricsSink"

STORAGES = [
    "disk-storage",
    "s3-storage",
    "postgres-storage",
    "sqlite-storage",
    "redis-cache",
    "memory-storage",
    "archive-storage",
]
COMPRESSORS_BY_PRIORITY = [
    "zstd-compressor",
    "gzip-compressor",
    "lz4-compressor",
    "snappy-compressor",
    "brotli-compressor",
    "bzip2-compressor",
]


def names(specs: Iterable[PluginSpec]) -> list[str]:
    return [spec.name for spec in specs]


def ranked(results: Iterable[tuple[PluginSpec, float]]) -> list[str]:
    return [spec.name for spec, _ in results]


@pytest.fixture(scope="module")
def manifest() -> Manifest:
    return Manifest.load(MANIFEST)


@pytest.fixture(scope="module")
def discovery(manifest: Manifest) -> Discovery:
    return Discovery(manifest)


class TestDiscoverByType:
    def test_lists_the_type_by_priority_in_the_default_profile(self, discovery: Discovery) -> None:
        """Storages come highest priority first; the profile-only mock is not visible."""
        assert names(discovery.discover(type="storage")) == STORAGES

    def test_accepts_a_plugin_type_member(self, discovery: Discovery) -> None:
        """PluginType.STORAGE selects the same plugins as the string "storage"."""
        assert names(discovery.discover(type=PluginType.STORAGE)) == STORAGES

    def test_shows_profile_plugins_in_their_profile(self, discovery: Discovery) -> None:
        """In the development profile the priority-100 mock storage comes first."""
        found = discovery.discover("development", type=PluginType.STORAGE)
        assert names(found) == ["mock-storage", *STORAGES]

    def test_finds_nothing_for_an_unknown_type(self, discovery: Discovery) -> None:
        """A type no plugin has gives an empty list, not an error."""
        assert discovery.discover(type="quantum") == []


class TestDiscoverByCapabilities:
    def test_ranks_by_optional_capabilities_then_priority(self, discovery: Discovery) -> None:
        """The encryptor that also monitors comes first; the rest follow by priority."""
        found = discovery.discover(
            capabilities=["encryption"], optional_capabilities=["monitoring"]
        )
        assert names(found) == [
            "vault-encryptor",
            "aes-gcm-encryptor",
            "chacha20-encryptor",
            "rsa-encryptor",
            "envelope-encryptor",
        ]

    def test_counts_how_many_optional_capabilities_match(self, discovery: Discovery) -> None:
        """Two optional matches beat one, which beats none, whatever the priorities."""
        found = discovery.discover(
            capabilities=["encryption"], optional_capabilities=["key-management", "monitoring"]
        )
        assert names(found) == [
            "vault-encryptor",
            "envelope-encryptor",
            "aes-gcm-encryptor",
            "chacha20-encryptor",
            "rsa-encryptor",
        ]

    def test_requires_every_required_capability(self, discovery: Discovery) -> None:
        """Only plugins declaring both capabilities are returned."""
        found = discovery.discover(capabilities=["compression", "low-latency"])
        assert names(found) == ["lz4-compressor", "snappy-compressor"]

    def test_optional_capabilities_never_exclude(self, discovery: Discovery) -> None:
        """An optional capability nobody has leaves the result as it was."""
        plain = discovery.discover(capabilities=["compression", "low-latency"])
        assert (
            discovery.discover(
                capabilities=["compression", "low-latency"], optional_capabilities=["telepathy"]
            )
            == plain
        )

    def test_finds_nothing_for_an_unknown_capability(self, discovery: Discovery) -> None:
        """A required capability no plugin declares gives an empty list."""
        assert discovery.discover(capabilities=["compression", "telepathy"]) == []

    def test_combines_with_a_type(self, discovery: Discovery) -> None:
        """Type and capability filters intersect."""
        found = discovery.discover(type="transformer", capabilities=["high-performance"])
        assert names(found) == ["zstd-compressor", "protobuf-serializer"]

    def test_returns_the_catalogues_specs(self, discovery: Discovery, manifest: Manifest) -> None:
        """Results are the PluginSpec objects of the catalogue's records."""
        [spec] = discovery.discover(capabilities=["thumbnails"])
        assert spec is manifest.record("image-resizer").spec


class TestDiscoverByInterface:
    def test_lists_the_providers_of_an_interface_by_priority(self, discovery: Discovery) -> None:
        """A qualified interface name selects its providers, highest priority first."""
        assert names(discovery.discover(provides=COMPRESSOR)) == COMPRESSORS_BY_PRIORITY

    def test_accepts_a_class(self) -> None:
        """An interface class is looked up by its qualified name."""

        class Clock:
            pass

        qualified = f"{Clock.__module__}.{Clock.__qualname__}"
        catalogue = RecordCatalogue(
            [
                PluginRecord(PluginSpec("utc", provides=[qualified]), "acme.clock", "Utc"),
                PluginRecord(PluginSpec("other"), "acme.other", "Other"),
            ]
        )
        assert names(discover(catalogue, None, provides=Clock)) == ["utc"]

    def test_respects_the_profile(self, discovery: Discovery) -> None:
        """The development-only console logger is a metrics sink only in development."""
        assert names(discovery.discover("test", provides=METRICS_SINK)) == [
            "prometheus-exporter",
            "statsd-sink",
        ]
        assert names(discovery.discover("development", provides=METRICS_SINK)) == [
            "prometheus-exporter",
            "statsd-sink",
            "console-logger",
        ]


class TestDiscoverByVersion:
    def test_filters_with_pep_440_specifiers(self, discovery: Discovery) -> None:
        """Only storages at version 2.0 or later remain."""
        found = discovery.discover(type="storage", version=">=2.0")
        assert names(found) == ["disk-storage", "s3-storage", "redis-cache"]

    def test_reads_a_bare_version_as_equal_to_it(self, discovery: Discovery) -> None:
        """version="2.0.0" means ==2.0.0."""
        found = discovery.discover(type="data-processor", version="2.0.0")
        assert names(found) == [
            "high-performance-processor",
            "low-latency-processor",
            "batch-processor",
            "processor-factory",
        ]

    def test_scans_the_whole_catalogue_when_alone(self, discovery: Discovery) -> None:
        """Every pre-1.0 plugin, ranked by priority then name."""
        assert names(discovery.discover(version="<1")) == [
            "http-client",
            "prometheus-exporter",
            "data-profiler",
            "snappy-compressor",
            "sentiment-analyzer",
            "alert-manager",
            "deduplicator",
            "envelope-encryptor",
        ]

    def test_accepts_pre_releases(self) -> None:
        """A release candidate satisfies a specifier it falls in."""
        catalogue = RecordCatalogue([PluginRecord(PluginSpec("rc", version="2.0.0rc1"), "a", "B")])
        assert names(discover(catalogue, None, version=">=1.0")) == ["rc"]

    def test_normalises_the_specifier(self) -> None:
        """Clauses keep their order; spaces go; a bare version gains ==."""
        assert check_version_filter(" >=1.0 , <2 ") == ">=1.0,<2"
        assert check_version_filter("2.1") == "==2.1"


class TestDiscoverByMetadata:
    def test_matches_a_boolean(self, discovery: Discovery) -> None:
        """persistent=True selects the persistent storages."""
        found = discovery.discover(metadata={"persistent": True})
        assert names(found) == [
            "disk-storage",
            "s3-storage",
            "postgres-storage",
            "sqlite-storage",
            "archive-storage",
        ]

    def test_does_not_confuse_booleans_with_numbers(self, discovery: Discovery) -> None:
        """False is not 0: persistent=0 matches nothing, persistent=False the volatile ones."""
        assert names(discovery.discover(metadata={"persistent": False})) == [
            "redis-cache",
            "memory-storage",
        ]
        assert discovery.discover(metadata={"persistent": 0}) == []

    def test_compares_numbers_as_json_does(self, discovery: Discovery) -> None:
        """level=6.0 matches the plugin declaring level 6."""
        assert names(discovery.discover(metadata={"level": 6.0})) == ["gzip-compressor"]

    def test_matches_lists_and_several_keys(self, discovery: Discovery) -> None:
        """A list value must be equal; several keys must all match."""
        found = discovery.discover(metadata={"algorithms": ["RS256", "ES256"]})
        assert names(found) == ["jwt-authenticator"]
        both = discovery.discover(metadata={"persistent": True, "engine": "sqlite"})
        assert names(both) == ["sqlite-storage"]

    def test_finds_nothing_for_a_missing_key(self, discovery: Discovery) -> None:
        """A key no plugin has matches nothing, even with value None."""
        assert discovery.discover(metadata={"colour": None}) == []


class TestProfiles:
    def test_default_profile_hides_profile_only_plugins(self, discovery: Discovery) -> None:
        """None and "default" show the 56 plugins without profiles."""
        default = names(discovery.discover())
        assert len(default) == 56
        assert "mock-storage" not in default
        assert "console-logger" not in default
        assert names(discovery.discover("default")) == default

    def test_all_profiles_shows_every_plugin(self, discovery: Discovery) -> None:
        """ALL_PROFILES ("*") shows all 58 plugins."""
        assert ALL_PROFILES == "*"
        assert len(discovery.discover(ALL_PROFILES)) == 58

    def test_a_named_profile_adds_its_own_plugins(self, discovery: Discovery) -> None:
        """The test profile adds the mock storage but not the development-only logger."""
        found = names(discovery.discover("test"))
        assert len(found) == 57
        assert found[0] == "mock-storage"
        assert "console-logger" not in found

    def test_ranks_everything_by_priority_then_name(self, discovery: Discovery) -> None:
        """Without filters the highest priorities come first, ties in name order."""
        assert names(discovery.discover())[:8] == [
            "zstd-compressor",
            "aes-gcm-encryptor",
            "disk-storage",
            "gzip-compressor",
            "high-performance-processor",
            "http-client",
            "json-serializer",
            "jwt-authenticator",
        ]


class TestBadFilters:
    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            (
                {"capabilities": "compression"},
                TypeError,
                "capabilities must be a list of strings, not the string 'compression'\n"
                "Hint: write capabilities=['compression']",
            ),
            (
                {"capabilities": ["compression", ""]},
                TypeError,
                "capabilities must contain only non-empty strings, found ''",
            ),
            (
                {"optional_capabilities": [3]},
                TypeError,
                "optional_capabilities must contain only non-empty strings, found 3",
            ),
            ({"type": 3}, TypeError, "type must be a PluginType or a string, not 3"),
            ({"type": ""}, ValueError, "type must not be empty; pass None to accept every type"),
            (
                {"provides": 3},
                TypeError,
                "provides must be a class or a fully qualified name, not 3",
            ),
            (
                {"provides": ""},
                ValueError,
                "provides must not be empty; pass None to accept every plugin",
            ),
            (
                {"version": ">>1"},
                ValueError,
                "version filter '>>1' is not a PEP 440 version or specifier\n"
                "Hint: use specifiers such as '>=1.0,<2', or a bare version such as '2.1.0'",
            ),
            (
                {"version": "latest"},
                ValueError,
                "version filter 'latest' is not a PEP 440 version or specifier\n"
                "Hint: use specifiers such as '>=1.0,<2', or a bare version such as '2.1.0'",
            ),
            ({"version": 2}, TypeError, "version must be a string such as '>=1.0', not 2"),
            (
                {"metadata": ["mode"]},
                TypeError,
                "metadata must be a mapping such as {'mode': 'batch'}, not ['mode']",
            ),
            ({"metadata": {1: "x"}}, TypeError, "metadata keys must be strings, found 1"),
        ],
    )
    def test_rejects_a_bad_filter_with_an_exact_message(
        self, discovery: Discovery, kwargs: dict[str, object], error: type[Exception], message: str
    ) -> None:
        """Each malformed filter raises its own error naming the argument."""
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            discovery.discover(**kwargs)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("profile", "error", "message"),
        [
            ("", ValueError, "profile must not be empty; pass '*' for every profile"),
            (3, TypeError, "profile must be a string, not 3"),
        ],
    )
    def test_rejects_a_bad_profile(
        self, discovery: Discovery, profile: object, error: type[Exception], message: str
    ) -> None:
        """An empty or non-string profile is an error, not "no plugins"."""
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            discovery.discover(profile)  # type: ignore[arg-type]


class TestDiscoverSemantically:
    def test_compress_data_puts_the_compressors_first(self, discovery: Discovery) -> None:
        """The six compressors lead, those mentioning data first; the archive follows."""
        found = ranked(discovery.discover_semantically("compress data", limit=7))
        assert found == [
            "gzip-compressor",
            "zstd-compressor",
            "lz4-compressor",
            "brotli-compressor",
            "bzip2-compressor",
            "snappy-compressor",
            "archive-storage",
        ]

    def test_context_lifts_the_high_performance_variant(self, discovery: Discovery) -> None:
        """Without context the batch processor leads the variant; "high performance" flips it."""
        plain = ranked(discovery.discover_semantically("process data"))
        assert plain.index("batch-processor") < plain.index("high-performance-processor")
        lifted = ranked(discovery.discover_semantically("process data", "high performance"))
        assert lifted[0] == "high-performance-processor"
        assert lifted.index("high-performance-processor") < lifted.index("batch-processor")

    @pytest.mark.parametrize(
        ("intent", "expected"),
        [
            ("detect anomalies in metrics", "anomaly-detector"),
            ("parse CSV files", "csv-parser"),
            ("authenticate users with tokens", "jwt-authenticator"),
            ("cache hot data in memory", "redis-cache"),
            ("store files on local disk", "disk-storage"),
            ("publish messages to kafka", "kafka-producer"),
            ("resize images", "image-resizer"),
            ("trace requests across services", "otel-tracer"),
            ("encrypt data at rest", "aes-gcm-encryptor"),
            ("expose metrics to prometheus", "prometheus-exporter"),
        ],
    )
    def test_ranks_the_obvious_plugin_first(
        self, discovery: Discovery, intent: str, expected: str
    ) -> None:
        """An everyday description of a job finds the plugin made for it."""
        assert ranked(discovery.discover_semantically(intent, limit=1)) == [expected]

    def test_requirements_filter_by_capability(self, discovery: Discovery) -> None:
        """Only plugins declaring every required capability are ranked."""
        found = discovery.discover_semantically("store data", requirements=["cloud"])
        assert ranked(found) == ["s3-storage", "envelope-encryptor"]

    def test_type_filters_before_ranking(self, discovery: Discovery) -> None:
        """With type="storage" only the compressing storage answers "compress"."""
        assert ranked(discovery.discover_semantically("compress", type="storage")) == [
            "archive-storage"
        ]

    def test_sees_only_the_profiles_plugins(self, discovery: Discovery) -> None:
        """The mock storage answers for tests only in the test profile."""
        intent = "replace the storage in tests"
        assert ranked(discovery.discover_semantically(intent, profile="test", limit=1)) == [
            "mock-storage"
        ]
        assert "mock-storage" not in ranked(discovery.discover_semantically(intent))

    def test_breaks_ties_by_name(self, discovery: Discovery) -> None:
        """Plugins with equal scores come in name order."""
        found = discovery.discover_semantically("monitor", limit=5)
        assert ranked(found) == [
            "alert-manager",
            "health-checker",
            "otel-tracer",
            "prometheus-exporter",
            "statsd-sink",
        ]
        assert len({score for _, score in found}) == 1

    def test_limit_keeps_the_best(self, discovery: Discovery) -> None:
        """limit=2 returns the first two of the full ranking."""
        full = discovery.discover_semantically("compress data")
        assert discovery.discover_semantically("compress data", limit=2) == full[:2]

    def test_scores_decrease_and_are_positive(self, discovery: Discovery) -> None:
        """Results are sorted by score, and plugins that match nothing are left out."""
        scores = [score for _, score in discovery.discover_semantically("compress data")]
        assert scores == sorted(scores, reverse=True)
        assert min(scores) > 0

    def test_explain_shows_the_terms_matched_per_field(self, discovery: Discovery) -> None:
        """explain=True returns SemanticMatch objects with the evidence for each score."""
        [match] = discovery.discover_semantically("Compress data", limit=1, explain=True)
        [(spec, score)] = discovery.discover_semantically("Compress data", limit=1)
        assert isinstance(match, SemanticMatch)
        assert (match.spec, match.score) == (spec, score)
        assert [(t.term, t.word, t.source, dict(t.fields)) for t in match.terms] == [
            ("compress", "compress", "intent", {"name": 1, "capabilities": 1, "description": 1}),
            ("data", "data", "intent", {"description": 1}),
        ]
        assert match.matched_fields == {
            "name": ("compress",),
            "capabilities": ("compress",),
            "description": ("compress", "data"),
        }
        assert sum(t.score for t in match.terms) == match.score

    def test_explains_context_terms_as_context(self, discovery: Discovery) -> None:
        """A term that came from the context is reported with source "context"."""
        [match] = discovery.discover_semantically(
            "process data", "high performance", limit=1, explain=True
        )
        assert [(t.term, t.source) for t in match.terms] == [
            ("process", "intent"),
            ("data", "intent"),
            ("high", "context"),
            ("perform", "context"),
        ]

    @pytest.mark.parametrize(
        ("kwargs", "error", "message"),
        [
            (
                {"intent": ""},
                ValueError,
                "intent '' has no searchable word\n"
                "Hint: describe what the plugin should do, e.g. 'compress data'",
            ),
            (
                {"intent": "what can you do for me"},
                ValueError,
                "intent 'what can you do for me' has no searchable word\n"
                "Hint: describe what the plugin should do, e.g. 'compress data'",
            ),
            ({"intent": 3}, TypeError, "intent must be a string, not 3"),
            ({"intent": "x", "context": 3}, TypeError, "context must be a string, not 3"),
            (
                {"intent": "x", "limit": 0},
                ValueError,
                "limit must be a positive integer or None, not 0",
            ),
            (
                {"intent": "x", "limit": True},
                TypeError,
                "limit must be a positive integer or None, not True",
            ),
            (
                {"intent": "x", "requirements": "cloud"},
                TypeError,
                "requirements must be a list of strings, not the string 'cloud'\n"
                "Hint: write requirements=['cloud']",
            ),
        ],
    )
    def test_rejects_bad_queries_with_exact_messages(
        self, discovery: Discovery, kwargs: dict[str, object], error: type[Exception], message: str
    ) -> None:
        """A query without words, or with a wrong argument, is an error naming it."""
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            discovery.discover_semantically(**kwargs)  # type: ignore[arg-type]


class TestSmallCatalogue:
    @pytest.fixture
    def catalogue(self) -> RecordCatalogue:
        def record(name: str, **fields: object) -> PluginRecord:
            return PluginRecord(PluginSpec(name, **fields), "acme", name.title())  # type: ignore[arg-type]

        return RecordCatalogue(
            [
                record("gzip", capabilities=["compression"], description="Gzip streams."),
                record(
                    "zip-archiver",
                    type="storage",
                    description="Compress files into zip archives.",
                ),
                record("aes", capabilities=["encryption"], description="Encrypt blobs."),
                record(
                    "bench",
                    type="analyzer",
                    description="Measures compression speed of compressors.",
                ),
            ]
        )

    def test_orders_by_field_weight(self, catalogue: RecordCatalogue) -> None:
        """A capability match beats a description match; a twice-mentioned term beats once."""
        found = discover_semantically(catalogue, None, "compression")
        assert ranked(found) == ["gzip", "bench", "zip-archiver"]

    def test_scores_a_lone_match_exactly(self, catalogue: RecordCatalogue) -> None:
        """The word encrypt matches only aes: once in capabilities, once in its description."""
        [(spec, score)] = discover_semantically(catalogue, None, "encrypt")
        # N=4, df=1. Capabilities: 1 term, average (1 + 0 + 1 + 0) / 4 = 0.5, weight 2.5, b 0.3.
        # Descriptions: [gzip stream] [compress fil zip archiv] [encrypt blob]
        # [measur compress speed compress]: 2 terms, average 12 / 4 = 3, weight 1.0, b 0.75.
        tf = 2.5 / (0.7 + 0.3 * 1 / 0.5) + 1.0 / (0.25 + 0.75 * 2 / 3)
        idf = math.log(1 + (4 - 1 + 0.5) / (1 + 0.5))
        assert spec.name == "aes"
        assert score == pytest.approx(idf * tf / (1.2 + tf))

    def test_functions_accept_a_discovery_and_keep_its_indexes(
        self, catalogue: RecordCatalogue
    ) -> None:
        """Passing a Discovery reuses its indexes instead of building new ones."""
        wrapped = Discovery(catalogue)
        first = discover_semantically(wrapped, None, "compression")
        index = wrapped._semantic
        assert index is not None
        assert discover_semantically(wrapped, None, "compression") == first
        assert wrapped._semantic is index
        assert names(discover(wrapped, None, capabilities=["encryption"])) == ["aes"]


class TestQueryObjects:
    def test_normalise_their_fields(self) -> None:
        """Query objects store types as strings, versions as specifiers, classes as names."""

        class Sink:
            pass

        query = PluginDiscoveryQuery(type=PluginType.STORAGE, version="2.0", provides=Sink)
        assert (query.type, query.version, query.provides) == (
            "storage",
            "==2.0",
            f"{Sink.__module__}.{Sink.__qualname__}",
        )
        assert PluginCapabilityQuery(required=["a"], optional=("b",)).optional == ("b",)
        assert PluginSemanticQuery("compress", requirements=["x"]).requirements == ("x",)

    def test_are_frozen_values(self) -> None:
        """Equal queries are equal and hashable, metadata included."""
        one = PluginDiscoveryQuery(capabilities=["a"], metadata={"k": 1})
        assert one == PluginDiscoveryQuery(capabilities=("a",), metadata={"k": 1})
        assert hash(one) == hash(PluginDiscoveryQuery(capabilities=["a"], metadata={"k": 2}))

    @pytest.mark.parametrize(
        ("build", "error", "message"),
        [
            (
                lambda: PluginDiscoveryQuery(capabilities="x"),
                TypeError,
                "capabilities must be a list of strings, not the string 'x'\n"
                "Hint: write capabilities=['x']",
            ),
            (
                lambda: PluginDiscoveryQuery(version="~1"),
                ValueError,
                "version filter '~1' is not a PEP 440 version or specifier\n"
                "Hint: use specifiers such as '>=1.0,<2', or a bare version such as '2.1.0'",
            ),
            (
                lambda: PluginCapabilityQuery(required="encryption"),
                TypeError,
                "required must be a list of strings, not the string 'encryption'\n"
                "Hint: write required=['encryption']",
            ),
            (
                lambda: PluginCapabilityQuery(optional=[""]),
                TypeError,
                "optional must contain only non-empty strings, found ''",
            ),
            (lambda: PluginSemanticQuery(3), TypeError, "intent must be a string, not 3"),
            (
                lambda: PluginSemanticQuery("x", limit=-1),
                ValueError,
                "limit must be a positive integer or None, not -1",
            ),
            (
                lambda: PluginSemanticQuery("x", profile=""),
                ValueError,
                "profile must not be empty; pass '*' for every profile",
            ),
        ],
    )
    def test_reject_bad_fields_where_they_are_built(
        self, build: object, error: type[Exception], message: str
    ) -> None:
        """A bad query fails on construction with the same message as the keyword form."""
        with pytest.raises(error, match=f"^{re.escape(message)}$"):
            build()  # type: ignore[operator]


class TestRegistryDiscovery:
    @pytest.fixture
    def registry(self) -> ModuleRegistry:
        return ModuleRegistry.from_manifest(MANIFEST)

    def test_discover_plugins_uses_the_registrys_profile(self) -> None:
        """A registry in the development profile sees the mock storage first."""
        registry = ModuleRegistry.from_manifest(MANIFEST, profile="development")
        assert names(registry.discover_plugins(type="storage")) == ["mock-storage", *STORAGES]
        assert names(registry.discover_plugins(type="storage", profile="default")) == STORAGES

    def test_discover_plugins_takes_every_filter(self, registry: ModuleRegistry) -> None:
        """Type, capabilities, interface, version and metadata combine."""
        found = registry.discover_plugins(
            type="storage",
            capabilities=["persistence"],
            optional_capabilities=["sql"],
            provides="acme_catalogue.interfaces.Storage",
            version=">=1.0",
            metadata={"persistent": True},
        )
        assert names(found) == [
            "postgres-storage",
            "sqlite-storage",
            "disk-storage",
            "s3-storage",
            "archive-storage",
        ]

    def test_discover_plugins_takes_a_discovery_query(self, registry: ModuleRegistry) -> None:
        """A PluginDiscoveryQuery runs like its keyword form, its profile included."""
        query = PluginDiscoveryQuery(type=PluginType.STORAGE, profile="test")
        assert names(registry.discover_plugins(query)) == ["mock-storage", *STORAGES]

    def test_discover_plugins_takes_a_capability_query(self, registry: ModuleRegistry) -> None:
        """A PluginCapabilityQuery runs as required and optional capabilities."""
        query = PluginCapabilityQuery(required=["compression", "low-latency"])
        assert names(registry.discover_plugins(query)) == ["lz4-compressor", "snappy-compressor"]

    def test_by_capabilities_is_the_seeds_shortcut(self, registry: ModuleRegistry) -> None:
        """discover_plugins_by_capabilities(required, optional) ranks like discover_plugins."""
        found = registry.discover_plugins_by_capabilities(["encryption"], ["monitoring"])
        assert names(found)[0] == "vault-encryptor"
        query = PluginCapabilityQuery(required=["encryption"], optional=["monitoring"])
        assert registry.discover_plugins_by_capabilities(query) == found

    def test_semantically_takes_a_semantic_query(self, registry: ModuleRegistry) -> None:
        """A PluginSemanticQuery carries intent, context, requirements and limit."""
        query = PluginSemanticQuery("process data", context="high performance", limit=2)
        found = registry.discover_plugins_semantically(query)
        assert ranked(found) == ["high-performance-processor", "processor-factory"]
        [match] = registry.discover_plugins_semantically(
            PluginSemanticQuery("compress data", limit=1), explain=True
        )
        assert match.name == "gzip-compressor"

    def test_semantically_takes_keywords(self, registry: ModuleRegistry) -> None:
        """The keyword form ranks the same as Discovery over the manifest."""
        found = registry.discover_plugins_semantically("store data", requirements=["cloud"])
        assert ranked(found) == ["s3-storage", "envelope-encryptor"]
        assert ranked(registry.discover_plugins_semantically("tests", profile="test")) == [
            "mock-storage"
        ]

    @pytest.mark.parametrize(
        ("call", "message"),
        [
            (
                lambda r: r.discover_plugins(PluginDiscoveryQuery(), capabilities=["x"]),
                "pass either a query object or filter arguments, not both\n"
                "Hint: put every filter in the query, e.g. attrs.evolve(query, profile='test')",
            ),
            (
                lambda r: r.discover_plugins(PluginSemanticQuery("compress")),
                "type must be a PluginType, a string or a query, not "
                "PluginSemanticQuery(intent='compress', context=None, requirements=(), "
                "limit=None, profile=None)\n"
                "Hint: use discover_plugins_semantically for a PluginSemanticQuery",
            ),
            (
                lambda r: r.discover_plugins(3),
                "type must be a PluginType, a string or a query, not 3\n"
                "Hint: pass a PluginType, a string, or a PluginDiscoveryQuery",
            ),
            (
                lambda r: r.discover_plugins_by_capabilities(
                    PluginCapabilityQuery(required=["a"]), ["b"]
                ),
                "pass either a query object or filter arguments, not both\n"
                "Hint: put every filter in the query, e.g. attrs.evolve(query, profile='test')",
            ),
            (
                lambda r: r.discover_plugins_by_capabilities(5),
                "required must be a list of capabilities or a PluginCapabilityQuery, not 5",
            ),
            (
                lambda r: r.discover_plugins_semantically(PluginSemanticQuery("x"), limit=3),
                "pass either a query object or filter arguments, not both\n"
                "Hint: put every filter in the query, e.g. attrs.evolve(query, profile='test')",
            ),
            (
                lambda r: r.discover_plugins_semantically(7),
                "intent must be a string or a PluginSemanticQuery, not 7",
            ),
        ],
    )
    def test_rejects_mixed_or_wrong_arguments(
        self, registry: ModuleRegistry, call: object, message: str
    ) -> None:
        """A query object with extra filters, or a wrong first argument, is a TypeError."""
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            call(registry)  # type: ignore[operator]

    def test_sees_runtime_registrations(self) -> None:
        """Plugins registered at run time are discovered, and each registration is seen."""

        class Memory:
            """Keeps blobs in a dict."""

        class Disk:
            """Keeps blobs in files."""

        registry = ModuleRegistry()
        registry.register_plugin(
            PluginConfig(name="memory", version="1.0", type="storage", capabilities=["storage"]),
            implementation=Memory,
        )
        assert names(registry.discover_plugins(capabilities=["storage"])) == ["memory"]
        registry.register_plugin(
            PluginConfig(name="disk", version="2.0", type="storage", capabilities=["storage"]),
            implementation=Disk,
        )
        assert names(registry.discover_plugins(capabilities=["storage"])) == ["disk", "memory"]
        assert ranked(registry.discover_plugins_semantically("blobs in files")) == [
            "disk",
            "memory",
        ]


class TestCatalogueManifest:
    def test_is_what_mreg_codegen_scan_writes_today(self) -> None:
        """The committed catalogue manifest matches a fresh scan of the catalogue package."""
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "mreg_codegen",
                "scan",
                str(CATALOGUE),
                "--output",
                str(MANIFEST),
                "--no-cache",
                "--check",
            ],
            env={**os.environ, "PYTHONPATH": PYTHONPATH},
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (
            f"{result.stdout}{result.stderr}\nregenerate it with: mreg-codegen scan "
            "tests/runtime/catalogue --output tests/runtime/catalogue/mreg-manifest.json "
            "--no-cache"
        )


class TestNoPluginImport:
    def test_the_catalogue_fails_loudly_when_imported(self) -> None:
        """Importing any catalogue module raises, so an import by discovery cannot go unseen."""
        with pytest.raises(AssertionError, match="acme_catalogue was imported"):
            run_python("import acme_catalogue.compression", extra_path=CATALOGUE)

    def test_no_discovery_call_imports_a_plugin_module(self) -> None:
        """Every query form, on a Manifest and through the registry, imports no plugin."""
        output = run_python(
            f"""
            import sys
            from mreg_di import Manifest
            from mreg_di._discovery import Discovery, discover, discover_semantically
            from mreg_di._queries import (
                PluginCapabilityQuery, PluginDiscoveryQuery, PluginSemanticQuery)
            from mreg_di._registry import ModuleRegistry

            path = {str(MANIFEST)!r}
            manifest = Manifest.load(path)
            found = []
            found += discover(manifest, None, type="storage")
            found += discover(manifest, "*", capabilities=["encryption"],
                              optional_capabilities=["monitoring"])
            found += discover(manifest, "test", provides={COMPRESSOR!r}, version=">=1")
            found += discover(manifest, None, metadata={{"persistent": True}})
            found += [s for s, _ in discover_semantically(manifest, None, "compress data")]
            found += [m.spec for m in discover_semantically(
                Discovery(manifest), "*", "process", "fast", explain=True)]
            registry = ModuleRegistry.from_manifest(path, profile="development")
            found += registry.discover_plugins(type="storage")
            found += registry.discover_plugins(PluginDiscoveryQuery(capabilities=["storage"]))
            found += registry.discover_plugins(PluginCapabilityQuery(required=["metrics"]))
            found += registry.discover_plugins_by_capabilities(["encryption"], ["audit-logging"])
            found += [s for s, _ in registry.discover_plugins_semantically(
                PluginSemanticQuery("store data", context="cloud"))]
            found += [m.spec for m in registry.discover_plugins_semantically(
                "encrypt", explain=True)]
            imported = sorted(m for m in sys.modules if m.startswith("acme_catalogue"))
            print(len(found), imported)
            """,
            extra_path=CATALOGUE,
        )
        assert output.split(" ", 1)[1] == "[]\n"
        assert int(output.split(" ", 1)[0]) > 100


class TestProcess:
    @pytest.fixture
    def registry(self, project: Project) -> ModuleRegistry:
        project.write(
            "codecs_demo.plugins",
            '''
            from mreg_di import plugin


            @plugin("upper", capabilities=["uppercase"])
            class Upper:
                """Upper-cases bytes."""

                def process(self, data: bytes) -> bytes:
                    return data.upper()


            @plugin("silent")
            class Silent:
                """Has no process method."""


            @plugin("texty")
            class Texty:
                """Returns text instead of bytes."""

                def process(self, data: bytes) -> str:
                    return data.decode()


            @plugin("later")
            class Later:
                """Processes asynchronously."""

                async def process(self, data: bytes) -> bytes:
                    return data
            ''',
        )
        return ModuleRegistry.from_manifest(project.build())

    def test_creates_the_plugin_and_processes_the_data(self, registry: ModuleRegistry) -> None:
        """process(name, data) returns the plugin's process(data)."""
        assert registry.process("upper", b"abc") == b"ABC"

    def test_accepts_any_bytes_like_input(self, registry: ModuleRegistry) -> None:
        """bytearray and memoryview are passed on as bytes."""
        assert registry.process("upper", bytearray(b"ab")) == b"AB"
        assert registry.process("upper", memoryview(b"cd")) == b"CD"

    def test_rejects_text(self, registry: ModuleRegistry) -> None:
        """A str is refused before the plugin is created, with a hint to encode it."""
        message = (
            "process('upper', data): data must be bytes, not str\n"
            "Hint: encode text first, e.g. text.encode()"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            registry.process("upper", "abc")  # type: ignore[arg-type]

    def test_names_a_plugin_without_process(self, registry: ModuleRegistry) -> None:
        """A plugin lacking process() is a TypeError naming it, its location and its class."""
        location = registry.manifest.record("silent").location
        assert location.startswith("codecs_demo/plugins.py:")
        message = (
            f"plugin `silent` ({location}) has no `process(data: bytes) -> bytes` method; "
            "its instance is a codecs_demo.plugins.Silent\n"
            "Hint: implement mreg_di.Plugin's `process`, or call the plugin's own methods "
            "on registry.create_plugin('silent')"
        )
        with pytest.raises(TypeError, match=f"^{re.escape(message)}$"):
            registry.process("silent", b"x")

    def test_rejects_a_result_that_is_not_bytes(self, registry: ModuleRegistry) -> None:
        """A process() returning str is reported with what it returned."""
        with pytest.raises(
            TypeError,
            match=r"^plugin `texty` \(.*\): `process` returned str, "
            r"expected bytes\nHint: return the processed data as bytes$",
        ):
            registry.process("texty", b"x")

    def test_closes_an_async_result_and_says_why(self, registry: ModuleRegistry) -> None:
        """An async process() is refused, its coroutine closed so nothing warns later."""
        with pytest.raises(
            TypeError,
            match=r"`process` returned coroutine, expected bytes\n"
            r"Hint: `process` must be synchronous",
        ):
            registry.process("later", b"x")

    def test_unknown_plugins_are_not_found(self, registry: ModuleRegistry) -> None:
        """process() on a name nobody declares raises PluginNotFoundError."""
        with pytest.raises(LookupError, match="no active plugin `nope`"):
            registry.process("nope", b"x")
