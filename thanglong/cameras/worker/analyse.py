"""Analysis of frames: plates (read, tracked across frames, one event per pass) and faces (one event
per appearance), recorded through ``thanglong.cameras.services.record_event`` — which compares them
with the watch-lists and raises the alerts.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from thanglong.cameras.engines import FaceEngine, FaceFound, PlateRead, PlateReader
from thanglong.cameras.worker.sources import Frame, fit

if TYPE_CHECKING:
    from thanglong.cameras.models import Camera, CameraEvent

log = logging.getLogger(__name__)

# Faces worse than this are not worth an event: too small/blurred/turned to match anyone.
MIN_FACE_QUALITY = 0.3
# The same face seen again within this time (and this descriptor distance) is one appearance.
FACE_REPEAT_S = 10.0
FACE_SAME_DISTANCE = 0.5
# JPEG snapshots of recent frames that had plate reads, kept until their plate's pass ends.
SNAPSHOT_FRAMES = 150  # ~15 MB of 720p JPEGs per camera
AUTO = "auto"  # FrameAnalyser's engines: the configured ones
JPEG_QUALITY = 85


def jpeg(image: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    ok, data = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    return data.tobytes() if ok else b""


def crop(image: np.ndarray, box: tuple[int, int, int, int], pad: float = 0.15) -> np.ndarray:
    x, y, w, h = box
    dx, dy = round(w * pad), round(h * pad)
    height, width = image.shape[:2]
    return image[max(0, y - dy) : min(height, y + h + dy), max(0, x - dx) : min(width, x + w + dx)]


def plate_reader_or_none() -> PlateReader | None:
    from thanglong.cameras.engines import get_plate_reader

    try:
        return get_plate_reader()
    except Exception as exc:  # a missing or broken model disables plates, it does not stop faces
        log.warning("plate reader unavailable, plates are not read: %s", exc)
        return None


def face_engine_or_none() -> FaceEngine | None:
    from thanglong.cameras.engines import get_face_engine

    try:
        return get_face_engine()
    except Exception as exc:  # a missing or broken model disables faces, it does not stop plates
        log.warning("face engine unavailable, faces are not detected: %s", exc)
        return None


def _record(**kwargs: Any) -> CameraEvent:
    from thanglong.cameras.services import record_event

    return record_event(**kwargs)


def _plate_attributes(read: PlateRead, **extra: Any) -> dict[str, Any]:
    return {
        "colour": read.colour,
        "category": read.category,
        "rows": read.rows,
        "box": list(read.box),
        "valid": read.valid,
        "raw": read.raw,
        **extra,
    }


def _face_attributes(face: FaceFound) -> dict[str, Any]:
    return {"box": list(face.box), "quality": round(face.quality, 3), "score": round(face.score, 3)}


@dataclass
class _SeenFace:
    embedding: np.ndarray
    last_t: float


@dataclass
class AnalysisStats:
    frames: int = 0
    failed_frames: int = 0
    failed_events: int = 0
    plate_reads: int = 0
    plate_events: int = 0
    face_events: int = 0
    seconds: dict[str, float] = field(default_factory=lambda: {"plates": 0.0, "faces": 0.0, "record": 0.0})


class FrameAnalyser:
    """One camera's frames in order. Not thread-safe: one analyser per camera thread."""

    def __init__(
        self,
        camera: Camera,
        *,
        origin: datetime,
        source: str = "worker",
        plate_reader: PlateReader | str | None = AUTO,
        face_engine: FaceEngine | str | None = AUTO,
    ) -> None:
        self.camera = camera
        self.origin = origin  # wall-clock time of the stream's t = 0
        self.source = source
        self.plate_reader: PlateReader | None = None
        if camera.read_plates:
            self.plate_reader = plate_reader_or_none() if isinstance(plate_reader, str) else plate_reader
        self.face_engine: FaceEngine | None = None
        if camera.read_faces:
            self.face_engine = face_engine_or_none() if isinstance(face_engine, str) else face_engine
        self.tracker: Any = None
        if self.plate_reader is not None:
            try:
                from thanglong.cameras.plates.tracker import PlateTracker
            except ImportError as exc:
                log.warning("plate tracker unavailable, plates are not read: %s", exc)
                self.plate_reader = None
            else:
                self.tracker = PlateTracker()
        # JPEGs of recent frames that had plate reads: a pass's best frame supplies its snapshot.
        self.snapshots: OrderedDict[int, bytes] = OrderedDict()
        self.seen_faces: list[_SeenFace] = []
        self.stats = AnalysisStats()

    def at(self, t: float) -> datetime:
        return self.origin + timedelta(seconds=t)

    def process(self, frame: Frame) -> list[CameraEvent]:
        """Never raises for one frame: a failure is logged and counted, the stream goes on."""
        self.stats.frames += 1
        events: list[CameraEvent] = []
        failed = False
        for step in (self._plates, self._faces):
            try:
                events += step(frame)
            except Exception:  # one bad frame (or a transient engine/database error) must not stop the camera
                failed = True
                log.exception("camera %s: frame %d: %s failed", self.camera.code, frame.index, step.__name__)
        self.stats.failed_frames += int(failed)
        return events

    def flush(self) -> list[CameraEvent]:
        """End of stream: the plates still being tracked become events."""
        if self.tracker is None:
            return []
        try:
            return self._plate_events(self.tracker.flush())
        except Exception:
            log.exception("camera %s: flushing plate passes failed", self.camera.code)
            return []
        finally:
            self.snapshots.clear()

    # --- plates --------------------------------------------------------------------------------
    def _plates(self, frame: Frame) -> list[CameraEvent]:
        if self.plate_reader is None or self.tracker is None:
            return []
        started = time.perf_counter()
        # Unreadable plates (text "", raw kept) go to the tracker too: they vote on the pass.
        reads = [r for r in self.plate_reader.read(frame.image) if r.text or r.raw]
        self.stats.seconds["plates"] += time.perf_counter() - started
        self.stats.plate_reads += len(reads)
        if reads:
            self.snapshots[frame.index] = jpeg(frame.image)
            while len(self.snapshots) > SNAPSHOT_FRAMES:
                self.snapshots.popitem(last=False)
        passes = self.tracker.update(frame.t, frame.index, reads)
        return self._plate_events(passes)

    def _plate_events(self, passes: list[Any]) -> list[CameraEvent]:
        events = []
        for plate_pass in passes:
            if not plate_pass.text:  # its votes never made a valid plate: nothing to search or match
                continue
            try:
                events.append(self._plate_event(plate_pass))
            except Exception:  # one pass that cannot be stored must not lose the others
                self.stats.failed_events += 1
                log.exception("camera %s: plate %s not recorded", self.camera.code, plate_pass.text)
        return events

    def _plate_event(self, plate_pass: Any) -> CameraEvent:
        best: PlateRead = plate_pass.best
        snapshot = self.snapshots.get(plate_pass.best_frame)
        image = cv2.imdecode(np.frombuffer(snapshot, np.uint8), cv2.IMREAD_COLOR) if snapshot else None
        started = time.perf_counter()
        event = _record(
            camera=self.camera,
            kind="plate",
            observed_at=self.at(plate_pass.first_seen),
            confidence=plate_pass.confidence,
            plate_text=plate_pass.text,
            attributes=_plate_attributes(
                best,
                reads=plate_pass.reads,
                seen_seconds=round(plate_pass.last_seen - plate_pass.first_seen, 2),
                frame=plate_pass.best_frame,
            ),
            snapshot_jpeg=snapshot,
            crop_jpeg=jpeg(crop(image, best.box, pad=0.1)) if image is not None else None,
            source=self.source,
        )
        self.stats.seconds["record"] += time.perf_counter() - started
        self.stats.plate_events += 1
        log.info("camera %s: plate %s (%.2f, %d reads)", self.camera.code, plate_pass.text,
                 plate_pass.confidence, plate_pass.reads)  # fmt: skip
        return event

    # --- faces ---------------------------------------------------------------------------------
    def _faces(self, frame: Frame) -> list[CameraEvent]:
        if self.face_engine is None:
            return []
        started = time.perf_counter()
        faces = self.face_engine.find(frame.image, embed=True)
        self.stats.seconds["faces"] += time.perf_counter() - started
        self.seen_faces = [s for s in self.seen_faces if frame.t - s.last_t <= FACE_REPEAT_S]
        events = []
        for face in faces:
            if face.embedding is None or face.quality < MIN_FACE_QUALITY:
                continue
            if self._seen_recently(face.embedding, frame.t):
                continue
            events.append(self._face_event(frame.image, face, self.at(frame.t)))
        return events

    def _seen_recently(self, embedding: np.ndarray, t: float) -> bool:
        for seen in self.seen_faces:
            if float(np.linalg.norm(seen.embedding - embedding)) < FACE_SAME_DISTANCE:
                seen.last_t = t
                return True
        self.seen_faces.append(_SeenFace(embedding=embedding, last_t=t))
        return False

    def _face_event(self, image: np.ndarray, face: FaceFound, observed_at: datetime) -> CameraEvent:
        started = time.perf_counter()
        event = record_face(self.camera, image, face, observed_at=observed_at, source=self.source)
        self.stats.seconds["record"] += time.perf_counter() - started
        self.stats.face_events += 1
        return event


