"""The trained artefact: a linear classifier over [embedding, keyword cues] and the duplicate scorer.

Stored as one small ``.npz`` (weights as arrays, metadata as a JSON string) — numpy is all inference
needs; scikit-learn is only used to train it (see :mod:`thanglong.feedback.triage.training`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from thanglong.core.text import fold
from thanglong.feedback.triage.lexicon import CATEGORY_LEXICON, Prepared

FORMAT_VERSION = 1
KEYWORD_CAP = 3  # hits per category beyond this add nothing: long rants must not outvote meaning
_NUMBER = re.compile(r"\d+")


def keyword_features(prepared: Prepared, classes: list[str]) -> np.ndarray:
    found = CATEGORY_LEXICON.find(prepared)
    return np.array(
        [min(len(found.get(name, ())), KEYWORD_CAP) / KEYWORD_CAP for name in classes], np.float32
    )


def category_features(embedding: np.ndarray, prepared: Prepared, classes: list[str]) -> np.ndarray:
    return np.concatenate([np.asarray(embedding, np.float32), keyword_features(prepared, classes)])


def pair_features(vector_a: np.ndarray, vector_b: np.ndarray, text_a: str, text_b: str) -> np.ndarray:
    """[cosine, shared words, shared numbers, numbers on both sides that all differ].

    House and lane numbers separate "karaoke at lane 68" from "karaoke at lane 175", which an
    embedding alone scores as near-identical.
    """
    words_a = {word for word in fold(text_a).split() if len(word) > 1 and not word.isdigit()}
    words_b = {word for word in fold(text_b).split() if len(word) > 1 and not word.isdigit()}
    numbers_a, numbers_b = set(_NUMBER.findall(text_a)), set(_NUMBER.findall(text_b))
    union = words_a | words_b
    number_union = numbers_a | numbers_b
    return np.array(
        [
            float(np.dot(vector_a, vector_b)),
            len(words_a & words_b) / len(union) if union else 0.0,
            len(numbers_a & numbers_b) / len(number_union) if number_union else 0.0,
            1.0 if numbers_a and numbers_b and not numbers_a & numbers_b else 0.0,
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
    weights: np.ndarray  # (classes, features)
    bias: np.ndarray
    temperature: float  # fitted on out-of-fold predictions: turns scores into calibrated probabilities
    threshold: float  # below this confidence a person decides
    duplicate_weights: np.ndarray  # over pair_features
    duplicate_bias: float
    duplicate_threshold: float
    meta: dict[str, Any] = field(default_factory=dict)

    def logits(self, features: np.ndarray) -> np.ndarray:
        return ((features - self.mean) / self.scale) @ self.weights.T + self.bias

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        return _softmax(self.logits(features) / self.temperature)

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
                meta=meta,
            )
