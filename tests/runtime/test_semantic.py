"""Tests for mreg_di._semantic: tokens, stems, fields and the BM25F index."""

from __future__ import annotations

import math

import pytest

from mreg_di._semantic import (
    CONTEXT_WEIGHT,
    K1,
    SemanticIndex,
    SemanticMatch,
    TermMatch,
    document_fields,
    query_terms,
    stem,
    terms,
    tokenize,
)
from mreg_di._spec import PluginSpec


def _raw(name: str, **fields: object) -> dict[str, object]:
    raw: dict[str, object] = {
        "name": name,
        "description": "",
        "type": "generic",
        "capabilities": [],
        "metadata": {},
        "variants": [],
    }
    raw.update(fields)
    return raw


class TestTokenize:
    def test_splits_kebab_snake_and_camel_case(self) -> None:
        """Punctuation, underscores and case changes all separate words."""
        assert tokenize("gzip-compressor zstd_compressor LZ4Compressor") == [
            "gzip",
            "compressor",
            "zstd",
            "compressor",
            "lz4",
            "compressor",
        ]

    def test_keeps_acronyms_and_digits_together(self) -> None:
        """An acronym before a capitalised word and digits after letters stay one word."""
        assert tokenize("HTTPServer sha256 S3Storage utf8Decoder") == [
            "http",
            "server",
            "sha256",
            "s3",
            "storage",
            "utf8",
            "decoder",
        ]

    def test_keeps_non_ascii_words(self) -> None:
        """Words in other scripts are kept whole and lower-cased."""
        assert tokenize("Größe: Über-Komprimierung") == ["größe", "über", "komprimierung"]

    def test_gives_nothing_for_punctuation_only(self) -> None:
        """Text without letters or digits has no words."""
        assert tokenize(" -- ... __ ") == []


class TestStem:
    @pytest.mark.parametrize(
        ("words", "expected"),
        [
            (
                ["compress", "compressor", "compression", "compressed", "compresses"],
                "compress",
            ),
            (["encrypt", "encryptor", "encryption", "encrypted", "encrypting"], "encrypt"),
            (["analyze", "analyzer", "analyser", "analysis", "analyses", "analyzing"], "analyz"),
            (["monitor", "monitors", "monitoring", "monitored"], "monit"),
            (["process", "processor", "processing", "processes", "processed"], "process"),
            (["validate", "validator", "validation", "validating", "validated"], "valid"),
            (["optimize", "optimizer", "optimiser", "optimization", "optimizing"], "optimiz"),
            (["store", "stores", "stored", "storing", "storage"], "stor"),
            (["scale", "scaling", "scalable", "scalability"], "scal"),
            (["log", "logs", "logging", "logger"], "log"),
            (["performance", "performant"], "perform"),
            (["query", "queries"], "query"),
            (["cache", "caches", "cached", "caching"], "cach"),
            (["classify", "classifier", "classification"], "classify"),
        ],
    )
    def test_folds_a_word_family_onto_one_stem(self, words: list[str], expected: str) -> None:
        """Inflections, derivations and agent nouns of one word share its stem."""
        assert {stem(word) for word in words} == {expected}

    @pytest.mark.parametrize("word", ["aes", "lz4", "s3", "sha256", "status", "process", "bus"])
    def test_keeps_short_words_words_with_digits_and_false_plurals(self, word: str) -> None:
        """Short words, words with digits and words ending in -ss/-us stay as they are."""
        assert stem(word) == word

    def test_does_not_strip_a_suffix_that_would_leave_no_vowel(self) -> None:
        """ "string" is not "str" + "ing", and "speed" is not "spe" + "ed"."""
        assert (stem("string"), stem("speed")) == ("string", "speed")

    def test_keeps_unrelated_words_apart(self) -> None:
        """Stemming does not merge different concepts of the plugin vocabulary."""
        stems = [stem(w) for w in ("compress", "encrypt", "storage", "stream", "string")]
        assert len(set(stems)) == len(stems)


