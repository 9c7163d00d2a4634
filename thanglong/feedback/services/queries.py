"""Read side of the officer console: queues, deadlines and leader statistics, always unit-scoped.

Search is accent-insensitive in two passes, both over the *filtered* queue (never just one page):

1. ``icontains`` on the tracking code, title, address and ``masked_text`` (the raw ``text`` only while
   triage has not produced ``masked_text`` yet), which catches what the officer typed as written;
2. the folded query (``core.text.fold``: no accents, lower case) against the same fields folded in
   Python, over at most :data:`FOLDED_SCAN_LIMIT` most recent rows of the queue, which catches
   "cau giay" for "Cầu Giấy". A database-side folded column (or PostgreSQL ``unaccent``) replaces the
   second pass when queues grow past that.

Personal data is never searched: officers who may not read a phone number must not be able to probe
for it.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.utils import timezone

from thanglong.core import calendar as working_calendar
from thanglong.core.access import sees_all_units, visible_units
from thanglong.core.models import OrganisationUnit
from thanglong.core.text import fold
from thanglong.feedback.choices import OPEN_STATUSES, EventKind, Status, TriageState
from thanglong.feedback.models import Report, ReportEvent
from thanglong.feedback.services.workflow import is_dispatcher

Actor = User | AnonymousUser
OVERDUE = "overdue"
NEAR_DEADLINE = "near_deadline"
FOLDED_SCAN_LIMIT = 5000
NO_WARD = "none"
# Office hours (Government Decree on working time for civil servants: 8:00–12:00, 13:00–17:00).
OFFICE_WINDOWS = ((time(8), time(12)), (time(13), time(17)))
WORKING_HOURS_PER_DAY = 8
STATS_WINDOW_DAYS = 90
STATS_ROW_LIMIT = 20000


def scope_reports(queryset: QuerySet[Report], user: Actor) -> QuerySet[Report]:
    """Reports of the user's units; unrouted ones too for dispatchers."""
    if sees_all_units(user):
        return queryset
    condition = Q(unit__in=visible_units(user))
    if is_dispatcher(user):
        condition |= Q(unit__isnull=True)
    return queryset.filter(condition)


def near_deadline_cutoff(now: datetime) -> datetime:
    """A report is "near its deadline" when it falls due within one working day from ``now``."""
    return working_calendar.deadline(now, 1)


def deadline_state(report: Report, now: datetime, cutoff: datetime) -> str:
    if report.due_at is None or report.status not in OPEN_STATUSES:
        return ""
    if report.due_at < now:
        return OVERDUE
    return NEAR_DEADLINE if report.due_at <= cutoff else ""


@dataclass
class QueueFilters:
    status: str = ""
    category: str = ""
    priority: int | None = None
    unit: OrganisationUnit | None = None
    deadline: str = ""  # overdue | near_deadline
    q: str = ""
    mine: bool = False
    include_closed: bool = False
    ward: str = ""  # a ward code, or NO_WARD for reports whose place is not known
    received_after: datetime | None = None  # received strictly after
    received_before: datetime | None = None  # received at or before
    unassigned: bool = False  # no officer assigned yet


def _with_listing_columns(queryset: QuerySet[Report]) -> QuerySet[Report]:
    """Everything a queue row shows, in one query (plus the count): no per-row look-ups."""
    return queryset.select_related("unit", "ward", "assigned_to__profile").annotate(
        attachment_count=Count("attachments", distinct=True)
    )


