"""Citizens' attachments: recognised by their bytes, bounded in size, images re-encoded without metadata.

Nothing the uploader says is trusted: neither the file name nor the declared content type. The first
bytes decide what a file is; images are decoded and written again by Pillow (which drops EXIF, XMP,
comments and anything appended after the image data), so what we store is only pixels. PDFs and
videos are kept byte for byte, never parsed or run: a PDF is checked for its ``%PDF-`` header only; an
MP4/MOV video has the boxes where the phone wrote the filming place blanked in place
(:mod:`thanglong.feedback.videometa`), its position kept only with the citizen's consent, as for photos.

Files are stored under a content-addressed name (``feedback/ab/<sha256>.<ext>``) with an atomic
create-if-absent, so an interrupted write never leaves a half file under a name another report may
point at, and two reports of the same photo share one file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
import tempfile
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

from thanglong.feedback import videometa
from thanglong.feedback.models import Attachment, AttachmentKind, attachment_path

MB = 1024 * 1024
# Decoding is refused above this many pixels, before any pixel is decompressed. Pillow's own
# process-wide guard (Image.MAX_IMAGE_PIXELS, 89 MP) stays as the backstop; ours is tighter because
# no phone photo needs more, and a 40 MP bitmap is already 160 MB of memory once decoded.
MAX_IMAGE_PIXELS = 40_000_000
MAX_DIMENSION = 4096
JPEG_QUALITY = 85
_CHUNK = 256 * 1024
_GPS_IFD = 0x8825

# ISO base media "ftyp" brands: phone videos, and the HEIF family we cannot decode yet.
_MP4_BRANDS = {
    b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"M4V ", b"M4VP",
    b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"dash", b"mmp4", b"MSNV",
}  # fmt: skip
_MOV_BRANDS = {b"qt  "}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


@dataclass(frozen=True)
class Limits:
    max_files: int
    max_file_bytes: int
    max_video_bytes: int
    max_total_bytes: int

    @property
    def max_request_bytes(self) -> int:
        """A request larger than this is refused before it is read (form fields and framing on top)."""
        return self.max_total_bytes + 2 * MB


def limits() -> Limits:
    return Limits(
        max_files=_setting("THANGLONG_FEEDBACK_MAX_FILES", 5),
        max_file_bytes=_setting("THANGLONG_FEEDBACK_MAX_FILE_MB", 10) * MB,
        max_video_bytes=_setting("THANGLONG_FEEDBACK_MAX_VIDEO_MB", 50) * MB,
        max_total_bytes=_setting("THANGLONG_FEEDBACK_MAX_TOTAL_MB", 60) * MB,
    )


class AttachmentError(Exception):
    """A file was refused; the messages name it. ``too_large`` answers 413 instead of 422."""

    field = "files"

    def __init__(self, message_vi: str, message_en: str, *, too_large: bool = False) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en
        self.too_large = too_large


@dataclass(frozen=True)
class Detected:
    kind: str  # AttachmentKind
    content_type: str
    extension: str
    pillow_format: str = ""  # the decoder expected for images


@dataclass
class PreparedFile:
    """A checked file, ready to store: re-encoded bytes (images) or the upload itself (PDF, video)."""

    original_name: str
    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str
    data: bytes | None = None
    source: IO[bytes] | None = None
    width: int | None = None
    height: int | None = None
    gps: tuple[Decimal, Decimal] | None = None
    # Byte ranges of the upload written over as it is stored (a video's location boxes blanked).
    patches: list[videometa.Patch] = field(default_factory=list)

    @property
    def storage_name(self) -> str:
        return attachment_path(Attachment(sha256=self.sha256, extension=self.extension), self.original_name)

    def chunks(self) -> Iterator[bytes]:
        if self.data is not None:
            yield self.data
            return
        assert self.source is not None
        self.source.seek(0)
        position = 0
        while chunk := self.source.read(_CHUNK):
            yield videometa.apply(chunk, position, self.patches) if self.patches else chunk
            position += len(chunk)


def detect(head: bytes) -> Detected | None:
    """What the first bytes of a file say it is; ``None`` for anything we do not accept."""
    if head.startswith(b"\xff\xd8\xff"):
        return Detected(AttachmentKind.IMAGE, "image/jpeg", ".jpg", "JPEG")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected(AttachmentKind.IMAGE, "image/png", ".png", "PNG")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        # Stored as a PNG of its first frame: the re-encoding is what makes it safe to show.
        return Detected(AttachmentKind.IMAGE, "image/png", ".png", "GIF")
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return Detected(AttachmentKind.IMAGE, "image/webp", ".webp", "WEBP")
    if head.startswith(b"%PDF-"):
        return Detected(AttachmentKind.PDF, "application/pdf", ".pdf")
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _MOV_BRANDS:
            return Detected(AttachmentKind.VIDEO, "video/quicktime", ".mov")
        if brand in _MP4_BRANDS:
            return Detected(AttachmentKind.VIDEO, "video/mp4", ".mp4")
        return None
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head[:64]:
        return Detected(AttachmentKind.VIDEO, "video/webm", ".webm")
    return None


def is_heif(head: bytes) -> bool:
    return head[4:8] == b"ftyp" and head[8:12] in _HEIF_BRANDS


def display_name(name: str | None) -> str:
    """The uploader's file name, for messages and the officer's screen only: no path, no control chars."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip()
    return (base or "tệp")[:120]


