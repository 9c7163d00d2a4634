"""Notification outbox: rows written in the caller's transaction, delivered by a job after commit.

A citizen hears about a status change or a public reply on the channel they came from: Zalo when the
report arrived through our Zalo OA with a follower id, else SMS when they left a phone number and did
not ask to stay anonymous, else e-mail when they left an address; otherwise nobody is told (the
status page still shows everything). Officers hear about SLA alerts by SMS (their profile phone) or
e-mail.

Delivery (:func:`deliver`) claims the row with a conditional UPDATE, sends outside any transaction,
then records the outcome: ``sent``, or back to ``pending`` with ``next_attempt_at`` pushed out
exponentially, or ``failed`` after :data:`MAX_ATTEMPTS` or a permanent refusal. :func:`retry_due`
(run by the periodic job) re-queues rows whose time has come, which also covers a queue that lost a job.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import F, Q
from django.utils import timezone

from thanglong.core.jobs import enqueue_on_commit
from thanglong.core.text import strip_accents
from thanglong.feedback import notifiers
from thanglong.feedback.choices import Channel, EventKind
from thanglong.feedback.models import Notification, NotificationStatus, Report, ReportEvent

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = int(getattr(settings, "THANGLONG_NOTIFY_MAX_ATTEMPTS", 6))
FIRST_BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 3600
# While one worker is sending, the row is "not due" for this long, so the sweeper does not send it twice.
SENDING_LEASE = timedelta(minutes=5)
DEFAULT_PUBLIC_BASE_URL = "http://127.0.0.1:8000"
ZALO_USER_KEY = "zalo_user_id"

# Statuses as the citizen reads them. Kept here rather than in the gettext catalogue because the text
# goes out in the *citizen's* language from a worker that has no request language.
STATUS_WORDS: dict[str, dict[str, str]] = {
    "vi": {
        "received": "đã được tiếp nhận",
        "assigned": "đã được giao cho cán bộ xử lý",
        "in_progress": "đang được xử lý",
        "waiting_citizen": "cần bạn bổ sung thông tin",
        "resolved": "đã được giải quyết",
        "closed": "đã đóng",
        "rejected": "không được thụ lý",
        "transferred": "đã được chuyển đến đơn vị có thẩm quyền",
    },
    "en": {
        "received": "has been received",
        "assigned": "has been assigned to an officer",
        "in_progress": "is being handled",
        "waiting_citizen": "needs more information from you",
        "resolved": "has been resolved",
        "closed": "has been closed",
        "rejected": "cannot be accepted",
        "transferred": "has been transferred to the competent unit",
    },
}
TEMPLATES: dict[str, dict[str, str]] = {
    "vi": {
        "status": "Công an TP Hà Nội: Phản ánh {code} {status}.",
        "reply": "Công an TP Hà Nội: Phản ánh {code} có trả lời mới.",
        "link": "Xem chi tiết: {link}",
        "overdue": "Thăng Long: Phản ánh {code} đã quá hạn xử lý ({due}).",
        "near_deadline": "Thăng Long: Phản ánh {code} sắp đến hạn xử lý ({due}).",
    },
    "en": {
        "status": "Hanoi Police: Your report {code} {status}.",
        "reply": "Hanoi Police: Your report {code} has a new reply.",
        "link": "Details: {link}",
        "overdue": "Thang Long: Report {code} is overdue ({due}).",
        "near_deadline": "Thang Long: Report {code} is due soon ({due}).",
    },
}


def language_of(report: Report) -> str:
    return "en" if (report.lang or "").lower().startswith("en") else "vi"


def public_base_url() -> str:
    return str(getattr(settings, "THANGLONG_PUBLIC_BASE_URL", "") or DEFAULT_PUBLIC_BASE_URL).rstrip("/")


def status_link(report: Report) -> str:
    """The citizen's private link to their report's status page (no phone digits needed)."""
    return f"{public_base_url()}/feedback/s/{report.tracking_code}/{report.tracking_secret}/"


def zalo_user_id(report: Report) -> str:
    """The Zalo follower id intake recorded (``triage`` or the RECEIVED event's data), or ''."""
    if report.channel != Channel.ZALO:
        return ""
    value = (report.triage or {}).get(ZALO_USER_KEY)
    if not value:
        received = report.events.filter(kind=EventKind.RECEIVED).only("data").first()
        value = (received.data or {}).get(ZALO_USER_KEY) if received else None
    return str(value or "")


def citizen_address(report: Report) -> tuple[str, str] | None:
    """(channel, recipient) to tell the citizen on, or None when there is nobody to tell."""
    user_id = zalo_user_id(report)
    if user_id:
        return notifiers.ZALO, user_id
    if report.anonymous:
        return None
    if report.contact_phone:
        return notifiers.SMS, report.contact_phone
    if report.contact_email:
        return notifiers.EMAIL, report.contact_email
    return None


def citizen_message(report: Report, kind: str, *, channel: str, message: str = "") -> str:
    lang = language_of(report)
    words = TEMPLATES[lang]
    if kind == "reply":
        head = words["reply"].format(code=report.tracking_code)
    else:
        status = STATUS_WORDS[lang].get(report.status, report.status)
        head = words["status"].format(code=report.tracking_code, status=status)
    parts = [head]
    # Zalo and e-mail have room for the officer's words; an SMS carries the headline and the link.
    if message and channel != notifiers.SMS:
        parts.append(message.strip())
    parts.append(words["link"].format(link=status_link(report)))
    text = "\n".join(parts) if channel != notifiers.SMS else " ".join(parts)
    return strip_accents(text) if channel == notifiers.SMS else text


def _queue(report: Report, channel: str, recipient: str, body: str) -> Notification:
    from thanglong.feedback.tasks import deliver_notification

    notification = Notification.objects.create(
        report=report, channel=channel, recipient=recipient[:128], body=body
    )
    enqueue_on_commit(deliver_notification, notification.pk)
    return notification


def notify_citizen(report: Report, event: ReportEvent) -> Notification | None:
    """Queue the citizen's notice of a public ``event`` (status change or reply); call inside the
    transaction that wrote the event, so the row and the change commit or roll back together."""
    address = citizen_address(report)
    if address is None or not event.public:
        return None
    channel, recipient = address
    kind = "reply" if event.kind == EventKind.REPLY else "status"
    return _queue(
        report, channel, recipient, citizen_message(report, kind, channel=channel, message=event.message)
    )


def notify_officer(report: Report, officer: User, threshold: str) -> Notification | None:
    """Queue an SLA alert (``overdue`` / ``near_deadline``) for the officer handling ``report``."""
    profile = getattr(officer, "profile", None)
    lang = "en" if profile is not None and profile.preferred_language.startswith("en") else "vi"
    due = timezone.localtime(report.due_at).strftime("%H:%M %d/%m/%Y") if report.due_at else "—"
    text = TEMPLATES[lang][threshold].format(code=report.tracking_code, due=due)
    link = f"{public_base_url()}/console/feedback/{report.tracking_code}/"
    if profile is not None and profile.phone:
        return _queue(report, notifiers.SMS, profile.phone, strip_accents(f"{text} {link}"))
    if officer.email:
        return _queue(report, notifiers.EMAIL, officer.email, f"{text}\n{link}")
    return None


# --- delivery (background job) ----------------------------------------------------------------------


def backoff(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after the 1st, 2nd, 3rd failed attempt, at most an hour."""
    return timedelta(seconds=min(MAX_BACKOFF_SECONDS, FIRST_BACKOFF_SECONDS * 2 ** max(0, attempts - 1)))


def _claim(notification_id: int, now: datetime) -> Notification | None:
    """Take the row for one sending attempt; None when it is sent, failed, not due, or taken."""
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    claimed = (
        Notification.objects.filter(due, pk=notification_id, status=NotificationStatus.PENDING)
        .filter(attempts__lt=MAX_ATTEMPTS)
        .update(attempts=F("attempts") + 1, next_attempt_at=now + SENDING_LEASE)
    )
    return Notification.objects.filter(pk=notification_id).first() if claimed else None


def deliver(notification_id: int, *, now: datetime | None = None) -> str:
    """Send one outbox row; returns its status afterwards (or ``skipped``). Safe to run twice."""
    now = now or timezone.now()
    notification = _claim(notification_id, now)
    if notification is None:
        return "skipped"
    try:
        notifiers.get_notifier(notification.channel).send(
            notification.recipient, notification.body, idempotency_key=f"thanglong-n{notification.pk}"
        )
    except notifiers.DeliveryError as exc:
        return _record_failure(notification, exc, now)
    Notification.objects.filter(pk=notification.pk).update(
        status=NotificationStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return NotificationStatus.SENT


def _record_failure(notification: Notification, exc: notifiers.DeliveryError, now: datetime) -> str:
    give_up = exc.permanent or notification.attempts >= MAX_ATTEMPTS
    status = NotificationStatus.FAILED if give_up else NotificationStatus.PENDING
    next_attempt = None if give_up else now + backoff(notification.attempts)
    # The recipient is personal data: the log names the row, never the number.
    logger.warning(
        "notification %s (%s) attempt %d failed: %s",
        notification.pk,
        notification.channel,
        notification.attempts,
        exc,
    )
    Notification.objects.filter(pk=notification.pk).update(
        status=status, next_attempt_at=next_attempt, last_error=str(exc)[:255]
    )
    if next_attempt is not None:
        _schedule_retry(notification.pk, next_attempt)
    return status


def _schedule_retry(notification_id: int, when: datetime) -> None:
    """Re-queue at ``when`` where the backend can defer; elsewhere the periodic sweep picks it up."""
    from thanglong.feedback.tasks import deliver_notification

    backend = deliver_notification.get_backend()
    if backend.supports_defer:
        try:
            deliver_notification.using(run_after=when).enqueue(notification_id)
        except Exception:  # a queue that is down must not lose the outcome already recorded
            logger.exception("could not re-queue notification %s; the periodic sweep will", notification_id)


def retry_due(now: datetime | None = None, *, limit: int = 500) -> int:
    """Queue every pending row whose next attempt is due (or that never got a job); returns how many."""
    from thanglong.feedback.tasks import deliver_notification

    now = now or timezone.now()
    # A fresh row without a time is normally being handled by its on-commit job: leave it a minute.
    due = Q(next_attempt_at__lte=now) | Q(
        next_attempt_at__isnull=True, created_at__lte=now - timedelta(minutes=1)
    )
    ids = list(
        Notification.objects.filter(due, status=NotificationStatus.PENDING, attempts__lt=MAX_ATTEMPTS)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    for notification_id in ids:
        deliver_notification.enqueue(notification_id)
    return len(ids)


def describe(notification: Notification) -> dict[str, Any]:
    """What the console shows about an outbox row: never the recipient itself."""
    return {
        "channel": notification.channel,
        "status": notification.status,
        "status_label": NotificationStatus(notification.status).label,
        "attempts": notification.attempts,
        "last_error": notification.last_error,
        "sent_at": notification.sent_at,
        "created_at": notification.created_at,
    }
