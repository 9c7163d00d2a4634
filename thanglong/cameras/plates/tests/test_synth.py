import numpy as np

from thanglong.cameras.plates.grammar import normalise_plate
from thanglong.cameras.plates.preprocess import REC_HEIGHT, REC_WIDTH, recogniser_input
from thanglong.cameras.plates.synth import (
    detector_scene,
    plate_crop,
    random_spec,
    recogniser_sample,
    render_plate,
)


def test_random_specs_are_valid_plates() -> None:
    rng = np.random.default_rng(0)
    for _ in range(300):
        spec = random_spec(rng)
        rows = 2 if spec.category != "military" and spec.rows == 2 else None
        assert normalise_plate("-".join(spec.lines), rows=rows), spec
        assert spec.rows in (1, 2)
        assert spec.colour in ("white", "yellow", "blue", "red")


def test_rendered_plate_proportions() -> None:
    rng = np.random.default_rng(1)
    for _ in range(30):
        spec = random_spec(rng)
        image = render_plate(spec, rng).image
        h, w = image.shape[:2]
        assert image.dtype == np.uint8 and image.shape[2] == 3
        expected = spec.size_mm[0] / spec.size_mm[1]
        assert abs(w / h - expected) < 0.1
        # Ink and background differ: the text was drawn.
        assert image.std() > 20


def test_recogniser_samples_and_crops() -> None:
    rng = np.random.default_rng(2)
    for _ in range(20):
        x, label, rows = recogniser_sample(rng)
        assert x.shape == (1, REC_HEIGHT, REC_WIDTH) and x.dtype == np.float32
        assert x.min() >= -1.0 and x.max() <= 1.0
        assert label.isalnum() and label.upper() == label and 6 <= len(label) <= 10
        assert rows in (1, 2)
    crop, spec = plate_crop(rng)
    assert crop.ndim == 3 and crop.shape[0] >= 8
    assert recogniser_input(crop, spec.rows).shape == (1, REC_HEIGHT, REC_WIDTH)


def test_detector_scenes_have_boxes_inside_the_frame() -> None:
    rng = np.random.default_rng(3)
    counts = []
    for _ in range(15):
        image, boxes = detector_scene(rng, 320, 240)
        assert image.shape == (240, 320, 3)
        for x, y, w, h, rows in boxes:
            assert x >= 0 and y >= 0 and x + w <= 320 and y + h <= 240 and w > 4 and h > 4
            assert rows in (1, 2)
        counts.append(len(boxes))
    assert max(counts) >= 1


def test_rows_are_set_glyph_by_glyph_with_gaps_and_the_plate_face_one() -> None:
    from thanglong.cameras.plates.synth.render import _line_mask, available_fonts

    font = available_fonts()[0]
    tight = _line_mask("30A-123.45", font, 40, 0.7, 0.04, plate_one=False)
    loose = _line_mask("30A-123.45", font, 40, 0.7, 0.2, plate_one=False)
    assert tight.shape[0] == loose.shape[0] == 40
    assert loose.shape[1] - tight.shape[1] == 9 * (round(0.2 * 40) - round(0.04 * 40))  # 10 glyphs, 9 gaps
    one = _line_mask("1", font, 40, 0.7, 0.1, plate_one=True) > 127
    # A stem down the right, a flag at the top left, and no foot along the bottom.
    assert one[:, -1].all() and one[2, 0] == 0 and one[12, 0] and not one[-1, 0]
