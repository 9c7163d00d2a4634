"""Reports in known states for the command app's tests, written straight to the table (the workflow
is tested in the feedback app; here only the resulting rows matter)."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from thanglong.core.models import OrganisationUnit
from thanglong.feedback.choices import Category, Channel, EventKind, Status
from thanglong.feedback.models import Report, ReportEvent

_numbers = itertools.count(1)


def make_report(
    unit: OrganisationUnit | None,
    *,
    status: str = Status.IN_PROGRESS,
    received: datetime | None = None,
    due_in: timedelta | None = timedelta(days=5),
    resolved_after: timedelta | None = None,
    category: str = Category.TRAFFIC,
    channel: str = Channel.WEB,
    rating: int | None = None,
    ward_id: str | None = None,
    first_response_after: timedelta | None = None,
    responder: Any = None,
    **extra: Any,
) -> Report:
    received = received or timezone.now() - timedelta(hours=2)
    number = next(_numbers)
    resolved_at = received + resolved_after if resolved_after is not None else None
    report = Report.objects.create(
        tracking_code=f"PA-T{number:06d}",
        channel=channel,
        text=f"Phản ánh thử {number}",
        status=status,
        unit=unit,
        category=category,
        ward_id=ward_id or (unit.ward_id if unit is not None else None),
        citizen_rating=rating,
        **extra,
    )
    Report.objects.filter(pk=report.pk).update(
        received_at=received,
        due_at=received + due_in if due_in is not None else None,
        resolved_at=resolved_at,
    )
    if first_response_after is not None:
        event = ReportEvent.objects.create(
            report=report, kind=EventKind.STATUS, public=True, actor=responder, to_status=status
        )
        ReportEvent.objects.filter(pk=event.pk).update(at=received + first_response_after)
    report.refresh_from_db()
    return report
