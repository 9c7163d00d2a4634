"""Enrolment of a watch-list person from a photo: is it an image, is there exactly one good face.

A template is only as good as its photo: a blurred or turned face makes a descriptor that is far
from the person's real ones (missed alerts) and closer to strangers' (false alerts). So enrolment
refuses, with a reason an officer can act on, rather than storing a poor template.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from thanglong.cameras.engines import FaceFound, get_face_engine
from thanglong.cameras.faces.engine import BLUR_VARIANCE, MIN_FACE_SIDE

ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP", "BMP", "TIFF"}
MIN_IMAGE_SIDE = 80
ENROL_MIN_FACE_SIDE = 80  # px of the face box; HOG finds 40 px faces but their descriptors are poor
MIN_QUALITY = 0.45
MIN_POSE = 0.4  # about 25–30° of yaw
MIN_SHARPNESS = 0.15
# A second face this much smaller than the main one is a bystander in the background, not a
# second subject; anything larger makes the photo ambiguous.
BYSTANDER_RATIO = 0.5


@dataclass
class EnrolResult:
    ok: bool
    embedding: np.ndarray | None = None
    quality: float = 0.0
    problems: list[str] = field(default_factory=list)
    face: FaceFound | None = None
    image: np.ndarray | None = field(default=None, repr=False)  # BGR, upright: for the stored photo


def decode_image(image_bytes: bytes) -> tuple[np.ndarray | None, list[str]]:
    """The image as upright BGR (EXIF orientation applied), or the reasons it cannot be used."""
    if not image_bytes:
        return None, [_("Tệp ảnh rỗng.")]
    max_bytes = settings.THANGLONG_CAMERA_MAX_IMAGE_BYTES
    if len(image_bytes) > max_bytes:
        return None, [_("Ảnh quá lớn (tối đa %(mb)d MB).") % {"mb": max_bytes // (1024 * 1024)}]
    try:
        with Image.open(io.BytesIO(image_bytes)) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            if fmt not in ALLOWED_FORMATS:
                return None, [_("Định dạng ảnh không được hỗ trợ (chỉ nhận JPEG, PNG, WEBP, BMP, TIFF).")]
            if width * height > settings.THANGLONG_CAMERA_MAX_IMAGE_PIXELS:
                return None, [_("Ảnh có quá nhiều điểm ảnh (%(w)d×%(h)d).") % {"w": width, "h": height}]
            if min(width, height) < MIN_IMAGE_SIDE:
                return None, [_("Ảnh quá nhỏ (%(w)d×%(h)d).") % {"w": width, "h": height}]
            probe.verify()
        with Image.open(io.BytesIO(image_bytes)) as img:
            upright = ImageOps.exif_transpose(img).convert("RGB")
            rgb = np.asarray(upright)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None, [_("Tệp không phải là ảnh hoặc ảnh bị hỏng.")]
    return np.ascontiguousarray(rgb[:, :, ::-1]), []


def _main_faces(faces: list[FaceFound]) -> list[FaceFound]:
    if not faces:
        return []
    largest = max(face.box[2] for face in faces)
    return [face for face in faces if face.box[2] >= largest * BYSTANDER_RATIO]


def check_and_embed(image_bytes: bytes) -> EnrolResult:
    image, problems = decode_image(image_bytes)
    if image is None:
        return EnrolResult(ok=False, problems=problems)
    faces = _main_faces(get_face_engine().find(image, embed=True))
    if not faces:
        return EnrolResult(
            ok=False,
            image=image,
            problems=[_("Không tìm thấy khuôn mặt nào nhìn thẳng trong ảnh.")],
        )
    if len(faces) > 1:
        return EnrolResult(
            ok=False,
            image=image,
            problems=[
                _("Ảnh có %(n)d khuôn mặt; cần ảnh chỉ có một người.") % {"n": len(faces)},
            ],
        )
    face = faces[0]
    width, height = face.box[2], face.box[3]
    if min(width, height) < max(ENROL_MIN_FACE_SIDE, MIN_FACE_SIDE):
        problems.append(
            _("Khuôn mặt quá nhỏ (%(px)d điểm ảnh; cần ít nhất %(min)d).")
            % {"px": min(width, height), "min": ENROL_MIN_FACE_SIDE}
        )
    sharpness = getattr(face, "sharpness", None)
    if sharpness is not None and sharpness < MIN_SHARPNESS:
        problems.append(_("Ảnh bị mờ, không rõ nét (độ nét dưới %(v)d).") % {"v": int(BLUR_VARIANCE)})
    pose = getattr(face, "pose", None)
    if pose is not None and pose < MIN_POSE:
        problems.append(_("Khuôn mặt quay nghiêng; cần ảnh nhìn thẳng."))
    if not problems and face.quality < MIN_QUALITY:
        problems.append(_("Chất lượng ảnh khuôn mặt quá thấp (%(q).2f).") % {"q": face.quality})
    if face.embedding is None:
        problems.append(_("Không tính được đặc trưng khuôn mặt."))
    return EnrolResult(
        ok=not problems,
        embedding=face.embedding if not problems else None,
        quality=face.quality,
        problems=problems,
        face=face,
        image=image,
    )
