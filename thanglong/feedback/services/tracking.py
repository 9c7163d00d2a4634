"""Tracking codes PA-<year>-<number>: one counter per year.

SQLite takes the number inside the report's transaction (its writers are serialised anyway), so codes
there have no gaps; PostgreSQL reserves it just before (:func:`reserve_tracking_code`), so that reports
commit in parallel, and a report that fails after that leaves its number unused.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from thanglong.core.prepared import prepared_cursor
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


def reserve_tracking_code(now: datetime | None = None) -> str:
    """PostgreSQL: take the next code in a transaction of its own, before the report's, without a flush.

    Holding the counter's row lock until the report commits (as :func:`next_tracking_code` does)
    would put one disk flush per report in a row: about 290 a second on a disk that syncs in 3.5 ms,
    whatever the CPUs. Here the increment commits at once and asynchronously (``synchronous_commit``
    off for that one transaction), so the lock is held for microseconds and concurrent reports'
    commits share their flushes. Nothing is given out twice, even after a crash: a report that used
    the number commits later, and its flush carries the earlier increment with it. A number whose
    report then fails is not reused (a gap), which a tracking code can afford.
    """
    if connection.in_atomic_block:
        # Inside a transaction (a test's): the number commits with it, as with next_tracking_code().
        return next_tracking_code(now)
    year = tracking_year(now)
    with prepared_cursor() as cursor:
        # One statement, its own implicit transaction: set_config(..., true) holds for it alone.
        cursor.execute(
            f"WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)), "  # noqa: S608
            f"incremented AS ({_increment_sql()}) "
            f"SELECT incremented.last_number FROM incremented, relaxed",
            [year],
        )
        (number,) = cursor.fetchone()
    return format_tracking_code(year, int(number))
