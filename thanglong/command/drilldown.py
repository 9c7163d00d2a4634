"""Links from a dashboard figure to the records behind it, in the feedback console's own queue filters."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils.http import urlencode

from thanglong.core.models import OrganisationUnit, UnitKind, Ward


def queue_url(**filters: object) -> str:
    """The officer queue with the given filters (status, category, priority, unit, deadline, q)."""
    params = {key: str(value) for key, value in filters.items() if value not in (None, "")}
    base = reverse("feedback_console:queue")
    return f"{base}?{urlencode(params)}" if params else base


def stations_of(wards: Iterable[Ward]) -> dict[str, int]:
    """Ward code → pk of its police station, in one query."""
    codes = [ward.code for ward in wards]
    rows = OrganisationUnit.objects.filter(ward_id__in=codes, kind=UnitKind.WARD_STATION).values_list(
        "ward_id", "pk"
    )
    return dict(rows)


def ward_url(ward: Ward | None, stations: dict[str, int], **filters: object) -> str:
    """The queue of the ward's police station: the queue has no ward filter, and a ward's reports are
    handled by its station (those routed to a department are in that department's queue)."""
    if ward is None:
        return queue_url(**filters)
    station = stations.get(ward.code)
    return queue_url(unit=station, **filters) if station else queue_url(q=ward.name, **filters)
