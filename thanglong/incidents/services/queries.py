"""Reading incidents: filtered lists, camera events near one, dashboard figures."""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from thanglong.incidents.choices import OPEN_STATUSES
from thanglong.incidents.models import Incident


@dataclass(frozen=True)
class Filters:
    line: str = ""
    status: str = ""  # "" = open ones, "all", or a status
    kind: str = ""
    priority: int | None = None
    q: str = ""


def filtered(queryset: QuerySet[Incident], filters: Filters) -> QuerySet[Incident]:
    if filters.line:
        queryset = queryset.filter(line=filters.line)
    if filters.status == "":
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif filters.status != "all":
        queryset = queryset.filter(status=filters.status)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.priority:
        queryset = queryset.filter(priority=filters.priority)
    if filters.q:
        queryset = queryset.filter(number__icontains=filters.q) | queryset.filter(
            location_text__icontains=filters.q
        )
    return queryset.select_related("ward", "unit").order_by("priority", "-received_at")


def camera_events_near(incident: Incident, *, limit: int = 20) -> list[Any]:
    """Camera events in the incident's ward within ± the configured window of the call (if cameras exist)."""
    if incident.ward_id is None:
        return []
    try:
        from thanglong.cameras.models import CameraEvent
    except ImportError:
        return []
    window = timedelta(minutes=settings.THANGLONG_INCIDENTS_CAMERA_WINDOW_MINUTES)
    return list(
        CameraEvent.objects.filter(
            ward_id=incident.ward_id,
            observed_at__gte=incident.received_at - window,
            observed_at__lte=incident.received_at + window,
        )
        .select_related("camera")
        .order_by("observed_at")[:limit]
    )


def median_minutes_to_dispatch(
    queryset: QuerySet[Incident], since: datetime, until: datetime
) -> float | None:
    """Median minutes from the call to the first unit sent, over incidents received in [since, until)."""
    rows = queryset.filter(
        received_at__gte=since, received_at__lt=until, dispatched_at__isnull=False
    ).values_list("received_at", "dispatched_at")
    minutes = [(dispatched - received).total_seconds() / 60 for received, dispatched in rows if dispatched]
    return round(statistics.median(minutes), 1) if minutes else None
