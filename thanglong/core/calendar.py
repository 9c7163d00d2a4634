"""Vietnamese working days: Monday–Friday, minus public holidays and days off, plus make-up days.

The exceptions live in the ``CalendarDay`` table (see ``holidays.py`` for how it is filled).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from thanglong.core.models import CalendarDay, CalendarDayKind


@lru_cache(maxsize=64)
def _exceptions_for_year(year: int) -> tuple[frozenset[date], frozenset[date]]:
    days_off: set[date] = set()
    makeup: set[date] = set()
    for day, kind in CalendarDay.objects.filter(date__year=year).values_list("date", "kind"):
        (makeup if kind == CalendarDayKind.MAKEUP_WORKDAY else days_off).add(day)
    return frozenset(days_off), frozenset(makeup)


def clear_cache() -> None:
    """Called whenever the calendar table changes (services and the admin)."""
    _exceptions_for_year.cache_clear()


def is_working_day(day: date) -> bool:
    days_off, makeup = _exceptions_for_year(day.year)
    if day in makeup:
        return True
    if day in days_off:
        return False
    return day.weekday() < 5


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (before it when negative); ``start`` itself never counts.

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


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end] — how many working days of a time limit have been used."""
    if end <= start:
        return 0
    return sum(1 for offset in range(1, (end - start).days + 1) if is_working_day(start + timedelta(days=offset)))
