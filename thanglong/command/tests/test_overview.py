"""The overview page: numbers from every provider, drill-down into the queue, htmx refresh, plug-ins."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from thanglong.command import providers
from thanglong.command.providers import Metric, Panel
from thanglong.command.scope import Scope
from thanglong.command.tests.factories import make_report
from thanglong.feedback.choices import Status
from thanglong.feedback.models import Report

pytestmark = pytest.mark.django_db
OVERVIEW = reverse("command:overview")


@pytest.fixture(autouse=True)
def _fresh_registry() -> Any:
    providers.reset()
    yield
    providers.reset()


def _metric(body: str, key: str) -> str:
    match = re.search(rf'data-metric="{re.escape(key)}".*?data-value="([^"]*)"', body, re.S)
    assert match, key
    return match.group(1)


def test_overview_shows_scoped_numbers_and_links_to_the_filtered_queue(
    client: Any, hanoi_force: dict[str, Any]
) -> None:
    now = timezone.now()
    overdue = make_report(hanoi_force["cau_giay"], received=now - timedelta(days=9), due_in=timedelta(days=5))
    make_report(hanoi_force["cau_giay"], status=Status.RECEIVED, received=now - timedelta(minutes=10))
    make_report(hanoi_force["hoan_kiem"], received=now - timedelta(days=9), due_in=timedelta(days=5))

    client.force_login(hanoi_force["lanhdao.caugiay"])
    response = client.get(OVERVIEW)
    assert response.status_code == 200
    body = response.content.decode()
    assert _metric(body, "feedback.open") == "2"
    assert _metric(body, "feedback.overdue") == "1"
    assert _metric(body, "feedback.new_hour") == "1"
    assert 'data-panel="assistant"' not in body  # city-wide assistant figures are not a ward leader's
    assert 'hx-trigger="every 30s"' in body

    link = re.search(r'data-metric="feedback.overdue">\s*<a href="([^"]+)"', body)
    assert link is not None
    queue = client.get(link.group(1).replace("&amp;", "&"))
    assert queue.status_code == 200
    assert overdue.tracking_code in queue.content.decode()


def test_htmx_refresh_returns_only_the_panels(client: Any, hanoi_force: dict[str, Any]) -> None:
    client.force_login(hanoi_force["chihuy"])
    response = client.get(OVERVIEW, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'data-panel="feedback"' in body and 'data-panel="assistant"' in body
    assert "HX-Request" in response["Vary"]


class CameraAlerts:
    """What the camera AI app will register: a provider this module knows nothing about."""

    key = "cameras"
    title = "Camera AI"
    order = 30

    def available(self, user: Any) -> bool:
        return True

    def panel(self, user: Any, scope: Scope, now: datetime) -> Panel:
        return Panel(self.key, self.title, [Metric("cameras.alerts", "Cảnh báo camera", 7, previous=4)])


def test_another_app_plugs_its_panel_in(client: Any, hanoi_force: dict[str, Any]) -> None:
    providers.register(CameraAlerts())
    client.force_login(hanoi_force["chihuy"])
    body = client.get(OVERVIEW).content.decode()
    assert _metric(body, "cameras.alerts") == "7"
    assert "▲ +3" in body
    with pytest.raises(TypeError):
        providers.register(object())  # type: ignore[arg-type]


@override_settings(THANGLONG_COMMAND_PROVIDERS=["thanglong.command.providers.feedback.FeedbackProvider"])
def test_providers_come_from_settings(client: Any, hanoi_force: dict[str, Any]) -> None:
    """The setting's providers, plus those the installed apps registered themselves at start-up."""
    keys = [provider.key for provider in providers.providers()]
    assert "feedback" in keys and "assistant" not in keys
    assert set(keys) - {"feedback"} == set(providers._from_apps)


def test_narrowing_to_an_invisible_unit_is_not_found(client: Any, hanoi_force: dict[str, Any]) -> None:
    client.force_login(hanoi_force["lanhdao.caugiay"])
    assert client.get(OVERVIEW, {"unit": hanoi_force["hoan_kiem"].pk}).status_code == 404
    assert client.get(OVERVIEW, {"unit": hanoi_force["cau_giay"].pk}).status_code == 200


def test_every_feedback_figure_links_to_a_queue_of_exactly_that_many_reports(
    client: Any, hanoi_force: dict[str, Any]
) -> None:
    """Drill-downs use the queue's own filters (ward, time window, unassigned, closed), so the list an
    officer lands on has as many rows as the figure they clicked."""
    now = timezone.now()
    cau_giay, hoan_kiem = hanoi_force["cau_giay"], hanoi_force["hoan_kiem"]
    officer = hanoi_force["canbo.caugiay"]
    make_report(cau_giay, received=now - timedelta(days=9), due_in=timedelta(days=5))  # overdue
    make_report(cau_giay, status=Status.RECEIVED, received=now - timedelta(minutes=10))
    make_report(cau_giay, status=Status.RESOLVED, received=now - timedelta(minutes=30))  # new, not open
    make_report(cau_giay, status=Status.IN_PROGRESS, received=now - timedelta(hours=5), assigned_to=officer)
    make_report(cau_giay, received=now - timedelta(hours=3), ward_id=hoan_kiem.ward_id)  # another ward
    unplaced = make_report(cau_giay, received=now - timedelta(hours=30), due_in=timedelta(hours=40))
    Report.objects.filter(pk=unplaced.pk).update(ward=None)  # an address nobody could place
    make_report(hoan_kiem, received=now - timedelta(minutes=5))  # not this leader's

    client.force_login(hanoi_force["lanhdao.caugiay"])
    body = client.get(OVERVIEW).content.decode()
    figures = re.findall(r'data-metric="(feedback\.[a-z_]+)"[^>]*>\s*<a href="([^"]+)"', body)
    rows = re.findall(r'<th scope="row"><a href="([^"]+)">[^<]*</a></th><td class="num">(\d+)</td>', body)
    checked = 0
    for key, link in figures:
        queue = client.get(link.replace("&amp;", "&"))
        assert queue.status_code == 200, key
        assert queue.context["page"].paginator.count == int(_metric(body, key)), key
        checked += 1
    for link, value in rows:
        queue = client.get(link.replace("&amp;", "&"))
        assert queue.context["page"].paginator.count == int(value), link
        checked += 1
    assert {"feedback.open", "feedback.new_hour", "feedback.new_day", "feedback.unassigned"} <= {
        key for key, _link in figures
    }
    assert _metric(body, "feedback.new_hour") == "2" and _metric(body, "feedback.unassigned") == "4"
    assert len(rows) >= 4 and checked >= 10  # wards (incl. "not known") and categories
