"""The archive: search, similar documents, officers' corrections, tags, retention, audited reads."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from thanglong.core.models import AuditAction
from thanglong.core.services import RequestContext, record_audit
from thanglong.documents import access, extraction, search
from thanglong.documents.models import Document, FieldCorrection, Page, Security, Status, Tag, Urgency
from thanglong.documents.services.processing import CORRECTABLE


@functools.cache
def _index_at(path: str) -> search.Fts5Index:
    return search.Fts5Index(Path(path))


def get_index() -> search.SearchIndex:
    if settings.THANGLONG_DOCUMENTS_SEARCH == "postgres":
        from thanglong.documents.search_pg import PostgresIndex

        return PostgresIndex()
    return _index_at(str(settings.THANGLONG_DOCUMENTS_INDEX))


def reindex_document(document_id: int) -> int:
    """Write the document's pages to the search index (or take them out if it is not searchable)."""
    document = Document.objects.filter(pk=document_id).prefetch_related("tags").first()
    index = get_index()
    if document is None or document.status != Status.DONE:
        index.remove_document(document_id)
        return 0
    tags = "|".join(tag.name for tag in document.tags.all())
    header = " ".join(filter(None, [document.number, document.doc_type, document.agency, document.summary]))
    pages = [
        search.IndexedPage(
            document_id=document.pk,
            page=page.number,
            # Page 1 also carries the (corrected) fields, so a corrected number is found by its new value.
            text=f"{header}\n{page.text}" if page.number == 1 else page.text,
            unit_id=document.unit_id,
            doc_type=document.doc_type,
            agency=document.agency,
            issued_on=document.issued_on.isoformat() if document.issued_on else "",
            clearance=access.CLEARANCE_LEVEL.get(Security(document.security), 3),
            tags=tags,
        )
        for page in Page.objects.filter(document=document).only("number", "text")
    ]
    index.replace_document(document.pk, pages)
    return len(pages)


def reindex_all(progress: Any = None) -> int:
    index = get_index()
    index.clear()
    total = 0
    ids = list(Document.objects.filter(status=Status.DONE).values_list("pk", flat=True))
    for document_id in ids:
        total += reindex_document(document_id)
        if progress:
            progress(1)
    return total


@dataclass
class SearchRequest:
    query: str = ""
    doc_type: str = ""
    agency: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    unit_id: int | None = None
    tag: str = ""
    limit: int = 20


@dataclass
class Result:
    document: Document
    page: int
    score: float
    snippet: tuple[str, str, str] = ("", "", "")
    other_pages: list[int] = field(default_factory=list)


def _filters(user: User | AnonymousUser, request: SearchRequest) -> search.Filters:
    unit_ids = access.visible_unit_ids(user)
    if request.unit_id is not None:
        unit_ids = [request.unit_id] if unit_ids is None or request.unit_id in unit_ids else []
    return search.Filters(
        doc_type=request.doc_type,
        agency=request.agency,
        date_from=request.date_from.isoformat() if request.date_from else "",
        date_to=request.date_to.isoformat() if request.date_to else "",
        unit_ids=unit_ids,
        tag=request.tag,
        max_clearance=access.clearance(user),
    )


def search_documents(
    user: User | AnonymousUser, request: SearchRequest, *, context: RequestContext | None = None
) -> list[Result]:
    """Full-text hits the user may see, best first; without a query, the newest matching documents.

    A classified record shown in a result list (its number, summary and a snippet) is a read of it:
    each one listed is written to the audit log with the query.
    """
    if access.clearance(user) < 0:
        return []
    if not request.query.strip():
        results = _browse(user, request)
    else:
        hits = get_index().search(request.query, _filters(user, request), limit=request.limit)
        results = _results(user, hits, request.query)
    for result in results:
        if result.document.is_restricted:
            record_audit(
                actor=user, action=AuditAction.SEARCH, object_type="documents.document",
                object_id=result.document.pk, object_repr=str(result.document)[:200],
                fields=["search_result"], reason=request.query[:255], context=context,
            )  # fmt: skip
    return results


def _results(user: User | AnonymousUser, hits: list[search.Hit], query: str) -> list[Result]:
    # The database has the last word on visibility: the index may lag a correction by a moment.
    documents = access.visible_documents(user).select_related("unit").in_bulk([h.document_id for h in hits])
    texts = {
        (p.document_id, p.number): p.text
        for p in Page.objects.filter(document_id__in=documents, number__in={h.page for h in hits})
    }
    results = []
    for hit in hits:
        document = documents.get(hit.document_id)
        if document is None:
            continue
        text = texts.get((hit.document_id, hit.page), "")
        results.append(
            Result(
                document,
                hit.page,
                hit.score,
                search.snippet(text, query) if query else ("", "", ""),
                hit.extra_pages,
            )
        )
    return results


def _browse(user: User | AnonymousUser, request: SearchRequest) -> list[Result]:
    queryset = access.visible_documents(user).select_related("unit")
    if request.doc_type:
        queryset = queryset.filter(doc_type__iexact=request.doc_type)
    if request.agency:
        queryset = queryset.filter(agency__icontains=request.agency)
    if request.date_from:
        queryset = queryset.filter(issued_on__gte=request.date_from)
    if request.date_to:
        queryset = queryset.filter(issued_on__lte=request.date_to)
    if request.unit_id is not None:
        queryset = queryset.filter(unit_id=request.unit_id)
    if request.tag:
        queryset = queryset.filter(tags__name__iexact=request.tag)
    return [Result(document, 1, 0.0) for document in queryset[: request.limit]]


