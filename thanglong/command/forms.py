"""Forms of the command console; they validate input, the services decide what is allowed."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from thanglong.command import periods
from thanglong.command.models import ReportFormat
from thanglong.core.access import visible_units
from thanglong.core.models import OrganisationUnit

Actor = User | AnonymousUser
PERIOD_CHOICES = [
    (periods.WEEK, _("Tuần")),
    (periods.MONTH, _("Tháng")),
    (periods.QUARTER, _("Quý")),
]


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class PeriodForm(forms.Form):
    """Period picker of the performance page: ?period=month&key=2026-10&unit=12"""

    period = forms.ChoiceField(label=_("Kỳ"), choices=PERIOD_CHOICES, required=False)
    key = forms.CharField(label=_("Kỳ báo cáo"), required=False, max_length=10)
    unit = UnitChoiceField(
        label=_("Đơn vị"), queryset=OrganisationUnit.objects.none(), required=False, empty_label=_("Tất cả")
    )

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user).order_by("path")  # type: ignore[attr-defined]

    def chosen(self) -> tuple[periods.Period, OrganisationUnit | None]:
        data = self.cleaned_data if self.is_valid() else {}
        kind = data.get("period") or periods.MONTH
        return periods.parse(kind, data.get("key") or ""), data.get("unit")


class ReportRequestForm(forms.Form):
    unit = UnitChoiceField(label=_("Đơn vị"), queryset=OrganisationUnit.objects.none())
    period = forms.ChoiceField(label=_("Loại kỳ"), choices=PERIOD_CHOICES, initial=periods.MONTH)
    key = forms.CharField(
        label=_("Kỳ báo cáo"),
        max_length=10,
        help_text=_("Ví dụ: 2026-10 (tháng), 2026-W44 (tuần), 2026-Q4 (quý)"),
    )
    format = forms.ChoiceField(label=_("Định dạng"), choices=ReportFormat.choices, initial=ReportFormat.PDF)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = visible_units(user).order_by("path")  # type: ignore[attr-defined]
        if not self.is_bound:
            last_month = periods.containing(periods.MONTH, timezone.localdate()).previous()
            self.fields["key"].initial = last_month.key

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, key = data.get("period"), (data.get("key") or "").strip()
        if kind and key:
            period = periods.parse(kind, key)
            if period.key != key:
                self.add_error("key", _("Kỳ báo cáo không đúng dạng."))
            elif period.first_day > timezone.localdate():
                self.add_error("key", _("Kỳ báo cáo chưa bắt đầu."))
            else:
                data["period_obj"] = period
        return data


class ProgressForm(forms.Form):
    value = forms.DecimalField(label=_("Giá trị đạt được"), max_digits=14, decimal_places=2)
    as_of = forms.DateField(label=_("Số liệu tính đến ngày"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Thuyết minh"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_value(self) -> Decimal:
        value: Decimal = self.cleaned_data["value"]
        if value < 0:
            raise forms.ValidationError(_("Giá trị không được âm."))
        return value
