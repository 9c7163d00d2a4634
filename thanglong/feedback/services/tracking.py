"""Tracking codes PA-<year>-<number>: one gap-free counter per year, incremented under a row lock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from thanglong.feedback.models import TrackingSequence

PREFIX = "PA"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def format_tracking_code(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def tracking_year(now: datetime | None = None) -> int:
    """The year a report received at ``now`` is counted in, in Vietnam time (a report at 23:30 UTC on
    31 December belongs to the new year)."""
    return timezone.localtime(now or timezone.now(), VIETNAM).year


def _increment_sql() -> str:
    quote = connection.ops.quote_name
    table, year, last = quote(TrackingSequence._meta.db_table), quote("year"), quote("last_number")
    # One statement on PostgreSQL and SQLite (3.35+): creates the year's row on its first report
    # (two first reports racing meet in ON CONFLICT, no savepoint needed) or increments it, and
    # returns the new number without a SELECT … FOR UPDATE round trip. Only the model's own names,
    # quoted by the backend, are put into the text; the year is a parameter.
    return (
        f"INSERT INTO {table} ({year}, {last}) VALUES (%s, 1) "  # noqa: S608
        f"ON CONFLICT ({year}) DO UPDATE SET {last} = {table}.{last} + 1 "
        f"RETURNING {last}"
    )


def next_tracking_code(now: datetime | None = None) -> str:
    """The next code of the year ``now`` falls in (see :func:`tracking_year`).

    Called inside the transaction that stores the report: the counter row the statement updates stays
    locked until that transaction ends, so a rolled-back report gives its number back and codes have
    no gaps. The lock serialises intake commits, so callers take the number as late in their
    transaction as they can (intake takes it just before the report's own insert and the commit).
    Outside a transaction the statement commits on its own.
    """
    year = tracking_year(now)
    with connection.cursor() as cursor:
        cursor.execute(_increment_sql(), [year])
        (number,) = cursor.fetchone()
    return format_tracking_code(year, int(number))


def counter_sql(now: datetime | None = None) -> tuple[str, list[object], str, list[object]]:
    """The counter's increment and the code built from it, for a statement that inserts the report.

    Returns ``(increment SQL, its parameters, code expression, its parameters)``: the expression reads
    the incremented number from a CTE named ``prefix`` (see :mod:`thanglong.core.sqlinsert`) and
    formats it as :func:`format_tracking_code` does (six digits at least, more once a year passes a
    million reports).
    """
    year = tracking_year(now)
    number = f"prefix.{connection.ops.quote_name('last_number')}::text"
    expression = f"%s || lpad({number}, greatest(6, length({number})), '0')"
    return _increment_sql(), [year], expression, [f"{PREFIX}-{year}-"]
