"""Request and response bodies of the assistant API (/api/v1/assistant/)."""

from __future__ import annotations

from typing import Literal

from ninja import Field, Schema

from thanglong.assistant.services import MAX_QUESTION_CHARS


class AskIn(Schema):
    # Strict: a number or a list is refused (422) rather than turned into text.
    question: str = Field(..., max_length=MAX_QUESTION_CHARS, strict=True)
    session_id: str | None = Field(None, max_length=64)
    lang: Literal["vi", "en"] | None = None


class CitationOut(Schema):
    procedure_code: str
    procedure_name: str
    part: str
    url: str
    legal_document: str = ""
    article: str = ""


class ChoiceOut(Schema):
    code: str
    name: str


class AskOut(Schema):
    answer: str
    lang: str
    procedure_codes: list[str]
    citations: list[CitationOut]
    asked: Literal["fee", "documents", "time", "where", "steps", "legal", "other"]
    needs_clarification: bool
    intent: str
    confidence: float
    emergency: bool
    handoff_suggested: bool
    choices: list[ChoiceOut] = Field(
        default_factory=list, description="Procedures offered in a clarifying question."
    )
    session_id: str = Field(..., description="Send it back with the next question to keep the context.")
    turn_id: int = Field(..., description="For rating this answer.")


class RatingIn(Schema):
    session_id: str = Field(..., max_length=64)
    rating: Literal[1, -1]
    comment: str = Field("", max_length=500)


class RatingOut(Schema):
    turn_id: int
    rating: int


class HandoffIn(Schema):
    session_id: str = Field(..., max_length=64)
    reason: str = Field("", max_length=255)
    contact: str = Field("", max_length=128)


class HandoffOut(Schema):
    handoff_id: int
    status: str
    message_vi: str
    message_en: str


class FieldErrorOut(Schema):
    field: str
    message_vi: str
    message_en: str


class InvalidInputOut(Schema):
    error: str
    message_vi: str
    message_en: str
    fields: list[FieldErrorOut] = Field(default_factory=list)


class ZaloAckOut(Schema):
    status: str
