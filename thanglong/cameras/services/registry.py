"""The camera registry: validated create/update, the secret stream address, and the health view."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Count, Max, QuerySet

from thanglong.cameras.models import Camera, CameraKind, CameraStatus
from thanglong.cameras.services.errors import CameraError
from thanglong.core.access import can_access_unit
from thanglong.core.models import AuditAction, OrganisationUnit, Ward
from thanglong.core.services import RequestContext, record_audit

# Viet Nam's mainland and islands (Hoàng Sa, Trường Sa included), generously rounded.
LATITUDE_RANGE = (Decimal("6.0"), Decimal("23.5"))
LONGITUDE_RANGE = (Decimal("102.0"), Decimal("118.0"))
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_.-]{1,31}$")
STREAM_SCHEMES = {"rtsp", "rtsps", "http", "https", "rtmp", "file"}
EDITABLE = [
    "name",
    "ward",
    "address",
    "latitude",
    "longitude",
    "kind",
    "owner_unit",
    "group",
    "sample_fps",
    "read_plates",
    "read_faces",
    "active",
]


def mask_stream_url(url: str) -> str:
    """``rtsp://admin:pw@10.1.2.3:554/Streaming/101`` → ``rtsp://***@***:554/…``: scheme and port only."""
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "***"
    if not parts.scheme:
        return "***"
    port = f":{parts.port}" if parts.port else ""
    credentials = "***@" if parts.username or parts.password else ""
    return f"{parts.scheme}://{credentials}***{port}/…"


