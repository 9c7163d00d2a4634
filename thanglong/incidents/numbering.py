"""Incident numbers ``113-2026-000123``: one gap-free counter per line and year (Vietnam time).

The number is taken inside the transaction that stores the incident, as feedback's tracking codes are
on SQLite: the counter row stays locked until that transaction ends, so a rolled-back incident gives
its number back. Incidents arrive at human speed (a few a minute), so holding the lock for one insert
costs nothing, and an emergency log with gaps would raise questions an auditor should not have to ask.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection
from django.utils import timezone

from thanglong.incidents.models import IncidentSequence

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def format_number(line: str, year: int, number: int) -> str:
    return f"{line}-{year}-{number:06d}"


def next_number(line: str, now: datetime | None = None) -> str:
    """Call inside the transaction that creates the incident."""
    year = timezone.localtime(now or timezone.now(), VIETNAM).year
    quote = connection.ops.quote_name
    table = quote(IncidentSequence._meta.db_table)
    line_col, year_col, last = quote("line"), quote("year"), quote("last_number")
    sql = (
        f"INSERT INTO {table} ({line_col}, {year_col}, {last}) VALUES (%s, %s, 1) "  # noqa: S608 - model names only
        f"ON CONFLICT ({line_col}, {year_col}) DO UPDATE SET {last} = {table}.{last} + 1 "
        f"RETURNING {last}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [line, year])
        (number,) = cursor.fetchone()
    return format_number(line, year, int(number))
