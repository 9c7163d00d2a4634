"""The call-taker's console over HTTP: intake, ward suggestion, list filters, the live page and actions."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from thanglong.core.models import AuditEntry
from thanglong.incidents import services
from thanglong.incidents.choices import IncidentKind, Line, Priority, Status
from thanglong.incidents.models import Incident

pytestmark = pytest.mark.django_db
PASSWORD = "Test-password-123"
LOCATION = "số 5 Duy Tân, Dịch Vọng Hậu, Cầu Giấy"


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def test_a_call_taker_records_a_call(hanoi_force: dict[str, Any]) -> None:
    client = client_for("chihuy")
    assert client.get("/console/incidents/new/").status_code == 200
    response = client.post(
        "/console/incidents/new/",
        {
            "line": "113",
            "caller_number": "0912 345 678",
            "caller_name": "Lê Văn Tám",
            "location_text": LOCATION,
            "kind": IncidentKind.VIOLENCE,
            "priority": Priority.HIGH,
            "summary": "Hai nhóm đánh nhau trước quán.",
        },
    )
    incident = Incident.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/incidents/{incident.number}/"
    assert incident.ward_id == "00166" and incident.created_by == hanoi_force["chihuy"]
    page = client.get(response["Location"]).content.decode()
    assert "0912345678" in page and "Lê Văn Tám" in page and "Công an phường Cầu Giấy" in page


def test_intake_form_errors_are_shown_and_nothing_is_stored(hanoi_force: dict[str, Any]) -> None:
    client = client_for("chihuy")
    response = client.post("/console/incidents/new/", {"line": "115", "kind": "fire", "priority": "1"})
    assert response.status_code == 422
    assert "Cần địa điểm hoặc phường/xã" in response.content.decode()
    assert not Incident.objects.exists()


def test_ward_suggestion_follows_the_typed_location(hanoi_force: dict[str, Any]) -> None:
    client = client_for("chihuy")
    body = client.get(
        "/console/incidents/ward/", {"location_text": LOCATION}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'value="00166" selected' in body and "Phường Cầu Giấy" in body
    unknown = client.get("/console/incidents/ward/", {"location_text": "abc"}).content.decode()
    assert "Chưa xác định được phường/xã" in unknown


def test_only_call_takers_open_the_intake_form(hanoi_force: dict[str, Any]) -> None:
    assert client_for("canbo.caugiay").get("/console/incidents/new/").status_code == 403
    assert Client().get("/console/incidents/new/").status_code == 302  # to the login page


def test_list_filters_and_scope(hanoi_force: dict[str, Any]) -> None:
    fire = services.open_incident(
        line=Line.FIRE_RESCUE, kind=IncidentKind.FIRE, priority=1, location_text=LOCATION
    )
    theft = services.open_incident(
        line=Line.POLICE, kind=IncidentKind.CRIME, priority=2, location_text="phố Hàng Bạc, Hoàn Kiếm"
    )
    services.close(theft, actor=None, outcome=Status.CANCELLED, reason="Người gọi báo nhầm")
    chihuy = client_for("chihuy")
    open_list = chihuy.get("/console/incidents/").content.decode()
    assert fire.number in open_list and theft.number not in open_list  # closed ones are not "open"
    everything = chihuy.get("/console/incidents/", {"status": "all", "line": "113"}).content.decode()
    assert theft.number in everything and fire.number not in everything
    fragment = chihuy.get("/console/incidents/", {"status": "all"}, HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and theft.number in fragment
    officer_list = client_for("canbo.hoankiem").get("/console/incidents/", {"status": "all"}).content.decode()
    assert theft.number in officer_list and fire.number not in officer_list


def test_live_page_actions_and_polling(hanoi_force: dict[str, Any]) -> None:
    incident = services.open_incident(
        line="113", kind="crime", priority=1, location_text=LOCATION, caller_number="0912345678"
    )
    officer = client_for("canbo.caugiay")
    page = officer.get(f"/console/incidents/{incident.number}/").content.decode()
    assert "091****678" in page and "0912345678" not in page
    assert 'hx-trigger="every 3s"' in page
    assert not AuditEntry.objects.filter(action="read").exists()

    chihuy = client_for("chihuy")
    units = {"units": [hanoi_force["cau_giay"].pk], "teams": "Tổ CSCĐ 141, Xe 02", "note": "Khẩn"}
    assert chihuy.post(f"/console/incidents/{incident.number}/dispatch/", units).status_code == 302
    services.append_transcript(incident, "kẻ gian chạy về phía Xuân Thủy")
    live = officer.get(f"/console/incidents/{incident.number}/live/").content.decode()
    assert "Tổ CSCĐ 141" in live and "Xe 02" in live and "kẻ gian chạy về phía Xuân Thủy" in live
    assert "0912345678" not in live and "091****678" not in live  # polling carries no personal data
    assert officer.post(f"/console/incidents/{incident.number}/arrive/").status_code == 302
    assert (
        officer.post(f"/console/incidents/{incident.number}/note/", {"note": "Đã khống chế"}).status_code
        == 302
    )
    response = chihuy.post(
        f"/console/incidents/{incident.number}/close/", {"outcome": "hoax", "reason": ""}, follow=True
    )
    assert "Lý do: bắt buộc" in response.content.decode()
    chihuy.post(
        f"/console/incidents/{incident.number}/close/", {"outcome": "closed", "reason": "Đã bàn giao"}
    )
    incident.refresh_from_db()
    assert incident.status == Status.CLOSED
    assert list(incident.events.values_list("kind", flat=True)) == [
        "received",
        "dispatched",
        "on_scene",
        "note",
        "closed",
    ]


def test_other_wards_cannot_see_or_act(hanoi_force: dict[str, Any]) -> None:
    incident = services.open_incident(line="113", kind="crime", priority=1, location_text=LOCATION)
    stranger = client_for("canbo.hoankiem")
    assert stranger.get(f"/console/incidents/{incident.number}/").status_code == 404
    assert stranger.post(f"/console/incidents/{incident.number}/dispatch/", {"teams": "x"}).status_code == 404
    assert stranger.get(f"/console/incidents/{incident.number}/live/").status_code == 404


def test_hand_off_from_the_page(hanoi_force: dict[str, Any]) -> None:
    incident = services.open_incident(
        line="113",
        kind="other",
        priority=3,
        location_text=LOCATION,
        caller_number="0912345678",
        summary="Hàng xóm để chó sủa cả đêm, xin công an nhắc nhở.",
    )
    chihuy = client_for("chihuy")
    response = chihuy.post(
        f"/console/incidents/{incident.number}/hand-off/",
        {"reason": "Không khẩn cấp", "caller_consents": "on"},
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == Status.REFERRED and incident.report is not None
    assert incident.report.contact_phone == "0912345678" and not incident.report.anonymous


def test_navigation_and_command_overview_show_incidents(hanoi_force: dict[str, Any]) -> None:
    from django.utils import timezone

    from thanglong.command.providers import providers
    from thanglong.command.scope import scope_for

    incident = services.open_incident(line="114", kind="fire", priority=1, location_text=LOCATION)
    services.dispatch(incident, units=["Xe chữa cháy 01"], actor=None)
    assert "/console/incidents/" in client_for("canbo.caugiay").get("/console/").content.decode()
    provider = next(p for p in providers() if p.key == "incidents")
    chihuy = hanoi_force["chihuy"]
    panel = provider.panel(chihuy, scope_for(chihuy), timezone.now())
    values = {metric.key: metric.value for metric in panel.metrics}
    assert values["incidents.open"] == 1 and values["incidents.received"] == 1
    assert values["incidents.median_dispatch"] is not None and values["incidents.median_dispatch"] < 1
    assert panel.metrics[0].alert  # a critical incident is open
    assert [row.label for row in panel.breakdowns[0].rows] == ["Cháy, nổ"]


def test_demo_data_loads_once(hanoi_force: dict[str, Any]) -> None:
    from thanglong.incidents import demo

    lines: list[str] = []
    created = demo.load(lines.append)
    assert len(created) == 9 and demo.load(lines.append) == []
    statuses = set(Incident.objects.values_list("status", flat=True))
    assert {"received", "dispatched", "on_scene", "closed", "hoax", "referred"} <= statuses
    closed = Incident.objects.filter(status="closed").first()
    assert closed is not None and closed.dispatched_at is not None
    assert 0 < (closed.dispatched_at - closed.received_at).total_seconds() <= 5 * 60
