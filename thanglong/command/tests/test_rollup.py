"""The daily rollup behind the period pages: exact after a refresh, refreshed on read once stale."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from thanglong.command import performance, periods, rollup
from thanglong.command.models import DailyStat, RollupState
from thanglong.command.scope import scope_for
from thanglong.command.tests.factories import make_report
from thanglong.command.tests.sql import count_reports
from thanglong.feedback.choices import Status

pytestmark = pytest.mark.django_db


def test_rollup_matches_the_reports_and_catches_up_when_stale(hanoi_force: dict[str, Any]) -> None:
    now = timezone.now()
    week = periods.containing(periods.WEEK, timezone.localdate(now))
    received = max(week.start, now - timedelta(hours=3))
    for _index in range(3):
        make_report(
            hanoi_force["cau_giay"],
            status=Status.RESOLVED,
            received=received,
            resolved_after=timedelta(hours=1),
        )
    scope = scope_for(hanoi_force["chihuy"])
    [row] = performance.unit_performance(scope, week, now)
    assert row.received == count_reports("unit_id = %s", [hanoi_force["cau_giay"].pk]) == 3
    assert RollupState.objects.get().full_at is not None

    make_report(hanoi_force["cau_giay"], received=received)
    [row] = performance.unit_performance(scope, week, now + timedelta(seconds=10))
    assert row.received == 3  # within THANGLONG_COMMAND_ROLLUP_MAX_AGE: the rollup is not recomputed
    [row] = performance.unit_performance(scope, week, now + timedelta(seconds=rollup.max_age() + 1))
    assert row.received == 4


@override_settings(THANGLONG_COMMAND_ROLLUP_RECENT_DAYS=30)
def test_recent_refresh_keeps_older_days_and_full_refresh_recomputes_them(
    hanoi_force: dict[str, Any],
) -> None:
    old = make_report(hanoi_force["hoan_kiem"], received=timezone.now() - timedelta(days=90))
    rollup.refresh(full=True)
    assert DailyStat.objects.filter(unit=hanoi_force["hoan_kiem"]).get().resolved == 0
    old.resolved_at = timezone.now()
    old.save(update_fields=["resolved_at"])
    rollup.refresh()
    assert DailyStat.objects.filter(unit=hanoi_force["hoan_kiem"]).get().resolved == 0
    output = io.StringIO()
    call_command("command_rollup", "--full", stdout=output)
    assert output.getvalue().startswith("rollup (full):")
    assert DailyStat.objects.filter(unit=hanoi_force["hoan_kiem"]).get().resolved == 1


class _StopError(Exception):
    pass


def test_the_running_rollup_does_the_nightly_full_refresh_and_queues_the_periodic_reports(
    hanoi_force: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`thanglong serve` runs `command-rollup --every 300`: once a night it recomputes every day and
    queues the last week's, month's and quarter's report of every unit with a leader, once."""
    from datetime import date

    from thanglong.command.management.commands import command_rollup
    from thanglong.command.models import UnitReport

    make_report(hanoi_force["cau_giay"], received=timezone.now() - timedelta(days=3))
    sleeps: list[int] = []

    def sleep(seconds: int) -> None:
        sleeps.append(seconds)
        if len(sleeps) == 2:
            raise _StopError

    monkeypatch.setattr(command_rollup.time, "sleep", sleep)
    monkeypatch.setattr(command_rollup.Command, "_initial_last_night", staticmethod(lambda: date(2000, 1, 1)))
    output = io.StringIO()
    with pytest.raises(_StopError):
        call_command("command_rollup", "--every", "300", stdout=output)
    lines = output.getvalue().splitlines()
    assert lines[0].startswith("rollup (full)") and lines[-1].startswith("rollup (recent days)")
    scheduled = UnitReport.objects.filter(scheduled=True)
    assert {report.period_kind for report in scheduled} == {"week", "month", "quarter"}
    assert scheduled.filter(unit=hanoi_force["cau_giay"]).count() == 3
    assert sum("report(s)" in line for line in lines) == 3  # the second pass the same night queues nothing
