"""Administrative divisions after the 1 July 2025 reform, and the pre-2025 units mapped onto them.

Since 1-7-2025 Vietnam has two levels of local government: 34 provinces and 3,321 wards/communes.
Citizens still write the old three-level addresses ("phường Dịch Vọng, quận Cầu Giấy"), so every
pre-2025 ward is kept with the 2025 ward(s) that took over its territory.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Province(models.Model):
    code = models.CharField(_("mã"), max_length=2, primary_key=True)
    name = models.CharField(_("tên"), max_length=64)  # "Hà Nội"
    full_name = models.CharField(_("tên đầy đủ"), max_length=96)  # "Thành phố Hà Nội"
    name_en = models.CharField(_("tên tiếng Anh"), max_length=96, blank=True)
    kind = models.CharField(_("loại"), max_length=32)  # "Thành phố" / "Tỉnh"
    code_name = models.SlugField(max_length=64, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("tỉnh/thành phố")
        verbose_name_plural = _("tỉnh/thành phố")

    def __str__(self) -> str:
        return self.full_name


class Ward(models.Model):
    code = models.CharField(_("mã"), max_length=5, primary_key=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="wards")
    name = models.CharField(_("tên"), max_length=64)  # "Cầu Giấy"
    full_name = models.CharField(_("tên đầy đủ"), max_length=96)  # "Phường Cầu Giấy"
    name_en = models.CharField(_("tên tiếng Anh"), max_length=96, blank=True)
    kind = models.CharField(_("loại"), max_length=32)  # "Phường" / "Xã" / "Đặc khu"
    code_name = models.SlugField(max_length=64, blank=True)

    class Meta:
        ordering = ["province_id", "code"]
        verbose_name = _("phường/xã")
        verbose_name_plural = _("phường/xã")
        indexes = [models.Index(fields=["province", "name"])]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.province.full_name}"


class LegacyWard(models.Model):
    """A ward/commune as it existed before 1-7-2025, under its old district and province."""

    code = models.CharField(_("mã cũ"), max_length=5, primary_key=True)
    province_code = models.CharField(max_length=2)
    province_name = models.CharField(max_length=64)  # short name: "Hà Nội"
    district_code = models.CharField(max_length=3)
    district_name = models.CharField(max_length=64)  # short name: "Cầu Giấy"
    district_kind = models.CharField(max_length=32)  # "Quận" / "Huyện" / "Thị xã" / "Thành phố"
    name = models.CharField(max_length=64)  # "Dịch Vọng"
    kind = models.CharField(max_length=32)  # "Phường" / "Xã" / "Thị trấn"
    successor = models.ForeignKey(
        Ward,
        on_delete=models.SET_NULL,
        null=True,
        related_name="legacy_wards",
        help_text=_("Phường/xã mới nhận phần lớn (hoặc toàn bộ) địa bàn"),
    )
    is_split = models.BooleanField(default=False, help_text=_("Địa bàn cũ được chia cho nhiều phường/xã mới"))

    class Meta:
        ordering = ["code"]
        verbose_name = _("phường/xã cũ (trước 1/7/2025)")
        verbose_name_plural = _("phường/xã cũ (trước 1/7/2025)")
        indexes = [models.Index(fields=["province_code", "district_name"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.name}, {self.district_kind} {self.district_name}, {self.province_name}"


class LegacyWardSuccessor(models.Model):
    """Every 2025 ward that received part of a split pre-2025 ward."""

    legacy_ward = models.ForeignKey(LegacyWard, on_delete=models.CASCADE, related_name="successors")
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="+")
    is_default = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["legacy_ward", "ward"], name="uniq_legacy_successor")]

    def __str__(self) -> str:
        return f"{self.legacy_ward_id} → {self.ward_id}"
