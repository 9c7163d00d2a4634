"""The default PlateReader: ONNX detector → crop (wider re-reads when doubtful, see crops.py) →
ONNX recogniser → grammar repair → PlateRead."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import cv2
import numpy as np
from django.utils.translation import gettext as _

from thanglong.cameras.engines import PlateRead, PlateReader
from thanglong.cameras.plates.crops import (
    MAX_RETRIED,
    Hypothesis,
    Reading,
    Rect,
    choose,
    hypotheses,
    needs_retry,
)
from thanglong.cameras.plates.detector import OnnxDetector
from thanglong.cameras.plates.grammar import fold_plate, parse_plate, repair
from thanglong.cameras.plates.recogniser import LineRead, OnnxRecogniser

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
        rects: list[Rect] = []
        for x, y, w, h, _score, _rows in detections:
            # A little margin: the recogniser was trained on loose crops, and clipped characters are lost.
            x0, y0 = max(0, int(x - 0.04 * w)), max(0, int(y - 0.06 * h))
            x1, y1 = min(width, int(x + w * 1.04) + 1), min(height, int(y + h * 1.06) + 1)
            rects.append((x0, y0, x1, y1))
        chosen = self._read_all(image, [Hypothesis(r, d[5]) for r, d in zip(rects, detections, strict=True)])
        retried = 0
        for index, rect in enumerate(rects):
            if retried >= MAX_RETRIED:
                break
            reading = chosen[index][1]
            length = len(chosen[index][0].text)
            if not needs_retry(rect, width, height, valid=reading.valid, prob=reading.prob, length=length):
                continue
            retried += 1
            first = Hypothesis(rect, detections[index][5])
            others = hypotheses(rect, first.rows, width, height)
            tried = [first, *others]
            results = [chosen[index], *self._read_all(image, others)]
            pick = choose([result[1] for result in results])
            chosen[index] = results[pick]  # the box stays the detector's: that is where the plate is
            detections[index] = (*detections[index][:5], tried[pick].rows)
        reads = []
        for rect, det, (line, reading) in zip(rects, detections, chosen, strict=True):
            if len(line.text) < 4:
                continue  # not a plate, or too small to read anything: no use to anyone
            x0, y0, x1, y1 = rect
            crop = image[y0:y1, x0:x1]
            info = parse_plate(reading.text, rows=det[5]) if reading.text else None
            colour = plate_colour(crop)
            category = "unknown"
            if info is not None:
                category = info.category
                if info.category == "civil":
                    category = COLOUR_CATEGORY.get(colour, "civil")
            confidence = det[4] * (reading.prob if reading.text else line.confidence)
            reads.append(
                PlateRead(
                    text=reading.text,
                    confidence=float(min(1.0, confidence)),
                    box=(x0, y0, x1 - x0, y1 - y0),
                    rows=det[5],
                    colour=colour,
                    category=category,
                    valid=info is not None,
                    raw=line.text,
                )
            )
        return reads

    def _read_all(self, image: np.ndarray, crops: list[Hypothesis]) -> list[tuple[LineRead, Reading]]:
        """Recognise every hypothesis in one batch, then repair each with the plate grammar."""
        lines = self.recogniser.read(
            [(image[r.rect[1] : r.rect[3], r.rect[0] : r.rect[2]], r.rows) for r in crops]
        )
        out = []
        for hypothesis, line in zip(crops, lines, strict=True):
            rows = hypothesis.rows
            if not 4 <= len(line.text) <= 12:
                out.append((line, Reading("", 0.0, False, len(line.text))))
                continue  # nothing plate-like to repair
            text, prob = repair(line.candidates, rows=rows, split=line.first_half if rows == 2 else None)
            out.append(
                (line, Reading(text, prob, bool(text), len(fold_plate(text)) if text else len(line.text)))
            )
        return out


@cache
def default_reader() -> PlateReader:
    """The shipped models, loaded once per process."""
    return OnnxPlateReader()
