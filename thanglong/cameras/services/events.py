"""Recording events: the contract the analytics worker, the upload job and external systems call.

``record_event`` commits the event (row and files) and checks it against the watch-lists in the
same transaction, so an acknowledged event has either raised its alerts or raised none and will
not be half-stored. A repeat with the same ``(source, external_id)`` returns the first event.
"""

from __future__ import annotations

import math
from datetime import datetime
from typing import Any

import numpy as np
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from thanglong.cameras.models import Camera, CameraEvent, CameraStatus, EventKind, EventSource
from thanglong.cameras.services import plates
from thanglong.cameras.services.errors import CameraError

EMBEDDING_DIMENSIONS = 128


def embedding_bytes(embedding: np.ndarray) -> bytes:
    vector = np.asarray(embedding, dtype="<f4").reshape(-1)
    if vector.shape[0] != EMBEDDING_DIMENSIONS or not np.all(np.isfinite(vector)):
        raise CameraError(
            "invalid_embedding",
            "embedding: cần 128 số thực hữu hạn.",
            "embedding: 128 finite numbers are required.",
            field="embedding",
        )
    return vector.tobytes()


def embedding_array(data: bytes | memoryview | None) -> np.ndarray | None:
    if not data:
        return None
    return np.frombuffer(bytes(data), dtype="<f4").astype(np.float32)


def record_event(
    *,
    camera: Camera,
    kind: str,
    observed_at: datetime,
    confidence: float,
    plate_text: str = "",
    attributes: dict[str, Any] | None = None,
    snapshot_jpeg: bytes | None = None,
    crop_jpeg: bytes | None = None,
    embedding: np.ndarray | None = None,
    source: str = EventSource.WORKER,
    external_id: str = "",
) -> CameraEvent:
    """Store one plate or face event and raise the alerts its watch-list hits call for."""
    from thanglong.cameras.services.watchlists import check_event

    external_id = (external_id or "").strip()[:128]
    if external_id:
        existing = CameraEvent.objects.filter(source=source, external_id=external_id).first()
        if existing is not None:
            return existing
    if kind not in EventKind.values:
        raise CameraError(
            "invalid_kind",
            "kind: loại sự kiện phải là plate hoặc face.",
            "kind: the event kind must be plate or face.",
            field="kind",
        )
    if source not in EventSource.values:
        raise CameraError(
            "invalid_source", "source: nguồn không hợp lệ.", "source: unknown source.", field="source"
        )
    if not isinstance(confidence, (int, float)) or math.isnan(confidence):
        raise CameraError(
            "invalid_confidence",
            "confidence: phải là số từ 0 đến 1.",
            "confidence: must be a number from 0 to 1.",
            field="confidence",
        )
    if timezone.is_naive(observed_at):
        observed_at = timezone.make_aware(observed_at)
    text = plates.canonical(plate_text) if plate_text else ""
    if kind == EventKind.PLATE and not text:
        raise CameraError(
            "missing_plate",
            "plate_text: sự kiện biển số cần nội dung biển số.",
            "plate_text: a plate event needs the plate's text.",
            field="plate_text",
        )
    vector = embedding_bytes(embedding) if embedding is not None else None
    event = CameraEvent(
        camera=camera,
        kind=kind,
        observed_at=observed_at,
        ward_id=camera.ward_id,
        plate_text=text,
        plate_folded=plates.fold(text)[:16] if text else "",
        confidence=max(0.0, min(1.0, float(confidence))),
        attributes=attributes or {},
        embedding=vector,
        source=source,
        external_id=external_id,
    )
    try:
        with transaction.atomic():
            if snapshot_jpeg:
                event.snapshot.save("snapshot.jpg", ContentFile(snapshot_jpeg), save=False)
            if crop_jpeg:
                event.crop.save("crop.jpg", ContentFile(crop_jpeg), save=False)
            event.save()
            check_event(event, embedding)
    except IntegrityError:
        # Another request stored the same external event between our check and our insert.
        _remove_files(event)
        if external_id:
            existing = CameraEvent.objects.filter(source=source, external_id=external_id).first()
            if existing is not None:
                return existing
        raise
    except Exception:
        _remove_files(event)
        raise
    return event


def _remove_files(event: CameraEvent) -> None:
    for field in (event.snapshot, event.crop):
        if field and field.name:
            field.storage.delete(field.name)


def heartbeat(camera: Camera, *, online: bool, error: str = "") -> None:
    """The worker's word on a camera: online now, or offline with the reason (dead stream…)."""
    now = timezone.now()
    fields: dict[str, Any] = {"last_error": (error or "")[:500]}
    if camera.active:
        fields["status"] = CameraStatus.ONLINE if online else CameraStatus.OFFLINE
    if online:
        fields["last_seen_at"] = now
    Camera.objects.filter(pk=camera.pk).update(**fields, updated_at=now)
    for name, value in fields.items():
        setattr(camera, name, value)


def cameras_for_group(group: str) -> QuerySet[Camera]:
    """The active cameras one worker process reads."""
    return (
        Camera.objects.filter(group=group, active=True).select_related("ward", "owner_unit").order_by("code")
    )