def _too_large(name: str, limit: int) -> AttachmentError:
    mb = limit // MB
    return AttachmentError(
        f"Tệp «{name}» quá lớn: tối đa {mb} MB.",
        f"File “{name}” is too large: at most {mb} MB.",
        too_large=True,
    )


def _refused_type(name: str) -> AttachmentError:
    return AttachmentError(
        f"Tệp «{name}» không đúng định dạng cho phép (ảnh JPEG, PNG, WEBP, GIF; video MP4, MOV, WEBM; PDF).",
        f"File “{name}” is not an accepted type (JPEG, PNG, WEBP or GIF images; MP4, MOV or WEBM "
        "videos; PDF).",
    )


def prepare_files(files: Sequence[Any], *, keep_location: bool = False) -> list[PreparedFile]:
    """Check and prepare every upload, or raise :class:`AttachmentError` naming the first bad file.

    ``keep_location``: the citizen agreed that the photo's GPS position may be used. It is then
    returned on the prepared file (to be stored on the report); the stored image never carries it.
    """
    bounds = limits()
    files = [upload for upload in files if upload is not None]
    if len(files) > bounds.max_files:
        raise AttachmentError(
            f"Chỉ được gửi tối đa {bounds.max_files} tệp đính kèm (đã chọn {len(files)}).",
            f"At most {bounds.max_files} attachments may be sent ({len(files)} chosen).",
        )
    prepared: list[PreparedFile] = []
    declared_total = 0
    for upload in files:
        name = display_name(getattr(upload, "name", ""))
        declared = getattr(upload, "size", None)
        if declared is not None:
            if declared > bounds.max_video_bytes:
                raise _too_large(name, bounds.max_video_bytes)
            declared_total += declared
            if declared_total > bounds.max_total_bytes:
                total_mb = bounds.max_total_bytes // MB
                raise AttachmentError(
                    f"Tổng dung lượng tệp đính kèm vượt quá {total_mb} MB (tại tệp «{name}»).",
                    f"The attachments together exceed {total_mb} MB (at file “{name}”).",
                    too_large=True,
                )
        prepared.append(_prepare_one(upload, name, bounds, keep_location=keep_location))
    return prepared


