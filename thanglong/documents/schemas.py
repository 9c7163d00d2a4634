from __future__ import annotations

from datetime import date, datetime

from ninja import Schema


class DocumentOut(Schema):
    id: int
    filename: str
    status: str
    status_message_vi: str
    status_message_en: str
    failure: str
    checksum: str
    content_type: str
    duplicate_of: int | None
    unit: str
    page_count: int
    mean_confidence: float | None
    needs_review: bool
    doc_type: str
    number: str
    agency: str
    parent_agency: str
    place: str
    issued_on: date | None
    summary: str
    signer: str
    signer_title: str
    recipients: list[str]
    security: str
    urgency: str
    tags: list[str]
    retention_years: int | None
    created_at: datetime
    url: str


class PageOut(Schema):
    number: int
    confidence: float | None
    needs_review: bool
    text: str


class DocumentDetailOut(DocumentOut):
    pages: list[PageOut]
    corrections: list[dict[str, str]]


class UploadOut(Schema):
    documents: list[DocumentOut]
    errors: list[dict[str, str]]


class SearchHitOut(Schema):
    document: DocumentOut
    page: int
    score: float
    snippet: str


class CorrectionIn(Schema):
    field: str
    value: str
