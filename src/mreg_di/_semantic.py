"""Semantic discovery: rank plugins against free text with BM25F over weighted fields.

The ranking is classic information retrieval, small enough to read in one sitting and fully
deterministic: no model, no network, no randomness.

- **Tokens.** Text is split on anything that is not a letter or digit, and identifiers are split
  on case changes, so ``"gzip-compressor"``, ``"gzip_compressor"`` and ``"GzipCompressor"`` all
  give ``gzip`` and ``compressor``. Tokens are lower-cased; common English stop words are dropped.
- **Stems.** `stem` is a light suffix stripper written for plugin vocabulary. Unlike the Porter
  and Snowball stemmers it also folds agent nouns onto their verb (*compressor*, *compression*,
  *compressed* and *compress* all become ``compress``; *encryptor* and *encryption* become
  ``encrypt``; *analyser*, *analysis* and *analyze* become ``analyz``), which is what matters in
  plugin names and capabilities, and it needs no dependency.
- **Fields.** Each plugin is a document with the fields in `FIELD_WEIGHTS`: its name, description,
  type, capabilities, metadata values (and the keys of metadata set to ``true``), and variants.
- **Score.** BM25F: per term, the field frequencies are length-normalised per field, weighted and
  summed, then saturated once with ``k1`` and multiplied by the term's inverse document
  frequency over the whole catalogue. Terms of the *context* count with `CONTEXT_WEIGHT`.
  Ties are broken by plugin name.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import attrs

if TYPE_CHECKING:
    from mreg_di._spec import PluginSpec

__all__ = [
    "CONTEXT_WEIGHT",
    "FIELD_WEIGHTS",
    "SemanticIndex",
    "SemanticMatch",
    "TermMatch",
    "query_terms",
    "stem",
    "tokenize",
]

Field = Literal["name", "capabilities", "type", "metadata", "variants", "description"]
"""The fields of a plugin that semantic discovery searches."""

Source = Literal["intent", "context"]
"""Which part of a query a term came from."""

FIELD_WEIGHTS: Mapping[str, float] = {
    "name": 3.0,
    "capabilities": 2.5,
    "type": 2.0,
    "metadata": 1.5,
    "variants": 1.5,
    "description": 1.0,
}
"""How much a term found in each field counts, relative to the description."""

# Length normalisation per field (BM25's b): long descriptions are normalised most; a type is
# one or two words, so its length says nothing.
_FIELD_B: Mapping[str, float] = {
    "name": 0.3,
    "capabilities": 0.3,
    "type": 0.0,
    "metadata": 0.5,
    "variants": 0.3,
    "description": 0.75,
}
_FIELDS: tuple[str, ...] = tuple(FIELD_WEIGHTS)

K1 = 1.2
"""BM25's term-frequency saturation."""

CONTEXT_WEIGHT = 0.5
"""How much a term of the query's context counts, relative to a term of its intent."""

_STOP_WORDS = frozenset(
    (  # noqa: SIM905 - a paragraph of words reads better than a column of them
        "a about an and any are as at be been but by can could do does for from has have i if "
        "in into is it its me my need needs of on or our please should so some that the their "
        "them then these this those to us use uses using want wants was we what when which who "
        "will with would you your"
    ).split()
)

_CHUNK = re.compile(r"[^\W_]+")
_ASCII_WORD = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+[a-z]*")


def tokenize(text: str) -> list[str]:
    """Split text into lower-case words: on non-alphanumerics and on case changes.

    Example:
        >>> tokenize("GzipCompressor, high-performance snake_case HTTPServer lz4")
        ['gzip', 'compressor', 'high', 'performance', 'snake', 'case', 'http', 'server', 'lz4']
    """
    if text.isascii():  # the common case: one pass of the word pattern
        return [word.lower() for word in _ASCII_WORD.findall(text)]
    words: list[str] = []
    for chunk in _CHUNK.findall(text):
        if chunk.isascii():
            words.extend(word.lower() for word in _ASCII_WORD.findall(chunk))
        else:
            words.append(chunk.lower())
    return words


