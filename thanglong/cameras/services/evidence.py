"""Evidence packages: a zip of the chosen events' images and a JSON manifest.

The manifest lists every file with its SHA-256, who exported it, when and why; ``manifest.sha256``
holds the SHA-256 of the manifest itself, so a court can check that nothing was changed. Faces of
people who are not on a watch-list are blurred in every image (the engine finds them; only a face
an alert matched stays visible).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np
from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from thanglong import __version__
from thanglong.cameras import access
from thanglong.cameras.models import CameraEvent, EventKind
from thanglong.cameras.services.errors import CameraError
from thanglong.cameras.services.images import bgr_to_jpeg, to_bgr
from thanglong.core.models import AuditAction
from thanglong.core.services import RequestContext, record_audit

Actor = User | AnonymousUser
MAX_EVENTS = 500
Box = tuple[int, int, int, int]


@dataclass
class Package:
    data: bytes
    filename: str
    manifest_sha256: str
    blurred_faces: int


def _overlap(a: Box, b: Box) -> float:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    width = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    height = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = width * height
    union = aw * ah + bw * bh - inter
    return inter / union if union else 0.0


def blur_faces(image: np.ndarray, keep: list[Box] | None = None) -> tuple[np.ndarray, int]:
    """Blur every face the engine finds except those overlapping a box in ``keep``."""
    from thanglong.cameras.engines import get_face_engine

    keep = keep or []
    out = image.copy()
    blurred = 0
    height, width = out.shape[:2]
    for face in get_face_engine().find(image, embed=False):
        if any(_overlap(face.box, kept) > 0.3 for kept in keep):
            continue
        x, y, w, h = face.box
        # A margin around the detector's box: it is tight on the face, hair and ears identify too.
        mx, my = w // 4, h // 4
        x0, y0 = max(0, x - mx), max(0, y - my)
        x1, y1 = min(width, x + w + mx), min(height, y + h + my)
        if x1 <= x0 or y1 <= y0:
            continue
        region = out[y0:y1, x0:x1]
        size = max(3, (max(x1 - x0, y1 - y0) // 3) | 1)
        out[y0:y1, x0:x1] = cv2.GaussianBlur(region, (size, size), 0)
        blurred += 1
    return out, blurred


def _kept_boxes(event: CameraEvent) -> list[Box]:
    """A face event an alert matched keeps that face; every other face is blurred."""
    if event.kind != EventKind.FACE or not event.alerts.filter(person__isnull=False).exists():
        return []
    box = (event.attributes or {}).get("box")
    if isinstance(box, (list, tuple)) and len(box) == 4:
        return [tuple(int(v) for v in box)]  # type: ignore[list-item]
    return []


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def export(
    user: Actor, event_ids: list[int], *, reason: str, context: RequestContext | None = None
) -> Package:
    access.require(user, access.EXPORT)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise CameraError(
            "missing_reason",
            "reason: cần nêu lý do xuất chứng cứ (ví dụ số hồ sơ).",
            "reason: state why the evidence is exported (e.g. the case number).",
            field="reason",
            status=400,
        )
    ids = sorted({int(i) for i in event_ids})[:MAX_EVENTS]
    events = list(
        access.events_of(user)
        .filter(pk__in=ids)
        .select_related("camera", "ward")
        .order_by("observed_at", "id")
    )
    if not events:
        raise CameraError(
            "no_events",
            "Không có sự kiện nào để xuất.",
            "There are no events to export.",
            field="events",
            status=404,
        )
    now = timezone.now()
    buffer = io.BytesIO()
    files: dict[str, str] = {}
    records: list[dict[str, Any]] = []
    blurred_total = 0
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for event in events:
            names: list[str] = []
            keep = _kept_boxes(event)
            for label, field in (("snapshot", event.snapshot), ("crop", event.crop)):
                if not field:
                    continue
                try:
                    with field.open("rb") as handle:
                        original = handle.read()
                    image = to_bgr(original)
                except (OSError, ValueError):
                    continue  # a file lost from storage: the manifest shows the event without it
                if label == "crop" and event.kind == EventKind.FACE and not keep:
                    continue  # a face crop of someone not on a watch-list is not exported at all
                cleaned, blurred = blur_faces(
                    image, keep if label == "snapshot" else [(0, 0, *image.shape[1::-1])]
                )
                blurred_total += blurred
                data = bgr_to_jpeg(cleaned, quality=92)
                name = f"images/{event.pk}-{label}.jpg"
                archive.writestr(name, data)
                files[name] = _sha256(data)
                names.append(name)
            records.append(
                {
                    "id": event.pk,
                    "kind": event.kind,
                    "camera": {
                        "code": event.camera.code,
                        "name": event.camera.name,
                        "address": event.camera.address,
                        "latitude": str(event.camera.latitude or ""),
                        "longitude": str(event.camera.longitude or ""),
                    },
                    "ward": event.ward.full_name,
                    "observed_at": event.observed_at.isoformat(),
                    "received_at": event.received_at.isoformat(),
                    "plate": event.plate_text,
                    "confidence": event.confidence,
                    "source": event.source,
                    "files": names,
                }
            )
        manifest = {
            "format": "thanglong-camera-evidence/1",
            "generator": f"Thăng Long {__version__}",
            "exported_at": now.isoformat(),
            "exported_by": user.get_username() if user.is_authenticated else "",
            "reason": reason,
            "faces_blurred": blurred_total,
            "events": records,
            "files": [{"name": name, "sha256": digest} for name, digest in sorted(files.items())],
        }
        manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
        archive.writestr("manifest.json", manifest_bytes)
        manifest_hash = _sha256(manifest_bytes)
        archive.writestr("manifest.sha256", f"{manifest_hash}  manifest.json\n")
    record_audit(
        actor=user,
        action=AuditAction.EXPORT,
        object_type="cameras.event",
        object_repr="evidence",
        fields=[f"events={len(events)}", f"manifest_sha256={manifest_hash}"],
        reason=reason,
        context=context,
    )
    filename = f"chung-cu-camera-{timezone.localtime(now):%Y%m%d-%H%M%S}.zip"
    return Package(buffer.getvalue(), filename, manifest_hash, blurred_total)
