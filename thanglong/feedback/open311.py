"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2), so existing civic apps can plug in.

Our categories are the services; a report is a service request whose id is its tracking code.
JSON only: the ``.xml`` variants answer 400 with a clear message. Errors have Open311's shape,
``[{"code": 400, "description": "..."}]``.

What is public here is deliberately less than what the unit sees: the text is the masked one, and
withheld entirely for categories where publishing it could expose the person reporting (drugs,
officers' conduct, fraud victims); positions are rounded to about 100 m; anonymous or not, no
contact detail ever leaves. A client that sends contact details is taken to have collected the
citizen's consent under its own privacy notice (GeoReport v2 has no consent field).
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from thanglong.feedback import ratelimit
from thanglong.feedback.choices import OPEN_STATUSES, Category, Channel, EventKind, Status
from thanglong.feedback.models import Report, ReportEvent
from thanglong.feedback.services import intake

MAX_RESULTS = 1000
DEFAULT_DAYS = 90
# Publishing the description of these could point at the person who reported it.
PRIVATE_DESCRIPTION = {Category.DRUGS, Category.OFFICER_CONDUCT, Category.CYBER_FRAUD}
PUBLIC_POSITION = Decimal("0.001")  # ≈ 100 m

SERVICE_DETAILS: dict[str, tuple[str, str, str]] = {
    # code: (group, keywords, description)
    Category.PUBLIC_ORDER: (
        "An ninh, trật tự",
        "gây rối,đánh nhau,trộm cắp,cờ bạc,mất trật tự",
        "Gây rối, đánh nhau, trộm cắp, cờ bạc và các vi phạm trật tự công cộng.",
    ),
    Category.TRAFFIC: (
        "Giao thông",
        "đỗ xe,lấn chiếm vỉa hè,ùn tắc,đua xe,vi phạm giao thông",
        "Đỗ xe sai quy định, lấn chiếm lòng đường, vỉa hè, ùn tắc, đua xe.",
    ),
    Category.DRUGS: ("An ninh, trật tự", "ma tuý,tụ tập sử dụng", "Mua bán, sử dụng trái phép chất ma tuý."),
    Category.CYBER_FRAUD: (
        "Lừa đảo, tội phạm mạng",
        "lừa đảo,cuộc gọi giả mạo,chiếm đoạt tài sản,mạng xã hội",
        "Cuộc gọi, tin nhắn, trang mạng lừa đảo chiếm đoạt tài sản.",
    ),
    Category.FIRE_SAFETY: (
        "Phòng cháy, chữa cháy",
        "cháy nổ,chung cư mini,lối thoát hiểm,bình chữa cháy",
        "Nguy cơ cháy nổ, thiếu lối thoát hiểm, thiết bị phòng cháy.",
    ),
    Category.RESIDENCE_PROCEDURES: (
        "Thủ tục hành chính",
        "cư trú,tạm trú,thường trú,căn cước,hồ sơ",
        "Đăng ký cư trú, căn cước và các thủ tục hành chính do Công an giải quyết.",
    ),
    Category.OFFICER_CONDUCT: (
        "Thủ tục hành chính",
        "thái độ,cán bộ,nhũng nhiễu,tác phong",
        "Thái độ, tác phong, hành vi của cán bộ khi thi hành công vụ.",
    ),
    Category.ENVIRONMENT_NOISE: (
        "Môi trường",
        "tiếng ồn,karaoke,ô nhiễm,xả thải",
        "Tiếng ồn, karaoke, ô nhiễm môi trường, xả thải.",
    ),
    Category.OTHER: ("Khác", "khác", "Các phản ánh, kiến nghị khác."),
}


def _json(body: Any, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type="application/json; charset=utf-8",
    )


def error(status: int, description: str) -> HttpResponse:
    return _json([{"code": status, "description": description}], status=status)


def _format_refused(fmt: str) -> HttpResponse | None:
    if fmt == "json":
        return None
    return error(
        400,
        f"Format '{fmt}' is not supported; use .json (Định dạng '{fmt}' không được hỗ trợ, hãy dùng .json).",
    )


def _limited(request: HttpRequest, scope: str) -> HttpResponse | None:
    limited = ratelimit.check(request, scope)
    if limited is None:
        return None
    response = error(429, f"{limited.message_en} ({limited.message_vi})")
    response["Retry-After"] = str(limited.retry_after)
    return response


@require_http_methods(["GET"])
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    refused = _format_refused(fmt)
    if refused is not None:
        return refused
    body = []
    for code, label in Category.choices:
        group, keywords, description = SERVICE_DETAILS.get(code, ("", "", ""))
        body.append(
            {
                "service_code": code,
                "service_name": str(label),
                "description": _(description) if description else "",
                "metadata": False,
                "type": "realtime",
                "keywords": keywords,
                "group": _(group) if group else "",
            }
        )
    return _json(body)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_collection(request: HttpRequest, fmt: str) -> HttpResponse:
    refused = _format_refused(fmt)
    if refused is not None:
        return refused
    if request.method == "POST":
        return _create(request)
    limited = _limited(request, "open311-read")
    if limited is not None:
        return limited
    try:
        reports = _filtered(request)
    except ValueError as problem:
        return error(400, str(problem))
    return _json(_serialise(reports))


@require_http_methods(["GET"])
def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    refused = _format_refused(fmt)
    if refused is not None:
        return refused
    limited = _limited(request, "open311-read")
    if limited is not None:
        return limited
    reports = Report.objects.filter(tracking_code=request_id.strip().upper())
    body = _serialise(reports)
    if not body:
        return error(404, f"Service request {request_id} not found (không tìm thấy phản ánh).")
    return _json(body)


def _date_param(request: HttpRequest, name: str) -> datetime | None:
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    value = parse_datetime(raw.replace(" ", "+"))  # a "+07:00" sent unencoded arrives as a space
    if value is None:
        raise ValueError(f"{name} must be a W3C date-time such as 2026-03-01T00:00:00+07:00")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _filtered(request: HttpRequest) -> QuerySet[Report]:
    reports = Report.objects.filter(duplicate_of__isnull=True)
    ids = [
        part.strip().upper() for part in request.GET.get("service_request_id", "").split(",") if part.strip()
    ]
    if ids:
        # The spec: with ids, every other parameter is ignored.
        return reports.filter(tracking_code__in=ids[:MAX_RESULTS])
    start, end = _date_param(request, "start_date"), _date_param(request, "end_date")
    if start is None and end is None:
        start = timezone.now() - timedelta(days=DEFAULT_DAYS)
    if start is not None and end is not None and end < start:
        raise ValueError("end_date is before start_date")
    if start is not None:
        reports = reports.filter(received_at__gte=start)
    if end is not None:
        reports = reports.filter(received_at__lte=end)
    codes = [part.strip() for part in request.GET.get("service_code", "").split(",") if part.strip()]
    if codes:
        unknown = [code for code in codes if code not in Category.values]
        if unknown:
            raise ValueError(f"unknown service_code: {', '.join(unknown)}")
        reports = reports.filter(Q(category__in=codes) | Q(category="", category_hint__in=codes))
    state = request.GET.get("status", "").strip().lower()
    if state == "open":
        reports = reports.filter(status__in=OPEN_STATUSES)
    elif state == "closed":
        reports = reports.exclude(status__in=OPEN_STATUSES)
    elif state:
        raise ValueError("status must be open or closed")
    return reports


def _open311_status(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def _position(value: Decimal | None) -> float | None:
    return float(value.quantize(PUBLIC_POSITION, rounding=ROUND_HALF_UP)) if value is not None else None


def _serialise(reports: QuerySet[Report]) -> list[dict[str, Any]]:
    rows = list(
        reports.select_related("unit", "ward").only(
            "tracking_code",
            "status",
            "category",
            "category_hint",
            "masked_text",
            "street",
            "ward__full_name",
            "unit__name",
            "received_at",
            "updated_at",
            "due_at",
            "latitude",
            "longitude",
        )[:MAX_RESULTS]
    )
    notes = _latest_public_replies([row.pk for row in rows])
    body = []
    for report in rows:
        code = report.category or report.category_hint or Category.OTHER
        private = code in PRIVATE_DESCRIPTION
        body.append(
            {
                "service_request_id": report.tracking_code,
                "status": _open311_status(report.status),
                "status_notes": notes.get(report.pk, "") or str(Status(report.status).label),
                "service_name": str(Category(code).label) if code in Category.values else "",
                "service_code": code,
                "description": "" if private else report.masked_text,
                "agency_responsible": report.unit.name if report.unit else "",
                "service_notice": "",
                "requested_datetime": report.received_at.isoformat(),
                "updated_datetime": report.updated_at.isoformat(),
                "expected_datetime": report.due_at.isoformat() if report.due_at else None,
                "address": ", ".join(
                    p for p in (report.street, report.ward.full_name if report.ward else "") if p
                ),
                "address_id": None,
                "zipcode": None,
                "lat": _position(report.latitude),
                "long": _position(report.longitude),
                "media_url": None,
            }
        )
    return body


def _public_address(report: Report) -> str:
    return ", ".join(part for part in (report.street, report.ward.full_name if report.ward else "") if part)


def _latest_public_replies(report_ids: list[int]) -> dict[int, str]:
    notes: dict[int, str] = {}
    events = ReportEvent.objects.filter(report_id__in=report_ids, public=True, kind=EventKind.REPLY)
    for report_id, message in events.order_by("at", "id").values_list("report_id", "message"):
        notes[report_id] = message  # the last one wins
    return notes


def _create(request: HttpRequest) -> HttpResponse:
    limited = _limited(request, "open311-write")
    if limited is not None:
        return limited
    form = request.POST
    service_code = form.get("service_code", "").strip()
    if not service_code:
        return error(400, "service_code is required (thiếu service_code)")
    if service_code not in Category.values:
        return error(404, f"service_code {service_code} not found (không có lĩnh vực này)")
    latitude, longitude = form.get("lat", "").strip(), form.get("long", "").strip()
    address = form.get("address_string", "").strip()
    if not (latitude and longitude) and not address:
        return error(400, "A location is required: lat and long, or address_string (cần vị trí).")
    phone, email = form.get("phone", "").strip(), form.get("email", "").strip()
    name = " ".join(part for part in (form.get("first_name", ""), form.get("last_name", "")) if part.strip())
    data = {
        "text": form.get("description", ""),
        "category_hint": service_code,
        "address": address,
        "latitude": latitude,
        "longitude": longitude,
        "name": name.strip(),
        "phone": phone,
        "email": email,
        "anonymous": not (phone or email),
        "consent": bool(phone or email),
    }
    normalised_phone = intake.normalise_phone(phone) or ""
    if normalised_phone:
        over = ratelimit.check_phone("open311-write", normalised_phone)
        if over is not None:
            return error(429, f"{over.message_en} ({over.message_vi})")
    try:
        report, _created = intake.submit_report(
            data,
            (),
            channel=Channel.OPEN311,
            idempotency_key=request.headers.get("Idempotency-Key"),
            user=request.user,
            client_ip=ratelimit.client_ip(request),
        )
    except intake.IntakeError as problem:
        # Field names follow Open311's where they differ from ours.
        names = {"text": "description", "latitude": "lat", "longitude": "long", "address": "address_string"}
        description = "; ".join(
            f"{names.get(item.field, item.field)}: {item.message_en} ({item.message_vi})"
            for item in problem.errors
        )
        return error(problem.status if problem.status != 422 else 400, description)
    notice = _("Đã tiếp nhận. Tra cứu bằng mã %(code)s.") % {"code": report.tracking_code}
    return _json(
        [{"service_request_id": report.tracking_code, "service_notice": notice, "account_id": None}], 201
    )
