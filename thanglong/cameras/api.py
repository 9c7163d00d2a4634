"""Camera AI API, /api/v1/cameras: registry, events from external systems, image uploads for
analysis, search and routes (with a stated reason), watch-lists and alert decisions.

Officers sign in (session); external systems post events with their integration key in the
``X-Api-Key`` header (see ``thanglong cameras add-key``). Every refusal is a 4xx with
``message_vi`` / ``message_en`` naming the field.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.security import APIKeyHeader, django_auth

from thanglong.cameras import access, keys
from thanglong.cameras.models import Camera, CameraEvent, EventSource, IntegrationKey, WatchPerson
from thanglong.cameras.services import alerts as alert_services
from thanglong.cameras.services import images, record_event, registry, search, uploads, watchlists
from thanglong.cameras.services.errors import CameraError
from thanglong.core.services import request_context

router = Router(tags=["cameras"])


class IntegrationKeyAuth(APIKeyHeader):
    param_name = "X-Api-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> IntegrationKey | None:
        return keys.verify(key or "")


def _json(body: dict[str, Any], status: int = 200) -> JsonResponse:
    return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})


def _error(exc: CameraError) -> JsonResponse:
    return _json(exc.as_dict(), exc.status)


def answers_errors(view: Callable[..., Any]) -> Callable[..., Any]:
    """A service's CameraError becomes its bilingual 4xx answer."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except CameraError as exc:
            return _error(exc)

    return wrapper


def _user(request: HttpRequest) -> Any:
    return request.user


def _camera_for(request: HttpRequest, code: str) -> Camera:
    auth = getattr(request, "auth", None)
    camera = Camera.objects.select_related("ward", "owner_unit").filter(code=code.strip().upper()).first()
    if camera is None:
        raise CameraError(
            "unknown_camera",
            f"camera: không có camera mã '{code}'.",
            f"camera: no camera with code '{code}'.",
            field="camera",
            status=404,
        )
    if isinstance(auth, IntegrationKey):
        if not keys.may_post_for(auth, camera):
            raise PermissionDenied
    elif not access.cameras_of(request.user).filter(pk=camera.pk).exists():
        raise CameraError(
            "unknown_camera",
            f"camera: không có camera mã '{code}'.",
            f"camera: no camera with code '{code}'.",
            field="camera",
            status=404,
        )
    return camera


def camera_body(user: Any, camera: Camera) -> dict[str, Any]:
    return {
        "code": camera.code,
        "name": camera.name,
        "ward": camera.ward_id,
        "ward_name": camera.ward.full_name,
        "address": camera.address,
        "latitude": str(camera.latitude) if camera.latitude is not None else None,
        "longitude": str(camera.longitude) if camera.longitude is not None else None,
        "kind": camera.kind,
        "stream_url": registry.mask_stream_url(camera.stream_url),
        "owner_unit": camera.owner_unit.code,
        "group": camera.group,
        "sample_fps": camera.sample_fps,
        "read_plates": camera.read_plates,
        "read_faces": camera.read_faces,
        "status": camera.status,
        "last_seen_at": camera.last_seen_at.isoformat() if camera.last_seen_at else None,
        "last_error": camera.last_error,
        "active": camera.active,
    }


def event_body(user: Any, event: CameraEvent) -> dict[str, Any]:
    row = access.event_row(user, event)
    row["observed_at"] = event.observed_at.isoformat()
    if row.pop("has_snapshot"):
        row["snapshot_url"] = reverse("cameras:event_image", args=[event.pk, "snapshot"])
    if row.pop("has_crop"):
        row["crop_url"] = reverse("cameras:event_image", args=[event.pk, "crop"])
    return row


# --- registry ---------------------------------------------------------------------------------------


class CameraIn(Schema):
    code: str = Field(..., max_length=32)
    name: str = Field(..., max_length=160)
    ward: str = Field(..., max_length=5, description="mã phường/xã (2025), ví dụ 00166")
    owner_unit: str = Field(..., max_length=32, description="mã đơn vị quản lý, ví dụ CAP-00166")
    address: str = ""
    latitude: str | float | None = None
    longitude: str | float | None = None
    kind: str = "traffic"
    stream_url: str = ""
    group: str = "default"
    sample_fps: float = 2.0
    read_plates: bool = True
    read_faces: bool = False


