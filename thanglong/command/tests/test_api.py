"""The command API: scoped like the pages, bilingual refusals, public figures without a login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from thanglong.command.tests.factories import make_report

pytestmark = pytest.mark.django_db


def test_overview_json_is_scoped_and_refuses_officers(client: Any, hanoi_force: dict[str, Any]) -> None:
    now = timezone.now()
    make_report(hanoi_force["cau_giay"], received=now - timedelta(days=9), due_in=timedelta(days=5))
    make_report(hanoi_force["hoan_kiem"], received=now - timedelta(days=9), due_in=timedelta(days=5))
    client.force_login(hanoi_force["lanhdao.caugiay"])
    body = client.get("/api/v1/command/overview").json()
    metrics = {metric["key"]: metric["value"] for panel in body["panels"] for metric in panel["metrics"]}
    assert metrics["feedback.open"] == 1 and metrics["feedback.overdue"] == 1
    missing = client.get("/api/v1/command/overview", {"unit": hanoi_force["hoan_kiem"].pk})
    assert missing.status_code == 404 and missing.json()["message_en"]

    client.force_login(hanoi_force["canbo.caugiay"])
    refused = client.get("/api/v1/command/overview")
    assert refused.status_code == 403 and refused.json()["message_vi"]


def test_performance_json_states_the_method(client: Any, hanoi_force: dict[str, Any]) -> None:
    client.force_login(hanoi_force["chihuy"])
    make_report(hanoi_force["cau_giay"], received=timezone.now() - timedelta(minutes=30))
    response = client.get("/api/v1/command/performance", {"period": "week"})
    assert response.status_code == 200
    body = response.json()
    assert "on-time rate" in body["method"]
    assert [unit["unit_code"] for unit in body["units"]] == ["CAP-00166"]
    assert client.get("/api/v1/command/performance", {"period": "year"}).status_code == 422


def test_public_stats_need_no_login(client: Any, hanoi_force: dict[str, Any]) -> None:
    make_report(hanoi_force["cau_giay"])
    body = client.get("/api/v1/command/public-stats").json()
    assert body["received"] == {"value": None, "suppressed": True}
