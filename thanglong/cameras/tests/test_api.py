"""The /api/v1/cameras endpoints: validation with Vietnamese and English messages, the stream
address kept secret, events from external systems by key, uploads queued for analysis."""

from __future__ import annotations

import base64
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from thanglong.cameras import keys
from thanglong.cameras.models import Camera, CameraEvent, ImageUpload, UploadStatus
from thanglong.cameras.tests.conftest import jpeg_bytes, png_bytes
from thanglong.core.models import AuditEntry

pytestmark = pytest.mark.django_db
API = "/api/v1/cameras"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: dict[str, Any], **headers: str) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json", headers=headers)


def test_admin_creates_a_camera_and_sees_the_stream_url_masked(cameras: dict[str, Any]) -> None:
    admin = client_for(cameras["admin"])
    response = post_json(
        admin,
        API,
        {
            "code": "cg-010",
            "name": "Cầu Giấy – Xuân Thủy",
            "ward": "00166",
            "owner_unit": "CAP-00166",
            "latitude": "21.0368",
            "longitude": "105.7905",
            "stream_url": "rtsp://admin:Pa55@10.0.0.9:554/live",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == "CG-010"
    assert body["stream_url"] == "rtsp://***@***:554/…"
    assert "Pa55" not in response.content.decode() and "10.0.0.9" not in response.content.decode()
    assert Camera.objects.get(code="CG-010").stream_url == "rtsp://admin:Pa55@10.0.0.9:554/live"
    assert AuditEntry.objects.filter(object_type="cameras.camera", action="create").exists()


@pytest.mark.parametrize(
    ("change", "field", "vi_word"),
    [
        ({"latitude": "48.85", "longitude": "2.35"}, "latitude", "ngoài lãnh thổ Việt Nam"),
        ({"latitude": "21.03", "longitude": "200"}, "longitude", "ngoài lãnh thổ"),
        ({"latitude": "abc", "longitude": "105.8"}, "latitude", "số thập phân"),
        ({"latitude": "21.03"}, "latitude", "cả vĩ độ và kinh độ"),
        ({"ward": "99999"}, "ward", "không có phường/xã"),
        ({"code": "x"}, "code", "mã camera"),
        ({"kind": "drone"}, "kind", "loại camera"),
        ({"stream_url": "smb://share/cam"}, "stream_url", "rtsp://"),
        ({"code": "CG-001"}, "code", "đã có camera"),
    ],
)
def test_bad_camera_input_gets_a_bilingual_4xx(
    cameras: dict[str, Any], change: dict[str, Any], field: str, vi_word: str
) -> None:
    body = {"code": "CG-011", "name": "Camera", "ward": "00166", "owner_unit": "CAP-00166", **change}
    response = post_json(client_for(cameras["admin"]), API, body)
    assert 400 <= response.status_code < 500
    error = response.json()
    assert error["fields"][0]["field"] == field
    assert vi_word in error["message_vi"]
    assert error["message_en"] and error["message_en"] != error["message_vi"]
    assert not Camera.objects.filter(code="CG-011").exists()


def test_non_admins_cannot_create_cameras_or_read_them_outside_their_units(cameras: dict[str, Any]) -> None:
    officer = client_for(cameras["canbo.hoankiem"])
    body = {"code": "CG-012", "name": "x", "ward": "00166", "owner_unit": "CAP-00166"}
    assert post_json(officer, API, body).status_code == 403
    listed = officer.get(API).json()["cameras"]
    assert [camera["code"] for camera in listed] == ["HK-001"]
    assert officer.get(f"{API}/CG-001").status_code == 404
    assert officer.get(f"{API}/HK-001").json()["stream_url"] == "rtsp://***@***:554/…"


def test_health_counts_by_status(cameras: dict[str, Any]) -> None:
    cameras["HK-001"].status = "offline"
    cameras["HK-001"].save()
    body = client_for(cameras["chihuy"]).get(f"{API}/health").json()
    assert body["counts"]["online"] == 2 and body["counts"]["offline"] == 1 and body["total"] == 3


def _event(**change: Any) -> dict[str, Any]:
    return {
        "camera": "CG-001",
        "kind": "plate",
        "observed_at": timezone.now().isoformat(),
        "confidence": 0.93,
        "plate_text": "30A-123.45",
        "external_id": "anpr-1",
        "snapshot_base64": base64.b64encode(jpeg_bytes()).decode(),
        **change,
    }


def test_external_system_posts_events_with_its_key_idempotently(
    cameras: dict[str, Any], watched: Any
) -> None:
    _record, key = keys.create("ANPR Cầu Giấy", cameras["cau_giay"])
    client = Client()
    assert post_json(client, f"{API}/events", _event()).status_code == 401
    assert post_json(client, f"{API}/events", _event(), **{"X-Api-Key": "wrong"}).status_code == 401
    first = post_json(client, f"{API}/events", _event(), **{"X-Api-Key": key})
    assert first.status_code == 201, first.content
    assert first.json()["alerts"] == 1
    again = post_json(client, f"{API}/events", _event(), **{"X-Api-Key": key})
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["id"] == first.json()["id"]
    assert CameraEvent.objects.count() == 1
    # A key of Cầu Giấy may not post for a Hoàn Kiếm camera.
    other = post_json(
        client, f"{API}/events", _event(camera="HK-001", external_id="x2"), **{"X-Api-Key": key}
    )
    assert other.status_code == 403


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"snapshot_base64": "not base64!!"}, 422, "snapshot_base64"),
        ({"snapshot_base64": base64.b64encode(b"GIF89a not really").decode()}, 422, "snapshot_base64"),
        ({"confidence": 1.5}, 422, "confidence"),
        ({"external_id": ""}, 422, "external_id"),
        ({"kind": "car"}, 422, "kind"),
        ({"camera": "NOPE"}, 404, "camera"),
        ({"observed_at": "2099-01-01T00:00:00+07:00"}, 422, "observed_at"),
    ],
)
def test_bad_events_are_refused(
    cameras: dict[str, Any], change: dict[str, Any], status: int, field: str
) -> None:
    _record, key = keys.create("ANPR", cameras["city"])
    response = post_json(Client(), f"{API}/events", _event(**change), **{"X-Api-Key": key})
    assert response.status_code == status, response.content
    body = response.json()
    assert body["message_vi"] and body["message_en"]
    assert field in json.dumps(body["fields"])
    assert CameraEvent.objects.count() == 0


