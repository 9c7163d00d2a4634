"""Resolution deadlines of reports, in Vietnamese working days (weekends, Tết and holidays skipped)."""

from __future__ import annotations

from datetime import datetime

from thanglong.core.calendar import deadline
from thanglong.feedback.choices import DEFAULT_SLA_WORKING_DAYS, URGENT_SLA_WORKING_DAYS, Category, Priority


def working_days_for(category: str | None, priority: int | None = None) -> int:
    if priority == Priority.URGENT:
        return URGENT_SLA_WORKING_DAYS
    return DEFAULT_SLA_WORKING_DAYS.get(category or Category.OTHER, DEFAULT_SLA_WORKING_DAYS[Category.OTHER])


def due_at_for(received_at: datetime, category: str | None, priority: int | None = None) -> datetime:
    """When a report received at ``received_at`` must be resolved (17:00 Vietnam time on the last day).

    Unknown or empty categories get the "other" limit; an urgent report gets one working day whatever
    its category.
    """
    return deadline(received_at, working_days_for(category, priority))
