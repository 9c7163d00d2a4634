"""Event search and vehicle routes. Every search states its reason and is written to the audit log.

Plate patterns: ``30A-12*`` / ``30a12`` (a prefix: punctuation and case do not matter), ``*345``,
``30A?2345`` (``?`` one character). A pattern is matched on the folded plate; its fixed leading
part is a ``LIKE 'prefix%'`` that PostgreSQL answers from the varchar_pattern_ops index, and the
rest is checked on those rows only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.utils import timezone

from thanglong.cameras import access
from thanglong.cameras.models import CameraEvent, EventKind
from thanglong.cameras.services import plates
from thanglong.cameras.services.errors import CameraError
from thanglong.core.models import AuditAction
from thanglong.core.services import RequestContext, record_audit

Actor = User | AnonymousUser
MIN_REASON = 5
MAX_WINDOW = timedelta(days=366)
_PATTERN_CHARS = re.compile(r"[^0-9A-Z*?]")


@dataclass
class EventQuery:
    plate: str = ""
    camera: str = ""  # camera code
    ward: str = ""  # ward code
    kind: str = ""
    since: datetime | None = None
    until: datetime | None = None
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def as_audit(self) -> list[str]:
        parts = [
            f"{name}={value}"
            for name, value in (
                ("plate", self.plate),
                ("camera", self.camera),
                ("ward", self.ward),
                ("kind", self.kind),
                ("since", self.since.isoformat() if self.since else ""),
                ("until", self.until.isoformat() if self.until else ""),
            )
            if value
        ]
        return parts


def plate_pattern(raw: str) -> tuple[str, re.Pattern[str] | None]:
    """``30A-12*`` → (``30A12``, None); ``30A*45`` → (``30A``, regex). The prefix may be empty."""
    from thanglong.cameras.plates.grammar import fold_plate

    # Fold each literal run with the grammar (Đ → D, case) and keep the wildcards as they are.
    pieces = re.split(r"([*?])", raw.strip())
    pattern = "".join(piece if piece in ("*", "?") else fold_plate(piece) for piece in pieces)
    pattern = _PATTERN_CHARS.sub("", pattern)
    pattern = re.sub(r"\*+", "*", pattern)
    if not pattern.strip("*?"):
        raise CameraError(
            "invalid_plate_pattern",
            "plate: cần ít nhất một chữ hoặc số của biển số.",
            "plate: give at least one letter or digit of the plate.",
            field="plate",
        )
    if "*" not in pattern and "?" not in pattern:
        pattern += "*"  # a partial plate is a prefix
    head = re.match(r"^[0-9A-Z]*", pattern)
    prefix = head.group(0) if head else ""
    rest = pattern[len(prefix) :]
    if rest in ("", "*"):
        return prefix, None
    regex = "^" + "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern) + "$"
    return prefix, re.compile(regex)


def _check_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise CameraError(
            "missing_reason",
            "reason: cần nêu lý do tra cứu (ví dụ số hồ sơ vụ việc).",
            "reason: state why you search (e.g. the case number).",
            field="reason",
            status=400,
        )
    return reason


def filtered(user: Actor, query: EventQuery) -> QuerySet[CameraEvent]:
    """The user's events matching ``query`` (no audit: callers use :func:`search_events`)."""
    events = access.events_of(user)
    if query.plate:
        prefix, regex = plate_pattern(query.plate)
        # The fixed prefix is the indexed part; a pattern that starts with a wildcard scans.
        events = events.filter(plate_folded__startswith=prefix) if prefix else events.exclude(plate_folded="")
        if regex is not None:
            events = events.filter(plate_folded__regex=regex.pattern)
    if query.camera:
        events = events.filter(camera__code=query.camera.strip().upper())
    if query.ward:
        events = events.filter(ward_id=query.ward.strip())
    if query.kind:
        if query.kind not in EventKind.values:
            raise CameraError(
                "invalid_kind",
                "kind: loại sự kiện phải là plate hoặc face.",
                "kind: the event kind must be plate or face.",
                field="kind",
            )
        events = events.filter(kind=query.kind)
    if query.since and query.until and query.since > query.until:
        raise CameraError(
            "invalid_window",
            "since/until: thời điểm bắt đầu sau thời điểm kết thúc.",
            "since/until: the start is after the end.",
            field="since",
        )
    if query.since:
        events = events.filter(observed_at__gte=query.since)
    if query.until:
        events = events.filter(observed_at__lt=query.until)
    return events


def search_events(
    user: Actor, query: EventQuery, *, context: RequestContext | None = None, limit: int = 200
) -> list[CameraEvent]:
    access.require(user, access.SEARCH_EVENTS)
    if query.kind == EventKind.FACE:
        access.require(user, access.SEARCH_FACES)
    reason = _check_reason(query.reason)
    if not (query.plate or query.camera or query.ward):
        raise CameraError(
            "too_broad",
            "Cần ít nhất biển số, camera hoặc phường/xã để tra cứu.",
            "Give at least a plate, a camera or a ward to search.",
            field="plate",
        )
    events = filtered(user, query)
    if not query.kind and not access.allowed(user, access.SEARCH_FACES):
        events = events.filter(kind=EventKind.PLATE)
    rows = list(events.select_related("camera", "ward").order_by("-observed_at", "-id")[: max(1, limit)])
    record_audit(
        actor=user,
        action=AuditAction.SEARCH,
        object_type="cameras.event",
        object_repr="search",
        fields=[*query.as_audit(), f"results={len(rows)}"],
        reason=reason,
        context=context,
    )
    return rows