def test_oversized_snapshot_is_refused(cameras: dict[str, Any], settings: Any) -> None:
    settings.THANGLONG_CAMERA_MAX_IMAGE_BYTES = 2048
    _record, key = keys.create("ANPR", cameras["city"])
    big = base64.b64encode(jpeg_bytes(800, 600)).decode()
    response = post_json(Client(), f"{API}/events", _event(snapshot_base64=big), **{"X-Api-Key": key})
    assert response.status_code == 413
    assert "MB" in response.json()["message_vi"]


def test_upload_answers_202_and_the_job_records_events(
    cameras: dict[str, Any], watched: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The job calls the real analyse_image with a plate reader stood in by a settings factory."""
    leader = client_for(cameras["lanhdao.caugiay"])
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = leader.post(f"{API}/CG-001/images", {"image": io.BytesIO(png_bytes())})
    assert response.status_code == 202, response.content
    body = response.json()
    upload = ImageUpload.objects.get(pk=body["job_id"])
    assert upload.status == UploadStatus.QUEUED and len(callbacks) == 1
    assert leader.get(body["status_url"]).json()["status"] == "queued"


def test_upload_refuses_what_is_not_an_image(cameras: dict[str, Any]) -> None:
    leader = client_for(cameras["lanhdao.caugiay"])
    response = leader.post(f"{API}/CG-001/images", {"image": io.BytesIO(b"%PDF-1.7 fake")})
    assert response.status_code == 422
    assert response.json()["fields"][0]["field"] == "image"
    assert not ImageUpload.objects.exists()


def test_decompression_bomb_is_refused_before_decoding(cameras: dict[str, Any], settings: Any) -> None:
    settings.THANGLONG_CAMERA_MAX_IMAGE_PIXELS = 1_000_000
    buffer = io.BytesIO()
    Image.new("L", (4000, 4000)).save(buffer, "PNG")  # 16 Mpx that compress to a few KB
    assert len(buffer.getvalue()) < 100_000
    buffer.seek(0)
    response = client_for(cameras["lanhdao.caugiay"]).post(f"{API}/CG-001/images", {"image": buffer})
    assert response.status_code == 413
    assert "điểm ảnh" in response.json()["message_vi"]


def test_upload_job_runs_the_analysis_and_reports_done(
    cameras: dict[str, Any], watched: Any, fixed_plates: None
) -> None:
    from thanglong.cameras.tasks import analyse_upload

    leader = client_for(cameras["lanhdao.caugiay"])
    body = leader.post(f"{API}/CG-001/images", {"image": io.BytesIO(jpeg_bytes(640, 480))}).json()
    result = analyse_upload.call(body["job_id"])
    assert result == {"events": 1, "status": "done"}
    event = CameraEvent.objects.get()
    assert event.source == "upload" and event.plate_text == "30A-123.45" and event.alerts.count() == 1
    status = leader.get(body["status_url"]).json()
    assert status["status"] == "done" and status["events"] == 1
    assert analyse_upload.call(body["job_id"]) == {"events": 1, "status": "done"}  # a retry adds nothing
    assert CameraEvent.objects.count() == 1
