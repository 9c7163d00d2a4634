"""record_event / heartbeat / cameras_for_group: the contract the worker and external systems use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from thanglong.cameras.models import Alert, CameraEvent, CameraStatus, WatchPerson, WatchReason
from thanglong.cameras.services import CameraError, cameras_for_group, heartbeat, record_event
from thanglong.cameras.services.watchlists import invalidate_face_index
from thanglong.cameras.tests.conftest import jpeg_bytes
from thanglong.core.models import ConsoleAlert

pytestmark = pytest.mark.django_db


def test_plate_event_is_stored_canonical_and_folded_with_files(cameras: dict[str, Any]) -> None:
    event = record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.91,
        plate_text="30a 12345",
        snapshot_jpeg=jpeg_bytes(),
        crop_jpeg=jpeg_bytes(80, 20),
    )
    event.refresh_from_db()
    assert event.plate_text == "30A-123.45"  # the real plate grammar's canonical form
    assert event.plate_folded == "30A12345"
    assert event.ward_id == "00166"
    assert event.snapshot.storage.exists(str(event.snapshot.name))
    assert event.crop.read()[:2] == b"\xff\xd8"


def test_external_id_makes_a_repeat_return_the_first_event(cameras: dict[str, Any]) -> None:
    kwargs: dict[str, Any] = {
        "camera": cameras["CG-001"],
        "kind": "plate",
        "observed_at": timezone.now(),
        "confidence": 0.8,
        "plate_text": "29B1-234.56",
        "source": "api",
        "external_id": "vendor-42",
    }
    first = record_event(**kwargs)
    second = record_event(**kwargs)
    assert first.pk == second.pk
    assert CameraEvent.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"kind": "car"}, "kind"),
        ({"plate_text": ""}, "plate_text"),
        ({"confidence": float("nan")}, "confidence"),
        ({"embedding": np.zeros(5)}, "embedding"),
        ({"source": "fax"}, "source"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    cameras: dict[str, Any], kwargs: dict[str, Any], field: str
) -> None:
    base: dict[str, Any] = {
        "camera": cameras["CG-001"],
        "kind": "plate",
        "observed_at": timezone.now(),
        "confidence": 0.8,
        "plate_text": "30A-123.45",
    }
    with pytest.raises(CameraError) as caught:
        record_event(**{**base, **kwargs})
    assert caught.value.field == field
    assert caught.value.message_vi and caught.value.message_en
    assert CameraEvent.objects.count() == 0


def test_watched_plate_raises_an_alert_and_a_console_alert_on_commit(
    cameras: dict[str, Any], watched: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        event = record_event(
            camera=cameras["HK-001"],
            kind="plate",
            observed_at=timezone.now(),
            confidence=0.9,
            plate_text="30A12345",
            snapshot_jpeg=jpeg_bytes(),
        )
        assert ConsoleAlert.objects.count() == 0  # stored only once the transaction commits
    alert = Alert.objects.get()
    assert alert.event == event and alert.vehicle == watched and alert.unit == cameras["pc06"]
    console = ConsoleAlert.objects.get()
    assert console.kind == "camera.plate" and "30A-123.45" in console.title
    assert {unit.code for unit in console.units.all()} == {"PC06", "CAP-00070"}
    assert console.payload["snapshot_url"].endswith(f"/events/{event.pk}/snapshot.jpg")
    assert console.url.endswith(f"/alerts/{alert.pk}/")


def test_expired_or_inactive_entries_never_alert(cameras: dict[str, Any], watched: Any) -> None:
    watched.expires_at = timezone.now() - timedelta(minutes=1)
    watched.save()
    record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
    )
    watched.expires_at = timezone.now() + timedelta(days=1)
    watched.active = False
    watched.save()
    record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
    )
    assert Alert.objects.count() == 0
    watched.active = True
    watched.save()
    record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
    )
    assert Alert.objects.count() == 1


def test_face_hit_through_the_real_index(cameras: dict[str, Any]) -> None:
    """The real 1:N index (thanglong.cameras.faces.index) built from FaceTemplate rows."""
    from thanglong.cameras.faces.index import embedding_to_bytes
    from thanglong.cameras.models import FaceTemplate

    rng = np.random.default_rng(7)
    enrolled = rng.normal(size=128).astype(np.float32)
    enrolled /= np.linalg.norm(enrolled)
    person = WatchPerson.objects.create(
        full_name="Nguyễn Văn A",
        reason=WatchReason.WANTED,
        legal_basis="QĐ truy nã 12/QĐ",
        owner_unit=cameras["pc06"],
        expires_at=timezone.now() + timedelta(days=10),
    )
    FaceTemplate.objects.create(person=person, embedding=embedding_to_bytes(enrolled), quality=0.9)
    stranger = rng.normal(size=128).astype(np.float32)
    stranger /= np.linalg.norm(stranger)
    for _ in range(5):  # more templates, so the index has something to tell apart
        other = rng.normal(size=128).astype(np.float32)
        FaceTemplate.objects.create(
            person=person, embedding=embedding_to_bytes(other / np.linalg.norm(other) * 3)
        )
    invalidate_face_index()
    near = enrolled + rng.normal(scale=0.01, size=128).astype(np.float32)
    hit = record_event(
        camera=cameras["CG-001"], kind="face", observed_at=timezone.now(), confidence=0.9, embedding=near
    )
    miss = record_event(
        camera=cameras["CG-001"],
        kind="face",
        observed_at=timezone.now(),
        confidence=0.9,
        embedding=stranger * 3,
    )
    assert hit.alerts.get().person == person
    distance = hit.alerts.get().distance
    assert distance is not None and distance < 0.2
    assert not miss.alerts.exists()
    assert hit.embedding is not None
    assert np.allclose(np.frombuffer(bytes(hit.embedding), dtype="<f4"), near)


def test_heartbeat_marks_online_and_offline_with_the_error(cameras: dict[str, Any]) -> None:
    camera = cameras["CG-001"]
    heartbeat(camera, online=False, error="RTSP timeout after 3 retries")
    camera.refresh_from_db()
    assert camera.status == CameraStatus.OFFLINE and camera.last_error == "RTSP timeout after 3 retries"
    heartbeat(camera, online=True)
    camera.refresh_from_db()
    assert camera.status == CameraStatus.ONLINE and camera.last_error == ""
    assert camera.last_seen_at is not None and timezone.now() - camera.last_seen_at < timedelta(seconds=5)


def test_cameras_for_group_lists_active_cameras_of_the_group(cameras: dict[str, Any]) -> None:
    cameras["CG-002"].active = False
    cameras["CG-002"].save()
    assert [camera.code for camera in cameras_for_group("g1")] == ["CG-001"]
    assert [camera.code for camera in cameras_for_group("g2")] == ["HK-001"]
