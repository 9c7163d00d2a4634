"""Administrative procedures, their reviewed versions, and what a citizen needs to bring and pay."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from thanglong.core.text import fold


class Level(models.TextChoices):
    CENTRAL = "central", _("Cấp trung ương")
    PROVINCE = "province", _("Cấp tỉnh")
    # The portal still lists district-level procedures; districts were abolished on 1 July 2025.
    DISTRICT = "district", _("Cấp huyện (trước 1/7/2025)")
    COMMUNE = "commune", _("Cấp xã")


class Source(models.TextChoices):
    PORTAL = "portal", _("Cổng Dịch vụ công quốc gia")
    AUTHORED = "authored", _("Do đơn vị biên soạn")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã công bố")
    ARCHIVED = "archived", _("Lưu trữ")


class VersionOrigin(models.TextChoices):
    PORTAL_IMPORT = "portal_import", _("Nhập từ Cổng Dịch vụ công")
    OFFICER = "officer", _("Cán bộ biên soạn")


class FeeKind(models.TextChoices):
    CHARGE = "phi", _("Phí")
    LEVY = "le_phi", _("Lệ phí")


class Channel(models.TextChoices):
    IN_PERSON = "in_person", _("Trực tiếp")
    ONLINE = "online", _("Trực tuyến")
    POST = "post", _("Dịch vụ bưu chính")
    OTHER = "other", _("Hình thức khác")


class Procedure(models.Model):
    code = models.CharField(_("mã thủ tục"), max_length=32, unique=True)  # "1.004194"; ours: "TL.0001"
    name = models.CharField(_("tên thủ tục"), max_length=300)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=300, blank=True)
    # Accent-free copy of the name so "dang ky tam tru" finds "Đăng ký tạm trú" with one indexed query.
    name_folded = models.CharField(max_length=300, editable=False, db_index=True)
    area = models.CharField(_("lĩnh vực"), max_length=64, blank=True)  # "Cư trú", "Căn cước"…
    level = models.CharField(_("cấp thực hiện"), max_length=16, choices=Level.choices, blank=True)
    agency = models.CharField(_("cơ quan thực hiện"), max_length=255, blank=True)
    result = models.TextField(_("kết quả thực hiện"), blank=True)
    requesters = models.TextField(_("đối tượng thực hiện"), blank=True)
    source = models.CharField(_("nguồn"), max_length=16, choices=Source.choices)
    source_url = models.URLField(_("địa chỉ nguồn"), max_length=500, blank=True)
    needs_review = models.BooleanField(_("cần rà soát"), default=True)
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)
    updated_at = models.DateTimeField(_("thời điểm cập nhật"), auto_now=True)

    class Meta:
        ordering = ["area", "name", "code"]
        verbose_name = _("thủ tục hành chính")
        verbose_name_plural = _("thủ tục hành chính")

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.name_folded = fold(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:  # type: ignore[operator]
            kwargs["update_fields"] = {*update_fields, "name_folded"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def published_version(self) -> ProcedureVersion | None:
        return self.versions.filter(status=VersionStatus.PUBLISHED).first()


class ProcedureVersion(models.Model):
    """One reviewed state of a procedure. Citizens and the assistant only ever see the published one."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    origin = models.CharField(_("nguồn nội dung"), max_length=16, choices=VersionOrigin.choices)
    # Steps as the portal words them, one string per "Bước N".
    steps = models.JSONField(_("trình tự thực hiện"), default=list, blank=True)
    # [{"kind": "in_person"|"online"|"post"|"other", "description", "time_limit", "reception_hours",
    #   "fees": ["Phí: 10.000 đồng", …]}, …]
    channels = models.JSONField(_("cách thức thực hiện"), default=list, blank=True)
    processing_time_text = models.TextField(_("thời hạn giải quyết"), blank=True)
    # Upper bound in working days when the text states one; null when it does not ("never guess").
    processing_working_days = models.PositiveIntegerField(_("số ngày làm việc"), null=True, blank=True)
    requirements = models.TextField(_("yêu cầu, điều kiện"), blank=True)
    # Why this version needs an officer's eye: missing amounts, no time limit, no agency…
    review_notes = models.JSONField(_("ghi chú rà soát"), default=list, blank=True)
    source_text = models.TextField(_("văn bản nguồn"), blank=True)
    source_hash = models.CharField(max_length=64, blank=True, db_index=True)
    reviewed_at = models.DateTimeField(_("ngày rà soát"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người rà soát"),
    )
    created_at = models.DateTimeField(_("thời điểm tạo"), auto_now_add=True)

    class Meta:
        ordering = ["procedure", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["procedure", "number"], name="uniq_procedure_version_number"),
            models.UniqueConstraint(
                fields=["procedure"],
                condition=Q(status="published"),
                name="one_published_version_per_procedure",
            ),
        ]
        verbose_name = _("phiên bản thủ tục")
        verbose_name_plural = _("phiên bản thủ tục")

    def __str__(self) -> str:
        return f"{self.procedure.code} v{self.number} ({self.get_status_display()})"


