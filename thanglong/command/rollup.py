"""Daily rollup of citizens' reports for the period pages (performance, public statistics).

Counting a month of a city's reports with six conditions each costs ~0.15 s of CPU per view at a
million reports; summing the month's rollup rows costs a few milliseconds. Rows are keyed by day of
receipt (cohort method, see :mod:`.performance`), so a refresh recomputes whole days:

* recent days (``THANGLONG_COMMAND_ROLLUP_RECENT_DAYS``, default 62) whenever the rollup is older than
  ``THANGLONG_COMMAND_ROLLUP_MAX_AGE`` seconds (default 300) — on the first read after that, or by
  ``thanglong command-rollup`` from cron;
* every day when it has never been built, and by ``thanglong command-rollup --full`` (nightly), which
  catches late changes to old reports.

Live figures (open, overdue now, new in the last hour) never come from here.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from thanglong.command.models import DailyStat, RollupState, StatDimension
from thanglong.command.performance import ON_TIME, ONLINE_CHANNELS
from thanglong.feedback.choices import OPEN_STATUSES
from thanglong.feedback.models import Report

STATE = "feedback"
RESOLUTION_TIME = ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField())


def max_age() -> int:
    return int(getattr(settings, "THANGLONG_COMMAND_ROLLUP_MAX_AGE", 300))


def recent_days() -> int:
    return int(getattr(settings, "THANGLONG_COMMAND_ROLLUP_RECENT_DAYS", 62))


def _aggregates(now: datetime) -> dict[str, Any]:
    resolved = Q(resolved_at__isnull=False)
    return {
        "received": Count("id"),
        "resolved": Count("id", filter=resolved),
        "on_time": Count("id", filter=ON_TIME),
        "overdue_open": Count("id", filter=Q(status__in=sorted(OPEN_STATUSES), due_at__lt=now)),
        "rated": Count("citizen_rating"),
        "rating_sum": Sum("citizen_rating"),
        "online": Count("id", filter=Q(channel__in=ONLINE_CHANNELS)),
        "resolution": Sum(
            ExpressionWrapper(F("resolved_at") - F("received_at"), output_field=DurationField()),
            filter=resolved,
        ),
    }


def _rows(dimension: str, since: datetime | None, now: datetime) -> list[DailyStat]:
    reports = Report.objects.filter(duplicate_of__isnull=True)
    if since is not None:
        reports = reports.filter(received_at__gte=since)
    key = "unit_id" if dimension == StatDimension.UNIT else "category"
    grouped = (
        reports.annotate(day=TruncDate("received_at", tzinfo=timezone.get_default_timezone()))
        .values("day", key)
        .annotate(**_aggregates(now))
        .order_by()
    )
    rows = []
    for row in grouped:
        resolution = row.pop("resolution")
        rows.append(
            DailyStat(
                dimension=dimension,
                day=row.pop("day"),
                unit_id=row.pop("unit_id", None),
                category=row.pop("category", "") or "",
                rating_sum=row.pop("rating_sum") or 0,
                resolution_seconds=round(resolution.total_seconds()) if resolution else 0,
                **row,
            )
        )
    return rows


def refresh(*, full: bool = False, now: datetime | None = None) -> int:
    """Recompute the rollup (recent days, or all of them); returns the rows written."""
    now = now or timezone.now()
    with transaction.atomic():
        # The state row's lock serialises refreshes: two at once would both insert the same days.
        RollupState.objects.get_or_create(name=STATE)
        state = RollupState.objects.select_for_update().get(name=STATE)
        first_day: date | None = None
        since = None
        if not full:
            first_day = timezone.localdate(now) - timedelta(days=recent_days())
            since = datetime.combine(first_day, datetime.min.time(), tzinfo=timezone.get_default_timezone())
        stale = DailyStat.objects.all() if first_day is None else DailyStat.objects.filter(day__gte=first_day)
        stale.delete()
        rows = _rows(StatDimension.UNIT, since, now) + _rows(StatDimension.CATEGORY, since, now)
        DailyStat.objects.bulk_create(rows, batch_size=2000)
        state.recent_at = now
        if full:
            state.full_at = now
        state.save()
    return len(rows)


def ensure_fresh(now: datetime | None = None) -> datetime | None:
    """Refresh what is older than allowed before a read; returns when the rollup was last refreshed."""
    now = now or timezone.now()
    state = RollupState.objects.filter(name=STATE).first()
    if state is None or state.full_at is None:
        refresh(full=True, now=now)
        return now
    if state.recent_at is None or (now - state.recent_at).total_seconds() > max_age():
        refresh(now=now)
        return now
    return state.recent_at
