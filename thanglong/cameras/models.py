"""Camera AI records: the camera registry, the plate and face events they produce, watch-lists and
the alerts a watch-list hit raises.

Events are the big table (millions of rows a month at city scale): every column a search filters on
is indexed, and the folded plate carries a pattern-ops index on PostgreSQL so ``30A12%`` is a range
scan. Files (snapshots, crops, enrolment photos) live under MEDIA_ROOT/cameras/ and are removed by
the retention purge together with their rows.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thanglong.core.models import OrganisationUnit, Ward


class CameraKind(models.TextChoices):
    TRAFFIC = "traffic", _("Giao thông")
    SECURITY = "security", _("An ninh")
    ANPR = "anpr", _("Nhận dạng biển số")


class CameraStatus(models.TextChoices):
    ONLINE = "online", _("Trực tuyến")
    OFFLINE = "offline", _("Mất kết nối")
    UNKNOWN = "unknown", _("Chưa rõ")
    DISABLED = "disabled", _("Ngừng sử dụng")


class EventKind(models.TextChoices):
    PLATE = "plate", _("Biển số")
    FACE = "face", _("Khuôn mặt")


class EventSource(models.TextChoices):
    WORKER = "worker", _("Bộ phân tích")
    API = "api", _("Hệ thống ngoài")
    UPLOAD = "upload", _("Ảnh tải lên")


class Camera(models.Model):
    code = models.CharField(_("mã camera"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=160)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+", verbose_name=_("phường/xã"))
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6, null=True, blank=True)
    kind = models.CharField(_("loại"), max_length=16, choices=CameraKind.choices, default=CameraKind.TRAFFIC)
    # A secret: it carries the recorder's credentials. Shown masked; only administrators replace it.
    stream_url = models.CharField(_("địa chỉ luồng"), max_length=500, blank=True)
    owner_unit = models.ForeignKey(  # indexed by (owner_unit, status) below
        OrganisationUnit,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị quản lý"),
        db_index=False,
    )
    group = models.CharField(_("nhóm xử lý"), max_length=64, default="default", db_index=True)
    sample_fps = models.FloatField(_("số khung hình phân tích mỗi giây"), default=2.0)
    read_plates = models.BooleanField(_("đọc biển số"), default=True)
    read_faces = models.BooleanField(_("nhận dạng khuôn mặt"), default=False)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=CameraStatus.choices, default=CameraStatus.UNKNOWN
    )
    last_seen_at = models.DateTimeField(_("lần cuối hoạt động"), null=True, blank=True)
    last_error = models.CharField(_("lỗi gần nhất"), max_length=500, blank=True)
    active = models.BooleanField(_("đang sử dụng"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("camera")
        verbose_name_plural = _("camera")
        indexes = [models.Index(fields=["owner_unit", "status"], name="cam_camera_unit_status")]
        permissions = [
            ("search_events", "Tra cứu sự kiện camera (biển số)"),
            ("search_faces", "Tra cứu khuôn mặt"),
            ("view_personal_data", "Xem biển số, khuôn mặt không che"),
            ("manage_watchlist", "Quản lý danh sách theo dõi"),
            ("decide_alert", "Xác nhận, bác cảnh báo camera"),
            ("export_evidence", "Xuất gói chứng cứ camera"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


def _event_file(instance: CameraEvent, filename: str) -> str:
    at = instance.observed_at or timezone.now()
    return f"cameras/events/{at:%Y/%m/%d}/{uuid.uuid4().hex}-{filename}"


class CameraEvent(models.Model):
    # Foreign keys and the time are indexed by the composite indexes below (no single-column copies).
    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="events", db_index=False)
    kind = models.CharField(_("loại"), max_length=8, choices=EventKind.choices)
    observed_at = models.DateTimeField(_("thời điểm ghi nhận"))
    received_at = models.DateTimeField(_("thời điểm nhận"), default=timezone.now)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, related_name="+", db_index=False)
    plate_text = models.CharField(_("biển số"), max_length=20, blank=True)
    plate_folded = models.CharField(max_length=16, blank=True)
    confidence = models.FloatField(_("độ tin cậy"), default=0.0)
    attributes = models.JSONField(default=dict, blank=True)
    snapshot = models.FileField(upload_to=_event_file, max_length=255, blank=True)
    crop = models.FileField(upload_to=_event_file, max_length=255, blank=True)
    embedding = models.BinaryField(null=True, blank=True)
    source = models.CharField(max_length=8, choices=EventSource.choices, default=EventSource.WORKER)
    external_id = models.CharField(max_length=128, blank=True)
    # Kept past the normal retention: the event raised an alert an officer confirmed.
    keep = models.BooleanField(default=False)

    class Meta:
        ordering = ["-observed_at", "-id"]
        verbose_name = _("sự kiện camera")
        verbose_name_plural = _("sự kiện camera")
        indexes = [
            # PostgreSQL: varchar_pattern_ops makes LIKE '30A12%' an index range scan in any collation.
            models.Index(
                fields=["plate_folded", "-observed_at"],
                name="cam_event_plate_prefix",
                opclasses=["varchar_pattern_ops", ""],
            ),
            models.Index(fields=["camera", "-observed_at"], name="cam_event_camera_time"),
            models.Index(fields=["ward", "-observed_at"], name="cam_event_ward_time"),
            models.Index(fields=["kind", "observed_at"], name="cam_event_kind_time"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "external_id"],
                condition=~models.Q(external_id=""),
                name="cam_event_external_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.camera.code} {self.kind} {self.plate_text} {self.observed_at:%Y-%m-%d %H:%M:%S}"


class WatchReason(models.TextChoices):
    STOLEN = "stolen", _("Bị mất cắp")
    WANTED = "wanted", _("Truy tìm")
    MISSING = "missing", _("Mất tích")
    OTHER = "other", _("Khác")


class WatchEntryBase(models.Model):
    reason = models.CharField(_("lý do"), max_length=16, choices=WatchReason.choices)
    legal_basis = models.CharField(_("căn cứ pháp lý"), max_length=255)  # decision number, date, issuer
    note = models.TextField(_("ghi chú"), blank=True)
    owner_unit = models.ForeignKey(OrganisationUnit, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField(_("hết hạn"))
    active = models.BooleanField(_("đang theo dõi"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    @property
    def in_force(self) -> bool:
        return self.active and self.expires_at > timezone.now()


class WatchVehicle(WatchEntryBase):
    plate_text = models.CharField(_("biển số"), max_length=20)
    plate_folded = models.CharField(max_length=16, db_index=True)
    description = models.CharField(_("mô tả phương tiện"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("phương tiện theo dõi")
        verbose_name_plural = _("phương tiện theo dõi")

    def __str__(self) -> str:
        return self.plate_text


class WatchPerson(WatchEntryBase):
    full_name = models.CharField(_("họ tên"), max_length=160)
    description = models.CharField(_("đặc điểm nhận dạng"), max_length=255, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("đối tượng theo dõi")
        verbose_name_plural = _("đối tượng theo dõi")

    def __str__(self) -> str:
        return self.full_name


def _template_photo(instance: FaceTemplate, filename: str) -> str:
    return f"cameras/watch/{instance.person_id}/{uuid.uuid4().hex}.jpg"


class FaceTemplate(models.Model):
    person = models.ForeignKey(WatchPerson, on_delete=models.CASCADE, related_name="templates")
    embedding = models.BinaryField()  # 128 float32, little-endian
    quality = models.FloatField(default=0.0)
    photo = models.FileField(upload_to=_template_photo, max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.person_id}#{self.pk}"


class AlertStatus(models.TextChoices):
    NEW = "new", _("Mới")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    DISMISSED = "dismissed", _("Đã bác")


class Alert(models.Model):
    event = models.ForeignKey(CameraEvent, on_delete=models.CASCADE, related_name="alerts")
    vehicle = models.ForeignKey(WatchVehicle, on_delete=models.SET_NULL, null=True, blank=True)
    person = models.ForeignKey(WatchPerson, on_delete=models.SET_NULL, null=True, blank=True)
    unit = models.ForeignKey(OrganisationUnit, on_delete=models.PROTECT, related_name="+")
    score = models.FloatField(_("điểm khớp"), default=1.0)  # 1.0 for plates; 1 - distance for faces
    distance = models.FloatField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=AlertStatus.choices, default=AlertStatus.NEW)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("cảnh báo camera")
        verbose_name_plural = _("cảnh báo camera")
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.status}"


class UploadStatus(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang phân tích")
    DONE = "done", _("Đã xong")
    FAILED = "failed", _("Thất bại")


def _upload_file(instance: ImageUpload, filename: str) -> str:
    return f"cameras/uploads/{timezone.now():%Y/%m}/{instance.id.hex}.jpg"


class ImageUpload(models.Model):
    """A still image sent for analysis; the job's progress lives here so the page can poll it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="uploads")
    image = models.FileField(upload_to=_upload_file, max_length=255)
    observed_at = models.DateTimeField()
    status = models.CharField(max_length=8, choices=UploadStatus.choices, default=UploadStatus.QUEUED)
    events = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.camera_id} {self.status}"


class IntegrationKey(models.Model):
    """An external system (a vendor's ANPR box, a traffic centre) allowed to post events.

    Only the SHA-256 of the key is stored; the key itself is shown once when created.
    """

    name = models.CharField(_("hệ thống"), max_length=120)
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)  # first characters, to tell keys apart in the list
    unit = models.ForeignKey(OrganisationUnit, on_delete=models.PROTECT, related_name="+")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
