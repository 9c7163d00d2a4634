"""The triage artefact: hashed n-gram features, numpy inference equal to training, the pair scorer."""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from thanglong.feedback.triage.engine import SHIPPED_MODEL
from thanglong.feedback.triage.model import TriageModel, pair_features
from thanglong.feedback.triage.ngrams import CHAR_BLOCK, hashed_counts, ngram_strings, weighted_row
from thanglong.feedback.triage.training import (
    Pair,
    _Ngrams,
    classifier_only,
    fit_category,
    fit_duplicates,
)

TEXTS = {
    "traffic": [
        "đèn tín hiệu ngã tư hỏng, tắc đường",
        "xe tải đỗ giữa đường gây ùn tắc",
        "den giao thong hong, xe di lon xon",
        "ô tô đỗ trên vỉa hè chắn lối đi",
        "traffic jam because the lights are broken",
        "xe máy đi ngược chiều trên cầu",
    ],
    "drugs": [
        "nghi bán ma túy trong ngõ",
        "con nghiện tiêm chích dưới gầm cầu",
        "nghien hut chich o bai dat trong",
        "someone is selling drugs near the school",
        "phòng trọ có mùi cần sa mỗi tối",
        "nhóm thanh niên bay lắc trong quán karaoke",
    ],
}


def random_embed(texts: Sequence[str]) -> np.ndarray:
    """A stand-in embedding, the same for the same text (seeded by its hash)."""
    rows = [np.random.default_rng(zlib.crc32(text.encode())).normal(size=16) for text in texts]
    matrix = np.array(rows, np.float32)
    return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)


def test_ngrams_of_accented_and_unaccented_text_meet() -> None:
    accented, unaccented = ngram_strings("ma túy"), ngram_strings("ma tuy")
    assert "w ma tuy" in accented and "w ma túy" in accented
    assert "w ma tuy" in unaccented
    assert "c tuy " in accented  # character n-grams of the folded word too


def test_hashing_is_stable_and_blocks_are_normalised_apart() -> None:
    counts = hashed_counts("Karaoke ồn ào đến 2 giờ sáng")
    assert counts == hashed_counts("Karaoke ồn ào đến 2 giờ sáng")
    words = [column for column in counts if column < CHAR_BLOCK]
    chars = [column for column in counts if column >= CHAR_BLOCK]
    assert words and chars
    columns = np.array(sorted(counts), np.int64)
    positions, values = weighted_row(counts, columns, np.ones(len(columns), np.float32))
    is_char = columns[positions] >= CHAR_BLOCK
    assert np.isclose(np.linalg.norm(values[is_char]), 1.0)
    assert np.isclose(np.linalg.norm(values[~is_char]), 1.0)
    # unknown columns are dropped, not an error
    assert len(weighted_row(counts, columns[:3], np.ones(3, np.float32))[0]) <= 3


def test_numpy_inference_matches_the_fitted_model_and_survives_saving(tmp_path: Path) -> None:
    texts = [text for rows in TEXTS.values() for text in rows]
    labels = [label for label, rows in TEXTS.items() for _ in rows]
    classes = sorted(TEXTS)
    fitted = fit_category(texts, labels, random_embed(texts), classes=classes, keywords=False)
    model = classifier_only(fitted, classes, "test")
    assert fitted["report"]["ngram_columns"] == len(model.hash_columns) > 0
    path = tmp_path / "model.npz"
    model.save(path)
    loaded = TriageModel.load(path)
    new = ["ma tuy ban o ngo 5", "tắc đường ở ngã tư"]
    probabilities = loaded.probabilities(random_embed(new), new)
    assert probabilities.shape == (2, 2)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    assert np.allclose(probabilities, model.probabilities(random_embed(new), new), atol=1e-5)
    one = loaded.probabilities(random_embed(new[:1])[0], new[:1])
    assert np.allclose(one, probabilities[0], atol=1e-5)
    assert [classes[i] for i in probabilities.argmax(axis=1)] == ["drugs", "traffic"]


