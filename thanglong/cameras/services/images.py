"""Images from outside (uploads, snapshots posted by external systems): checked by their content.

The size in bytes is checked before decoding and the size in pixels from the header before the
pixels are decoded, so a small file that unpacks to gigabytes (a decompression bomb) is refused
without allocating it.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from PIL import Image, UnidentifiedImageError

from thanglong.cameras.services.errors import CameraError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP"}


@dataclass
class CheckedImage:
    jpeg: bytes  # the original bytes when it was a JPEG, else re-encoded
    width: int
    height: int
    format: str


def max_bytes() -> int:
    return int(settings.THANGLONG_CAMERA_MAX_IMAGE_BYTES)


def max_pixels() -> int:
    return int(settings.THANGLONG_CAMERA_MAX_IMAGE_PIXELS)


def check_image(data: bytes, *, field: str = "image") -> CheckedImage:
    if not data:
        raise CameraError("empty_image", "Ảnh rỗng.", "The image is empty.", field=field)
    if len(data) > max_bytes():
        mb = max_bytes() // (1024 * 1024)
        raise CameraError(
            "image_too_large",
            f"Ảnh quá lớn: tối đa {mb} MB.",
            f"The image is too large: at most {mb} MB.",
            field=field,
            status=413,
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if image.format not in ACCEPTED_FORMATS:
                raise UnidentifiedImageError(image.format)
            if width * height > max_pixels():
                raise CameraError(
                    "image_too_many_pixels",
                    f"Ảnh quá nhiều điểm ảnh ({width}×{height}); tối đa {max_pixels():,} điểm ảnh.",
                    f"The image has too many pixels ({width}×{height}); at most {max_pixels():,}.",
                    field=field,
                    status=413,
                )
            image.load()  # decodes: a truncated or corrupt file fails here
            fmt = str(image.format)
            if fmt == "JPEG":
                jpeg = data
            else:
                buffer = io.BytesIO()
                image.convert("RGB").save(buffer, "JPEG", quality=90)
                jpeg = buffer.getvalue()
    except CameraError:
        raise
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as exc:
        raise CameraError(
            "invalid_image",
            "Tệp không phải ảnh JPEG, PNG hoặc WebP hợp lệ.",
            "The file is not a valid JPEG, PNG or WebP image.",
            field=field,
        ) from exc
    return CheckedImage(jpeg=jpeg, width=width, height=height, format=fmt)


def to_bgr(data: bytes) -> np.ndarray:
    """Decode (already checked) image bytes into OpenCV's BGR uint8 layout."""
    with Image.open(io.BytesIO(data)) as image:
        rgb = np.asarray(image.convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(rgb[:, :, ::-1])


def bgr_to_jpeg(image: np.ndarray, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(image[:, :, ::-1])).save(buffer, "JPEG", quality=quality)
    return buffer.getvalue()
