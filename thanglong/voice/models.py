"""Calls taken by the callbot and what was said in them.

The caller's number is personal data: shown in full only to officers entitled to it (see
``services.can_see_caller_number``), masked elsewhere, every full read audit-logged. Recordings are
WAV files under ``THANGLONG_VOICE_RECORDINGS_DIR``; calls and recordings are deleted after
``THANGLONG_VOICE_RETENTION_DAYS``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallChannel(models.TextChoices):
    SIP = "sip", _("Tổng đài SIP")
    BROWSER = "browser", _("Trình duyệt (thử nghiệm)")
    OTHER = "other", _("Khác")


class Outcome(models.TextChoices):
    IN_PROGRESS = "in_progress", _("Đang diễn ra")
    ANSWERED = "answered", _("Đã trả lời")
    REPORT_FILED = "report_filed", _("Đã nhận phản ánh")
    STATUS_GIVEN = "status_given", _("Đã tra cứu hồ sơ")
    OFFICER = "officer", _("Chuyển cán bộ")
    EMERGENCY = "emergency", _("Chuyển khẩn cấp")
    NO_INPUT = "no_input", _("Không có tiếng nói")
    HANGUP = "hangup", _("Người gọi gác máy")
    ERROR = "error", _("Lỗi hệ thống")


class Speaker(models.TextChoices):
    CALLER = "caller", _("Người gọi")
    BOT = "bot", _("Tổng đài tự động")
    SYSTEM = "system", _("Hệ thống")


class Call(models.Model):
    call_id = models.CharField(max_length=64, unique=True, default=uuid.uuid4)
    channel = models.CharField(_("kênh"), max_length=8, choices=CallChannel.choices, default=CallChannel.SIP)
    caller_number = models.CharField(_("số gọi đến"), max_length=32, blank=True)  # personal data
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True, db_index=True)
    ended_at = models.DateTimeField(_("kết thúc"), null=True, blank=True)
    lang = models.CharField(max_length=2, default="vi")
    voice = models.CharField(max_length=24, blank=True)
    asr_engine = models.CharField(max_length=16, blank=True)
    intent = models.CharField(_("ý định"), max_length=16, blank=True)
    outcome = models.CharField(
        _("kết quả"), max_length=16, choices=Outcome.choices, default=Outcome.IN_PROGRESS
    )
    outcome_detail = models.CharField(max_length=255, blank=True)
    # The assistant conversation behind the spoken answers (dialogue state across turns).
    assistant_session = models.UUIDField(null=True, blank=True)
    report_tracking_code = models.CharField(max_length=20, blank=True)
    incident_ref = models.CharField(max_length=64, blank=True)
    notice_played = models.BooleanField(default=False)
    # The call flow's own state between requests (browser demo): mode, counters, pending menu step.
    flow_state = models.JSONField(default=dict, blank=True)
    recording = models.CharField(max_length=255, blank=True)  # path under the recordings directory
    recording_rate = models.PositiveIntegerField(default=8000)
    recording_seconds = models.FloatField(default=0.0)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("cuộc gọi")
        verbose_name_plural = _("cuộc gọi")
        permissions = [("view_caller_number", "Can see callers' full numbers, transcripts and recordings")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration_seconds(self) -> float | None:
        if self.ended_at is None:
            return None
        return (self.ended_at - self.started_at).total_seconds()


class CallTurn(models.Model):
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="turns")
    seq = models.PositiveIntegerField()
    speaker = models.CharField(max_length=8, choices=Speaker.choices)
    text = models.TextField(blank=True)
    dtmf = models.CharField(max_length=32, blank=True)
    intent = models.CharField(max_length=16, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    audio_ms = models.PositiveIntegerField(default=0)
    # Caller turns: end of speech → first audio of the answer (measured by the flow).
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["call", "seq"]
        constraints = [models.UniqueConstraint(fields=["call", "seq"], name="voice_callturn_seq_uniq")]

    def __str__(self) -> str:
        return f"{self.call_id}#{self.seq} {self.speaker}"
