"""Opening incidents: by the call-taker's form, from the callbot's emergency calls, from any channel.

Every new incident is numbered in its own transaction (gap-free per line and year), placed in a ward
with the address normaliser, given its first timeline step, audited, and announced to the command
console as a live alert once committed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from thanglong.core.address import normalise_address
from thanglong.core.models import AuditAction, OrganisationUnit, UnitKind, Ward
from thanglong.core.services import RequestContext, record_audit
from thanglong.incidents import numbering
from thanglong.incidents.choices import Channel, EventKind, IncidentKind, Line, Priority
from thanglong.incidents.keywords import detect_emergency
from thanglong.incidents.models import Incident, IncidentEvent, TranscriptLine

logger = logging.getLogger(__name__)

Actor = User | AnonymousUser
MAX_TEXT = 10_000
# Incidents the callbot and the channels open on their own: how urgent each kind is by default.
DEFAULT_PRIORITY = {
    IncidentKind.FIRE: Priority.CRITICAL,
    IncidentKind.RESCUE: Priority.CRITICAL,
    IncidentKind.CRIME: Priority.CRITICAL,
    IncidentKind.VIOLENCE: Priority.HIGH,
    IncidentKind.MEDICAL: Priority.CRITICAL,
    IncidentKind.TRAFFIC: Priority.HIGH,
    IncidentKind.OTHER: Priority.HIGH,
}
SEVERITY = {Priority.CRITICAL: "critical", Priority.HIGH: "critical", Priority.NORMAL: "warning"}


class IncidentError(Exception):
    """Refused input or move: the field named, the message in Vietnamese and English."""

    def __init__(self, field: str, message_vi: str, message_en: str, status: int = 422) -> None:
        super().__init__(f"{field}: {message_en}")
        self.field = field
        self.message_vi = message_vi
        self.message_en = message_en
        self.status = status


@dataclass(frozen=True)
class Place:
    ward: Ward | None
    unit: OrganisationUnit | None
    confidence: float


def locate(location_text: str) -> Place:
    """The ward (2025) and ward police station of a free-text location (read in the city if none named)."""
    text = (location_text or "").strip()
    if not text:
        return Place(None, None, 0.0)
    result = normalise_address(text)
    city = settings.THANGLONG.get("CITY_PROVINCE_CODE", "01")
    if result.ward is None and (result.province is None or result.province.code == city):
        from thanglong.core.models import Province

        province = Province.objects.filter(code=city).first()
        if province is not None:
            in_city = normalise_address(f"{text}, {province.full_name}")
            if in_city.ward is not None:
                result = in_city
    ward = Ward.objects.filter(code=result.ward.code).first() if result.ward and result.ward.code else None
    return Place(ward, station_of(ward), result.confidence if ward else 0.0)


def station_of(ward: Ward | None) -> OrganisationUnit | None:
    if ward is None:
        return None
    return (
        OrganisationUnit.objects.filter(ward=ward, kind=UnitKind.WARD_STATION, is_active=True)
        .order_by("id")
        .first()
    )


def _clean_phone(raw: str) -> str:
    """A caller number kept as dialled when it cannot be normalised: an emergency is never refused for it."""
    from thanglong.feedback.services.intake import normalise_phone

    raw = (raw or "").strip()[:20]
    return normalise_phone(raw) or "".join(ch for ch in raw if ch.isdigit() or ch == "+")[:20]


def _check_choice(field: str, value: Any, choices: Any, vi: str, en: str) -> None:
    if value not in choices.values:
        raise IncidentError(field, vi, en)


def open_incident(
    *,
    line: str,
    kind: str,
    priority: int,
    caller_number: str = "",
    caller_name: str = "",
    location_text: str = "",
    ward: Ward | None = None,
    summary: str = "",
    channel: str = Channel.PHONE,
    call_id: str = "",
    reference: str = "",
    transcript: str = "",
    actor: Actor | None = None,
    actor_name: str = "",
    context: RequestContext | None = None,
) -> Incident:
    """Record a new incident; :class:`IncidentError` for a line, type, priority or channel not listed."""
    _check_choice("line", line, Line, "Đường dây: chỉ 113 hoặc 114.", "Line: only 113 or 114.")
    _check_choice(
        "kind", kind, IncidentKind, "Loại sự vụ: không có trong danh sách.", "Type: not one listed."
    )
    try:
        priority = int(priority)
    except (TypeError, ValueError):
        priority = 0
    _check_choice("priority", priority, Priority, "Mức độ: không hợp lệ.", "Priority: not valid.")
    _check_choice("channel", channel, Channel, "Kênh: không hợp lệ.", "Channel: not valid.")
    location_text = (location_text or "").strip()[:500]
    place = locate(location_text) if ward is None else Place(ward, station_of(ward), 1.0)
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    now = timezone.now()
    with transaction.atomic():
        incident = Incident(
            line=line,
            kind=kind,
            priority=priority,
            channel=channel,
            caller_number=_clean_phone(caller_number),
            caller_name=(caller_name or "").strip()[:128],
            location_text=location_text,
            ward=place.ward,
            unit=place.unit,
            summary=(summary or "").strip()[:MAX_TEXT],
            call_id=(call_id or "")[:128],
            reference=(reference or "")[:128],
            received_at=now,
            created_by=user,
        )
        incident.number = numbering.next_number(line, now)  # last: holds the counter's lock for least time
        incident.save()
        IncidentEvent.objects.create(
            incident=incident,
            kind=EventKind.RECEIVED,
            at=now,
            actor=user,
            actor_name=actor_name or (user.get_username() if user else ""),
            note=str(Channel(channel).label),
        )
        if transcript.strip():
            TranscriptLine.objects.create(incident=incident, text=transcript.strip()[:MAX_TEXT], at=now)
        record_audit(
            actor=actor,
            action=AuditAction.CREATE,
            object_type="incidents.incident",
            object_id=incident.pk,
            object_repr=incident.number,
            fields=["line", "kind", "priority", "caller_number", "location_text"],
            context=context,
        )
        _announce(incident)
    logger.info("incident %s opened (%s, %s) via %s", incident.number, line, kind, channel)
    return incident


def _announce(incident: Incident) -> None:
    """A live alert on the command console (stored when the incident commits)."""
    try:
        from thanglong.core.alerts import raise_alert
    except ImportError:
        return
    title = _("%(line)s: %(kind)s") % {
        "line": incident.line,
        "kind": IncidentKind(incident.kind).label,
    }
    raise_alert(
        kind="incident",
        severity=SEVERITY.get(Priority(incident.priority), "warning"),
        title=f"{incident.number} · {title}",
        body=incident.location_text or incident.summary[:200],
        url=reverse("incidents:detail", args=[incident.number]),
        units=[incident.unit] if incident.unit else [],
        payload={"number": incident.number, "line": incident.line, "priority": incident.priority},
    )


def open_from_call(
    *, line: str, caller_number: str, transcript: str, call_id: str | None = None, location_text: str = ""
) -> Incident:
    """The callbot heard an emergency: open (or, for the same call, add to) an incident before transferring.

    The type comes from what the caller said; a 114 call with no telling words is a fire.
    """
    if call_id:
        existing = Incident.objects.filter(call_id=call_id).first()
        if existing is not None:
            from thanglong.incidents.services.workflow import append_transcript

            append_transcript(existing, transcript, partial=False)
            return existing
    found = detect_emergency(transcript)
    kind = found[1] if found else (IncidentKind.FIRE if line == Line.FIRE_RESCUE else IncidentKind.OTHER)
    return open_incident(
        line=line if line in Line.values else Line.POLICE,
        kind=kind,
        priority=DEFAULT_PRIORITY[IncidentKind(kind)],
        caller_number=caller_number,
        location_text=location_text,
        summary=transcript,
        channel=Channel.CALLBOT,
        call_id=call_id or "",
        transcript=transcript,
        actor_name="callbot",
    )


def open_from_channel(
    *,
    channel: str,
    text: str,
    reference: str,
    location_text: str = "",
    caller_number: str = "",
    actor: Actor | None = None,
) -> Incident | None:
    """An emergency written in another channel (assistant chat, a feedback report, Zalo): open an incident.

    Returns ``None`` when the text holds no emergency words. The same ``(channel, reference)`` opens one
    incident only, so a retried message or a re-run triage does not raise a second alarm.
    """
    found = detect_emergency(text)
    if found is None:
        return None
    if channel not in Channel.values:
        channel = Channel.OTHER
    reference = (reference or "")[:128]
    if reference:
        existing = Incident.objects.filter(channel=channel, reference=reference).first()
        if existing is not None:
            return existing
    line, kind = found
    return open_incident(
        line=line,
        kind=kind,
        priority=DEFAULT_PRIORITY[IncidentKind(kind)],
        caller_number=caller_number,
        location_text=location_text,
        summary=text,
        channel=channel,
        reference=reference,
        actor=actor,
        actor_name="" if actor is not None else str(Channel(channel).label),
    )