def _prepare_one(upload: Any, name: str, bounds: Limits, *, keep_location: bool) -> PreparedFile:
    with contextlib.suppress(AttributeError, OSError):
        upload.seek(0)
    head = upload.read(64)
    if not head:
        raise AttachmentError(f"Tệp «{name}» rỗng (0 byte).", f"File “{name}” is empty (0 bytes).")
    detected = detect(head)
    if detected is None:
        if is_heif(head):
            raise AttachmentError(
                f"Ảnh «{name}» ở định dạng HEIC/HEIF chưa được hỗ trợ: hãy chọn «Tự động» hoặc «Tương thích "
                "nhất» trong cài đặt máy ảnh, hoặc gửi ảnh dạng JPEG.",
                f"Photo “{name}” is HEIC/HEIF, which is not supported yet: choose “Most compatible” in "
                "the camera settings, or send it as a JPEG.",
            )
        raise _refused_type(name)
    limit = bounds.max_video_bytes if detected.kind == AttachmentKind.VIDEO else bounds.max_file_bytes
    if detected.kind == AttachmentKind.IMAGE:
        data = head + _read_at_most(upload, limit + 1 - len(head))
        if len(data) > limit:
            raise _too_large(name, limit)
        return _reencode_image(data, name, detected, keep_location=keep_location)
    # PDF and video: kept as sent (but for a video's location boxes), hashed while counting, never
    # parsed beyond the header (PDF) or the box structure (video).
    digest = hashlib.sha256(head)
    size = len(head)
    while chunk := upload.read(_CHUNK):
        size += len(chunk)
        if size > limit:
            raise _too_large(name, limit)
        digest.update(chunk)
    prepared = PreparedFile(
        original_name=name,
        kind=detected.kind,
        content_type=detected.content_type,
        extension=detected.extension,
        size=size,
        sha256=digest.hexdigest(),
        source=upload,
    )
    if detected.content_type in {"video/mp4", "video/quicktime"}:
        patches, position = videometa.find_location(upload, size)
        if patches:  # the stored bytes differ from the upload's: hash what will be stored
            prepared.patches = patches
            stored = hashlib.sha256()
            for chunk in prepared.chunks():
                stored.update(chunk)
            prepared.sha256 = stored.hexdigest()
        prepared.gps = position if keep_location else None
    return prepared


def _read_at_most(upload: Any, count: int) -> bytes:
    parts: list[bytes] = []
    remaining = count
    while remaining > 0 and (chunk := upload.read(min(_CHUNK, remaining))):
        parts.append(chunk)
        remaining -= len(chunk)
    return b"".join(parts)


def _reencode_image(data: bytes, name: str, detected: Detected, *, keep_location: bool) -> PreparedFile:
    bomb = AttachmentError(
        f"Ảnh «{name}» có kích thước điểm ảnh quá lớn (tối đa {MAX_IMAGE_PIXELS // 1_000_000} megapixel).",
        f"Image “{name}” has too many pixels (at most {MAX_IMAGE_PIXELS // 1_000_000} megapixels).",
    )
    broken = AttachmentError(
        f"Ảnh «{name}» bị hỏng hoặc không đọc được.", f"Image “{name}” is damaged or cannot be read."
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=[detected.pillow_format]) as opened:
                width, height = opened.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise bomb
                gps = _gps_position(opened) if keep_location else None
                if opened.format == "JPEG":
                    # Decode at a reduced scale straight away when the photo is much larger than we keep.
                    opened.draft("RGB", (MAX_DIMENSION, MAX_DIMENSION))
                # The pixels as the camera meant them (first frame of an animation); always a copy.
                image = ImageOps.exif_transpose(opened)
                image.thumbnail((MAX_DIMENSION, MAX_DIMENSION))
                output = io.BytesIO()
                _save_without_metadata(image, output, detected)
    except AttachmentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise bomb from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, IndexError) as error:
        raise broken from error
    encoded = output.getvalue()
    return PreparedFile(
        original_name=name,
        kind=AttachmentKind.IMAGE,
        content_type=detected.content_type,
        extension=detected.extension,
        size=len(encoded),
        sha256=hashlib.sha256(encoded).hexdigest(),
        data=encoded,
        width=image.width,
        height=image.height,
        gps=gps,
    )


