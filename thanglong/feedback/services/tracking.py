"""Tracking codes PA-<year>-<number>: one gap-free counter per year, incremented under a row lock."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from thanglong.feedback.models import TrackingSequence

PREFIX = "PA"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def format_tracking_code(year: int, number: int) -> str:
    return f"{PREFIX}-{year}-{number:06d}"


def next_tracking_code(now: datetime | None = None) -> str:
    """The next code of the year ``now`` falls in, in Vietnam time (a report at 23:30 UTC on 31 December
    belongs to the new year).

    Called inside the transaction that stores the report: the row stays locked until that transaction
    ends, so a rolled-back report gives its number back and codes have no gaps. On PostgreSQL the lock
    is ``SELECT … FOR UPDATE``; on SQLite the IMMEDIATE transaction already serialises writers.
    """
    year = timezone.localtime(now or timezone.now(), VIETNAM).year
    # No savepoint of its own: inside intake's transaction that would cost two more statements while
    # the row is locked.
    with transaction.atomic(savepoint=False):
        sequence = TrackingSequence.objects.select_for_update().filter(year=year).first()
        if sequence is None:
            try:
                # A savepoint: two first reports of a new year may race to create the row.
                with transaction.atomic():
                    TrackingSequence.objects.create(year=year, last_number=1)
                return format_tracking_code(year, 1)
            except IntegrityError:
                sequence = TrackingSequence.objects.select_for_update().get(year=year)
        TrackingSequence.objects.filter(pk=sequence.pk).update(last_number=F("last_number") + 1)
        return format_tracking_code(year, sequence.last_number + 1)
