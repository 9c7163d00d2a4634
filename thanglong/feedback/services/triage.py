"""Applying automatic triage to a stored report, and officers' corrections of what it decided.

``apply_triage`` runs in the background job queued after intake commits. It is idempotent: a report
already triaged is returned as it is (``force=True`` re-decides, keeping what officers corrected), so
a retried or duplicated job changes nothing. The engine runs before the transaction; the row is then
locked and every field and event is written in one transaction.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thanglong.core.models import OrganisationUnit
from thanglong.feedback.choices import OPEN_STATUSES, Category, EventKind, Priority, TriageState
from thanglong.feedback.models import Report, ReportEvent, TriageCorrection
from thanglong.feedback.triage import Analysis, TriageEngine, get_engine
from thanglong.feedback.triage.embedders import decode_vector, encode_vector
from thanglong.feedback.triage.routing import DatabaseUnitDirectory, Route, UnitDirectory, route

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = timedelta(hours=72)
DUPLICATE_RADIUS_M = 300.0
MAX_DUPLICATE_CANDIDATES = 200
SAME_TEXT_WINDOW = timedelta(days=7)
CORRECTABLE = ("category", "unit", "priority")
_FINISHED = {TriageState.DONE, TriageState.DISPATCHER}


class TriageError(ValueError):
    """A correction that cannot be applied (unknown field or value)."""


@dataclass
class _Duplicate:
    report: Report
    score: float


def apply_triage(
    report_id: int,
    *,
    force: bool = False,
    engine: TriageEngine | None = None,
    units: UnitDirectory | None = None,
) -> Report:
    """Decide category, unit, priority, language, personal data, spam and duplicates; store them."""
    report = Report.objects.get(pk=report_id)
    if report.triage_state in _FINISHED and not force:
        return report
    engine = engine or get_engine()
    analysis = engine.analyse(report.text, same_text_from_phone=_same_text_count(report))
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.triage_state in _FINISHED and not force:
            return report  # another worker finished it while this one was analysing
        _store(report, analysis, engine, units or DatabaseUnitDirectory())
    return report


def _same_text_count(report: Report) -> int:
    if not report.contact_phone:
        return 0
    return (
        Report.objects.filter(
            contact_phone=report.contact_phone,
            text=report.text,
            received_at__gte=report.received_at - SAME_TEXT_WINDOW,
        )
        .exclude(pk=report.pk)
        .count()
    )


def _store(report: Report, analysis: Analysis, engine: TriageEngine, units: UnitDirectory) -> None:
    corrected = set(report.corrections.values_list("field", flat=True))
    category = report.category if "category" in corrected else analysis.category
    priority = report.priority if "priority" in corrected else analysis.priority.priority
    urgent = priority == Priority.URGENT and bool(analysis.priority.urgent_signals)
    spam = analysis.spam.score >= 0.7
    if spam and not urgent and "priority" not in corrected:
        priority = Priority.LOW

    proposed = route(category, report.ward_id, severe=urgent, units=units)
    reasons = [*analysis.reasons, *analysis.priority.reasons, *proposed.reasons]
    needs_person = proposed.to_dispatcher or (analysis.needs_person and "category" not in corrected)
    if analysis.confidence < analysis.threshold and "category" not in corrected:
        reasons.append(
            f"confidence {analysis.confidence:.2f} below {analysis.threshold:.2f}: a person decides"
        )
    if spam:
        reasons.append(f"spam score {analysis.spam.score:.2f} ({', '.join(analysis.spam.reasons)})")

    duplicates = _find_duplicates(report, category, analysis, engine)
    primary = next((match for match in duplicates if match.score >= engine.duplicate_threshold), None)

    if "unit" in corrected:
        unit_id = report.unit_id
    elif primary and primary.report.unit_id:
        unit_id = primary.report.unit_id  # one incident, one handling unit
        reasons.append(f"same incident as {primary.report.tracking_code}: handled by its unit")
    elif needs_person:
        dispatcher = units.dispatcher()
        unit_id = dispatcher.id if dispatcher else None
    else:
        unit_id = proposed.unit.id if proposed.unit else None

    triage: dict[str, Any] = {**(report.triage or {})}  # keep what intake stored there (Zalo follower id…)
    triage.update(
        engine=analysis.engine,
        category_scores=analysis.category_scores,
        confidence=analysis.confidence,
        threshold=analysis.threshold,
        reasons=reasons,
        routing={**proposed.as_dict(), "suggested_unit": proposed.unit.code if proposed.unit else None},
        priority={"level": int(priority), "signals": analysis.priority.urgent_signals},
        spam={"score": analysis.spam.score, "reasons": analysis.spam.reasons},
        duplicates=[
            {"report": match.report.tracking_code, "id": match.report.pk, "score": round(match.score, 3)}
            for match in duplicates[:3]
        ],
        duplicate_candidates=[match.report.pk for match in duplicates[:3]],
        triaged_at=timezone.now().isoformat(),
    )
    if analysis.embedding is not None:
        triage["embedding"] = encode_vector(analysis.embedding)
        triage["embedding_model"] = (
            analysis.engine.split(":")[1] if ":" in analysis.engine else analysis.engine
        )

    report.category = category
    report.category_confidence = 1.0 if "category" in corrected else analysis.confidence
    report.priority = priority
    report.triage_state = (
        TriageState.DISPATCHER if needs_person and "unit" not in corrected else TriageState.DONE
    )
    report.triage = triage
    report.spam_score = analysis.spam.score
    report.pii_found = analysis.pii_found
    report.masked_text = analysis.masked_text
    report.lang = analysis.lang
    report.unit_id = unit_id
    root = (primary.report.duplicate_of_id or primary.report.pk) if primary else None
    merged_now = root is not None and report.duplicate_of_id != root
    if root is not None:
        report.duplicate_of_id = root
    due_at = _due_at(report.received_at, category, int(priority))
    if due_at is not None:
        report.due_at = due_at
    report.save()

    _event(
        report,
        EventKind.TRIAGED,
        _summary(report, proposed),
        {
            "category": category,
            "confidence": analysis.confidence,
            "unit": proposed.unit.code if proposed.unit else None,
            "priority": int(priority),
            "state": report.triage_state,
            "engine": analysis.engine,
        },
    )
    if urgent and not report.events.filter(kind=EventKind.ALERT, data__source="triage").exists():
        _event(
            report,
            EventKind.ALERT,
            "Phản ánh khẩn cấp: " + "; ".join(analysis.priority.reasons),
            {
                "source": "triage",
                "signals": analysis.priority.urgent_signals,
            },
        )
    if urgent:
        _open_incident(report)
    if merged_now and primary is not None and root is not None:
        data = {"primary": root, "score": round(primary.score, 3), "source": "triage"}
        _event(report, EventKind.MERGED, f"Trùng sự việc với phản ánh #{root}", data)
        _event(
            root,
            EventKind.MERGED,
            f"Phản ánh {report.tracking_code} cùng sự việc",
            {
                "duplicate": report.tracking_code,
                "score": round(primary.score, 3),
                "source": "triage",
            },
        )


def _open_incident(report: Report) -> None:
    """An ongoing emergency written as a report also goes to the 113/114 call-takers (once per report)."""
    from thanglong.incidents.services import open_from_channel

    open_from_channel(
        channel="feedback",
        text=report.text,
        reference=report.tracking_code,
        location_text=report.address_text,
        caller_number=report.contact_phone,
    )


def _summary(report: Report, proposed: Route) -> str:
    state = "chờ điều phối viên" if report.triage_state == TriageState.DISPATCHER else "đã phân loại"
    unit = proposed.unit.code if proposed.unit else "-"
    return (
        f"{report.category} ({report.category_confidence:.2f}) → {unit}, ưu tiên {report.priority}, {state}"
    )


def _event(report: Report | int, kind: str, message: str, data: dict[str, Any]) -> None:
    report_id = report if isinstance(report, int) else report.pk
    ReportEvent.objects.create(report_id=report_id, kind=kind, public=False, message=message, data=data)


def _due_at(received_at: datetime, category: str, priority: int) -> datetime | None:
    try:
        from thanglong.feedback.services.sla import due_at_for
    except ImportError:
        return None
    due: datetime = due_at_for(received_at, category, priority)
    return due


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 6_371_000 * 2 * math.asin(math.sqrt(a))


def _find_duplicates(
    report: Report, category: str, analysis: Analysis, engine: TriageEngine
) -> list[_Duplicate]:
    """Open reports of the same category, same ward or within 300 m, up to 72 h earlier; best first."""
    place = Q(pk__in=[])
    origin = (
        (float(report.latitude), float(report.longitude))
        if report.latitude is not None and report.longitude is not None
        else None
    )
    if report.ward_id:
        place |= Q(ward_id=report.ward_id)
    if origin:
        # ~0.003° of latitude is 330 m: a box first, the exact distance below.
        lat, lon = origin
        place |= Q(latitude__range=(lat - 0.003, lat + 0.003), longitude__range=(lon - 0.0035, lon + 0.0035))
    if not report.ward_id and origin is None:
        return []
    candidates = (
        Report.objects.filter(
            place,
            category=category,
            status__in=OPEN_STATUSES,
            received_at__gte=report.received_at - DUPLICATE_WINDOW,
            received_at__lte=report.received_at,
            triage_state__in=_FINISHED,
        )
        .exclude(pk=report.pk)
        .exclude(duplicate_of_id=report.pk)
        .order_by("received_at", "id")[:MAX_DUPLICATE_CANDIDATES]
    )
    matches = []
    for candidate in candidates:
        if candidate.ward_id != report.ward_id or not report.ward_id:
            if origin is None or candidate.latitude is None or candidate.longitude is None:
                continue
            if (
                _distance_m(*origin, float(candidate.latitude), float(candidate.longitude))
                > DUPLICATE_RADIUS_M
            ):
                continue
        vector = _stored_vector(candidate, analysis, engine)
        if vector is None:
            continue
        text = candidate.masked_text or candidate.text
        matches.append(
            _Duplicate(candidate, engine.duplicate_score(analysis, analysis.masked_text, vector, text))
        )
    matches.sort(key=lambda match: (-match.score, match.report.received_at))
    return matches


def _stored_vector(candidate: Report, analysis: Analysis, engine: TriageEngine) -> Any:
    """The candidate's embedding as triage stored it; computed again only if another model made it."""
    stored = (candidate.triage or {}).get("embedding")
    model = (candidate.triage or {}).get("embedding_model")
    expected = analysis.engine.split(":")[1] if ":" in analysis.engine else analysis.engine
    if stored and model == expected:
        return decode_vector(stored)
    return engine.embed(candidate.masked_text or candidate.text)


