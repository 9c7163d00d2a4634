"""Character recogniser at run time: ONNX CRNN, CTC decoding with per-position alternatives."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from thanglong.cameras.plates.preprocess import ALPHABET, recogniser_input


@dataclass(frozen=True)
class LineRead:
    text: str  # greedy CTC reading, folded alphabet only
    confidence: float  # product of the chosen characters' probabilities
    candidates: list[list[tuple[str, float]]]  # per character: (char, prob) best first
    first_half: int = 0  # characters emitted in the left half: the top row of a two-row plate


def _softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=-1, keepdims=True)


def greedy_decode(logits: np.ndarray, *, top: int = 3) -> tuple[str, LineRead]:
    """Best path of one (T, classes) logits row: collapse repeats, drop blanks.

    Each emitted character keeps its top alternatives (probabilities renormalised without the
    blank), taken from the frame of the run where the character was most certain.
    """
    probs = _softmax(logits.astype(np.float32))
    best = probs.argmax(axis=1)
    chars: list[str] = []
    candidates: list[list[tuple[str, float]]] = []
    confidence = 1.0
    first_half = 0
    t = 0
    steps = len(best)
    while t < steps:
        k = int(best[t])
        end = t
        while end + 1 < steps and int(best[end + 1]) == k:
            end += 1
        if k != 0:
            frame = t + int(np.argmax(probs[t : end + 1, k]))
            p = probs[frame, 1:]
            order = np.argsort(-p)[:top]
            total = float(p.sum()) or 1.0
            chars.append(ALPHABET[k - 1])
            first_half += frame < steps // 2
            candidates.append([(ALPHABET[i], float(p[i] / total)) for i in order])
            confidence *= float(probs[frame, k])
        t = end + 1
    text = "".join(chars)
    return text, LineRead(text, confidence, candidates, first_half)


class OnnxRecogniser:
    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])

    def read(self, crops: list[tuple[np.ndarray, int]]) -> list[LineRead]:
        """Read a batch of (BGR crop, rows) in one call."""
        if not crops:
            return []
        batch = np.stack([recogniser_input(crop, rows) for crop, rows in crops])
        (logits,) = self.session.run(None, {"input": batch})
        return [greedy_decode(row)[1] for row in logits]
