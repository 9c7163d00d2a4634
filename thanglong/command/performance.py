"""Unit performance over a period, and the ranking built from it.

Cohort method: a unit is judged on the reports it *received* in the period (not yet merged into another
report), whatever happened to them since, so figures for a past period stop moving once its cases are
done and every count below can be checked with one ``COUNT(*)``:

* received — reports received in the period;
* resolved — of those, the ones with a resolution (``resolved_at`` set; reopened ones lose it);
* on time — resolved no later than the deadline (``due_at``; no deadline counts as on time);
* on-time rate = on time / (resolved + still open past the deadline): what was due has been judged;
* median first response — receipt to the first public status change or reply by an officer;
* median resolution — receipt to resolution (calendar time);
* satisfaction — mean citizen rating (1–5) over the rated reports;
* online rate — share received through an online channel (web, API, Open311, assistant, Zalo).

Ranking score (0–100) = 50 % on-time rate + 20 % satisfaction ((mean − 1) / 4) + 15 % resolution rate
+ 15 % online rate; a unit with fewer than ``THANGLONG_COMMAND_RANK_MIN_CASES`` reports in the period is
listed but not ranked. A missing rate (nothing due, nobody rated) scores as the median of the ranked
units for that part, so a unit is neither rewarded nor punished for it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F, Min, Q, QuerySet, Sum
from django.utils import timezone

from thanglong.command.periods import Period
from thanglong.command.scope import Scope
from thanglong.core.models import OrganisationUnit
from thanglong.feedback.choices import Channel, EventKind
from thanglong.feedback.models import Report

ONLINE_CHANNELS = (Channel.WEB, Channel.API, Channel.OPEN311, Channel.ASSISTANT, Channel.ZALO)
RESPONSE_KINDS = (EventKind.STATUS, EventKind.REPLY)
# Resolved no later than the deadline; a report without a deadline cannot be late.
ON_TIME = Q(resolved_at__isnull=False) & (Q(due_at__isnull=True) | Q(resolved_at__lte=F("due_at")))
WEIGHTS = {"on_time": 0.50, "satisfaction": 0.20, "resolution": 0.15, "online": 0.15}
# A reply later than this after the period is an outlier; bounding the event scan keeps it indexed.
RESPONSE_HORIZON = timedelta(days=62)


def rank_min_cases() -> int:
    return int(getattr(settings, "THANGLONG_COMMAND_RANK_MIN_CASES", 10))


@dataclass
class UnitPerformance:
    unit: OrganisationUnit
    received: int = 0
    resolved: int = 0
    on_time: int = 0
    overdue_open: int = 0
    rated: int = 0
    rating: float | None = None
    online: int = 0
    response_hours: float | None = None
    resolution_hours: float | None = None
    score: float | None = None
    rank: int | None = None
    parts: dict[str, float | None] = field(default_factory=dict)

    @property
    def due(self) -> int:
        return self.resolved + self.overdue_open

    @property
    def on_time_rate(self) -> float | None:
        return self.on_time / self.due if self.due else None

    @property
    def resolution_rate(self) -> float | None:
        return self.resolved / self.received if self.received else None

    @property
    def online_rate(self) -> float | None:
        return self.online / self.received if self.received else None

    @property
    def satisfaction(self) -> float | None:
        return (self.rating - 1) / 4 if self.rating is not None else None

    @property
    def resolution_days(self) -> float | None:
        return self.resolution_hours / 24 if self.resolution_hours is not None else None


def _cohort(scope: Scope, period: Period) -> QuerySet[Report]:
    return scope.reports().filter(
        received_at__gte=period.start, received_at__lt=period.end, unit__isnull=False
    )


def unit_performance(
    scope: Scope,
    period: Period,
    now: datetime | None = None,
    *,
    wait: bool = False,
    with_medians: bool = True,
) -> list[UnitPerformance]:
    """One row per unit in scope that received reports in the period, ranked (best first).

    Counts come from the daily rollup (refreshed first when it is older than allowed, see
    :mod:`.rollup`), so "overdue and still open" is as of that refresh, at most a few minutes old.
    """
    from thanglong.command import rollup
    from thanglong.command.models import DailyStat, StatDimension

    rollup.ensure_fresh(now)
    stats = DailyStat.objects.filter(
        dimension=StatDimension.UNIT, day__gte=period.first_day, day__lte=period.last_day, unit__isnull=False
    )
    if scope.unit_ids is not None:
        stats = stats.filter(unit_id__in=scope.unit_ids)
    rows = (
        stats.values("unit_id")
        .annotate(
            received=Sum("received"),
            resolved=Sum("resolved"),
            on_time=Sum("on_time"),
            overdue_open=Sum("overdue_open"),
            rated=Sum("rated"),
            rating_sum=Sum("rating_sum"),
            online=Sum("online"),
        )
        .order_by()
    )
    by_unit = {row["unit_id"]: row for row in rows if row["received"]}
    units = OrganisationUnit.objects.in_bulk(list(by_unit))
    medians, _ready = median_hours(scope, period, wait=wait) if with_medians else ({}, False)
    result = []
    for unit_id, row in by_unit.items():
        response, resolution = medians.get(unit_id, (None, None))
        result.append(
            UnitPerformance(
                unit=units[unit_id],
                received=row["received"],
                resolved=row["resolved"],
                on_time=row["on_time"],
                overdue_open=row["overdue_open"],
                rated=row["rated"],
                rating=row["rating_sum"] / row["rated"] if row["rated"] else None,
                online=row["online"],
                response_hours=response,
                resolution_hours=resolution,
            )
        )
    return rank(result)


def rank(rows: list[UnitPerformance]) -> list[UnitPerformance]:
    minimum = rank_min_cases()
    eligible = [row for row in rows if row.received >= minimum]

    def part(row: UnitPerformance, name: str) -> float | None:
        return {
            "on_time": row.on_time_rate,
            "satisfaction": row.satisfaction,
            "resolution": row.resolution_rate,
            "online": row.online_rate,
        }[name]

    fallback = {}
    for name in WEIGHTS:
        values = [value for row in eligible if (value := part(row, name)) is not None]
        fallback[name] = statistics.median(values) if values else 0.0
    for row in eligible:
        row.parts = {name: part(row, name) for name in WEIGHTS}
        score = 0.0
        for name, weight in WEIGHTS.items():
            value = row.parts[name]
            score += weight * (value if value is not None else fallback[name])
        row.score = round(100 * score, 1)
    eligible.sort(key=lambda row: (-(row.score or 0), -row.received, row.unit.path))
    for position, row in enumerate(eligible, start=1):
        row.rank = position
    others = sorted((row for row in rows if row.received < minimum), key=lambda row: row.unit.path)
    return eligible + others


def totals(rows: list[UnitPerformance]) -> UnitPerformance:
    """The scope as a whole (medians are not additive: left empty here, see :func:`median_hours`)."""
    total = UnitPerformance(unit=OrganisationUnit(name=""))
    rated_sum = 0.0
    for row in rows:
        total.received += row.received
        total.resolved += row.resolved
        total.on_time += row.on_time
        total.overdue_open += row.overdue_open
        total.online += row.online
        total.rated += row.rated
        rated_sum += (row.rating or 0) * row.rated
    total.rating = rated_sum / total.rated if total.rated else None
    return total


# --- medians -------------------------------------------------------------------------------------------

_PG_MEDIANS = """
SELECT r.unit_id,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (f.first_at - r.received_at)))
           FILTER (WHERE f.first_at IS NOT NULL),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM (r.resolved_at - r.received_at)))
           FILTER (WHERE r.resolved_at IS NOT NULL)
  FROM feedback_report r
  LEFT JOIN (SELECT e.report_id, MIN(e.at) AS first_at
               FROM feedback_reportevent e
              WHERE e.at >= %(start)s AND e.at < %(horizon)s AND e.public AND e.actor_id IS NOT NULL
                AND e.kind = ANY(%(kinds)s)
              GROUP BY e.report_id) f ON f.report_id = r.id
 WHERE r.received_at >= %(start)s AND r.received_at < %(end)s
   AND r.duplicate_of_id IS NULL AND r.unit_id IS NOT NULL {scope}
 GROUP BY r.unit_id
