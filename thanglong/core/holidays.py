"""Vietnamese public holidays, days off in lieu and make-up working days, and the seeding of ``CalendarDay``.

The rules come from the Labour Code 2019 (Bộ luật Lao động 2019):

* Art. 112(1) — public holidays: Tết Dương lịch (1/1), Tết Âm lịch (5 days), Ngày Chiến thắng (30/4),
  Ngày Quốc tế lao động (1/5), Quốc khánh (2/9 and one adjacent day), Giỗ Tổ Hùng Vương (10/3 lunar).
* Art. 112(3) — the Prime Minister fixes each year which 5 days of Tết and which day next to 2/9 are off.
  Until that is announced we use the defaults the government has followed in practice:

  - Tết: the last day of the old lunar year and the first four days of the new one;
  - Quốc khánh: of 1/9 and 3/9, the one that is a weekday and joins 2/9 into the longest run of days off
    with the weekend; on a tie (2/9 on a Wednesday) the day before, the first the law names
    ("01 ngày liền kề trước hoặc sau"). This reproduces the announced schedules of 2021–2025.
* Art. 111(3) — a holiday falling on the weekly rest day (Saturday or Sunday in the civil service) gives a
  day off in lieu on the next working day(s).

Announcements that depart from these defaults (a different Tết block, a swapped working day with a make-up
Saturday) are listed in ``ANNOUNCED``, only where the announcement is known with certainty. New announcements
are entered by administrators in the ``CalendarDay`` table (admin): ``seed_calendar`` never overwrites a row
whose ``source`` no longer starts with ``GENERATED_SOURCE_MARKER``, so an administrator who edits a generated
row records the announcement in its source (căn cứ) and the row is theirs from then on.

Lunar dates are converted with ``lunar-vn`` (Hồ Ngọc Đức's algorithm at UTC+7, the Vietnamese calendar).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from lunar_vn import LunarDate, can_chi, lunar_to_solar, solar_to_lunar

from thanglong.core.models import CalendarDay, CalendarDayKind

# Rows written by ``seed_calendar`` carry this prefix in ``source``; any other row is an administrator's.
GENERATED_SOURCE_MARKER = "[tự động]"
# Years the lunar conversion supports (lunar-vn validates 1900–2100 on both sides of the conversion).
SUPPORTED_YEARS = (1901, 2099)

ARTICLE_112 = "Bộ luật Lao động 2019, Điều 112"
ARTICLE_111 = "Bộ luật Lao động 2019, Điều 111 khoản 3"


class Occasion(StrEnum):
    NEW_YEAR = "new_year"
    TET = "tet"
    HUNG_KINGS = "hung_kings"
    REUNIFICATION = "reunification"
    LABOUR_DAY = "labour_day"
    NATIONAL_DAY = "national_day"
    SWAP = "swap"


@dataclass(frozen=True)
class HolidayDay:
    """One exception to the Monday–Friday week, before it is stored as a ``CalendarDay``."""

    date: date
    kind: CalendarDayKind
    name: str
    name_en: str
    source: str
    occasion: Occasion


@dataclass(frozen=True)
class Announcement:
    """An official notice for one year: it replaces the computed days of ``replaces`` with ``days``."""

    source: str
    days: tuple[HolidayDay, ...]
    replaces: frozenset[Occasion] = field(default_factory=frozenset)


# --- lunar dates -------------------------------------------------------------------------------------------


def lunar_new_year(year: int) -> date:
    """Mùng 1 Tết of the lunar year that begins in the Gregorian ``year``."""
    return lunar_to_solar(LunarDate(1, 1, year))


def hung_kings_day(year: int) -> date:
    """10th day of the 3rd lunar month (never the leap month)."""
    return lunar_to_solar(LunarDate(10, 3, year))


def _tet_day_name(day: date) -> tuple[str, str]:
    lunar = solar_to_lunar(day)
    new_year = lunar.month == 1 and not lunar.leap
    year_name = can_chi.get_year_can_chi(lunar.year if new_year else lunar.year + 1)
    if new_year:
        return f"Tết Nguyên đán {year_name} (mùng {lunar.day})", f"Lunar New Year, day {lunar.day}"
    return (
        f"Tết Nguyên đán {year_name} ({lunar.day} tháng Chạp)",
        f"Lunar New Year, 12th month day {lunar.day}",
    )


def _tet_day(day: date, source: str) -> HolidayDay:
    name, name_en = _tet_day_name(day)
    return HolidayDay(day, CalendarDayKind.HOLIDAY, name, name_en, source, Occasion.TET)


# --- the Labour Code rule ----------------------------------------------------------------------------------


def _is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def _run_length(day: date, off: set[date]) -> int:
    """Consecutive days off (weekend or in ``off``) around ``day``."""
    length = 1
    for step in (-1, 1):
        current = day + timedelta(days=step)
        while _is_weekend(current) or current in off:
            length += 1
            current += timedelta(days=step)
    return length


def national_day_companion(year: int) -> date:
    """The day next to 2/9 that is off with it (default rule, see the module docstring)."""
    national_day = date(year, 9, 2)
    candidates = [
        day
        for day in (national_day - timedelta(days=1), national_day + timedelta(days=1))
        if not _is_weekend(day)
    ]
    # max() keeps the first of equals: the day before wins a tie.
    return max(candidates, key=lambda day: _run_length(national_day, {national_day, day}))


def _article_112_days(year: int) -> list[HolidayDay]:
    source = f"{ARTICLE_112} khoản 1"
    tet = lunar_new_year(year)
    days = [
        HolidayDay(
            date(year, 1, 1),
            CalendarDayKind.HOLIDAY,
            "Tết Dương lịch",
            "New Year's Day",
            f"{source} điểm a",
            Occasion.NEW_YEAR,
        ),
        *(
            _tet_day(
                tet + timedelta(days=offset), f"{source} điểm b (mặc định: ngày cuối năm âm lịch và mùng 1–4)"
            )
            for offset in range(-1, 4)
        ),
        HolidayDay(
            date(year, 4, 30),
            CalendarDayKind.HOLIDAY,
            "Ngày Chiến thắng (30/4)",
            "Reunification Day",
            f"{source} điểm c",
            Occasion.REUNIFICATION,
        ),
        HolidayDay(
            date(year, 5, 1),
            CalendarDayKind.HOLIDAY,
            "Ngày Quốc tế lao động (1/5)",
            "International Labour Day",
            f"{source} điểm d",
            Occasion.LABOUR_DAY,
        ),
        HolidayDay(
            date(year, 9, 2),
            CalendarDayKind.HOLIDAY,
            "Quốc khánh (2/9)",
            "National Day",
            f"{source} điểm đ",
            Occasion.NATIONAL_DAY,
        ),
        HolidayDay(
            national_day_companion(year),
            CalendarDayKind.HOLIDAY,
            "Quốc khánh (ngày liền kề 2/9)",
            "National Day holiday",
            f"{source} điểm đ (mặc định: ngày liền kề nối dài kỳ nghỉ)",
            Occasion.NATIONAL_DAY,
        ),
        HolidayDay(
            hung_kings_day(year),
            CalendarDayKind.HOLIDAY,
            "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
            "Hung Kings' Commemoration Day",
            f"{source} điểm e",
            Occasion.HUNG_KINGS,
        ),
    ]
    # Giỗ Tổ can fall on 30/4 or 1/5 after a leap month; the law gives no extra day for that, so one row.
    by_date: dict[date, HolidayDay] = {}
    for day in days:
        kept = by_date.get(day.date)
        by_date[day.date] = (
            day
            if kept is None
            else replace(kept, name=f"{kept.name}; {day.name}", name_en=f"{kept.name_en}; {day.name_en}")
        )
    return sorted(by_date.values(), key=lambda day: day.date)


def _days_in_lieu(holidays: Sequence[HolidayDay], taken: set[date]) -> list[HolidayDay]:
    """Art. 111(3): each holiday on a Saturday/Sunday moves to the next working day not already off."""
    off = taken | {day.date for day in holidays}
    result = []
    for holiday in sorted(holidays, key=lambda day: day.date):
        if holiday.kind != CalendarDayKind.HOLIDAY or not _is_weekend(holiday.date):
            continue
        day_off = holiday.date + timedelta(days=1)
        while _is_weekend(day_off) or day_off in off:
            day_off += timedelta(days=1)
        off.add(day_off)
        result.append(
            HolidayDay(
                day_off,
                CalendarDayKind.DAY_OFF,
                f"Nghỉ bù ngày {holiday.date:%d/%m/%Y} ({holiday.name})",
                f"Day off in lieu of {holiday.date:%d/%m/%Y} ({holiday.name_en})",
                ARTICLE_111,
                holiday.occasion,
            )
        )
    return result


def _build(year: int, announcements: Sequence[Announcement]) -> list[HolidayDay]:
    replaced = frozenset().union(*(announcement.replaces for announcement in announcements))
    computed = [day for day in _article_112_days(year) if day.occasion not in replaced]
    announced = [day for announcement in announcements for day in announcement.days]
    announced_off = {day.date for day in announced if day.kind != CalendarDayKind.MAKEUP_WORKDAY}
    # Announced days are complete as published; only the computed holidays still need their days in lieu.
    days = computed + _days_in_lieu(computed, announced_off) + announced
    return sorted(days, key=lambda day: day.date)


def statutory_holidays(year: int) -> list[HolidayDay]:
    """The Labour Code calendar of ``year`` (Art. 112 holidays, Art. 111(3) days in lieu), no announcement."""
    _check_year(year)
    return _build(year, ())


def calendar_for_year(year: int) -> list[HolidayDay]:
    """The calendar of ``year`` as seeded: the Labour Code rule with ``ANNOUNCED`` applied on top."""
    _check_year(year)
    return _build(year, ANNOUNCED.get(year, ()))


def _check_year(year: int) -> None:
    if not SUPPORTED_YEARS[0] <= year <= SUPPORTED_YEARS[1]:
        raise ValueError(f"year {year} outside the supported range {SUPPORTED_YEARS}")


# --- official announcements --------------------------------------------------------------------------------

_SOURCE_2025 = "Công văn 8726/VPCP-KGVX (26/11/2024); Thông báo 6150/TB-BLĐTBXH (2024)"

ANNOUNCED: dict[int, tuple[Announcement, ...]] = {
    2025: (
        Announcement(
            source=f"{_SOURCE_2025}: Tết Ất Tỵ 25/1–2/2/2025",
            replaces=frozenset({Occasion.TET}),
            days=tuple(
                _tet_day(
                    date(2025, 1, 27) + timedelta(days=offset),
                    f"{_SOURCE_2025}: Tết Ất Tỵ 25/1–2/2/2025 (nghỉ 27/1–31/1)",
                )
                for offset in range(5)
            ),
        ),
        Announcement(
            source=f"{_SOURCE_2025}: dịp 30/4–1/5/2025 nghỉ thứ Sáu 2/5, làm bù thứ Bảy 26/4",
            days=(
                HolidayDay(
                    date(2025, 5, 2),
                    CalendarDayKind.DAY_OFF,
                    "Nghỉ hoán đổi dịp 30/4–1/5",
                    "Swapped day off (30 April – 1 May)",
                    f"{_SOURCE_2025}: nghỉ 2/5/2025, làm bù thứ Bảy 26/4/2025",
                    Occasion.SWAP,
                ),
                HolidayDay(
                    date(2025, 4, 26),
                    CalendarDayKind.MAKEUP_WORKDAY,
                    "Làm bù cho ngày 2/5/2025",
                    "Make-up working day for 2 May 2025",
                    f"{_SOURCE_2025}: nghỉ 2/5/2025, làm bù thứ Bảy 26/4/2025",
                    Occasion.SWAP,
                ),
            ),
        ),
        Announcement(
            source=f"{_SOURCE_2025}: Quốc khánh nghỉ thứ Hai 1/9 và thứ Ba 2/9/2025",
            replaces=frozenset({Occasion.NATIONAL_DAY}),
            days=(
                HolidayDay(
                    date(2025, 9, 1),
                    CalendarDayKind.HOLIDAY,
                    "Quốc khánh (ngày liền kề 2/9)",
                    "National Day holiday",
                    f"{_SOURCE_2025}: Quốc khánh 1/9–2/9/2025",
                    Occasion.NATIONAL_DAY,
                ),
                HolidayDay(
                    date(2025, 9, 2),
                    CalendarDayKind.HOLIDAY,
                    "Quốc khánh (2/9)",
                    "National Day",
                    f"{_SOURCE_2025}: Quốc khánh 1/9–2/9/2025",
                    Occasion.NATIONAL_DAY,
                ),
            ),
        ),
    ),
}


# --- seeding -----------------------------------------------------------------------------------------------


def is_generated(row: CalendarDay) -> bool:
    """True for rows ``seed_calendar`` may rewrite; an administrator's row never starts with the marker."""
    return row.source.startswith(GENERATED_SOURCE_MARKER)