def _coordinate(value: Any, field: str, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        raise CameraError(
            "invalid_coordinate",
            f"{field}: phải là số thập phân (ví dụ 21.028511).",
            f"{field}: must be a decimal number (e.g. 21.028511).",
            field=field,
        )
    low, high = bounds
    if not low <= number <= high:
        raise CameraError(
            "coordinate_out_of_range",
            f"{field}: {number} nằm ngoài lãnh thổ Việt Nam (từ {low} đến {high}).",
            f"{field}: {number} is outside Viet Nam (between {low} and {high}).",
            field=field,
        )
    return number.quantize(Decimal("0.000001"))


def _stream_url(value: str) -> str:
    value = (value or "").strip()
    if not value:
        return ""
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in STREAM_SCHEMES or len(value) > 500:
        raise CameraError(
            "invalid_stream_url",
            "stream_url: địa chỉ luồng phải bắt đầu bằng rtsp://, rtsps://, http(s)://, rtmp:// hoặc file://.",
            "stream_url: the stream address must start with rtsp://, rtsps://, http(s)://, rtmp:// or file://.",
            field="stream_url",
        )
    return value


def clean_fields(data: dict[str, Any], user: User | AnonymousUser) -> dict[str, Any]:
    """Validate the editable fields present in ``data``; returns model values."""
    clean: dict[str, Any] = {}
    if "code" in data:
        code = str(data["code"] or "").strip().upper()
        if not CODE_PATTERN.match(code):
            raise CameraError(
                "invalid_code",
                "code: mã camera gồm 2–32 chữ in hoa, chữ số, dấu gạch (ví dụ HK-001).",
                "code: a camera code has 2–32 capital letters, digits, dashes (e.g. HK-001).",
                field="code",
            )
        clean["code"] = code
    if "name" in data:
        name = str(data["name"] or "").strip()
        if not name:
            raise CameraError(
                "missing", "name: thiếu tên camera.", "name: the camera name is missing.", field="name"
            )
        clean["name"] = name[:160]
    if "ward" in data:
        ward = data["ward"]
        ward_code = ward.pk if isinstance(ward, Ward) else str(ward or "").strip()
        found = Ward.objects.filter(pk=ward_code).first()
        if found is None:
            raise CameraError(
                "unknown_ward",
                f"ward: không có phường/xã mã '{ward_code}'.",
                f"ward: no ward with code '{ward_code}'.",
                field="ward",
            )
        clean["ward"] = found
    if "owner_unit" in data:
        unit = data["owner_unit"]
        found_unit = (
            unit if isinstance(unit, OrganisationUnit) else OrganisationUnit.objects.filter(code=unit).first()
        )
        if found_unit is None or not can_access_unit(user, found_unit):
            raise CameraError(
                "unknown_unit",
                "owner_unit: không có đơn vị này hoặc bạn không quản lý đơn vị này.",
                "owner_unit: no such unit, or not one you manage.",
                field="owner_unit",
            )
        clean["owner_unit"] = found_unit
    if "kind" in data:
        if data["kind"] not in CameraKind.values:
            raise CameraError(
                "invalid_kind",
                "kind: loại camera phải là traffic, security hoặc anpr.",
                "kind: the camera kind must be traffic, security or anpr.",
                field="kind",
            )
        clean["kind"] = data["kind"]
    if "latitude" in data:
        clean["latitude"] = _coordinate(data["latitude"], "latitude", LATITUDE_RANGE)
    if "longitude" in data:
        clean["longitude"] = _coordinate(data["longitude"], "longitude", LONGITUDE_RANGE)
    if ("latitude" in clean) != ("longitude" in clean) or (
        "latitude" in clean and (clean["latitude"] is None) != (clean["longitude"] is None)
    ):
        raise CameraError(
            "incomplete_coordinates",
            "latitude/longitude: cần cả vĩ độ và kinh độ.",
            "latitude/longitude: give both latitude and longitude.",
            field="latitude",
        )
    if "sample_fps" in data:
        try:
            fps = float(data["sample_fps"])
        except (TypeError, ValueError):
            fps = -1.0
        if not 0.1 <= fps <= 30:
            raise CameraError(
                "invalid_fps",
                "sample_fps: từ 0,1 đến 30 khung hình/giây.",
                "sample_fps: between 0.1 and 30 frames per second.",
                field="sample_fps",
            )
        clean["sample_fps"] = fps
    for name in ("address", "group"):
        if name in data:
            clean[name] = str(data[name] or "").strip()[: 255 if name == "address" else 64] or (
                "default" if name == "group" else ""
            )
    for name in ("read_plates", "read_faces", "active"):
        if name in data:
            clean[name] = bool(data[name])
    if "stream_url" in data and data["stream_url"] is not None:
        clean["stream_url"] = _stream_url(str(data["stream_url"]))
    return clean


def create_camera(
    data: dict[str, Any], *, user: User | AnonymousUser, context: RequestContext | None = None
) -> Camera:
    for required in ("code", "name", "ward", "owner_unit"):
        if not data.get(required):
            raise CameraError(
                "missing",
                f"{required}: thiếu trường bắt buộc.",
                f"{required}: this field is required.",
                field=required,
            )
    clean = clean_fields(data, user)
    if Camera.objects.filter(code=clean["code"]).exists():
        raise CameraError(
            "duplicate_code",
            f"code: đã có camera mã {clean['code']}.",
            f"code: camera {clean['code']} already exists.",
            field="code",
            status=409,
        )
    with transaction.atomic():
        camera = Camera.objects.create(**clean)
        record_audit(
            actor=user,
            action=AuditAction.CREATE,
            object_type="cameras.camera",
            object_id=camera.pk,
            object_repr=camera.code,
            fields=sorted(clean),
            context=context,
        )
    return camera


def update_camera(
    camera: Camera, data: dict[str, Any], *, user: User | AnonymousUser, context: RequestContext | None = None
) -> Camera:
    data = {key: value for key, value in data.items() if key != "code"}
    clean = clean_fields(data, user)
    if not clean:
        return camera
    with transaction.atomic():
        for name, value in clean.items():
            setattr(camera, name, value)
        if "active" in clean:
            camera.status = CameraStatus.UNKNOWN if camera.active else CameraStatus.DISABLED
        camera.save()
        fields = sorted(clean)
        record_audit(
            actor=user,
            action=AuditAction.UPDATE,
            object_type="cameras.camera",
            object_id=camera.pk,
            object_repr=camera.code,
            fields=fields,
            context=context,
        )
    return camera


def health(cameras: QuerySet[Camera]) -> dict[str, Any]:
    """Counts by status and the most recent heartbeat, for the health view and the command centre."""
    counts = dict.fromkeys(CameraStatus.values, 0)
    for row in cameras.values("status").annotate(n=Count("id")):
        counts[row["status"]] = row["n"]
    return {
        "counts": counts,
        "total": sum(counts.values()),
        "last_seen_at": cameras.aggregate(last=Max("last_seen_at"))["last"],
        "with_errors": cameras.exclude(last_error="").filter(status=CameraStatus.OFFLINE).count(),
    }
