"""Documents as plain dicts for the API and the console's status fragments."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from thanglong.documents.messages import status_message
from thanglong.documents.models import Document


def describe(document: Document) -> dict[str, Any]:
    vi, en = status_message(document)
    return {
        "id": document.pk,
        "filename": document.filename,
        "status": document.status,
        "status_message_vi": vi,
        "status_message_en": en,
        "failure": document.failure,
        "checksum": document.checksum,
        "content_type": document.content_type,
        "duplicate_of": document.duplicate_of_id,
        "unit": document.unit.code,
        "page_count": document.page_count,
        "mean_confidence": document.mean_confidence,
        "needs_review": document.needs_review,
        "doc_type": document.doc_type,
        "number": document.number,
        "agency": document.agency,
        "parent_agency": document.parent_agency,
        "place": document.place,
        "issued_on": document.issued_on,
        "summary": document.summary,
        "signer": document.signer,
        "signer_title": document.signer_title,
        "recipients": list(document.recipients or []),
        "security": document.security,
        "urgency": document.urgency,
        "tags": [tag.name for tag in document.tags.all()],
        "retention_years": document.retention_years,
        "created_at": document.created_at,
        "url": reverse("documents:detail", args=[document.pk]),
    }