def _row_fields(day: HolidayDay) -> dict[str, str]:
    source = f"{GENERATED_SOURCE_MARKER} {day.source}"
    return {"kind": day.kind, "name": day.name[:128], "name_en": day.name_en[:128], "source": source[:255]}


def default_years() -> range:
    """Last year to two years ahead, counted from today in Vietnam."""
    this_year = timezone.localdate(timezone=timezone.get_default_timezone()).year
    return range(this_year - 1, this_year + 3)


def seed_calendar(years: Iterable[int] | None = None) -> int:
    """Write the calendar of ``years`` into ``CalendarDay``; return the rows created, updated or removed.

    Idempotent. Rows an administrator created or edited (``source`` without the marker) are left alone, even
    where the rule disagrees; generated rows that the rule no longer produces are removed. A generated row an
    administrator deletes comes back on the next run: to cancel a generated day, edit the row instead.
    """
    from thanglong.core import calendar

    wanted_years = sorted(set(default_years() if years is None else years))
    if not wanted_years:
        return 0
    wanted: dict[date, HolidayDay] = {}
    for year in wanted_years:
        for day in calendar_for_year(year):
            wanted.setdefault(day.date, day)
    # An announcement may place a day across New Year; neighbouring years' days are not stale.
    neighbours = {year + step for year in wanted_years for step in (-1, 1)} - set(wanted_years)
    keep = {
        day.date
        for year in neighbours
        if SUPPORTED_YEARS[0] <= year <= SUPPORTED_YEARS[1]
        for day in calendar_for_year(year)
    }

    changed = 0
    with transaction.atomic():
        existing = {
            row.date: row
            for row in CalendarDay.objects.select_for_update().filter(
                Q(date__year__in=wanted_years) | Q(date__in=list(wanted))
            )
        }
        for day in wanted.values():
            fields = _row_fields(day)
            row = existing.get(day.date)
            if row is None:
                CalendarDay.objects.create(date=day.date, **fields)
                changed += 1
            elif is_generated(row) and any(getattr(row, name) != value for name, value in fields.items()):
                CalendarDay.objects.update_or_create(date=day.date, defaults=fields)
                changed += 1
        stale = [
            row.pk
            for row in existing.values()
            if is_generated(row)
            and row.date not in wanted
            and row.date not in keep
            and row.date.year in wanted_years
        ]
        if stale:
            CalendarDay.objects.filter(pk__in=stale).delete()
            changed += len(stale)
    calendar.clear_cache()
    return changed
