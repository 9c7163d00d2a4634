"""Command figures as JSON, for wall displays and the city's other systems: the live overview and unit
performance (leaders and the command centre, scoped like the pages), and the public statistics."""

from __future__ import annotations

from typing import Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema, Status

from thanglong.command import performance, periods, providers, public_stats
from thanglong.command.scope import scope_for
from thanglong.core.access import can_access_unit
from thanglong.core.api_errors import bilingual_error
from thanglong.core.models import OrganisationUnit, Role
from thanglong.core.roles import has_role
from thanglong.core.schemas import ErrorOut

router = Router(tags=["command"])

UNIT_NOT_FOUND = bilingual_error(
    "unit_not_found", "Không tìm thấy đơn vị này trong phạm vi của bạn.", "No such unit within your reach."
)


class MetricOut(Schema):
    key: str
    label: str
    value: float | None
    previous: float | None
    delta: float | None
    url: str


class BreakdownRowOut(Schema):
    label: str
    value: int
    url: str


class BreakdownOut(Schema):
    key: str
    title: str
    rows: list[BreakdownRowOut]


class PanelOut(Schema):
    key: str
    title: str
    note: str
    metrics: list[MetricOut]
    breakdowns: list[BreakdownOut]


class OverviewOut(Schema):
    generated_at: str
    unit: str | None
    panels: list[PanelOut]


class PerformanceQuery(Schema):
    period: Literal["week", "month", "quarter"] = "month"
    key: str = ""
    unit: int | None = None


class UnitPerformanceOut(Schema):
    unit_code: str
    unit_name: str
    rank: int | None
    score: float | None
    received: int
    resolved: int
    on_time: int
    overdue_open: int
    on_time_rate: float | None
    response_hours_median: float | None
    resolution_hours_median: float | None
    rating: float | None
    rated: int
    online_rate: float | None


class PerformanceOut(Schema):
    period: str
    label: str
    method: str
    units: list[UnitPerformanceOut]


class FigureOut(Schema):
    value: int | None  # None when the count is too small to publish
    suppressed: bool


class PublicStatsOut(Schema):
    since: str
    received: FigureOut
    resolved: FigureOut
    resolution_days: float | None
    on_time_rate: float | None
    online_rate: float | None


def _leader(request: HttpRequest) -> None:
    if not has_role(request.user, Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
        raise PermissionDenied


def _unit(request: HttpRequest, unit_id: int | None) -> OrganisationUnit | None:
    if unit_id is None:
        return None
    unit = OrganisationUnit.objects.filter(pk=unit_id).first()
    if unit is None or not can_access_unit(request.user, unit):
        return None
    return unit


@router.get("/overview", response={200: OverviewOut, 403: ErrorOut, 404: ErrorOut})
def overview(request: HttpRequest, unit: int | None = None) -> object:
    _leader(request)
    narrowed = _unit(request, unit)
    if unit is not None and narrowed is None:
        return Status(404, UNIT_NOT_FOUND)
    now = timezone.now()
    panels = providers.panels(request.user, scope_for(request.user, narrowed), now)
    return {
        "generated_at": now.isoformat(),
        "unit": narrowed.code if narrowed else None,
        "panels": [
            {
                "key": panel.key,
                "title": panel.title,
                "note": panel.note,
                "metrics": [
                    {**vars(metric), "label": str(metric.label), "delta": metric.delta}
                    for metric in panel.metrics
                ],
                "breakdowns": [vars(breakdown) for breakdown in panel.breakdowns],
            }
            for panel in panels
        ],
    }


@router.get("/performance", response={200: PerformanceOut, 403: ErrorOut, 404: ErrorOut})
def unit_performance(request: HttpRequest, query: Query[PerformanceQuery]) -> object:
    _leader(request)
    narrowed = _unit(request, query.unit)
    if query.unit is not None and narrowed is None:
        return Status(404, UNIT_NOT_FOUND)
    period = periods.parse(query.period, query.key)
    rows = performance.unit_performance(scope_for(request.user, narrowed), period)
    return {
        "period": period.key,
        "label": period.label,
        "method": " ".join((performance.__doc__ or "").split()),
        "units": [
            {
                "unit_code": row.unit.code,
                "unit_name": row.unit.name,
                "rank": row.rank,
                "score": row.score,
                "received": row.received,
                "resolved": row.resolved,
                "on_time": row.on_time,
                "overdue_open": row.overdue_open,
                "on_time_rate": row.on_time_rate,
                "response_hours_median": row.response_hours,
                "resolution_hours_median": row.resolution_hours,
                "rating": row.rating,
                "rated": row.rated,
                "online_rate": row.online_rate,
            }
            for row in rows
        ],
    }


@router.get("/public-stats", auth=None, response=PublicStatsOut)
def public_statistics(request: HttpRequest) -> dict[str, object]:
    stats = public_stats.cached()

    def figure(item: public_stats.Figure) -> dict[str, object]:
        return {"value": None if item.suppressed else item.value, "suppressed": item.suppressed}

    return {
        "since": stats.since.date().isoformat(),
        "received": figure(stats.received),
        "resolved": figure(stats.resolved),
        "resolution_days": stats.resolution_days,
        "on_time_rate": stats.on_time_rate,
        "online_rate": stats.online_rate,
    }
