"""/api/v1/incidents: open a call, read it (number audited), stream transcript lines, bilingual errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from thanglong.core.models import AuditEntry
from thanglong.incidents import services

pytestmark = pytest.mark.django_db
PASSWORD = "Test-password-123"
URL = "/api/v1/incidents"


def client_for(username: str) -> Client:
    client = Client()
    assert client.login(username=username, password=PASSWORD)
    return client


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


def test_open_read_and_stream_transcript(hanoi_force: dict[str, Any]) -> None:
    chihuy = client_for("chihuy")
    created = post(
        chihuy,
        URL,
        {
            "line": "114",
            "kind": "fire",
            "priority": 1,
            "caller_number": "0912345678",
            "location_text": "số 5 Duy Tân, Dịch Vọng Hậu, Cầu Giấy",
        },
    )
    assert created.status_code == 201, created.content
    number = created.json()["number"]
    assert number.startswith("114-") and created.json()["ward_code"] == "00166"
    assert (
        post(chihuy, f"{URL}/{number}/transcript", {"text": "cháy ở tầng ba", "partial": True}).status_code
        == 201
    )
    response = post(chihuy, f"{URL}/{number}/transcript", {"text": "cháy ở tầng ba, có người kẹt"})
    assert response.json() == {"number": number, "lines": 1}  # the partial was completed, not repeated

    officer = client_for("canbo.caugiay")
    assert officer.get(f"{URL}/{number}").json()["caller_number"] == "091****678"
    assert chihuy.get(f"{URL}/{number}").json()["caller_number"] == "0912345678"
    assert AuditEntry.objects.filter(action="read", fields=["caller_number"]).count() == 1
    listed = officer.get(URL).json()
    assert [row["number"] for row in listed] == [number] and listed[0]["caller_number"] == ""
    assert client_for("canbo.hoankiem").get(f"{URL}/{number}").status_code == 404


def test_errors_are_bilingual_and_name_the_field(hanoi_force: dict[str, Any]) -> None:
    chihuy = client_for("chihuy")
    bad_kind = post(chihuy, URL, {"line": "113", "kind": "ufo"})
    assert bad_kind.status_code == 422 and bad_kind.json()["field"] == "kind"
    assert bad_kind.json()["message_vi"] and bad_kind.json()["message_en"]
    too_urgent = post(chihuy, URL, {"line": "113", "kind": "crime", "priority": 7})
    assert too_urgent.status_code == 422 and "priority" in too_urgent.json()["message_en"]
    assert (
        post(chihuy, URL, {"line": "113", "kind": "crime", "ward_code": "99999"}).json()["field"]
        == "ward_code"
    )
    assert post(client_for("canbo.caugiay"), URL, {"line": "113", "kind": "crime"}).status_code == 403
    assert Client().get(URL).status_code == 401

    incident = services.open_incident(line="113", kind="crime", priority=1, location_text="Cầu Giấy")
    services.close(incident, actor=None, outcome="cancelled", reason="nhầm")
    closed = post(chihuy, f"{URL}/{incident.number}/transcript", {"text": "alo"})
    assert closed.status_code == 409 and closed.json()["message_vi"] == "Sự vụ đã kết thúc."
    assert post(chihuy, f"{URL}/{incident.number}/transcript", {"text": ""}).status_code == 422