def similar_documents(user: User | AnonymousUser, document: Document, limit: int = 5) -> list[Result]:
    text = " ".join(Page.objects.filter(document=document).values_list("text", flat=True)[:5])
    terms = search.significant_terms(text)
    if not terms:
        return []
    filters = _filters(user, SearchRequest())
    filters.exclude_document = document.pk
    hits = get_index().search_any(terms, filters, limit=limit)
    return _results(user, hits, "")


# --- reading (audited when the record is classified) ---------------------------------------------


def open_document(
    user: User | AnonymousUser,
    document_id: int,
    *,
    context: RequestContext | None = None,
    action: str = "view",
) -> Document:
    """The document if ``user`` may see it (else ``Document.DoesNotExist``); classified reads are logged."""
    document = access.visible_documents(user).select_related("unit", "duplicate_of").get(pk=document_id)
    if document.is_restricted:
        record_audit(
            actor=user,
            action=AuditAction.EXPORT if action == "download" else AuditAction.READ,
            object_type="documents.document",
            object_id=document.pk,
            object_repr=str(document)[:200],
            fields=[action],
            reason=document.get_security_display(),
            context=context,
        )
    return document


# --- corrections, tags, retention -----------------------------------------------------------------


def _validate(field_name: str, value: str) -> str:
    value = value.strip()
    if field_name not in CORRECTABLE:
        raise ValidationError(f"{field_name} cannot be corrected")
    if field_name == "issued_on" and value and extraction.parse_date(value) is None:
        raise ValidationError("issued_on must be YYYY-MM-DD")
    if field_name == "security" and value not in Security.values:
        raise ValidationError("unknown security marking")
    if field_name == "urgency" and value not in Urgency.values:
        raise ValidationError("unknown urgency")
    return value


def correct_field(
    user: User | AnonymousUser,
    document: Document,
    field_name: str,
    value: str,
    *,
    context: RequestContext | None = None,
) -> Document:
    """An officer's correction: kept as its own row, applied now and after any re-run of OCR."""
    value = _validate(field_name, value)
    if not isinstance(user, User) or not access.can_view(user, document):
        raise PermissionDenied
    if field_name == "security" and access.CLEARANCE_LEVEL[Security(value)] > access.clearance(user):
        raise PermissionDenied  # nobody may mark a record above what they could read themselves
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        old = getattr(document, field_name)
        old_text = old.isoformat() if isinstance(old, dt.date) else str(old or "")
        if old_text == value:
            return document
        FieldCorrection.objects.create(
            document=document, field=field_name, old_value=old_text, new_value=value, corrected_by=user
        )
        from thanglong.documents.services.processing import apply_fields

        apply_fields(document, document.extracted)
        document.save()
        record_audit(
            actor=user, action=AuditAction.UPDATE, object_type="documents.document", object_id=document.pk,
            object_repr=str(document)[:200], fields=[field_name], context=context,
        )  # fmt: skip
        transaction.on_commit(lambda: reindex_document(document.pk))
    return document


def reprocess(
    user: User | AnonymousUser, document: Document, *, context: RequestContext | None = None
) -> Document:
    """Queue OCR again (after a tool crash, or with a better engine); corrections survive the re-run."""
    if not access.can_view(user, document):
        raise PermissionDenied
    from thanglong.core.jobs import enqueue_atomically
    from thanglong.documents.tasks import process_document_task

    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        if document.status not in {Status.DONE, Status.FAILED} or not document.original:
            raise ValidationError("only a finished document with an original can be processed again")
        document.status = Status.QUEUED
        document.failure = ""
        document.failure_detail = ""
        document.attempts = 0
        document.save(update_fields=["status", "failure", "failure_detail", "attempts", "updated_at"])
        enqueue_atomically(process_document_task, document.pk)
        record_audit(
            actor=user, action=AuditAction.UPDATE, object_type="documents.document", object_id=document.pk,
            object_repr=str(document)[:200], fields=["reprocess"], context=context,
        )  # fmt: skip
    return document


def set_tags(user: User | AnonymousUser, document: Document, names: list[str]) -> Document:
    if not access.can_view(user, document):
        raise PermissionDenied
    cleaned = sorted({name.strip()[:64] for name in names if name.strip()})
    with transaction.atomic():
        tags = [Tag.objects.get_or_create(name=name)[0] for name in cleaned]
        document.tags.set(tags)
        transaction.on_commit(lambda: reindex_document(document.pk))
    return document


def set_retention(user: User | AnonymousUser, document: Document, years: int | None) -> Document:
    """Thời hạn bảo quản: counted from the issue date (or intake), None for permanent."""
    if not access.can_view(user, document):
        raise PermissionDenied
    start = document.issued_on or document.created_at.date()
    document.retention_years = years
    if years:
        try:
            document.retain_until = start.replace(year=start.year + years)
        except ValueError:  # 29 February
            document.retain_until = start.replace(year=start.year + years, day=28)
    else:
        document.retain_until = None
    document.save(update_fields=["retention_years", "retain_until", "updated_at"])
    return document
