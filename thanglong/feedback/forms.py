"""Forms of the officer console. They validate input only; the services decide what is allowed."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from thanglong.core.access import visible_units
from thanglong.core.models import OrganisationUnit
from thanglong.feedback.choices import TRANSITIONS, Category, Priority, Status
from thanglong.feedback.models import Report
from thanglong.feedback.services.queries import NEAR_DEADLINE, OVERDUE, QueueFilters

Actor = User | AnonymousUser
REASON_MAX = 255


def officers_of(units: QuerySet[OrganisationUnit]) -> QuerySet[User]:
    return (
        User.objects.filter(is_active=True, memberships__unit__in=units)
        .select_related("profile")
        .distinct()
        .order_by("profile__full_name", "username")
    )


class OfficerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        profile = getattr(obj, "profile", None)
        return f"{profile.full_name} ({obj.username})" if profile else obj.username


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.code})"


class QueueFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    category = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    priority = forms.TypedChoiceField(label=_("Mức ưu tiên"), required=False, coerce=int, empty_value=None)
    deadline = forms.ChoiceField(label=_("Thời hạn"), required=False)
    unit = UnitChoiceField(
        label=_("Đơn vị"), required=False, queryset=OrganisationUnit.objects.none(), empty_label=_("Tất cả")
    )
    mine = forms.BooleanField(label=_("Chỉ phản ánh giao cho tôi"), required=False)
    unassigned = forms.BooleanField(label=_("Chỉ phản ánh chưa giao cán bộ"), required=False)
    closed = forms.BooleanField(label=_("Gồm cả phản ánh đã kết thúc"), required=False)
    # Set by links from the command dashboard (a ward's figure, "new in the last hour"); kept as hidden
    # inputs so the other filters can still be changed.
    ward = forms.CharField(label=_("Phường/xã"), required=False, max_length=12)
    received_after = forms.DateTimeField(label=_("Nhận sau"), required=False)
    received_before = forms.DateTimeField(label=_("Nhận đến"), required=False)

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything = [("", _("Tất cả"))]
        self.fields["status"].choices = [*everything, *Status.choices]  # type: ignore[attr-defined]
        self.fields["category"].choices = [*everything, *Category.choices]  # type: ignore[attr-defined]
        self.fields["priority"].choices = [*everything, *Priority.choices]  # type: ignore[attr-defined]
        self.fields["deadline"].choices = [  # type: ignore[attr-defined]
            *everything,
            (OVERDUE, _("Quá hạn")),
            (NEAR_DEADLINE, _("Sắp đến hạn (≤ 1 ngày làm việc)")),
        ]
        self.fields["unit"].queryset = visible_units(user).order_by("path")  # type: ignore[attr-defined]

    def filters(self) -> QueueFilters:
        data = self.cleaned_data if self.is_valid() else {}
        return QueueFilters(
            status=data.get("status") or "",
            category=data.get("category") or "",
            priority=data.get("priority"),
            unit=data.get("unit"),
            deadline=data.get("deadline") or "",
            q=data.get("q") or "",
            mine=bool(data.get("mine")),
            unassigned=bool(data.get("unassigned")),
            include_closed=bool(data.get("closed")),
            ward=data.get("ward") or "",
            received_after=data.get("received_after"),
            received_before=data.get("received_before"),
        )


class BulkAssignForm(forms.Form):
    reports = forms.ModelMultipleChoiceField(queryset=Report.objects.none())
    officer = OfficerChoiceField(label=_("Giao cho cán bộ"), queryset=User.objects.none())

    def __init__(
        self, *args: Any, reports: QuerySet[Report], officers: QuerySet[User], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reports"].queryset = reports  # type: ignore[attr-defined]
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]


class AssignForm(forms.Form):
    officer = OfficerChoiceField(label=_("Cán bộ xử lý"), queryset=User.objects.none())

    def __init__(self, *args: Any, officers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = officers  # type: ignore[attr-defined]


class TransitionForm(forms.Form):
    to_status = forms.ChoiceField(label=_("Chuyển sang trạng thái"))
    public_message = forms.CharField(
        label=_("Trả lời người dân (bắt buộc khi đã giải quyết)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    reason = forms.CharField(
        label=_("Lý do (nội bộ; bắt buộc khi từ chối)"), required=False, max_length=REASON_MAX
    )

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = TRANSITIONS.get(report.status, set()) - {Status.TRANSFERRED, Status.ASSIGNED}
        self.fields["to_status"].choices = [  # type: ignore[attr-defined]
            (value, label) for value, label in Status.choices if value in allowed
        ]


class TextForm(forms.Form):
    text = forms.CharField(label=_("Nội dung"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Lý do"), max_length=REASON_MAX, min_length=3)


class TransferForm(forms.Form):
    unit = UnitChoiceField(label=_("Đơn vị nhận"), queryset=OrganisationUnit.objects.none())
    reason = forms.CharField(label=_("Lý do chuyển"), max_length=REASON_MAX, min_length=3)

    def __init__(self, *args: Any, report: Report, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Any active unit: a ward station hands a report to the neighbouring ward it cannot see.
        units = OrganisationUnit.objects.filter(is_active=True).order_by("path")
        if report.unit_id is not None:
            units = units.exclude(pk=report.unit_id)
        self.fields["unit"].queryset = units  # type: ignore[attr-defined]


class MergeForm(forms.Form):
    others = forms.ModelMultipleChoiceField(
        label=_("Phản ánh trùng"), queryset=Report.objects.none(), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, candidates: list[Report], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids: list[int] = [int(report.pk) for report in candidates if report.pk is not None]
        self.fields["others"].queryset = Report.objects.filter(pk__in=ids)  # type: ignore[attr-defined]


class CorrectionForm(forms.Form):
    field = forms.ChoiceField(choices=[("category", "category"), ("unit", "unit"), ("priority", "priority")])
    value = forms.CharField(max_length=64)


class RevealContactForm(forms.Form):
    reason = forms.CharField(
        label=_("Lý do xem thông tin cá nhân (được ghi nhật ký)"), max_length=REASON_MAX, min_length=3
    )


INTAKE_FIELDS = ("text", "category_hint", "address", "anonymous", "name", "phone", "consent")


def new_idempotency_key() -> str:
    """The retry token a form carries: submitting the same form twice records one report."""
    return f"console-{uuid.uuid4().hex}"


class PhoneReportForm(forms.Form):
    """What an officer types while a citizen reports by phone; the intake decides what is acceptable."""

    text = forms.CharField(
        label=_("Nội dung người gọi trình bày"), max_length=5000, widget=forms.Textarea(attrs={"rows": 7})
    )
    category_hint = forms.ChoiceField(label=_("Lĩnh vực (không bắt buộc)"), required=False)
    address = forms.CharField(label=_("Địa chỉ nơi xảy ra sự việc"), required=False, max_length=500)
    anonymous = forms.BooleanField(label=_("Người gọi đề nghị giữ kín danh tính (ẩn danh)"), required=False)
    name = forms.CharField(label=_("Họ tên người gọi"), required=False, max_length=128)
    phone = forms.CharField(label=_("Số điện thoại người gọi"), required=False, max_length=32)
    consent = forms.BooleanField(
        label=_(
            "Người gọi đã đồng ý bằng lời để Công an thành phố Hà Nội xử lý thông tin cá nhân của mình nhằm "
            "giải quyết phản ánh này."
        ),
        required=False,
    )
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category_hint"].choices = [  # type: ignore[attr-defined]
            ("", _("— Chưa rõ, để hệ thống phân loại —")),
            *Category.choices,
        ]

    def intake_data(self) -> dict[str, Any]:
        """The submission in the shape every intake channel uses."""
        data = self.cleaned_data
        return {name: data.get(name) for name in INTAKE_FIELDS}