def _save_without_metadata(image: Image.Image, output: io.BytesIO, detected: Detected) -> None:
    # No exif=, icc_profile=, pnginfo= or xmp= is passed: Pillow then writes the pixels only.
    if detected.extension == ".jpg":
        if image.mode not in ("RGB", "L"):
            image = image.convert("RGB")
        image.save(output, format="JPEG", quality=JPEG_QUALITY)
    elif detected.extension == ".webp":
        if image.mode not in ("RGB", "RGBA"):
            image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
        image.save(output, format="WEBP", quality=JPEG_QUALITY)
    else:
        if image.mode not in ("1", "L", "LA", "I", "I;16", "P", "RGB", "RGBA"):
            image = image.convert("RGBA")
        image.save(output, format="PNG")


def _gps_position(image: Image.Image) -> tuple[Decimal, Decimal] | None:
    """Latitude and longitude from the photo's EXIF GPS block, or ``None`` when absent or nonsensical."""
    try:
        gps = image.getexif().get_ifd(_GPS_IFD)
        latitude = _degrees(gps.get(2), gps.get(1), "S")
        longitude = _degrees(gps.get(4), gps.get(3), "W")
    except (AttributeError, KeyError, TypeError, ValueError, ZeroDivisionError, InvalidOperation):
        return None
    if latitude is None or longitude is None or abs(latitude) > 90 or abs(longitude) > 180:
        return None
    if latitude == 0 and longitude == 0:  # cameras without a fix often write 0/0
        return None
    return latitude, longitude


def _degrees(value: Any, reference: Any, negative: str) -> Decimal | None:
    if not value or len(value) != 3:
        return None
    parts = [float(part) for part in value]
    if any(part != part or part < 0 for part in parts):  # NaN from a zero denominator, or nonsense
        return None
    degrees = parts[0] + parts[1] / 60 + parts[2] / 3600
    if isinstance(reference, bytes):
        reference = reference.decode("ascii", "ignore")
    if str(reference or "").strip().upper() == negative:
        degrees = -degrees
    return Decimal(f"{degrees:.6f}")


# --- storage ----------------------------------------------------------------------------------


def store(prepared: PreparedFile) -> tuple[str, bool]:
    """Write the file under its content address unless those bytes are already stored.

    Returns the storage name and whether this call created the file (only such files may be removed
    again if the report is not committed). On the local disk the file is synced before it appears
    under its name, so a name that exists always holds complete bytes.
    """
    name = prepared.storage_name
    storage = default_storage
    if isinstance(storage, FileSystemStorage):
        return name, _store_locally(Path(storage.path(name)), prepared)
    if storage.exists(name):
        return name, False
    saved = storage.save(name, ContentFile(b"".join(prepared.chunks())))
    return saved, True


def _store_locally(path: Path, prepared: PreparedFile) -> bool:
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for chunk in prepared.chunks():
                handle.write(chunk)
            handle.flush()
            os.fsync(handle.fileno())
        Path(temporary).chmod(getattr(settings, "FILE_UPLOAD_PERMISSIONS", None) or 0o644)
        try:
            # link() never replaces: of two uploads of the same bytes exactly one creates the name.
            os.link(temporary, path)
            created = True
        except FileExistsError:
            created = False
        _fsync_directory(path.parent)
        return created
    finally:
        with contextlib.suppress(FileNotFoundError):
            Path(temporary).unlink()


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


def remove_unreferenced(names: Sequence[str]) -> None:
    """Delete files this request created but whose report was not committed."""
    for name in names:
        if Attachment.objects.filter(file=name).exists():  # another report stored the same bytes
            continue
        with contextlib.suppress(OSError):
            default_storage.delete(name)