class TestQueryTerms:
    def test_drops_stop_words_and_keeps_the_first_word_of_each_stem(self) -> None:
        """Each stem appears once, paired with the query word that first produced it."""
        assert query_terms("I want to compress the data, compressing it fast") == [
            ("compress", "compress"),
            ("data", "data"),
            ("fast", "fast"),
        ]

    def test_gives_nothing_for_stop_words_only(self) -> None:
        """A query made only of stop words has no searchable term."""
        assert query_terms("what can you do for me") == []

    def test_terms_keeps_repeats_for_term_frequency(self) -> None:
        """Document text keeps repeated terms, since frequency counts."""
        assert terms("Compress, then compress again") == ["compress", "compress", "again"]


class TestDocumentFields:
    def test_gives_each_field_its_terms(self) -> None:
        """Name, description, type, capabilities, metadata and variants become term lists."""
        fields = document_fields(
            _raw(
                "processor-factory",
                description="Builds data processors.",
                type="data-processor",
                capabilities=["processing", "high-performance"],
                metadata={"author": "ACME Labs"},
                variants=["batch", "low-latency"],
            )
        )
        assert fields == {
            "name": ["process", "factory"],
            "capabilities": ["process", "high", "perform"],
            "type": ["data", "process"],
            "metadata": ["acm", "lab"],
            "variants": ["batch", "low", "latency"],
            "description": ["build", "data", "process"],
        }

    def test_metadata_keeps_strings_and_keys_of_true_flags_only(self) -> None:
        """Strings (nested too) count, a key set to true counts, numbers and false do not."""
        fields = document_fields(
            _raw(
                "x",
                metadata={
                    "level": 9,
                    "streaming": True,
                    "persistent": False,
                    "tags": ["fast", {"zone": "eu-west"}],
                    "owner": None,
                },
            )
        )
        assert fields["metadata"] == ["stream", "fast", "eu", "west"]

    def test_shares_analysed_text_through_the_cache(self) -> None:
        """Repeated capability text is analysed once and reused from the cache."""
        cache: dict[str, list[str]] = {}
        document_fields(_raw("a", capabilities=["high-performance"]), cache)
        assert cache["high-performance"] == ["high", "perform"]
        cache["high-performance"] = ["cached"]
        fields = document_fields(_raw("b", capabilities=["high-performance"]), cache)
        assert fields["capabilities"] == ["cached"]


