"""Vocabularies of 113/114 incidents: lines, types, priorities, statuses and the moves between them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Line(models.TextChoices):
    POLICE = "113", _("113 – Cảnh sát")
    FIRE_RESCUE = "114", _("114 – Cứu hoả, cứu nạn")


class IncidentKind(models.TextChoices):
    CRIME = "crime", _("Trộm, cướp, tội phạm")
    VIOLENCE = "violence", _("Đánh nhau, gây rối")
    TRAFFIC = "traffic", _("Tai nạn giao thông")
    FIRE = "fire", _("Cháy, nổ")
    RESCUE = "rescue", _("Cứu nạn, cứu hộ")
    MEDICAL = "medical", _("Cấp cứu người bị nạn")
    OTHER = "other", _("Khác")


# The line a type normally belongs to (a call-taker may still record a fire reported on 113).
LINE_OF_KIND = {
    IncidentKind.FIRE: Line.FIRE_RESCUE,
    IncidentKind.RESCUE: Line.FIRE_RESCUE,
}


class Priority(models.IntegerChoices):
    CRITICAL = 1, _("Đặc biệt khẩn cấp")
    HIGH = 2, _("Khẩn cấp")
    NORMAL = 3, _("Bình thường")


class Status(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    DISPATCHED = "dispatched", _("Đã điều lực lượng")
    ON_SCENE = "on_scene", _("Đã có mặt tại hiện trường")
    CLOSED = "closed", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Huỷ")
    HOAX = "hoax", _("Báo tin giả")
    REFERRED = "referred", _("Chuyển thành phản ánh")


OPEN_STATUSES = (Status.RECEIVED, Status.DISPATCHED, Status.ON_SCENE)
# Moves the service layer allows; dispatching again from "dispatched" sends more units.
TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.DISPATCHED, Status.CLOSED, Status.CANCELLED, Status.HOAX, Status.REFERRED},
    Status.DISPATCHED: {Status.DISPATCHED, Status.ON_SCENE, Status.CLOSED, Status.CANCELLED, Status.HOAX},
    Status.ON_SCENE: {Status.DISPATCHED, Status.CLOSED, Status.HOAX},  # units find nothing there
    Status.CLOSED: set(),
    Status.CANCELLED: set(),
    Status.HOAX: set(),
    Status.REFERRED: set(),
}
# Ending an incident this way needs a reason in the timeline.
NEEDS_REASON = {Status.CANCELLED, Status.HOAX, Status.REFERRED}


class Channel(models.TextChoices):
    PHONE = "phone", _("Cán bộ trực nhận điện thoại")
    CALLBOT = "callbot", _("Tổng đài tự động")
    ASSISTANT = "assistant", _("Trợ lý ảo")
    FEEDBACK = "feedback", _("Phản ánh, kiến nghị")
    ZALO = "zalo", _("Zalo OA")
    OTHER = "other", _("Kênh khác")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận")
    DISPATCHED = "dispatched", _("Điều lực lượng")
    ON_SCENE = "on_scene", _("Có mặt tại hiện trường")
    CLOSED = "closed", _("Kết thúc")
    CANCELLED = "cancelled", _("Huỷ")
    HOAX = "hoax", _("Báo tin giả")
    REFERRED = "referred", _("Chuyển thành phản ánh")
    NOTE = "note", _("Ghi chú")
