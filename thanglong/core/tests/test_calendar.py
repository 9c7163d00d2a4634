"""Vietnamese working days: lunar dates, Labour Code holidays, announcements, seeding and time limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from lunar_vn import solar_to_lunar

from thanglong.core import calendar, holidays
from thanglong.core.models import CalendarDay, CalendarDayKind

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    # Rolled-back rows send no post_delete signal: never let a cached year leak into the next test.
    calendar.clear_cache()
    yield
    calendar.clear_cache()


@pytest.fixture
def seeded(db: None) -> None:
    """The session seed depends on today's date; the years these tests read are seeded explicitly."""
    holidays.seed_calendar([2025, 2026, 2027])


def _off_days(year: int) -> dict[date, str]:
    return {day.date: day.kind for day in holidays.calendar_for_year(year)}


# --- lunar conversion ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "tet"), [(2025, date(2025, 1, 29)), (2026, date(2026, 2, 17)), (2027, date(2027, 2, 6))]
)
def test_lunar_new_year(year: int, tet: date) -> None:
    assert holidays.lunar_new_year(year) == tet
    lunar = solar_to_lunar(tet)
    assert (lunar.day, lunar.month, lunar.year, lunar.leap) == (1, 1, year, False)


@pytest.mark.parametrize(("year", "day"), [(2025, date(2025, 4, 7)), (2026, date(2026, 4, 26))])
def test_hung_kings_day(year: int, day: date) -> None:
    assert holidays.hung_kings_day(year) == day


# --- the Labour Code rule -----------------------------------------------------------------------------------


def test_tet_2026_is_last_day_of_old_year_and_first_four_days() -> None:
    tet = [day for day in holidays.statutory_holidays(2026) if day.occasion == holidays.Occasion.TET]
    assert [day.date for day in tet] == [date(2026, 2, 16) + timedelta(days=offset) for offset in range(5)]
    assert tet[0].name == "Tết Nguyên đán Bính Ngọ (29 tháng Chạp)"
    assert tet[1].name == "Tết Nguyên đán Bính Ngọ (mùng 1)"


def test_holiday_on_sunday_gives_next_working_day_off() -> None:
    """GIVEN Giỗ Tổ 2026 on Sunday 26/4 WHEN the rule runs THEN Monday 27/4 is a day off in lieu."""
    days = _off_days(2026)
    assert days[date(2026, 4, 26)] == CalendarDayKind.HOLIDAY
    assert days[date(2026, 4, 27)] == CalendarDayKind.DAY_OFF


def test_days_in_lieu_follow_a_tet_block_that_spans_a_weekend() -> None:
    """GIVEN mùng 1 Tết 2027 on a Saturday WHEN the rule runs THEN mùng 1 and 2 are made up after mùng 4."""
    days = _off_days(2027)
    assert days[date(2027, 2, 10)] == CalendarDayKind.DAY_OFF
    assert days[date(2027, 2, 11)] == CalendarDayKind.DAY_OFF
    assert date(2027, 2, 12) not in days


@pytest.mark.parametrize(
    ("year", "companion"),
    # The announced schedules of 2021–2025 (2/9 on Thu, Fri, Sat, Mon, Tue) and the Wednesday tie of 2026.
    [(2021, 3), (2022, 1), (2023, 1), (2024, 3), (2025, 1), (2026, 1)],
)
def test_national_day_companion_makes_the_longest_break(year: int, companion: int) -> None:
    assert holidays.national_day_companion(year) == date(year, 9, companion)


def test_national_day_on_saturday_adds_monday_in_lieu() -> None:
    days = _off_days(2028)
    assert {date(2028, 9, 1), date(2028, 9, 2), date(2028, 9, 4)} <= days.keys()


def test_announcement_replaces_the_computed_tet_block() -> None:
    """GIVEN the 2025 notice (27/1–31/1) WHEN applied THEN the rule's day in lieu on 3/2/2025 disappears."""
    assert date(2025, 2, 3) in {day.date for day in holidays.statutory_holidays(2025)}
    announced = _off_days(2025)
    assert date(2025, 2, 3) not in announced
    assert [day for day in announced if date(2025, 1, 20) <= day <= date(2025, 2, 10)] == [
        date(2025, 1, 27) + timedelta(days=offset) for offset in range(5)
    ]
    assert all(day.source for day in holidays.calendar_for_year(2025))


# --- working days from the table ----------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_tet_2026_block_is_not_working() -> None:
    assert calendar.is_working_day(date(2026, 2, 13))
    assert not any(calendar.is_working_day(date(2026, 2, 14) + timedelta(days=n)) for n in range(9))
    assert calendar.is_working_day(date(2026, 2, 23))


@pytest.mark.usefixtures("seeded")
def test_makeup_saturday_counts_as_working_day() -> None:
    assert calendar.is_working_day(date(2025, 4, 26))
    assert not calendar.is_working_day(date(2025, 5, 2))
    assert calendar.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    assert calendar.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)


@pytest.mark.usefixtures("seeded")
def test_add_working_days_across_tet() -> None:
    """GIVEN Monday 9/2/2026 WHEN adding 12 working days THEN 4 fall before Tết and 8 after 22/2."""
    end = calendar.add_working_days(date(2026, 2, 9), 12)
    assert end == date(2026, 3, 4)
    assert calendar.working_days_between(date(2026, 2, 9), end) == 12


@pytest.mark.usefixtures("seeded")
def test_negative_working_days_go_back_over_the_holiday() -> None:
    assert calendar.add_working_days(date(2026, 2, 23), -1) == date(2026, 2, 13)
    assert calendar.add_working_days(date(2026, 2, 23), 0) == date(2026, 2, 23)
    assert calendar.working_days_between(date(2026, 2, 23), date(2026, 2, 13)) == 0


