"""113/114 incidents: the call, where it is, who was sent, and every step with its time and actor."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thanglong.core.models import OrganisationUnit, Ward
from thanglong.incidents.choices import Channel, EventKind, IncidentKind, Line, Priority, Status


class IncidentSequence(models.Model):
    """Last number given out per line and year (113-2026-000123): taken inside the incident's transaction."""

    line = models.CharField(max_length=3, choices=Line.choices)
    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["line", "year"], name="incident_sequence_line_year")]

    def __str__(self) -> str:
        return f"{self.line}-{self.year}: {self.last_number}"


class Incident(models.Model):
    number = models.CharField(_("số sự vụ"), max_length=20, unique=True)
    line = models.CharField(_("đường dây"), max_length=3, choices=Line.choices)
    kind = models.CharField(_("loại sự vụ"), max_length=16, choices=IncidentKind.choices)
    priority = models.PositiveSmallIntegerField(_("mức độ"), choices=Priority.choices, default=Priority.HIGH)
    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(
        _("kênh tiếp nhận"), max_length=16, choices=Channel.choices, default=Channel.PHONE
    )
    # Personal data: shown in full only to those entitled (see services.access), every read audited.
    caller_number = models.CharField(_("số điện thoại người gọi"), max_length=20, blank=True)
    caller_name = models.CharField(_("tên người gọi"), max_length=128, blank=True)
    location_text = models.CharField(_("địa điểm"), max_length=500, blank=True)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    unit = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("đơn vị địa bàn"),
    )
    summary = models.TextField(_("nội dung"), blank=True)
    call_id = models.CharField(max_length=128, blank=True, db_index=True)  # the callbot's / SIP call
    reference = models.CharField(max_length=128, blank=True, db_index=True)  # the message it came from
    report = models.ForeignKey(
        "feedback.Report",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="incidents",
        verbose_name=_("phản ánh"),
    )
    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), default=timezone.now, db_index=True)
    dispatched_at = models.DateTimeField(_("thời điểm điều lực lượng"), null=True, blank=True)
    on_scene_at = models.DateTimeField(_("thời điểm có mặt"), null=True, blank=True)
    closed_at = models.DateTimeField(_("thời điểm kết thúc"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("sự vụ 113/114")
        verbose_name_plural = _("sự vụ 113/114")
        permissions = [
            ("take_calls", _("Tiếp nhận cuộc gọi 113/114")),
            ("view_caller_number", _("Xem số điện thoại người gọi 113/114")),
        ]
        indexes = [
            models.Index(fields=["status", "-received_at"], name="incident_status_time"),
            models.Index(fields=["unit", "-received_at"], name="incident_unit_time"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (Status.RECEIVED, Status.DISPATCHED, Status.ON_SCENE)


class IncidentEvent(models.Model):
    """One step of the timeline. Append-only: corrections are new events."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=EventKind.choices)
    at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)  # kept when the account goes; "callbot" etc.
    note = models.TextField(blank=True)
    units = models.JSONField(default=list, blank=True)  # names of the units sent, as shown then

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class DispatchedUnit(models.Model):
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="dispatches")
    unit = models.ForeignKey(
        OrganisationUnit, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = models.CharField(_("lực lượng"), max_length=120)  # "Tổ CSCĐ 141", "Xe chữa cháy 01"
    dispatched_at = models.DateTimeField(default=timezone.now)
    arrived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["dispatched_at", "id"]

    def __str__(self) -> str:
        return self.label


class TranscriptLine(models.Model):
    """What the caller said, line by line, from the callbot's speech recognition (partials replaced)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="transcript")
    at = models.DateTimeField(default=timezone.now)
    speaker = models.CharField(max_length=16, default="caller")
    text = models.TextField()
    partial = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
