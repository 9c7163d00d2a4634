from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, ModelSchema, Schema

from thanglong.procedures.models import Fee, LegalCitation, Procedure, RequiredDocument


class ProcedureSummaryOut(ModelSchema):
    class Meta:
        model = Procedure
        fields = ["code", "name", "name_en", "area", "level", "source", "needs_review"]


class RequiredDocumentOut(ModelSchema):
    form_codes: list[str]

    class Meta:
        model = RequiredDocument
        fields = ["name", "form_code", "originals", "copies", "note"]


class FeeOut(ModelSchema):
    amount_known: bool

    class Meta:
        model = Fee
        fields = ["kind", "amount_vnd", "amount_text", "description", "channel", "exemption"]

    @staticmethod
    def resolve_amount_known(obj: Fee) -> bool:
        return obj.amount_vnd is not None


class LegalCitationOut(ModelSchema):
    class Meta:
        model = LegalCitation
        fields = ["doc_type", "number", "title", "issued_on", "issuer", "article", "note"]


class ProcedureDetailOut(Schema):
    code: str = Field(..., alias="procedure.code")
    name: str = Field(..., alias="procedure.name")
    name_en: str = Field(..., alias="procedure.name_en")
    area: str = Field(..., alias="procedure.area")
    level: str = Field(..., alias="procedure.level")
    agency: str = Field(..., alias="procedure.agency")
    requesters: str = Field(..., alias="procedure.requesters")
    result: str = Field(..., alias="procedure.result")
    source: str = Field(..., alias="procedure.source")
    source_url: str = Field(..., alias="procedure.source_url")
    needs_review: bool = Field(..., alias="procedure.needs_review")
    version: int = Field(..., alias="number")
    steps: list[str]
    channels: list[dict[str, Any]]
    processing_time_text: str
    processing_working_days: int | None
    requirements: str
    review_notes: list[str]
    documents: list[RequiredDocumentOut]
    fees: list[FeeOut]
    legal_basis: list[LegalCitationOut] = Field(..., alias="citations")
    reviewed_at: datetime | None
    reviewed_by: str | None = Field(None, alias="reviewed_by.username")
    updated_on: date | None = None

    @staticmethod
    def resolve_documents(obj: Any) -> list[Any]:
        return list(obj.documents.all())

    @staticmethod
    def resolve_fees(obj: Any) -> list[Any]:
        return list(obj.fees.all())

    @staticmethod
    def resolve_legal_basis(obj: Any) -> list[Any]:
        return list(obj.citations.all())

    @staticmethod
    def resolve_updated_on(obj: Any) -> date:
        return obj.created_at.date()
