"""Watch-lists: stolen/wanted vehicles and wanted/missing persons, each with its legal basis, owning
unit and expiry; and the check of every new event against them.

An entry alerts only while it is active and not expired; expired entries stay for the record.
Face templates feed the 1:N index of thanglong.cameras.faces.index, which is told to rebuild after
every change (``invalidate``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import numpy as np
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from thanglong.cameras.models import (
    CameraEvent,
    EventKind,
    FaceTemplate,
    WatchEntryBase,
    WatchPerson,
    WatchReason,
    WatchVehicle,
)
from thanglong.cameras.services import plates
from thanglong.cameras.services.errors import CameraError
from thanglong.core.access import can_access_unit
from thanglong.core.models import AuditAction, OrganisationUnit
from thanglong.core.services import RequestContext, record_audit

logger = logging.getLogger(__name__)
Actor = User | AnonymousUser


def _common(data: dict[str, Any], user: Actor) -> dict[str, Any]:
    reason = data.get("reason")
    if reason not in WatchReason.values:
        raise CameraError(
            "invalid_reason",
            "reason: lý do phải là stolen, wanted, missing hoặc other.",
            "reason: must be stolen, wanted, missing or other.",
            field="reason",
        )
    legal_basis = str(data.get("legal_basis") or "").strip()
    if len(legal_basis) < 5:
        raise CameraError(
            "missing_legal_basis",
            "legal_basis: cần căn cứ pháp lý (số, ngày quyết định, cơ quan ban hành).",
            "legal_basis: the legal basis is required (decision number, date, issuer).",
            field="legal_basis",
        )
    expires_at = data.get("expires_at")
    if isinstance(expires_at, datetime) and timezone.is_naive(expires_at):
        expires_at = timezone.make_aware(expires_at)
    if not isinstance(expires_at, datetime) or expires_at <= timezone.now():
        raise CameraError(
            "invalid_expiry",
            "expires_at: cần thời hạn theo dõi trong tương lai.",
            "expires_at: an expiry in the future is required.",
            field="expires_at",
        )
    unit = data.get("owner_unit")
    if not isinstance(unit, OrganisationUnit):
        unit = OrganisationUnit.objects.filter(code=str(unit or "")).first()
    if unit is None or not can_access_unit(user, unit):
        raise CameraError(
            "unknown_unit",
            "owner_unit: không có đơn vị này hoặc bạn không quản lý đơn vị này.",
            "owner_unit: no such unit, or not one you manage.",
            field="owner_unit",
        )
    return {
        "reason": reason,
        "legal_basis": legal_basis[:255],
        "expires_at": expires_at,
        "owner_unit": unit,
        "note": str(data.get("note") or "").strip(),
    }


def add_vehicle(data: dict[str, Any], *, user: Actor, context: RequestContext | None = None) -> WatchVehicle:
    raw = str(data.get("plate_text") or "")
    text = plates.canonical(raw)
    folded = plates.fold(text)
    if len(folded) < 6:
        raise CameraError(
            "invalid_plate",
            "plate_text: biển số không hợp lệ.",
            "plate_text: invalid plate.",
            field="plate_text",
        )
    common = _common(data, user)
    with transaction.atomic():
        vehicle = WatchVehicle.objects.create(
            plate_text=text,
            plate_folded=folded[:16],
            description=str(data.get("description") or "")[:255],
            created_by=user if isinstance(user, User) else None,
            **common,
        )
        record_audit(
            actor=user,
            action=AuditAction.CREATE,
            object_type="cameras.watchvehicle",
            object_id=vehicle.pk,
            object_repr=text,
            reason=common["legal_basis"],
            context=context,
        )
    return vehicle


def add_person(data: dict[str, Any], *, user: Actor, context: RequestContext | None = None) -> WatchPerson:
    name = str(data.get("full_name") or "").strip()
    if not name:
        raise CameraError(
            "missing", "full_name: thiếu họ tên.", "full_name: the name is missing.", field="full_name"
        )
    common = _common(data, user)
    with transaction.atomic():
        person = WatchPerson.objects.create(
            full_name=name[:160],
            description=str(data.get("description") or "")[:255],
            created_by=user if isinstance(user, User) else None,
            **common,
        )
        record_audit(
            actor=user,
            action=AuditAction.CREATE,
            object_type="cameras.watchperson",
            object_id=person.pk,
            object_repr=name,
            reason=common["legal_basis"],
            context=context,
        )
    return person


def set_active(
    entry: WatchEntryBase, active: bool, *, user: Actor, context: RequestContext | None = None
) -> None:
    with transaction.atomic():
        type(entry)._default_manager.filter(pk=entry.pk).update(active=active, updated_at=timezone.now())
        entry.active = active
        record_audit(
            actor=user,
            action=AuditAction.UPDATE,
            object_type=f"cameras.{type(entry).__name__.lower()}",
            object_id=entry.pk,
            object_repr=str(entry),
            fields=["active"],
            context=context,
        )
    if isinstance(entry, WatchPerson):
        invalidate_face_index()


def enrol_photo(
    person: WatchPerson, image_bytes: bytes, *, user: Actor, context: RequestContext | None = None
) -> tuple[FaceTemplate | None, list[str], float]:
    """Check a photo's quality and add its face to the person's templates.

    Returns (template or None, the quality problems found, quality).
    """
    from thanglong.cameras.faces.enrol import check_and_embed
    from thanglong.cameras.services.events import embedding_bytes
    from thanglong.cameras.services.images import check_image

    checked = check_image(image_bytes, field="photo")
    result = check_and_embed(checked.jpeg)
    problems = [str(problem) for problem in result.problems]
    if not result.ok or result.embedding is None:
        return None, problems, float(result.quality)
    with transaction.atomic():
        template = FaceTemplate(
            person=person,
            embedding=embedding_bytes(result.embedding),
            quality=float(result.quality),
            created_by=user if isinstance(user, User) else None,
        )
        template.photo.save("photo.jpg", ContentFile(checked.jpeg), save=False)
        template.save()
        record_audit(
            actor=user,
            action=AuditAction.CREATE,
            object_type="cameras.facetemplate",
            object_id=template.pk,
            object_repr=person.full_name,
            context=context,
        )
        transaction.on_commit(invalidate_face_index)
    return template, problems, float(result.quality)


def remove_template(template: FaceTemplate, *, user: Actor, context: RequestContext | None = None) -> None:
    with transaction.atomic():
        record_audit(
            actor=user,
            action=AuditAction.DELETE,
            object_type="cameras.facetemplate",
            object_id=template.pk,
            object_repr=template.person.full_name,
            context=context,
        )
        if template.photo:
            name = str(template.photo.name)
            storage = template.photo.storage
            transaction.on_commit(lambda: storage.delete(name))
        template.delete()
        transaction.on_commit(invalidate_face_index)


def invalidate_face_index() -> None:
    try:
        from thanglong.cameras.faces.index import invalidate
    except ImportError:  # the face package is not installed: there is no index to refresh
        return
    invalidate()


def face_matches(embedding: np.ndarray) -> list[Any]:
    """The 1:N index's matches for one face (thanglong.cameras.faces.index.match)."""
    try:
        from thanglong.cameras.faces.index import match
    except ImportError:
        logger.warning("face index unavailable: face events are stored without watch-list matching")
        return []
    return list(match(embedding))


def check_event(event: CameraEvent, embedding: np.ndarray | None = None) -> list[Any]:
    """Match a just-stored event against the entries in force; raise an alert per hit."""
    from thanglong.cameras.services.alerts import raise_camera_alert

    now = timezone.now()
    raised = []
    if event.kind == EventKind.PLATE and event.plate_folded:
        vehicles = WatchVehicle.objects.filter(
            plate_folded=event.plate_folded, active=True, expires_at__gt=now
        )
        for vehicle in vehicles.select_related("owner_unit"):
            raised.append(raise_camera_alert(event, vehicle=vehicle, score=event.confidence))
    elif event.kind == EventKind.FACE and embedding is not None:
        best: dict[int, float] = {}
        for found in face_matches(embedding):
            distance = float(found.distance)
            if found.person_id not in best or distance < best[found.person_id]:
                best[found.person_id] = distance
        persons = WatchPerson.objects.filter(pk__in=best, active=True, expires_at__gt=now)
        for person in persons.select_related("owner_unit"):
            distance = best[person.pk]
            raised.append(
                raise_camera_alert(event, person=person, score=max(0.0, 1.0 - distance), distance=distance)
            )
    return raised
