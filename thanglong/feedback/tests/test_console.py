"""Officer console pages: scoping by unit, masking, attachments, bulk assignment, query counts."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from thanglong.core.models import AuditEntry
from thanglong.feedback.choices import EventKind, Status, TriageState
from thanglong.feedback.models import Attachment, Report
from thanglong.feedback.tests.test_workflow import make_report

pytestmark = pytest.mark.django_db

QUEUE = reverse("feedback_console:queue")
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def signed_in(client: Client, user: Any) -> Client:
    client.force_login(user)
    return client


def detail_url(report: Report) -> str:
    return reverse("feedback_console:detail", args=[report.tracking_code])


def add_attachment(report: Report, content: bytes, *, name: str, kind: str, content_type: str) -> Attachment:
    digest = hashlib.sha256(content).hexdigest()
    extension = Path(name).suffix
    attachment = Attachment(
        report=report,
        original_name=name,
        kind=kind,
        content_type=content_type,
        extension=extension,
        size=len(content),
        sha256=digest,
    )
    attachment.file.save(name, ContentFile(content), save=False)
    attachment.save()
    return attachment


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_queue_shows_only_the_officers_units(client: Client, hanoi_force: dict[str, Any]) -> None:
    mine = make_report(hanoi_force["cau_giay"], title="Ồn ào ngõ 15 Trần Thái Tông")
    theirs = make_report(hanoi_force["hoan_kiem"], title="Lấn chiếm vỉa hè Hàng Bạc")
    closed = make_report(hanoi_force["cau_giay"], status=Status.CLOSED)

    page = signed_in(client, hanoi_force["canbo.caugiay"]).get(QUEUE).content.decode()
    assert mine.tracking_code in page
    assert theirs.tracking_code not in page
    assert closed.tracking_code not in page

    page = signed_in(Client(), hanoi_force["giamdoc"]).get(QUEUE).content.decode()
    assert mine.tracking_code in page and theirs.tracking_code in page


def test_queue_filters_and_accent_insensitive_search(client: Client, hanoi_force: dict[str, Any]) -> None:
    now = timezone.now()
    late = make_report(hanoi_force["cau_giay"], title="Cháy bãi rác", due_at=now - timedelta(hours=1))
    soon = make_report(hanoi_force["cau_giay"], title="Xe máy đỗ sai", due_at=now + timedelta(minutes=20))
    signed_in(client, hanoi_force["canbo.caugiay"])

    page = client.get(QUEUE, {"deadline": "overdue"}).content.decode()
    assert late.tracking_code in page and soon.tracking_code not in page
    assert "Quá hạn" in page
    page = client.get(QUEUE, {"deadline": "near_deadline"}).content.decode()
    assert soon.tracking_code in page and late.tracking_code not in page

    page = client.get(QUEUE, {"q": "chay bai rac"}).content.decode()
    assert late.tracking_code in page and soon.tracking_code not in page
    # The phone number is in the raw text only: search never reaches personal data.
    page = client.get(QUEUE, {"q": "0912345678"}).content.decode()
    assert late.tracking_code not in page

    fragment = client.get(QUEUE, {"q": "xe may"}, headers={"HX-Request": "true"})
    assert b"<html" not in fragment.content and soon.tracking_code.encode() in fragment.content


def test_queue_page_query_count_does_not_grow_with_rows(
    client: Client, hanoi_force: dict[str, Any], media: Path
) -> None:
    """GIVEN a queue of 5, then 25 reports WHEN the leader opens it THEN the same number of queries runs."""
    officer = hanoi_force["canbo.caugiay"]

    def add_reports(count: int, start: int) -> None:
        for number in range(start, start + count):
            report = make_report(hanoi_force["cau_giay"], assigned_to=officer)
            if number % 5 == 0:
                add_attachment(
                    report, PNG + bytes([number]), name="a.png", kind="image", content_type="image/png"
                )

    def queries_for_queue(expected_rows: int) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(QUEUE)
        assert response.content.decode().count('name="reports"') == expected_rows
        return len(captured)

    signed_in(client, hanoi_force["lanhdao.caugiay"])
    add_reports(5, 0)
    client.get(QUEUE)  # warm the session and the calendar cache
    with_five = queries_for_queue(5)
    add_reports(20, 5)
    assert queries_for_queue(25) == with_five


def test_detail_masks_personal_data_for_other_units_and_hides_from_strangers(
    client: Client, hanoi_force: dict[str, Any]
) -> None:
    report = make_report(hanoi_force["cau_giay"])

    page = signed_in(client, hanoi_force["chihuy"]).get(detail_url(report)).content.decode()
    assert "091****678" in page
    assert "0912345678" not in page
    assert "Xem đầy đủ thông tin cá nhân" not in page  # the command centre may not reveal it

    assert signed_in(Client(), hanoi_force["canbo.hoankiem"]).get(detail_url(report)).status_code == 404

    page = signed_in(Client(), hanoi_force["canbo.caugiay"]).get(detail_url(report)).content.decode()
    assert "0912345678" not in page  # masked until asked for, with a reason
    assert "Xem đầy đủ thông tin cá nhân" in page


def test_revealing_contact_needs_a_reason_and_is_audited(client: Client, hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"])
    url = reverse("feedback_console:reveal_contact", args=[report.tracking_code])
    signed_in(client, hanoi_force["canbo.caugiay"])

    refused = client.post(url, {"reason": ""}, headers={"HX-Request": "true"})
    assert "0912345678" not in refused.content.decode()
    assert not AuditEntry.objects.filter(object_type="feedback.report").exists()

    shown = client.post(url, {"reason": "Gọi lại xác minh"}, headers={"HX-Request": "true"})
    assert "0912345678" in shown.content.decode() and "Nguyễn Văn An" in shown.content.decode()
    assert shown["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.get(object_type="feedback.report").reason == "Gọi lại xác minh"

    assert signed_in(Client(), hanoi_force["chihuy"]).post(url, {"reason": "xem"}).status_code == 403


def test_attachments_are_served_only_to_those_who_handle_the_report(
    client: Client, hanoi_force: dict[str, Any], media: Path
) -> None:
    report = make_report(hanoi_force["cau_giay"])
    image = add_attachment(report, PNG, name="hiện trường.png", kind="image", content_type="image/png")
    pdf = add_attachment(
        report, b"%PDF-1.4\n%%EOF\n", name="don.pdf", kind="pdf", content_type="application/pdf"
    )
    svg = add_attachment(
        report, b"<svg onload=alert(1)>", name="x.svg", kind="image", content_type="image/svg+xml"
    )

    def url(item: Attachment) -> str:
        return reverse("feedback_console:attachment", args=[report.tracking_code, item.pk])

    signed_in(client, hanoi_force["canbo.caugiay"])
    response = client.get(url(image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("inline")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]

    response = client.get(url(pdf))
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"

    response = client.get(url(svg))  # could carry script: never inline
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"

    assert signed_in(Client(), hanoi_force["canbo.hoankiem"]).get(url(image)).status_code == 404
    other = make_report(hanoi_force["cau_giay"])
    wrong_report = reverse("feedback_console:attachment", args=[other.tracking_code, image.pk])
    assert client.get(wrong_report).status_code == 404
    assert Client().get(url(image)).status_code == 302  # to the sign-in page


def test_bulk_assign_from_the_queue(client: Client, hanoi_force: dict[str, Any]) -> None:
    reports = [make_report(hanoi_force["cau_giay"]) for _ in range(3)]
    officer = hanoi_force["canbo.caugiay"]
    signed_in(client, hanoi_force["lanhdao.caugiay"])
    response = client.post(
        reverse("feedback_console:bulk_assign"),
        {"reports": [reports[0].pk, reports[2].pk], "officer": officer.pk},
    )
    assert response.status_code == 302
    assigned = set(Report.objects.filter(assigned_to=officer).values_list("pk", flat=True))
    assert assigned == {reports[0].pk, reports[2].pk}

    elsewhere = make_report(hanoi_force["hoan_kiem"])
    client.post(reverse("feedback_console:bulk_assign"), {"reports": [elsewhere.pk], "officer": officer.pk})
    elsewhere.refresh_from_db()
    assert elsewhere.assigned_to is None


def test_officer_resolves_with_a_public_reply(client: Client, hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"], status=Status.IN_PROGRESS)
    signed_in(client, hanoi_force["canbo.caugiay"])
    url = reverse("feedback_console:transition", args=[report.tracking_code])

    response = client.post(url, {"to_status": Status.RESOLVED, "public_message": ""}, follow=True)
    assert "Cần có nội dung trả lời người dân" in response.content.decode()
    client.post(url, {"to_status": Status.RESOLVED, "public_message": "Đã nhắc nhở, cam kết không tái phạm."})
    report.refresh_from_db()
    assert report.status == Status.RESOLVED
    page = client.get(detail_url(report)).content.decode()
    assert "Đã nhắc nhở, cam kết không tái phạm." in page


def test_dispatcher_queue_and_one_click_routing(client: Client, hanoi_force: dict[str, Any]) -> None:
    report = make_report(None, triage_state=TriageState.DISPATCHER, category="", category_confidence=0.31)
    dispatch = reverse("feedback_console:dispatch")
    assert signed_in(Client(), hanoi_force["canbo.caugiay"]).get(dispatch).status_code == 403

    signed_in(client, hanoi_force["chihuy"])
    assert report.tracking_code in client.get(dispatch).content.decode()
    client.post(
        reverse("feedback_console:correct", args=[report.tracking_code]),
        {"field": "unit", "value": "CAP-00166", "next": dispatch},
    )
    report.refresh_from_db()
    assert report.unit == hanoi_force["cau_giay"]
    assert report.events.filter(kind=EventKind.CORRECTED).exists()
    assert (
        report.tracking_code in signed_in(Client(), hanoi_force["canbo.caugiay"]).get(QUEUE).content.decode()
    )


def test_escalating_from_the_console_returns_to_the_queue(
    client: Client, hanoi_force: dict[str, Any]
) -> None:
    report = make_report(hanoi_force["cau_giay"])
    signed_in(client, hanoi_force["canbo.caugiay"])
    response = client.post(
        reverse("feedback_console:escalate", args=[report.tracking_code]),
        {"escalate-reason": "Vượt thẩm quyền"},
    )
    assert response["Location"] == QUEUE
    report.refresh_from_db()
    assert report.unit == hanoi_force["city"]


def test_leader_dashboard(client: Client, hanoi_force: dict[str, Any]) -> None:
    now = timezone.now()
    make_report(hanoi_force["cau_giay"], due_at=now - timedelta(hours=3))
    make_report(hanoi_force["hoan_kiem"])
    dashboard = reverse("feedback_console:dashboard")
    assert signed_in(Client(), hanoi_force["canbo.caugiay"]).get(dashboard).status_code == 403

    page = signed_in(client, hanoi_force["giamdoc"]).get(dashboard).content.decode()
    assert "Công an phường Cầu Giấy" in page and "Công an phường Hoàn Kiếm" in page
    assert 'badge--overdue">1<' in page
    page = signed_in(Client(), hanoi_force["lanhdao.caugiay"]).get(dashboard).content.decode()
    assert "Công an phường Hoàn Kiếm" not in page
