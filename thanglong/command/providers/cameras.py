"""Camera AI on the command overview: new and unconfirmed camera alerts, cameras offline, plate
reads today — each compared with the period before and linked to the cameras console."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thanglong.command.providers import Breakdown, BreakdownRow, Metric, Panel
from thanglong.command.scope import Scope


class CamerasProvider:
    key = "cameras"
    title = gettext_lazy("Camera AI")
    order = 30

    def available(self, user: User | AnonymousUser) -> bool:
        return bool(user.is_authenticated and user.has_perm("cameras.view_camera"))

    def panel(self, user: User | AnonymousUser, scope: Scope, now: datetime) -> Panel:
        from thanglong.cameras.models import Alert, AlertStatus, Camera, CameraEvent, CameraStatus, EventKind

        hour = timedelta(hours=1)
        alerts = Alert.objects.filter(scope.condition("unit")).aggregate(
            last_hour=Count("id", filter=Q(created_at__gt=now - hour, created_at__lte=now)),
            previous_hour=Count("id", filter=Q(created_at__gt=now - 2 * hour, created_at__lte=now - hour)),
            unconfirmed=Count("id", filter=Q(status=AlertStatus.NEW)),
        )
        cameras = Camera.objects.filter(scope.condition("owner_unit"), active=True)
        offline = cameras.filter(status=CameraStatus.OFFLINE).count()
        # Offline an hour ago too: their status has not changed since (a heartbeat updates the row).
        offline_before = cameras.filter(status=CameraStatus.OFFLINE, updated_at__lte=now - hour).count()
        midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
        reads = CameraEvent.objects.filter(scope.condition("camera__owner_unit"), kind=EventKind.PLATE)
        today = reads.filter(observed_at__gte=midnight, observed_at__lte=now).count()
        yesterday = reads.filter(
            observed_at__gte=midnight - timedelta(days=1), observed_at__lte=now - timedelta(days=1)
        ).count()
        alerts_url = reverse("cameras:alerts")
        metrics = [
            Metric(
                "cameras.alerts_hour",
                _("Cảnh báo camera mới trong 1 giờ"),
                alerts["last_hour"],
                previous=alerts["previous_hour"],
                compare_label=_("so với 1 giờ trước đó"),
                url=f"{alerts_url}?{urlencode({'status': '', 'since': (now - hour).isoformat()})}",
                alert=alerts["last_hour"] > 0,
            ),
            Metric(
                "cameras.unconfirmed",
                _("Cảnh báo chưa xác nhận"),
                alerts["unconfirmed"],
                url=f"{alerts_url}?status={AlertStatus.NEW}",
                alert=alerts["unconfirmed"] > 0,
            ),
            Metric(
                "cameras.offline",
                _("Camera mất kết nối"),
                offline,
                previous=offline_before,
                compare_label=_("so với 1 giờ trước (ước tính)"),
                url=f"{reverse('cameras:index')}?status={CameraStatus.OFFLINE}",
                alert=offline > 0,
            ),
            Metric(
                "cameras.plates_today",
                _("Lượt đọc biển số hôm nay"),
                today,
                previous=yesterday,
                compare_label=_("so với cùng giờ hôm qua"),
                higher_is_better=True,
                url=reverse("cameras:index"),
            ),
        ]
        by_ward = (
            cameras.filter(status=CameraStatus.OFFLINE)
            .values("ward_id", "ward__full_name")
            .annotate(n=Count("id"))
            .order_by("-n")[:5]
        )
        wards = Breakdown(
            "cameras.offline_by_ward",
            _("Camera mất kết nối theo phường/xã"),
            [
                BreakdownRow(
                    row["ward__full_name"],
                    row["n"],
                    f"{reverse('cameras:index')}?status=offline&ward={row['ward_id']}",
                )
                for row in by_ward
            ],
        )
        return Panel(self.key, str(self.title), metrics, [wards])
