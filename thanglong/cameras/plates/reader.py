"""The default PlateReader: ONNX detector → crop → ONNX recogniser → grammar repair → PlateRead."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
from django.utils.translation import gettext as _

from thanglong.cameras.engines import PlateRead, PlateReader
from thanglong.cameras.plates.detector import OnnxDetector
from thanglong.cameras.plates.grammar import parse_plate, repair
from thanglong.cameras.plates.recogniser import OnnxRecogniser

MODELS_DIR = Path(__file__).resolve().parent / "models"
MAX_PIXELS = 40_000_000  # 8K frames are 33 MP; larger is a mistake or an attack
MIN_SIDE = 16
COLOUR_CATEGORY = {"yellow": "business", "blue": "state", "red": "military"}


class PlateImageError(ValueError):
    """An image the reader refuses; carries the Vietnamese and English message for API answers."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(f"{message_en} / {message_vi}")
        self.message_vi = message_vi
        self.message_en = message_en


def check_image(image: object) -> np.ndarray:
    """A BGR uint8 (H, W, 3) array, or PlateImageError saying what is wrong."""
    if not isinstance(image, np.ndarray) or image.dtype != np.uint8:
        raise PlateImageError(
            _("Ảnh không hợp lệ: cần mảng uint8."), "Invalid image: a uint8 array is required."
        )
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.ndim != 3 or image.shape[2] not in (3, 4):
        raise PlateImageError(
            _("Ảnh không hợp lệ: cần ảnh màu BGR (cao, rộng, 3)."),
            "Invalid image: a BGR image of shape (height, width, 3) is required.",
        )
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    height, width = image.shape[:2]
    if height * width > MAX_PIXELS:
        raise PlateImageError(
            _("Ảnh quá lớn (%(w)d×%(h)d), tối đa 40 megapixel.") % {"w": width, "h": height},
            f"Image too large ({width}×{height}); the limit is 40 megapixels.",
        )
    if min(height, width) < MIN_SIDE:
        raise PlateImageError(
            _("Ảnh quá nhỏ (%(w)d×%(h)d).") % {"w": width, "h": height},
            f"Image too small ({width}×{height}).",
        )
    return image


def plate_colour(crop: np.ndarray) -> str:
    """Background colour by pixel vote in the crop's centre: the background outnumbers the ink."""
    h, w = crop.shape[:2]
    centre = crop[h // 6 : h - h // 6 or h, w // 8 : w - w // 8 or w]
    hsv = cv2.cvtColor(centre, cv2.COLOR_BGR2HSV).reshape(-1, 3).astype(np.int32)
    hue, sat, val = hsv[:, 0], hsv[:, 1], hsv[:, 2]
    coloured = (sat > 80) & (val > 60)
    votes = {
        "white": int(((sat < 70) & (val > 110)).sum()),
        "yellow": int((coloured & (hue >= 15) & (hue <= 38)).sum()),
        "blue": int((coloured & (hue >= 95) & (hue <= 130)).sum()),
        "red": int((coloured & ((hue <= 8) | (hue >= 165))).sum()),
    }
    colour, count = max(votes.items(), key=lambda item: item[1])
    return colour if count >= 0.25 * len(hsv) else "unknown"


class OnnxPlateReader:
    def __init__(self, models_dir: Path = MODELS_DIR, *, threshold: float = 0.35) -> None:
        self.detector = OnnxDetector(models_dir / "detector.onnx", threshold=threshold)
        self.recogniser = OnnxRecogniser(models_dir / "recogniser.onnx")

    def read(self, image: np.ndarray) -> list[PlateRead]:
        image = check_image(image)
        height, width = image.shape[:2]
        detections = self.detector.detect(image)
        crops: list[tuple[np.ndarray, int]] = []
        boxes: list[tuple[int, int, int, int]] = []
        for x, y, w, h, _score, rows in detections:
            # A little margin: the recogniser was trained on loose crops, and clipped characters are lost.
            x0, y0 = max(0, int(x - 0.04 * w)), max(0, int(y - 0.06 * h))
            x1, y1 = min(width, int(x + w * 1.04) + 1), min(height, int(y + h * 1.06) + 1)
            crops.append((image[y0:y1, x0:x1], rows))
            boxes.append((x0, y0, x1 - x0, y1 - y0))
        lines = self.recogniser.read(crops)
        reads = []
        for (crop, rows), box, det, line in zip(crops, boxes, detections, lines, strict=True):
            if len(line.text) < 4:
                continue  # not a plate, or too small to read anything: no use to anyone
            text, text_prob = repair(line.candidates, rows=rows, split=line.first_half if rows == 2 else None)
            info = parse_plate(text, rows=rows) if text else None
            colour = plate_colour(crop)
            category = "unknown"
            if info is not None:
                category = info.category
                if info.category == "civil":
                    category = COLOUR_CATEGORY.get(colour, "civil")
            confidence = det[4] * (text_prob if text else line.confidence)
            reads.append(
                PlateRead(
                    text=text,
                    confidence=float(min(1.0, confidence)),
                    box=box,
                    rows=rows,
                    colour=colour,
                    category=category,
                    valid=info is not None,
                    raw=line.text,
                )
            )
        return reads


@cache
def default_reader() -> PlateReader:
    """The shipped models, loaded once per process."""
    return OnnxPlateReader()
