from __future__ import annotations

import io
from pathlib import Path

import cv2
import numpy as np
import pytest
from django.test import override_settings
from PIL import Image

from thanglong.cameras.faces.engine import DlibFaceEngine
from thanglong.cameras.faces.enrol import check_and_embed
from thanglong.cameras.faces.tests.conftest import load, no_face_image


def encode(image: np.ndarray, fmt: str = ".jpg") -> bytes:
    ok, data = cv2.imencode(fmt, image)
    assert ok
    return data.tobytes()


def refused(result_problems: list[str], *words: str) -> bool:
    text = " ".join(result_problems).lower()
    return all(word.lower() in text for word in words)


def test_not_an_image_and_empty_refused() -> None:
    for data in (b"", b"%PDF-1.7 not a photo", b"\x89PNG\r\n\x1a\n" + b"\0" * 50):
        result = check_and_embed(data)
        assert not result.ok and result.embedding is None and result.problems


@override_settings(THANGLONG_CAMERA_MAX_IMAGE_BYTES=2048)
def test_too_many_bytes_refused() -> None:
    result = check_and_embed(encode(no_face_image(), ".png"))
    assert not result.ok and refused(result.problems, "quá lớn")


@override_settings(THANGLONG_CAMERA_MAX_IMAGE_PIXELS=100_000)
def test_too_many_pixels_refused() -> None:
    result = check_and_embed(encode(no_face_image(640, 480)))
    assert not result.ok and refused(result.problems, "điểm ảnh")


def test_tiny_image_and_no_face_refused() -> None:
    assert refused(check_and_embed(encode(no_face_image()[:40, :60])).problems, "quá nhỏ")
    result = check_and_embed(encode(no_face_image()))
    assert not result.ok and refused(result.problems, "không tìm thấy khuôn mặt")


@pytest.mark.shared_data
def test_good_photo_enrols(faces_dir: Path, engine: DlibFaceEngine) -> None:
    result = check_and_embed((faces_dir / "img1.jpg").read_bytes())
    assert result.ok, result.problems
    assert result.embedding is not None and result.embedding.shape == (128,)
    assert result.quality > 0.6 and result.problems == []
    direct = engine.find(load(faces_dir, "img1.jpg"))[0].embedding
    assert direct is not None and float(np.linalg.norm(direct - result.embedding)) < 0.05


@pytest.mark.shared_data
def test_two_people_refused(faces_dir: Path) -> None:
    result = check_and_embed((faces_dir / "couple.jpg").read_bytes())
    assert not result.ok and refused(result.problems, "2 khuôn mặt")


@pytest.mark.shared_data
def test_blurred_and_small_faces_refused(faces_dir: Path) -> None:
    image = load(faces_dir, "img1.jpg")
    blurred = cv2.GaussianBlur(image, (0, 0), 9)
    result = check_and_embed(encode(blurred))
    assert not result.ok and (refused(result.problems, "mờ") or refused(result.problems, "không tìm thấy"))
    # The whole photo shrunk until the face is ~60 px: found (small-image upsampling) but too small.
    small = cv2.resize(image, None, fx=0.1, fy=0.1, interpolation=cv2.INTER_AREA)
    result = check_and_embed(encode(small))
    assert not result.ok and refused(result.problems, "quá nhỏ")


@pytest.mark.shared_data
def test_exif_orientation_applied(faces_dir: Path) -> None:
    """A phone photo stored sideways with an EXIF 'rotate' tag is read upright."""
    upright = Image.open(faces_dir / "img2.jpg").convert("RGB")
    sideways = upright.transpose(Image.Transpose.ROTATE_90)  # pixels turned 90° anticlockwise
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: display rotated 90° clockwise, i.e. upright again
    buffer = io.BytesIO()
    sideways.save(buffer, format="JPEG", exif=exif, quality=92)
    result = check_and_embed(buffer.getvalue())
    assert result.ok, result.problems
    assert result.image is not None and result.image.shape[:2] == (upright.height, upright.width)