# Derivational suffixes: (suffix, replacement, minimum length of what is left). The first that
# applies wins, and stripping repeats until nothing applies, so chains fold: "monitoring" ->
# "monitor" -> "monit", like "monitors" and "monitored"; "validation" -> "validate" -> "valid".
_RULES: tuple[tuple[str, str, int], ...] = (
    ("ification", "ify", 3),
    ("ifying", "ify", 3),
    ("ifier", "ify", 3),
    ("ified", "ify", 3),
    ("isation", "ization", 3),
    ("ization", "ize", 3),
    ("ational", "ate", 3),
    ("ation", "ate", 3),
    ("ator", "ate", 3),
    ("ysis", "yz", 3),
    ("yser", "yzer", 3),
    ("ising", "izing", 3),
    ("ised", "ized", 3),
    ("iser", "izer", 3),
    ("ise", "ize", 3),
    ("ability", "", 3),
    ("ibility", "", 3),
    ("ical", "ic", 3),
    ("ness", "", 3),
    ("ment", "", 4),
    ("ance", "", 4),
    ("ence", "", 4),
    ("ency", "", 4),
    ("able", "", 3),
    ("ible", "", 3),
    ("ity", "", 3),
    ("ing", "", 3),
    ("ion", "", 3),
    ("ate", "", 4),
    ("ent", "", 5),
    ("ant", "", 5),
    ("ly", "", 3),
    ("ed", "", 3),
    ("er", "", 3),
    ("or", "", 3),
)
_VOWELS = frozenset("aeiouy")
_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")
_KEEP_DOUBLE = frozenset("lsz")
# Words no suffix rule folds well (stripping "-age" in general would also fold "message").
_IRREGULAR = {"storage": "stor", "storages": "stor"}


def _is_stem(base: str, minimum: int) -> bool:
    return len(base) >= minimum and not _VOWELS.isdisjoint(base)


def _strip_plural(word: str) -> str:
    if word.endswith("ies") and _is_stem(word[:-3], 2):
        return word[:-3] + "y"  # queries -> query
    if word.endswith("es") and word[:-2].endswith(_SIBILANT_ENDINGS) and _is_stem(word[:-2], 3):
        return word[:-2]  # processes -> process, caches -> cach
    if word.endswith("s") and word[-2] not in "siu" and _is_stem(word[:-1], 3):
        return word[:-1]  # files -> file; process, status, analysis stay
    return word


def _strip_suffix(word: str) -> str:
    for suffix, replacement, minimum in _RULES:
        if not word.endswith(suffix):
            continue
        base = word[: len(word) - len(suffix)]
        if not _is_stem(base, minimum) or (suffix == "ed" and base.endswith("e")):
            continue  # "speed" is not "spe" + "ed"
        if suffix in ("ing", "ed") and base.endswith(("at", "iz", "bl")):
            return base + "e"  # validating -> validate, like validation
        return base + replacement
    return word


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem of a lower-case word, so that inflections and agent nouns meet.

    Plurals are stripped once, then derivational suffixes repeatedly, then a final ``e`` and a
    doubled final consonant. Words of three letters or fewer, and words with digits, are kept.

    Example:
        >>> [stem(w) for w in ("compressor", "compression", "compressed", "compresses")]
        ['compress', 'compress', 'compress', 'compress']
        >>> [stem(w) for w in ("analyzer", "analyser", "analysis", "analyze")]
        ['analyz', 'analyz', 'analyz', 'analyz']
        >>> stem("lz4"), stem("aes"), stem("status")
        ('lz4', 'aes', 'status')
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    irregular = _IRREGULAR.get(word)
    if irregular is not None:
        return irregular
    current = _strip_plural(word)
    for _ in range(4):
        stripped = _strip_suffix(current)
        if stripped == current:
            break
        current = stripped
    if current.endswith("e") and _is_stem(current[:-1], 3):
        current = current[:-1]
    if current.endswith("ys"):
        current = current[:-1] + "z"  # analyse -> analyz, like analyze
    if len(current) > 3 and current[-1] == current[-2] and current[-1] not in _KEEP_DOUBLE:
        current = current[:-1]  # logg -> log, buff -> buf; compress keeps its "ss"
    return current


def terms(text: str) -> list[str]:
    """The searchable terms of a text: its words, stop words dropped, stemmed.

    Example:
        >>> terms("Compresses the data with gzip")
        ['compress', 'data', 'gzip']
    """
    return [stem(word) for word in tokenize(text) if word not in _STOP_WORDS]


def query_terms(text: str) -> list[tuple[str, str]]:
    """The searchable terms of query text: ``(stem, word as typed)``, first occurrence only.

    Example:
        >>> query_terms("Compress the data, compressing fast")
        [('compress', 'compress'), ('data', 'data'), ('fast', 'fast')]
    """
    seen: dict[str, str] = {}
    for word in tokenize(text):
        if word in _STOP_WORDS:
            continue
        seen.setdefault(stem(word), word)
    return list(seen.items())


def _metadata_text(value: Any, key: str | None = None) -> Iterator[str]:
    if value is True and key is not None:
        yield key  # {"streaming": true} says the plugin streams
    elif isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for item_key, item in value.items():
            yield from _metadata_text(item, str(item_key))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _metadata_text(item)


