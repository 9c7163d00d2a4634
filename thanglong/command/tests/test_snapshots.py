"""Open and overdue "24 hours ago": hourly snapshots, rebuilt from timestamps for a past moment."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from thanglong.command import snapshots
from thanglong.command.models import OpenSnapshot
from thanglong.command.scope import scope_for
from thanglong.command.tests.factories import make_report
from thanglong.command.tests.sql import count_reports
from thanglong.feedback.choices import Status

pytestmark = pytest.mark.django_db


def test_a_day_old_snapshot_gives_open_and_overdue_their_trend(
    client: Any, hanoi_force: dict[str, Any]
) -> None:
    now = timezone.now()
    day_ago = now - timedelta(days=1)
    cau_giay = hanoi_force["cau_giay"]
    make_report(
        cau_giay, received=now - timedelta(days=10), due_in=timedelta(days=5)
    )  # open, overdue both times
    make_report(  # open a day ago, resolved since
        cau_giay,
        status=Status.RESOLVED,
        received=now - timedelta(days=3),
        resolved_after=timedelta(days=2, hours=6),
    )
    make_report(cau_giay, received=now - timedelta(hours=3))  # not received yet a day ago
    make_report(hanoi_force["hoan_kiem"], received=now - timedelta(days=2))  # another ward: out of scope

    snapshots.reconstruct(day_ago)
    scope = scope_for(hanoi_force["lanhdao.caugiay"])
    assert snapshots.around(scope, day_ago) == (2, 1)
    expected_open = count_reports(
        "unit_id = %s AND received_at <= %s AND (resolved_at IS NULL OR resolved_at > %s)",
        [cau_giay.pk, day_ago, day_ago],
    )
    assert expected_open == 2

    client.force_login(hanoi_force["lanhdao.caugiay"])
    body = client.get(reverse("command:overview")).content.decode()
    open_tile = re.search(r'data-metric="feedback.open".*?</li>', body, re.S)
    assert open_tile is not None and "= 0" in open_tile.group(0)  # 2 open now, 2 a day ago
    assert OpenSnapshot.objects.filter(at__gt=day_ago).exists()  # the view took this hour's snapshot
    assert not snapshots.take_if_due(timezone.now())  # …and only one an hour


def test_no_trend_without_a_snapshot_near_the_moment(hanoi_force: dict[str, Any]) -> None:
    snapshots.take(timezone.now() - timedelta(days=5))
    assert snapshots.around(scope_for(hanoi_force["chihuy"]), timezone.now() - timedelta(days=1)) is None
