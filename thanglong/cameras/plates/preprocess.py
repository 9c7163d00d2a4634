"""Model inputs, shared by training and the runtime reader so both see the same pixels."""

from __future__ import annotations

import cv2
import numpy as np

REC_HEIGHT = 32
REC_WIDTH = 160  # a two-row plate becomes its two rows side by side, 80 px each
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # CTC class 0 is the blank
DET_MAX_SIDE = 512
DET_STRIDE = 4  # the detector's output is at 1/4 of its input
DET_MULTIPLE = 32
TWO_ROW_ASPECT = 2.6  # width/height below this is a square (two-row) plate


def rows_from_box(width: float, height: float) -> int:
    return 2 if width < TWO_ROW_ASPECT * height else 1


def recogniser_input(crop: np.ndarray, rows: int) -> np.ndarray:
    """(1, 32, 160) float32 in [-1, 1] from a BGR or gray plate crop."""
    gray = crop if crop.ndim == 2 else cv2.cvtColor(crop, cv2.COLOR_BGR2GRAY)
    if rows == 2:
        mid = gray.shape[0] // 2
        half = REC_WIDTH // 2
        top = cv2.resize(gray[: max(1, mid)], (half, REC_HEIGHT), interpolation=cv2.INTER_AREA)
        bottom = cv2.resize(gray[mid:], (half, REC_HEIGHT), interpolation=cv2.INTER_AREA)
        line = np.hstack([top, bottom])
    else:
        line = cv2.resize(gray, (REC_WIDTH, REC_HEIGHT), interpolation=cv2.INTER_AREA)
    return ((line.astype(np.float32) / 127.5) - 1.0)[None]


def detector_input(image: np.ndarray) -> tuple[np.ndarray, float]:
    """(3, H, W) float32 RGB in [0, 1], sides multiples of 32, and the scale applied to the image."""
    h, w = image.shape[:2]
    scale = min(1.0, DET_MAX_SIDE / max(h, w))
    new_w, new_h = max(1, round(w * scale)), max(1, round(h * scale))
    resized = cv2.resize(image, (new_w, new_h), interpolation=cv2.INTER_AREA) if scale != 1.0 else image
    pad_w = -new_w % DET_MULTIPLE
    pad_h = -new_h % DET_MULTIPLE
    padded = cv2.copyMakeBorder(resized, 0, pad_h, 0, pad_w, cv2.BORDER_CONSTANT, value=(0, 0, 0))
    rgb = cv2.cvtColor(padded, cv2.COLOR_BGR2RGB)
    return (rgb.astype(np.float32) / 255.0).transpose(2, 0, 1), scale
