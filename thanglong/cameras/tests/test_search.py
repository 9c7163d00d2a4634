"""Search by partial plate, camera, ward, time and kind; routes; a stated reason and an audit entry
for every search; masking and refusals for roles that are not entitled."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from thanglong.cameras.services import CameraError, record_event, search
from thanglong.core.models import AuditEntry

pytestmark = pytest.mark.django_db
REASON = "Hồ sơ vụ việc 123/2026"


@pytest.fixture
def passes(cameras: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    plan = [
        ("CG-001", "30A-123.45", 50),
        ("HK-001", "30A-123.45", 40),
        ("HK-001", "30A-123.45", 39),
        ("CG-002", "30A-123.45", 30),
        ("CG-001", "30A-129.99", 20),
        ("CG-001", "30A-345.67", 10),
        ("HK-001", "29B1-123.45", 5),
        ("CG-001", "51G-012.34", 1),
    ]
    for code, text, minutes in plan:
        record_event(
            camera=cameras[code],
            kind="plate",
            observed_at=now - timedelta(minutes=minutes),
            confidence=0.9,
            plate_text=text,
        )
    return cameras


def plates_found(user: Any, **query: Any) -> list[str]:
    rows = search.search_events(user, search.EventQuery(reason=REASON, **query))
    return [row.plate_text for row in rows]


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("30A-12*", {"30A-123.45", "30A-129.99"}),
        ("30a12", {"30A-123.45", "30A-129.99"}),
        ("30A 12", {"30A-123.45", "30A-129.99"}),
        ("30A-123.45", {"30A-123.45"}),
        ("*345", {"30A-123.45", "29B1-123.45"}),
        ("30A*67", {"30A-345.67"}),
        ("30A?2345", {"30A-123.45"}),
        ("5", {"51G-012.34"}),
    ],
)
def test_partial_plates(passes: dict[str, Any], pattern: str, expected: set[str]) -> None:
    assert set(plates_found(passes["chihuy"], plate=pattern)) == expected


def test_camera_ward_and_time_window(passes: dict[str, Any]) -> None:
    now = timezone.now()
    user = passes["chihuy"]
    assert len(plates_found(user, camera="hk-001")) == 3
    assert set(plates_found(user, ward="00070")) == {"30A-123.45", "29B1-123.45"}
    window = plates_found(user, camera="CG-001", since=now - timedelta(minutes=25), until=now)
    assert set(window) == {"30A-129.99", "30A-345.67", "51G-012.34"}
    with pytest.raises(CameraError) as caught:
        plates_found(user, camera="CG-001", since=now, until=now - timedelta(hours=1))
    assert caught.value.field == "since"


def test_every_search_needs_a_reason_and_is_audited(passes: dict[str, Any]) -> None:
    user = passes["chihuy"]
    with pytest.raises(CameraError) as caught:
        search.search_events(user, search.EventQuery(plate="30A", reason="  "))
    assert caught.value.field == "reason" and caught.value.status == 400
    assert not AuditEntry.objects.filter(action="search").exists()
    plates_found(user, plate="30A-12*")
    entry = AuditEntry.objects.get(action="search", object_type="cameras.event")
    assert entry.reason == REASON and entry.actor == user
    assert "plate=30A-12*" in entry.fields and "results=5" in entry.fields


def test_officers_cannot_search_and_faces_need_the_face_right(passes: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        plates_found(passes["canbo.caugiay"], plate="30A")
    with pytest.raises(PermissionDenied):  # a unit leader searches plates, not faces
        plates_found(passes["lanhdao.caugiay"], plate="30A", kind="face")


def test_unit_leaders_see_only_their_units_events(passes: dict[str, Any]) -> None:
    found = plates_found(passes["lanhdao.caugiay"], plate="30A-123.45")
    assert len(found) == 2  # CG-001 and CG-002; the two Hoàn Kiếm passes are not theirs


def test_route_orders_passes_and_merges_repeats_at_one_camera(passes: dict[str, Any]) -> None:
    stops = search.route(passes["chihuy"], "30a12345", reason=REASON)
    assert [stop.camera_code for stop in stops] == ["CG-001", "HK-001", "CG-002"]
    assert stops[1].passes == 2 and stops[1].first_seen < stops[1].last_seen
    assert stops[0].ward.startswith("Phường Cầu Giấy") and stops[0].address == "Ngã tư CG-001"
    assert AuditEntry.objects.filter(object_type="cameras.route", reason=REASON).count() == 1
    with pytest.raises(CameraError):
        search.route(passes["chihuy"], "30A", reason=REASON)


def test_console_search_masks_nothing_for_leaders_and_officers_are_refused(passes: dict[str, Any]) -> None:
    leader = Client()
    leader.force_login(passes["lanhdao.caugiay"])
    page = leader.get("/console/cameras/search/", {"plate": "30A-12*", "reason": REASON})
    assert page.status_code == 200
    assert "30A-123.45" in page.content.decode() and "30A-129.99" in page.content.decode()
    missing = leader.get("/console/cameras/search/", {"plate": "30A-12*", "reason": ""})
    assert missing.status_code == 400 and "lý do" in missing.content.decode()
    officer = Client()
    officer.force_login(passes["canbo.caugiay"])
    assert officer.get("/console/cameras/search/", {"plate": "30A", "reason": REASON}).status_code == 403


def test_officers_see_plates_masked_on_camera_pages(passes: dict[str, Any]) -> None:
    officer = Client()
    officer.force_login(passes["canbo.caugiay"])
    html = officer.get("/console/cameras/CG-001/").content.decode()
    assert "30A-***.45" in html and "30A-123.45" not in html
    assert not re.search(r"/events/\d+/(snapshot|crop)\.jpg", html)
    assert "S3cret" not in html and "10.1.2.3" not in html


def test_search_api_answers_bilingual_errors(passes: dict[str, Any]) -> None:
    client = Client()
    client.force_login(passes["chihuy"])
    response = client.get("/api/v1/cameras/events/search", {"plate": "30A-12*"})
    assert response.status_code == 400
    assert response.json()["fields"][0]["field"] == "reason"
    ok = client.get("/api/v1/cameras/events/search", {"plate": "30A-12*", "reason": REASON})
    assert {row["plate"] for row in ok.json()["events"]} == {"30A-123.45", "30A-129.99"}
    route = client.get("/api/v1/cameras/route", {"plate": "30A-123.45", "reason": REASON}).json()
    assert [stop["camera_code"] for stop in route["stops"]] == ["CG-001", "HK-001", "CG-002"]


@pytest.mark.postgres
def test_prefix_search_is_an_index_range_scan_on_postgresql(passes: dict[str, Any]) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: the varchar_pattern_ops index")
    query = search.filtered(passes["chihuy"], search.EventQuery(plate="30A-12*")).order_by("-observed_at")[
        :200
    ]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned otherwise
        sql, params = query.query.sql_with_params()
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "cam_event_plate_prefix" in plan, plan
    assert "~>=~" in plan  # the pattern operator class's range condition: LIKE '30A12%' as a range


def test_face_search_by_photo(cameras: dict[str, Any], painted_faces: None) -> None:
    import numpy as np

    from thanglong.cameras.services.images import bgr_to_jpeg
    from thanglong.cameras.tests.conftest import FACE_COLOUR, jpeg_bytes

    now = timezone.now()
    near = record_event(
        camera=cameras["CG-001"],
        kind="face",
        observed_at=now - timedelta(hours=1),
        confidence=0.9,
        embedding=np.full(128, 0.051, dtype=np.float32),
    )
    record_event(
        camera=cameras["HK-001"],
        kind="face",
        observed_at=now - timedelta(hours=2),
        confidence=0.9,
        embedding=np.full(128, 0.2, dtype=np.float32),
    )
    image = np.full((200, 200, 3), 120, dtype=np.uint8)
    image[50:120, 60:130] = FACE_COLOUR
    photo = bgr_to_jpeg(image, 95)
    hits = search.search_faces(cameras["chihuy"], photo, reason=REASON)
    assert [hit.event.pk for hit in hits] == [near.pk] and hits[0].distance < 0.05
    entry = AuditEntry.objects.get(object_type="cameras.face")
    assert entry.reason == REASON and "results=1" in entry.fields
    with pytest.raises(PermissionDenied):
        search.search_faces(cameras["lanhdao.caugiay"], photo, reason=REASON)
    with pytest.raises(CameraError) as caught:
        search.search_faces(cameras["chihuy"], jpeg_bytes(), reason=REASON)
    assert caught.value.field == "photo"
    client = Client()
    client.force_login(cameras["chihuy"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/api/v1/cameras/faces/search",
        {"photo": SimpleUploadedFile("f.jpg", photo, "image/jpeg"), "reason": REASON},
    )
    assert response.status_code == 200 and [row["id"] for row in response.json()["events"]] == [near.pk]
    page = client.post(
        "/console/cameras/faces/", {"photo": SimpleUploadedFile("f.jpg", photo, "image/jpeg"), "reason": ""}
    )
    assert page.status_code == 400
