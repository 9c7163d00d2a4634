"""An incident's life after intake: units dispatched, arrival on scene, closing, hand-off to feedback.

Each step is one transaction: the incident's status and time, a timeline event with its actor, and an
audit entry. Moves not in :data:`~thanglong.incidents.choices.TRANSITIONS` are refused.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thanglong.core.models import AuditAction, OrganisationUnit
from thanglong.core.services import RequestContext, record_audit
from thanglong.incidents.choices import NEEDS_REASON, TRANSITIONS, EventKind, IncidentKind, Status
from thanglong.incidents.models import DispatchedUnit, Incident, IncidentEvent, TranscriptLine
from thanglong.incidents.services.intake import MAX_TEXT, IncidentError

Actor = User | AnonymousUser


def _actor_name(actor: Actor | None) -> str:
    if actor is None or not actor.is_authenticated:
        return ""
    profile = getattr(actor, "profile", None)
    return getattr(profile, "full_name", "") or actor.get_username()


def _move(
    incident: Incident,
    to: str,
    *,
    actor: Actor | None,
    note: str = "",
    units: list[str] | None = None,
    context: RequestContext | None = None,
) -> Incident:
    locked = Incident.objects.select_for_update().get(pk=incident.pk)
    if to not in TRANSITIONS.get(locked.status, set()):
        raise IncidentError(
            "status",
            _("Không thể chuyển từ “%(from)s” sang “%(to)s”.")
            % {"from": Status(locked.status).label, "to": Status(to).label},
            f"Cannot move from {locked.status} to {to}.",
            status=409,
        )
    now = timezone.now()
    field = {
        Status.DISPATCHED: "dispatched_at",
        Status.ON_SCENE: "on_scene_at",
    }.get(Status(to))
    if field and getattr(locked, field) is None:
        setattr(locked, field, now)
    if to not in (Status.RECEIVED, Status.DISPATCHED, Status.ON_SCENE):
        locked.closed_at = now
    # Reinforcements sent while units are on the scene: the incident stays "on scene".
    if not (to == Status.DISPATCHED and locked.status == Status.ON_SCENE):
        locked.status = to
    locked.save()
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    IncidentEvent.objects.create(
        incident=locked,
        kind=to,
        at=now,
        actor=user,
        actor_name=_actor_name(actor),
        note=note,
        units=units or [],
    )
    record_audit(
        actor=actor,
        action=AuditAction.UPDATE,
        object_type="incidents.incident",
        object_id=locked.pk,
        object_repr=locked.number,
        fields=["status"],
        reason=f"{incident.status}→{to}" + (f": {note[:200]}" if note else ""),
        context=context,
    )
    return locked


@transaction.atomic
def dispatch(
    incident: Incident,
    *,
    units: Sequence[OrganisationUnit | str],
    actor: Actor | None,
    note: str = "",
    context: RequestContext | None = None,
) -> Incident:
    """Send units (organisation units or named teams/vehicles); again later to send more."""
    entries: list[tuple[OrganisationUnit | None, str]] = []
    for unit in units:
        if isinstance(unit, OrganisationUnit):
            entries.append((unit, unit.short_name or unit.name))
        elif str(unit).strip():
            entries.append((None, str(unit).strip()[:120]))
    if not entries:
        raise IncidentError("units", "Lực lượng: cần ít nhất một.", "Units: at least one is needed.")
    moved = _move(
        incident,
        Status.DISPATCHED,
        actor=actor,
        note=note,
        units=[label for _, label in entries],
        context=context,
    )
    DispatchedUnit.objects.bulk_create(
        DispatchedUnit(incident=moved, unit=unit, label=label, dispatched_at=timezone.now())
        for unit, label in entries
    )
    return moved


@transaction.atomic
def arrive(
    incident: Incident, *, actor: Actor | None, note: str = "", context: RequestContext | None = None
) -> Incident:
    """The first unit is on the scene."""
    moved = _move(incident, Status.ON_SCENE, actor=actor, note=note, context=context)
    DispatchedUnit.objects.filter(incident=moved, arrived_at__isnull=True).update(
        arrived_at=moved.on_scene_at
    )
    return moved


@transaction.atomic
def close(
    incident: Incident,
    *,
    actor: Actor | None,
    outcome: str = Status.CLOSED,
    reason: str = "",
    context: RequestContext | None = None,
) -> Incident:
    """End the incident: handled (closed), cancelled, or a hoax; the last two need a reason."""
    if outcome not in (Status.CLOSED, Status.CANCELLED, Status.HOAX):
        raise IncidentError("outcome", "Kết quả: không hợp lệ.", "Outcome: not valid.")
    reason = (reason or "").strip()[:2000]
    if outcome in NEEDS_REASON and not reason:
        raise IncidentError(
            "reason",
            "Lý do: bắt buộc khi huỷ hoặc báo tin giả.",
            "Reason: required to cancel or mark a hoax.",
        )
    return _move(incident, outcome, actor=actor, note=reason, context=context)


@transaction.atomic
def add_note(
    incident: Incident, *, actor: Actor | None, note: str, context: RequestContext | None = None
) -> IncidentEvent:
    note = (note or "").strip()[:2000]
    if not note:
        raise IncidentError("note", "Ghi chú: không được để trống.", "Note: must not be empty.")
    user = actor if isinstance(actor, User) and actor.is_authenticated else None
    return IncidentEvent.objects.create(
        incident=incident, kind=EventKind.NOTE, actor=user, actor_name=_actor_name(actor), note=note
    )


def append_transcript(
    incident: Incident, text: str, partial: bool = False, *, speaker: str = "caller"
) -> TranscriptLine | None:
    """Add what the caller said. A partial result replaces the previous partial; a final one replaces
    the partial it completes, so the page shows each utterance once."""
    text = (text or "").strip()[:MAX_TEXT]
    if not text:
        return None
    with transaction.atomic():
        last = (
            TranscriptLine.objects.select_for_update()
            .filter(incident=incident)
            .order_by("-at", "-id")
            .first()
        )
        if last is not None and last.partial and last.speaker == speaker:
            last.text, last.partial, last.at = text, partial, timezone.now()
            last.save(update_fields=["text", "partial", "at"])
            return last
        return TranscriptLine.objects.create(incident=incident, text=text, partial=partial, speaker=speaker)


def hand_off_to_feedback(
    incident: Incident,
    *,
    actor: Actor | None,
    reason: str,
    caller_consents: bool = False,
    context: RequestContext | None = None,
) -> Incident:
    """Not an emergency: file it as a citizen's report (feedback intake), end the incident, link both ways.

    The report carries the incident number in its title; the incident keeps the report. The caller's
    number goes with the report only if they agreed on the phone to be contacted.
    """
    from thanglong.feedback.choices import Category, Channel
    from thanglong.feedback.services.intake import submit_report

    reason = (reason or "").strip()
    if not reason:
        raise IncidentError(
            "reason", "Lý do: bắt buộc khi chuyển thành phản ánh.", "Reason: required to hand off."
        )
    if incident.status != Status.RECEIVED:
        raise IncidentError(
            "status",
            "Chỉ chuyển thành phản ánh khi chưa điều lực lượng.",
            "Only an incident no unit was sent to can be handed off.",
            status=409,
        )
    category = {
        IncidentKind.FIRE: Category.FIRE_SAFETY,
        IncidentKind.TRAFFIC: Category.TRAFFIC,
        IncidentKind.CRIME: Category.PUBLIC_ORDER,
        IncidentKind.VIOLENCE: Category.PUBLIC_ORDER,
    }.get(IncidentKind(incident.kind), Category.OTHER)
    lines = list(incident.transcript.filter(partial=False).values_list("text", flat=True))
    text = "\n".join(part for part in [incident.summary, *lines] if part).strip() or reason
    if len(text) < 10:
        text = f"{text} — {reason}"
    data: dict[str, object] = {
        "title": _("Chuyển từ sự vụ %(number)s") % {"number": incident.number},
        "text": text[:5000],
        "category_hint": str(category),
        "address": incident.location_text,
        "ward_code": incident.ward_id or "",
    }
    if caller_consents and incident.caller_number:
        data.update(anonymous=False, phone=incident.caller_number, name=incident.caller_name, consent=True)
    else:
        data["anonymous"] = True
    report, _created = submit_report(
        data,
        channel=Channel.PHONE,
        idempotency_key=f"incident-{incident.number}",
        user=actor if isinstance(actor, User) else None,
        client_ip=context.ip_address if context else None,
    )
    with transaction.atomic():
        moved = _move(
            incident, Status.REFERRED, actor=actor, note=f"{reason} → {report.tracking_code}", context=context
        )
        moved.report = report
        moved.save(update_fields=["report", "updated_at"])
    return moved
