"""Navigation for the shell: which console sections the signed-in user may open."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from thanglong.core.models import Membership, Role
from thanglong.core.roles import has_role, is_staff_member


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None) or AnonymousUser()  # pages rendered without auth middleware
    items: list[dict[str, Any]] = []
    if is_staff_member(user):
        items.append({"url": reverse("console"), "label": _("Bảng điều khiển"), "key": "console"})
        items.append(
            {"url": reverse("feedback_console:queue"), "label": _("Phản ánh, kiến nghị"), "key": "queue"}
        )
        if has_role(user, Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
            items.append(
                {"url": reverse("command:overview"), "label": _("Chỉ huy, điều hành"), "key": "overview"}
            )
        else:
            items.append({"url": reverse("command:targets"), "label": _("Chỉ tiêu"), "key": "targets"})
        items.append({"url": reverse("documents:index"), "label": _("Kho văn bản"), "key": "documents"})
        items.append({"url": reverse("voice:calls"), "label": _("Tổng đài tự động"), "key": "calls"})
        if user.has_perm("cameras.view_camera"):
            items.append({"url": reverse("cameras:index"), "label": _("Camera AI"), "key": "cameras"})
        if user.has_perm("incidents.view_incident"):
            items.append({"url": reverse("incidents:list"), "label": _("Sự vụ 113/114"), "key": "incidents"})
        items.append({"url": reverse("core:units"), "label": _("Đơn vị"), "key": "units"})
        items.append({"url": reverse("core:divisions"), "label": _("Địa bàn hành chính"), "key": "divisions"})
        items.append({"url": reverse("core:calendar"), "label": _("Lịch làm việc"), "key": "calendar"})
        from thanglong.assistant.services import is_assistant_desk

        if is_assistant_desk(user):
            items.append({"url": reverse("assistant:desk"), "label": _("Trợ lý ảo"), "key": "desk"})
        if has_role(user, Role.ADMINISTRATOR):
            items.append({"url": reverse("core:audit"), "label": _("Nhật ký truy cập"), "key": "audit"})
    primary = None
    if isinstance(user, User):
        memberships = Membership.objects.filter(user_id=user.pk).select_related("unit")
        primary = memberships.order_by("-is_primary", "id").first()
    return {
        "console_navigation": items,
        "is_staff_member": is_staff_member(user),
        "primary_membership": primary,
    }