def document_fields(
    raw: Mapping[str, Any], cache: dict[str, list[str]] | None = None
) -> dict[str, list[str]]:
    """The searchable fields of a plugin's manifest record, as lists of terms.

    Args:
        raw: The record, in the manifest's JSON form.
        cache: Text -> terms, shared across records: capabilities, types and metadata values
            repeat across a catalogue, so each is analysed once.

    Example:
        >>> fields = document_fields({"name": "gzip-compressor", "description": "",
        ...     "type": "data-processor", "capabilities": ["compression"],
        ...     "metadata": {"level": 9, "streaming": True}, "variants": []})
        >>> fields["name"], fields["capabilities"], fields["metadata"]
        (['gzip', 'compress'], ['compress'], ['stream'])
    """
    known = {} if cache is None else cache

    def analyse(texts: Iterable[str]) -> list[str]:
        found: list[str] = []
        for text in texts:
            words = known.get(text)
            if words is None:
                words = known[text] = terms(text)
            found.extend(words)
        return found

    return {
        "name": terms(raw["name"]),
        "capabilities": analyse(raw["capabilities"]),
        "type": analyse((str(raw["type"]),)),
        "metadata": analyse(_metadata_text(raw["metadata"])),
        "variants": analyse(raw["variants"]),
        "description": terms(raw["description"]),
    }


@attrs.frozen
class TermMatch:
    """How one query term contributed to a plugin's score.

    Attributes:
        term: The stemmed term, e.g. ``"compress"``.
        word: The query word it came from, as typed (lower-cased), e.g. ``"compression"``.
        source: ``"intent"`` or ``"context"``.
        fields: Field name -> how often the term occurs there, for the fields it occurs in.
        score: The term's share of the plugin's score.

    Example:
        >>> TermMatch("compress", "compress", "intent", {"name": 1}, 1.5).fields
        {'name': 1}
    """

    term: str
    word: str
    source: Source
    fields: Mapping[str, int]
    score: float


@attrs.frozen
class SemanticMatch:
    """One result of semantic discovery, with the evidence for its score.

    Attributes:
        spec: The plugin.
        score: Its BM25F score (higher is better; only relative order is meaningful).
        terms: The query terms found in the plugin, in query order.

    Example:
        >>> from mreg_di._spec import PluginSpec
        >>> match = SemanticMatch(PluginSpec("gzip"), 2.0,
        ...     (TermMatch("gzip", "gzip", "intent", {"name": 1}, 2.0),))
        >>> match.matched_fields
        {'name': ('gzip',)}
    """

    spec: PluginSpec
    score: float
    terms: tuple[TermMatch, ...]

    @property
    def name(self) -> str:
        """The plugin's name."""
        return self.spec.name

    @property
    def matched_fields(self) -> dict[str, tuple[str, ...]]:
        """Field -> the query terms matched in it, fields in `FIELD_WEIGHTS` order.

        Example:
            >>> from mreg_di._spec import PluginSpec
            >>> SemanticMatch(PluginSpec("x"), 0.0, ()).matched_fields
            {}
        """
        found: dict[str, tuple[str, ...]] = {}
        for field in _FIELDS:
            terms = tuple(t.term for t in self.terms if field in t.fields)
            if terms:
                found[field] = terms
        return found

    def explain(self) -> str:
        """A few lines saying why the plugin scored what it did.

        Example:
            >>> from mreg_di._spec import PluginSpec
            >>> print(SemanticMatch(PluginSpec("gzip"), 2.0,
            ...     (TermMatch("gzip", "gzip", "intent", {"name": 1}, 2.0),)).explain())
            gzip  2.0000
              gzip (intent 'gzip'): name x1 -> 2.0000
        """
        lines = [f"{self.spec.name}  {self.score:.4f}"]
        for term in self.terms:
            where = ", ".join(f"{field} x{count}" for field, count in term.fields.items())
            lines.append(
                f"  {term.term} ({term.source} {term.word!r}): {where} -> {term.score:.4f}"
            )
        return "\n".join(lines)