"""


def median_max_age() -> int:
    return int(getattr(settings, "THANGLONG_COMMAND_MEDIAN_MAX_AGE", 300))


Medians = dict[int, tuple[float | None, float | None]]


def median_hours(scope: Scope, period: Period, *, wait: bool = False) -> tuple[Medians, bool]:
    """unit id → (median first response, median resolution) in hours for the units in ``scope``, and
    whether they have been computed at all.

    The only figures here that are not counts: first responses are found by scanning the cases'
    timelines, which at city scale costs more than the rest of the page together (~1 s for a month of
    a million reports, several for a quarter). So pages never compute them: a background job does, for
    every unit of a period at once, and stores them (:class:`~.models.PeriodMedian`). A page shows what
    is stored and, when it is older than ``THANGLONG_COMMAND_MEDIAN_MAX_AGE`` seconds (six times that
    for a period that has ended) or missing, queues the job; the page polls until they arrive.
    ``wait=True`` (report generation, already a job) computes them in place instead.
    """
    from thanglong.command.models import MedianRun, PeriodMedian

    now = timezone.now()
    run = MedianRun.objects.filter(period_kind=period.kind, period_key=period.key).first()
    age_limit = median_max_age() * (6 if period.end <= now else 1)
    fresh = run is not None and (now - run.computed_at).total_seconds() <= age_limit
    if not fresh:
        if wait:
            run = store_medians(period)
        else:
            request_medians(period)
    if run is None:
        return {}, False
    stored = PeriodMedian.objects.filter(run=run)
    if scope.unit_ids is not None:
        stored = stored.filter(unit_id__in=scope.unit_ids)
    values = stored.values_list("unit_id", "response_hours", "resolution_hours")
    return {unit_id: (response, resolution) for unit_id, response, resolution in values}, True


def store_medians(period: Period) -> Any:
    """Compute every unit's medians for ``period`` and replace the stored ones (the job's body)."""
    from django.db import transaction

    from thanglong.command.models import MedianRun, PeriodMedian

    computed = _median_hours(Scope(None), period)
    with transaction.atomic():
        run, _created = MedianRun.objects.update_or_create(
            period_kind=period.kind, period_key=period.key, defaults={"computed_at": timezone.now()}
        )
        PeriodMedian.objects.filter(run=run).delete()
        PeriodMedian.objects.bulk_create(
            PeriodMedian(run=run, unit_id=unit_id, response_hours=response, resolution_hours=resolution)
            for unit_id, (response, resolution) in computed.items()
        )
    return run


def request_medians(period: Period) -> None:
    """Queue the computation once: readers arriving meanwhile do not queue it again."""
    from thanglong.command.tasks import compute_period_medians
    from thanglong.core.jobs import enqueue_on_commit

    if cache.add(f"command:medians:queued:{period.kind}:{period.key}", True, timeout=120):
        enqueue_on_commit(compute_period_medians, period.kind, period.key)


def medians_ready(period: Period) -> bool:
    from thanglong.command.models import MedianRun

    return MedianRun.objects.filter(period_kind=period.kind, period_key=period.key).exists()


def warm_medians(today: date | None = None) -> int:
    """Compute the medians of the current and previous week, month and quarter (cron)."""
    from thanglong.command.periods import KINDS, containing

    today = today or timezone.localdate()
    count = 0
    for kind in KINDS:
        current = containing(kind, today)
        for period in (current, current.previous()):
            count += store_medians(period).medians.count()
    return count


def _median_hours(scope: Scope, period: Period) -> dict[int, tuple[float | None, float | None]]:
    if connection.vendor == "postgresql":
        return _median_hours_postgres(scope, period)
    return _median_hours_python(scope, period)


def _median_hours_postgres(scope: Scope, period: Period) -> dict[int, tuple[float | None, float | None]]:
    params: dict[str, Any] = {
        "start": period.start,
        "end": period.end,
        "horizon": period.end + RESPONSE_HORIZON,
        "kinds": list(RESPONSE_KINDS),
    }
    scope_sql = ""
    if scope.unit_ids is not None:
        scope_sql = "AND r.unit_id = ANY(%(units)s)"
        params["units"] = list(scope.unit_ids)
    with connection.cursor() as cursor:
        cursor.execute(_PG_MEDIANS.format(scope=scope_sql), params)
        return {
            unit_id: (
                response / 3600 if response is not None else None,
                resolution / 3600 if resolution is not None else None,
            )
            for unit_id, response, resolution in cursor.fetchall()
        }


def _median_hours_python(scope: Scope, period: Period) -> dict[int, tuple[float | None, float | None]]:
    """Same figures where the database has no percentile function (SQLite): medians in Python."""
    first = Q(
        events__public=True,
        events__actor__isnull=False,
        events__kind__in=RESPONSE_KINDS,
        events__at__gte=period.start,
        events__at__lt=period.end + RESPONSE_HORIZON,
    )
    rows = (
        _cohort(scope, period)
        .annotate(first_at=Min("events__at", filter=first))
        .values_list("unit_id", "received_at", "first_at", "resolved_at")
    )
    responses: dict[int, list[float]] = defaultdict(list)
    resolutions: dict[int, list[float]] = defaultdict(list)
    for unit_id, received_at, first_at, resolved_at in rows:
        if first_at is not None:
            responses[unit_id].append((first_at - received_at).total_seconds() / 3600)
        if resolved_at is not None:
            resolutions[unit_id].append((resolved_at - received_at).total_seconds() / 3600)
    return {
        unit_id: (
            statistics.median(responses[unit_id]) if responses[unit_id] else None,
            statistics.median(resolutions[unit_id]) if resolutions[unit_id] else None,
        )
        for unit_id in set(responses) | set(resolutions)
    }
