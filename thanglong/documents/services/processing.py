"""The OCR job: claim a document, OCR a copy of its original, store pages and fields, index it.

Bad input never escapes as an exception: every failure ends on the record as ``failed`` with a
reason (see :class:`~thanglong.documents.models.Failure`), so the worker carries on with the next
job. A worker that dies mid-document leaves it ``processing``; :func:`requeue_stale` queues it
again, and after three lost attempts marks it failed rather than retrying forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from thanglong.documents import extraction
from thanglong.documents.engines.ocr import OcrError, OcrOptions, OcrResult, get_engine
from thanglong.documents.models import Document, Failure, FieldCorrection, Page, Security, Status

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
CORRECTABLE = (
    "doc_type", "number", "agency", "parent_agency", "place", "issued_on", "summary",
    "signer", "signer_title", "security", "urgency",
)  # fmt: skip


def ocr_options() -> OcrOptions:
    return OcrOptions(
        jobs=int(settings.THANGLONG_DOCUMENTS_OCR_JOBS),
        max_pages=int(settings.THANGLONG_DOCUMENTS_MAX_PAGES),
        max_megapixels=float(settings.THANGLONG_DOCUMENTS_MAX_MEGAPIXELS),
    )


def _claim(document_id: int) -> Document | None:
    with transaction.atomic():
        document = Document.objects.select_for_update().filter(pk=document_id).first()
        if document is None or document.status != Status.QUEUED:
            return None  # gone, finished, or another worker has it: a repeated job is harmless
        document.status = Status.PROCESSING
        document.attempts += 1
        document.processing_started_at = timezone.now()
        document.save(update_fields=["status", "attempts", "processing_started_at", "updated_at"])
        return document


def fail(document: Document, code: str, detail: str = "") -> None:
    Document.objects.filter(pk=document.pk).update(
        status=Status.FAILED,
        failure=code,
        failure_detail=detail[:500],
        processed_at=timezone.now(),
        updated_at=timezone.now(),
    )


def process_document(document_id: int) -> str:
    document = _claim(document_id)
    if document is None:
        return "skipped"
    work = Path(tempfile.mkdtemp(prefix="thanglong-ocr-"))
    try:
        source = work / "original"
        with document.original.open("rb") as stored, source.open("wb") as copy:
            shutil.copyfileobj(stored, copy)
        result = get_engine().process(source, work / "ocr", ocr_options())
        store_result(document, result)
    except OcrError as failure:
        logger.info("document %s not digitised: %s", document_id, failure)
        fail(document, failure.code, failure.detail)
        return failure.code
    except Exception as exc:  # a bug or a tool crash must not take the worker down with it
        logger.exception("document %s: OCR failed", document_id)
        fail(document, Failure.OCR_ERROR, f"{type(exc).__name__}: {exc}")
        return Failure.OCR_ERROR
    finally:
        shutil.rmtree(work, ignore_errors=True)
    from thanglong.documents.services.archive import reindex_document

    try:
        reindex_document(document.pk)
    except Exception:  # the record is digitised; `thanglong documents reindex` catches the index up
        logger.exception("document %s: search index not updated", document_id)
    return "done"


def store_result(document: Document, result: OcrResult) -> None:
    threshold = float(settings.THANGLONG_DOCUMENTS_REVIEW_CONFIDENCE)
    segments = [
        extraction.Segment(line.text, line.x0, line.x1, line.y0, page.number)
        for page in result.pages
        for line in page.lines
    ]
    width = result.pages[0].ocr_width if result.pages else 0
    if not segments:  # born-digital pages: no OCR boxes, read the text layer in line order
        segments = extraction.segments_from_text(result.text)
        width = 0
    fields = extraction.extract(segments, width)
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        # A re-run writes new files beside the old ones (storage never overwrites): the previous run's
        # page images and archive copy go once the new rows are committed, never before.
        replaced = [name for name in document.pages.values_list("image", flat=True) if name]
        if document.archive:
            replaced.append(document.archive.name)
        transaction.on_commit(lambda: _remove_files(replaced))
        document.pages.all().delete()
        for page in result.pages:
            row = Page(
                document=document,
                number=page.number,
                text=page.text,
                confidence=page.confidence,
                needs_review=page.confidence is not None and page.confidence < threshold,
                words=page.words,
                width=page.width,
                height=page.height,
            )
            row.image.save(f"{document.pk}/{page.number:05d}.png", ContentFile(page.preview_png), save=False)
            row.save()
        with result.archive_pdf.open("rb") as archive:
            document.archive.save(f"{document.pk}.pdf", ContentFile(archive.read()), save=False)
        apply_fields(document, fields.as_dict())
        confidences = [p.confidence for p in result.pages if p.confidence is not None]
        document.mean_confidence = round(sum(confidences) / len(confidences), 1) if confidences else None
        document.needs_review = any(
            p.confidence is not None and p.confidence < threshold for p in result.pages
        )
        document.page_count = len(result.pages)
        document.content_type = result.content_type
        document.status = Status.DONE
        document.failure = ""
        document.failure_detail = ""
        document.processed_at = timezone.now()
        document.save()


def _remove_files(names: list[str]) -> None:
    for name in names:
        try:
            default_storage.delete(name)
        except OSError:  # already gone, or a read-only volume: an orphan is harmless
            logger.warning("could not remove replaced file %s", name)


def apply_fields(document: Document, extracted: dict[str, object]) -> None:
    """Extracted values, then every officer correction on top: a re-run never undoes a correction."""
    document.extracted = extracted
    values = dict(extracted)
    for correction in FieldCorrection.objects.filter(document=document).order_by("corrected_at", "id"):
        values[correction.field] = correction.new_value
    for name in CORRECTABLE:
        value = values.get(name, "")
        if name == "issued_on":
            document.issued_on = extraction.parse_date(str(value or ""))
        else:
            setattr(
                document,
                name,
                str(value or "")[: getattr(Document._meta.get_field(name), "max_length", 500) or 500],
            )
    if document.security not in Security.values:
        document.security = ""
    document.recipients = list(values.get("recipients") or [])  # type: ignore[call-overload]


def requeue_stale(now: dt.datetime | None = None) -> dict[str, int]:
    """Documents whose worker vanished: queue them again, or fail them after three attempts."""
    from thanglong.core.jobs import enqueue_on_commit
    from thanglong.documents.tasks import process_document_task

    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=int(settings.THANGLONG_DOCUMENTS_STALE_MINUTES))
    counts = {"requeued": 0, "failed": 0}
    with transaction.atomic():
        stale = Document.objects.select_for_update().filter(
            status=Status.PROCESSING, processing_started_at__lt=cutoff
        )
        for document in stale:
            if document.attempts >= MAX_ATTEMPTS:
                fail(document, Failure.WORKER_LOST, f"{document.attempts} attempts")
                counts["failed"] += 1
            else:
                Document.objects.filter(pk=document.pk).update(status=Status.QUEUED)
                enqueue_on_commit(process_document_task, document.pk)
                counts["requeued"] += 1
    return counts
