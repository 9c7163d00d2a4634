"""Taking documents in: from the console, the API, the consume folder and bulk import alike.

What a file is comes from its first bytes, not its name. The original is written once under a
content-addressed name and never modified; a second upload of the same bytes (same SHA-256) is
recorded as a duplicate of the first and not OCR'd again. The record and its job commit together.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.files import File
from django.db import transaction

from thanglong.core.jobs import enqueue_atomically
from thanglong.core.models import AuditAction, OrganisationUnit
from thanglong.core.services import RequestContext, record_audit
from thanglong.documents.engines.ocr import sniff
from thanglong.documents.models import Document, Status

MB = 1024 * 1024
_CHUNK = 1024 * 1024
EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png", "image/tiff": "tif"}


@dataclass
class IntakeError(Exception):
    code: str
    message_vi: str
    message_en: str
    field: str = "file"

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": self.code,
            "message_vi": self.message_vi,
            "message_en": self.message_en,
            "fields": [{"field": self.field, "message_vi": self.message_vi, "message_en": self.message_en}],
        }


def max_bytes() -> int:
    return int(settings.THANGLONG_DOCUMENTS_MAX_FILE_MB) * MB


def _spool(stream: IO[bytes], filename: str) -> tuple[Path, str, int, bytes]:
    """Copy to a temporary file while hashing, refusing early once the size limit is passed."""
    limit = max_bytes()
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle = tempfile.NamedTemporaryFile(prefix="thanglong-doc-", delete=False)  # noqa: SIM115
    try:
        with handle:
            while chunk := stream.read(_CHUNK):
                if not head:
                    head = chunk[:2048]
                size += len(chunk)
                if size > limit:
                    raise IntakeError(
                        "too_large",
                        f"Tệp {filename} lớn hơn {limit // MB} MB.",
                        f"The file {filename} is larger than {limit // MB} MB.",
                    )
                digest.update(chunk)
                handle.write(chunk)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
    return Path(handle.name), digest.hexdigest(), size, head


def ingest(
    stream: IO[bytes],
    filename: str,
    *,
    unit: OrganisationUnit,
    user: User | AnonymousUser | None = None,
    source: str = "upload",
    context: RequestContext | None = None,
) -> Document:
    """Store one file and queue its OCR; raises :class:`IntakeError` for what is never worth a record."""
    filename = Path(filename or "tai-lieu").name[:255]
    path, checksum, size, head = _spool(stream, filename)
    try:
        if size == 0:
            raise IntakeError(
                "empty", f"Tệp {filename} rỗng (0 byte).", f"The file {filename} is empty (0 bytes)."
            )
        content_type = sniff(head)
        if not content_type:
            raise IntakeError(
                "unsupported_type",
                f"Tệp {filename} không phải PDF, TIFF, JPEG hoặc PNG "
                "(kiểm tra theo nội dung, không theo đuôi tệp).",
                f"The file {filename} is not a PDF, TIFF, JPEG or PNG (judged by its content, not its name).",
            )
        uploader = user if isinstance(user, User) else None
        with transaction.atomic():
            original = Document.objects.filter(checksum=checksum).exclude(status=Status.DUPLICATE).first()
            document = Document(
                unit=unit,
                uploaded_by=uploader,
                source=source,
                filename=filename,
                content_type=content_type,
                size=size,
                checksum=checksum,
            )
            if original is not None:
                document.status = Status.DUPLICATE
                document.duplicate_of = original
                document.save()
            else:
                with path.open("rb") as handle:
                    name = f"{checksum[:2]}/{checksum}.{EXTENSIONS[content_type]}"
                    document.original.save(name, File(handle), save=False)
                document.save()
                from thanglong.documents.tasks import process_document_task

                enqueue_atomically(process_document_task, document.pk)
            record_audit(
                actor=user,
                action=AuditAction.CREATE,
                object_type="documents.document",
                object_id=document.pk,
                object_repr=filename,
                reason=source,
                context=context,
            )
        return document
    finally:
        path.unlink(missing_ok=True)