@dataclass
class RouteStop:
    camera_code: str
    camera_name: str
    ward: str
    address: str
    latitude: float | None
    longitude: float | None
    first_seen: datetime
    last_seen: datetime
    passes: int
    event_ids: list[int]


def route(
    user: Actor,
    plate: str,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    reason: str = "",
    context: RequestContext | None = None,
) -> list[RouteStop]:
    """A vehicle's passes in time order; consecutive passes at one camera are one stop."""
    access.require(user, access.SEARCH_EVENTS)
    reason = _check_reason(reason)
    folded = plates.fold(plates.canonical(plate))
    if len(folded) < 6:
        raise CameraError(
            "invalid_plate",
            "plate: cần biển số đầy đủ để xem hành trình.",
            "plate: a full plate is needed for a route.",
            field="plate",
        )
    until = until or timezone.now()
    since = since or until - timedelta(days=7)
    if until - since > MAX_WINDOW:
        raise CameraError(
            "window_too_long",
            "since/until: khoảng thời gian tối đa 366 ngày.",
            "since/until: the window is at most 366 days.",
            field="since",
        )
    events = (
        access.events_of(user)
        .filter(plate_folded=folded, kind=EventKind.PLATE, observed_at__gte=since, observed_at__lt=until)
        .select_related("camera", "ward")
        .order_by("observed_at", "id")[:5000]
    )
    stops: list[RouteStop] = []
    for event in events:
        camera = event.camera
        if stops and stops[-1].camera_code == camera.code:
            stops[-1].last_seen = event.observed_at
            stops[-1].passes += 1
            stops[-1].event_ids.append(event.pk)
            continue
        stops.append(
            RouteStop(
                camera.code,
                camera.name,
                event.ward.full_name,
                camera.address,
                float(camera.latitude) if camera.latitude is not None else None,
                float(camera.longitude) if camera.longitude is not None else None,
                event.observed_at,
                event.observed_at,
                1,
                [event.pk],
            )
        )
    record_audit(
        actor=user,
        action=AuditAction.SEARCH,
        object_type="cameras.route",
        object_repr=folded,
        fields=[f"since={since.isoformat()}", f"until={until.isoformat()}", f"stops={len(stops)}"],
        reason=reason,
        context=context,
    )
    return stops


@dataclass
class FaceHit:
    event: CameraEvent
    distance: float


MAX_FACE_EVENTS = 200_000  # descriptors compared in one search: 100 MB of float32 at most


def search_faces(
    user: Actor,
    image_bytes: bytes,
    *,
    reason: str,
    since: datetime | None = None,
    until: datetime | None = None,
    camera: str = "",
    threshold: float | None = None,
    context: RequestContext | None = None,
    limit: int = 50,
) -> list[FaceHit]:
    """Face events resembling the face in a photo (1:N over the window's face events), nearest first."""
    import numpy as np
    from django.conf import settings

    from thanglong.cameras.engines import get_face_engine
    from thanglong.cameras.services.images import check_image, to_bgr

    access.require(user, access.SEARCH_FACES)
    reason = _check_reason(reason)
    checked = check_image(image_bytes, field="photo")
    faces = [
        face
        for face in get_face_engine().find(to_bgr(checked.jpeg), embed=True)
        if face.embedding is not None
    ]
    if not faces:
        raise CameraError(
            "no_face",
            "photo: không tìm thấy khuôn mặt trong ảnh.",
            "photo: no face found in the photo.",
            field="photo",
        )
    probe = max(faces, key=lambda face: face.box[2] * face.box[3]).embedding
    until = until or timezone.now()
    since = since or until - timedelta(days=30)
    if until - since > MAX_WINDOW:
        raise CameraError(
            "window_too_long",
            "since/until: khoảng thời gian tối đa 366 ngày.",
            "since/until: the window is at most 366 days.",
            field="since",
        )
    limit_distance = float(
        threshold if threshold is not None else getattr(settings, "THANGLONG_FACE_MATCH_THRESHOLD", 0.6)
    )
    events = access.events_of(user).filter(
        kind=EventKind.FACE, observed_at__gte=since, observed_at__lt=until, embedding__isnull=False
    )
    if camera:
        events = events.filter(camera__code=camera.strip().upper())
    rows = list(events.order_by("-observed_at").values_list("pk", "embedding")[:MAX_FACE_EVENTS])
    hits: list[tuple[int, float]] = []
    if rows:
        packed = b"".join(bytes(vector or b"") for _pk, vector in rows)
        matrix = np.frombuffer(packed, dtype="<f4").reshape(len(rows), -1)
        distances = np.linalg.norm(matrix - np.asarray(probe, dtype=np.float32), axis=1)
        order = np.argsort(distances)[:limit]
        hits = [(rows[i][0], float(distances[i])) for i in order if distances[i] <= limit_distance]
    found = CameraEvent.objects.select_related("camera", "ward").in_bulk([pk for pk, _distance in hits])
    record_audit(
        actor=user,
        action=AuditAction.SEARCH,
        object_type="cameras.face",
        object_repr="face search",
        fields=[
            f"since={since.isoformat()}",
            f"until={until.isoformat()}",
            f"camera={camera}",
            f"threshold={limit_distance}",
            f"results={len(hits)}",
        ],
        reason=reason,
        context=context,
    )
    return [FaceHit(found[pk], distance) for pk, distance in hits if pk in found]
