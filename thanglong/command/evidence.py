"""Evidence files of target progress reports: recognised by their bytes, bounded in size, stored under
their hash. Office documents are accepted as what units actually send (PDF scans, photos, Word/Excel)."""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.files.base import File
from django.utils.translation import gettext as _

MB = 1024 * 1024
_HEAD = 8192


class EvidenceError(ValueError):
    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_vi)
        self.message_vi = message_vi
        self.message_en = message_en


@dataclass(frozen=True)
class Detected:
    content_type: str
    extension: str


def max_bytes() -> int:
    return int(getattr(settings, "THANGLONG_COMMAND_EVIDENCE_MAX_MB", 10)) * MB


def max_files() -> int:
    return int(getattr(settings, "THANGLONG_COMMAND_EVIDENCE_MAX_FILES", 5))


def detect(handle: IO[bytes]) -> Detected | None:
    """What the bytes are (never the name or the declared type); None for anything else."""
    handle.seek(0)
    head = handle.read(_HEAD)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return Detected("application/pdf", ".pdf")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return Detected("image/png", ".png")
    if head.startswith(b"\xff\xd8\xff"):
        return Detected("image/jpeg", ".jpg")
    if head.startswith(b"PK\x03\x04"):
        return _office(handle)
    return None


def _office(handle: IO[bytes]) -> Detected | None:
    """A zip is only accepted when it is an OOXML document (Word or Excel) without macros."""
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError):
        return None
    finally:
        handle.seek(0)
    if "[Content_Types].xml" not in names or any(name.endswith("vbaProject.bin") for name in names):
        return None
    if "word/document.xml" in names:
        return Detected("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx")
    if "xl/workbook.xml" in names:
        return Detected("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx")
    return None


def check(upload: File) -> tuple[Detected, str]:
    """Validate one upload; returns what it is and its SHA-256. Raises :class:`EvidenceError`."""
    name = (upload.name or "file")[:120]
    size = upload.size or 0
    if size > max_bytes():
        raise EvidenceError(
            _("Tệp %(name)s vượt quá %(mb)d MB.") % {"name": name, "mb": max_bytes() // MB},
            f"File {name} is larger than {max_bytes() // MB} MB.",
        )
    if size == 0:
        raise EvidenceError(_("Tệp %(name)s rỗng.") % {"name": name}, f"File {name} is empty.")
    detected = detect(upload.file)  # type: ignore[arg-type]
    if detected is None:
        raise EvidenceError(
            _("Tệp %(name)s không phải PDF, ảnh JPEG/PNG, Word hoặc Excel.") % {"name": name},
            f"File {name} is not a PDF, JPEG/PNG image, Word or Excel document.",
        )
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return detected, digest.hexdigest()
