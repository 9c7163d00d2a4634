"""Retention: events past their kind's retention are deleted with their files; an event behind a
confirmed alert is kept for the longer alert retention."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from thanglong.cameras.models import Alert, CameraEvent
from thanglong.cameras.services import record_event, retention
from thanglong.cameras.services.alerts import decide_alert
from thanglong.cameras.tests.conftest import jpeg_bytes

pytestmark = pytest.mark.django_db


def test_purge_by_kind_keeps_confirmed_evidence(cameras: dict[str, Any], watched: Any, settings: Any) -> None:
    settings.THANGLONG_CAMERA_RETENTION_PLATE_DAYS = 30
    settings.THANGLONG_CAMERA_RETENTION_FACE_DAYS = 7
    settings.THANGLONG_CAMERA_RETENTION_ALERT_DAYS = 365
    now = timezone.now()
    camera = cameras["CG-001"]

    def plate(days: int, text: str = "29A-111.22") -> CameraEvent:
        return record_event(
            camera=camera,
            kind="plate",
            observed_at=now - timedelta(days=days),
            confidence=0.9,
            plate_text=text,
            snapshot_jpeg=jpeg_bytes(),
        )

    old_plate, fresh_plate = plate(40), plate(20)
    old_face = record_event(camera=camera, kind="face", observed_at=now - timedelta(days=10), confidence=0.9)
    fresh_face = record_event(camera=camera, kind="face", observed_at=now - timedelta(days=3), confidence=0.9)
    confirmed = plate(40, "30A-123.45")
    decide_alert(Alert.objects.get(event=confirmed), confirm=True, note="đúng xe", user=cameras["chihuy"])
    ancient = plate(400, "30A-123.45")
    ancient.keep = True
    ancient.save()
    old_file = old_plate.snapshot.name
    storage = old_plate.snapshot.storage

    assert retention.purge(dry_run=True).events == {"plate": 2, "face": 1}
    out = StringIO()
    call_command("cameras", "purge", stdout=out)
    assert "Deleted 3 events" in out.getvalue()
    remaining = set(CameraEvent.objects.values_list("pk", flat=True))
    assert remaining == {fresh_plate.pk, fresh_face.pk, confirmed.pk}
    assert old_face.pk not in remaining
    assert not storage.exists(str(old_file))
    assert storage.exists(str(confirmed.snapshot.name))
