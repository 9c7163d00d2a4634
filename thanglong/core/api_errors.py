"""Bilingual (Vietnamese/English) 4xx error bodies that name the offending field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

_MESSAGES: dict[str, tuple[str, str]] = {
    "missing": ("Thiếu trường bắt buộc", "Required field is missing"),
    "string_too_long": ("Giá trị quá dài", "Value is too long"),
    "string_too_short": ("Giá trị quá ngắn", "Value is too short"),
    "int_parsing": ("Phải là số nguyên", "Must be a whole number"),
    "date_from_datetime_parsing": (
        "Ngày không hợp lệ (định dạng YYYY-MM-DD)",
        "Invalid date (use YYYY-MM-DD)",
    ),
    "date_parsing": ("Ngày không hợp lệ (định dạng YYYY-MM-DD)", "Invalid date (use YYYY-MM-DD)"),
    "greater_than_equal": ("Giá trị quá nhỏ", "Value is too small"),
    "less_than_equal": ("Giá trị quá lớn", "Value is too large"),
    "json_invalid": ("Nội dung JSON không hợp lệ", "The JSON body is malformed"),
    "string_type": ("Phải là chuỗi văn bản", "Must be text"),
    "literal_error": (
        "Giá trị không nằm trong các lựa chọn cho phép",
        "Value is not one of the allowed options",
    ),
}


def _field_name(loc: list[Any]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "form", "payload")]
    return ".".join(parts) or "body"


def describe_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    described = []
    for error in errors:
        kind = error.get("type", "")
        vi, en = _MESSAGES.get(kind, ("Giá trị không hợp lệ", error.get("msg", "Invalid value")))
        field = _field_name(list(error.get("loc", [])))
        described.append({"field": field, "message_vi": f"{field}: {vi}", "message_en": f"{field}: {en}"})
    return described


def error_response(api: NinjaAPI, request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = describe_errors(list(exc.errors))
    return api.create_response(
        request,
        {
            "error": "invalid_input",
            "message_vi": "Dữ liệu gửi lên không hợp lệ. " + "; ".join(d["message_vi"] for d in details),
            "message_en": "The request is invalid. " + "; ".join(d["message_en"] for d in details),
            "fields": details,
        },
        status=422,
    )


def bilingual_error(code: str, message_vi: str, message_en: str, **extra: Any) -> dict[str, Any]:
    return {"error": code, "message_vi": message_vi, "message_en": message_en, **extra}
