"""Training samples: loose plate crops for the recogniser, cluttered frames for the detector."""

from __future__ import annotations

import string

import cv2
import numpy as np
from PIL import Image, ImageDraw

from thanglong.cameras.plates.preprocess import recogniser_input
from thanglong.cameras.plates.synth.augment import (
    degrade,
    low_resolution,
    paste,
    perspective,
    random_background,
)
from thanglong.cameras.plates.synth.render import (
    PlateSpec,
    _font,
    available_fonts,
    random_spec,
    render_plate,
)

Box = tuple[int, int, int, int, int]  # x, y, w, h, rows


def plate_crop(
    rng: np.random.Generator, spec: PlateSpec | None = None, *, strength: float = 1.0
) -> tuple[np.ndarray, PlateSpec]:
    """A BGR crop around a warped, degraded plate, cut as loosely or tightly as a detector would."""
    spec = spec or random_spec(rng)
    px_per_mm = float(rng.uniform(0.45, 0.75) if spec.rows == 1 else rng.uniform(0.5, 0.85))
    plate = render_plate(spec, rng, px_per_mm=px_per_mm).image
    warped, mask = perspective(plate, rng, strength=strength)
    h, w = warped.shape[:2]
    pad_x, pad_y = int(w * 0.25) + 4, int(h * 0.35) + 4
    canvas = random_background(rng, h + 2 * pad_y, w + 2 * pad_x)
    paste(canvas, warped, mask, pad_x, pad_y)
    # Detector boxes are off by a few percent either way; the reader's wider retries (crops.py) and
    # uploaded crops leave more background around the plate.
    loose = 2.5 if rng.random() < 0.25 else 1.0
    left = pad_x - int(w * rng.uniform(-0.04, 0.1 * loose))
    right = pad_x + w + int(w * rng.uniform(-0.04, 0.1 * loose))
    top = pad_y - int(h * rng.uniform(-0.05, 0.15 * loose))
    bottom = pad_y + h + int(h * rng.uniform(-0.05, 0.15 * loose))
    crop = canvas[max(0, top) : bottom, max(0, left) : right]
    crop = low_resolution(crop, rng, min_height=14 if spec.rows == 1 else 24)
    return degrade(crop, rng, strength=strength), spec


def recogniser_sample(rng: np.random.Generator, *, strength: float = 1.0) -> tuple[np.ndarray, str, int]:
    """(input (1, 32, 160) float32, folded label, rows)."""
    crop, spec = plate_crop(rng, strength=strength)
    return recogniser_input(crop, spec.rows), spec.text, spec.rows


