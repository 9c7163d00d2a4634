"""Hourly snapshots of open and overdue reports per unit, so the overview can show where the stock of
open cases stood a day ago (counts of flows — new reports — need none: they come from receipt times).

The overview takes a snapshot itself when the last one is an hour old (one grouped count over the open
reports, served by the status index), so no scheduler is needed; a reading for "24 hours ago" is the
snapshot nearest to that moment within ``TOLERANCE``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from thanglong.command.models import OpenSnapshot
from thanglong.command.scope import Scope
from thanglong.feedback.choices import OPEN_STATUSES
from thanglong.feedback.models import Report

INTERVAL = timedelta(hours=1)
TOLERANCE = timedelta(hours=2)
KEEP = timedelta(days=400)


def take(now: datetime) -> int:
    rows = (
        Report.objects.filter(duplicate_of__isnull=True, status__in=sorted(OPEN_STATUSES))
        .values("unit_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=now)))
        .order_by()
    )
    snapshots = [
        OpenSnapshot(at=now, unit_id=row["unit_id"], open=row["open"], overdue=row["overdue"]) for row in rows
    ]
    with transaction.atomic():
        OpenSnapshot.objects.bulk_create(snapshots)
        OpenSnapshot.objects.filter(at__lt=now - KEEP).delete()
    return len(snapshots)


def take_if_due(now: datetime | None = None) -> bool:
    now = now or timezone.now()
    last = OpenSnapshot.objects.aggregate(last=Max("at"))["last"]
    if last is not None and now - last < INTERVAL:
        return False
    take(now)
    return True


def reconstruct(moment: datetime) -> int:
    """A snapshot for a past moment, rebuilt from the reports' timestamps (demo data and first start):
    open then = received by then and neither resolved, closed nor rejected by then. A report rejected
    or transferred keeps no timestamp of it, so those count as open until they were last updated."""
    ended = (
        Q(resolved_at__lte=moment) | Q(closed_at__lte=moment) | Q(status="rejected", updated_at__lte=moment)
    )
    rows = (
        Report.objects.filter(duplicate_of__isnull=True, received_at__lte=moment)
        .exclude(ended)
        .values("unit_id")
        .annotate(open=Count("id"), overdue=Count("id", filter=Q(due_at__lt=moment)))
        .order_by()
    )
    snapshots = [
        OpenSnapshot(at=moment, unit_id=row["unit_id"], open=row["open"], overdue=row["overdue"])
        for row in rows
    ]
    OpenSnapshot.objects.bulk_create(snapshots)
    return len(snapshots)


def around(scope: Scope, moment: datetime) -> tuple[int, int] | None:
    """(open, overdue) in ``scope`` at the snapshot nearest ``moment``, or None without one near it."""
    candidates = OpenSnapshot.objects.filter(at__gte=moment - TOLERANCE, at__lte=moment + TOLERANCE)
    before = candidates.filter(at__lte=moment).aggregate(at=Max("at"))["at"]
    at = before or candidates.order_by("at").values_list("at", flat=True).first()
    if at is None:
        return None
    rows = OpenSnapshot.objects.filter(scope.condition(), at=at).aggregate(
        open=Sum("open"), overdue=Sum("overdue")
    )
    return rows["open"] or 0, rows["overdue"] or 0
