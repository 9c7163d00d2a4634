"""Vietnamese working-day calendar: public holidays, days off in lieu and make-up working days."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Ngày lễ, Tết")
    DAY_OFF = "day_off", _("Ngày nghỉ bù / hoán đổi")
    MAKEUP_WORKDAY = "makeup_workday", _("Ngày làm bù")


class CalendarDay(models.Model):
    """An exception to the Monday–Friday working week. Weekends need no row."""

    date = models.DateField(_("ngày"), unique=True)
    kind = models.CharField(_("loại"), max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField(_("tên"), max_length=128)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=128, blank=True)
    # Where the date comes from: the Labour Code rule or the announcement that fixed it.
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("ngày nghỉ/làm bù")
        verbose_name_plural = _("lịch ngày nghỉ/làm bù")

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"
