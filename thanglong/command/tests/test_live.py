"""Overview figures equal a direct SQL count with the same conditions, inside each reader's scope."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from thanglong.command import live
from thanglong.command.scope import scope_for
from thanglong.command.tests.factories import make_report
from thanglong.command.tests.sql import count_reports
from thanglong.feedback.choices import OPEN_STATUSES, Category, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(hanoi_force: dict[str, Any]) -> dict[str, Any]:
    now = timezone.now()
    cau_giay, hoan_kiem = hanoi_force["cau_giay"], hanoi_force["hoan_kiem"]
    made = {
        "overdue": make_report(cau_giay, received=now - timedelta(days=9), due_in=timedelta(days=5)),
        "fresh": make_report(cau_giay, status=Status.RECEIVED, received=now - timedelta(minutes=20)),
        "hour_ago": make_report(hoan_kiem, status=Status.ASSIGNED, received=now - timedelta(minutes=90)),
        "yesterday": make_report(hoan_kiem, received=now - timedelta(hours=30), category=Category.DRUGS),
        "resolved": make_report(
            cau_giay,
            status=Status.RESOLVED,
            received=now - timedelta(days=3),
            resolved_after=timedelta(days=1),
        ),
        "unrouted": make_report(None, status=Status.RECEIVED, received=now - timedelta(minutes=5)),
        "hk_overdue": make_report(hoan_kiem, received=now - timedelta(days=20), due_in=timedelta(days=10)),
    }
    # A duplicate is counted once, on its primary report.
    make_report(cau_giay, received=now - timedelta(days=9), duplicate_of=made["overdue"])
    return made


def test_command_centre_counts_equal_direct_sql(hanoi_force: dict[str, Any], reports: dict[str, Any]) -> None:
    now = timezone.now()
    scope = scope_for(hanoi_force["chihuy"])
    opened = live.open_counts(scope, now)
    open_list = sorted(OPEN_STATUSES)
    marks = ", ".join(["%s"] * len(open_list))
    assert opened.open == count_reports(f"status IN ({marks})", open_list) == 6
    assert opened.overdue == count_reports(f"status IN ({marks}) AND due_at < %s", [*open_list, now]) == 2
    new = live.new_counts(scope, now)
    assert (
        new.last_hour
        == count_reports("received_at > %s AND received_at <= %s", [now - timedelta(hours=1), now])
        == 2
    )
    assert new.previous_hour == 1
    assert (
        new.last_day
        == count_reports("received_at > %s AND received_at <= %s", [now - timedelta(days=1), now])
        == 3
    )
    assert new.previous_day == 1
    by_category = {category: total for category, _label, total in live.open_by_category(scope)}
    assert by_category[Category.DRUGS] == 1
    assert sum(by_category.values()) == opened.open


def test_ward_leader_counts_only_their_ward(hanoi_force: dict[str, Any], reports: dict[str, Any]) -> None:
    now = timezone.now()
    scope = scope_for(hanoi_force["lanhdao.caugiay"])
    opened = live.open_counts(scope, now)
    open_list = sorted(OPEN_STATUSES)
    marks = ", ".join(["%s"] * len(open_list))
    expected = count_reports(
        f"status IN ({marks}) AND unit_id = %s", [*open_list, hanoi_force["cau_giay"].pk]
    )
    assert opened.open == expected == 2
    assert opened.overdue == 1
    assert opened.awaiting_dispatch == 0  # the unrouted report is the dispatchers', not the ward's
    wards = live.open_by_ward(scope)
    assert [(ward.code if ward else None, total) for ward, total in wards] == [("00166", 2)]


def test_narrowing_to_a_unit_outside_the_readers_reach_counts_nothing(
    hanoi_force: dict[str, Any], reports: dict[str, Any]
) -> None:
    scope = scope_for(hanoi_force["lanhdao.caugiay"], hanoi_force["hoan_kiem"])
    assert live.open_counts(scope, timezone.now()).open == 0
