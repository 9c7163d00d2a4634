"""Who may do what with cameras, events and watch-lists (permissions are granted per role in
thanglong/core/roles.py), and the unit scoping of cameras and events."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from thanglong.cameras.models import Alert, Camera, CameraEvent, WatchPerson, WatchVehicle
from thanglong.core.access import scope_to_units
from thanglong.core.models import Role
from thanglong.core.pii import mask_plate
from thanglong.core.roles import has_role, is_staff_member

Actor = User | AnonymousUser

VIEW = "cameras.view_camera"
SEARCH_EVENTS = "cameras.search_events"
SEARCH_FACES = "cameras.search_faces"
PERSONAL_DATA = "cameras.view_personal_data"
WATCHLIST = "cameras.manage_watchlist"
DECIDE = "cameras.decide_alert"
EXPORT = "cameras.export_evidence"
CHANGE_CAMERA = "cameras.change_camera"


def allowed(user: Actor, permission: str) -> bool:
    return bool(user.is_authenticated and is_staff_member(user) and user.has_perm(permission))


def require(user: Actor, permission: str) -> None:
    if not allowed(user, permission):
        raise PermissionDenied


def sees_stream_url(user: Actor) -> bool:
    """The stream address carries the recorder's password: administrators only."""
    return has_role(user, Role.ADMINISTRATOR)


def cameras_of(user: Actor) -> QuerySet[Camera]:
    return scope_to_units(Camera.objects.all(), user, "owner_unit")


def events_of(user: Actor) -> QuerySet[CameraEvent]:
    return scope_to_units(CameraEvent.objects.all(), user, "camera__owner_unit")


def alerts_of(user: Actor) -> QuerySet[Alert]:
    return scope_to_units(Alert.objects.all(), user, "unit")


def vehicles_of(user: Actor) -> QuerySet[WatchVehicle]:
    return scope_to_units(WatchVehicle.objects.all(), user, "owner_unit")


def persons_of(user: Actor) -> QuerySet[WatchPerson]:
    return scope_to_units(WatchPerson.objects.all(), user, "owner_unit")


def shown_plate(user: Actor, text: str) -> str:
    return text if allowed(user, PERSONAL_DATA) else mask_plate(text) if text else ""


def event_row(user: Actor, event: CameraEvent) -> dict[str, Any]:
    """An event as a page or the API shows it to this user: plate masked, no images without the right."""
    personal = allowed(user, PERSONAL_DATA)
    return {
        "id": event.pk,
        "camera": event.camera.code,
        "camera_name": event.camera.name,
        "ward": event.ward.full_name if event.ward_id else "",
        "address": event.camera.address,
        "kind": event.kind,
        "observed_at": event.observed_at,
        "plate": shown_plate(user, event.plate_text),
        "confidence": round(event.confidence, 3),
        "source": event.source,
        "has_snapshot": personal and bool(event.snapshot),
        "has_crop": personal and bool(event.crop),
        "masked": not personal,
    }
