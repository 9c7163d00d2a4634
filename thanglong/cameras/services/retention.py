"""Retention: plate and face events are deleted, with their files, after the days set per kind
(THANGLONG_CAMERA_RETENTION_PLATE_DAYS / _FACE_DAYS); an event behind a confirmed alert is kept
for THANGLONG_CAMERA_RETENTION_ALERT_DAYS. Analysed uploads follow the plate retention."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from thanglong.cameras.models import CameraEvent, EventKind, ImageUpload

BATCH = 1000
Progress = Callable[[int, int], None]


@dataclass
class PurgeResult:
    events: dict[str, int] = field(default_factory=dict)
    files: int = 0
    uploads: int = 0

    @property
    def total(self) -> int:
        return sum(self.events.values())


def cutoffs(now: datetime | None = None) -> dict[str, datetime]:
    now = now or timezone.now()
    return {
        EventKind.PLATE: now - timedelta(days=settings.THANGLONG_CAMERA_RETENTION_PLATE_DAYS),
        EventKind.FACE: now - timedelta(days=settings.THANGLONG_CAMERA_RETENTION_FACE_DAYS),
        "alert": now - timedelta(days=settings.THANGLONG_CAMERA_RETENTION_ALERT_DAYS),
    }


def expired(now: datetime | None = None) -> Q:
    limits = cutoffs(now)
    condition = Q(pk__in=[])
    for kind in (EventKind.PLATE, EventKind.FACE):
        condition |= Q(kind=kind, keep=False, observed_at__lt=limits[kind])
    return condition | Q(keep=True, observed_at__lt=limits["alert"])


def purge(
    *, now: datetime | None = None, progress: Progress | None = None, dry_run: bool = False
) -> PurgeResult:
    """Delete what has outlived its retention; files go once their rows' deletion is committed."""
    now = now or timezone.now()
    result = PurgeResult(events={str(EventKind.PLATE.value): 0, str(EventKind.FACE.value): 0})
    condition = expired(now)
    total = CameraEvent.objects.filter(condition).count()
    if dry_run:
        for kind in result.events:
            result.events[kind] = CameraEvent.objects.filter(condition, kind=kind).count()
        return result
    done = 0
    while True:
        batch = list(
            CameraEvent.objects.filter(condition)
            .order_by("id")
            .values_list("id", "kind", "snapshot", "crop")[:BATCH]
        )
        if not batch:
            break
        names = [name for _id, _kind, snapshot, crop in batch for name in (snapshot, crop) if name]
        with transaction.atomic():
            CameraEvent.objects.filter(pk__in=[row[0] for row in batch]).delete()
        storage = CameraEvent._meta.get_field("snapshot").storage
        for name in names:
            storage.delete(name)
        result.files += len(names)
        for _id, kind, _snapshot, _crop in batch:
            result.events[kind] = result.events.get(kind, 0) + 1
        done += len(batch)
        if progress:
            progress(done, total)
    uploads = ImageUpload.objects.filter(created_at__lt=cutoffs(now)[EventKind.PLATE])
    for upload in uploads.iterator():
        if upload.image:
            upload.image.storage.delete(str(upload.image.name))
            result.files += 1
        upload.delete()
        result.uploads += 1
    return result
