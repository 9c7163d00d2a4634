"""Request and response bodies of the feedback API (/api/v1/feedback)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from ninja import Field, Schema

from thanglong.feedback.choices import Category
from thanglong.feedback.services.intake import TEXT_MAX


class FeedbackIn(Schema):
    """A report. As JSON, or as multipart/form-data with the same fields plus ``files[]``."""

    text: str = Field(..., max_length=TEXT_MAX * 2, description="What happened, where and when (10–5000).")
    title: str = Field("", max_length=200)
    category_hint: str | None = Field(
        None,
        max_length=24,
        description="The citizen's guess (triage decides): " + ", ".join(Category.values),
    )
    address: str = Field("", max_length=500, description="Free text; old district names are understood.")
    ward_code: str = Field("", max_length=5, description="2025 ward/commune code, e.g. 00166.")
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    name: str = Field("", max_length=128)
    phone: str = Field("", max_length=32, description="Required unless anonymous (or an e-mail).")
    email: str = Field("", max_length=254)
    anonymous: bool = False
    consent: bool = Field(False, description="Consent to processing of personal data; needed with contact.")
    consent_location: bool = Field(False, description="A photo's GPS position may be stored on the report.")
    lang: str | None = Field(None, pattern="^(vi|en)$")


class FeedbackCreatedOut(Schema):
    tracking_code: str = Field(..., examples=["PA-2026-000123"])
    status: str
    status_url: str = Field(..., description="Public status (needs the last 4 digits of the phone).")
    secret_url: str = Field(..., description="Private link to the status page; keep it secret.")
    received_at: datetime


class FieldErrorOut(Schema):
    field: str
    message_vi: str
    message_en: str


class InvalidInputOut(Schema):
    error: str
    message_vi: str
    message_en: str
    fields: list[FieldErrorOut] = []


class TimelineEventOut(Schema):
    at: datetime
    kind: str
    label: str
    status: str
    status_label: str
    message: str


class PublicReportOut(Schema):
    tracking_code: str
    status: str
    status_label: str
    category: str
    category_label: str
    unit_name: str
    received_at: datetime
    updated_at: datetime
    due_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    text: str = Field(..., description="The report's text with personal data masked.")
    address: str
    timeline: list[TimelineEventOut]
    replies: list[TimelineEventOut]
    merged_into: str
    rating: int | None
    can_rate: bool


class RatingIn(Schema):
    stars: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=1000)
    phone_last4: str = Field("", max_length=4)
    secret: str = Field("", max_length=64, description="The secret of the private link, instead of digits.")


class RatingOut(Schema):
    tracking_code: str
    rating: int
