"""Hashed word and character n-grams of a report, raw and accent-folded: the classifier's text features.

The embedding captures meaning; these capture the exact words, slang and spellings a small labelled set
teaches (and that an embedding blurs). Feature strings are hashed with CRC-32 (stdlib, stable across
processes and machines) into a fixed space, so inference needs no vocabulary file — only the weights of
the columns that training saw, stored sparse in the model.
"""

from __future__ import annotations

import itertools
import math
import re
import zlib
from collections import Counter

import numpy as np

from thanglong.core.text import fold, nfc

HASH_BITS = 20  # 1M columns: collisions among a few hundred thousand n-grams stay rare
# Word n-grams hash into the lower half, character n-grams into the upper; each half is L2-normalised
# on its own, so the many character n-grams do not drown the few words.
CHAR_BLOCK = 1 << (HASH_BITS - 1)
_HALF_MASK = CHAR_BLOCK - 1
_WORD = re.compile(r"[^\W_]+")
CHAR_RANGE = (2, 5)


def _words(text: str) -> tuple[list[str], list[str]]:
    raw = _WORD.findall(nfc(text).lower())
    return raw, fold(text).split()


def ngram_strings(text: str) -> Counter[str]:
    """Word 1–2-grams and within-word character 2–5-grams (words padded by spaces), of both forms.

    A text typed without accents yields the same strings twice — which is what lets "ma tuy" meet
    "ma túy": the folded form of the accented report is shared.
    """
    counts: Counter[str] = Counter()
    low, high = CHAR_RANGE
    for words in _words(text):
        counts.update(f"w {word}" for word in words)
        counts.update(f"w {a} {b}" for a, b in itertools.pairwise(words))
        for word in words:
            padded = f" {word} "
            for size in range(low, min(high, len(padded)) + 1):
                counts.update(f"c {padded[i : i + size]}" for i in range(len(padded) - size + 1))
    return counts


def hashed_counts(text: str) -> dict[int, float]:
    """Column → sublinear count (1 + log n)."""
    columns: dict[int, float] = {}
    for feature, count in ngram_strings(text).items():
        column = zlib.crc32(feature.encode()) & _HALF_MASK | (CHAR_BLOCK if feature[0] == "c" else 0)
        columns[column] = columns.get(column, 0.0) + count
    return {column: 1.0 + math.log(count) for column, count in columns.items()}


def weighted_row(
    counts: dict[int, float], columns: np.ndarray, idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (into ``columns``) and TF-IDF values of the columns a model knows, each block
    (words, characters) L2-normalised."""
    if not counts or not len(columns):
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    keys = np.fromiter(counts.keys(), np.int64, len(counts))
    values = np.fromiter(counts.values(), np.float32, len(counts))
    positions = np.searchsorted(columns, keys)
    positions[positions >= len(columns)] = 0
    known = columns[positions] == keys
    positions, values = positions[known], values[known] * idf[positions[known]]
    for block in (columns[positions] < CHAR_BLOCK, columns[positions] >= CHAR_BLOCK):
        norm = float(np.linalg.norm(values[block]))
        if norm:
            values[block] /= norm
    return positions, values.astype(np.float32)
