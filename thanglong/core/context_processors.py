"""Navigation for the shell: which console sections the signed-in user may open."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from thanglong.core.models import Role
from thanglong.core.roles import has_role, is_staff_member


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = request.user
    items: list[dict[str, Any]] = []
    if is_staff_member(user):
        items.append({"url": reverse("console"), "label": _("Bảng điều khiển"), "key": "console"})
        items.append({"url": reverse("core:units"), "label": _("Đơn vị"), "key": "units"})
        items.append({"url": reverse("core:divisions"), "label": _("Địa bàn hành chính"), "key": "divisions"})
        items.append({"url": reverse("core:calendar"), "label": _("Lịch làm việc"), "key": "calendar"})
        if has_role(user, Role.ADMINISTRATOR):
            items.append({"url": reverse("core:audit"), "label": _("Nhật ký truy cập"), "key": "audit"})
    return {"console_navigation": items, "is_staff_member": is_staff_member(user)}
