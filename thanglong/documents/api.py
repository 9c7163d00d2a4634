"""Documents API: upload scans (``POST /api/v1/documents``), search, read, correct fields.

Uploads answer 201 once every accepted file and its OCR job are committed; files refused by content
(empty, not a PDF/TIFF/JPEG/PNG, too large) are listed in ``errors`` with bilingual messages, and a
request where nothing was accepted answers 422. OCR runs in the background: poll the document.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, JsonResponse
from ninja import Router, Status

from thanglong.core.api_errors import bilingual_error
from thanglong.core.roles import is_staff_member
from thanglong.core.schemas import ErrorOut
from thanglong.core.services import request_context
from thanglong.documents import units
from thanglong.documents.models import Document
from thanglong.documents.schemas import CorrectionIn, DocumentDetailOut, DocumentOut, SearchHitOut, UploadOut
from thanglong.documents.serialize import describe
from thanglong.documents.services import archive, intake

router = Router(tags=["documents"])

NOT_FOUND = bilingual_error("not_found", "Không tìm thấy văn bản.", "Document not found.")


def _staff(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied


@router.post(
    "",
    response={201: UploadOut, 403: ErrorOut, 422: UploadOut},
    summary="Upload scans or photos (multipart field `files`, repeatable; optional `unit` code)",
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "files": {"type": "array", "items": {"type": "string", "format": "binary"}},
                            "unit": {"type": "string"},
                        },
                        "required": ["files"],
                    }
                }
            }
        }
    },
)
def upload(request: HttpRequest) -> Status:
    _staff(request)
    files = request.FILES.getlist("files") + request.FILES.getlist("file")
    errors: list[dict[str, str]] = []
    documents: list[dict[str, Any]] = []
    try:
        unit = units.upload_unit(request.user, request.POST.get("unit"))
    except intake.IntakeError as error:
        return Status(422, {"documents": [], "errors": [_error(error, "")]})
    if not files:
        missing = intake.IntakeError("missing", "Chưa chọn tệp nào.", "No file was sent.", field="files")
        return Status(422, {"documents": [], "errors": [_error(missing, "")]})
    context = request_context(request)
    for upload in files:
        try:
            document = intake.ingest(
                upload, upload.name or "", unit=unit, user=request.user, source="api", context=context
            )
        except intake.IntakeError as error:
            errors.append(_error(error, upload.name or ""))
        else:
            documents.append(describe(document))
    return Status((201 if documents else 422), {"documents": documents, "errors": errors})


def _error(error: intake.IntakeError, filename: str) -> dict[str, str]:
    return {
        "filename": filename,
        "field": error.field,
        "error": error.code,
        "message_vi": error.message_vi,
        "message_en": error.message_en,
    }


@router.get("", response=list[SearchHitOut], summary="Search (accent-insensitive) with filters")
def search(
    request: HttpRequest,
    q: str = "",
    type: str = "",
    agency: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    unit: int | None = None,
    tag: str = "",
    limit: int = 20,
) -> list[dict[str, Any]]:
    _staff(request)
    found = archive.search_documents(
        request.user,
        archive.SearchRequest(
            query=q, doc_type=type, agency=agency, date_from=date_from, date_to=date_to,
            unit_id=unit, tag=tag, limit=max(1, min(limit, 100)),
        ),
        context=request_context(request),
    )  # fmt: skip
    return [
        {"document": describe(r.document), "page": r.page, "score": r.score, "snippet": "".join(r.snippet)}
        for r in found
    ]


@router.get("/{int:document_id}", response={200: DocumentDetailOut, 404: ErrorOut})
def detail(request: HttpRequest, document_id: int) -> Any:
    _staff(request)
    try:
        document = archive.open_document(request.user, document_id, context=request_context(request))
    except Document.DoesNotExist:
        return Status(404, NOT_FOUND)
    body = describe(document)
    body["pages"] = [
        {"number": p.number, "confidence": p.confidence, "needs_review": p.needs_review, "text": p.text}
        for p in document.pages.all()
    ]
    body["corrections"] = [
        {
            "field": c.field,
            "old_value": c.old_value,
            "new_value": c.new_value,
            "at": c.corrected_at.isoformat(),
        }
        for c in document.corrections.all()
    ]
    return Status(200, body)


@router.post("/{int:document_id}/corrections", response={200: DocumentOut, 404: ErrorOut, 422: ErrorOut})
def correct(request: HttpRequest, document_id: int, payload: CorrectionIn) -> Any:
    _staff(request)
    try:
        document = archive.open_document(request.user, document_id, context=request_context(request))
        document = archive.correct_field(
            request.user, document, payload.field, payload.value, context=request_context(request)
        )
    except Document.DoesNotExist:
        return Status(404, NOT_FOUND)
    except ValidationError as error:
        return Status(
            422,
            bilingual_error(
                "invalid_input",
                f"{payload.field}: giá trị không hợp lệ.",
                f"{payload.field}: {error.messages[0]}",
            ),
        )
    return Status(200, describe(document))


def json_error(body: dict[str, Any], status: int) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