class CameraPatch(Schema):
    name: str | None = None
    ward: str | None = None
    owner_unit: str | None = None
    address: str | None = None
    latitude: str | float | None = None
    longitude: str | float | None = None
    kind: str | None = None
    stream_url: str | None = None
    group: str | None = None
    sample_fps: float | None = None
    read_plates: bool | None = None
    read_faces: bool | None = None
    active: bool | None = None


@router.get("", summary="Danh sách camera / list cameras")
def list_cameras(request: HttpRequest, status: str = "", ward: str = "", kind: str = "", q: str = "") -> Any:
    access.require(request.user, access.VIEW)
    cameras = access.cameras_of(request.user).select_related("ward", "owner_unit")
    if status:
        cameras = cameras.filter(status=status)
    if ward:
        cameras = cameras.filter(ward_id=ward)
    if kind:
        cameras = cameras.filter(kind=kind)
    if q:
        cameras = cameras.filter(name__icontains=q) | cameras.filter(code__icontains=q)
    return {"cameras": [camera_body(request.user, camera) for camera in cameras[:1000]]}


@router.post("", summary="Thêm camera / add a camera")
@answers_errors
def create_camera(request: HttpRequest, payload: CameraIn) -> Any:
    access.require(request.user, "cameras.add_camera")
    data = payload.dict()
    if data.get("stream_url") and not access.sees_stream_url(request.user):
        raise PermissionDenied
    camera = registry.create_camera(data, user=request.user, context=request_context(request))
    return _json(camera_body(request.user, camera), 201)


@router.get("/health", summary="Tình trạng camera / camera health")
def health(request: HttpRequest) -> Any:
    access.require(request.user, access.VIEW)
    summary = registry.health(access.cameras_of(request.user))
    last = summary["last_seen_at"]
    return {**summary, "last_seen_at": last.isoformat() if last else None}


# --- events from external systems -------------------------------------------------------------------


class EventIn(Schema):
    camera: str = Field(..., max_length=32)
    kind: str = Field(..., max_length=8)
    observed_at: datetime
    confidence: float = Field(..., ge=0, le=1)
    external_id: str = Field(..., min_length=1, max_length=128)
    plate_text: str = Field("", max_length=32)
    attributes: dict[str, Any] = {}
    snapshot_base64: str | None = None
    crop_base64: str | None = None
    embedding: list[float] | None = None


def _image_from_base64(value: str | None, field: str) -> bytes | None:
    if not value:
        return None
    if "," in value[:64] and value.startswith("data:"):
        value = value.split(",", 1)[1]  # a data: URL
    if len(value) > images.max_bytes() * 4 // 3 + 16:
        mb = images.max_bytes() // (1024 * 1024)
        raise CameraError(
            "image_too_large",
            f"{field}: ảnh quá lớn, tối đa {mb} MB.",
            f"{field}: the image is too large, at most {mb} MB.",
            field=field,
            status=413,
        )
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise CameraError(
            "invalid_base64",
            f"{field}: không phải chuỗi base64 hợp lệ.",
            f"{field}: not valid base64.",
            field=field,
        ) from exc
    return images.check_image(data, field=field).jpeg


@router.post("/events", auth=[IntegrationKeyAuth()], summary="Nhận sự kiện từ hệ thống ngoài / post an event")
@answers_errors
def post_event(request: HttpRequest, payload: EventIn) -> Any:
    camera = _camera_for(request, payload.camera)
    snapshot = _image_from_base64(payload.snapshot_base64, "snapshot_base64")
    crop = _image_from_base64(payload.crop_base64, "crop_base64")
    import numpy as np

    embedding = np.asarray(payload.embedding, dtype=np.float32) if payload.embedding is not None else None
    if payload.observed_at > timezone.now() + timedelta(minutes=5):
        raise CameraError(
            "observed_in_future",
            "observed_at: thời điểm ghi nhận ở tương lai.",
            "observed_at: the observation time is in the future.",
            field="observed_at",
        )
    already = CameraEvent.objects.filter(
        source=EventSource.API, external_id=payload.external_id.strip()
    ).first()
    event = already or record_event(
        camera=camera,
        kind=payload.kind,
        observed_at=payload.observed_at,
        confidence=payload.confidence,
        plate_text=payload.plate_text,
        attributes=payload.attributes,
        snapshot_jpeg=snapshot,
        crop_jpeg=crop,
        embedding=embedding,
        source=EventSource.API,
        external_id=payload.external_id,
    )
    auth = getattr(request, "auth", None)
    if isinstance(auth, IntegrationKey):
        keys.touch(auth)
    return _json(
        {
            "id": event.pk,
            "external_id": event.external_id,
            "duplicate": already is not None,
            "alerts": event.alerts.count(),
        },
        200 if already else 201,
    )


