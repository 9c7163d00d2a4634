"""Links from a dashboard figure to the records behind it, in the feedback console's own queue filters."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils.http import urlencode

from thanglong.core.models import Ward
from thanglong.feedback.services.queries import NO_WARD


def queue_url(**filters: object) -> str:
    """The officer queue with the given filters (status, category, priority, unit, deadline, q)."""
    params = {key: str(value) for key, value in filters.items() if value not in (None, "")}
    base = reverse("feedback_console:queue")
    return f"{base}?{urlencode(params)}" if params else base


def ward_url(ward: Ward | None, **filters: object) -> str:
    """The queue narrowed to the reports whose address is in ``ward`` (or has no ward known)."""
    return queue_url(ward=ward.code if ward is not None else NO_WARD, **filters)


def received_url(after: datetime, before: datetime | None = None, **filters: object) -> str:
    """The queue of reports received in (after, before], whatever their status now."""
    return queue_url(
        received_after=after.isoformat(timespec="seconds"),
        received_before=before.isoformat(timespec="seconds") if before else None,
        closed=1,
        **filters,
    )
