"""Citizens' feedback, reports and petitions (phản ánh, kiến nghị), their files, timeline and outbox.

A report is acknowledged with its tracking code only after this row and its attachments are
committed: intake writes everything in one transaction and answers after it (see services).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thanglong.core.models import OrganisationUnit, Province, Ward
from thanglong.feedback.choices import Category, Channel, EventKind, Priority, Status, TriageState


def _tracking_secret() -> str:
    return secrets.token_urlsafe(24)


class TrackingSequence(models.Model):
    """Per-year counter behind PA-2026-000123; incremented under a row lock."""

    year = models.PositiveIntegerField(primary_key=True)
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last_number}"


class Report(models.Model):
    # Unique, like idempotency_key, through Meta.constraints: a field's unique=True also gets a
    # pattern-ops index on PostgreSQL that no query uses and every intake would pay for.
    tracking_code = models.CharField(_("mã phản ánh"), max_length=20)  # PA-2026-000123
    # Lets a citizen open their report from a link without typing the phone digits.
    tracking_secret = models.CharField(max_length=48, default=_tracking_secret, editable=False)
    channel = models.CharField(_("kênh"), max_length=12, choices=Channel.choices)
    # Client-chosen key: a retried submission returns the first report instead of a second one.
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)  # noqa: DJ001 - unique when set

    title = models.CharField(_("tiêu đề"), max_length=200, blank=True)
    text = models.TextField(_("nội dung"))
    masked_text = models.TextField(_("nội dung đã che thông tin cá nhân"), blank=True)
    category_hint = models.CharField(_("lĩnh vực người dân chọn"), max_length=24, blank=True)
    lang = models.CharField(_("ngôn ngữ"), max_length=8, default="vi")

    address_text = models.CharField(_("địa chỉ"), max_length=500, blank=True)
    street = models.CharField(_("số nhà, đường"), max_length=255, blank=True)
    # Indexed through Meta.indexes (ward leads a composite): see tracking_code.
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)

    # Personal data: visible to the handling unit only; masked elsewhere; reads are audit-logged.
    contact_name = models.CharField(_("họ tên"), max_length=128, blank=True)
    contact_phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)  # Meta.indexes
    contact_email = models.EmailField(_("thư điện tử"), blank=True)
    anonymous = models.BooleanField(_("ẩn danh"), default=False)
    consent = models.BooleanField(_("đồng ý xử lý dữ liệu"), default=False)
    consent_location = models.BooleanField(_("đồng ý lưu vị trí ảnh"), default=False)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)

    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    unit = models.ForeignKey(
        OrganisationUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("đơn vị xử lý"),
        db_index=False,  # (unit, status) leads with it
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cán bộ xử lý"),
    )

    category = models.CharField(_("lĩnh vực"), max_length=24, choices=Category.choices, blank=True)
    category_confidence = models.FloatField(_("độ tin cậy phân loại"), default=0.0)
    priority = models.PositiveSmallIntegerField(
        _("mức ưu tiên"), choices=Priority.choices, default=Priority.NORMAL
    )
    triage_state = models.CharField(max_length=12, choices=TriageState.choices, default=TriageState.PENDING)
    triage = models.JSONField(_("kết quả phân loại"), default=dict, blank=True)  # scores, reasons, engine
    spam_score = models.FloatField(default=0.0)
    pii_found = models.JSONField(default=list, blank=True)  # kinds of personal data detected in the text
    # Reports of the same incident point at the first one; they are handled once, there.
    duplicate_of = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="duplicates"
    )

    received_at = models.DateTimeField(_("thời điểm tiếp nhận"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    due_at = models.DateTimeField(_("hạn xử lý"), null=True, blank=True, db_index=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    citizen_rating = models.PositiveSmallIntegerField(null=True, blank=True)  # 1..5
    citizen_comment = models.CharField(max_length=1000, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("phản ánh, kiến nghị")
        verbose_name_plural = _("phản ánh, kiến nghị")
        indexes = [
            models.Index(fields=["unit", "status"]),
            models.Index(fields=["status", "due_at"]),
            models.Index(fields=["ward", "category", "received_at"]),
            models.Index(fields=["contact_phone"], name="feedback_report_phone_idx"),
            models.Index(fields=["province"], name="feedback_report_province_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["tracking_code"], name="feedback_report_tracking_code_uniq"),
            models.UniqueConstraint(fields=["idempotency_key"], name="feedback_report_idempotency_key_uniq"),
        ]
        permissions = [
            ("view_personal_data", "Xem thông tin cá nhân người phản ánh"),
            ("dispatch_report", "Điều phối phản ánh"),
        ]

    def __str__(self) -> str:
        return self.tracking_code


class AttachmentKind(models.TextChoices):
    IMAGE = "image", _("Ảnh")
    VIDEO = "video", _("Video")
    PDF = "pdf", _("PDF")


def attachment_path(instance: Attachment, filename: str) -> str:
    # Content-addressed: the stored name never comes from the uploader.
    return f"feedback/{instance.sha256[:2]}/{instance.sha256}{instance.extension}"


class Attachment(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    original_name = models.CharField(max_length=255)
    kind = models.CharField(max_length=8, choices=AttachmentKind.choices)
    content_type = models.CharField(max_length=64)  # detected from the bytes, not the extension
    extension = models.CharField(max_length=8)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class ReportEvent(models.Model):
    """The case timeline. ``public`` events are what the citizen sees on the status page."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    kind = models.CharField(max_length=12, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    public = models.BooleanField(default=False)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"


class TriageCorrection(models.Model):
    """An officer corrected what triage decided; ``thanglong triage retrain`` learns from these."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=16)  # category | unit | priority
    old_value = models.CharField(max_length=64, blank=True)
    new_value = models.CharField(max_length=64)
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.report_id} {self.field}: {self.old_value} → {self.new_value}"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    FAILED = "failed", _("Gửi lỗi")


class Notification(models.Model):
    """Outbox: written in the same transaction as the change it announces, sent by a job after commit."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="notifications")
    channel = models.CharField(max_length=8)  # sms | zalo | email
    recipient = models.CharField(max_length=128)  # personal data
    body = models.TextField()
    status = models.CharField(
        max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.channel} → {self.report_id} ({self.status})"
