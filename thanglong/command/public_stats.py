"""Figures for citizens: city-wide aggregates of reports, never a single case.

Anonymised by construction: only counts over a month or a category leave the database, and any count
below ``THANGLONG_PUBLIC_STATS_MIN_COUNT`` (default 10) is shown as "fewer than 10" so a rare kind of
report in a small window cannot point at the person who sent it. The page is cached for a few minutes
(``THANGLONG_PUBLIC_STATS_CACHE_SECONDS``): it is public and the same for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.db.models import Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from thanglong.command.models import DailyStat, StatDimension
from thanglong.command.periods import MONTH, containing
from thanglong.feedback.choices import Category

MONTHS = 12
CACHE_KEY = "command:public-stats:v1"


def min_count() -> int:
    return int(getattr(settings, "THANGLONG_PUBLIC_STATS_MIN_COUNT", 10))


@dataclass(frozen=True)
class Figure:
    value: int
    suppressed: bool

    @classmethod
    def of(cls, value: int) -> Figure:
        small = 0 < value < min_count()
        return cls(0 if small else value, small)


@dataclass
class PublicStats:
    since: datetime
    received: Figure
    resolved: Figure
    resolution_days: float | None
    online_rate: float | None
    on_time_rate: float | None
    months: list[tuple[str, Figure, Figure]]
    categories: list[tuple[str, Figure, Figure]]
    computed_at: datetime


def compute(now: datetime | None = None) -> PublicStats:
    """Twelve months (this one included) of city-wide figures, summed from the daily rollup."""
    from thanglong.command import rollup

    now = now or timezone.now()
    rollup.ensure_fresh(now)
    first_month = containing(MONTH, timezone.localdate(now)).first_day
    for _index in range(MONTHS - 1):
        first_month = containing(MONTH, first_month - timedelta(days=1)).first_day
    stats = DailyStat.objects.filter(dimension=StatDimension.CATEGORY, day__gte=first_month)
    sums = {
        "received": Sum("received"),
        "resolved": Sum("resolved"),
        "on_time": Sum("on_time"),
        "online": Sum("online"),
        "resolution": Sum("resolution_seconds"),
    }
    totals = {key: value or 0 for key, value in stats.aggregate(**sums).items()}
    months = (
        stats.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(received=Sum("received"), resolved=Sum("resolved"))
        .order_by("month")
    )
    labels = dict(Category.choices)
    categories = (
        stats.exclude(category="")
        .values("category")
        .annotate(received=Sum("received"), resolved=Sum("resolved"))
        .order_by("-received")
    )
    received, resolved = totals["received"], totals["resolved"]
    enough_resolved = resolved >= min_count()
    return PublicStats(
        since=containing(MONTH, first_month).start,
        received=Figure.of(received),
        resolved=Figure.of(resolved),
        resolution_days=totals["resolution"] / resolved / 86400 if enough_resolved else None,
        online_rate=totals["online"] / received if received >= min_count() else None,
        on_time_rate=totals["on_time"] / resolved if enough_resolved else None,
        months=[
            (f"{row['month']:%m/%Y}", Figure.of(row["received"]), Figure.of(row["resolved"]))
            for row in months
        ],
        categories=[
            (
                str(labels.get(row["category"], row["category"])),
                Figure.of(row["received"]),
                Figure.of(row["resolved"]),
            )
            for row in categories
        ],
        computed_at=now,
    )


def cached() -> PublicStats:
    seconds = int(getattr(settings, "THANGLONG_PUBLIC_STATS_CACHE_SECONDS", 300))
    if seconds <= 0:
        return compute()
    stats: PublicStats | None = cache.get(CACHE_KEY)
    if stats is None:
        stats = compute()
        cache.set(CACHE_KEY, stats, seconds)
    return stats
