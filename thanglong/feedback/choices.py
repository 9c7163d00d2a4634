"""Vocabularies of the feedback domain: categories, statuses, priorities, channels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    PUBLIC_ORDER = "public_order", _("An ninh, trật tự")
    TRAFFIC = "traffic", _("Giao thông")
    DRUGS = "drugs", _("Ma tuý")
    CYBER_FRAUD = "cyber_fraud", _("Lừa đảo, tội phạm mạng")
    FIRE_SAFETY = "fire_safety", _("Phòng cháy, chữa cháy")
    RESIDENCE_PROCEDURES = "residence_procedures", _("Cư trú, thủ tục hành chính")
    OFFICER_CONDUCT = "officer_conduct", _("Thái độ, tác phong cán bộ")
    ENVIRONMENT_NOISE = "environment_noise", _("Môi trường, tiếng ồn")
    OTHER = "other", _("Khác")


class Status(models.TextChoices):
    RECEIVED = "received", _("Đã tiếp nhận")
    ASSIGNED = "assigned", _("Đã phân công")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    WAITING_CITIZEN = "waiting_citizen", _("Chờ người dân bổ sung")
    RESOLVED = "resolved", _("Đã giải quyết")
    CLOSED = "closed", _("Đã đóng")
    REJECTED = "rejected", _("Từ chối")
    TRANSFERRED = "transferred", _("Đã chuyển đơn vị khác")


# Allowed workflow moves; every other transition is refused by the service layer.
TRANSITIONS: dict[str, set[str]] = {
    Status.RECEIVED: {Status.ASSIGNED, Status.IN_PROGRESS, Status.REJECTED, Status.TRANSFERRED},
    Status.ASSIGNED: {Status.IN_PROGRESS, Status.REJECTED, Status.TRANSFERRED, Status.ASSIGNED},
    Status.IN_PROGRESS: {Status.WAITING_CITIZEN, Status.RESOLVED, Status.TRANSFERRED, Status.REJECTED},
    Status.WAITING_CITIZEN: {Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED},
    Status.RESOLVED: {Status.CLOSED, Status.IN_PROGRESS},  # reopened when the citizen is not satisfied
    Status.TRANSFERRED: {Status.ASSIGNED, Status.IN_PROGRESS},
    Status.REJECTED: {Status.CLOSED},
    Status.CLOSED: set(),
}
OPEN_STATUSES = {
    Status.RECEIVED,
    Status.ASSIGNED,
    Status.IN_PROGRESS,
    Status.WAITING_CITIZEN,
    Status.TRANSFERRED,
}


class Priority(models.IntegerChoices):
    URGENT = 1, _("Khẩn cấp")
    HIGH = 2, _("Cao")
    NORMAL = 3, _("Bình thường")
    LOW = 4, _("Thấp")


class Channel(models.TextChoices):
    WEB = "web", _("Cổng thông tin")
    API = "api", _("API")
    OPEN311 = "open311", _("Open311")
    ASSISTANT = "assistant", _("Trợ lý ảo")
    ZALO = "zalo", _("Zalo OA")
    PHONE = "phone", _("Điện thoại")
    OFFICER = "officer", _("Cán bộ nhập")


class TriageState(models.TextChoices):
    PENDING = "pending", _("Chờ phân loại")
    DONE = "done", _("Đã phân loại")
    DISPATCHER = "dispatcher", _("Chờ điều phối viên")  # low confidence: a person decides
    FAILED = "failed", _("Lỗi phân loại")


class EventKind(models.TextChoices):
    RECEIVED = "received", _("Tiếp nhận")
    TRIAGED = "triaged", _("Phân loại tự động")
    STATUS = "status", _("Đổi trạng thái")
    ASSIGNED = "assigned", _("Phân công")
    ESCALATED = "escalated", _("Chuyển cấp trên")
    NOTE = "note", _("Ghi chú nội bộ")
    REPLY = "reply", _("Trả lời người dân")
    MERGED = "merged", _("Gộp phản ánh trùng")
    CORRECTED = "corrected", _("Sửa phân loại")
    RATED = "rated", _("Người dân đánh giá")
    ALERT = "alert", _("Cảnh báo")


# Working days to resolve, per category (Vietnamese working days via core.calendar).
DEFAULT_SLA_WORKING_DAYS: dict[str, int] = {
    Category.PUBLIC_ORDER: 5,
    Category.TRAFFIC: 5,
    Category.DRUGS: 5,
    Category.CYBER_FRAUD: 10,
    Category.FIRE_SAFETY: 3,
    Category.RESIDENCE_PROCEDURES: 7,
    Category.OFFICER_CONDUCT: 10,
    Category.ENVIRONMENT_NOISE: 5,
    Category.OTHER: 10,
}
URGENT_SLA_WORKING_DAYS = 1