def queue(user: Actor, filters: QueueFilters, now: datetime | None = None) -> QuerySet[Report]:
    now = now or timezone.now()
    qs = scope_reports(Report.objects.filter(duplicate_of__isnull=True), user)
    if filters.status:
        qs = qs.filter(status=filters.status)
    elif not filters.include_closed:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.priority:
        qs = qs.filter(priority=filters.priority)
    if filters.unit is not None:
        qs = qs.filter(unit__path__startswith=filters.unit.path)
    if filters.mine and isinstance(user, User):
        qs = qs.filter(assigned_to=user)
    if filters.unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    if filters.ward == NO_WARD:
        qs = qs.filter(ward__isnull=True)
    elif filters.ward:
        qs = qs.filter(ward_id=filters.ward)
    if filters.received_after is not None:
        qs = qs.filter(received_at__gt=filters.received_after)
    if filters.received_before is not None:
        qs = qs.filter(received_at__lte=filters.received_before)
    if filters.deadline == OVERDUE:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__lt=now)
    elif filters.deadline == NEAR_DEADLINE:
        qs = qs.filter(status__in=OPEN_STATUSES, due_at__gte=now, due_at__lte=near_deadline_cutoff(now))
    if filters.q.strip():
        qs = search(qs, filters.q)
    return _with_listing_columns(qs).order_by("due_at", "-received_at", "-id")


def search(queryset: QuerySet[Report], query: str) -> QuerySet[Report]:
    query = query.strip()[:200]
    as_typed = (
        Q(tracking_code__icontains=query)
        | Q(title__icontains=query)
        | Q(address_text__icontains=query)
        | Q(masked_text__icontains=query)
        | Q(masked_text="", text__icontains=query)
    )
    folded = fold(query)
    if not folded:
        return queryset.filter(as_typed)
    matches: list[int] = []
    rows = queryset.order_by("-received_at").values_list("pk", "title", "address_text", "masked_text", "text")
    for pk, title, address, masked, text in rows[:FOLDED_SCAN_LIMIT]:
        haystack = fold(" ".join((title, address, masked or text)))
        if folded in haystack:
            matches.append(pk)
    return queryset.filter(as_typed | Q(pk__in=matches))


def dispatcher_queue(user: Actor) -> QuerySet[Report]:
    """Reports triage was not sure about, or could not route: a person decides."""
    qs = Report.objects.filter(status__in=OPEN_STATUSES, duplicate_of__isnull=True).filter(
        Q(triage_state__in=[TriageState.DISPATCHER, TriageState.FAILED]) | Q(unit__isnull=True)
    )
    return _with_listing_columns(scope_reports(qs, user)).order_by("received_at", "id")


def needing_alert(threshold: str, now: datetime) -> QuerySet[Report]:
    """Open reports past (or within a working day of) their deadline that have no such ALERT yet."""
    already = ReportEvent.objects.filter(
        report=OuterRef("pk"), kind=EventKind.ALERT, data__threshold=threshold
    )
    qs = Report.objects.filter(status__in=OPEN_STATUSES, due_at__isnull=False, duplicate_of__isnull=True)
    if threshold == OVERDUE:
        qs = qs.filter(due_at__lt=now)
    else:
        qs = qs.filter(due_at__gte=now, due_at__lte=near_deadline_cutoff(now))
    return qs.filter(~Exists(already)).order_by("due_at")


def merge_candidates(report: Report, user: Actor, *, days: int = 7, limit: int = 20) -> list[Report]:
    """Open reports that may be about the same incident: triage's suggestions, then same ward and
    category within ``days`` of this one."""
    suggested = [int(pk) for pk in (report.triage or {}).get("duplicate_candidates", []) if str(pk).isdigit()]
    window = timedelta(days=days)
    nearby = Q(pk__in=suggested)
    if report.ward_id:
        same_place = Q(
            ward_id=report.ward_id,
            received_at__range=(report.received_at - window, report.received_at + window),
        )
        if report.category:
            same_place &= Q(category=report.category)
        nearby |= same_place
    qs = scope_reports(
        Report.objects.filter(nearby, status__in=OPEN_STATUSES, duplicate_of__isnull=True), user
    )
    return list(qs.exclude(pk=report.pk).select_related("unit").order_by("-received_at")[:limit])


# --- working time and leader statistics ---------------------------------------------------------------


