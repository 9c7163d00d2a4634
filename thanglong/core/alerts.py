"""Live console alerts: any app raises one, officers of the units concerned see it as a toast.

``raise_alert`` stores the alert when the caller's transaction commits (never for work that rolls
back), in its own short autocommit insert so alert ids grow in commit order: a stream that has
delivered id N can then ask for ``id > N`` without skipping a slower transaction's lower id.

``/console/alerts/stream`` is a server-sent-events stream. The web server runs threads (gunicorn
gthread), so one stream must not hold a thread for long: it polls the table once a second for about
25 seconds, then ends; EventSource reconnects by itself and sends ``Last-Event-ID`` (``?after=`` does
the same for other clients), so nothing is lost across reconnections. A first connection starts a few
seconds back, covering the time the page took to load.

Alerts are kept ``THANGLONG_ALERT_RETENTION_DAYS`` (``purge_expired``, run daily by
``thanglong housekeeping``): what they point at lives on in its own app, under its own retention.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_GET

from thanglong.core.access import sees_all_units, visible_units
from thanglong.core.models import ConsoleAlert, OrganisationUnit
from thanglong.core.roles import is_staff_member

STREAM_SECONDS = 25.0
POLL_SECONDS = 1.0
KEEPALIVE_SECONDS = 10.0
RETRY_MS = 1500
BATCH = 50
FRESH_SECONDS = 10
PURGE_BATCH = 1000
# A toast is for what is happening now: older alerts are on their app's list, never replayed in bulk
# to a tab that comes back after a long time.
MAX_BACKLOG = timedelta(minutes=15)


def raise_alert(
    *,
    kind: str,
    severity: str = "warning",
    title: str,
    body: str = "",
    url: str = "",
    units: Iterable[OrganisationUnit | int] = (),
    payload: dict[str, Any] | None = None,
) -> ConsoleAlert:
    """Queue a console alert; it is stored (and streamed) once the current transaction commits.

    Returns the alert; its ``pk`` is set once stored (at once outside a transaction).
    """
    alert = ConsoleAlert(
        kind=kind[:48],
        severity=severity,
        title=title[:200],
        body=body,
        url=url[:500],
        payload=payload or {},
    )
    unit_ids = sorted({unit if isinstance(unit, int) else unit.pk for unit in units})

    def store() -> None:
        with transaction.atomic():
            alert.save()
            if unit_ids:
                alert.units.set(unit_ids)

    transaction.on_commit(store, robust=True)
    return alert


def purge_expired(now: datetime | None = None) -> int:
    """Delete alerts older than the retention period (in batches: camera alerts can be many); how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.THANGLONG_ALERT_RETENTION_DAYS)
    deleted = 0
    while True:
        batch = list(
            ConsoleAlert.objects.filter(created_at__lt=cutoff).values_list("pk", flat=True)[:PURGE_BATCH]
        )
        if not batch:
            return deleted
        with transaction.atomic():
            ConsoleAlert.objects.filter(pk__in=batch).delete()
        deleted += len(batch)


def visible_alerts(user: User | AnonymousUser) -> QuerySet[ConsoleAlert]:
    """Alerts of the units the user may see; unit-less ones only for those who see every unit."""
    if not is_staff_member(user):
        return ConsoleAlert.objects.none()
    if sees_all_units(user):
        return ConsoleAlert.objects.all()
    ids = ConsoleAlert.objects.filter(units__in=visible_units(user)).values("pk")
    return ConsoleAlert.objects.filter(Q(pk__in=ids))


def latest_id(user: User | AnonymousUser) -> int:
    return int(visible_alerts(user).aggregate(last=Max("pk"))["last"] or 0)


def as_event(alert: ConsoleAlert) -> str:
    """One SSE message: ``id`` (for Last-Event-ID), ``event: alert`` and the alert as JSON."""
    data = {
        "id": alert.pk,
        "kind": alert.kind,
        "severity": alert.severity,
        "title": alert.title,
        "body": alert.body,
        "url": alert.url,
        "payload": alert.payload,
        "created_at": alert.created_at.isoformat(),
    }
    # json.dumps escapes newlines, so the data stays on one line as SSE requires.
    return f"id: {alert.pk}\nevent: alert\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _start_after(request: HttpRequest) -> int | None:
    for raw in (request.headers.get("Last-Event-ID", ""), request.GET.get("after", "")):
        raw = raw.strip()
        if raw.isdigit():
            return int(raw)
    return None


def stream_events(
    user: User | AnonymousUser, after: int | None, *, seconds: float | None = None
) -> Iterator[str]:
    """The body of one stream: alerts newer than ``after`` as they are stored, for ``seconds``."""
    duration = STREAM_SECONDS if seconds is None else seconds
    yield f"retry: {RETRY_MS}\n\n"
    if after is None:
        # A fresh page: start a few seconds back, so an alert stored while the page loaded still shows.
        recent = visible_alerts(user).filter(
            created_at__gte=timezone.now() - timedelta(seconds=FRESH_SECONDS)
        )
        first = recent.order_by("pk").values_list("pk", flat=True).first()
        last = first - 1 if first is not None else latest_id(user)
    else:
        last = after
    deadline = time.monotonic() + duration
    last_write = time.monotonic()
    while True:
        recent = visible_alerts(user).filter(pk__gt=last, created_at__gte=timezone.now() - MAX_BACKLOG)
        fresh = list(recent.order_by("pk")[:BATCH])
        for alert in fresh:
            last = alert.pk
            yield as_event(alert)
            last_write = time.monotonic()
        if len(fresh) == BATCH:
            continue  # a backlog: send it without waiting
        now = time.monotonic()
        if now >= deadline:
            break
        if now - last_write >= KEEPALIVE_SECONDS:
            yield ": keep-alive\n\n"  # a comment line: proxies see traffic, EventSource ignores it
            last_write = now
        time.sleep(min(POLL_SECONDS, max(0.0, deadline - now)))


@require_GET
def stream(request: HttpRequest) -> HttpResponseBase:
    user = request.user
    if not user.is_authenticated or not is_staff_member(user):
        return HttpResponse(status=403)
    response = StreamingHttpResponse(
        stream_events(user, _start_after(request)), content_type="text/event-stream; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event through at once
    return response