# --- corrections --------------------------------------------------------------------------------


def record_correction(
    report: Report,
    officer: User | AnonymousUser | None,
    field: str,
    new_value: str | int | OrganisationUnit,
) -> TriageCorrection:
    """An officer set ``field`` (category | unit | priority): the row ``retrain`` learns from, a
    CORRECTED event, and the field itself."""
    if field not in CORRECTABLE:
        raise TriageError(f"cannot correct {field!r}; one of {', '.join(CORRECTABLE)}")
    with transaction.atomic():
        report = Report.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)
        if field == "category":
            value = str(new_value)
            if value not in Category.values:
                raise TriageError(f"unknown category {value!r}")
            old = report.category
            report.category, report.category_confidence = value, 1.0
        elif field == "priority":
            if not str(new_value).isdigit() or int(new_value) not in Priority.values:  # type: ignore[arg-type]
                raise TriageError(f"unknown priority {new_value!r}")
            value = str(int(new_value))  # type: ignore[arg-type]
            old = str(report.priority)
            report.priority = int(value)
        else:
            unit = new_value if isinstance(new_value, OrganisationUnit) else _unit(new_value)
            value = unit.code
            old = report.unit.code if report.unit else ""
            report.unit = unit
        if report.triage_state != TriageState.DONE and report.unit_id and report.category:
            report.triage_state = TriageState.DONE  # a person has decided
        report.save()
        actor = officer if isinstance(officer, User) else None
        correction = TriageCorrection.objects.create(
            report=report, field=field, old_value=old, new_value=value, officer=actor
        )
        ReportEvent.objects.create(
            report=report,
            kind=EventKind.CORRECTED,
            actor=actor,
            public=False,
            message=f"{field}: {old or '-'} → {value}",
            data={"field": field, "old": old, "new": value},
        )
    return correction


def _unit(value: str | int) -> OrganisationUnit:
    unit = OrganisationUnit.objects.filter(code=str(value)).first()
    if unit is None and str(value).isdigit():
        unit = OrganisationUnit.objects.filter(pk=int(value)).first()
    if unit is None:
        raise TriageError(f"unknown unit {value!r}")
    return unit
