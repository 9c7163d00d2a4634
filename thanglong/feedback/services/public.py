"""What a citizen may see of a report, and the citizen's rating of the result.

The public view never carries contact data or the raw text: status, the public timeline, category,
handling unit, due date and the unit's replies. A look-up that fails says the same whether the code
does not exist or the digits are wrong, so it cannot be used to learn which codes exist.
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from thanglong.feedback.choices import Category, EventKind, Status
from thanglong.feedback.models import Report, ReportEvent

RATABLE_STATUSES = {Status.RESOLVED, Status.CLOSED}
_CODE = re.compile(r"^PA-\d{4}-\d{6,}$")


@dataclass(frozen=True)
class PublicEvent:
    at: datetime
    kind: str
    label: str
    status: str
    status_label: str
    message: str


@dataclass(frozen=True)
class PublicReport:
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
    text: str  # masked
    address: str  # the street and ward, never the contact's details
    events: list[PublicEvent] = field(default_factory=list)
    replies: list[PublicEvent] = field(default_factory=list)
    merged_into: str = ""
    rating: int | None = None
    rating_comment: str = ""
    can_rate: bool = False

    @property
    def resolution_reply(self) -> PublicEvent | None:
        return self.replies[-1] if self.replies else None

    @property
    def overdue(self) -> bool:
        return (
            self.due_at is not None
            and self.status not in RATABLE_STATUSES | {Status.REJECTED}
            and self.due_at < timezone.now()
        )


class RatingError(Exception):
    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


def normalise_code(code: str) -> str:
    return re.sub(r"\s+", "", code or "").upper()


def find_by_phone(tracking_code: str, phone_last4: str) -> Report | None:
    """The report if ``phone_last4`` are the last four digits of its contact phone; else ``None``."""
    code = normalise_code(tracking_code)
    digits = re.sub(r"\D", "", phone_last4 or "")
    if not _CODE.match(code) or len(digits) != 4:
        return None
    report = Report.objects.filter(tracking_code=code).only("pk", "contact_phone", "anonymous").first()
    # Compared even when nothing was found, so the answer takes as long either way.
    expected = re.sub(r"\D", "", report.contact_phone)[-4:] if report is not None else "----"
    if report is None or len(expected) != 4 or not hmac.compare_digest(expected, digits):
        return None
    return report


def find_by_secret(tracking_code: str, secret: str) -> Report | None:
    code = normalise_code(tracking_code)
    if not _CODE.match(code) or not secret:
        return None
    report = Report.objects.filter(tracking_code=code).only("pk", "tracking_secret").first()
    expected = report.tracking_secret if report is not None else "-" * 32
    if report is None or not hmac.compare_digest(expected.encode(), secret.encode()):
        return None
    return report


def lookup(tracking_code: str, phone_last4: str) -> PublicReport | None:
    report = find_by_phone(tracking_code, phone_last4)
    return public_view(report.pk) if report is not None else None


def lookup_by_secret(tracking_code: str, secret: str) -> PublicReport | None:
    report = find_by_secret(tracking_code, secret)
    return public_view(report.pk) if report is not None else None


def _status_label(value: str) -> str:
    return str(Status(value).label) if value in Status.values else value


def public_view(report_id: int) -> PublicReport:
    report = (
        Report.objects.select_related("unit", "ward", "duplicate_of")
        .only(
            "tracking_code",
            "status",
            "category",
            "category_hint",
            "received_at",
            "updated_at",
            "due_at",
            "resolved_at",
            "closed_at",
            "masked_text",
            "street",
            "ward__full_name",
            "unit__name",
            "duplicate_of__tracking_code",
            "citizen_rating",
            "citizen_comment",
        )
        .get(pk=report_id)
    )
    events = [
        PublicEvent(
            at=event.at,
            kind=event.kind,
            label=str(EventKind(event.kind).label) if event.kind in EventKind.values else event.kind,
            status=event.to_status,
            status_label=_status_label(event.to_status) if event.to_status else "",
            message=event.message,
        )
        for event in ReportEvent.objects.filter(report_id=report_id, public=True).only(
            "at", "kind", "to_status", "message"
        )
    ]
    category = report.category or report.category_hint or ""
    place = ", ".join(part for part in (report.street, report.ward.full_name if report.ward else "") if part)
    return PublicReport(
        tracking_code=report.tracking_code,
        status=report.status,
        status_label=_status_label(report.status),
        category=category,
        category_label=str(Category(category).label) if category in Category.values else "",
        unit_name=report.unit.name if report.unit else "",
        received_at=report.received_at,
        updated_at=report.updated_at,
        due_at=report.due_at,
        resolved_at=report.resolved_at,
        closed_at=report.closed_at,
        text=report.masked_text,
        address=place,
        events=events,
        replies=[event for event in events if event.kind == EventKind.REPLY and event.message],
        merged_into=report.duplicate_of.tracking_code if report.duplicate_of else "",
        rating=report.citizen_rating,
        rating_comment=report.citizen_comment,
        can_rate=report.status in RATABLE_STATUSES and report.citizen_rating is None,
    )


def rate_report(report: Report, stars: int, comment: str = "") -> Report:
    """Record the citizen's rating (1–5 stars) of a resolved or closed report; once only."""
    if not isinstance(stars, int) or not 1 <= stars <= 5:
        raise RatingError(
            "invalid_rating", "Số sao đánh giá phải từ 1 đến 5.", "The rating must be from 1 to 5 stars."
        )
    comment = (comment or "").strip()[:1000]
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=report.pk)
        if locked.status not in RATABLE_STATUSES:
            raise RatingError(
                "not_resolved",
                "Chỉ có thể đánh giá khi phản ánh đã được giải quyết.",
                "A report can be rated only once it has been resolved.",
            )
        if locked.citizen_rating is not None:
            raise RatingError(
                "already_rated", "Phản ánh này đã được đánh giá.", "This report has already been rated."
            )
        locked.citizen_rating = stars
        locked.citizen_comment = comment
        locked.save(update_fields=["citizen_rating", "citizen_comment", "updated_at"])
        ReportEvent.objects.create(
            report=locked,
            kind=EventKind.RATED,
            public=True,
            message=comment,
            data={"stars": stars},
        )
    return locked