# --- uploads for analysis ---------------------------------------------------------------------------


def upload_body(upload: Any) -> dict[str, Any]:
    return {
        "job_id": str(upload.pk),
        "status": upload.status,
        "events": upload.events,
        "error": upload.error,
        "status_url": reverse("api-v1:cameras_upload_status", args=[upload.pk]),
    }


@router.post(
    "/{code}/images",
    auth=[IntegrationKeyAuth(), django_auth],
    summary="Gửi ảnh để phân tích / send an image for analysis",
)
@answers_errors
def upload_image(
    request: HttpRequest, code: str, image: File[UploadedFile], observed_at: Form[datetime | None] = None
) -> Any:
    if not isinstance(getattr(request, "auth", None), IntegrationKey):
        access.require(request.user, access.SEARCH_EVENTS)
    camera = _camera_for(request, code)
    if image.size and image.size > images.max_bytes():
        raise CameraError(
            "image_too_large",
            "image: ảnh quá lớn.",
            "image: the image is too large.",
            field="image",
            status=413,
        )
    data = image.read(images.max_bytes() + 1)
    user = request.user if not isinstance(request.auth, IntegrationKey) else None  # type: ignore[attr-defined]
    upload = uploads.submit(camera, data, user=user or request.user, observed_at=observed_at)
    return _json(upload_body(upload), 202)


@router.get("/uploads/{upload_id}", url_name="cameras_upload_status", summary="Trạng thái phân tích ảnh")
def upload_status(request: HttpRequest, upload_id: str) -> Any:
    from thanglong.cameras.models import ImageUpload

    access.require(request.user, access.VIEW)
    upload = (
        ImageUpload.objects.filter(pk=upload_id, camera__in=access.cameras_of(request.user)).first()
        if _is_uuid(upload_id)
        else None
    )
    if upload is None:
        return _json(CameraError("not_found", "Không tìm thấy.", "Not found.").as_dict(), 404)
    return upload_body(upload)


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


# --- search -----------------------------------------------------------------------------------------


@router.get("/events/search", summary="Tra cứu sự kiện (cần lý do) / search events (reason required)")
@answers_errors
def search_events(
    request: HttpRequest,
    reason: str = "",
    plate: str = "",
    camera: str = "",
    ward: str = "",
    kind: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 200,
) -> Any:
    query = search.EventQuery(
        plate=plate, camera=camera, ward=ward, kind=kind, since=since, until=until, reason=reason
    )
    rows = search.search_events(request.user, query, context=request_context(request), limit=min(limit, 1000))
    return {"events": [event_body(request.user, event) for event in rows]}


@router.post("/faces/search", summary="Tìm khuôn mặt theo ảnh (cần lý do) / search faces by photo")
@answers_errors
def search_faces(
    request: HttpRequest,
    photo: File[UploadedFile],
    reason: Form[str] = "",
    camera: Form[str] = "",
    since: Form[datetime | None] = None,
    until: Form[datetime | None] = None,
) -> Any:
    hits = search.search_faces(
        request.user,
        photo.read(images.max_bytes() + 1),
        reason=reason,
        since=since,
        until=until,
        camera=camera,
        context=request_context(request),
    )
    return {
        "events": [
            {**event_body(request.user, hit.event), "distance": round(hit.distance, 4)} for hit in hits
        ]
    }


@router.get("/route", summary="Hành trình phương tiện (cần lý do) / a vehicle's route (reason required)")
@answers_errors
def vehicle_route(
    request: HttpRequest,
    plate: str,
    reason: str = "",
    since: datetime | None = None,
    until: datetime | None = None,
) -> Any:
    stops = search.route(
        request.user, plate, since=since, until=until, reason=reason, context=request_context(request)
    )
    return {
        "plate": plate,
        "stops": [
            {
                **stop.__dict__,
                "first_seen": stop.first_seen.isoformat(),
                "last_seen": stop.last_seen.isoformat(),
            }
            for stop in stops
        ],
    }


# --- watch-lists and alerts -------------------------------------------------------------------------


class WatchVehicleIn(Schema):
    plate_text: str = Field(..., max_length=32)
    reason: str
    legal_basis: str = Field(..., max_length=255)
    owner_unit: str
    expires_at: datetime
    description: str = ""
    note: str = ""


