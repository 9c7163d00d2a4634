"""Live figures of citizens' reports for the command overview: a handful of aggregate queries, each
served by an index of the feedback tables (open cases by status/due date, new ones by receipt time).

Every function takes a :class:`~thanglong.command.scope.Scope`; the numbers are exactly what a direct
``COUNT(*)`` with the same conditions returns (the tests compare them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q

from thanglong.command.scope import Scope
from thanglong.core.models import Ward
from thanglong.feedback.choices import OPEN_STATUSES, Category, TriageState
from thanglong.feedback.services.queries import near_deadline_cutoff

OPEN = sorted(OPEN_STATUSES)
TOP_WARDS = 10


@dataclass
class OpenCounts:
    open: int = 0
    overdue: int = 0
    near_deadline: int = 0
    unassigned: int = 0
    awaiting_dispatch: int = 0


def open_counts(scope: Scope, now: datetime) -> OpenCounts:
    cutoff = near_deadline_cutoff(now)
    row = (
        scope.reports()
        .filter(status__in=OPEN)
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            near_deadline=Count("id", filter=Q(due_at__gte=now, due_at__lte=cutoff)),
            unassigned=Count("id", filter=Q(assigned_to__isnull=True)),
            awaiting_dispatch=Count(
                "id",
                filter=Q(unit__isnull=True)
                | Q(triage_state__in=[TriageState.DISPATCHER, TriageState.FAILED]),
            ),
        )
    )
    return OpenCounts(**{key: value or 0 for key, value in row.items()})


@dataclass
class NewCounts:
    last_hour: int = 0
    previous_hour: int = 0
    last_day: int = 0
    previous_day: int = 0


def new_counts(scope: Scope, now: datetime) -> NewCounts:
    """Reports received in the last hour / 24 hours, and in the hour / 24 hours before those."""
    hour, day = timedelta(hours=1), timedelta(days=1)
    row = (
        scope.reports()
        .filter(received_at__gte=now - 2 * day, received_at__lte=now)
        .aggregate(
            last_hour=Count("id", filter=Q(received_at__gt=now - hour)),
            previous_hour=Count("id", filter=Q(received_at__gt=now - 2 * hour, received_at__lte=now - hour)),
            last_day=Count("id", filter=Q(received_at__gt=now - day)),
            previous_day=Count("id", filter=Q(received_at__lte=now - day)),
        )
    )
    return NewCounts(**{key: value or 0 for key, value in row.items()})


def open_by_category(scope: Scope) -> list[tuple[str, str, int]]:
    """(category, label, open count), largest first; reports not yet categorised are "".."""
    labels = dict(Category.choices)
    rows = (
        scope.reports()
        .filter(status__in=OPEN)
        .values_list("category")
        .annotate(total=Count("id"))
        .values_list("category", "total")
    )
    result = [(category, str(labels.get(category, "—")), total) for category, total in rows]
    return sorted(result, key=lambda row: (-row[2], row[1]))


def open_by_ward(scope: Scope, limit: int = TOP_WARDS) -> list[tuple[Ward | None, int]]:
    """Wards with the most open reports (the ward named in the report's address)."""
    rows = list(
        scope.reports()
        .filter(status__in=OPEN)
        .values_list("ward_id")
        .annotate(total=Count("id"))
        .order_by("-total", "ward_id")
        .values_list("ward_id", "total")[:limit]
    )
    wards = Ward.objects.in_bulk([ward_id for ward_id, _total in rows if ward_id])
    return [(wards.get(ward_id) if ward_id else None, total) for ward_id, total in rows]
