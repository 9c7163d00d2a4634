"""Public feedback API: submit a report, look up its status, rate the result.

No sign-in (``auth=None``), so ninja checks no CSRF token here: these endpoints read no cookie. Every
endpoint is rate-limited per client IP (submissions per phone number too).

``POST /api/v1/feedback`` answers 201 only after the report and its files are committed; a retry with
the same ``Idempotency-Key`` header answers 200 with the first report's body.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from django.core.exceptions import RequestDataTooBig, TooManyFilesSent
from django.http import HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.urls import get_script_prefix, reverse
from ninja import Router, Status
from pydantic import ValidationError as PydanticValidationError

from thanglong.core.api_errors import bilingual_error, describe_errors
from thanglong.core.schemas import ErrorOut
from thanglong.feedback import attachments, ratelimit
from thanglong.feedback.choices import Channel
from thanglong.feedback.models import Report
from thanglong.feedback.schemas import (
    FeedbackCreatedOut,
    FeedbackIn,
    InvalidInputOut,
    PublicReportOut,
    RatingIn,
    RatingOut,
)
from thanglong.feedback.services import intake, public

router = Router(tags=["feedback"])

NOT_FOUND = bilingual_error(
    "not_found",
    "Không tìm thấy phản ánh với mã và 4 số cuối điện thoại này. Hãy kiểm tra lại.",
    "No report matches this code and these last 4 phone digits. Please check them.",
)


def _json_error(body: dict[str, Any], status: int, retry_after: int | None = None) -> JsonResponse:
    response = JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


def rate_limited(limited: ratelimit.Limited) -> JsonResponse:
    return _json_error(limited.as_dict(), 429, limited.retry_after)


def too_large_body() -> dict[str, Any]:
    total = attachments.limits().max_total_bytes // attachments.MB
    return {
        **bilingual_error(
            "too_large",
            f"Yêu cầu quá lớn: tổng dung lượng tệp đính kèm tối đa {total} MB.",
            f"The request is too large: attachments may total at most {total} MB.",
        ),
        "fields": [],
    }


def request_too_large(request: HttpRequest) -> bool:
    """Refuse an oversized upload from its Content-Length, before a byte of it is read."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > attachments.limits().max_request_bytes


_URL_SAFE = re.compile(r"[A-Za-z0-9_-]+")


@lru_cache(maxsize=8)
def _link_paths(script_prefix: str) -> tuple[str, str]:
    """The status and secret-link paths with stand-ins for the code and secret, per script prefix.

    reverse() walks the URL resolver on every call; for the two links of every acknowledged report
    that was a tenth of the intake's Python time. Codes and secrets are URL-safe, so reverse() would
    not quote them: putting them into the reversed pattern gives the same path.
    """
    return reverse("feedback:status"), reverse("feedback:secret", args=["0CODE0", "0SECRET0"])


def _secret_path(code: str, secret: str) -> str:
    if not (_URL_SAFE.fullmatch(code) and _URL_SAFE.fullmatch(secret)):
        return reverse("feedback:secret", args=[code, secret])
    _, pattern = _link_paths(get_script_prefix())
    return pattern.replace("0CODE0", code, 1).replace("0SECRET0", secret, 1)


def created_body(request: HttpRequest, report: Report) -> dict[str, Any]:
    status_path = _link_paths(get_script_prefix())[0] + f"?code={quote(report.tracking_code)}"
    secret_path = _secret_path(report.tracking_code, report.tracking_secret)
    return {
        "tracking_code": report.tracking_code,
        "status": report.status,
        "status_url": request.build_absolute_uri(status_path),
        "secret_url": request.build_absolute_uri(secret_path),
        "received_at": report.received_at,
    }


def _submission(request: HttpRequest) -> tuple[dict[str, Any], list[Any]]:
    """The fields and files of a JSON or multipart submission; raises IntakeError on a bad body."""
    content_type = request.content_type or ""
    if content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
        data: dict[str, Any] = {key: request.POST.get(key) for key in request.POST}
        files = request.FILES.getlist("files[]") + request.FILES.getlist("files")
        return data, files
    try:
        raw = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError) as error:
        raise intake.IntakeError(
            [intake.FieldError("body", "Nội dung JSON không hợp lệ.", "The JSON body is malformed.")]
        ) from error
    if not isinstance(raw, dict):
        raise intake.IntakeError(
            [intake.FieldError("body", "Cần một đối tượng JSON.", "A JSON object is expected.")]
        )
    try:
        payload = FeedbackIn.model_validate(raw)
    except PydanticValidationError as error:
        described = describe_errors([dict(item) for item in error.errors()])
        raise intake.IntakeError(
            [intake.FieldError(item["field"], item["message_vi"], item["message_en"]) for item in described]
        ) from error
    return payload.model_dump(exclude_none=True), []


