"""Render Vietnamese official documents (Decree 30/2020/NĐ-CP layout) as scanned pages.

Tests, the browser test and the benchmark need realistic page images with known text and known
fields; this draws them with the Noto fonts Debian ships, then degrades them like a scanner or a
phone camera would (skew, blur, noise, JPEG, perspective).
"""

from __future__ import annotations

import io
import json
import random
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype/noto")
A4_MM = (210, 297)


@dataclass
class Specimen:
    """One official document: its parts in reading order, and the fields a reader should extract."""

    header_left: list[str]
    header_right: list[str]
    number: str
    place_date: str
    title: str
    summary: list[str]
    body: list[str]
    recipients: list[str]
    signer_title: list[str]
    signer: str
    marking: str = ""
    urgency: str = ""
    expected: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> Specimen:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return cls(**data)


def _font(name: str, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / name), size)


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= width or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def render_pages(specimen: Specimen, dpi: int = 200) -> tuple[list[Image.Image], list[str]]:
    """The document as clean greyscale pages, and the text of each page in reading order."""
    scale = dpi / 25.4
    width, height = int(A4_MM[0] * scale), int(A4_MM[1] * scale)
    margin_left, margin_right, margin_top = int(30 * scale), int(15 * scale), int(20 * scale)
    size = max(10, int(13 * dpi / 72))  # 13 pt
    regular, bold = _font("NotoSerif-Regular.ttf", size), _font("NotoSerif-Bold.ttf", size)
    italic = _font("NotoSerif-Italic.ttf", size)
    leading = int(size * 1.45)
    pages: list[Image.Image] = []
    texts: list[list[tuple[int, float, str]]] = []  # (y, x, text) of everything drawn, per page

    def new_page() -> tuple[Image.Image, ImageDraw.ImageDraw]:
        image = Image.new("L", (width, height), 255)
        pages.append(image)
        texts.append([])
        return image, ImageDraw.Draw(image)

    _, draw = new_page()
    y = margin_top
    column = (width - margin_left - margin_right) // 2
    left_x, right_x = margin_left, margin_left + column

    def put(x: float, y: int, text: str, font: ImageFont.FreeTypeFont) -> None:
        draw.text((x, y), text, font=font, fill=0)
        texts[-1].append((y, x, text))

    def centred(text: str, font: ImageFont.FreeTypeFont, x0: int, span: int, y: int) -> None:
        put(x0 + (span - draw.textlength(text, font=font)) / 2, y, text, font)

    if specimen.marking or specimen.urgency:
        for stamp in filter(None, [specimen.marking, specimen.urgency]):
            box_w = int(draw.textlength(stamp, font=bold)) + 24
            draw.rectangle((left_x, y, left_x + box_w, y + leading), outline=0, width=3)
            put(left_x + 12, y + 2, stamp, bold)
            y += leading + 8
    top = y
    for index, line in enumerate(specimen.header_left):
        centred(line, bold if index == len(specimen.header_left) - 1 else regular, left_x, column - 20, y)
        y += leading
    left_bottom = y
    y = top
    for line in specimen.header_right:
        centred(line, bold, right_x - 10, column + 10, y)
        y += leading
    y = max(y, left_bottom) + leading // 2
    centred(specimen.number, regular, left_x, column - 20, y)
    put(right_x + 40, y, specimen.place_date, italic)
    y += leading * 2
    if specimen.title:
        centred(specimen.title, bold, margin_left, width - margin_left - margin_right, y)
        y += leading
    for line in specimen.summary:
        centred(line, bold, margin_left, width - margin_left - margin_right, y)
        y += leading
    y += leading // 2
    text_width = width - margin_left - margin_right
    for paragraph in specimen.body:
        for line in _wrap(draw, paragraph, regular, text_width):
            if y + leading > height - margin_top:
                _, draw = new_page()
                y = margin_top
            put(margin_left, y, line, regular)
            y += leading
    needed = leading * (max(len(specimen.recipients), len(specimen.signer_title) + 4) + 2)
    if y + needed > height - margin_top:
        _, draw = new_page()
        y = margin_top
    y += leading
    small = _font("NotoSerif-Regular.ttf", int(size * 0.85))
    recipients_y = y
    put(left_x, recipients_y, "Nơi nhận:", _font("NotoSerif-BoldItalic.ttf", size))
    for line in specimen.recipients:
        recipients_y += int(leading * 0.85)
        put(left_x, recipients_y, line, small)
    for line in specimen.signer_title:
        centred(line, bold, right_x, column, y)
        y += leading
    y += leading * 3  # room for the signature and the seal
    centred(specimen.signer, bold, right_x, column, y)
    return pages, [_reading_order(items, leading // 2) for items in texts]


def _reading_order(items: list[tuple[int, float, str]], tolerance: int) -> str:
    """Row-major text, as a page reader without column analysis (Tesseract's default) produces it."""
    rows: list[list[tuple[int, float, str]]] = []
    for item in sorted(items):
        if rows and item[0] - rows[-1][0][0] <= tolerance:
            rows[-1].append(item)
        else:
            rows.append([item])
    return "\n".join(" ".join(text for _, _, text in sorted(row, key=lambda i: i[1])) for row in rows)


def degrade(image: Image.Image, seed: int, *, strength: float = 1.0) -> Image.Image:
    """A flat-bed scan: slight skew, blur, speckle noise, then JPEG artefacts."""
    rng = random.Random(seed)  # noqa: S311 - reproducible degradation, not secrets
    angle = rng.uniform(-2.0, 2.0) * strength
    page = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    page = page.filter(ImageFilter.GaussianBlur(radius=0.6 * strength))
    noise = Image.effect_noise(page.size, 18 * strength)
    page = Image.blend(page, noise, 0.12 * strength)
    buffer = io.BytesIO()
    page.save(buffer, "JPEG", quality=int(70 - 15 * strength))
    return Image.open(io.BytesIO(buffer.getvalue())).convert("L")


def photograph(image: Image.Image, seed: int) -> Image.Image:
    """A phone photo of the page on a desk: perspective, a dark background, uneven light, JPEG."""
    import numpy as np

    rng = random.Random(seed)  # noqa: S311 - reproducible degradation, not secrets
    page = image.convert("RGB")
    w, h = page.size
    canvas_w, canvas_h = int(w * 1.3), int(h * 1.2)
    jitter = [rng.uniform(0.0, 0.07) for _ in range(8)]
    corners = [
        (w * (0.1 + jitter[0]), h * (0.06 + jitter[1])),
        (w * (1.2 - jitter[2]), h * (0.08 + jitter[3])),
        (w * (1.18 - jitter[4]), h * (1.14 - jitter[5])),
        (w * (0.12 + jitter[6]), h * (1.12 - jitter[7])),
    ]
    coefficients = _perspective_coefficients(corners, [(0, 0), (w, 0), (w, h), (0, h)])
    warped = page.transform(
        (canvas_w, canvas_h),
        Image.Transform.PERSPECTIVE,
        coefficients,
        Image.Resampling.BICUBIC,
        fillcolor=(70, 60, 52),
    )
    pixels = np.asarray(warped).astype("float32")
    gradient = np.linspace(1.0, 0.82, canvas_w, dtype="float32")[None, :, None]
    pixels = np.clip(pixels * gradient, 0, 255).astype("uint8")
    photo = Image.fromarray(pixels).filter(ImageFilter.GaussianBlur(radius=0.7))
    buffer = io.BytesIO()
    photo.save(buffer, "JPEG", quality=80)
    return Image.open(io.BytesIO(buffer.getvalue()))


def _perspective_coefficients(
    source: list[tuple[float, float]], target: list[tuple[float, float]]
) -> tuple[float, ...]:
    """PIL's PERSPECTIVE maps output pixels to input pixels: solve for that 8-coefficient map."""
    import numpy as np

    rows = []
    for (x, y), (u, v) in zip(source, target, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    matrix = np.array(rows, dtype="float64")
    values = np.array([c for point in target for c in point], dtype="float64")
    return tuple(float(c) for c in np.linalg.solve(matrix, values))


def save_pdf(pages: list[Image.Image], path: Path, dpi: int = 200) -> Path:
    first, *rest = [page.convert("L") for page in pages]
    first.save(path, "PDF", resolution=float(dpi), save_all=True, append_images=rest)
    return path


SAMPLE_DECISION = Specimen(
    header_left=["CÔNG AN THÀNH PHỐ HÀ NỘI", "CÔNG AN PHƯỜNG CẦU GIẤY"],
    header_right=["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"],
    number="Số: 123/QĐ-CAP",
    place_date="Hà Nội, ngày 15 tháng 5 năm 2024",
    title="QUYẾT ĐỊNH",
    summary=["Về việc thành lập Tổ công tác bảo đảm trật tự đô thị"],
    body=[
        "Căn cứ Luật Công an nhân dân ngày 20 tháng 11 năm 2018;",
        "Xét đề nghị của Đội Cảnh sát quản lý hành chính về trật tự xã hội,",
        "Điều 1. Thành lập Tổ công tác bảo đảm trật tự đô thị trên địa bàn phường Cầu Giấy.",
        "Điều 2. Quyết định này có hiệu lực kể từ ngày ký.",
    ],
    recipients=["- Như Điều 2;", "- Lưu: VT."],
    signer_title=["TRƯỞNG CÔNG AN PHƯỜNG"],
    signer="Nguyễn Văn Hùng",
)
