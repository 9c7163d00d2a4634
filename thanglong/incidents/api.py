"""Incidents API (``/api/v1/incidents``): call-takers' systems open incidents, readers list them, and a
callbot running in another process streams the caller's words into the live transcript.

Errors answer 4xx with ``message_vi`` / ``message_en`` and the field named; the caller's number is
returned only to those entitled, and each such read is audited.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from thanglong.core.api_errors import bilingual_error
from thanglong.core.models import Ward
from thanglong.core.schemas import ErrorOut
from thanglong.core.services import request_context
from thanglong.incidents import services
from thanglong.incidents.models import Incident
from thanglong.incidents.services import access, queries

router = Router(tags=["incidents"])
NOT_FOUND = bilingual_error("not_found", "Không tìm thấy sự vụ.", "Incident not found.")


class FieldErrorOut(ErrorOut):
    field: str = ""


class IncidentIn(Schema):
    line: str = Field(..., description="113 or 114")
    kind: str = Field(..., description="crime, violence, traffic, fire, rescue, medical, other")
    priority: int = Field(2, ge=1, le=3, description="1 critical, 2 high, 3 normal")
    caller_number: str = Field("", max_length=20)
    caller_name: str = Field("", max_length=128)
    location_text: str = Field("", max_length=500)
    ward_code: str = Field("", max_length=5)
    summary: str = Field("", max_length=10_000)


class IncidentOut(Schema):
    number: str
    line: str
    kind: str
    priority: int
    status: str
    channel: str
    caller_number: str
    location_text: str
    ward_code: str | None
    unit_code: str | None
    received_at: dt.datetime
    dispatched_at: dt.datetime | None
    on_scene_at: dt.datetime | None
    closed_at: dt.datetime | None


class TranscriptIn(Schema):
    text: str = Field(..., min_length=1, max_length=10_000)
    partial: bool = False


class TranscriptOut(Schema):
    number: str
    lines: int


def _out(incident: Incident, caller_number: str = "") -> dict[str, object]:
    return {
        "number": incident.number,
        "line": incident.line,
        "kind": incident.kind,
        "priority": incident.priority,
        "status": incident.status,
        "channel": incident.channel,
        "caller_number": caller_number,
        "location_text": incident.location_text,
        "ward_code": incident.ward_id,
        "unit_code": incident.unit.code if incident.unit else None,
        "received_at": incident.received_at,
        "dispatched_at": incident.dispatched_at,
        "on_scene_at": incident.on_scene_at,
        "closed_at": incident.closed_at,
    }


@router.get(
    "", response=list[IncidentOut], summary="Incidents the reader may see (open ones unless status=all)"
)
def list_incidents(request: HttpRequest, status: str = "", line: str = "") -> list[dict[str, object]]:
    rows = queries.filtered(access.visible_incidents(request.user), queries.Filters(line=line, status=status))
    return [_out(incident) for incident in rows[:200]]  # numbers are not listed: read one to see it


@router.post(
    "",
    response={201: IncidentOut, 403: ErrorOut, 409: FieldErrorOut, 422: FieldErrorOut},
    summary="Record a 113/114 call",
)
def create(request: HttpRequest, payload: IncidentIn) -> Status:
    if not access.can_take_calls(request.user):
        raise PermissionDenied
    ward = None
    if payload.ward_code:
        ward = Ward.objects.filter(code=payload.ward_code).first()
        if ward is None:
            return Status(
                422,
                bilingual_error(
                    "invalid_input",
                    "ward_code: không tìm thấy phường/xã.",
                    "ward_code: ward not found.",
                    field="ward_code",
                ),
            )
    try:
        incident = services.open_incident(
            line=payload.line,
            kind=payload.kind,
            priority=payload.priority,
            caller_number=payload.caller_number,
            caller_name=payload.caller_name,
            location_text=payload.location_text,
            ward=ward,
            summary=payload.summary,
            channel="phone",
            actor=request.user,
            context=request_context(request),
        )
    except services.IncidentError as error:
        return Status(
            error.status,
            bilingual_error("invalid_input", error.message_vi, error.message_en, field=error.field),
        )
    return Status(201, _out(incident, incident.caller_number))


@router.get("/{number}", response={200: IncidentOut, 404: ErrorOut}, summary="One incident")
def read(request: HttpRequest, number: str) -> Status:
    incident = access.visible_incidents(request.user).select_related("unit").filter(number=number).first()
    if incident is None:
        return Status(404, NOT_FOUND)
    caller = access.caller_number_for(request.user, incident, context=request_context(request))
    return Status(200, _out(incident, caller))


@router.post(
    "/{number}/transcript",
    response={201: TranscriptOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
    summary="Add what the caller said (partial results replace the previous partial)",
)
def transcript(request: HttpRequest, number: str, payload: TranscriptIn) -> Status:
    incident = access.visible_incidents(request.user).filter(number=number).first()
    if incident is None:
        return Status(404, NOT_FOUND)
    if not access.can_handle(request.user, incident):
        raise PermissionDenied
    if not incident.is_open:
        return Status(409, bilingual_error("closed", "Sự vụ đã kết thúc.", "The incident is already closed."))
    services.append_transcript(incident, payload.text, payload.partial)
    return Status(201, {"number": incident.number, "lines": incident.transcript.count()})
