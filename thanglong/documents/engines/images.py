"""Scans and phone photos to a PDF OCRmyPDF can read: size limits, page finding, perspective correction."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

A4_WIDTH_INCHES = 210 / 25.4


def images_to_pdf(source: Path, target: Path, max_pages: int, max_megapixels: float) -> tuple[int, list[str]]:
    """Write every frame of ``source`` (TIFF pages, or one JPEG/PNG) as a PDF page; returns (pages, notes)."""
    from thanglong.documents.engines.ocr import OcrError

    notes: list[str] = []
    pages: list[Image.Image] = []
    resolutions: list[float] = []
    limit = int(max_megapixels * 1_000_000)
    previous_limit, previous_truncated = Image.MAX_IMAGE_PIXELS, ImageFile.LOAD_TRUNCATED_IMAGES
    Image.MAX_IMAGE_PIXELS = limit  # above twice this PIL refuses outright (DecompressionBombError)
    # A cut-off scan must fail as corrupt, not turn into a half-grey page: some libraries in the
    # same process (WeasyPrint) switch Pillow to loading truncated files.
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with Image.open(source) as image:
            frames = getattr(image, "n_frames", 1)
            if frames > max_pages:
                raise OcrError("too_many_pages", f"{frames} > {max_pages}")
            for index in range(frames):
                image.seek(index)
                if image.width * image.height > limit:
                    raise OcrError("too_large_image", f"{image.width}x{image.height} px")
                frame = ImageOps.exif_transpose(image.copy()) or image.copy()
                dpi = _credible_dpi(image.info.get("dpi"))
                corrected = correct_perspective(frame)
                if corrected is not None:
                    frame = corrected
                    notes.append(f"page {index + 1}: perspective corrected and cropped")
                    dpi = None  # the warp changed the scale: estimate from the page width below
                frame = frame.convert("L")
                pages.append(frame)
                resolutions.append(dpi or _estimate_dpi(frame))
    except Image.DecompressionBombError as exc:
        raise OcrError("too_large_image", str(exc)[:300]) from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise OcrError("corrupt", str(exc)[:300]) from exc
    finally:
        Image.MAX_IMAGE_PIXELS = previous_limit
        ImageFile.LOAD_TRUNCATED_IMAGES = previous_truncated
    first, *rest = pages
    # One resolution for the file: PIL writes a single value; pages of one scan share it anyway.
    first.save(target, "PDF", resolution=resolutions[0], save_all=True, append_images=rest)
    return len(pages), notes


def _credible_dpi(value: object) -> float | None:
    if isinstance(value, tuple) and value and isinstance(value[0], int | float) and 100 <= value[0] <= 1200:
        return float(value[0])
    return None


def _estimate_dpi(image: Image.Image) -> float:
    """Phone photos carry no real resolution: assume the page is A4 wide, which Decree 30 prescribes."""
    return float(min(600, max(100, round(image.width / A4_WIDTH_INCHES))))


def correct_perspective(image: Image.Image) -> Image.Image | None:
    """The page inside a photo, flattened and cropped; None when no clear page outline is found."""
    import cv2
    import numpy as np

    rgb = np.asarray(image.convert("RGB"))
    scale = 1000 / max(rgb.shape[:2])
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA) if scale < 1 else rgb
    scale = min(scale, 1.0)
    grey = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    _, mask = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    outline = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(outline)
    total = small.shape[0] * small.shape[1]
    # A page filling (almost) the whole frame is a scan, not a photo: nothing to correct.
    if area < 0.2 * total or area > 0.97 * total:
        return None
    quad = cv2.approxPolyDP(outline, 0.02 * cv2.arcLength(outline, True), True)
    if len(quad) != 4:
        return None
    corners = _order_corners(quad.reshape(4, 2).astype("float32") / scale)
    top_left, top_right, bottom_right, bottom_left = corners
    width = int(max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left)))
    height = int(max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right)))
    if width < 200 or height < 200:
        return None
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype="float32")
    matrix = cv2.getPerspectiveTransform(corners, target)
    flat = cv2.warpPerspective(rgb, matrix, (width, height), flags=cv2.INTER_CUBIC)
    return Image.fromarray(flat)


def _order_corners(points: Any) -> Any:
    import numpy as np

    pts = np.asarray(points, dtype="float32")
    sums, diffs = pts.sum(axis=1), np.diff(pts, axis=1).ravel()
    return np.array(
        [pts[np.argmin(sums)], pts[np.argmin(diffs)], pts[np.argmax(sums)], pts[np.argmax(diffs)]],
        dtype="float32",
    )
