"""Citizens' reports on the command overview: open, overdue, new, by ward and category."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thanglong.command import drilldown, live, snapshots
from thanglong.command.providers import Breakdown, BreakdownRow, Metric, Panel
from thanglong.command.scope import Scope
from thanglong.core.roles import is_staff_member
from thanglong.feedback.services.queries import NEAR_DEADLINE, OVERDUE


class FeedbackProvider:
    key = "feedback"
    title = gettext_lazy("Phản ánh, kiến nghị")
    order = 10

    def available(self, user: User | AnonymousUser) -> bool:
        return is_staff_member(user)

    def panel(self, user: User | AnonymousUser, scope: Scope, now: datetime) -> Panel:
        unit = scope.unit.pk if scope.unit else None
        opened = live.open_counts(scope, now)
        new = live.new_counts(scope, now)
        snapshots.take_if_due(now)
        day_before = snapshots.around(scope, now - timedelta(days=1))
        open_before, overdue_before = day_before if day_before is not None else (None, None)
        compared = _("so với 24 giờ trước") if day_before is not None else ""
        metrics = [
            Metric(
                "feedback.open",
                _("Đang xử lý"),
                opened.open,
                previous=open_before,
                compare_label=compared,
                url=drilldown.queue_url(unit=unit),
            ),
            Metric(
                "feedback.overdue",
                _("Quá hạn"),
                opened.overdue,
                previous=overdue_before,
                compare_label=compared,
                url=drilldown.queue_url(unit=unit, deadline=OVERDUE),
                alert=opened.overdue > 0,
            ),
            Metric(
                "feedback.near_deadline",
                _("Sắp đến hạn (≤ 1 ngày làm việc)"),
                opened.near_deadline,
                url=drilldown.queue_url(unit=unit, deadline=NEAR_DEADLINE),
            ),
            Metric(
                "feedback.new_hour",
                _("Mới trong 1 giờ"),
                new.last_hour,
                previous=new.previous_hour,
                compare_label=_("so với 1 giờ trước đó"),
                url=drilldown.received_url(now - timedelta(hours=1), now, unit=unit),
            ),
            Metric(
                "feedback.new_day",
                _("Mới trong 24 giờ"),
                new.last_day,
                previous=new.previous_day,
                compare_label=_("so với 24 giờ trước đó"),
                url=drilldown.received_url(now - timedelta(days=1), now, unit=unit),
            ),
            Metric(
                "feedback.unassigned",
                _("Chưa giao cán bộ"),
                opened.unassigned,
                url=drilldown.queue_url(unit=unit, unassigned=1),
            ),
        ]
        if scope.include_unrouted:
            metrics.append(
                Metric(
                    "feedback.dispatch",
                    _("Chờ điều phối"),
                    opened.awaiting_dispatch,
                    url=_dispatch_url(),
                    alert=opened.awaiting_dispatch > 0,
                )
            )
        categories = Breakdown(
            "feedback.by_category",
            _("Đang xử lý theo lĩnh vực"),
            [
                BreakdownRow(label, total, drilldown.queue_url(unit=unit, category=category))
                for category, label, total in live.open_by_category(scope)
            ],
        )
        ward_rows = live.open_by_ward(scope)
        wards = Breakdown(
            "feedback.by_ward",
            _("Phường/xã có nhiều phản ánh đang xử lý nhất"),
            [
                BreakdownRow(
                    ward.full_name if ward else _("Chưa xác định địa bàn"),
                    total,
                    drilldown.ward_url(ward, unit=unit),
                )
                for ward, total in ward_rows
            ],
        )
        return Panel(self.key, str(self.title), metrics, [wards, categories])


def _dispatch_url() -> str:
    from django.urls import reverse

    return reverse("feedback_console:dispatch")