class WatchPersonIn(Schema):
    full_name: str = Field(..., max_length=160)
    reason: str
    legal_basis: str = Field(..., max_length=255)
    owner_unit: str
    expires_at: datetime
    description: str = ""
    note: str = ""


@router.post("/watchlist/vehicles", summary="Thêm phương tiện theo dõi / watch a vehicle")
@answers_errors
def add_vehicle(request: HttpRequest, payload: WatchVehicleIn) -> Any:
    access.require(request.user, access.WATCHLIST)
    vehicle = watchlists.add_vehicle(payload.dict(), user=request.user, context=request_context(request))
    return _json(
        {"id": vehicle.pk, "plate_text": vehicle.plate_text, "expires_at": vehicle.expires_at.isoformat()},
        201,
    )


@router.post("/watchlist/persons", summary="Thêm đối tượng theo dõi / watch a person")
@answers_errors
def add_person(request: HttpRequest, payload: WatchPersonIn) -> Any:
    access.require(request.user, access.WATCHLIST)
    person = watchlists.add_person(payload.dict(), user=request.user, context=request_context(request))
    return _json({"id": person.pk, "full_name": person.full_name}, 201)


@router.post("/watchlist/persons/{person_id}/photos", summary="Thêm ảnh khuôn mặt / enrol a face photo")
@answers_errors
def enrol_photo(request: HttpRequest, person_id: int, photo: File[UploadedFile]) -> Any:
    access.require(request.user, access.WATCHLIST)
    person = get_object_or_404(access.persons_of(request.user), pk=person_id)
    assert isinstance(person, WatchPerson)
    template, problems, quality = watchlists.enrol_photo(
        person, photo.read(images.max_bytes() + 1), user=request.user, context=request_context(request)
    )
    if template is None:
        return _json(
            {
                "error": "poor_photo",
                "message_vi": "Ảnh không đạt: " + "; ".join(problems),
                "message_en": "The photo was refused: " + "; ".join(problems),
                "problems": problems,
                "quality": quality,
                "fields": [
                    {"field": "photo", "message_vi": "; ".join(problems), "message_en": "; ".join(problems)}
                ],
            },
            422,
        )
    return _json({"id": template.pk, "quality": quality, "problems": problems}, 201)


class DecisionIn(Schema):
    decision: str = Field(..., pattern="^(confirm|dismiss)$")
    note: str = ""


@router.get("/alerts", summary="Cảnh báo / alerts")
def list_alerts(request: HttpRequest, status: str = "new") -> Any:
    access.require(request.user, access.VIEW)
    alerts = access.alerts_of(request.user).select_related("event__camera", "vehicle", "person")
    if status:
        alerts = alerts.filter(status=status)
    return {
        "alerts": [
            {
                "id": alert.pk,
                "status": alert.status,
                "camera": alert.event.camera.code,
                "observed_at": alert.event.observed_at.isoformat(),
                "plate": access.shown_plate(request.user, alert.event.plate_text),
                "person": alert.person.full_name
                if alert.person and access.allowed(request.user, access.PERSONAL_DATA)
                else None,
                "score": alert.score,
            }
            for alert in alerts[:200]
        ]
    }


@router.post("/alerts/{alert_id}/decision", summary="Xác nhận hoặc bác cảnh báo / confirm or dismiss")
@answers_errors
def decide(request: HttpRequest, alert_id: int, payload: DecisionIn) -> Any:
    access.require(request.user, access.DECIDE)
    alert = get_object_or_404(access.alerts_of(request.user), pk=alert_id)
    alert_services.decide_alert(
        alert,
        confirm=payload.decision == "confirm",
        note=payload.note,
        user=request.user,
        context=request_context(request),
    )
    return {"id": alert.pk, "status": alert.status}


# --- one camera (last: "/{code}" would swallow the fixed paths above) ----------------------------------


@router.get("/{code}", summary="Một camera / one camera")
@answers_errors
def get_camera(request: HttpRequest, code: str) -> Any:
    access.require(request.user, access.VIEW)
    return camera_body(request.user, _camera_for(request, code))


@router.patch("/{code}", summary="Sửa camera / change a camera")
@answers_errors
def patch_camera(request: HttpRequest, code: str, payload: CameraPatch) -> Any:
    access.require(request.user, access.CHANGE_CAMERA)
    camera = _camera_for(request, code)
    data = payload.dict(exclude_unset=True)
    if "stream_url" in data and not access.sees_stream_url(request.user):
        raise PermissionDenied
    registry.update_camera(camera, data, user=request.user, context=request_context(request))
    return camera_body(request.user, camera)
