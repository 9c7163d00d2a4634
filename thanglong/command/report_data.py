"""What a periodic unit report says: the figures of the unit's subtree for one period, gathered once
and rendered as PDF or XLSX."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from thanglong.command import live, performance, targets
from thanglong.command.performance import ON_TIME, UnitPerformance
from thanglong.command.periods import WEEK, Period
from thanglong.command.scope import unit_scope
from thanglong.core.models import Membership, OrganisationUnit, Role
from thanglong.feedback.choices import OPEN_STATUSES, Category


@dataclass
class CategoryRow:
    label: str
    received: int
    resolved: int
    on_time: int
    overdue_open: int


@dataclass
class ReportData:
    unit: OrganisationUnit
    parent_name: str
    period: Period
    number_label: str
    issued_on: date
    place: str
    rows: list[UnitPerformance]
    total: UnitPerformance
    previous_total: UnitPerformance
    categories: list[CategoryRow]
    series_labels: list[str]
    series_received: list[int]
    series_resolved: list[int]
    open_now: live.OpenCounts
    targets: list[targets.TargetStatus]
    signer_title: str
    signer_name: str
    recipients: list[str] = field(default_factory=list)
    generated_at: datetime = field(default_factory=timezone.now)

    @property
    def ranked(self) -> list[UnitPerformance]:
        return [row for row in self.rows if row.rank is not None]

    def summary(self) -> list[str]:
        """Plain sentences for the body of the report (what a staff officer would write first)."""
        from django.utils.translation import gettext as _

        total, before = self.total, self.previous_total
        lines = [
            _(
                "Trong kỳ, đơn vị tiếp nhận %(received)d phản ánh, kiến nghị (kỳ trước %(before)d); "
                "đã giải quyết %(resolved)d, trong đó %(on_time)d đúng hạn."
            )
            % {
                "received": total.received,
                "before": before.received,
                "resolved": total.resolved,
                "on_time": total.on_time,
            }
        ]
        if total.on_time_rate is not None:
            lines.append(
                _("Tỷ lệ giải quyết đúng hạn đạt %(rate).1f%%.") % {"rate": 100 * total.on_time_rate}
            )
        if total.rating is not None:
            lines.append(
                _("Mức hài lòng trung bình của người dân: %(rating).2f/5 (%(count)d lượt đánh giá).")
                % {"rating": total.rating, "count": total.rated}
            )
        if total.online_rate is not None:
            lines.append(
                _("Tỷ lệ tiếp nhận qua kênh trực tuyến: %(rate).1f%%.") % {"rate": 100 * total.online_rate}
            )
        lines.append(
            _("Đến thời điểm báo cáo còn %(open)d phản ánh đang xử lý, %(overdue)d quá hạn.")
            % {"open": self.open_now.open, "overdue": self.open_now.overdue}
        )
        return lines


def _series(scope: Any, period: Period) -> tuple[list[str], list[int], list[int]]:
    """Received and (of those) resolved, per day for a week, per week otherwise."""
    rows = (
        scope.reports()
        .filter(received_at__gte=period.start, received_at__lt=period.end)
        .annotate(day=TruncDate("received_at", tzinfo=timezone.get_default_timezone()))
        .values("day")
        .annotate(received=Count("id"), resolved=Count("id", filter=Q(resolved_at__isnull=False)))
        .order_by("day")
    )
    per_day = {row["day"]: (row["received"], row["resolved"]) for row in rows}
    labels: list[str] = []
    received: list[int] = []
    resolved: list[int] = []
    day = period.first_day
    step = 1 if period.kind == WEEK else 7
    while day <= period.last_day:
        bucket = [day + timedelta(days=offset) for offset in range(step)]
        labels.append(f"{day:%d/%m}")
        received.append(sum(per_day.get(item, (0, 0))[0] for item in bucket))
        resolved.append(sum(per_day.get(item, (0, 0))[1] for item in bucket))
        day += timedelta(days=step)
    return labels, received, resolved


def _categories(scope: Any, period: Period, now: datetime) -> list[CategoryRow]:
    labels = dict(Category.choices)
    rows = (
        scope.reports()
        .filter(received_at__gte=period.start, received_at__lt=period.end)
        .values("category")
        .annotate(
            received=Count("id"),
            resolved=Count("id", filter=Q(resolved_at__isnull=False)),
            on_time=Count("id", filter=ON_TIME),
            overdue_open=Count("id", filter=Q(status__in=sorted(OPEN_STATUSES), due_at__lt=now)),
        )
        .order_by("-received")
    )
    return [
        CategoryRow(
            str(labels.get(row["category"], "Chưa phân loại")),
            row["received"],
            row["resolved"],
            row["on_time"],
            row["overdue_open"],
        )
        for row in rows
    ]


def _signer(unit: OrganisationUnit) -> tuple[str, str]:
    leader = (
        Membership.objects.filter(unit=unit, role=Role.UNIT_LEADER)
        .select_related("user__profile")
        .order_by("-is_primary", "id")
        .first()
    )
    if leader is None:
        return "THỦ TRƯỞNG ĐƠN VỊ", ""
    profile = getattr(leader.user, "profile", None)
    name = profile.full_name if profile else leader.user.username
    return (leader.title or "Thủ trưởng đơn vị").upper(), name


def gather(unit: OrganisationUnit, period: Period, number: int, now: datetime | None = None) -> ReportData:
    now = now or timezone.now()
    scope = unit_scope(unit)
    rows = performance.unit_performance(scope, period, now, wait=True)
    previous = performance.unit_performance(scope, period.previous(), now, with_medians=False)
    status_list = targets.statuses_for_units(scope.unit_ids or ())
    labels, received, resolved = _series(scope, period)
    title, name = _signer(unit)
    # The number's symbol is the issuing unit's code (ASCII, no spaces): "12/BC-CAP-00166".
    symbol = unit.code
    return ReportData(
        unit=unit,
        parent_name=unit.parent.name if unit.parent else "",
        period=period,
        number_label=f"{number}/BC-{symbol}",
        issued_on=timezone.localdate(now),
        place="Hà Nội",
        rows=rows,
        total=performance.totals(rows),
        previous_total=performance.totals(previous),
        categories=_categories(scope, period, now),
        series_labels=labels,
        series_received=received,
        series_resolved=resolved,
        open_now=live.open_counts(scope, now),
        targets=status_list,
        signer_title=title,
        signer_name=name,
        recipients=[
            f"Ban Giám đốc {unit.parent.name} (để báo cáo)"
            if unit.parent
            else "Lãnh đạo cấp trên (để báo cáo)",
            "Trung tâm chỉ huy (để tổng hợp)",
            f"Lưu: VT, {unit.short_name or symbol}.",
        ],
    )
