"""Which unit an upload belongs to: the one named (if the uploader may see it), else their own."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from thanglong.core.access import can_access_unit
from thanglong.core.models import Membership, OrganisationUnit
from thanglong.documents.services.intake import IntakeError


def upload_unit(user: User | AnonymousUser, code: str | None) -> OrganisationUnit:
    if code:
        unit = OrganisationUnit.objects.filter(code=code).first()
        if unit is None or not can_access_unit(user, unit):
            raise IntakeError(
                "unknown_unit",
                f"Không có đơn vị {code} trong phạm vi của bạn.",
                f"There is no unit {code} within your scope.",
                field="unit",
            )
        return unit
    membership = (
        Membership.objects.filter(user_id=user.pk or 0)
        .select_related("unit")
        .order_by("-is_primary", "id")
        .first()
    )
    if membership is None:
        raise IntakeError(
            "no_unit", "Tài khoản chưa thuộc đơn vị nào.", "Your account belongs to no unit.", field="unit"
        )
    return membership.unit
