"""113/114 incidents on the command overview: open incidents, calls in 24 hours, median time to dispatch."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thanglong.command.providers import Breakdown, BreakdownRow, Metric, Panel
from thanglong.command.scope import Scope


class IncidentsProvider:
    key = "incidents"
    title = gettext_lazy("Sự vụ 113/114")
    order = 15

    def available(self, user: User | AnonymousUser) -> bool:
        return user.is_authenticated and user.has_perm("incidents.view_incident")

    def panel(self, user: User | AnonymousUser, scope: Scope, now: datetime) -> Panel:
        from thanglong.incidents.choices import OPEN_STATUSES, IncidentKind, Priority
        from thanglong.incidents.models import Incident
        from thanglong.incidents.services.queries import median_minutes_to_dispatch

        incidents = Incident.objects.filter(scope.condition())
        day, week = timedelta(days=1), timedelta(days=7)
        open_now = incidents.filter(status__in=OPEN_STATUSES)
        counts = open_now.aggregate(
            total=Count("id"), critical=Count("id", filter=Q(priority=Priority.CRITICAL))
        )
        received = incidents.filter(received_at__gt=now - 2 * day, received_at__lte=now).aggregate(
            last_day=Count("id", filter=Q(received_at__gt=now - day)),
            previous_day=Count("id", filter=Q(received_at__lte=now - day)),
        )
        list_url = reverse("incidents:list")
        metrics = [
            Metric(
                "incidents.open",
                _("Sự vụ đang xử lý"),
                counts["total"],
                url=list_url,
                alert=counts["critical"] > 0,
            ),
            Metric(
                "incidents.received",
                _("Cuộc gọi 113/114 trong 24 giờ"),
                received["last_day"],
                previous=received["previous_day"],
                compare_label=_("so với 24 giờ trước đó"),
                url=f"{list_url}?status=all",
            ),
            Metric(
                "incidents.median_dispatch",
                _("Thời gian điều lực lượng (trung vị, phút, 7 ngày)"),
                median_minutes_to_dispatch(incidents, now - week, now),
                previous=median_minutes_to_dispatch(incidents, now - 2 * week, now - week),
                compare_label=_("so với 7 ngày trước đó"),
                url=f"{list_url}?status=all",
            ),
        ]
        by_kind = open_now.values("kind").annotate(total=Count("id")).order_by("-total")
        rows = [
            BreakdownRow(str(IncidentKind(row["kind"]).label), row["total"], f"{list_url}?kind={row['kind']}")
            for row in by_kind
        ]
        return Panel(
            self.key,
            str(self.title),
            metrics,
            [Breakdown("incidents.open_by_kind", _("Sự vụ đang xử lý theo loại"), rows)],
        )