_FORM_SCHEMA = {
    "type": "object",
    "properties": {
        **FeedbackIn.model_json_schema()["properties"],
        "files[]": {"type": "array", "items": {"type": "string", "format": "binary"}},
    },
    "required": ["text"],
}


@router.post(
    "",
    auth=None,
    response={
        200: FeedbackCreatedOut,
        201: FeedbackCreatedOut,
        409: InvalidInputOut,
        413: InvalidInputOut,
        422: InvalidInputOut,
        429: ErrorOut,
    },
    summary="Submit a report (phản ánh, kiến nghị), with optional attachments",
    openapi_extra={
        "parameters": [
            {
                "in": "header",
                "name": "Idempotency-Key",
                "required": False,
                "schema": {"type": "string", "minLength": 8, "maxLength": 100},
                "description": "Send the same key when retrying: the first report is returned (200).",
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": FeedbackIn.model_json_schema()},
                "multipart/form-data": {"schema": _FORM_SCHEMA},
            },
        },
    },
)
def submit(request: HttpRequest) -> object:
    limited = ratelimit.check(request, "api-submit")
    if limited is not None:
        return rate_limited(limited)
    if request_too_large(request):
        return Status(413, too_large_body())
    try:
        data, files = _submission(request)
    except (RequestDataTooBig, TooManyFilesSent):
        return Status(413, too_large_body())
    except MultiPartParserError:
        return Status(
            422,
            {
                **bilingual_error("invalid_input", "Dữ liệu multipart hỏng.", "Malformed multipart body."),
                "fields": [],
            },
        )
    except intake.IntakeError as error:
        return Status(error.status, error.as_dict())
    phone = intake.normalise_phone(str(data.get("phone") or "")) or ""
    if phone and (limited := ratelimit.check_phone("api-submit", phone)) is not None:
        return rate_limited(limited)
    try:
        report, created = intake.submit_report(
            data,
            files,
            channel=Channel.API,
            idempotency_key=request.headers.get("Idempotency-Key"),
            user=request.user,
            client_ip=ratelimit.client_ip(request),
        )
    except intake.IntakeError as error:
        return Status(error.status, error.as_dict())
    return Status(201 if created else 200, created_body(request, report))


def _public_body(view: public.PublicReport) -> dict[str, Any]:
    return {
        **{
            name: getattr(view, name)
            for name in (
                "tracking_code",
                "status",
                "status_label",
                "category",
                "category_label",
                "unit_name",
                "received_at",
                "updated_at",
                "due_at",
                "resolved_at",
                "closed_at",
                "text",
                "address",
                "merged_into",
                "rating",
                "can_rate",
            )
        },
        "timeline": [event.__dict__ for event in view.events],
        "replies": [event.__dict__ for event in view.replies],
    }


def find_report(request: HttpRequest, code: str, phone_last4: str, secret: str) -> Report | None:
    """A report for a public caller who knows its code and the phone digits (or the link's secret)."""
    code = public.normalise_code(code)
    if ratelimit.lookup_blocked(code):
        return None
    report = public.find_by_secret(code, secret) if secret else public.find_by_phone(code, phone_last4)
    if report is None:
        ratelimit.record_lookup_failure(code)
    return report


@router.get(
    "/{tracking_code}",
    auth=None,
    response={200: PublicReportOut, 404: ErrorOut, 429: ErrorOut},
    summary="Public status of a report (tracking code + last 4 digits of the phone)",
)
def status(request: HttpRequest, tracking_code: str, phone_last4: str = "", secret: str = "") -> object:
    limited = ratelimit.check(request, "api-lookup")
    if limited is not None:
        return rate_limited(limited)
    report = find_report(request, tracking_code, phone_last4, secret)
    if report is None:
        return Status(404, NOT_FOUND)
    return Status(200, _public_body(public.public_view(report.pk)))


@router.post(
    "/{tracking_code}/rating",
    auth=None,
    response={200: RatingOut, 404: ErrorOut, 409: ErrorOut, 429: ErrorOut},
    summary="Rate the result of a resolved report (1–5 stars), once",
)
def rate(request: HttpRequest, tracking_code: str, payload: RatingIn) -> object:
    limited = ratelimit.check(request, "api-lookup")
    if limited is not None:
        return rate_limited(limited)
    report = find_report(request, tracking_code, payload.phone_last4, payload.secret)
    if report is None:
        return Status(404, NOT_FOUND)
    try:
        rated = public.rate_report(report, payload.stars, payload.comment)
    except public.RatingError as error:
        return Status(409, bilingual_error(error.code, error.message_vi, error.message_en))
    return Status(200, {"tracking_code": rated.tracking_code, "rating": rated.citizen_rating})
