"""Training the triage model from the labelled reports and officers' corrections (needs scikit-learn).

Features: the embedding and keyword cues (dense, standardised, weighted as one block) beside hashed
word and character n-grams (TF-IDF, see :mod:`thanglong.feedback.triage.ngrams`).

Splits: the labelled file marks a fixed 30 % ``test`` split that nothing here ever tunes on. The
regularisation strength, the weight of the dense block, the calibration temperature and the
confidence threshold are all chosen on out-of-fold predictions over the ``train`` part (5-fold
cross-validation; one 80/20 split of it for sets of thousands), and the duplicate scorer (monotone
logistic regression, strength by 5-fold cross-validation, line on out-of-fold probabilities) on the
``dev`` half of the pairs file.
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
from thanglong.feedback.triage.model import (
    PAIR_FEATURE_SIGNS,
    TriageModel,
    category_features,
    pair_features,
)
from thanglong.feedback.triage.ngrams import CHAR_BLOCK, hashed_counts

CLASSES = [str(value) for value in Category.values]
# (C, weight of the standardised dense block against the L2-normalised n-gram row).
SETTINGS_GRID = ((2.0, 0.03), (4.0, 0.03), (16.0, 0.03), (4.0, 0.1), (4.0, 0.3))
LARGE_SET = 3000
TEMPERATURE_GRID = tuple(np.round(np.arange(0.3, 3.01, 0.05), 2))
# Precision the automatic decisions must reach on out-of-fold predictions; the rest go to a person.
TARGET_AUTO_ACCURACY = 0.90
TARGET_DUPLICATE_PRECISION = 0.90
DEFAULT_DUPLICATE_WEIGHTS = np.array(
    [40.0, 4.0, 3.0, -3.0, 0.0, 0.0]
)  # used only when no pairs are available
DEFAULT_DUPLICATE_BIAS = -38.0
DUPLICATE_REGULARISATION_GRID = (0.1, 0.3, 1.0, 3.0)

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
    category: str = ""


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
        Pair(row["a"], row["b"], bool(row["same_incident"]), row.get("split", "dev"), row.get("category", ""))
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


def features_for(texts: Sequence[str], embeddings: np.ndarray, *, keywords: bool = True) -> np.ndarray:
    """The dense part: the embedding, and (for our categories) the keyword cues."""
    if not keywords:
        return np.asarray(embeddings, np.float32)
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


class _Ngrams:
    """Hashed n-gram counts of the training texts, as a CSR matrix over the columns any text has."""

    def __init__(self, texts: Sequence[str]) -> None:
        from scipy.sparse import csr_matrix

        rows = [hashed_counts(text) for text in texts]
        self.columns = np.array(sorted({column for row in rows for column in row}), np.int64)
        position = {int(column): index for index, column in enumerate(self.columns)}
        indptr: list[int] = [0]
        indices: list[int] = []
        values: list[float] = []
        for row in rows:
            indices.extend(position[column] for column in row)
            values.extend(row.values())
            indptr.append(len(indices))
        self.counts = csr_matrix(
            (np.array(values, np.float64), np.array(indices, np.int64), np.array(indptr, np.int64)),
            shape=(len(rows), len(self.columns)),
        )

    def idf(self, fit_rows: np.ndarray) -> np.ndarray:
        """Smoothed IDF from ``fit_rows`` only; 0 for columns they lack (unknown words carry nothing)."""
        seen = np.asarray((self.counts[fit_rows] > 0).sum(axis=0)).ravel()
        idf = np.log((1 + len(fit_rows)) / (1 + seen)) + 1.0
        idf[seen == 0] = 0.0
        return idf

    def weighted(self, rows: np.ndarray, idf: np.ndarray) -> Any:
        """TF-IDF rows, the word and the character block each L2-normalised (as at inference)."""
        from scipy.sparse import hstack
        from sklearn.preprocessing import normalize

        matrix = self.counts[rows].multiply(idf).tocsr()
        split = int(np.searchsorted(self.columns, CHAR_BLOCK))
        return hstack([normalize(matrix[:, :split]), normalize(matrix[:, split:])]).tocsr()


def _design(dense: np.ndarray, ngrams: Any, dense_weight: float) -> Any:
    from scipy.sparse import csr_matrix, hstack

    return hstack([csr_matrix(dense * dense_weight), ngrams]).tocsr()


def _fit(features: Any, labels: np.ndarray, regularisation: float) -> Any:
    from sklearn.linear_model import LogisticRegression

    classifier = LogisticRegression(C=regularisation, max_iter=3000, class_weight="balanced")
    classifier.fit(features, labels)
    return classifier


def _full_logits(classifier: Any, features: Any, classes: list[str]) -> np.ndarray:
    """Logits over every class, in ``classes`` order, even where a fold lacked a class."""
    logits = np.full((features.shape[0], len(classes)), -1e3)
    scores = classifier.decision_function(features)
    if scores.ndim == 1:  # two classes seen: sklearn gives one column, for classes_[1]
        scores = np.stack([-scores / 2, scores / 2], axis=1)
    logits[:, [classes.index(name) for name in classifier.classes_]] = scores
    return logits


def _folds(labels: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """5 stratified folds; for large sets one stratified 80/20 split of the training rows (thousands of
    held rows already give a stable estimate, and each fit there takes tens of seconds)."""
    from sklearn.model_selection import StratifiedKFold, StratifiedShuffleSplit

    if len(labels) >= LARGE_SET:
        split = StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=13)
        return list(split.split(np.zeros(len(labels)), labels))
    smallest = min(np.unique(labels, return_counts=True)[1])
    folds = StratifiedKFold(n_splits=max(2, min(5, int(smallest))), shuffle=True, random_state=13)
    return list(folds.split(np.zeros(len(labels)), labels))


def out_of_fold_logits(
    dense: np.ndarray,
    ngrams: _Ngrams,
    labels: np.ndarray,
    setting: tuple[float, float],
    classes: list[str],
    folds: list[tuple[np.ndarray, np.ndarray]],
) -> np.ndarray:
    regularisation, dense_weight = setting
    logits = np.zeros((len(labels), len(classes)))
    for fit_rows, held_rows in folds:
        mean, scale = _standardise(dense[fit_rows])
        idf = ngrams.idf(fit_rows)
        fit_x = _design((dense[fit_rows] - mean) / scale, ngrams.weighted(fit_rows, idf), dense_weight)
        held_x = _design((dense[held_rows] - mean) / scale, ngrams.weighted(held_rows, idf), dense_weight)
        classifier = _fit(fit_x, labels[fit_rows], regularisation)
        logits[held_rows] = _full_logits(classifier, held_x, classes)
    return logits


def _negative_log_likelihood(
    logits: np.ndarray, labels: np.ndarray, temperature: float, classes: list[str]
) -> float:
    scaled = logits / temperature
    scaled = scaled - scaled.max(axis=1, keepdims=True)
    log_probabilities = scaled - np.log(np.exp(scaled).sum(axis=1, keepdims=True))
    indices = np.array([classes.index(label) for label in labels])
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


def fit_category(
    texts: Sequence[str],
    labels: Sequence[str],
    embeddings: np.ndarray,
    *,
    classes: list[str] | None = None,
    keywords: bool = True,
) -> dict[str, Any]:
    """Fit [embedding, keyword cues] + hashed n-grams → logistic regression.

    The regularisation strength and the weight of the dense block against the n-grams are chosen
    together on out-of-fold macro-F1 over ``texts`` only; the temperature and the confidence line
    on the same out-of-fold predictions.
    """
    classes = classes or CLASSES
    dense = features_for(texts, embeddings, keywords=keywords)
    ngrams = _Ngrams(texts)
    label_array = np.array(labels)
    folds = _folds(label_array)
    held = np.sort(np.concatenate([held_rows for _, held_rows in folds]))
    held_labels = label_array[held]
    tried = {}
    for setting in SETTINGS_GRID:
        logits = out_of_fold_logits(dense, ngrams, label_array, setting, classes, folds)[held]
        tried[setting] = (macro_f1(held_labels, np.array(classes)[logits.argmax(1)]), logits)
    regularisation, dense_weight = max(tried, key=lambda setting: tried[setting][0])
    oof_f1, oof_logits = tried[(regularisation, dense_weight)]
    temperature = min(
        TEMPERATURE_GRID, key=lambda t: _negative_log_likelihood(oof_logits, held_labels, t, classes)
    )
    scaled = oof_logits / temperature
    probabilities = np.exp(scaled - scaled.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    correct = np.array(classes)[probabilities.argmax(1)] == held_labels
    threshold = choose_threshold(probabilities.max(1), correct, TARGET_AUTO_ACCURACY)
    mean, scale = _standardise(dense)
    every_row = np.arange(len(label_array))
    idf = ngrams.idf(every_row)
    design = _design((dense - mean) / scale, ngrams.weighted(every_row, idf), dense_weight)
    classifier = _fit(design, label_array, regularisation)
    coefficients = np.zeros((len(classes), design.shape[1]))
    bias = np.full(len(classes), -1e3)
    rows = [classes.index(name) for name in classifier.classes_]
    if len(rows) == 2:  # binary: sklearn keeps one row, for classes_[1]
        coefficients[rows] = np.stack([-classifier.coef_[0] / 2, classifier.coef_[0] / 2])
        bias[rows] = [-classifier.intercept_[0] / 2, classifier.intercept_[0] / 2]
    else:
        coefficients[rows], bias[rows] = classifier.coef_, classifier.intercept_
    width = dense.shape[1]
    used = np.flatnonzero(np.abs(coefficients[:, width:]).max(axis=0) > 1e-7)
    kept = probabilities.max(1) >= threshold
    return {
        "mean": mean,
        "scale": scale,
        "weights": coefficients[:, :width] * dense_weight,  # the block weight folded in
        "bias": bias,
        "hash_columns": ngrams.columns[used],
        "hash_idf": idf[used],
        "hash_weights": coefficients[:, width:][:, used],
        "temperature": float(temperature),
        "threshold": threshold,
        "report": {
            "regularisation": regularisation,
            "dense_weight": dense_weight,
            "ngram_columns": len(used),
            "cross_validation_folds": len(folds),
            "out_of_fold_macro_f1": round(oof_f1, 4),
            "out_of_fold_auto_share": round(float(kept.mean()), 4),
            "out_of_fold_auto_accuracy": round(float(correct[kept].mean()) if kept.any() else 0.0, 4),
        },
    }


def _model(
    category: dict[str, Any],
    classes: list[str],
    embedder: str,
    *,
    duplicate_weights: np.ndarray,
    duplicate_bias: float,
    duplicate_threshold: float,
    meta: dict[str, Any],
) -> TriageModel:
    """A model from :func:`fit_category`'s output and a duplicate scorer."""
    return TriageModel(
        classes=classes,
        embedder=embedder,
        mean=category["mean"],
        scale=category["scale"],
        weights=category["weights"],
        bias=category["bias"],
        temperature=category["temperature"],
        threshold=category["threshold"],
        hash_columns=category["hash_columns"],
        hash_idf=category["hash_idf"],
        hash_weights=category["hash_weights"],
        duplicate_weights=duplicate_weights,
        duplicate_bias=duplicate_bias,
        duplicate_threshold=duplicate_threshold,
        meta=meta,
    )