class SemanticIndex:
    """An inverted index over plugin documents, scoring queries with BM25F.

    Each posting stores the term's weighted, length-normalised frequency in the document,
    summed over fields, so `search` costs one multiplication per posting of the query's terms,
    whatever the catalogue's size.

    Args:
        documents: One mapping of field -> terms per plugin (see `document_fields`), in the
            order `search` reports positions in.

    Example:
        >>> index = SemanticIndex([
        ...     {"name": ["gzip", "compress"], "description": ["compress", "data"]},
        ...     {"name": ["aes", "encrypt"], "description": ["encrypt", "data"]},
        ... ])
        >>> scores = index.search(SemanticIndex.weigh([("compress", "compress", "intent")]))
        >>> {position: round(score, 4) for position, score in scores.items()}
        {0: 0.5332}
    """

    __slots__ = ("_average", "_documents", "_postings")

    def __init__(self, documents: Sequence[Mapping[str, Sequence[str]]]) -> None:
        self._documents = documents
        totals = dict.fromkeys(_FIELDS, 0)
        for doc in documents:
            for field in _FIELDS:
                totals[field] += len(doc.get(field, ()))
        count = max(len(documents), 1)
        self._average = {field: (totals[field] / count) or 1.0 for field in _FIELDS}
        postings: dict[str, tuple[list[int], list[float]]] = {}
        for position, doc in enumerate(documents):
            for term, tf in self._frequencies(doc).items():
                entry = postings.get(term)
                if entry is None:
                    entry = postings[term] = ([], [])
                entry[0].append(position)
                entry[1].append(tf)
        self._postings = postings

    def _frequencies(self, doc: Mapping[str, Sequence[str]]) -> dict[str, float]:
        # BM25F's pseudo-frequency: sum over fields of weight * tf / (1 - b + b * len / avg).
        found: dict[str, float] = {}
        for field in _FIELDS:
            words = doc.get(field)
            if not words:
                continue
            b = _FIELD_B[field]
            unit = FIELD_WEIGHTS[field] / (1.0 - b + b * len(words) / self._average[field])
            for term in words:
                found[term] = found.get(term, 0.0) + unit
        return found

    def __len__(self) -> int:
        return len(self._documents)

    def idf(self, term: str) -> float:
        """The term's inverse document frequency (BM25's, always positive).

        Example:
            >>> SemanticIndex([{"name": ["a"]}, {"name": ["b"]}]).idf("a") > 0
            True
        """
        entry = self._postings.get(term)
        df = len(entry[0]) if entry is not None else 0
        return math.log(1.0 + (len(self._documents) - df + 0.5) / (df + 0.5))

    @staticmethod
    def weigh(terms: Iterable[tuple[str, str, Source]]) -> dict[str, tuple[float, str, Source]]:
        """Query weights: stem -> (weight, word, source); a repeated stem keeps its strongest.

        Example:
            >>> SemanticIndex.weigh([("fast", "fast", "context"), ("fast", "faster", "intent")])
            {'fast': (1.0, 'faster', 'intent')}
        """
        weights: dict[str, tuple[float, str, Source]] = {}
        for term, word, source in terms:
            weight = 1.0 if source == "intent" else CONTEXT_WEIGHT
            if term not in weights or weights[term][0] < weight:
                weights[term] = (weight, word, source)
        return weights

    def search(
        self,
        weights: Mapping[str, tuple[float, str, Source]],
        candidates: frozenset[int] | set[int] | None = None,
    ) -> dict[int, float]:
        """Score every document that contains any weighted term.

        Args:
            weights: From `weigh`.
            candidates: Only these positions are scored; ``None`` means all.

        Returns:
            Position -> score, for every document with a positive score.

        Example:
            >>> index = SemanticIndex([{"name": ["gzip"]}, {"name": ["gzip"]}, {"name": ["aes"]}])
            >>> sorted(index.search(SemanticIndex.weigh([("gzip", "gzip", "intent")]), {1, 2}))
            [1]
        """
        scores: dict[int, float] = {}
        for term, (weight, _, _) in weights.items():
            entry = self._postings.get(term)
            if entry is None:
                continue
            idf = self.idf(term) * weight
            for position, tf in zip(*entry, strict=True):
                if candidates is None or position in candidates:
                    scores[position] = scores.get(position, 0.0) + idf * tf / (K1 + tf)
        return scores

    def evidence(
        self, position: int, weights: Mapping[str, tuple[float, str, Source]]
    ) -> tuple[TermMatch, ...]:
        """How each weighted term contributed to the score of the document at `position`.

        The shares add up, in order, to the score `search` computed.

        Example:
            >>> index = SemanticIndex([{"name": ["gzip"], "description": ["gzip", "data"]}])
            >>> [(m.term, m.fields) for m in index.evidence(0, SemanticIndex.weigh(
            ...     [("gzip", "gzip", "intent"), ("fast", "fast", "context")]))]
            [('gzip', {'name': 1, 'description': 1})]
        """
        doc = self._documents[position]
        frequencies = self._frequencies(doc)
        found: list[TermMatch] = []
        for term, (weight, word, source) in weights.items():
            tf = frequencies.get(term)
            if tf is None:
                continue
            fields = {
                field: count for field in _FIELDS if (count := list(doc.get(field, ())).count(term))
            }
            share = self.idf(term) * weight * tf / (K1 + tf)
            found.append(TermMatch(term, word, source, fields, share))
        return tuple(found)