class RequiredDocument(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveIntegerField(default=0)
    name = models.TextField(_("tên giấy tờ"))
    # Form codes named in the text, comma-separated when a row offers several ("TK01, TK01a").
    form_code = models.CharField(_("mã mẫu"), max_length=64, blank=True, db_index=True)
    originals = models.PositiveSmallIntegerField(_("bản chính"), default=0)
    copies = models.PositiveSmallIntegerField(_("bản sao"), default=0)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("thành phần hồ sơ")
        verbose_name_plural = _("thành phần hồ sơ")

    def __str__(self) -> str:
        return self.name[:80]

    @property
    def form_codes(self) -> list[str]:
        return [code.strip() for code in self.form_code.split(",") if code.strip()]


class Fee(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="fees")
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("loại"), max_length=8, choices=FeeKind.choices)
    # Null means the source gives no amount: unknown, to be reviewed. Never stored as 0 by guesswork.
    amount_vnd = models.PositiveIntegerField(_("số tiền (đồng)"), null=True, blank=True)
    amount_text = models.CharField(_("số tiền như ghi trên nguồn"), max_length=64, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    channel = models.CharField(_("hình thức nộp"), max_length=16, choices=Channel.choices, blank=True)
    exemption = models.TextField(_("miễn, giảm"), blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("phí, lệ phí")
        verbose_name_plural = _("phí, lệ phí")

    def __str__(self) -> str:
        amount = f"{self.amount_vnd} đ" if self.amount_vnd is not None else self.exemption or "?"
        return f"{self.get_kind_display()}: {amount}"


class LegalCitation(models.Model):
    version = models.ForeignKey(ProcedureVersion, on_delete=models.CASCADE, related_name="citations")
    position = models.PositiveIntegerField(default=0)
    doc_type = models.CharField(_("loại văn bản"), max_length=32)  # Luật, Nghị định, Thông tư…
    number = models.CharField(_("số hiệu"), max_length=64, blank=True)  # "66/2023/TT-BCA"
    title = models.CharField(_("tên văn bản"), max_length=300, blank=True)
    issued_on = models.DateField(_("ngày ban hành"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=128, blank=True)
    article = models.TextField(_("điều, khoản"), blank=True)
    note = models.TextField(_("ghi chú"), blank=True)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("căn cứ pháp lý")
        verbose_name_plural = _("căn cứ pháp lý")

    def __str__(self) -> str:
        return " ".join(filter(None, [self.doc_type, self.number or self.title]))


class ProcedurePhrase(models.Model):
    """Another way citizens name a procedure ("làm KT3", "đăng ký tạm trú online"), for retrieval."""

    procedure = models.ForeignKey(Procedure, on_delete=models.CASCADE, related_name="phrases")
    text = models.CharField(_("cách gọi"), max_length=300)
    text_folded = models.CharField(max_length=300, editable=False, db_index=True)
    lang = models.CharField(
        _("ngôn ngữ"), max_length=8, choices=[("vi", "Tiếng Việt"), ("en", "English")], default="vi"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["procedure", "text_folded", "lang"], name="uniq_procedure_phrase"
            ),
        ]
        verbose_name = _("cách gọi khác")
        verbose_name_plural = _("cách gọi khác")

    def __str__(self) -> str:
        return self.text

    def save(self, *args: object, **kwargs: object) -> None:
        self.text_folded = fold(self.text)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
