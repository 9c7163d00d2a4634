"""Direct SQL counts for tests: what a dashboard figure must equal."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection


def count_reports(where: str, params: list[Any]) -> int:
    """``COUNT(*)`` of non-duplicate reports matching ``where``; datetimes are bound as the backend stores
    them (SQLite keeps UTC text, so a raw aware datetime would compare as a string in another zone)."""
    bound = [
        connection.ops.adapt_datetimefield_value(value) if isinstance(value, datetime) else value
        for value in params
    ]
    with connection.cursor() as cursor:
        # ``where`` is a literal written in the test itself; values are bound parameters.
        sql = f"SELECT COUNT(*) FROM feedback_report WHERE duplicate_of_id IS NULL AND {where}"  # noqa: S608
        cursor.execute(sql, bound)
        return int(cursor.fetchone()[0])
