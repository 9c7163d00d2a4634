"""Digitised documents: the original file, its OCR'd pages, the fields read from it, and corrections."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from thanglong.core.models import OrganisationUnit


class Status(models.TextChoices):
    QUEUED = "queued", _("Chờ xử lý")
    PROCESSING = "processing", _("Đang nhận dạng")
    DONE = "done", _("Đã số hoá")
    FAILED = "failed", _("Lỗi")
    DUPLICATE = "duplicate", _("Trùng lặp")


class Failure(models.TextChoices):
    """Why a document could not be digitised: each has a message officers can act on (see messages.py)."""

    EMPTY = "empty", _("Tệp rỗng")
    UNSUPPORTED = "unsupported", _("Định dạng không hỗ trợ")
    CORRUPT = "corrupt", _("Tệp hỏng")
    ENCRYPTED = "encrypted", _("Tệp có mật khẩu")
    TOO_MANY_PAGES = "too_many_pages", _("Quá nhiều trang")
    TOO_LARGE_IMAGE = "too_large_image", _("Ảnh quá lớn")
    OCR_ERROR = "ocr_error", _("Lỗi nhận dạng")
    WORKER_LOST = "worker_lost", _("Tiến trình xử lý bị gián đoạn")


class Security(models.TextChoices):
    """Độ mật under the Law on Protection of State Secrets; anything above NONE restricts the record."""

    NONE = "", pgettext_lazy("security marking", "Thường")
    SECRET = "mat", _("Mật")
    TOP_SECRET = "toi_mat", _("Tối mật")
    ULTRA_SECRET = "tuyet_mat", _("Tuyệt mật")


class Urgency(models.TextChoices):
    NONE = "", pgettext_lazy("urgency", "Thường")
    URGENT = "khan", _("Khẩn")
    VERY_URGENT = "thuong_khan", _("Thượng khẩn")
    EXPRESS = "hoa_toc", _("Hỏa tốc")


class Tag(models.Model):
    name = models.CharField(_("nhãn"), max_length=64, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("nhãn")
        verbose_name_plural = _("nhãn")

    def __str__(self) -> str:
        return self.name


class Document(models.Model):
    unit = models.ForeignKey(OrganisationUnit, on_delete=models.PROTECT, related_name="documents")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    source = models.CharField(_("nguồn"), max_length=16, default="upload")  # upload / api / consume / import
    filename = models.CharField(_("tên tệp"), max_length=255)
    # Detected from the content, never from the name: a ".pdf" that is a JPEG is a JPEG.
    content_type = models.CharField(max_length=64, blank=True)
    size = models.BigIntegerField(default=0)
    checksum = models.CharField(_("mã kiểm tra SHA-256"), max_length=64, db_index=True)
    # The original is written once and never touched again; OCR works on a copy.
    original = models.FileField(upload_to="documents/originals/", max_length=255, blank=True)
    archive = models.FileField(upload_to="documents/archive/", max_length=255, blank=True)
    duplicate_of = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True)

    status = models.CharField(_("trạng thái"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    failure = models.CharField(max_length=24, choices=Failure.choices, blank=True)
    failure_detail = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    page_count = models.PositiveIntegerField(default=0)
    mean_confidence = models.FloatField(null=True, blank=True)
    needs_review = models.BooleanField(_("cần kiểm tra lại"), default=False)

    # Fields of the official document, as extracted and then corrected by officers.
    doc_type = models.CharField(_("loại văn bản"), max_length=48, blank=True, db_index=True)
    number = models.CharField(_("số, ký hiệu"), max_length=80, blank=True, db_index=True)
    agency = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True, db_index=True)
    parent_agency = models.CharField(_("cơ quan chủ quản"), max_length=200, blank=True)
    place = models.CharField(_("địa danh"), max_length=80, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True, db_index=True)
    summary = models.CharField(_("trích yếu"), max_length=500, blank=True)
    signer = models.CharField(_("người ký"), max_length=120, blank=True)
    signer_title = models.CharField(_("chức vụ người ký"), max_length=200, blank=True)
    recipients = models.JSONField(_("nơi nhận"), default=list, blank=True)
    security = models.CharField(_("độ mật"), max_length=16, choices=Security.choices, blank=True)
    urgency = models.CharField(_("độ khẩn"), max_length=16, choices=Urgency.choices, blank=True)
    # What the reader found, untouched by corrections, so accuracy can be measured and re-runs compared.
    extracted = models.JSONField(default=dict, blank=True)

    tags = models.ManyToManyField(Tag, blank=True, related_name="documents")
    retention_years = models.PositiveSmallIntegerField(_("thời hạn bảo quản (năm)"), null=True, blank=True)
    retain_until = models.DateField(_("bảo quản đến"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("văn bản")
        verbose_name_plural = _("văn bản")
        permissions = [("view_classified", "Xem văn bản mật")]
        indexes = [models.Index(fields=["status", "processing_started_at"])]

    def __str__(self) -> str:
        return self.number or self.filename

    @property
    def is_restricted(self) -> bool:
        return bool(self.security)

    @property
    def is_final(self) -> bool:
        return self.status in {Status.DONE, Status.FAILED, Status.DUPLICATE}


class Page(models.Model):
    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    confidence = models.FloatField(null=True, blank=True)  # mean word confidence, 0-100
    needs_review = models.BooleanField(default=False)
    # Words with boxes in the preview's pixel space: [[text, x0, y0, x1, y1, confidence], ...]
    words = models.JSONField(default=list, blank=True)
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    image = models.FileField(upload_to="documents/pages/", max_length=255, blank=True)

    class Meta:
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="uniq_document_page")]

    def __str__(self) -> str:
        return f"{self.document_id} p.{self.number}"


class FieldCorrection(models.Model):
    """An officer's correction of an extracted field; kept forever and re-applied after re-OCR."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="corrections")
    field = models.CharField(max_length=32)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    corrected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corrected_at", "id"]

    def __str__(self) -> str:
        return f"{self.document_id}.{self.field}"
