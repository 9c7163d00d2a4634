"""The OCR job on real Tesseract: a scanned decision end to end, and every bad input ends on the record."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import shutil
from typing import Any

import pytest
from django.utils import timezone

from thanglong.documents.models import Document, Failure, FieldCorrection, Status
from thanglong.documents.services import archive, intake, processing
from thanglong.documents.tests import samples

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"),
]


def _process(data: bytes, name: str, unit: Any) -> Document:
    document = intake.ingest(io.BytesIO(data), name, unit=unit)
    processing.process_document(document.pk)
    document.refresh_from_db()
    return document


def test_a_scanned_decision_is_read_archived_and_searchable(hanoi_force: dict[str, Any]) -> None:
    data = samples.scanned_decision_pdf()
    document = _process(data, "qd-123.pdf", hanoi_force["cau_giay"])

    assert document.status == Status.DONE, document.failure_detail
    assert (document.number, document.doc_type) == ("123/QĐ-CAP", "Quyết định")
    assert document.issued_on == dt.date(2024, 5, 15)
    assert document.agency == "CÔNG AN PHƯỜNG CẦU GIẤY"
    assert document.signer == "Nguyễn Văn Hùng"
    page = document.pages.get()
    assert "Tổ công tác bảo đảm trật tự đô thị" in page.text
    assert page.confidence is not None and page.confidence > 80 and not page.needs_review
    assert page.words and page.image
    with document.archive.open("rb") as archived:
        head = archived.read()
    assert head.startswith(b"%PDF") and b"pdfaid" in head  # PDF/A metadata
    with document.original.open("rb") as original:
        assert original.read() == data  # the original is never modified

    officer = hanoi_force["canbo.caugiay"]
    results = archive.search_documents(officer, archive.SearchRequest(query="to cong tac bao dam trat tu"))
    assert [r.document.pk for r in results] == [document.pk]
    assert results[0].snippet[1].lower() == "tổ công tác bảo đảm trật tự"
    assert processing.process_document(document.pk) == "skipped"  # a repeated job changes nothing


def test_a_phone_photo_is_flattened_before_ocr(hanoi_force: dict[str, Any]) -> None:
    document = _process(samples.photographed_decision_jpeg(), "anh-chup.jpg", hanoi_force["cau_giay"])
    assert document.status == Status.DONE, document.failure_detail
    assert document.content_type == "image/jpeg"
    assert document.number == "123/QĐ-CAP"
    assert document.issued_on == dt.date(2024, 5, 15)


def test_an_upside_down_scan_is_turned_before_reading(hanoi_force: dict[str, Any]) -> None:
    document = _process(samples.upside_down_decision_pdf(), "nguoc.pdf", hanoi_force["cau_giay"])
    assert document.status == Status.DONE, document.failure_detail
    assert document.number == "123/QĐ-CAP"
    assert not document.needs_review


def test_an_illegible_page_is_flagged_for_review(hanoi_force: dict[str, Any]) -> None:
    document = _process(samples.illegible_decision_pdf(), "mo.pdf", hanoi_force["cau_giay"])
    assert document.status == Status.DONE
    page = document.pages.get()
    assert page.confidence is not None and page.confidence < 75
    assert page.needs_review and document.needs_review


def test_corrections_survive_a_new_ocr_result(hanoi_force: dict[str, Any]) -> None:
    from thanglong.documents.tests.factories import make_document

    document = make_document(
        hanoi_force["cau_giay"], "Số: 12/QĐ-CAP", number="12/QĐ-CAP", doc_type="Quyết định"
    )
    leader = hanoi_force["lanhdao.caugiay"]
    archive.correct_field(leader, document, "number", "112/QĐ-CAP")
    document.refresh_from_db()
    assert document.number == "112/QĐ-CAP"
    correction = FieldCorrection.objects.get(document=document)
    assert (correction.old_value, correction.new_value, correction.corrected_by) == (
        "12/QĐ-CAP",
        "112/QĐ-CAP",
        leader,
    )

    processing.apply_fields(document, {"number": "12/QĐ-CAP", "doc_type": "Quyết định"})  # what a re-run does
    assert document.number == "112/QĐ-CAP"


@pytest.mark.parametrize(
    ("make", "name", "failure"),
    [
        (lambda: samples.CORRUPT_PDF, "hong.pdf", Failure.CORRUPT),
        (samples.encrypted_pdf, "mat-khau.pdf", Failure.ENCRYPTED),
        (samples.decompression_bomb_png, "bom.png", Failure.TOO_LARGE_IMAGE),
        (samples.many_pages_pdf, "2000-trang.pdf", Failure.TOO_MANY_PAGES),
        (lambda: b"II*\x00" + b"\x00" * 200, "hong.tif", Failure.CORRUPT),
    ],
)
def test_bad_files_end_failed_with_a_reason(
    hanoi_force: dict[str, Any], make: Any, name: str, failure: str
) -> None:
    data = make()
    document = _process(data, name, hanoi_force["cau_giay"])
    assert (document.status, document.failure) == (Status.FAILED, failure)
    assert document.processed_at is not None
    with document.original.open("rb") as original:
        assert hashlib.sha256(original.read()).hexdigest() == document.checksum


def test_an_engine_crash_fails_the_document_not_the_worker(
    hanoi_force: dict[str, Any], monkeypatch: Any
) -> None:
    class Exploding:
        def process(self, *args: Any) -> Any:
            raise RuntimeError("tesseract died")

    monkeypatch.setattr(processing, "get_engine", lambda: Exploding())
    document = _process(samples.png_bytes(), "a.png", hanoi_force["cau_giay"])
    assert (document.status, document.failure) == (Status.FAILED, Failure.OCR_ERROR)
    assert "tesseract died" in document.failure_detail


def test_documents_left_processing_are_requeued_then_failed(hanoi_force: dict[str, Any]) -> None:
    document = intake.ingest(io.BytesIO(samples.png_bytes()), "a.png", unit=hanoi_force["cau_giay"])
    long_ago = timezone.now() - dt.timedelta(hours=2)
    Document.objects.filter(pk=document.pk).update(
        status=Status.PROCESSING, processing_started_at=long_ago, attempts=1
    )
    assert processing.requeue_stale() == {"requeued": 1, "failed": 0}
    assert Document.objects.get(pk=document.pk).status == Status.QUEUED

    Document.objects.filter(pk=document.pk).update(
        status=Status.PROCESSING, processing_started_at=long_ago, attempts=3
    )
    assert processing.requeue_stale() == {"requeued": 0, "failed": 1}
    assert Document.objects.get(pk=document.pk).failure == Failure.WORKER_LOST


def test_a_re_run_removes_the_previous_runs_page_images_and_archive_copy(
    hanoi_force: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.storage import default_storage

    data = samples.scanned_decision_pdf()
    with django_capture_on_commit_callbacks(execute=True):
        document = _process(data, "qd-123.pdf", hanoi_force["cau_giay"])
    first_images = [str(page.image.name) for page in document.pages.all()]
    first_archive = str(document.archive.name)
    assert first_images and all(default_storage.exists(name) for name in [*first_images, first_archive])

    Document.objects.filter(pk=document.pk).update(status=Status.QUEUED)  # what "Nhận dạng lại" does
    with django_capture_on_commit_callbacks(execute=True):
        assert processing.process_document(document.pk) == "done"
    document.refresh_from_db()
    second_images = [str(page.image.name) for page in document.pages.all()]
    assert second_images and set(second_images).isdisjoint(first_images)
    assert all(default_storage.exists(name) for name in [*second_images, str(document.archive.name)])
    assert not any(default_storage.exists(name) for name in [*first_images, first_archive])
    with document.original.open("rb") as original:
        assert original.read() == data  # the original stays as it came
