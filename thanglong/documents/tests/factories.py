"""Documents as the OCR job leaves them, for tests of search and access that need no OCR run."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from thanglong.core.models import OrganisationUnit
from thanglong.documents.models import Document, Page, Status
from thanglong.documents.services.archive import reindex_document


def make_document(unit: OrganisationUnit, text: str, **fields: Any) -> Document:
    pages = fields.pop("pages", None) or [text]
    defaults: dict[str, Any] = {
        "filename": "scan.pdf",
        "content_type": "application/pdf",
        "checksum": hashlib.sha256(text.encode() + repr(fields).encode()).hexdigest(),
        "status": Status.DONE,
        "page_count": len(pages),
        "issued_on": dt.date(2024, 5, 15),
    }
    document = Document.objects.create(unit=unit, **{**defaults, **fields})
    for number, page_text in enumerate(pages, start=1):
        words = [[word, 10 * i, 10, 10 * i + 8, 20, 95.0] for i, word in enumerate(page_text.split())]
        Page.objects.create(
            document=document,
            number=number,
            text=page_text,
            confidence=95.0,
            words=words,
            width=1000,
            height=1400,
        )
    reindex_document(document.pk)
    return document
