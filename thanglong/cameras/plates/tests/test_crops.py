"""Crop hypotheses: plates that fill the frame, where the detector's box cuts characters."""

import cv2
import numpy as np
import pytest

from thanglong.cameras.plates.crops import (
    Hypothesis,
    Reading,
    choose,
    hypotheses,
    is_close_up,
    needs_retry,
    touches_edge,
)
from thanglong.cameras.plates.grammar import normalise_plate, repair
from thanglong.cameras.plates.reader import MODELS_DIR, OnnxPlateReader, default_reader
from thanglong.cameras.plates.synth import random_spec, render_plate


def test_retry_only_doubtful_reads() -> None:
    frame = (1280, 720)
    small_inside = (600, 300, 700, 330)
    assert not needs_retry(small_inside, *frame, valid=True, prob=0.9, length=8)
    assert needs_retry(small_inside, *frame, valid=False, prob=0.9, length=8)
    assert needs_retry(small_inside, *frame, valid=True, prob=0.1, length=8)
    assert not needs_retry(small_inside, *frame, valid=False, prob=0.0, length=2)  # not a plate
    assert needs_retry((0, 300, 100, 330), *frame, valid=True, prob=0.9, length=8)  # at the left edge
    assert touches_edge((5, 10, 700, 150), 780, 165) and is_close_up((120, 10, 600, 150), 780, 165)
    assert not is_close_up(small_inside, *frame)


def test_hypotheses_widen_within_the_frame_and_add_the_whole_frame_for_close_ups() -> None:
    width, height = 780, 165
    rect = (190, 5, 590, 160)  # a one-row plate filling the frame, box 40 % too narrow
    found = hypotheses(rect, 2, width, height)
    rects = {h.rect for h in found}
    assert (0, 0, width, height) in rects
    for x0, y0, x1, y1 in rects:
        assert 0 <= x0 < x1 <= width and 0 <= y0 < y1 <= height
    assert any(x1 - x0 > 1.5 * (rect[2] - rect[0]) for x0, _, x1, _ in rects)
    # The detector said two rows; the frame's shape says one: both are tried.
    assert Hypothesis((0, 0, width, height), 1) in found
    assert Hypothesis(rect, 2) not in found  # the first read is not repeated
    # A small box in a large frame gets wider crops but not the whole frame.
    small = hypotheses((600, 300, 700, 330), 1, 1280, 720)
    assert small and all(h.rect != (0, 0, 1280, 720) for h in small)
    assert len(small) <= 8


def test_choose_prefers_the_valid_text_the_crops_agree_on() -> None:
    readings = [
        Reading("51A-12.04", 0.9, True, 7),  # a cut crop: confident but alone
        Reading("51A-012.04", 0.6, True, 8),
        Reading("51A-012.04", 0.5, True, 8),
        Reading("", 0.0, False, 5),
    ]
    assert choose(readings) == 1
    assert choose([Reading("", 0.0, False, 3), Reading("", 0.0, False, 6)]) in (0, 1)
    assert choose([Reading("", 0.0, False, 3), Reading("30A-123.45", 0.01, True, 8)]) == 1


@pytest.mark.skipif(not (MODELS_DIR / "detector.onnx").exists(), reason="plate models not built")
def test_frame_filling_one_row_plates_are_read_completely() -> None:
    """Uploaded crops and lane cameras: the plate is the whole image, edge to edge. The detector's box
    for such a plate is too narrow; the reader must still read every character, at least as often as
    the recogniser does on the whole frame, give or take two (without the wider crops it reads 10 of
    these 32, the recogniser on the whole frame 22)."""
    reader = default_reader()
    assert isinstance(reader, OnnxPlateReader)
    rng = np.random.default_rng(31)
    read = whole = total = 0
    while total < 32:
        spec = random_spec(rng)
        if spec.rows != 1:
            continue
        total += 1
        truth = normalise_plate(spec.lines[0], rows=1)
        plate = render_plate(spec, rng, px_per_mm=0.5).image
        frame = cv2.resize(plate, (780, 165), interpolation=cv2.INTER_CUBIC)  # upscaled, as uploads are
        best = max(reader.read(frame), key=lambda r: (r.valid, r.confidence), default=None)
        read += best is not None and best.text == truth and best.rows == 1
        (line,) = reader.recogniser.read([(frame, 1)])
        whole += repair(line.candidates, rows=1)[0] == truth
    assert read >= whole - 2 and read >= 20, f"read {read}/{total} (whole frame: {whole})"
