"""City-scale generation (small here): rows land with the drawn times, timelines and tracking codes,
the dashboards count them exactly, and intake carries on numbering after them."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from thanglong.command import live, scale
from thanglong.command.scope import scope_for
from thanglong.command.tests.sql import count_reports
from thanglong.feedback.choices import OPEN_STATUSES, EventKind
from thanglong.feedback.models import Report, ReportEvent
from thanglong.feedback.services.tracking import next_tracking_code

pytestmark = pytest.mark.django_db


def test_generated_reports_are_counted_exactly(hanoi_force: dict[str, Any]) -> None:
    messages: list[str] = []
    added = scale.generate(600, out=messages.append, days=60, progress=False)
    assert added == 600 == Report.objects.count()
    assert scale.generate(600, out=messages.append, progress=False) == 0  # tops up only

    now = timezone.now()
    first = Report.objects.order_by("received_at").first()
    assert first is not None and (now - first.received_at).days <= 60
    # The small force has two ward stations: their wards' reports go to them, the rest await dispatch.
    for station in (hanoi_force["cau_giay"], hanoi_force["hoan_kiem"]):
        in_ward = Report.objects.filter(ward_id=station.ward_id)
        assert in_ward.exists() and not in_ward.exclude(unit=station).exists()
    assert Report.objects.filter(unit__isnull=True).exclude(ward_id__in=["00166", "00070"]).count() > 400
    assert ReportEvent.objects.filter(kind=EventKind.RECEIVED).count() == 600
    resolved = Report.objects.filter(resolved_at__isnull=False)
    assert resolved.exists()
    assert all((report.resolved_at or first.received_at) > report.received_at for report in resolved[:50])

    open_list = sorted(OPEN_STATUSES)
    marks = ", ".join(["%s"] * len(open_list))
    opened = live.open_counts(scope_for(hanoi_force["chihuy"]), now)
    assert opened.open == count_reports(f"status IN ({marks})", open_list) > 0
    assert opened.overdue == count_reports(f"status IN ({marks}) AND due_at < %s", [*open_list, now])

    codes = set(Report.objects.values_list("tracking_code", flat=True))
    assert len(codes) == 600
    assert next_tracking_code() not in codes  # the counter moved past the generated codes