def classifier_only(category: dict[str, Any], classes: list[str], embedder: str) -> TriageModel:
    """A model from :func:`fit_category` alone (no duplicate scorer): for other label sets."""
    return _model(
        category,
        classes,
        embedder,
        duplicate_weights=DEFAULT_DUPLICATE_WEIGHTS,
        duplicate_bias=DEFAULT_DUPLICATE_BIAS,
        duplicate_threshold=1.0,
        meta=dict(category["report"]),
    )


def _fit_monotone(features: np.ndarray, labels: np.ndarray, strength: float) -> tuple[np.ndarray, float]:
    """L2-regularised logistic regression (``strength`` as sklearn's C) with each weight's sign
    fixed by :data:`PAIR_FEATURE_SIGNS`."""
    from scipy.optimize import minimize

    targets = labels.astype(float)
    width = features.shape[1]

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        weights, bias = params[:width], params[width]
        z = features @ weights + bias
        residual = 1.0 / (1.0 + np.exp(-z)) - targets
        value = float(np.sum(np.logaddexp(0.0, z) - targets * z) + 0.5 / strength * weights @ weights)
        gradient = np.append(features.T @ residual + weights / strength, residual.sum())
        return value, gradient

    bounds = [(0.0, None) if sign > 0 else (None, 0.0) for sign in PAIR_FEATURE_SIGNS] + [(None, None)]
    result = minimize(loss, np.zeros(width + 1), jac=True, method="L-BFGS-B", bounds=bounds)
    return result.x[:width], float(result.x[width])


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
    from sklearn.metrics import average_precision_score
    from sklearn.model_selection import StratifiedKFold

    features = pair_matrix(dev, embed)
    labels = np.array([pair.same_incident for pair in dev])
    mean, scale = _standardise(features)
    standardised = (features - mean) / scale
    # Regularisation by 5-fold cross-validation on the dev pairs. The weights are kept monotone
    # (more similarity never lowers the score): hard negatives make the similarity features
    # correlated, and an unconstrained fit gives cosine a negative weight — which would rank
    # unrelated reports above near-identical ones among real candidates.
    smaller_class = int(min(labels.sum(), (~labels).sum()))
    out_of_fold = {}
    for strength in DUPLICATE_REGULARISATION_GRID if smaller_class >= 2 else (0.3,):
        predicted = np.zeros(len(labels))
        if smaller_class >= 2:
            folds = StratifiedKFold(n_splits=min(5, smaller_class), shuffle=True, random_state=13)
            for fit_rows, held_rows in folds.split(standardised, labels):
                w, b = _fit_monotone(standardised[fit_rows], labels[fit_rows], strength)
                predicted[held_rows] = 1.0 / (1.0 + np.exp(-(standardised[held_rows] @ w + b)))
        else:  # a single pair on one side: nothing to hold out
            w, b = _fit_monotone(standardised, labels, strength)
            predicted = 1.0 / (1.0 + np.exp(-(standardised @ w + b)))
        out_of_fold[strength] = predicted
    strength = max(out_of_fold, key=lambda c: average_precision_score(labels, out_of_fold[c]))
    coefficients, intercept = _fit_monotone(standardised, labels, strength)
    weights = coefficients / scale  # folded back so the stored weights apply to raw features
    bias = float(intercept - np.sum(coefficients * mean / scale))
    # The line comes from the out-of-fold probabilities: in-sample ones would promise more precision
    # than new pairs get.
    probabilities = out_of_fold[strength]
    threshold = 0.95
    for line in np.round(np.arange(0.3, 0.96, 0.01), 2):
        kept = probabilities >= line
        if kept.sum() >= 5 and labels[kept].mean() >= TARGET_DUPLICATE_PRECISION:
            threshold = float(line)
            break
    return {
        "weights": weights,
        "bias": bias,
        "threshold": threshold,
        "pairs": len(dev),
        "regularisation": strength,
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
    return _model(
        category,
        CLASSES,
        embedder.name,
        duplicate_weights=np.asarray(duplicates["weights"], np.float64),
        duplicate_bias=float(duplicates["bias"]),
        duplicate_threshold=float(duplicates["threshold"]),
        meta={
            "trained_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "examples": len(chosen),
            "corrections": sum(example.source == "correction" for example in chosen),
            "included_test_split": include_test,
            "duplicate_pairs": duplicates["pairs"],
            "duplicate_regularisation": duplicates.get("regularisation"),
            "training_seconds": round(time.perf_counter() - started, 1),
            **category["report"],
        },
    )