def _distractor_text(rng: np.random.Generator, canvas: np.ndarray) -> None:
    """Shop signs, stickers and painted words: text that is not a plate."""
    h, w = canvas.shape[:2]
    image = Image.fromarray(canvas)
    draw = ImageDraw.Draw(image)
    fonts = available_fonts()
    for _ in range(int(rng.integers(0, 5))):
        size = int(rng.integers(8, max(9, h // 6)))
        font = _font(fonts[rng.integers(len(fonts))], size)
        pool = (
            string.ascii_uppercase + string.digits + " " if rng.random() < 0.5 else "CAFEPHOTHUOCXEMAYBANH "
        )
        text = "".join(pool[i] for i in rng.integers(0, len(pool), int(rng.integers(3, 14))))
        colour = tuple(int(c) for c in rng.integers(0, 256, 3))
        xy = (int(rng.integers(0, w)), int(rng.integers(0, h)))
        draw.text(xy, text, font=font, fill=colour)
    canvas[:] = np.asarray(image)


def _vehicle_body(rng: np.random.Generator, canvas: np.ndarray, x: int, y: int, pw: int, ph: int) -> None:
    """A rough car/motorbike rear around where the plate goes, so plates sit on bodywork."""
    colour = tuple(float(c) for c in rng.uniform(0, 255, 3))
    bw, bh = int(pw * rng.uniform(1.6, 4.0)), int(ph * rng.uniform(2.0, 5.0))
    cx, cy = x + pw // 2, y + ph // 2
    x0, y0 = cx - bw // 2, cy - int(bh * rng.uniform(0.3, 0.8))
    cv2.rectangle(canvas, (x0, y0), (x0 + bw, y0 + bh), colour, -1)
    if rng.random() < 0.6:  # tail lights
        light = (float(rng.uniform(0, 60)), float(rng.uniform(0, 60)), float(rng.uniform(150, 255)))
        r = max(2, bw // 12)
        cv2.circle(canvas, (x0 + r * 2, y0 + bh // 4), r, light, -1)
        cv2.circle(canvas, (x0 + bw - r * 2, y0 + bh // 4), r, light, -1)


def detector_scene(
    rng: np.random.Generator,
    width: int = 320,
    height: int = 320,
    *,
    max_plates: int = 3,
    close_ups: float = 0.2,
) -> tuple[np.ndarray, list[Box]]:
    """A cluttered BGR frame with 0..max_plates plates; boxes are the plates' axis-aligned extents."""
    canvas = random_background(rng, height, width)
    _distractor_text(rng, canvas)
    boxes: list[Box] = []
    if rng.random() < close_ups:
        return _close_up(rng, canvas)
    count = int(rng.choice(np.arange(max_plates + 1), p=[0.1] + [0.9 / max_plates] * max_plates))
    for _ in range(count * 3):
        if len(boxes) >= count:
            break
        spec = random_spec(rng)
        plate = render_plate(spec, rng).image
        warped, mask = perspective(plate, rng, strength=1.3)
        # Plate widths from a distant car to a plate filling the frame.
        frac = float(np.exp(rng.uniform(np.log(0.05), np.log(0.95))))
        target_w = max(10, int(width * frac))
        scale = target_w / warped.shape[1]
        target_h = max(6, int(warped.shape[0] * scale))
        if target_h >= height * 0.95:
            continue
        warped = cv2.resize(warped, (target_w, target_h), interpolation=cv2.INTER_AREA)
        mask = cv2.resize(mask, (target_w, target_h), interpolation=cv2.INTER_AREA)
        x = int(rng.integers(0, max(1, width - target_w)))
        y = int(rng.integers(0, max(1, height - target_h)))
        if any(_overlap((x, y, target_w, target_h), b) for b in boxes):
            continue
        if not boxes and frac < 0.5 and rng.random() < 0.6:
            _vehicle_body(rng, canvas, x, y, target_w, target_h)
        paste(canvas, warped, mask, x, y)
        boxes.append((x, y, target_w, target_h, spec.rows))
    if rng.random() < 0.3:  # plate-like blanks: white/yellow rectangles without characters
        for _ in range(int(rng.integers(1, 3))):
            bw, bh = int(rng.integers(20, width // 2)), int(rng.integers(8, height // 4))
            x, y = int(rng.integers(0, width - bw)), int(rng.integers(0, height - bh))
            if not any(_overlap((x, y, bw, bh), b) for b in boxes):
                colour = (230, 230, 230) if rng.random() < 0.6 else (40, 200, 235)
                cv2.rectangle(canvas, (x, y), (x + bw, y + bh), colour, -1)
    return degrade(canvas, rng, strength=0.8), boxes


def _close_up(rng: np.random.Generator, canvas: np.ndarray) -> tuple[np.ndarray, list[Box]]:
    """One plate filling the frame, edges possibly cut: uploaded crops and cameras close to the lane."""
    height, width = canvas.shape[:2]
    spec = random_spec(rng)
    warped, mask = perspective(render_plate(spec, rng).image, rng, strength=1.0)
    scale = min(
        width * rng.uniform(0.6, 1.06) / warped.shape[1], height * rng.uniform(0.6, 1.0) / warped.shape[0]
    )
    pw, ph = max(8, int(warped.shape[1] * scale)), max(8, int(warped.shape[0] * scale))
    warped = cv2.resize(warped, (pw, ph), interpolation=cv2.INTER_AREA)
    mask = cv2.resize(mask, (pw, ph), interpolation=cv2.INTER_AREA)
    x = int((width - pw) / 2 + rng.uniform(-0.08, 0.08) * width)
    y = int((height - ph) / 2 + rng.uniform(-0.08, 0.08) * height)
    # Paste with clipping on every side.
    sx0, sy0 = max(0, -x), max(0, -y)
    dx0, dy0 = max(0, x), max(0, y)
    w = min(pw - sx0, width - dx0)
    h = min(ph - sy0, height - dy0)
    paste(canvas, warped[sy0 : sy0 + h, sx0 : sx0 + w], mask[sy0 : sy0 + h, sx0 : sx0 + w], dx0, dy0)
    return degrade(canvas, rng, strength=0.8), [(dx0, dy0, w, h, spec.rows)]


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    ax, ay, aw, ah = a[:4]
    bx, by, bw, bh = b[:4]
    return ax < bx + bw + 4 and bx < ax + aw + 4 and ay < by + bh + 4 and by < ay + ah + 4
