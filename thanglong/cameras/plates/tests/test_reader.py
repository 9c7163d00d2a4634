"""The shipped ONNX models, run for real on freshly rendered synthetic plates."""

import numpy as np
import pytest

from thanglong.cameras.engines import PlateRead, PlateReader
from thanglong.cameras.plates.grammar import normalise_plate
from thanglong.cameras.plates.reader import (
    MODELS_DIR,
    OnnxPlateReader,
    PlateImageError,
    default_reader,
    plate_colour,
)
from thanglong.cameras.plates.synth import plate_crop, random_spec, render_plate
from thanglong.cameras.plates.synth.augment import random_background

pytestmark = pytest.mark.skipif(
    not (MODELS_DIR / "detector.onnx").exists(), reason="plate models not built (see training/)"
)


@pytest.fixture(scope="module")
def reader() -> OnnxPlateReader:
    built = default_reader()
    assert isinstance(built, PlateReader) and isinstance(built, OnnxPlateReader)
    return built


def test_recogniser_reads_synthetic_plates(reader: OnnxPlateReader) -> None:
    from thanglong.cameras.plates.grammar import repair

    rng = np.random.default_rng(4242)  # not a training seed
    hits = 0
    for _ in range(40):
        crop, spec = plate_crop(rng, strength=0.5)
        (line,) = reader.recogniser.read([(crop, spec.rows)])
        text, _ = repair(line.candidates, rows=spec.rows, split=line.first_half if spec.rows == 2 else None)
        hits += text == normalise_plate("-".join(spec.lines), rows=spec.rows)
    assert hits >= 24, f"only {hits}/40 synthetic plates read exactly"


def test_reader_finds_and_reads_plates_in_frames(reader: OnnxPlateReader) -> None:
    rng = np.random.default_rng(777)
    found = read_right = total = 0
    for _ in range(12):
        canvas = random_background(rng, 480, 640)
        spec = random_spec(rng)
        plate = render_plate(spec, rng, px_per_mm=0.35 if spec.rows == 1 else 0.7).image
        h, w = plate.shape[:2]
        x, y = int(rng.integers(0, 640 - w)), int(rng.integers(0, 480 - h))
        canvas[y : y + h, x : x + w] = plate
        reads = reader.read(canvas)
        total += 1
        near = [r for r in reads if abs(r.box[0] - x) < w * 0.3 and abs(r.box[1] - y) < h * 0.5]
        found += bool(near)
        read_right += any(r.text == normalise_plate("-".join(spec.lines), rows=spec.rows) for r in near)
        for r in reads:
            assert isinstance(r, PlateRead) and 0.0 <= r.confidence <= 1.0
    assert found >= 9, f"found {found}/{total}"
    assert read_right >= 6, f"read {read_right}/{total}"


def test_colour_of_plate_backgrounds() -> None:
    rng = np.random.default_rng(5)
    seen: dict[str, list[bool]] = {}
    for _ in range(60):
        spec = random_spec(rng)
        seen.setdefault(spec.colour, []).append(plate_colour(render_plate(spec, rng).image) == spec.colour)
    for colour, results in seen.items():
        assert sum(results) >= 0.8 * len(results), colour


def test_frame_without_plates_gives_no_reads(reader: OnnxPlateReader) -> None:
    from thanglong.cameras.plates.synth.scene import _distractor_text

    assert reader.read(np.zeros((720, 1280, 3), np.uint8)) == []
    assert reader.read(np.full((480, 640, 3), 255, np.uint8)) == []
    rng = np.random.default_rng(9)
    for _ in range(5):
        image = random_background(rng, 480, 640)
        _distractor_text(rng, image)  # shop signs and stickers, no plate
        assert [r.text for r in reader.read(image) if r.valid] == []


def test_bad_images_are_refused_clearly(reader: OnnxPlateReader) -> None:
    with pytest.raises(PlateImageError) as error:
        reader.read(np.zeros((9000, 9000, 3), np.uint8))
    assert "40" in error.value.message_en and error.value.message_vi
    with pytest.raises(PlateImageError):
        reader.read(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(PlateImageError):
        reader.read(np.zeros((100, 100, 3), np.float32))
    with pytest.raises(PlateImageError):
        reader.read(b"\xff\xd8 not an image")  # type: ignore[arg-type]
    with pytest.raises(PlateImageError):
        reader.read(np.zeros((100, 100, 5), np.uint8))
    # Grey and BGRA images are accepted.
    assert reader.read(np.zeros((100, 100), np.uint8)) == []
    assert reader.read(np.zeros((100, 100, 4), np.uint8)) == []
