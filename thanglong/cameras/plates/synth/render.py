"""Render synthetic Vietnamese plates (numpy + Pillow + OpenCV only, so tests can use it).

Plates follow Circular 24/2023/TT-BCA sizes: one row 520×110 mm (cars), two rows 190×140 mm
(motorbikes) and 280×200 mm (square car plates). The official typeface is a condensed DIN-like
sans; no freely licensed copy ships in Debian, so we draw with the condensed/narrow sans faces that
do (DejaVu Sans Condensed, Liberation Sans Narrow, Nimbus Sans Narrow, Noto Sans squeezed) and
squeeze each row to the plate's proportions; mixing faces and weights keeps the recogniser from
learning one font's quirks.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image, ImageDraw, ImageFont

from thanglong.cameras.plates.grammar import MILITARY_FIRST, PROVINCES, SERIES_LETTERS, fold_plate

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSansNarrow-Bold.ttf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Regular.otf",
    "/usr/share/fonts/opentype/urw-base35/NimbusSansNarrow-Bold.otf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
)

# (background BGR, text BGR)
COLOURS = {
    "white": ((235, 238, 240), (25, 25, 25)),
    "yellow": ((40, 200, 235), (25, 25, 25)),
    "blue": ((150, 70, 20), (240, 240, 240)),
    "red": ((40, 40, 190), (240, 240, 240)),
}
CATEGORY_OF_COLOUR = {"white": "civil", "yellow": "business", "blue": "state", "red": "military"}


@dataclass(frozen=True)
class PlateSpec:
    lines: tuple[str, ...]  # what is printed, row by row ("29-B1", "234.56")
    colour: str  # white | yellow | blue | red
    category: str
    size_mm: tuple[int, int]  # width, height

    @property
    def text(self) -> str:
        return fold_plate("".join(self.lines))

    @property
    def rows(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class RenderedPlate:
    image: np.ndarray  # BGR uint8
    spec: PlateSpec


class FontsMissingError(RuntimeError):
    pass


@cache
def available_fonts() -> tuple[str, ...]:
    fonts = tuple(path for path in FONT_CANDIDATES if Path(path).exists())
    if not fonts:
        raise FontsMissingError(
            "No sans font for plate rendering: apt-get install fonts-dejavu-core fonts-dejavu-extra"
        )
    return fonts


@cache
def _font(path: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size)


_PROVINCE_CODES = sorted(PROVINCES)
_BUSY = [29, 30, 31, 40, 51, 59, 50, 43, 15, 14, 36, 37, 99, 98, 88, 89, 61, 60]


def _province(rng: np.random.Generator) -> str:
    pool = _BUSY if rng.random() < 0.5 else _PROVINCE_CODES
    return f"{int(pool[rng.integers(len(pool))]):02d}"


def _letter(rng: np.random.Generator) -> str:
    return SERIES_LETTERS[rng.integers(len(SERIES_LETTERS))]


def _digits(rng: np.random.Generator, n: int) -> str:
    return "".join(str(d) for d in rng.integers(0, 10, n))


def _number(digits: str) -> str:
    return f"{digits[:3]}.{digits[3:]}" if len(digits) == 5 else digits


def random_spec(rng: np.random.Generator) -> PlateSpec:
    """A random plausible plate: cars, motorbikes, square car plates, diplomatic, military."""
    kind = rng.choice(["car", "moto", "diplo", "mil"], p=[0.45, 0.43, 0.06, 0.06])
    prov = _province(rng)
    if kind == "mil":
        series = MILITARY_FIRST[rng.integers(len(MILITARY_FIRST))] + _letter(rng)
        d = _digits(rng, 4)
        two = rng.random() < 0.3
        lines = (series, f"{d[:2]}-{d[2:]}") if two else (f"{series}-{d[:2]}-{d[2:]}",)
        return PlateSpec(lines, "red", "military", (280, 200) if two else (520, 110))
    if kind == "diplo":
        series = str(rng.choice(["NG", "NN", "QT", "CV"]))
        prov = "80" if rng.random() < 0.6 else prov
        country, order = _digits(rng, 3), _digits(rng, 2)
        two = rng.random() < 0.35
        lines = (f"{prov}{series}", f"{country}-{order}") if two else (f"{prov}{series}-{country}-{order}",)
        category = "foreign" if series == "NN" else "diplomatic"
        return PlateSpec(lines, "white", category, (280, 200) if two else (520, 110))
    colour = str(rng.choice(["white", "yellow", "blue"], p=[0.75, 0.15, 0.10]))
    if kind == "moto":
        r = rng.random()
        if r < 0.8:
            series = _letter(rng) + str(rng.integers(1, 10))
        elif r < 0.95:
            series = _letter(rng) + _letter(rng)
        else:
            series = "MĐ" + str(rng.integers(1, 10))
        digits = _digits(rng, 5 if rng.random() < 0.65 else 4)
        return PlateSpec(
            (f"{prov}-{series}", _number(digits)), colour, CATEGORY_OF_COLOUR[colour], (190, 140)
        )
    series = _letter(rng) if rng.random() < 0.88 else str(rng.choice(["LD", "KT", "DA"]))
    digits = _digits(rng, 5 if rng.random() < 0.85 else 4)
    if rng.random() < 0.22:
        return PlateSpec((f"{prov}{series}", _number(digits)), colour, CATEGORY_OF_COLOUR[colour], (280, 200))
    return PlateSpec((f"{prov}{series}-{_number(digits)}",), colour, CATEGORY_OF_COLOUR[colour], (520, 110))


def _text_mask(text: str, font_path: str, height: int) -> np.ndarray:
    """The ink of one row, cropped tight, scaled to ``height`` pixels (aspect kept)."""
    font = _font(font_path, 96)
    left, top, right, bottom = font.getbbox(text)
    canvas = Image.new("L", (int(right - left) + 8, int(bottom - top) + 8), 0)
    ImageDraw.Draw(canvas).text((4 - left, 4 - top), text, font=font, fill=255)
    ink = np.asarray(canvas)
    ys, xs = np.nonzero(ink > 40)
    ink = ink[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1]
    width = max(1, round(ink.shape[1] * height / ink.shape[0]))
    return cv2.resize(ink, (width, height), interpolation=cv2.INTER_AREA)


@cache
def _glyph(char: str, font_path: str, height: int) -> np.ndarray:
    """One glyph's ink at its natural width for ``height`` (cached: plates reuse few glyphs)."""
    if char in "-.":  # separators sit low (.) or mid-height (-) and are small
        mask = np.zeros((height, max(2, height // 4)), np.uint8)
        stroke = max(1, height // 9)
        if char == "-":
            mid = height // 2
            mask[mid - stroke // 2 : mid - stroke // 2 + stroke, :] = 255
        else:
            mask[height - stroke - 1 : height - 1, : max(2, stroke + 1)] = 255
        return mask
    return _text_mask(char, font_path, height)


def _plate_one(height: int, stroke: int) -> np.ndarray:
    """The plate face's 1: a straight stem with a short flag to the left and no foot."""
    width = max(3, round(height * 0.42))
    mask = np.zeros((height, width), np.uint8)
    stem_x = width - stroke
    mask[:, stem_x:] = 255
    flag = np.array(
        [
            [stem_x, 0],
            [stem_x + stroke // 2, stroke],
            [0, round(height * 0.3)],
            [0, round(height * 0.3) - stroke],
        ]
    )
    cv2.fillPoly(mask, [flag.astype(np.int32)], 255)
    return mask


def _stroke_width(ink: np.ndarray) -> int:
    """Median horizontal run of ink: the font's stem width at this size."""
    runs = []
    for row in (ink > 127)[:: max(1, ink.shape[0] // 8)]:
        padded = np.concatenate([[False], row, [False]])
        edges = np.flatnonzero(padded[1:] != padded[:-1])
        runs.extend((edges[1::2] - edges[::2]).tolist())
    return max(1, int(np.median(runs))) if runs else max(1, ink.shape[0] // 8)


def _line_mask(
    text: str, font_path: str, height: int, squeeze: float, gap: float, *, plate_one: bool
) -> np.ndarray:
    """A row of glyphs, each squeezed horizontally, ``gap`` × height apart."""
    pieces = []
    stroke = 0
    for char in text:
        ink = _glyph(char, font_path, height)
        if char not in "-.":
            ink = cv2.resize(
                ink, (max(2, round(ink.shape[1] * squeeze)), height), interpolation=cv2.INTER_AREA
            )
            stroke = stroke or _stroke_width(_glyph("8", font_path, height))
            if char == "1" and plate_one:
                ink = _plate_one(height, max(2, round(stroke * squeeze * 1.1)))
        pieces.append(ink)
    space = np.zeros((height, max(1, round(gap * height))), np.uint8)
    row: list[np.ndarray] = []
    for piece in pieces:
        row.extend([piece, space])
    return np.hstack(row[:-1])


def render_plate(
    spec: PlateSpec, rng: np.random.Generator, *, px_per_mm: float | None = None
) -> RenderedPlate:
    """Draw ``spec`` as a flat, frontal plate image."""
    scale = px_per_mm or float(rng.uniform(0.9, 1.3)) * (1.0 if spec.rows == 2 else 0.8)
    width, height = round(spec.size_mm[0] * scale), round(spec.size_mm[1] * scale)
    bg, fg = COLOURS[spec.colour]
    tint = rng.normal(0, 10, 3)
    plate = np.empty((height, width, 3), np.float32)
    plate[:] = np.clip(np.array(bg) + tint, 0, 255)
    # Soft vertical shading: plates are rarely lit evenly.
    shade = np.linspace(rng.uniform(-25, 10), rng.uniform(-10, 25), height, dtype=np.float32)[:, None, None]
    plate += shade
    fonts = available_fonts()
    font_path = fonts[rng.integers(len(fonts))]
    # The plate face is tall and narrow with clear gaps between glyphs: squeeze each glyph, then
    # space the glyphs, rather than squeeze a whole string set with the font's tight spacing.
    squeeze = float(rng.uniform(0.5, 0.8)) if "Narrow" not in font_path else float(rng.uniform(0.7, 0.95))
    gap = float(rng.uniform(0.04, 0.22))  # share of the glyph height
    plate_one = rng.random() < 0.6  # the plate face's 1: a stem and a flag, no foot
    margin_x = int(width * rng.uniform(0.04, 0.07))
    border = max(1, round(height * rng.uniform(0.015, 0.03)))
    n = spec.rows
    row_h = (height - 2 * border) / n
    ink_total = np.zeros((height, width), np.float32)
    glyph_h = int(row_h * rng.uniform(0.68, 0.82))
    for i, line in enumerate(spec.lines):
        mask = _line_mask(line, font_path, glyph_h, squeeze, gap, plate_one=plate_one)
        target_w = min(width - 2 * margin_x, mask.shape[1])
        if target_w < mask.shape[1]:
            mask = cv2.resize(mask, (target_w, glyph_h), interpolation=cv2.INTER_AREA)
        x0 = (width - target_w) // 2 + int(rng.integers(-2, 3))
        y0 = int(border + i * row_h + (row_h - glyph_h) / 2 + rng.integers(-2, 3))
        y0 = max(0, min(height - glyph_h, y0))
        x0 = max(0, min(width - target_w, x0))
        ink_total[y0 : y0 + glyph_h, x0 : x0 + target_w] = np.maximum(
            ink_total[y0 : y0 + glyph_h, x0 : x0 + target_w], mask.astype(np.float32) / 255.0
        )
    # Border line, inset a little from the edge, in the text colour.
    inset = max(1, round(height * rng.uniform(0.01, 0.04)))
    border_mask = np.zeros((height, width), np.uint8)
    cv2.rectangle(border_mask, (inset, inset), (width - 1 - inset, height - 1 - inset), 255, border)
    ink_total = np.maximum(ink_total, border_mask.astype(np.float32) / 255.0)
    if rng.random() < 0.5:  # embossed characters throw a small shadow
        shadow = np.roll(ink_total, (1, 1), axis=(0, 1)) * 0.35
        plate -= (shadow * 60)[:, :, None]
    fg_arr = np.clip(np.array(fg) + rng.normal(0, 8, 3), 0, 255).astype(np.float32)
    alpha = ink_total[:, :, None]
    plate = plate * (1 - alpha) + fg_arr * alpha
    if rng.random() < 0.4:  # screw heads / holes near the top
        for x in (width // 4, 3 * width // 4):
            cv2.circle(
                plate, (x, inset + border * 3), max(1, height // 40), tuple(float(c) for c in fg_arr), -1
            )
    plate += rng.normal(0, 3, plate.shape).astype(np.float32)
    return RenderedPlate(np.clip(plate, 0, 255).astype(np.uint8), spec)
