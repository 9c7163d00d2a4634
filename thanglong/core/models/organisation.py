"""Organisation units of a city police force, their members and roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from thanglong.core.models.divisions import Province, Ward
from thanglong.core.text import fold


class UnitKind(models.TextChoices):
    DIRECTORATE = "directorate", _("Công an thành phố")
    DEPARTMENT = "department", _("Phòng nghiệp vụ")
    WARD_STATION = "ward_station", _("Công an phường/xã")
    COMMAND_CENTRE = "command_centre", _("Trung tâm chỉ huy")
    GOVERNMENT = "government", _("Cơ quan chính quyền")


class Role(models.TextChoices):
    """Roles map one-to-one onto Django groups of the same name (see core.roles)."""

    CITIZEN = "citizen", _("Công dân")
    OFFICER = "officer", _("Cán bộ")
    UNIT_LEADER = "unit_leader", _("Lãnh đạo đơn vị")
    COMMAND_CENTRE = "command_centre", _("Trung tâm chỉ huy")
    ADMINISTRATOR = "administrator", _("Quản trị hệ thống")


class OrganisationUnit(models.Model):
    code = models.CharField(_("mã đơn vị"), max_length=32, unique=True)  # "CAHN", "PC06", "CAP-00166"
    name = models.CharField(_("tên đơn vị"), max_length=160)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=160, blank=True)
    short_name = models.CharField(_("tên viết tắt"), max_length=32, blank=True)
    # Accent-free lower-case names, so "cau giay" finds "Công an phường Cầu Giấy".
    search_name = models.CharField(max_length=400, editable=False, default="", db_index=True)
    kind = models.CharField(_("loại"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    # Materialised path ("/CAHN/PC06/") so "this unit and everything under it" is one indexed query.
    path = models.CharField(max_length=512, db_index=True, editable=False)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="+")
    ward = models.ForeignKey(
        Ward, on_delete=models.PROTECT, null=True, blank=True, related_name="police_units"
    )
    # Categories of work this specialised department handles (used for routing later).
    responsibilities = models.JSONField(default=list, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=32, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")

    def __str__(self) -> str:
        return self.name

    def save(self, *args: object, **kwargs: object) -> None:
        parent_path = self.parent.path if self.parent else "/"
        self.path = f"{parent_path}{self.code}/"
        self.search_name = fold(" ".join(filter(None, [self.name, self.short_name, self.name_en])))
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class Membership(models.Model):
    """A user's role in a unit. Leaders and command staff see the unit's subtree; officers their unit."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrganisationUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    title = models.CharField(_("chức vụ"), max_length=96, blank=True)
    is_primary = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="uniq_membership"),
        ]
        verbose_name = _("thành viên đơn vị")
        verbose_name_plural = _("thành viên đơn vị")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.unit.code}"


class Profile(models.Model):
    """Personal details of a user. ``id_number`` and ``phone`` are personal data: read via services."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    full_name = models.CharField(_("họ và tên"), max_length=128)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    id_number = models.CharField(_("số định danh cá nhân (CCCD)"), max_length=12, blank=True)
    rank = models.CharField(_("cấp bậc"), max_length=64, blank=True)
    preferred_language = models.CharField(max_length=8, default="vi")

    class Meta:
        verbose_name = _("hồ sơ người dùng")
        verbose_name_plural = _("hồ sơ người dùng")

    def __str__(self) -> str:
        return self.full_name
