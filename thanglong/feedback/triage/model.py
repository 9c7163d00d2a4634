"""The trained artefact: a linear classifier over [embedding, keyword cues, hashed n-grams] and the
duplicate scorer.

Stored as one small ``.npz`` (weights as arrays, metadata as a JSON string) — numpy is all inference
needs; scikit-learn is only used to train it (see :mod:`thanglong.feedback.triage.training`). The
n-gram weights are kept only for the hashed columns training saw (a few tens of thousands), so the
file stays a few hundred KB.
"""

from __future__ import annotations

import itertools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from thanglong.core.text import fold
from thanglong.feedback.triage.lexicon import CATEGORY_LEXICON, Prepared
from thanglong.feedback.triage.ngrams import hashed_counts, weighted_row

FORMAT_VERSION = 2
KEYWORD_CAP = 3  # hits per category beyond this add nothing: long rants must not outvote meaning
_NUMBER = re.compile(r"\d+")


def keyword_features(prepared: Prepared, classes: list[str]) -> np.ndarray:
    found = CATEGORY_LEXICON.find(prepared)
    return np.array(
        [min(len(found.get(name, ())), KEYWORD_CAP) / KEYWORD_CAP for name in classes], np.float32
    )


def category_features(embedding: np.ndarray, prepared: Prepared, classes: list[str]) -> np.ndarray:
    return np.concatenate([np.asarray(embedding, np.float32), keyword_features(prepared, classes)])


# The direction each pair feature may push the duplicate score: similarity up, "all numbers differ" down.
PAIR_FEATURE_SIGNS = (1, 1, 1, -1, 1, 1)


def _jaccard(a: set[Any], b: set[Any]) -> float:
    union = a | b
    return len(a & b) / len(union) if union else 0.0


def _containment(a: set[Any], b: set[Any]) -> float:
    """Share of the smaller set found in the other: a short report against a detailed one."""
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0


def _char_grams(folded: str) -> set[str]:
    padded = f" {folded} "
    return {padded[i : i + 4] for i in range(len(padded) - 3)}


def pair_features(vector_a: np.ndarray, vector_b: np.ndarray, text_a: str, text_b: str) -> np.ndarray:
    """[cosine, shared words, shared numbers (of the side with fewer), numbers on both sides that all
    differ, shared folded character 4-grams, shared folded word pairs].

    House and lane numbers separate "karaoke at lane 68" from "karaoke at lane 175", which an
    embedding alone scores as near-identical. The folded character and word-pair overlaps meet
    place names however they are typed ("Tạ Hiện", "Ta Hien", "ta hien").
    """
    folded_a, folded_b = fold(text_a), fold(text_b)
    tokens_a, tokens_b = folded_a.split(), folded_b.split()
    words_a = {word for word in tokens_a if len(word) > 1 and not word.isdigit()}
    words_b = {word for word in tokens_b if len(word) > 1 and not word.isdigit()}
    numbers_a, numbers_b = set(_NUMBER.findall(text_a)), set(_NUMBER.findall(text_b))
    return np.array(
        [
            float(np.dot(vector_a, vector_b)),
            _jaccard(words_a, words_b),
            _containment(numbers_a, numbers_b),
            1.0 if numbers_a and numbers_b and not numbers_a & numbers_b else 0.0,
            _jaccard(_char_grams(folded_a), _char_grams(folded_b)),
            _jaccard(set(itertools.pairwise(tokens_a)), set(itertools.pairwise(tokens_b))),
        ],
        np.float32,
    )


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


@dataclass
class TriageModel:
    classes: list[str]
    embedder: str  # features only make sense with the embedder the weights were trained on
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray  # (classes, dense features), over standardised features
    bias: np.ndarray
    temperature: float  # fitted on out-of-fold predictions: turns scores into calibrated probabilities
    threshold: float  # below this confidence a person decides
    duplicate_weights: np.ndarray  # over pair_features
    duplicate_bias: float
    duplicate_threshold: float
    # Hashed n-grams: the sorted columns training saw, their IDF, and (classes, columns) weights.
    hash_columns: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    hash_idf: np.ndarray = field(default_factory=lambda: np.zeros(0, np.float32))
    hash_weights: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    def text_logits(self, text: str) -> np.ndarray:
        """The n-gram part of the logits: a sparse row dotted with the stored columns."""
        if self.hash_weights is None or not len(self.hash_columns):
            return np.zeros(len(self.classes))
        positions, values = weighted_row(hashed_counts(text), self.hash_columns, self.hash_idf)
        return self.hash_weights[:, positions] @ values

    def logits(self, features: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        """``features``: one dense row or a matrix; ``texts`` (one per row) adds the n-gram part."""
        dense = ((features - self.mean) / self.scale) @ self.weights.T + self.bias
        if texts is None:
            return dense
        text_part = np.stack([self.text_logits(text) for text in texts])
        return dense + (text_part[0] if dense.ndim == 1 else text_part)

    def probabilities(self, features: np.ndarray, texts: list[str] | None = None) -> np.ndarray:
        return _softmax(self.logits(features, texts) / self.temperature)

    def duplicate_probability(self, features: np.ndarray) -> float:
        return float(1.0 / (1.0 + np.exp(-(features @ self.duplicate_weights + self.duplicate_bias))))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            np.savez_compressed(
                handle,
                classes=np.array(self.classes),
                embedder=np.array(self.embedder),
                mean=self.mean.astype(np.float32),
                scale=self.scale.astype(np.float32),
                weights=self.weights.astype(np.float32),
                bias=self.bias.astype(np.float32),
                scalars=np.array(
                    [self.temperature, self.threshold, self.duplicate_bias, self.duplicate_threshold],
                    np.float64,
                ),
                duplicate_weights=self.duplicate_weights.astype(np.float64),
                hash_columns=self.hash_columns.astype(np.int64),
                hash_idf=self.hash_idf.astype(np.float32),
                hash_weights=(
                    self.hash_weights if self.hash_weights is not None else np.zeros((len(self.classes), 0))
                ).astype(np.float32),
                meta=np.array(json.dumps({**self.meta, "format": FORMAT_VERSION}, ensure_ascii=False)),
            )

    @classmethod
    def load(cls, path: Path) -> TriageModel:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT_VERSION:
                raise ValueError(
                    f"{path}: triage model format {meta.get('format')}, expected {FORMAT_VERSION}"
                )
            temperature, threshold, duplicate_bias, duplicate_threshold = (float(v) for v in data["scalars"])
            return cls(
                classes=[str(name) for name in data["classes"]],
                embedder=str(data["embedder"]),
                mean=data["mean"],
                scale=data["scale"],
                weights=data["weights"],
                bias=data["bias"],
                temperature=temperature,
                threshold=threshold,
                duplicate_weights=data["duplicate_weights"],
                duplicate_bias=duplicate_bias,
                duplicate_threshold=duplicate_threshold,
                hash_columns=data["hash_columns"],
                hash_idf=data["hash_idf"],
                hash_weights=data["hash_weights"],
                meta=meta,
            )
