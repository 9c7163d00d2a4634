"""Console alerts (thanglong.core.alerts): stored on commit, streamed as SSE with ids that let
EventSource resume, scoped to units; camera alerts confirmed or dismissed with a note."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from thanglong.cameras.models import Alert, AlertStatus, CameraEvent
from thanglong.cameras.services import CameraError, record_event
from thanglong.cameras.services.alerts import decide_alert
from thanglong.core import alerts
from thanglong.core.models import ConsoleAlert

pytestmark = pytest.mark.django_db


def parse(stream: str) -> list[dict[str, str]]:
    """SSE messages as dicts of their fields (comments dropped)."""
    messages = []
    for block in stream.split("\n\n"):
        fields: dict[str, str] = {}
        for line in block.splitlines():
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(": ")
            fields[name] = value
        if fields:
            messages.append(fields)
    return messages


def test_raise_alert_is_stored_only_when_the_transaction_commits(
    hanoi_force: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alert = alerts.raise_alert(
            kind="incidents.call", title="Cuộc gọi 113 khẩn", units=[hanoi_force["cau_giay"]]
        )
    assert alert.pk is None and ConsoleAlert.objects.count() == 0
    for callback in callbacks:
        callback()
    assert ConsoleAlert.objects.get().units.get() == hanoi_force["cau_giay"]
    try:
        with transaction.atomic():
            alerts.raise_alert(kind="x", title="rolled back")
            raise RuntimeError
    except RuntimeError:
        pass
    assert ConsoleAlert.objects.count() == 1


def body(response: Any) -> str:
    return b"".join(response.streaming_content).decode()


def _store(units: list[Any], title: str) -> ConsoleAlert:
    alert = ConsoleAlert.objects.create(
        kind="camera.plate",
        severity="critical",
        title=title,
        body="a\nb",
        url="/x",
        payload={"camera": "CG-001"},
    )
    alert.units.set(units)
    return alert


def test_stream_framing_resume_and_unit_scope(hanoi_force: dict[str, Any]) -> None:
    first = _store([hanoi_force["cau_giay"]], "Một")
    second = _store([hanoi_force["hoan_kiem"]], "Hai")
    third = _store([hanoi_force["cau_giay"]], "Ba")
    body = "".join(alerts.stream_events(hanoi_force["canbo.caugiay"], first.pk - 1, seconds=0))
    assert body.startswith("retry: ")
    messages = parse(body)[1:]
    assert [m["id"] for m in messages] == [str(first.pk), str(third.pk)]  # Hoàn Kiếm's is not theirs
    assert all(m["event"] == "alert" for m in messages)
    data = json.loads(messages[0]["data"])
    assert data["title"] == "Một" and data["body"] == "a\nb" and data["payload"] == {"camera": "CG-001"}
    # Resuming after the first one delivers only what came after.
    resumed = parse("".join(alerts.stream_events(hanoi_force["canbo.caugiay"], first.pk, seconds=0)))[1:]
    assert [m["id"] for m in resumed] == [str(third.pk)]
    everything = parse("".join(alerts.stream_events(hanoi_force["chihuy"], 0, seconds=0)))[1:]
    assert [m["id"] for m in everything] == [str(first.pk), str(second.pk), str(third.pk)]


def test_stream_endpoint_honours_last_event_id(hanoi_force: dict[str, Any], monkeypatch: Any) -> None:
    monkeypatch.setattr(alerts, "STREAM_SECONDS", 0.0)
    first = _store([hanoi_force["cau_giay"]], "Một")
    second = _store([hanoi_force["cau_giay"]], "Hai")
    client = Client()
    client.force_login(hanoi_force["lanhdao.caugiay"])
    response = client.get("/console/alerts/stream", headers={"Last-Event-ID": str(first.pk)})
    assert response["Content-Type"].startswith("text/event-stream")
    assert response["Cache-Control"] == "no-cache"
    assert [m.get("id") for m in parse(body(response))] == [None, str(second.pk)]
    # A fresh page (no id) starts a few seconds back, so both recent alerts are shown.
    fresh = [m.get("id") for m in parse(body(client.get("/console/alerts/stream")))]
    assert fresh == [None, str(first.pk), str(second.pk)]
    citizen = Client()
    assert citizen.get("/console/alerts/stream").status_code == 403


def test_confirm_keeps_the_event_and_dismiss_needs_a_note(cameras: dict[str, Any], watched: Any) -> None:
    event = record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
    )
    alert = Alert.objects.get()
    with pytest.raises(CameraError) as caught:
        decide_alert(alert, confirm=False, note="", user=cameras["chihuy"])
    assert caught.value.field == "note"
    decide_alert(alert, confirm=True, note="Đã dừng xe, đúng xe bị mất cắp", user=cameras["chihuy"])
    alert.refresh_from_db()
    assert alert.status == AlertStatus.CONFIRMED and alert.decided_by == cameras["chihuy"]
    assert CameraEvent.objects.get(pk=event.pk).keep is True
    with pytest.raises(CameraError):
        decide_alert(alert, confirm=False, note="nhầm", user=cameras["chihuy"])


def test_console_alert_page_decides_and_officers_cannot(cameras: dict[str, Any], watched: Any) -> None:
    record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
    )
    alert = Alert.objects.get()
    officer = Client()
    officer.force_login(cameras["canbo.pc06"])
    page = officer.get(f"/console/cameras/alerts/{alert.pk}/")
    assert page.status_code == 200 and "30A-***.45" in page.content.decode()
    assert officer.post(f"/console/cameras/alerts/{alert.pk}/", {"decision": "confirm"}).status_code == 403
    leader = Client()
    leader.force_login(cameras["chihuy"])
    response = leader.post(f"/console/cameras/alerts/{alert.pk}/", {"decision": "dismiss", "note": ""})
    assert response.status_code == 422
    response = leader.post(
        f"/console/cameras/alerts/{alert.pk}/", {"decision": "dismiss", "note": "Biển giả"}
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == AlertStatus.DISMISSED and alert.note == "Biển giả"


def test_old_alerts_are_not_replayed_to_a_tab_that_comes_back(hanoi_force: dict[str, Any]) -> None:
    from datetime import timedelta

    old = _store([hanoi_force["cau_giay"]], "Cũ")
    ConsoleAlert.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=2))
    new = _store([hanoi_force["cau_giay"]], "Mới")
    messages = parse("".join(alerts.stream_events(hanoi_force["chihuy"], 0, seconds=0)))[1:]
    assert [m["id"] for m in messages] == [str(new.pk)]


def test_opening_an_alert_and_its_snapshot_is_audited(cameras: dict[str, Any], watched: Any) -> None:
    from thanglong.cameras.tests.conftest import jpeg_bytes
    from thanglong.core.models import AuditEntry

    event = record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
        snapshot_jpeg=jpeg_bytes(),
    )
    alert = Alert.objects.get()
    chief = Client()
    chief.force_login(cameras["chihuy"])
    assert chief.get(f"/console/cameras/alerts/{alert.pk}/").status_code == 200
    image = chief.get(f"/console/cameras/events/{event.pk}/snapshot.jpg")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"
    assert AuditEntry.objects.filter(
        action="read", object_type="cameras.alert", object_id=str(alert.pk)
    ).exists()
    assert AuditEntry.objects.filter(action="read", object_type="cameras.event", fields=["snapshot"]).exists()
    officer = Client()
    officer.force_login(cameras["canbo.caugiay"])  # masked data only: no images at all
    assert officer.get(f"/console/cameras/events/{event.pk}/snapshot.jpg").status_code == 404
