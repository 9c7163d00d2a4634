"""The camera engines' contracts: what the analytics worker, the upload endpoint and the evidence
exporter ask of a licence-plate reader and a face engine.

Engines sit behind these Protocols so a deployment can swap in larger models
(``THANGLONG_PLATE_READER`` / ``THANGLONG_FACE_ENGINE`` name a factory by dotted path) without
touching the callers. Images are OpenCV's layout everywhere: ``numpy.ndarray`` of ``uint8``,
shape ``(height, width, 3)``, BGR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Protocol, runtime_checkable

import numpy as np
from django.conf import settings
from django.utils.module_loading import import_string

Box = tuple[int, int, int, int]  # x, y, width, height in pixels of the image given


@dataclass(frozen=True)
class PlateRead:
    """One plate found in one image, read and checked against the plate grammar."""

    text: str  # canonical form: "30A-123.45", "29B1-234.56", "80NG-123-45"; "" when unreadable
    confidence: float  # 0..1, the product of the detector's and the recogniser's confidence
    box: Box
    rows: int = 1  # 1 (car, long plate) or 2 (motorbike, square plate)
    colour: str = "unknown"  # white | blue | yellow | red | unknown (background colour)
    category: str = "civil"  # civil | business | state | military | diplomatic | foreign | unknown
    valid: bool = True  # passes the plate grammar (province code, series, number length)
    raw: str = ""  # the recogniser's text before grammar repair, for audit and error analysis


@runtime_checkable
class PlateReader(Protocol):
    """Finds and reads every licence plate in an image."""

    def read(self, image: np.ndarray) -> list[PlateRead]: ...


@dataclass(frozen=True)
class FaceFound:
    """One face found in one image."""

    box: Box
    score: float  # detector confidence, 0..1
    quality: float  # 0..1: size, sharpness and pose together; enrolment refuses low quality
    embedding: np.ndarray | None = field(default=None, compare=False)  # float32 (128,), when asked


@runtime_checkable
class FaceEngine(Protocol):
    """Detects faces and, when asked, computes their 128-d descriptors."""

    dimensions: int

    def find(self, image: np.ndarray, *, embed: bool = True) -> list[FaceFound]: ...


@cache
def get_plate_reader() -> PlateReader:
    factory = import_string(settings.THANGLONG_PLATE_READER)
    reader: PlateReader = factory()
    return reader


@cache
def get_face_engine() -> FaceEngine:
    factory = import_string(settings.THANGLONG_FACE_ENGINE)
    engine: FaceEngine = factory()
    return engine