def record_face(
    camera: Camera, image: np.ndarray, face: FaceFound, *, observed_at: datetime, source: str
) -> CameraEvent:
    event = _record(
        camera=camera,
        kind="face",
        observed_at=observed_at,
        confidence=face.score,
        attributes=_face_attributes(face),
        snapshot_jpeg=jpeg(image),
        crop_jpeg=jpeg(crop(image, face.box, pad=0.3)),
        embedding=face.embedding,
        source=source,
    )
    log.info("camera %s: face event %s (quality %.2f)", camera.code, event.pk, face.quality)
    return event


def analyse_image(
    camera: Camera, image: np.ndarray, *, observed_at: datetime, source: str = "upload"
) -> list[CameraEvent]:
    """Plates and faces in one still image, each recorded as an event (the upload job calls this).

    No tracking across frames here: every plate read with text is an event of its own.
    """
    image = fit(image)
    events: list[CameraEvent] = []
    reader = plate_reader_or_none() if camera.read_plates else None
    if reader is not None:
        for read in reader.read(image):
            if not read.text:
                continue
            events.append(
                _record(
                    camera=camera,
                    kind="plate",
                    observed_at=observed_at,
                    confidence=read.confidence,
                    plate_text=read.text,
                    attributes=_plate_attributes(read, reads=1),
                    snapshot_jpeg=jpeg(image),
                    crop_jpeg=jpeg(crop(image, read.box, pad=0.1)),
                    source=source,
                )
            )
    engine = face_engine_or_none() if camera.read_faces else None
    if engine is not None:
        for face in engine.find(image, embed=True):
            if face.embedding is not None and face.quality >= MIN_FACE_QUALITY:
                events.append(record_face(camera, image, face, observed_at=observed_at, source=source))
    return events