def working_hours_between(start: datetime, end: datetime) -> float:
    """Office hours on Vietnamese working days between two moments (what an SLA actually consumed)."""
    if end <= start:
        return 0.0
    zone = timezone.get_default_timezone()
    start_local, end_local = timezone.localtime(start, zone), timezone.localtime(end, zone)
    seconds = 0.0
    day: date = start_local.date()
    last = min(end_local.date(), day + timedelta(days=400))  # a case open for years is an outlier anyway
    while day <= last:
        if working_calendar.is_working_day(day):
            for opens, closes in OFFICE_WINDOWS:
                window_start = datetime.combine(day, opens, tzinfo=zone)
                window_end = datetime.combine(day, closes, tzinfo=zone)
                overlap = (min(window_end, end_local) - max(window_start, start_local)).total_seconds()
                seconds += max(0.0, overlap)
        day += timedelta(days=1)
    return seconds / 3600


@dataclass
class UnitStats:
    unit: OrganisationUnit
    open: int = 0
    overdue: int = 0
    near_deadline: int = 0
    unassigned: int = 0
    first_response_hours: float | None = None
    resolution_days: float | None = None
    resolved: int = 0


def leader_stats(
    user: Actor, now: datetime | None = None, *, days: int = STATS_WINDOW_DAYS
) -> list[UnitStats]:
    """Load, overdue count and median response/resolution times per unit the user may see.

    First response: the first public event an officer wrote (a status change or a reply), in office
    hours after receipt. Resolution: receipt to ``resolved_at``, in working days (8 office hours).
    Medians cover reports received in the last ``days`` days.
    """
    now = now or timezone.now()
    cutoff = near_deadline_cutoff(now)
    open_q = Q(reports__status__in=OPEN_STATUSES, reports__duplicate_of__isnull=True)
    active = Report.objects.filter(
        Q(status__in=OPEN_STATUSES) | Q(received_at__gte=now - timedelta(days=days)), unit__isnull=False
    ).values("unit_id")
    units = (
        visible_units(user)
        .filter(pk__in=active)
        .annotate(
            open_count=Count("reports", filter=open_q),
            overdue_count=Count("reports", filter=open_q & Q(reports__due_at__lt=now)),
            near_count=Count(
                "reports", filter=open_q & Q(reports__due_at__gte=now, reports__due_at__lte=cutoff)
            ),
            unassigned_count=Count("reports", filter=open_q & Q(reports__assigned_to__isnull=True)),
        )
        .order_by("path")
    )
    stats = {
        unit.pk: UnitStats(
            unit=unit,
            open=unit.open_count,
            overdue=unit.overdue_count,
            near_deadline=unit.near_count,
            unassigned=unit.unassigned_count,
        )
        for unit in units
    }
    response_hours: dict[int, list[float]] = defaultdict(list)
    resolution_days: dict[int, list[float]] = defaultdict(list)
    recent = (
        Report.objects.filter(unit_id__in=list(stats), received_at__gte=now - timedelta(days=days))
        .annotate(
            first_response_at=Min("events__at", filter=Q(events__public=True, events__actor__isnull=False))
        )
        .values_list("unit_id", "received_at", "first_response_at", "resolved_at")[:STATS_ROW_LIMIT]
    )
    for unit_id, received_at, first_response_at, resolved_at in recent:
        if first_response_at is not None:
            response_hours[unit_id].append(working_hours_between(received_at, first_response_at))
        if resolved_at is not None:
            resolution_days[unit_id].append(
                working_hours_between(received_at, resolved_at) / WORKING_HOURS_PER_DAY
            )
    for unit_id, row in stats.items():
        if response_hours[unit_id]:
            row.first_response_hours = round(statistics.median(response_hours[unit_id]), 1)
        if resolution_days[unit_id]:
            row.resolution_days = round(statistics.median(resolution_days[unit_id]), 1)
            row.resolved = len(resolution_days[unit_id])
    return list(stats.values())


def totals(rows: list[UnitStats]) -> dict[str, Any]:
    return {
        "open": sum(row.open for row in rows),
        "overdue": sum(row.overdue for row in rows),
        "near_deadline": sum(row.near_deadline for row in rows),
        "unassigned": sum(row.unassigned for row in rows),
    }


def status_counts(user: Actor) -> dict[str, int]:
    qs = scope_reports(Report.objects.filter(duplicate_of__isnull=True), user)
    counts = dict(qs.values_list("status").annotate(total=Count("id")).values_list("status", "total"))
    return {status: counts.get(status, 0) for status in Status.values}
