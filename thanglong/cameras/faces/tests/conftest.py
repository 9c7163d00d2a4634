"""Faces from ../shared/data/faces-deepface (deepface's MIT test fixtures); tests skip without them."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from thanglong.cameras.faces.engine import DlibFaceEngine, default_engine


@pytest.fixture
def faces_dir(shared_data: Path) -> Path:
    folder = shared_data / "faces-deepface"
    if not (folder / "img1.jpg").is_file():
        pytest.skip("faces-deepface not in the shared data")
    return folder


@pytest.fixture(scope="session")
def engine() -> DlibFaceEngine:
    return default_engine()


def load(folder: Path, name: str) -> np.ndarray:
    image = cv2.imread(str(folder / name))
    assert image is not None, name
    return image


def no_face_image(width: int = 640, height: int = 480) -> np.ndarray:
    """A street-like scene without people: gradient sky, grey road, a few rectangles and noise."""
    rng = np.random.default_rng(7)
    image = np.zeros((height, width, 3), dtype=np.uint8)
    image[: height // 2] = np.linspace(200, 120, height // 2, dtype=np.uint8)[:, None, None]
    image[height // 2 :] = 90
    for _ in range(8):
        x, y = int(rng.integers(0, width - 80)), int(rng.integers(0, height - 60))
        colour = tuple(int(c) for c in rng.integers(0, 255, 3))
        cv2.rectangle(image, (x, y), (x + 80, y + 40), colour, -1)
    noise = rng.normal(0, 8, image.shape)
    return np.clip(image + noise, 0, 255).astype(np.uint8)
