"""An officer enters a report a citizen made by phone: who may, what is stored, where it goes, errors."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from PIL import Image

from thanglong.feedback.choices import Category, Channel, EventKind, TriageState
from thanglong.feedback.models import Attachment, Report
from thanglong.feedback.triage import reset_engines

NEW = reverse("feedback_console:phone_report")
QUEUE = reverse("feedback_console:queue")
IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports", "reports"],
    }
}
NOISE = "Quán karaoke số 5 ngõ 68 hát đêm ồn ào đến 1 giờ sáng, cả khu không ai ngủ được"


@pytest.fixture(autouse=True)
def _shipped_triage_model(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Triage decides with the shipped model, never one a developer retrained under var/."""
    monkeypatch.delenv("THANGLONG_TRIAGE_EMBEDDER", raising=False)
    monkeypatch.delenv("THANGLONG_TRIAGE_ENGINE", raising=False)
    with override_settings(MODEL_DIR=tmp_path / "models", MEDIA_ROOT=tmp_path / "media"):
        reset_engines()
        yield
    reset_engines()


def call(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": NOISE,
        "category_hint": "",
        "address": "Số 5 ngõ 68 Cầu Giấy, phường Cầu Giấy",
        "name": "Trần Văn Bình",
        "phone": "0987 654 321",
        "consent": "1",
        "idempotency_key": "console-test-0001",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_only_staff_may_enter_a_phone_report(client: Client, hanoi_force: dict[str, Any]) -> None:
    response = client.get(NEW)
    assert response.status_code == 302 and "/login" in response["Location"]
    assert client.post(NEW, call()).status_code == 302

    citizen = User.objects.create_user("nguoidan", password="Test-password-123")
    assert signed_in(citizen).get(NEW).status_code == 403
    assert signed_in(citizen).post(NEW, call()).status_code == 403
    assert Report.objects.count() == 0

    page = signed_in(hanoi_force["canbo.caugiay"]).get(NEW)
    assert page.status_code == 200
    assert page["Cache-Control"].startswith("private")
    html = page.content.decode()
    assert 'name="consent"' in html and 'name="files"' in html
    assert 'name="idempotency_key"' in html and 'value="console-' in html


@pytest.mark.django_db
def test_the_queue_links_to_the_phone_form(hanoi_force: dict[str, Any]) -> None:
    html = signed_in(hanoi_force["canbo.caugiay"]).get(QUEUE).content.decode()
    assert f'href="{NEW}"' in html and "Nhập phản ánh qua điện thoại" in html


@pytest.mark.django_db
def test_a_phone_report_is_stored_with_the_entering_officer_and_routed_by_triage(
    hanoi_force: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN the command centre taking a call about night-time karaoke in Cầu Giấy
    WHEN the officer saves the caller's words with a photo
    THEN a PHONE report exists, its RECEIVED event names the officer, and triage routes it to the ward.
    """
    officer = hanoi_force["chihuy"]
    photo = SimpleUploadedFile("anh.png", png_bytes(), content_type="image/png")
    with override_settings(TASKS=IMMEDIATE_TASKS), django_capture_on_commit_callbacks(execute=True):
        response = signed_in(officer).post(NEW, {**call(), "files": [photo]})

    report = Report.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("feedback_console:detail", args=[report.tracking_code])
    assert report.channel == Channel.PHONE
    assert report.submitted_by == officer
    assert (report.contact_name, report.contact_phone) == ("Trần Văn Bình", "0987654321")
    assert report.consent and not report.anonymous
    assert report.ward_id == "00166"
    received = report.events.get(kind=EventKind.RECEIVED)
    assert received.actor == officer and received.data["channel"] == Channel.PHONE
    assert Attachment.objects.get(report=report).original_name == "anh.png"

    assert report.triage_state == TriageState.DONE
    assert report.category == Category.ENVIRONMENT_NOISE
    assert report.unit == hanoi_force["cau_giay"]
    assert report.triage["routing"]["rule"] == "ward_station"


@pytest.mark.django_db
def test_an_officer_who_cannot_see_the_new_report_goes_back_to_the_queue(
    hanoi_force: dict[str, Any],
) -> None:
    """Until triage routes it, a report belongs to the dispatchers: a ward officer is not shown a 404."""
    client = signed_in(hanoi_force["canbo.hoankiem"])
    response = client.post(NEW, call(anonymous="1", name="", phone="", consent=None))
    assert response.status_code == 302 and response["Location"] == QUEUE
    report = Report.objects.get()
    assert report.anonymous and report.contact_phone == "" and report.contact_name == ""
    assert report.submitted_by == hanoi_force["canbo.hoankiem"]
    page = client.get(QUEUE).content.decode()
    assert report.tracking_code in page  # the success message: the code to read back to the caller


@pytest.mark.django_db
def test_errors_of_the_intake_are_shown_on_the_form(hanoi_force: dict[str, Any]) -> None:
    client = signed_in(hanoi_force["canbo.caugiay"])

    response = client.post(NEW, call(phone="", consent=None))
    assert response.status_code == 422
    html = response.content.decode()
    assert "Số điện thoại hoặc thư điện tử: cần ít nhất một" in html
    assert "Đồng ý xử lý dữ liệu cá nhân: bắt buộc" in html
    assert 'id="error_phone"' in html and 'aria-invalid="true"' in html
    assert NOISE in html, "what the officer typed is kept"

    response = client.post(NEW, call(text="ồn", phone="12345"))
    html = response.content.decode()
    assert response.status_code == 422
    assert "cần ít nhất 10 ký tự" in html and "Số điện thoại: không hợp lệ" in html

    response = client.post(NEW, call(text=""))
    assert response.status_code == 422 and 'id="error_text"' in response.content.decode()
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_the_same_form_saved_twice_records_one_report(hanoi_force: dict[str, Any]) -> None:
    client = signed_in(hanoi_force["chihuy"])
    first = client.post(NEW, call())
    second = client.post(NEW, call())
    assert first["Location"] == second["Location"]
    assert Report.objects.count() == 1

    changed = client.post(NEW, call(text=NOISE + " Đêm qua lại tiếp diễn."))
    assert changed.status_code == 422
    assert "Idempotency-Key" in changed.content.decode()
    assert Report.objects.count() == 1