@pytest.mark.usefixtures("seeded")
def test_next_working_day() -> None:
    assert calendar.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)
    assert calendar.next_working_day(date(2026, 4, 24)) == date(2026, 4, 28)


@pytest.mark.django_db
def test_unseeded_year_falls_back_to_the_rule() -> None:
    assert not CalendarDay.objects.filter(date__year=2030).exists()
    # Mùng 1 Tết 2030 is Saturday 2/2; mùng 3 is Monday 4/2.
    assert not calendar.is_working_day(date(2030, 2, 4))


@pytest.mark.usefixtures("seeded")
def test_saving_a_calendar_day_clears_the_cache() -> None:
    day = date(2026, 11, 24)
    assert calendar.is_working_day(day)
    CalendarDay.objects.create(
        date=day, kind=CalendarDayKind.DAY_OFF, name="Nghỉ đột xuất", source="Quyết định"
    )
    assert not calendar.is_working_day(day)
    CalendarDay.objects.filter(date=day).get().delete()
    assert calendar.is_working_day(day)


# --- deadline -----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_deadline_after_office_hours_counts_from_next_working_day() -> None:
    """GIVEN a petition at 17:30 on Friday 13/2/2026, before Tết WHEN 1 working day THEN 24/2 at 17:00."""
    received = datetime(2026, 2, 13, 10, 30, tzinfo=UTC)  # 17:30 in Hanoi
    assert calendar.deadline(received, 1) == datetime(2026, 2, 24, 17, 0, tzinfo=HANOI)


@pytest.mark.usefixtures("seeded")
def test_deadline_within_office_hours_counts_from_that_day() -> None:
    received = datetime(2026, 2, 13, 16, 59, tzinfo=HANOI)
    assert calendar.deadline(received, 1) == datetime(2026, 2, 23, 17, 0, tzinfo=HANOI)
    assert calendar.deadline(received, 0) == datetime(2026, 2, 13, 17, 0, tzinfo=HANOI)


@pytest.mark.usefixtures("seeded")
def test_deadline_on_a_weekend_counts_from_monday() -> None:
    received = datetime(2026, 3, 7, 9, 0, tzinfo=HANOI)  # Saturday
    assert calendar.deadline(received, 2) == datetime(2026, 3, 11, 17, 0, tzinfo=HANOI)


def test_deadline_rejects_naive_datetimes_and_negative_days() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.deadline(datetime(2026, 3, 2, 9, 0), 1)  # noqa: DTZ001
    with pytest.raises(ValueError, match="negative"):
        calendar.deadline(datetime(2026, 3, 2, 9, 0, tzinfo=HANOI), -1)


# --- seeding ------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_seed_calendar_is_idempotent() -> None:
    holidays.seed_calendar([2026])
    assert holidays.seed_calendar([2026]) == 0
    rows = CalendarDay.objects.filter(date__year=2026)
    assert rows.count() == len(holidays.calendar_for_year(2026))
    assert all(row.source.startswith(holidays.GENERATED_SOURCE_MARKER) for row in rows)


@pytest.mark.django_db
def test_seed_calendar_keeps_administrator_rows() -> None:
    """GIVEN admin rows, an edited generated row and a stale one WHEN seeding THEN admin rows stay."""
    holidays.seed_calendar([2026])
    CalendarDay.objects.filter(date=date(2026, 9, 1)).update(
        kind=CalendarDayKind.MAKEUP_WORKDAY, name="Đi làm bình thường", source="Thông báo của Bộ Nội vụ"
    )
    CalendarDay.objects.create(
        date=date(2026, 1, 2),
        kind=CalendarDayKind.DAY_OFF,
        name="Nghỉ hoán đổi",
        source="Thông báo của Bộ Nội vụ",
    )
    CalendarDay.objects.filter(date=date(2026, 4, 27)).update(name="sửa tay nhưng vẫn là dòng tự động")
    CalendarDay.objects.create(
        date=date(2026, 6, 15),
        kind=CalendarDayKind.DAY_OFF,
        name="cũ",
        source=holidays.GENERATED_SOURCE_MARKER,
    )

    assert holidays.seed_calendar([2026]) == 2  # 27/4 restored, 15/6 removed

    assert CalendarDay.objects.get(date=date(2026, 9, 1)).name == "Đi làm bình thường"
    assert CalendarDay.objects.filter(date=date(2026, 1, 2)).exists()
    assert CalendarDay.objects.get(date=date(2026, 4, 27)).name.startswith("Nghỉ bù")
    assert not CalendarDay.objects.filter(date=date(2026, 6, 15)).exists()
    assert calendar.is_working_day(date(2026, 9, 1))
    assert not calendar.is_working_day(date(2026, 1, 2))


@pytest.mark.django_db
def test_seed_calendar_defaults_to_last_year_through_two_years_ahead() -> None:
    this_year = holidays.default_years()[1]
    holidays.seed_calendar()
    years = {day.year for day in CalendarDay.objects.dates("date", "year")}
    assert {this_year - 1, this_year, this_year + 1, this_year + 2} <= years


# --- command ------------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("seeded")
def test_working_days_command() -> None:
    out = StringIO()
    call_command("working_days", "2026-02-09", "12", stdout=out)
    assert "Thứ Tư, 04/03/2026" in out.getvalue()


@pytest.mark.usefixtures("seeded")
def test_working_days_command_lists_a_year() -> None:
    out = StringIO()
    call_command("working_days", "--list", "2025", stdout=out)
    listing = out.getvalue()
    assert "26/04/2025  Thứ Bảy" in listing
    assert "Ngày làm bù" in listing
    assert "17/02/2026" not in listing
