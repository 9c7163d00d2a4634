"""Officer console for the document archive: upload, job status, search, a document and its pages.

Views validate input and call :mod:`.services`; a document the officer may not see answers 404,
so the existence of a classified record is not disclosed.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thanglong.core.access import visible_units
from thanglong.core.services import request_context
from thanglong.core.views import _page_or_fragment, staff_required
from thanglong.documents import search as search_engine
from thanglong.documents import units
from thanglong.documents.extraction import DOCUMENT_TYPES, OFFICIAL_LETTER
from thanglong.documents.messages import status_message
from thanglong.documents.models import Document, Page, Security, Urgency
from thanglong.documents.services import archive, intake

_UNSAFE_FILENAME = re.compile(r"[^\w.\- ]+", re.UNICODE)
MAX_FILES_PER_UPLOAD = 50


def _open(request: HttpRequest, document_id: int, action: str = "view") -> Document:
    try:
        return archive.open_document(
            request.user, document_id, context=request_context(request), action=action
        )
    except Document.DoesNotExist as exc:
        raise Http404 from exc


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@staff_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    unit = request.GET.get("unit", "")
    query = archive.SearchRequest(
        query=request.GET.get("q", "").strip()[:200],
        doc_type=request.GET.get("type", ""),
        agency=request.GET.get("agency", "").strip()[:100],
        date_from=_date(request.GET.get("from", "")),
        date_to=_date(request.GET.get("to", "")),
        unit_id=int(unit) if unit.isdigit() else None,
        tag=request.GET.get("tag", "").strip()[:64],
        limit=50,
    )
    results = archive.search_documents(request.user, query, context=request_context(request))
    context = {
        "results": results,
        "query": query,
        "types": [*DOCUMENT_TYPES, OFFICIAL_LETTER],
        "units": visible_units(request.user),
        "params": request.GET,
    }
    return _page_or_fragment(request, "documents/index.html", "documents/_results.html", context)


@staff_required
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest) -> HttpResponse:
    context: dict[str, Any] = {
        "units": visible_units(request.user),
        "max_mb": intake.max_bytes() // intake.MB,
    }
    if request.method == "GET":
        return render(request, "documents/upload.html", context)
    files = request.FILES.getlist("files")[:MAX_FILES_PER_UPLOAD]
    english = (get_language() or "vi").startswith("en")
    try:
        unit = units.upload_unit(request.user, request.POST.get("unit") or None)
    except intake.IntakeError as error:
        messages.error(request, error.message_en if english else error.message_vi)
        return render(request, "documents/upload.html", context, status=422)
    if not files:
        messages.error(request, _("Chưa chọn tệp nào."))
        return render(request, "documents/upload.html", context, status=422)
    created: list[int] = []
    for item in files:
        try:
            document = intake.ingest(
                item, item.name or "", unit=unit, user=request.user, context=request_context(request)
            )
        except intake.IntakeError as error:
            messages.error(request, error.message_en if english else error.message_vi)
        else:
            created.append(document.pk)
    if not created:
        return render(request, "documents/upload.html", context, status=422)
    return redirect(reverse("documents:batch") + "?ids=" + ",".join(str(pk) for pk in created))


@staff_required
@require_GET
def batch(request: HttpRequest) -> HttpResponse:
    ids = [int(part) for part in request.GET.get("ids", "").split(",") if part.isdigit()][
        :MAX_FILES_PER_UPLOAD
    ]
    from thanglong.documents.access import visible_documents

    documents = visible_documents(request.user).filter(pk__in=ids).select_related("unit").order_by("pk")
    return render(request, "documents/batch.html", {"documents": _with_messages(list(documents))})


def _with_messages(documents: list[Document]) -> list[Document]:
    english = (get_language() or "vi").startswith("en")
    for document in documents:
        vi, en = status_message(document)
        document.status_text = en if english else vi  # type: ignore[attr-defined]
    return documents


@staff_required
@require_GET
def status(request: HttpRequest, document_id: int) -> HttpResponse:
    """One row of the upload batch; htmx polls it until the job has finished."""
    from thanglong.documents.access import visible_documents

    document = visible_documents(request.user).select_related("unit").filter(pk=document_id).first()
    if document is None:
        raise Http404
    return render(request, "documents/_status.html", {"document": _with_messages([document])[0]})


@staff_required
@require_GET
def detail(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _open(request, document_id)
    context = {
        "document": _with_messages([document])[0],
        "pages": document.pages.all(),
        "corrections": document.corrections.select_related("corrected_by"),
        "similar": archive.similar_documents(request.user, document) if document.page_count else [],
        "types": [*DOCUMENT_TYPES, OFFICIAL_LETTER],
        "securities": Security.choices,
        "urgencies": Urgency.choices,
        "tags": ", ".join(tag.name for tag in document.tags.all()),
        "q": request.GET.get("q", ""),
    }
    return render(request, "documents/detail.html", context)


@staff_required
@require_GET
def page(request: HttpRequest, document_id: int, number: int) -> HttpResponse:
    document = _open(request, document_id)
    row = Page.objects.filter(document=document, number=number).first()
    if row is None:
        raise Http404
    query = request.GET.get("q", "")[:200]
    boxes = []
    if query and row.width and row.height:
        for word in search_engine.highlight_words(row.words, query):
            x0, y0, x1, y1 = (float(v) for v in word[1:5])  # type: ignore[arg-type]
            boxes.append(
                {
                    "left": round(100 * x0 / row.width, 3),
                    "top": round(100 * y0 / row.height, 3),
                    "width": round(100 * (x1 - x0) / row.width, 3),
                    "height": round(100 * (y1 - y0) / row.height, 3),
                    "text": word[0],
                }
            )
    context = {"document": document, "page": row, "boxes": boxes, "q": query, "pages": document.page_count}
    return render(request, "documents/page.html", context)


def _file_response(handle: Any, content_type: str, filename: str, *, inline: bool) -> FileResponse:
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def page_image(request: HttpRequest, document_id: int, number: int) -> HttpResponseBase:
    document = _open(request, document_id, action="page_image")
    row = Page.objects.filter(document=document, number=number).first()
    if row is None or not row.image:
        raise Http404
    return _file_response(row.image.open("rb"), "image/png", f"page-{number}.png", inline=True)


@login_required
@require_GET
def download(request: HttpRequest, document_id: int, kind: str) -> HttpResponseBase:
    document = _open(request, document_id, action="download")
    stored = document.archive if kind == "archive" else document.original
    if kind not in {"archive", "original"} or not stored:
        raise Http404
    name = _UNSAFE_FILENAME.sub("_", document.filename)[:120] or "document"
    if kind == "archive":
        name = name.rsplit(".", 1)[0] + ".pdf"
    content_type = (
        "application/pdf" if kind == "archive" else document.content_type or "application/octet-stream"
    )
    return _file_response(stored.open("rb"), content_type, name, inline=False)


@staff_required
@require_POST
def correct(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _open(request, document_id)
    try:
        for field_name in archive.CORRECTABLE:
            if field_name in request.POST:
                document = archive.correct_field(
                    request.user,
                    document,
                    field_name,
                    request.POST[field_name],
                    context=request_context(request),
                )
    except ValidationError as error:
        messages.error(request, _("Giá trị không hợp lệ: %(detail)s") % {"detail": " ".join(error.messages)})
    except PermissionDenied:
        messages.error(request, _("Bạn không thể đặt độ mật cao hơn mức mình được xem."))
    else:
        messages.success(request, _("Đã lưu phần hiệu đính."))
    return redirect("documents:detail", document_id=document.pk)


@staff_required
@require_POST
def reprocess(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _open(request, document_id)
    try:
        archive.reprocess(request.user, document, context=request_context(request))
    except ValidationError:
        messages.error(request, _("Văn bản này chưa thể nhận dạng lại."))
        return redirect("documents:detail", document_id=document.pk)
    return redirect(reverse("documents:batch") + f"?ids={document.pk}")


@staff_required
@require_POST
def organise(request: HttpRequest, document_id: int) -> HttpResponse:
    document = _open(request, document_id)
    archive.set_tags(request.user, document, request.POST.get("tags", "").split(","))
    years = request.POST.get("retention_years", "").strip()
    archive.set_retention(
        request.user, document, int(years) if years.isdigit() and int(years) < 200 else None
    )
    messages.success(request, _("Đã lưu nhãn và thời hạn bảo quản."))
    return redirect("documents:detail", document_id=document.pk)
