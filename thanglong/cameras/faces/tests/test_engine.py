from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from thanglong.cameras.engines import FaceEngine
from thanglong.cameras.faces.engine import DlibFaceEngine, pose_score, sharpness_of, size_score
from thanglong.cameras.faces.tests.conftest import load, no_face_image


def test_engine_satisfies_the_protocol(engine: DlibFaceEngine) -> None:
    assert isinstance(engine, FaceEngine)
    assert engine.dimensions == 128


def test_generated_scene_without_people_has_no_face(engine: DlibFaceEngine) -> None:
    assert engine.find(no_face_image()) == []
    assert engine.find(np.zeros((40, 40, 3), dtype=np.uint8)) == []


@pytest.mark.shared_data
def test_same_person_close_other_person_far(engine: DlibFaceEngine, faces_dir: Path) -> None:
    first = engine.find(load(faces_dir, "img1.jpg"))
    second = engine.find(load(faces_dir, "img2.jpg"))  # the same person (pivot pairs: Yes)
    other = engine.find(load(faces_dir, "img17.jpg"))  # someone else
    assert len(first) == len(second) == len(other) == 1
    a, b, c = (faces[0].embedding for faces in (first, second, other))
    assert a is not None and b is not None and c is not None
    assert a.shape == (128,) and a.dtype == np.float32
    assert float(np.linalg.norm(a - b)) < 0.6 < float(np.linalg.norm(a - c))
    face = first[0]
    assert 0.5 < face.score <= 1.0 and 0.5 < face.quality <= 1.0
    x, y, w, h = face.box
    assert w > 200 and h > 200 and x >= 0 and y >= 0


@pytest.mark.shared_data
def test_detect_only_and_huge_image_downscaled(engine: DlibFaceEngine, faces_dir: Path) -> None:
    image = load(faces_dir, "img1.jpg")
    faces = engine.find(image, embed=False)
    assert len(faces) == 1 and faces[0].embedding is None
    # 3x upscaled (≈5600 px high): detection runs on a downscaled copy, the box is in full-size pixels.
    huge = cv2.resize(image, None, fx=3, fy=3, interpolation=cv2.INTER_LINEAR)
    big = engine.find(huge, embed=False)
    assert len(big) == 1
    assert abs(big[0].box[2] - 3 * faces[0].box[2]) < 0.1 * 3 * faces[0].box[2]


@pytest.mark.shared_data
def test_several_faces_found(engine: DlibFaceEngine, faces_dir: Path) -> None:
    assert len(engine.find(load(faces_dir, "couple.jpg"), embed=False)) == 2


def test_quality_parts() -> None:
    assert size_score(20, 20) == 0.0 and size_score(200, 200) == 1.0
    frontal = [(60, 40), (45, 40), (20, 40), (35, 40), (40, 60)]  # eyes level, nose in the middle
    turned = [(60, 40), (45, 40), (20, 40), (35, 40), (58, 60)]  # nose under one eye
    assert pose_score(frontal) > 0.9 > 0.2 > pose_score(turned)
    rng = np.random.default_rng(1)
    sharp = rng.integers(0, 255, (200, 200, 3), dtype=np.uint8)
    blurred = cv2.GaussianBlur(sharp, (0, 0), 8)
    assert sharpness_of(sharp, (0, 0, 200, 200))[0] > 0.9
    assert sharpness_of(blurred, (0, 0, 200, 200))[0] < 0.1
