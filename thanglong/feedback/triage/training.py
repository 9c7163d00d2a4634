"""Training the triage model from the labelled reports and officers' corrections (needs scikit-learn).

Splits: the labelled file marks a fixed 30 % ``test`` split that nothing here ever tunes on. The
regularisation strength, the calibration temperature and the confidence threshold are all chosen on
out-of-fold predictions over the ``train`` part (5-fold cross-validation), and the duplicate scorer on
the ``dev`` half of the pairs file.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from thanglong.feedback.choices import Category
from thanglong.feedback.triage.embedders import Embedder
from thanglong.feedback.triage.lexicon import prepare
from thanglong.feedback.triage.model import TriageModel, category_features, pair_features

CLASSES = [str(value) for value in Category.values]
REGULARISATION_GRID = (0.05, 0.2, 1.0, 4.0)
TEMPERATURE_GRID = tuple(np.round(np.arange(0.3, 3.01, 0.05), 2))
# Precision the automatic decisions must reach on out-of-fold predictions; the rest go to a person.
TARGET_AUTO_ACCURACY = 0.90
TARGET_DUPLICATE_PRECISION = 0.90
DEFAULT_DUPLICATE_WEIGHTS = np.array([40.0, 4.0, 3.0, -3.0])  # used only when no pairs are available
DEFAULT_DUPLICATE_BIAS = -38.0

Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(frozen=True)
class Example:
    text: str
    category: str
    split: str = "train"
    source: str = "labelled"


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    same_incident: bool
    split: str


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_labelled(path: Path) -> list[Example]:
    return [
        Example(row["text"], row["category"], row.get("split", "train"))
        for row in read_jsonl(path)
        if row["category"] in CLASSES
    ]


def load_pairs(path: Path) -> list[Pair]:
    return [
        Pair(row["a"], row["b"], bool(row["same_incident"]), row.get("split", "dev"))
        for row in read_jsonl(path)
    ]


def correction_examples() -> list[Example]:
    """The category officers settled on, one per report (the latest correction wins)."""
    from thanglong.feedback.models import TriageCorrection

    latest: dict[int, Example] = {}
    rows = TriageCorrection.objects.filter(field="category").select_related("report").order_by("at", "id")
    for correction in rows:
        if correction.new_value in CLASSES:
            latest[correction.report_id] = Example(
                correction.report.masked_text or correction.report.text,
                correction.new_value,
                "train",
                "correction",
            )
    return list(latest.values())


def features_for(texts: Sequence[str], embeddings: np.ndarray) -> np.ndarray:
    return np.stack(
        [
            category_features(vector, prepare(text), CLASSES)
            for text, vector in zip(texts, embeddings, strict=True)
        ]
    )


def _standardise(features: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mean = features.mean(axis=0)
    scale = features.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return mean, scale


def _fit(features: np.ndarray, labels: np.ndarray, regularisation: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(C=regularisation, max_iter=3000, class_weight="balanced")
    classifier.fit(features, labels)
    return classifier


def _full_logits(classifier: Any, features: np.ndarray) -> np.ndarray:
    """Logits over every class, in CLASSES order, even where a fold lacked a class."""
    logits = np.full((len(features), len(CLASSES)), -1e3)
    logits[:, [CLASSES.index(name) for name in classifier.classes_]] = classifier.decision_function(features)
    return logits


def out_of_fold_logits(features: np.ndarray, labels: np.ndarray, regularisation: float) -> np.ndarray:
    from sklearn.model_selection import StratifiedKFold

    logits = np.zeros((len(features), len(CLASSES)))
    folds = StratifiedKFold(n_splits=5, shuffle=True, random_state=13)
    for fit_rows, held_rows in folds.split(features, labels):
        mean, scale = _standardise(features[fit_rows])
        classifier = _fit((features[fit_rows] - mean) / scale, labels[fit_rows], regularisation)
        logits[held_rows] = _full_logits(classifier, (features[held_rows] - mean) / scale)
    return logits


def _negative_log_likelihood(logits: np.ndarray, labels: np.ndarray, temperature: float) -> float:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    log_probabilities = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
    indices = np.array([CLASSES.index(label) for label in labels])
    return float(-log_probabilities[np.arange(len(labels)), indices].mean())


def choose_threshold(confidence: np.ndarray, correct: np.ndarray, target: float) -> float:
    """The lowest confidence line above which the decisions reach ``target`` accuracy."""
    for line in np.round(np.arange(0.05, 0.96, 0.01), 2):
        kept = confidence >= line
        if kept.sum() >= max(10, 0.2 * len(confidence)) and correct[kept].mean() >= target:
            return float(line)
    return 0.95


def macro_f1(gold: Iterable[str], predicted: Iterable[str]) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(list(gold), list(predicted), average="macro", zero_division=0))


def fit_category(texts: Sequence[str], labels: Sequence[str], embeddings: np.ndarray) -> dict[str, Any]:
    features = features_for(texts, embeddings)
    label_array = np.array(labels)
    tried = {}
    for regularisation in REGULARISATION_GRID:
        logits = out_of_fold_logits(features, label_array, regularisation)
        tried[regularisation] = (macro_f1(label_array, np.array(CLASSES)[logits.argmax(1)]), logits)
    regularisation = max(tried, key=lambda c: tried[c][0])
    oof_f1, oof_logits = tried[regularisation]
    temperature = min(TEMPERATURE_GRID, key=lambda t: _negative_log_likelihood(oof_logits, label_array, t))
    scaled = oof_logits / temperature
    probabilities = np.exp(scaled - scaled.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    correct = np.array(CLASSES)[probabilities.argmax(1)] == label_array
    threshold = choose_threshold(probabilities.max(1), correct, TARGET_AUTO_ACCURACY)
    mean, scale = _standardise(features)
    classifier = _fit((features - mean) / scale, label_array, regularisation)
    weights = np.zeros((len(CLASSES), features.shape[1]))
    bias = np.full(len(CLASSES), -1e3)
    rows = [CLASSES.index(name) for name in classifier.classes_]
    weights[rows], bias[rows] = classifier.coef_, classifier.intercept_
    kept = probabilities.max(1) >= threshold
    return {
        "mean": mean,
        "scale": scale,
        "weights": weights,
        "bias": bias,
        "temperature": float(temperature),
        "threshold": threshold,
        "report": {
            "regularisation": regularisation,
            "out_of_fold_macro_f1": round(oof_f1, 4),
            "out_of_fold_auto_share": round(float(kept.mean()), 4),
            "out_of_fold_auto_accuracy": round(float(correct[kept].mean()) if kept.any() else 0.0, 4),
        },
    }


def fit_duplicates(pairs: Sequence[Pair], embed: Embed) -> dict[str, Any]:
    """Logistic regression over pair features on the dev pairs; the line keeps precision ≥ the target."""
    dev = [pair for pair in pairs if pair.split == "dev"]
    if len({pair.same_incident for pair in dev}) < 2:
        return {
            "weights": DEFAULT_DUPLICATE_WEIGHTS,
            "bias": DEFAULT_DUPLICATE_BIAS,
            "threshold": 0.5,
            "pairs": 0,
        }
    from sklearn.linear_model import LogisticRegression

    features = pair_matrix(dev, embed)
    labels = np.array([pair.same_incident for pair in dev])
    mean, scale = _standardise(features)
    # Strong regularisation: with a few dozen pairs a weaker one lets the correlated cosine and
    # word-overlap features take opposite signs, which would not survive new wording.
    classifier = LogisticRegression(C=0.3, max_iter=2000).fit((features - mean) / scale, labels)
    weights = classifier.coef_[0] / scale  # folded back so the stored weights apply to raw features
    bias = float(classifier.intercept_[0] - np.sum(classifier.coef_[0] * mean / scale))
    probabilities = 1.0 / (1.0 + np.exp(-(features @ weights + bias)))
    threshold = 0.5
    for line in np.round(np.arange(0.3, 0.96, 0.01), 2):
        kept = probabilities >= line
        if kept.any() and labels[kept].mean() >= TARGET_DUPLICATE_PRECISION:
            threshold = float(line)
            break
    return {
        "weights": weights,
        "bias": bias,
        "threshold": threshold,
        "pairs": len(dev),
    }


def pair_matrix(pairs: Sequence[Pair], embed: Embed) -> np.ndarray:
    vectors_a = embed([pair.a for pair in pairs])
    vectors_b = embed([pair.b for pair in pairs])
    return np.stack(
        [
            pair_features(va, vb, pair.a, pair.b)
            for pair, va, vb in zip(pairs, vectors_a, vectors_b, strict=True)
        ]
    )


def train(
    examples: Sequence[Example],
    pairs: Sequence[Pair],
    embedder: Embedder,
    *,
    embed: Embed | None = None,
    include_test: bool = False,
) -> TriageModel:
    """A model from ``examples`` (the test split left out unless ``include_test``) and the dev pairs."""
    embed = embed or embedder.embed
    chosen = [example for example in examples if include_test or example.split != "test"]
    texts = [example.text for example in chosen]
    started = time.perf_counter()
    category = fit_category(texts, [example.category for example in chosen], embed(texts))
    duplicates = fit_duplicates(pairs, embed)
    return TriageModel(
        classes=CLASSES,
        embedder=embedder.name,
        mean=category["mean"],
        scale=category["scale"],
        weights=category["weights"],
        bias=category["bias"],
        temperature=category["temperature"],
        threshold=category["threshold"],
        duplicate_weights=np.asarray(duplicates["weights"], np.float64),
        duplicate_bias=float(duplicates["bias"]),
        duplicate_threshold=float(duplicates["threshold"]),
        meta={
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "examples": len(chosen),
            "corrections": sum(example.source == "correction" for example in chosen),
            "included_test_split": include_test,
            "duplicate_pairs": duplicates["pairs"],
            "training_seconds": round(time.perf_counter() - started, 1),
            **category["report"],
        },
    )
