"""Taking files in: judged by content, bounded in size, duplicates found by checksum, originals kept."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest

from thanglong.documents.models import Document, Status
from thanglong.documents.services import intake
from thanglong.documents.tests.samples import png_bytes

pytestmark = pytest.mark.django_db


def _ingest(data: bytes, name: str, unit: Any) -> Document:
    return intake.ingest(io.BytesIO(data), name, unit=unit, source="upload")


def test_an_empty_file_is_refused_in_both_languages(hanoi_force: dict[str, Any]) -> None:
    with pytest.raises(intake.IntakeError) as caught:
        _ingest(b"", "trang.pdf", hanoi_force["cau_giay"])
    assert caught.value.code == "empty"
    assert "rỗng" in caught.value.message_vi and "empty" in caught.value.message_en
    assert not Document.objects.exists()


def test_a_text_file_named_pdf_is_refused(hanoi_force: dict[str, Any]) -> None:
    with pytest.raises(intake.IntakeError) as caught:
        _ingest(b"Hello, this is not a scan", "quyet-dinh.pdf", hanoi_force["cau_giay"])
    assert caught.value.code == "unsupported_type"


def test_a_png_named_pdf_is_taken_as_a_png(hanoi_force: dict[str, Any]) -> None:
    document = _ingest(png_bytes(), "quyet-dinh.pdf", hanoi_force["cau_giay"])
    assert document.content_type == "image/png"
    assert str(document.original.name).endswith(".png")
    assert document.status == Status.QUEUED


def test_a_file_over_the_limit_is_refused(hanoi_force: dict[str, Any], settings: Any) -> None:
    settings.THANGLONG_DOCUMENTS_MAX_FILE_MB = 1
    with pytest.raises(intake.IntakeError) as caught:
        _ingest(b"%PDF-1.7\n" + b"0" * (1024 * 1024 + 10), "big.pdf", hanoi_force["cau_giay"])
    assert caught.value.code == "too_large"


def test_the_same_bytes_twice_make_a_duplicate_record_and_no_second_job(hanoi_force: dict[str, Any]) -> None:
    from django_tasks_db.models import DBTaskResult

    first = _ingest(png_bytes(), "a.png", hanoi_force["cau_giay"])
    again = _ingest(png_bytes(), "a-copy.png", hanoi_force["hoan_kiem"])
    assert again.status == Status.DUPLICATE
    assert again.duplicate_of_id == first.pk
    assert not again.original
    assert DBTaskResult.objects.filter(args_kwargs__args=[first.pk]).count() == 1
    assert DBTaskResult.objects.filter(args_kwargs__args=[again.pk]).count() == 0


def test_the_original_is_stored_byte_for_byte(hanoi_force: dict[str, Any]) -> None:
    data = png_bytes((64, 64))
    document = _ingest(data, "x.png", hanoi_force["cau_giay"])
    with document.original.open("rb") as stored:
        assert (
            hashlib.sha256(stored.read()).hexdigest() == hashlib.sha256(data).hexdigest() == document.checksum
        )
