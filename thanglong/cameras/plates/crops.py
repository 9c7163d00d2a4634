"""Crop hypotheses around a detection, for plates the detector boxes badly.

A plate that fills the frame (an uploaded crop, a camera beside the lane) is the case the detector
sees least: its box is often 20–40 % too narrow and cuts the first and last characters, and its
row channel can be wrong. When a read looks doubtful, the reader also reads a few wider crops
(and the whole frame when the box covers most of it), each as one and as two rows where the shape
allows both, and keeps the plate text most of them agree on. Only doubtful reads are retried, so a
normal frame costs nothing more.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from thanglong.cameras.plates.preprocess import TWO_ROW_ASPECT

Rect = tuple[int, int, int, int]  # x0, y0, x1, y1 in frame pixels

EDGE = 0.03  # a box this close (share of the frame side) to a frame edge "touches" it
LARGE = 0.45  # a box wider than this share of the frame, or taller than its double, is a close-up
CONFIDENT = 0.85  # below this probability per character (geometric mean) a valid read is re-tried
# (horizontal, vertical) margin on each side, as a share of the box side: a box inside the frame
# is at most a little short; a close-up's box can miss 40 % of the plate.
WIDER = ((0.10, 0.08), (0.22, 0.12))
WIDER_CLOSE_UP = ((0.22, 0.12), (0.40, 0.15))
MAX_RETRIED = 2  # detections re-tried per frame: the per-frame cost stays bounded


@dataclass(frozen=True)
class Hypothesis:
    rect: Rect
    rows: int


@dataclass(frozen=True)
class Reading:
    """One hypothesis read: grammar-repaired text ("" when none), its probability, validity."""

    text: str
    prob: float
    valid: bool
    length: int


def touches_edge(rect: Rect, width: int, height: int) -> bool:
    x0, y0, x1, y1 = rect
    return x0 <= EDGE * width or y0 <= EDGE * height or x1 >= (1 - EDGE) * width or y1 >= (1 - EDGE) * height


def is_close_up(rect: Rect, width: int, height: int) -> bool:
    x0, y0, x1, y1 = rect
    return (x1 - x0) >= LARGE * width or (y1 - y0) >= min(1.0, 2 * LARGE) * height


def needs_retry(rect: Rect, width: int, height: int, *, valid: bool, prob: float, length: int) -> bool:
    """Doubtful: a box at the frame's edge or filling it, a read the grammar refused, or an unsure one.
    Apart from close-ups, a read of fewer than four characters is text that is not a plate (or a
    plate too small to read): wider crops do not help it."""
    if is_close_up(rect, width, height):
        return True
    if length < 4:
        return False
    return touches_edge(rect, width, height) or not valid or prob ** (1 / length) < CONFIDENT


def _rows_for(w: int, h: int, detected: int) -> tuple[int, ...]:
    """Row counts worth trying for a crop of this shape: the detector's, and the shape's when they differ
    or the shape is near the one-/two-row boundary."""
    aspect = w / max(1, h)
    by_shape = 2 if aspect < TWO_ROW_ASPECT else 1
    options = [detected]
    if by_shape != detected or 0.7 * TWO_ROW_ASPECT < aspect < 1.4 * TWO_ROW_ASPECT:
        options.append(3 - detected)
    if aspect < 1.2:
        options = [2]  # square: one row is impossible
    elif aspect > 4.5:
        options = [1]  # long and thin: two rows are impossible
    return tuple(dict.fromkeys(options))


def hypotheses(rect: Rect, rows: int, width: int, height: int) -> list[Hypothesis]:
    """Wider crops around ``rect`` clipped to the frame, and the whole frame for a close-up; the first
    is ``rect`` itself with the other row count when the shape allows it."""
    x0, y0, x1, y1 = rect
    w, h = x1 - x0, y1 - y0
    rects: list[Rect] = [rect]
    for mx, my in WIDER_CLOSE_UP if is_close_up(rect, width, height) else WIDER:
        dx, dy = round(mx * w), round(my * h)
        rects.append((max(0, x0 - dx), max(0, y0 - dy), min(width, x1 + dx), min(height, y1 + dy)))
    if is_close_up(rect, width, height):
        rects.append((0, 0, width, height))
    out: list[Hypothesis] = []
    seen: set[tuple[Rect, int]] = set()
    for r in rects:
        for n in _rows_for(r[2] - r[0], r[3] - r[1], rows):
            if (r, n) not in seen and (r, n) != (rect, rows):
                seen.add((r, n))
                out.append(Hypothesis(r, n))
    return out


def choose(readings: list[Reading]) -> int:
    """Index of the reading to keep: the valid text most readings agree on, weighted by each reading's
    per-character probability (a crop that cuts characters reads a shorter text, seldom agreed on);
    without any valid text, the most probable reading."""
    votes: dict[str, float] = defaultdict(float)
    for reading in readings:
        if reading.valid:
            votes[reading.text] += reading.prob ** (1 / max(1, reading.length))
    if not votes:
        return max(range(len(readings)), key=lambda i: readings[i].prob)
    best_text = max(votes, key=lambda t: votes[t])
    return max(
        (i for i, r in enumerate(readings) if r.valid and r.text == best_text), key=lambda i: readings[i].prob
    )
