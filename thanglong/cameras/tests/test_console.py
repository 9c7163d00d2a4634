"""Console pages: the registry and health view, camera editing (the stream address only for
administrators), watch-lists, and the command-centre panel."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from thanglong.cameras.models import Camera, WatchVehicle
from thanglong.cameras.services import record_event

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_index_shows_health_and_filters(cameras: dict[str, Any]) -> None:
    cameras["HK-001"].status = "offline"
    cameras["HK-001"].last_error = "RTSP 401 Unauthorized"
    cameras["HK-001"].save()
    html = client_for(cameras["chihuy"]).get("/console/cameras/", {"status": "offline"}).content.decode()
    assert "HK-001" in html and "CG-001" not in html.split('data-testid="camera-table"')[1]
    assert "RTSP 401 Unauthorized" in html
    officer = client_for(cameras["canbo.caugiay"]).get("/console/cameras/").content.decode()
    assert "CG-001" in officer and "HK-001" not in officer


def test_admin_edits_with_the_stream_url_others_never_see_it(cameras: dict[str, Any]) -> None:
    admin = client_for(cameras["admin"])
    form = admin.get("/console/cameras/CG-001/edit/").content.decode()
    assert "rtsp://admin:S3cret@10.1.2.3:554/Streaming/101" in form
    data = {
        "name": "Mới",
        "ward": "00166",
        "owner_unit": "CAP-00166",
        "kind": "anpr",
        "group": "g1",
        "sample_fps": "2",
        "latitude": "95",
        "longitude": "105.8",
        "read_plates": "on",
        "active": "on",
    }
    bad = admin.post("/console/cameras/CG-001/edit/", data)
    assert bad.status_code == 422 and "ngoài lãnh thổ Việt Nam" in bad.content.decode()
    ok = admin.post("/console/cameras/CG-001/edit/", {**data, "latitude": "21.03"})
    assert ok.status_code == 302
    camera = Camera.objects.get(code="CG-001")
    assert camera.name == "Mới" and camera.kind == "anpr" and str(camera.latitude) == "21.030000"
    assert camera.stream_url.endswith("S3cret@10.1.2.3:554/Streaming/101")  # untouched when left as shown
    chief = client_for(cameras["chihuy"])
    assert chief.get("/console/cameras/CG-001/edit/").status_code == 403
    assert "S3cret" not in chief.get("/console/cameras/CG-001/").content.decode()


def test_watchlist_needs_legal_basis_and_expiry(cameras: dict[str, Any]) -> None:
    chief = client_for(cameras["chihuy"])
    tomorrow = (timezone.localdate() + timedelta(days=30)).isoformat()
    base = {
        "kind": "vehicle",
        "plate_text": "30k 246 80",
        "reason": "wanted",
        "owner_unit": "PC06",
        "expires_at": tomorrow,
    }
    refused = chief.post("/console/cameras/watchlist/", {**base, "legal_basis": ""})
    assert refused.status_code == 422 and "căn cứ pháp lý" in refused.content.decode()
    assert (
        chief.post("/console/cameras/watchlist/", {**base, "legal_basis": "QĐ 12/QĐ-CSHS"}).status_code == 302
    )
    assert WatchVehicle.objects.get().plate_text == "30K-246.80"
    assert client_for(cameras["lanhdao.caugiay"]).get("/console/cameras/watchlist/").status_code == 403


def test_person_enrolment_shows_quality_problems(cameras: dict[str, Any]) -> None:
    """Through the real enrolment check (thanglong.cameras.faces.enrol): a photo without a face."""
    from thanglong.cameras.models import WatchPerson, WatchReason
    from thanglong.cameras.tests.conftest import jpeg_bytes

    person = WatchPerson.objects.create(
        full_name="Trần Văn B",
        reason=WatchReason.MISSING,
        legal_basis="Tin báo 7/TB",
        owner_unit=cameras["pc06"],
        expires_at=timezone.now() + timedelta(days=9),
    )
    chief = client_for(cameras["chihuy"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("a.jpg", jpeg_bytes(400, 400), content_type="image/jpeg")
    response = chief.post(f"/console/cameras/watchlist/persons/{person.pk}/", {"photo": photo})
    assert response.status_code == 422
    assert 'data-testid="photo-problems"' in response.content.decode()
    assert not person.templates.exists()


def test_command_centre_panel(cameras: dict[str, Any], watched: Any) -> None:
    from thanglong.command.providers.cameras import CamerasProvider
    from thanglong.command.scope import scope_for

    record_event(
        camera=cameras["CG-001"],
        kind="plate",
        observed_at=timezone.now(),
        confidence=0.9,
        plate_text="30A-123.45",
    )
    cameras["HK-001"].status = "offline"
    cameras["HK-001"].save()
    user = cameras["chihuy"]
    panel = CamerasProvider().panel(user, scope_for(user), timezone.now())
    values = {metric.key: metric for metric in panel.metrics}
    assert values["cameras.alerts_hour"].value == 1 and values["cameras.unconfirmed"].value == 1
    assert values["cameras.offline"].value == 1 and values["cameras.plates_today"].value == 1
    assert all(metric.url.startswith("/console/cameras/") for metric in panel.metrics)
    assert client_for(user).get(values["cameras.alerts_hour"].url).status_code == 200


def test_console_upload_answers_202_with_a_polling_status(cameras: dict[str, Any]) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from thanglong.cameras.models import ImageUpload
    from thanglong.cameras.tests.conftest import jpeg_bytes

    leader = client_for(cameras["lanhdao.caugiay"])
    photo = SimpleUploadedFile("p.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = leader.post("/console/cameras/CG-001/upload/", {"image": photo})
    assert response.status_code == 202
    upload = ImageUpload.objects.get()
    html = response.content.decode()
    assert f"/console/cameras/uploads/{upload.pk}/" in html and 'hx-trigger="every 2s"' in html
    status = leader.get(f"/console/cameras/uploads/{upload.pk}/")
    assert status.status_code == 200 and 'data-testid="upload-status"' in status.content.decode()
    text = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    refused = leader.post("/console/cameras/CG-001/upload/", {"image": text})
    assert refused.status_code == 422 and "JPEG, PNG" in refused.content.decode()
    assert client_for(cameras["canbo.caugiay"]).post("/console/cameras/CG-001/upload/", {}).status_code == 403
    assert leader.get("/console/cameras/uploads/not-a-uuid/").status_code == 404
