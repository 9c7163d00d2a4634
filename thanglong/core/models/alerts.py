"""Live notices for the console: a camera watch-list hit, an urgent 113 call, an overdue case.

Any app raises one through :func:`thanglong.core.alerts.raise_alert`; every signed-in officer whose
units it concerns sees it as a toast within a second or two (server-sent events).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from thanglong.core.models.organisation import OrganisationUnit


class AlertSeverity(models.TextChoices):
    INFO = "info", _("Thông tin")
    WARNING = "warning", _("Cảnh báo")
    CRITICAL = "critical", _("Khẩn cấp")


class ConsoleAlert(models.Model):
    kind = models.CharField(_("loại"), max_length=48, db_index=True)  # "camera.plate", "incidents.call"
    severity = models.CharField(
        _("mức độ"), max_length=12, choices=AlertSeverity.choices, default=AlertSeverity.WARNING
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(max_length=500, blank=True)
    # Who sees it: officers of these units (and leaders above them). None: the command centre only.
    units = models.ManyToManyField(OrganisationUnit, related_name="+", blank=True)
    payload = models.JSONField(default=dict, blank=True)  # e.g. snapshot URL, camera, time
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = _("thông báo trực tuyến")
        verbose_name_plural = _("thông báo trực tuyến")

    def __str__(self) -> str:
        return f"{self.kind}: {self.title}"
