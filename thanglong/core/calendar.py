"""Vietnamese working days: Monday–Friday, minus public holidays and days off, plus make-up days.

The exceptions live in the ``CalendarDay`` table (see ``holidays.py`` for how it is filled). A year with no
public-holiday row has not been seeded; it is computed from the Labour Code rule instead, so that a time limit
running into a later year still skips Tết.

Time limits follow the Civil Code 2015 (Bộ luật Dân sự 2015), Art. 147: the day of receipt does not count,
the limit starts the following day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from time import monotonic
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from thanglong.core.models import CalendarDay, CalendarDayKind

# Offices close at 17:00: a file received later is handled as received on the next working day.
OFFICE_CLOSING_TIME = time(17, 0)
# Each process caches a year's exceptions; the signals below clear it in the process that saved, and the
# expiry bounds how long another worker process keeps an outdated copy after an edit in the admin.
CACHE_SECONDS = 300

WEEKDAY_NAMES = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


@dataclass(frozen=True)
class _YearExceptions:
    days_off: frozenset[date]
    makeup: frozenset[date]


_cache: dict[int, tuple[float, _YearExceptions]] = {}
# Deadlines depend only on the day of receipt, whether it was after closing time, and the limit: every
# report of a day asks the same question (twice, at intake), so the answer is kept as long as the year's
# exceptions it was computed from.
_deadlines: dict[tuple[date, bool, int], tuple[float, datetime]] = {}


def _load_year(year: int) -> _YearExceptions:
    kinds = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
    if CalendarDayKind.HOLIDAY not in kinds.values():
        from thanglong.core import holidays

        if holidays.SUPPORTED_YEARS[0] <= year <= holidays.SUPPORTED_YEARS[1]:
            computed = {
                day.date: day.kind for day in holidays.calendar_for_year(year) if day.date.year == year
            }
            kinds = computed | kinds
    days_off = frozenset(day for day, kind in kinds.items() if kind != CalendarDayKind.MAKEUP_WORKDAY)
    makeup = frozenset(day for day, kind in kinds.items() if kind == CalendarDayKind.MAKEUP_WORKDAY)
    return _YearExceptions(days_off, makeup)


def _exceptions_for_year(year: int) -> _YearExceptions:
    now = monotonic()
    cached = _cache.get(year)
    if cached is not None and cached[0] > now:
        return cached[1]
    exceptions = _load_year(year)
    _cache[year] = (now + CACHE_SECONDS, exceptions)
    return exceptions


def clear_cache() -> None:
    """Called whenever the calendar table changes (services, the admin and the signals below)."""
    _cache.clear()
    _deadlines.clear()


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="core.calendar.calendar_day_changed")
def _calendar_day_changed(sender: Any, **kwargs: Any) -> None:
    clear_cache()
    # A read between the save and the commit could cache the old rows again; clear once more afterwards.
    transaction.on_commit(clear_cache)


def is_working_day(day: date) -> bool:
    exceptions = _exceptions_for_year(day.year)
    if day in exceptions.makeup:
        return True
    if day in exceptions.days_off:
        return False
    return day.weekday() < 5


def weekday_name(day: date) -> str:
    """Vietnamese name of the day of the week: "Thứ Hai" … "Chủ nhật"."""
    return WEEKDAY_NAMES[day.weekday()]


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (before it when negative); ``start`` never counts.

    This is how a legal time limit of "N ngày làm việc" counted from receipt ends.
    """
    step = 1 if days >= 0 else -1
    remaining = abs(days)
    current = start
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def next_working_day(day: date) -> date:
    """The first working day strictly after ``day``."""
    return add_working_days(day, 1)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end] — how many working days of a time limit have been used."""
    if end <= start:
        return 0
    return sum(
        1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=offset))
    )


def deadline(received_at: datetime, working_days: int) -> datetime:
    """When a time limit of ``working_days`` working days ends: 17:00 Vietnam time on its last day.

    A file received on a working day before 17:00 counts from that day. One received at or after 17:00, or
    on a non-working day, is treated as received on the next working day. Either way the day of receipt is
    not one of the ``working_days`` (Civil Code Art. 147); with ``working_days=0`` the limit ends at 17:00
    on the day of receipt.
    """
    if timezone.is_naive(received_at):
        raise ValueError("received_at must be timezone-aware")
    if working_days < 0:
        raise ValueError("working_days must not be negative")
    local_zone = timezone.get_default_timezone()
    received_local = timezone.localtime(received_at, local_zone)
    key = (received_local.date(), received_local.time() >= OFFICE_CLOSING_TIME, working_days)
    now = monotonic()
    cached = _deadlines.get(key)
    if cached is not None and cached[0] > now:
        return cached[1]
    received_on, after_closing, _days = key
    if not is_working_day(received_on) or after_closing:
        received_on = next_working_day(received_on)
    result = datetime.combine(
        add_working_days(received_on, working_days), OFFICE_CLOSING_TIME, tzinfo=local_zone
    )
    _deadlines[key] = (now + CACHE_SECONDS, result)
    return result
