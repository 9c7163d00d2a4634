"""Conversations with the virtual assistant, their turns, and hand-offs to officers.

Conversations are citizens' own words: they may contain personal data, so they are visible to
officers of the assistant desk only (see services), and hand-offs carry the transcript.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("vi", "en")
# A Zalo user who writes again after this long starts a new conversation (fresh dialogue state).
CHANNEL_CONVERSATION_IDLE = timedelta(minutes=30)


class Channel(models.TextChoices):
    WEB = "web", _("Trang web")
    API = "api", _("API")
    ZALO = "zalo", _("Zalo OA")
    VOICE = "voice", _("Tổng đài")
    CLI = "cli", _("Dòng lệnh")


class Conversation(models.Model):
    session_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(_("kênh"), max_length=8, choices=Channel.choices, default=Channel.WEB)
    # The sender id on an outside channel (Zalo user id, caller number); personal data.
    external_user_id = models.CharField(max_length=64, blank=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    lang = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")
    state = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField(_("bắt đầu"), auto_now_add=True)
    last_activity_at = models.DateTimeField(_("hoạt động gần nhất"), auto_now=True, db_index=True)
    handed_off = models.BooleanField(_("đã chuyển cán bộ"), default=False)

    class Meta:
        ordering = ["-last_activity_at"]
        verbose_name = _("cuộc hội thoại")
        verbose_name_plural = _("cuộc hội thoại")
        indexes = [models.Index(fields=["channel", "external_user_id"])]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} {self.session_id}"


class Turn(models.Model):
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    question = models.TextField(_("câu hỏi"))
    answer = models.TextField(_("câu trả lời"))
    lang = models.CharField(max_length=8, default="vi")
    intent = models.CharField(_("ý định"), max_length=16, db_index=True)
    asked = models.CharField(_("nội dung hỏi"), max_length=16)
    procedure_codes = models.JSONField(default=list, blank=True)
    citations = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(_("độ tin cậy"), default=0.0)
    needs_clarification = models.BooleanField(default=False)
    # -1 thumbs down, +1 thumbs up, 0 not rated.
    rating = models.SmallIntegerField(_("đánh giá"), default=0)
    rating_comment = models.CharField(max_length=500, blank=True)
    latency_ms = models.PositiveIntegerField(default=0)
    # An officer has looked at a low-confidence turn (and perhaps added a phrasing).
    reviewed = models.BooleanField(_("đã xem xét"), default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("lượt hỏi đáp")
        verbose_name_plural = _("lượt hỏi đáp")
        indexes = [models.Index(fields=["reviewed", "confidence"])]

    def __str__(self) -> str:
        return self.question[:80]


class HandoffStatus(models.TextChoices):
    OPEN = "open", _("Chờ cán bộ")
    TAKEN = "taken", _("Cán bộ đang xử lý")
    CLOSED = "closed", _("Đã xong")


class Handoff(models.Model):
    """A citizen asked for (or the assistant offered) a human officer; the queue the desk works from."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="handoffs")
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=8, choices=HandoffStatus.choices, default=HandoffStatus.OPEN)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    contact = models.CharField(_("liên hệ"), max_length=128, blank=True)  # personal data
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("chuyển cán bộ")
        verbose_name_plural = _("chuyển cán bộ")

    def __str__(self) -> str:
        return f"{self.conversation} ({self.status})"
