"""Fixtures of the cameras tests: files under a temporary MEDIA_ROOT, cameras in the small Hanoi
force's two wards, and a face engine that "finds" faces where a test painted them."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from thanglong.cameras.engines import FaceFound, get_face_engine

# Painted faces: a test draws a pure magenta square; this engine reports each one as a face.
FACE_COLOUR = (255, 0, 255)  # BGR


class PaintedFaceEngine:
    """A stand-in for the dlib engine in tests that must not depend on real faces: finds magenta squares."""

    dimensions = 128

    def find(self, image: np.ndarray, *, embed: bool = True) -> list[FaceFound]:
        import cv2

        # Within a JPEG's error of the painted colour.
        distance = np.abs(image.astype(np.int16) - np.array(FACE_COLOUR, dtype=np.int16)).max(axis=2)
        mask = (distance < 48).astype(np.uint8)
        count, _labels, stats, _centroids = cv2.connectedComponentsWithStats(mask)
        found = []
        for index in range(1, count):
            x, y, w, h, area = (int(v) for v in stats[index])
            if area >= 400:
                embedding = np.full(128, 0.05, dtype=np.float32) if embed else None
                found.append(FaceFound(box=(x, y, w, h), score=0.99, quality=0.9, embedding=embedding))
        return found


def painted_engine() -> PaintedFaceEngine:
    return PaintedFaceEngine()


def jpeg_bytes(width: int = 320, height: int = 200, colour: tuple[int, int, int] = (90, 120, 150)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png_bytes(width: int = 64, height: int = 48) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.VAR_DIR = tmp_path / "var"


@pytest.fixture
def painted_faces(settings: Any) -> Any:
    settings.THANGLONG_FACE_ENGINE = "thanglong.cameras.tests.conftest.painted_engine"
    get_face_engine.cache_clear()
    yield
    get_face_engine.cache_clear()


@pytest.fixture
def cameras(hanoi_force: dict[str, Any]) -> dict[str, Any]:
    from thanglong.cameras.models import Camera, CameraStatus
    from thanglong.core.models import Ward

    made = {}
    for code, ward, unit, lat in [
        ("CG-001", "00166", hanoi_force["cau_giay"], "21.0368"),
        ("CG-002", "00166", hanoi_force["cau_giay"], "21.0370"),
        ("HK-001", "00070", hanoi_force["hoan_kiem"], "21.0287"),
    ]:
        made[code] = Camera.objects.create(
            code=code,
            name=f"Nút giao {code}",
            ward=Ward.objects.get(code=ward),
            address=f"Ngã tư {code}",
            latitude=lat,
            longitude="105.8000",
            owner_unit=unit,
            stream_url="rtsp://admin:S3cret@10.1.2.3:554/Streaming/101",
            group="g1" if code != "HK-001" else "g2",
            status=CameraStatus.ONLINE,
        )
    return {**hanoi_force, **made}


@pytest.fixture
def watched(cameras: dict[str, Any]) -> Any:
    from django.utils import timezone

    from thanglong.cameras.models import WatchReason, WatchVehicle

    return WatchVehicle.objects.create(
        plate_text="30A-123.45",
        plate_folded="30A12345",
        reason=WatchReason.STOLEN,
        legal_basis="QĐ 125/QĐ-CSHS ngày 02/11/2026",
        owner_unit=cameras["pc06"],
        expires_at=timezone.now() + timedelta(days=30),
    )


class FixedPlateReader:
    """Reads one plate, 30A-123.45, in the middle of any image: for jobs whose reading is not under test."""

    def read(self, image: np.ndarray) -> list[Any]:
        from thanglong.cameras.engines import PlateRead

        height, width = image.shape[:2]
        return [
            PlateRead(
                text="30A-123.45", confidence=0.9, box=(width // 4, height // 3, width // 2, height // 4)
            )
        ]


def fixed_reader() -> FixedPlateReader:
    return FixedPlateReader()


@pytest.fixture
def fixed_plates(settings: Any) -> Any:
    from thanglong.cameras.engines import get_plate_reader

    settings.THANGLONG_PLATE_READER = "thanglong.cameras.tests.conftest.fixed_reader"
    get_plate_reader.cache_clear()
    yield
    get_plate_reader.cache_clear()
