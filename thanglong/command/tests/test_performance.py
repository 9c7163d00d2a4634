"""Unit performance per period: counts equal direct SQL, medians are right on every database, the
ranking follows the stated method, and each reader sees only their units."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from thanglong.command import performance, periods
from thanglong.command.scope import scope_for, unit_scope
from thanglong.command.tests.factories import make_report
from thanglong.command.tests.sql import count_reports
from thanglong.feedback.choices import Channel, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def month(hanoi_force: dict[str, Any]) -> periods.Period:
    """Last month, with a known set of reports for Cầu Giấy and Hoàn Kiếm."""
    from django.utils import timezone

    period = periods.containing(periods.MONTH, timezone.localdate()).previous()
    start = period.start
    cau_giay, hoan_kiem = hanoi_force["cau_giay"], hanoi_force["hoan_kiem"]
    officer = hanoi_force["canbo.caugiay"]
    # Cầu Giấy: 4 resolved on time (1, 2, 3, 4 days), 1 resolved late, 1 open past its deadline.
    for day in range(1, 5):
        make_report(
            cau_giay,
            status=Status.RESOLVED,
            received=start + timedelta(days=day),
            due_in=timedelta(days=5),
            resolved_after=timedelta(days=day),
            first_response_after=timedelta(hours=2 * day),
            responder=officer,
            rating=5 if day % 2 else 4,
        )
    make_report(
        cau_giay,
        status=Status.RESOLVED,
        received=start + timedelta(days=6),
        due_in=timedelta(days=2),
        resolved_after=timedelta(days=8),
        channel=Channel.PHONE,
        rating=2,
    )
    make_report(cau_giay, received=start + timedelta(days=7), due_in=timedelta(days=3))
    # Hoàn Kiếm: 2 reports, both open and overdue.
    for day in (2, 3):
        make_report(hoan_kiem, received=start + timedelta(days=day), due_in=timedelta(days=3))
    # Outside the period: never counted.
    make_report(cau_giay, received=start - timedelta(hours=1))
    make_report(cau_giay, received=period.end + timedelta(minutes=1))
    return period


def _sql(where: str, params: list[Any]) -> int:
    return count_reports(f"received_at >= %s AND received_at < %s AND {where}", params)


@override_settings(THANGLONG_COMMAND_RANK_MIN_CASES=2)
def test_unit_figures_equal_direct_sql_and_medians_are_exact(
    hanoi_force: dict[str, Any], month: periods.Period
) -> None:
    rows = performance.unit_performance(scope_for(hanoi_force["chihuy"]), month, wait=True)
    by_code = {row.unit.code: row for row in rows}
    cau_giay = by_code["CAP-00166"]
    bounds = [month.start, month.end, hanoi_force["cau_giay"].pk]
    assert cau_giay.received == _sql("unit_id = %s", bounds) == 6
    assert cau_giay.resolved == _sql("unit_id = %s AND resolved_at IS NOT NULL", bounds) == 5
    assert cau_giay.on_time == _sql("unit_id = %s AND resolved_at <= due_at", bounds) == 4
    assert cau_giay.overdue_open == 1
    assert cau_giay.on_time_rate == pytest.approx(4 / 6)
    assert cau_giay.online == 5
    assert cau_giay.rated == 5
    assert cau_giay.rating == pytest.approx((5 + 4 + 5 + 4 + 2) / 5)
    # Resolution: 1, 2, 3, 4, 8 days → median 3 days. First response: 2, 4, 6, 8 h → median 5 h.
    assert cau_giay.resolution_hours == pytest.approx(72)
    assert cau_giay.response_hours == pytest.approx(5)
    hoan_kiem = by_code["CAP-00070"]
    assert (hoan_kiem.received, hoan_kiem.resolved, hoan_kiem.overdue_open) == (2, 0, 2)
    assert hoan_kiem.on_time_rate == 0
    assert [row.unit.code for row in rows] == ["CAP-00166", "CAP-00070"]
    assert cau_giay.rank == 1 and hoan_kiem.rank == 2
    assert cau_giay.score is not None and hoan_kiem.score is not None and cau_giay.score > hoan_kiem.score


def test_units_below_the_minimum_are_listed_but_not_ranked(
    hanoi_force: dict[str, Any], month: periods.Period
) -> None:
    with override_settings(THANGLONG_COMMAND_RANK_MIN_CASES=3):
        rows = performance.unit_performance(scope_for(hanoi_force["chihuy"]), month)
    ranks = {row.unit.code: row.rank for row in rows}
    assert ranks == {"CAP-00166": 1, "CAP-00070": None}


def test_ward_leader_sees_only_their_unit_and_the_directorate_leader_sees_all(
    hanoi_force: dict[str, Any], month: periods.Period
) -> None:
    ward = performance.unit_performance(scope_for(hanoi_force["lanhdao.caugiay"]), month)
    assert [row.unit.code for row in ward] == ["CAP-00166"]
    directorate = performance.unit_performance(scope_for(hanoi_force["giamdoc"]), month)
    assert {row.unit.code for row in directorate} == {"CAP-00166", "CAP-00070"}
    narrowed = performance.unit_performance(unit_scope(hanoi_force["hoan_kiem"]), month)
    assert [row.unit.code for row in narrowed] == ["CAP-00070"]


def test_performance_page_states_the_method_and_links_overdue_cases(
    client: Any, hanoi_force: dict[str, Any], month: periods.Period
) -> None:
    client.force_login(hanoi_force["giamdoc"])
    response = client.get(reverse("command:performance"), {"period": "month", "key": month.key})
    assert response.status_code == 200
    body = response.content.decode()
    assert "Phương pháp tính" in body
    assert "Công an phường Cầu Giấy" in body and "Công an phường Hoàn Kiếm" in body
    overdue = f"{reverse('feedback_console:queue')}?unit={hanoi_force['hoan_kiem'].pk}&amp;deadline=overdue"
    assert overdue in body


def test_officers_cannot_open_the_command_pages(client: Any, hanoi_force: dict[str, Any]) -> None:
    client.force_login(hanoi_force["canbo.caugiay"])
    assert client.get(reverse("command:performance")).status_code == 403
    assert client.get(reverse("command:overview")).status_code == 403
    assert client.get(reverse("command:reports")).status_code == 403
    assert client.get(reverse("command:targets")).status_code == 200  # their unit's targets


def test_periods_parse_and_step() -> None:
    from datetime import date

    october = periods.parse(periods.MONTH, "2026-10")
    assert (october.first_day, october.last_day) == (date(2026, 10, 1), date(2026, 10, 31))
    assert october.previous().key == "2026-09"
    quarter = periods.parse(periods.QUARTER, "2026-Q4")
    assert (quarter.first_day, quarter.last_day) == (date(2026, 10, 1), date(2026, 12, 31))
    assert quarter.previous().key == "2026-Q3"
    week = periods.parse(periods.WEEK, "2026-W01")
    assert week.first_day == date(2025, 12, 29) and week.key == "2026-W01"
    assert periods.parse(periods.MONTH, "rubbish", today=date(2026, 2, 14)).key == "2026-02"


def test_the_page_never_waits_for_medians_a_job_computes_them(
    client: Any, hanoi_force: dict[str, Any], month: periods.Period, django_capture_on_commit_callbacks: Any
) -> None:
    """GIVEN no stored medians for the month
    WHEN a leader opens the page
    THEN counts show at once, the median job is queued once, and its result shows on the next view."""
    client.force_login(hanoi_force["giamdoc"])
    url = reverse("command:performance")
    with django_capture_on_commit_callbacks() as queued:
        body = client.get(url, {"period": "month", "key": month.key}).content.decode()
    assert "Đang tính thời gian" in body and 'hx-select="#ranking"' in body
    assert len(queued) == 1
    with django_capture_on_commit_callbacks() as again:
        client.get(url, {"period": "month", "key": month.key})
    assert again == []  # already queued: not twice

    performance.store_medians(month)  # what the worker runs
    body = client.get(url, {"period": "month", "key": month.key}).content.decode()
    assert "Đang tính thời gian" not in body
    row = re.search(r'data-unit="CAP-00166">(.*?)</tr>', body, re.S)
    assert row is not None and "72" not in row.group(0)  # shown in days: 3.0
    assert ">3,0<" in row.group(0) or ">3.0<" in row.group(0)
