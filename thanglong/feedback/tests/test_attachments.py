"""Attachments: recognised by content, bounded, images re-encoded without metadata, stored by hash."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from thanglong.feedback import attachments
from thanglong.feedback.attachments import AttachmentError, prepare_files, store
from thanglong.feedback.choices import Channel
from thanglong.feedback.models import Attachment, AttachmentKind
from thanglong.feedback.services.intake import IntakeError, submit_report
from thanglong.feedback.tests.test_intake import (
    jpeg_bytes,
    mp4_bytes,
    png_bytes,
    png_header_only,
    report_data,
)

HANOI_OPERA_HOUSE = (21.024298, 105.857529)


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def stored_image(attachment: Attachment) -> Image.Image:
    with default_storage.open(str(attachment.file.name), "rb") as handle:
        image = Image.open(io.BytesIO(handle.read()))
        image.load()
        return image


@pytest.mark.django_db
def test_a_photo_is_re_encoded_without_metadata_and_its_position_used_only_with_consent() -> None:
    """GIVEN a JPEG carrying the camera make and a GPS position
    WHEN it is sent with location consent THEN the report gets the position and the stored file none
    WHEN it is sent without THEN neither has it."""
    photo = jpeg_bytes(gps=HANOI_OPERA_HOUSE)
    with_consent, _ = submit_report(
        report_data(consent_location=True), [upload("IMG_0001.JPG", photo)], channel=Channel.WEB
    )
    without, _ = submit_report(report_data(), [upload("IMG_0001.JPG", photo)], channel=Channel.WEB)

    assert with_consent.latitude == pytest.approx(Decimal("21.024298"), abs=Decimal("0.00001"))
    assert with_consent.longitude == pytest.approx(Decimal("105.857529"), abs=Decimal("0.00001"))
    assert (without.latitude, without.longitude) == (None, None)
    for report in (with_consent, without):
        attachment = report.attachments.get()
        assert attachment.content_type == "image/jpeg"
        assert attachment.original_name == "IMG_0001.JPG"
        image = stored_image(attachment)
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info and "icc_profile" not in image.info
        assert (attachment.width, attachment.height) == (64, 48)


@pytest.mark.django_db
def test_a_position_typed_by_the_citizen_wins_over_the_photo() -> None:
    report, _ = submit_report(
        report_data(consent_location=True, latitude="21.0285", longitude="105.8542"),
        [upload("a.jpg", jpeg_bytes(gps=HANOI_OPERA_HOUSE))],
        channel=Channel.API,
    )
    assert (report.latitude, report.longitude) == (Decimal("21.028500"), Decimal("105.854200"))


@pytest.mark.django_db
def test_a_png_named_pdf_is_stored_as_an_image() -> None:
    report, _ = submit_report(report_data(), [upload("bien-ban.pdf", png_bytes())], channel=Channel.WEB)
    attachment = report.attachments.get()
    assert (attachment.kind, attachment.content_type, attachment.extension) == ("image", "image/png", ".png")
    assert str(attachment.file.name).endswith(".png")
    assert attachment.sha256 in str(attachment.file.name)


def test_a_program_named_jpg_is_refused_naming_the_file() -> None:
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\0" * 200
    with pytest.raises(AttachmentError) as refused:
        prepare_files([upload("anh-hien-truong.jpg", program)])
    assert "anh-hien-truong.jpg" in refused.value.message_vi
    assert "anh-hien-truong.jpg" in refused.value.message_en
    assert not refused.value.too_large


def test_an_empty_file_is_refused() -> None:
    with pytest.raises(AttachmentError) as refused:
        prepare_files([upload("trong.jpg", b"")])
    assert "0 byte" in refused.value.message_vi and "empty" in refused.value.message_en


def test_a_decompression_bomb_is_refused_before_it_is_decoded() -> None:
    with pytest.raises(AttachmentError) as refused:
        prepare_files([upload("bomb.png", png_header_only(20_000, 20_000))])
    assert "megapixel" in refused.value.message_en


def test_pillows_own_bomb_guard_is_caught_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 1000)  # 64 × 48 = 3072 pixels: over twice that
    with pytest.raises(AttachmentError) as refused:
        prepare_files([upload("a.jpg", jpeg_bytes())])
    assert "megapixel" in refused.value.message_en


def test_a_truncated_image_is_refused() -> None:
    with pytest.raises(AttachmentError) as refused:
        prepare_files([upload("cut.jpg", jpeg_bytes()[:120])])
    assert "cut.jpg" in refused.value.message_en


def test_heic_photos_are_refused_with_advice() -> None:
    heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic" + b"\0" * 100
    with pytest.raises(AttachmentError) as refused:
        prepare_files([upload("IMG_0002.HEIC", heic)])
    assert "HEIC" in refused.value.message_vi and "JPEG" in refused.value.message_en


def test_large_images_are_scaled_down_to_4096_pixels() -> None:
    output = io.BytesIO()
    Image.new("RGB", (5000, 1000), (1, 2, 3)).save(output, format="PNG")
    (prepared,) = prepare_files([upload("wide.png", output.getvalue())])
    assert (prepared.width, prepared.height) == (4096, 819)


def test_videos_and_pdfs_are_kept_byte_for_byte() -> None:
    video, pdf = mp4_bytes(), b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    webm = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm" + b"\0" * 64
    prepared = prepare_files([upload("clip.bin", video), upload("don.pdf", pdf), upload("v.webm", webm)])
    assert [(p.kind, p.content_type, p.extension) for p in prepared] == [
        (AttachmentKind.VIDEO, "video/mp4", ".mp4"),
        (AttachmentKind.PDF, "application/pdf", ".pdf"),
        (AttachmentKind.VIDEO, "video/webm", ".webm"),
    ]
    assert b"".join(prepared[1].chunks()) == pdf


def test_too_many_files_are_refused(settings: Any) -> None:
    settings.THANGLONG_FEEDBACK_MAX_FILES = 2
    with pytest.raises(AttachmentError) as refused:
        prepare_files([upload(f"{n}.png", png_bytes()) for n in range(3)])
    assert "2" in refused.value.message_vi


def test_an_oversized_file_is_refused_as_too_large(settings: Any) -> None:
    settings.THANGLONG_FEEDBACK_MAX_FILE_MB = 1
    big_pdf = b"%PDF-1.4\n" + b"0" * (1024 * 1024 + 10)
    with pytest.raises(AttachmentError) as refused:
        prepare_files([upload("ho-so.pdf", big_pdf)])
    assert refused.value.too_large
    assert "ho-so.pdf" in refused.value.message_vi and "1 MB" in refused.value.message_en


@pytest.mark.django_db
def test_a_refused_file_refuses_the_whole_report_with_413_or_422(settings: Any) -> None:
    settings.THANGLONG_FEEDBACK_MAX_FILE_MB = 1
    with pytest.raises(IntakeError) as too_large:
        submit_report(
            report_data(), [upload("a.pdf", b"%PDF-" + b"0" * 2 * 1024 * 1024)], channel=Channel.API
        )
    with pytest.raises(IntakeError) as wrong_type:
        submit_report(report_data(), [upload("a.exe", b"MZ" + b"\0" * 100)], channel=Channel.API)
    assert (too_large.value.status, wrong_type.value.status) == (413, 422)
    assert too_large.value.errors[0].field == "files"
    assert Attachment.objects.count() == 0


@pytest.mark.django_db
def test_the_same_bytes_are_stored_once() -> None:
    photo = upload("a.jpg", jpeg_bytes())
    (first,) = prepare_files([photo])
    name, created = store(first)
    again, created_again = store(first)
    assert (name, created, created_again) == (again, True, False)
    assert default_storage.exists(name)
    assert not [
        p for p in (attachments.Path(default_storage.path(name)).parent).iterdir() if p.name.startswith(".")
    ]
