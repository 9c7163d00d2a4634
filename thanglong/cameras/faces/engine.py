"""The default face engine: dlib's HOG frontal detector, 5-point landmarks and ResNet 128-d descriptor.

The weights come from the ``face-recognition-models`` wheel (the only offline source; see
docs/engines.md). dlib is called directly: the ``face_recognition`` package adds nothing we need
and its dependency on ``dlib`` would make pip compile it from source.

Descriptors are dlib's own: two photos of one person are usually within Euclidean distance 0.6.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import cv2
import dlib
import numpy as np

from thanglong.cameras.engines import Box, FaceFound

# HOG finds faces of about 80 px and larger; one 2x upsampling finds ~40 px faces but costs ~4x,
# so it is spent only on small images, where faces are small and the image is cheap.
UPSAMPLE_BELOW_SIDE = 800
# Detection runs on a copy whose longest side is at most this; a 4K frame is downscaled first
# (HOG at 4K takes seconds and finds nothing 1080p does not find at CCTV face sizes).
DETECT_MAX_SIDE = 1600
# A face this wide (px, in the original image) or wider counts as full size for quality.
GOOD_FACE_SIDE = 100
MIN_FACE_SIDE = 40
# Variance of the Laplacian of the face resized to 112x112 grey: below ~30 it is visibly blurred.
SHARP_VARIANCE = 120.0
BLUR_VARIANCE = 25.0


@dataclass(frozen=True)
class DlibFace(FaceFound):
    """A face with the parts of its quality score, for enrolment's messages."""

    size_score: float = 0.0
    sharpness: float = 0.0  # 0..1
    pose: float = 0.0  # 0..1, 1 = frontal (landmarks symmetric about the nose)
    landmarks: tuple[tuple[int, int], ...] = field(default=(), compare=False)


def _models_dir() -> Path:
    # The package's __init__ imports pkg_resources (gone from recent setuptools): find its files
    # without importing it.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("face-recognition-models is not installed (pip install face-recognition-models)")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def _clamp(value: float) -> float:
    return max(0.0, min(1.0, value))


def size_score(width: int, height: int) -> float:
    side = min(width, height)
    return _clamp((side - MIN_FACE_SIDE) / (GOOD_FACE_SIDE - MIN_FACE_SIDE))


def sharpness_of(image: np.ndarray, box: Box) -> tuple[float, float]:
    """(score 0..1, raw Laplacian variance) of the face region, at a fixed scale so sizes compare."""
    x, y, w, h = box
    crop = image[max(0, y) : y + h, max(0, x) : x + w]
    if crop.size == 0:
        return 0.0, 0.0
    grey = cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY) if crop.ndim == 3 else crop
    grey = cv2.resize(grey, (112, 112), interpolation=cv2.INTER_AREA)
    variance = float(cv2.Laplacian(grey, cv2.CV_64F).var())
    return _clamp((variance - BLUR_VARIANCE) / (SHARP_VARIANCE - BLUR_VARIANCE)), variance


def pose_score(points: list[tuple[int, int]]) -> float:
    """Frontal-ness from dlib's 5 landmarks (two corners of each eye, the base of the nose).

    A turned head moves the nose towards one eye: the nose's offset from the eyes' midpoint,
    measured along the eye line in units of the eye distance, is ~0 frontal and ~0.35 at ~45°.
    Roll is not penalised: the descriptor's alignment removes it.
    """
    if len(points) < 5:
        return 0.0
    pts = np.asarray(points, dtype=np.float64)
    eye_a, eye_b, nose = pts[0:2].mean(axis=0), pts[2:4].mean(axis=0), pts[4]
    axis = eye_b - eye_a
    distance = float(np.hypot(*axis))
    if distance < 1e-6:
        return 0.0
    offset = abs(float(np.dot(nose - (eye_a + eye_b) / 2, axis / distance))) / distance
    return _clamp(1.0 - offset / 0.35)


def _detector_score(margin: float) -> float:
    # HOG's SVM margin: 0 is the detection threshold, ~1.5 a clear frontal face.
    return 1.0 / (1.0 + math.exp(-2.0 * (margin + 0.5)))


class DlibFaceEngine:
    """Thread-safe: dlib's objects are not, so calls are serialised per engine (one per process)."""

    dimensions = 128

    def __init__(self, models_dir: Path | None = None) -> None:
        directory = models_dir or _models_dir()
        self._detector: Any = dlib.get_frontal_face_detector()
        self._shapes: Any = dlib.shape_predictor(str(directory / "shape_predictor_5_face_landmarks.dat"))
        self._encoder: Any = dlib.face_recognition_model_v1(
            str(directory / "dlib_face_recognition_resnet_model_v1.dat")
        )
        self._lock = threading.Lock()

    def detect(self, image: np.ndarray) -> list[tuple[Box, float]]:
        """Boxes (in ``image``'s pixels) and detector scores; no landmarks, no descriptors."""
        height, width = image.shape[:2]
        scale = min(1.0, DETECT_MAX_SIDE / max(height, width))
        small = image
        if scale < 1.0:
            small = cv2.resize(
                image, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
            )
        grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY) if small.ndim == 3 else small
        upsample = 1 if max(small.shape[:2]) < UPSAMPLE_BELOW_SIDE else 0
        with self._lock:
            rects, margins, _ = self._detector.run(grey, upsample, 0.0)
        found: list[tuple[Box, float]] = []
        for rect, margin in zip(rects, margins, strict=True):
            x0, y0 = max(0, round(rect.left() / scale)), max(0, round(rect.top() / scale))
            x1, y1 = min(width, round(rect.right() / scale)), min(height, round(rect.bottom() / scale))
            if x1 > x0 and y1 > y0:
                found.append(((x0, y0, x1 - x0, y1 - y0), _detector_score(float(margin))))
        return found

    def describe(
        self, rgb: np.ndarray, box: Box, *, embed: bool = True
    ) -> tuple[list[tuple[int, int]], np.ndarray | None]:
        """The 5 landmarks and (when asked) the 128-d descriptor of the face in ``box`` (RGB image)."""
        x, y, w, h = box
        rect = dlib.rectangle(x, y, x + w, y + h)
        with self._lock:
            shape = self._shapes(rgb, rect)
            descriptor = self._encoder.compute_face_descriptor(rgb, shape) if embed else None
        points = [(shape.part(i).x, shape.part(i).y) for i in range(shape.num_parts)]
        return points, np.asarray(descriptor, dtype=np.float32) if descriptor is not None else None

    def find(self, image: np.ndarray, *, embed: bool = True) -> list[FaceFound]:
        if image.ndim == 2:
            image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
        detections = self.detect(image)
        if not detections:
            return []
        rgb = np.ascontiguousarray(image[:, :, ::-1])
        faces: list[FaceFound] = []
        for box, score in detections:
            points, embedding = self.describe(rgb, box, embed=embed)
            sized = size_score(box[2], box[3])
            sharp, _variance = sharpness_of(image, box)
            pose = pose_score(points)
            # Geometric mean: any one bad part drags the score down, none alone zeroes it.
            quality = float((max(sized, 0.01) * max(sharp, 0.01) * max(pose, 0.01)) ** (1 / 3))
            faces.append(
                DlibFace(
                    box=box,
                    score=score,
                    quality=round(quality, 4),
                    embedding=embedding,
                    size_score=sized,
                    sharpness=sharp,
                    pose=pose,
                    landmarks=tuple(points),
                )
            )
        faces.sort(key=lambda face: face.box[2] * face.box[3], reverse=True)
        return faces


@cache
def default_engine() -> DlibFaceEngine:
    return DlibFaceEngine()