def test_inference_features_equal_the_training_matrix() -> None:
    """The numpy path (hash → known columns → TF-IDF → per-block norm) rebuilds the very rows the
    classifier was trained on."""
    texts = [text for rows in TEXTS.values() for text in rows]
    labels = [label for label, rows in TEXTS.items() for _ in rows]
    embeddings = random_embed(texts)
    fitted = fit_category(texts, labels, embeddings, classes=sorted(TEXTS), keywords=False)
    model = classifier_only(fitted, sorted(TEXTS), "test")
    ngrams = _Ngrams(texts)
    every = np.arange(len(texts))
    matrix = ngrams.weighted(every, ngrams.idf(every)).toarray()
    kept = np.searchsorted(ngrams.columns, model.hash_columns)
    assert model.hash_weights is not None
    expected = (
        ((embeddings - fitted["mean"]) / fitted["scale"]) @ fitted["weights"].T
        + matrix[:, kept] @ model.hash_weights.T
        + fitted["bias"]
    )
    assert np.allclose(model.logits(embeddings, texts), expected, atol=1e-4)


def test_shipped_artefact_is_small_and_carries_ngrams() -> None:
    assert SHIPPED_MODEL.stat().st_size < 3 * 1024 * 1024
    model = TriageModel.load(SHIPPED_MODEL)
    assert model.hash_weights is not None
    assert model.hash_weights.shape == (len(model.classes), len(model.hash_columns))
    assert np.all(np.diff(model.hash_columns) > 0)  # sorted: inference uses searchsorted


def test_pair_features_see_numbers_and_folded_place_names() -> None:
    vector = np.ones(4, np.float32) / 2
    same = pair_features(vector, vector, "Karaoke số 15 ngõ 68 Tạ Hiện", "karaoke 15/68 ta hien on qua")
    other = pair_features(vector, vector, "Karaoke số 15 ngõ 68 Tạ Hiện", "Karaoke số 40 ngõ 175 Xuân Thủy")
    assert same[2] == 1.0 and same[3] == 0.0  # all numbers shared
    assert other[2] == 0.0 and other[3] == 1.0  # numbers on both sides, none shared
    assert same[4] > other[4]  # folded character 4-grams
    assert same[5] > 0.0  # the word pair "ta hien"


def test_duplicate_scorer_learns_from_dev_pairs_only() -> None:
    base = [
        ("Karaoke số {n} ngõ 68 hát đến 2h sáng", "karaoke nha {n} ngo 68 hat khuya"),
        ("Cháy xưởng gỗ số {n} cạnh chợ", "xưởng gỗ số {n} cạnh chợ đang cháy"),
    ]
    pairs = []
    for n in range(1, 13):
        for a, b in base:
            pairs.append(Pair(a.format(n=n), b.format(n=n), True, "dev"))
            pairs.append(Pair(a.format(n=n), b.format(n=n + 40), False, "dev"))
    pairs.append(Pair("x 1", "y 2", True, "test"))
    fitted = fit_duplicates(pairs, random_embed)
    assert fitted["pairs"] == len(pairs) - 1
    weights = np.asarray(fitted["weights"])
    assert weights[2] > 0 > weights[3]  # shared numbers for, all-different numbers against
    assert 0.3 <= fitted["threshold"] <= 0.95


@pytest.mark.parametrize("bad", ["format", "missing"])
def test_an_old_or_broken_artefact_is_refused(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "old.npz"
    if bad == "format":
        np.savez(path, meta=np.array('{"format": 1}'))
        with pytest.raises(ValueError, match="format"):
            TriageModel.load(path)
    else:
        path.write_bytes(b"not a model")
        with pytest.raises(Exception):  # noqa: B017 - numpy raises its own error types
            TriageModel.load(path)
