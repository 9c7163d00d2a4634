"""Evidence packages: every file's SHA-256 in the manifest, the manifest's own hash beside it, and
faces of people not on a watch-list blurred (found by the configured face engine)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from thanglong.cameras.models import WatchPerson, WatchReason
from thanglong.cameras.services import CameraError, evidence, record_event
from thanglong.cameras.services.images import bgr_to_jpeg, to_bgr
from thanglong.cameras.tests.conftest import FACE_COLOUR
from thanglong.core.models import AuditEntry

pytestmark = pytest.mark.django_db


def scene_with_faces(boxes: list[tuple[int, int, int, int]]) -> bytes:
    # Stripes 6 px apart: a blur flattens them, a JPEG keeps them.
    stripes = ((np.arange(320) // 3) % 2 * 160 + 40).astype(np.uint8)
    image = np.repeat(np.repeat(stripes[None, :, None], 240, axis=0), 3, axis=2).copy()
    for x, y, w, h in boxes:
        image[y : y + h, x : x + w] = FACE_COLOUR
    return bgr_to_jpeg(image, 100)


def test_manifest_hashes_and_blurring(cameras: dict[str, Any], painted_faces: None, monkeypatch: Any) -> None:
    plate_event = record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
        snapshot_jpeg=scene_with_faces([(20, 20, 40, 40)]),
    )
    # A face event that matched a watch-listed person: that face stays visible, the bystander is blurred.
    person = WatchPerson.objects.create(
        full_name="Đối tượng",
        reason=WatchReason.WANTED,
        legal_basis="QĐ 9/QĐ",
        owner_unit=cameras["pc06"],
        expires_at=timezone.now() + timedelta(days=5),
    )
    from thanglong.cameras.services import watchlists

    monkeypatch.setattr(
        watchlists,
        "face_matches",
        lambda embedding: [type("M", (), {"person_id": person.pk, "distance": 0.3, "template_id": 1})()],
    )
    face_event = record_event(
        camera=cameras["CG-001"],
        kind="face",
        observed_at=timezone.now(),
        confidence=0.9,
        embedding=np.full(128, 0.05, dtype=np.float32),
        attributes={"box": [200, 100, 50, 50]},
        snapshot_jpeg=scene_with_faces([(200, 100, 50, 50), (30, 150, 40, 40)]),
        crop_jpeg=bgr_to_jpeg(np.zeros((50, 50, 3), dtype=np.uint8)),
    )
    assert face_event.alerts.count() == 1

    package = evidence.export(cameras["chihuy"], [plate_event.pk, face_event.pk], reason="Hồ sơ 45/2026")
    archive = zipfile.ZipFile(io.BytesIO(package.data))
    manifest_bytes = archive.read("manifest.json")
    assert archive.read("manifest.sha256").decode().split()[0] == hashlib.sha256(manifest_bytes).hexdigest()
    assert package.manifest_sha256 == hashlib.sha256(manifest_bytes).hexdigest()
    manifest = json.loads(manifest_bytes)
    assert manifest["reason"] == "Hồ sơ 45/2026" and manifest["exported_by"] == "chihuy"
    assert [event["id"] for event in manifest["events"]] == [plate_event.pk, face_event.pk]
    for item in manifest["files"]:
        assert hashlib.sha256(archive.read(item["name"])).hexdigest() == item["sha256"]
    names = {item["name"] for item in manifest["files"]}
    assert f"images/{plate_event.pk}-snapshot.jpg" in names and f"images/{face_event.pk}-crop.jpg" in names

    def changed(name: str, box: tuple[int, int, int, int], original: bytes) -> float:
        """Mean change over the face and the margin around it (the blur covers both)."""
        x, y, w, h = box[0] - 8, box[1] - 8, box[2] + 16, box[3] + 16
        exported = to_bgr(archive.read(name))[y : y + h, x : x + w].astype(int)
        return float(np.abs(exported - to_bgr(original)[y : y + h, x : x + w].astype(int)).mean())

    with plate_event.snapshot.open("rb") as handle:
        plate_original = handle.read()
    with face_event.snapshot.open("rb") as handle:
        face_original = handle.read()
    assert changed(f"images/{plate_event.pk}-snapshot.jpg", (20, 20, 40, 40), plate_original) > 5  # bystander
    assert changed(f"images/{plate_event.pk}-snapshot.jpg", (220, 150, 60, 60), plate_original) < 5  # no face
    assert changed(f"images/{face_event.pk}-snapshot.jpg", (30, 150, 40, 40), face_original) > 5  # bystander
    assert changed(f"images/{face_event.pk}-snapshot.jpg", (200, 100, 50, 50), face_original) < 5  # watched
    assert manifest["faces_blurred"] == 2
    assert AuditEntry.objects.filter(action="export", reason="Hồ sơ 45/2026").count() == 1


def test_export_needs_the_right_and_a_reason(cameras: dict[str, Any], painted_faces: None) -> None:
    event = record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
    )
    with pytest.raises(PermissionDenied):
        evidence.export(cameras["lanhdao.caugiay"], [event.pk], reason="Hồ sơ 45/2026")
    with pytest.raises(CameraError):
        evidence.export(cameras["chihuy"], [event.pk], reason="")
    client = Client()
    client.force_login(cameras["chihuy"])
    response = client.post("/console/cameras/export/", {"event": [str(event.pk)], "reason": "Hồ sơ 45/2026"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert len(response["X-Manifest-SHA256"]) == 64


@pytest.mark.shared_data
def test_real_face_engine_blurs_bystanders_in_a_photo(cameras: dict[str, Any], shared_data: Any) -> None:
    """The configured dlib engine (thanglong.cameras.faces.engine) on a real photo of two people."""
    from thanglong.cameras.engines import get_face_engine

    get_face_engine.cache_clear()
    photo = (shared_data / "faces-deepface" / "couple.jpg").read_bytes()
    original = to_bgr(photo)
    faces = get_face_engine().find(original, embed=False)
    assert len(faces) >= 2
    event = record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
        snapshot_jpeg=photo,
    )
    package = evidence.export(cameras["chihuy"], [event.pk], reason="Hồ sơ 46/2026")
    archive = zipfile.ZipFile(io.BytesIO(package.data))
    exported = to_bgr(archive.read(f"images/{event.pk}-snapshot.jpg")).astype(int)
    assert package.blurred_faces == len(faces)
    for face in faces:
        x, y, w, h = face.box
        region = np.s_[max(0, y) : y + h, max(0, x) : x + w]
        assert np.abs(exported[region] - original[region].astype(int)).mean() > 8
    assert get_face_engine().find(exported.astype(np.uint8), embed=False) == []  # nobody recognisable left
