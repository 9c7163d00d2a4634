"""`thanglong working-days`: add Vietnamese working days to a date, or list one year's days off."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thanglong.core import calendar, holidays
from thanglong.core.models import CalendarDay, CalendarDayKind


def _iso_date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"ngày không hợp lệ (cần YYYY-MM-DD): {value}") from error


class Command(BaseCommand):
    help = (
        "In ngày kết thúc sau N ngày làm việc kể từ một ngày (không tính ngày bắt đầu), "
        "hoặc liệt kê ngày nghỉ lễ/làm bù của một năm (--list YEAR)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("start", nargs="?", help="ngày bắt đầu, YYYY-MM-DD")
        parser.add_argument("days", nargs="?", type=int, help="số ngày làm việc (âm: lùi lại)")
        parser.add_argument("--list", type=int, metavar="YEAR", dest="year", help="liệt kê ngày nghỉ của năm")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["year"] is not None:
            self._list(options["year"])
            return
        if options["start"] is None or options["days"] is None:
            raise CommandError("cần <YYYY-MM-DD> <N> hoặc --list YEAR")
        start = _iso_date(options["start"])
        days = options["days"]
        end = calendar.add_working_days(start, days)
        self.stdout.write(
            f"{calendar.weekday_name(start)}, {start:%d/%m/%Y} {days:+d} ngày làm việc → "
            f"{calendar.weekday_name(end)}, {end:%d/%m/%Y}"
        )

    def _list(self, year: int) -> None:
        rows = [
            (row.date, row.kind, row.name, row.source) for row in CalendarDay.objects.filter(date__year=year)
        ]
        if not rows:
            try:
                computed = holidays.calendar_for_year(year)
            except ValueError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                f"Năm {year} chưa có trong lịch (CalendarDay): tính theo Bộ luật Lao động 2019."
            )
            rows = [(day.date, day.kind, day.name, day.source) for day in computed if day.date.year == year]
        for day, kind, name, source in rows:
            label = str(CalendarDayKind(kind).label)
            self.stdout.write(
                f"{day:%d/%m/%Y}  {calendar.weekday_name(day):<8}  {label:<24}  {name}  [{source}]"
            )
