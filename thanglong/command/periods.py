"""Reporting periods (week, month, quarter) in Vietnam time, and the one before each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

WEEK, MONTH, QUARTER = "week", "month", "quarter"
KINDS = (WEEK, MONTH, QUARTER)


@dataclass(frozen=True)
class Period:
    kind: str
    first_day: date
    last_day: date  # inclusive

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first_day, time.min, tzinfo=timezone.get_default_timezone())

    @property
    def end(self) -> datetime:
        """Exclusive upper bound: midnight after the last day."""
        return datetime.combine(
            self.last_day + timedelta(days=1), time.min, tzinfo=timezone.get_default_timezone()
        )

    @property
    def key(self) -> str:
        """What the period picker sends back: 2026-W44, 2026-10, 2026-Q4."""
        if self.kind == WEEK:
            year, week, _day = self.first_day.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == QUARTER:
            return f"{self.first_day.year}-Q{(self.first_day.month - 1) // 3 + 1}"
        return f"{self.first_day:%Y-%m}"

    @property
    def label(self) -> str:
        if self.kind == WEEK:
            year, week, _day = self.first_day.isocalendar()
            return _("Tuần %(week)d/%(year)d (%(first)s – %(last)s)") % {
                "week": week,
                "year": year,
                "first": f"{self.first_day:%d/%m}",
                "last": f"{self.last_day:%d/%m/%Y}",
            }
        if self.kind == QUARTER:
            return _("Quý %(quarter)d/%(year)d") % {
                "quarter": (self.first_day.month - 1) // 3 + 1,
                "year": self.first_day.year,
            }
        return _("Tháng %(month)d/%(year)d") % {"month": self.first_day.month, "year": self.first_day.year}

    def previous(self) -> Period:
        return containing(self.kind, self.first_day - timedelta(days=1))

    def next(self) -> Period:
        return containing(self.kind, self.last_day + timedelta(days=1))

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def containing(kind: str, day: date) -> Period:
    if kind == WEEK:
        first = day - timedelta(days=day.weekday())
        return Period(WEEK, first, first + timedelta(days=6))
    if kind == QUARTER:
        first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    elif kind == MONTH:
        first = day.replace(day=1)
    else:
        raise ValueError(f"unknown period kind {kind!r}")
    months = 3 if kind == QUARTER else 1
    month_index = first.month - 1 + months
    following = date(first.year + month_index // 12, month_index % 12 + 1, 1)
    return Period(kind, first, following - timedelta(days=1))


def parse(kind: str, key: str, *, today: date | None = None) -> Period:
    """The period named by ``key`` (as :attr:`Period.key` writes it); the current one if blank or wrong."""
    today = today or timezone.localdate()
    kind = kind if kind in KINDS else MONTH
    key = (key or "").strip()
    try:
        if kind == WEEK and "-W" in key:
            year, week = key.split("-W")
            return containing(WEEK, date.fromisocalendar(int(year), int(week), 1))
        if kind == QUARTER and "-Q" in key:
            year, quarter = key.split("-Q")
            if 1 <= int(quarter) <= 4:
                return containing(QUARTER, date(int(year), 3 * int(quarter) - 2, 1))
        if kind == MONTH and len(key) == 7:
            year, month = key.split("-")
            return containing(MONTH, date(int(year), int(month), 1))
    except ValueError:
        pass
    return containing(kind, today)


def recent(kind: str, count: int, *, today: date | None = None) -> list[Period]:
    """The current period and the ``count - 1`` before it, newest first (for pickers)."""
    period = containing(kind, today or timezone.localdate())
    periods = [period]
    for _index in range(count - 1):
        period = period.previous()
        periods.append(period)
    return periods