class TestSemanticIndex:
    def test_scores_one_field_match_by_hand(self) -> None:
        """A single-term, single-field match scores idf * tf' / (k1 + tf') exactly."""
        index = SemanticIndex([{"name": ["gzip"]}, {"name": ["aes"]}])
        scores = index.search(SemanticIndex.weigh([("gzip", "gzip", "intent")]))
        idf = math.log(1 + (2 - 1 + 0.5) / (1 + 0.5))  # N=2, df=1
        tf = 3.0  # name weight 3.0, document length equals the average
        assert scores == {0: pytest.approx(idf * tf / (K1 + tf))}

    def test_sums_weighted_normalised_frequencies_over_fields(self) -> None:
        """A term in two fields adds both fields' weighted, length-normalised counts once."""
        index = SemanticIndex(
            [
                {"name": ["gzip", "compress"], "description": ["compress", "data", "fast"]},
                {"name": ["aes", "encrypt"], "description": ["encrypt"]},
            ]
        )
        scores = index.search(SemanticIndex.weigh([("compress", "compress", "intent")]))
        # name: weight 3.0, length 2 = average 2 -> 3.0
        # description: weight 1.0, b 0.75, length 3, average 2 -> 1 / (0.25 + 0.75 * 1.5)
        tf = 3.0 + 1.0 / (0.25 + 0.75 * 1.5)
        idf = math.log(1 + 1.5 / 1.5)
        assert scores == {0: pytest.approx(idf * tf / (K1 + tf))}

    def test_rare_terms_weigh_more_than_common_ones(self) -> None:
        """The inverse document frequency falls as more documents contain the term."""
        index = SemanticIndex([{"name": ["data", "gzip"]}, {"name": ["data"]}, {"name": ["x"]}])
        assert index.idf("gzip") > index.idf("data") > 0
        assert index.idf("unknown") == pytest.approx(math.log(1 + 3.5 / 0.5))

    def test_context_terms_count_with_the_context_weight(self) -> None:
        """The same term scores CONTEXT_WEIGHT times as much from the context."""
        index = SemanticIndex([{"name": ["fast"]}, {"name": ["slow"]}])
        intent = index.search(SemanticIndex.weigh([("fast", "fast", "intent")]))
        context = index.search(SemanticIndex.weigh([("fast", "fast", "context")]))
        assert context[0] == pytest.approx(intent[0] * CONTEXT_WEIGHT)

    def test_a_stem_in_intent_and_context_counts_once_with_the_intent_weight(self) -> None:
        """Repeating a stem in the context neither adds to nor lowers its intent weight."""
        assert SemanticIndex.weigh([("fast", "fast", "intent"), ("fast", "faster", "context")]) == {
            "fast": (1.0, "fast", "intent")
        }

    def test_scores_only_candidates_when_given(self) -> None:
        """Documents outside the candidate set are not scored at all."""
        index = SemanticIndex([{"name": ["gzip"]}, {"name": ["gzip"]}, {"name": ["aes"]}])
        weights = SemanticIndex.weigh([("gzip", "gzip", "intent")])
        assert set(index.search(weights)) == {0, 1}
        assert set(index.search(weights, {1, 2})) == {1}

    def test_evidence_shares_add_up_to_the_score(self) -> None:
        """The per-term shares of a document sum, in order, to its search score."""
        index = SemanticIndex(
            [
                {"name": ["gzip", "compress"], "capabilities": ["compress", "stream"]},
                {"name": ["aes"], "description": ["stream", "cipher"]},
            ]
        )
        weights = SemanticIndex.weigh(
            [("compress", "compression", "intent"), ("stream", "streaming", "context")]
        )
        evidence = index.evidence(0, weights)
        assert [(m.term, m.word, m.source, m.fields) for m in evidence] == [
            ("compress", "compression", "intent", {"name": 1, "capabilities": 1}),
            ("stream", "streaming", "context", {"capabilities": 1}),
        ]
        assert sum(m.score for m in evidence) == index.search(weights)[0]

    def test_an_empty_index_finds_nothing(self) -> None:
        """Searching an index without documents gives no scores."""
        index = SemanticIndex([])
        assert len(index) == 0
        assert index.search(SemanticIndex.weigh([("gzip", "gzip", "intent")])) == {}


class TestSemanticMatch:
    def _match(self) -> SemanticMatch:
        return SemanticMatch(
            PluginSpec("gzip-compressor"),
            3.5,
            (
                TermMatch("compress", "compress", "intent", {"name": 1, "description": 2}, 2.5),
                TermMatch("fast", "fast", "context", {"description": 1}, 1.0),
            ),
        )

    def test_lists_matched_terms_per_field_in_field_order(self) -> None:
        """matched_fields maps each field to the terms found there, fields in weight order."""
        assert self._match().matched_fields == {
            "name": ("compress",),
            "description": ("compress", "fast"),
        }

    def test_explains_each_term_on_its_own_line(self) -> None:
        """explain() names the plugin, its score, and each term's fields and share."""
        assert self._match().explain() == (
            "gzip-compressor  3.5000\n"
            "  compress (intent 'compress'): name x1, description x2 -> 2.5000\n"
            "  fast (context 'fast'): description x1 -> 1.0000"
        )

    def test_exposes_the_plugin_name(self) -> None:
        """name is the spec's name."""
        assert self._match().name == "gzip-compressor"
