"""Forms of the call-taker's console. They validate input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from thanglong.core.models import OrganisationUnit, UnitKind, Ward
from thanglong.incidents.choices import IncidentKind, Line, Priority, Status


def city_wards() -> QuerySet[Ward]:
    return Ward.objects.filter(province_id=settings.THANGLONG.get("CITY_PROVINCE_CODE", "01")).order_by(
        "name"
    )


class WardChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class IntakeForm(forms.Form):
    line = forms.ChoiceField(label=_("Đường dây"), choices=Line.choices, initial=Line.POLICE)
    caller_number = forms.CharField(label=_("Số điện thoại người gọi"), max_length=20, required=False)
    caller_name = forms.CharField(label=_("Tên người gọi"), max_length=128, required=False)
    location_text = forms.CharField(
        label=_("Địa điểm xảy ra sự việc"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    ward = WardChoiceField(label=_("Phường/xã"), queryset=Ward.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("Loại sự vụ"), choices=IncidentKind.choices)
    priority = forms.TypedChoiceField(
        label=_("Mức độ"), choices=Priority.choices, coerce=int, initial=Priority.HIGH
    )
    summary = forms.CharField(
        label=_("Ghi chép của cán bộ trực"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["ward"].queryset = city_wards()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("location_text") or "").strip() and not data.get("ward"):
            self.add_error("location_text", _("Cần địa điểm hoặc phường/xã để điều lực lượng."))
        return data


def dispatch_units() -> QuerySet[OrganisationUnit]:
    """Units a call-taker sends: ward stations and the city's departments (fire police, rapid response…)."""
    return OrganisationUnit.objects.filter(
        is_active=True, kind__in=[UnitKind.WARD_STATION, UnitKind.DEPARTMENT, UnitKind.COMMAND_CENTRE]
    ).order_by("kind", "name")


class UnitChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DispatchForm(forms.Form):
    units = UnitChoiceField(label=_("Đơn vị"), queryset=OrganisationUnit.objects.none(), required=False)
    teams = forms.CharField(
        label=_("Tổ, xe được điều (cách nhau bằng dấu phẩy)"), max_length=500, required=False
    )
    note = forms.CharField(label=_("Ghi chú điều động"), max_length=2000, required=False)

    def __init__(self, *args: Any, incident_unit: OrganisationUnit | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = dispatch_units()  # type: ignore[attr-defined]
        if incident_unit is not None and not self.is_bound:
            self.fields["units"].initial = [incident_unit.pk]

    def chosen(self) -> list[OrganisationUnit | str]:
        teams = [team.strip() for team in (self.cleaned_data.get("teams") or "").split(",") if team.strip()]
        return [*self.cleaned_data.get("units", []), *teams]


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Kết quả"),
        choices=[
            (Status.CLOSED, Status.CLOSED.label),
            (Status.CANCELLED, Status.CANCELLED.label),
            (Status.HOAX, Status.HOAX.label),
        ],
    )
    reason = forms.CharField(
        label=_("Kết quả xử lý, lý do"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class HandOffForm(forms.Form):
    reason = forms.CharField(label=_("Vì sao không phải tình huống khẩn cấp"), max_length=500)
    caller_consents = forms.BooleanField(label=_("Người gọi đồng ý được liên hệ lại"), required=False)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("Ghi chú"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm (số sự vụ, địa điểm)"), required=False)
    line = forms.ChoiceField(label=_("Đường dây"), choices=[("", _("Tất cả")), *Line.choices], required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        choices=[("", _("Đang xử lý")), ("all", _("Tất cả")), *Status.choices],
        required=False,
    )
    kind = forms.ChoiceField(
        label=_("Loại"), choices=[("", _("Tất cả")), *IncidentKind.choices], required=False
    )
    priority = forms.TypedChoiceField(
        label=_("Mức độ"),
        choices=[("", _("Tất cả")), *Priority.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
