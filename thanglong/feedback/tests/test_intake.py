"""Intake: validation, durable storage with the first timeline event, tracking codes, idempotency."""

from __future__ import annotations

import io
import struct
import threading
import zlib
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from PIL import Image

from thanglong.feedback.choices import Category, Channel, EventKind, Status
from thanglong.feedback.models import Attachment, Report, ReportEvent, TrackingSequence
from thanglong.feedback.services import intake
from thanglong.feedback.services.intake import IntakeError, mask_personal_data, normalise_phone, submit_report
from thanglong.feedback.services.sla import due_at_for
from thanglong.feedback.services.tracking import next_tracking_code

pytestmark = pytest.mark.usefixtures("media_root")


# --- test data shared by the feedback intake tests ----------------------------------------------
def report_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "text": "Quán karaoke ở ngõ 12 Trần Thái Tông hát to quá 23 giờ đêm, ảnh hưởng cả khu dân cư.",
        "category_hint": "",
        "name": "Nguyễn Thị Lan",
        "phone": "0912 345 678",
        "email": "",
        "anonymous": False,
        "consent": True,
    }
    data.update(changes)
    return data


def jpeg_bytes(
    size: tuple[int, int] = (64, 48),
    *,
    gps: tuple[float, float] | None = None,
    color: tuple[int, int, int] = (200, 30, 30),
) -> bytes:
    image = Image.new("RGB", size, color)
    exif = Image.Exif()
    exif[0x010F] = "Camera maker"  # Make
    exif[0x0131] = "Phone software 1.0"  # Software
    if gps is not None:
        latitude, longitude = gps
        exif[0x8825] = {
            1: "N" if latitude >= 0 else "S",
            2: _dms(abs(latitude)),
            3: "E" if longitude >= 0 else "W",
            4: _dms(abs(longitude)),
        }
    output = io.BytesIO()
    image.save(output, format="JPEG", exif=exif.tobytes())
    return output.getvalue()


def _dms(value: float) -> tuple[float, float, float]:
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = round(((value - degrees) * 60 - minutes) * 60, 4)
    return float(degrees), float(minutes), seconds


def png_bytes(size: tuple[int, int] = (32, 32)) -> bytes:
    output = io.BytesIO()
    Image.new("RGBA", size, (10, 120, 40, 255)).save(output, format="PNG")
    return output.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge size in its header with almost no data: a decompression bomb's shape."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def mp4_bytes(size: int = 4096) -> bytes:
    head = struct.pack(">I", 24) + b"ftypisom" + b"\0\0\x02\0" + b"isomiso2"
    return head + b"\0" * (size - len(head))


@pytest.fixture
def media_root(settings: Any, tmp_path: Any) -> Any:
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


# --- tests ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_report_is_stored_with_its_code_first_event_and_due_date() -> None:
    report, created = submit_report(report_data(category_hint=Category.TRAFFIC), channel=Channel.WEB)

    assert created is True
    report.refresh_from_db()
    year = report.received_at.astimezone().year
    assert report.tracking_code.startswith("PA-") and report.tracking_code.endswith("-000001")
    assert str(year - 1) in report.tracking_code or str(year) in report.tracking_code
    assert report.status == Status.RECEIVED
    assert report.due_at == due_at_for(report.received_at, Category.TRAFFIC)
    event = ReportEvent.objects.get(report=report)
    assert (event.kind, event.public, event.to_status) == (EventKind.RECEIVED, True, Status.RECEIVED)
    assert report.contact_phone == "0912345678"
    assert report.consent is True


@pytest.mark.django_db
def test_the_address_is_normalised_to_the_2025_ward_keeping_what_was_written() -> None:
    report, _ = submit_report(
        report_data(address="12 Trần Thái Tông, Dịch Vọng, Cầu Giấy"), channel=Channel.WEB
    )
    assert report.ward_id == "00166"
    assert report.province_id == "01"
    assert report.street == "12 Trần Thái Tông"
    assert report.address_text == "12 Trần Thái Tông, Dịch Vọng, Cầu Giấy"


@pytest.mark.django_db
def test_a_chosen_ward_is_kept_and_an_unknown_one_refused() -> None:
    report, _ = submit_report(report_data(ward_code="00070"), channel=Channel.WEB)
    assert (report.ward_id, report.province_id) == ("00070", "01")
    with pytest.raises(IntakeError) as refused:
        submit_report(report_data(ward_code="99999"), channel=Channel.WEB)
    assert [error.field for error in refused.value.errors] == ["ward_code"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"text": "ngắn quá"}, "text"),
        ({"text": "x" * 5001}, "text"),
        ({"text": "   "}, "text"),
        ({"phone": "", "email": ""}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"email": "không phải thư"}, "email"),
        ({"consent": False}, "consent"),
        ({"category_hint": "weather"}, "category_hint"),
        ({"latitude": "91", "longitude": "105"}, "latitude"),
        ({"latitude": "21.03"}, "latitude"),
    ],
)
def test_bad_input_is_refused_naming_the_field_in_both_languages(changes: dict[str, Any], field: str) -> None:
    with pytest.raises(IntakeError) as refused:
        submit_report(report_data(**changes), channel=Channel.API)
    error = next(error for error in refused.value.errors if error.field == field)
    assert error.message_vi and error.message_en and error.message_vi != error.message_en
    assert Report.objects.count() == 0


@pytest.mark.django_db
def test_an_anonymous_report_needs_no_contact_and_keeps_none() -> None:
    report, _ = submit_report(
        report_data(anonymous=True, consent=False, phone="0987654321", name="Nguyễn Văn A"),
        channel=Channel.WEB,
    )
    assert report.anonymous is True
    assert (report.contact_phone, report.contact_name, report.contact_email) == ("", "", "")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "0912345678"),
        ("+84 912-345-678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0084912345678", "0912345678"),
        ("(024) 3825 1234", "02438251234"),
        ("+33 6 12 34 56 78", "+33612345678"),
        ("0123", None),
        ("0112345678", None),
        ("abc", None),
    ],
)
def test_phone_numbers_are_normalised_to_the_national_form(raw: str, expected: str | None) -> None:
    assert normalise_phone(raw) == expected


def test_personal_data_in_the_text_is_masked() -> None:
    masked = mask_personal_data("Gọi tôi 0912345678, CCCD 001203004567, thư an.nguyen@gmail.com")
    assert "0912345678" not in masked and "001203004567" not in masked and "an.nguyen@" not in masked
    assert "091****678" in masked and "001*******67" in masked and "a***@gmail.com" in masked


@pytest.mark.django_db
def test_tracking_codes_count_per_year_in_vietnam_time() -> None:
    # 17:30 UTC on 31 December is 00:30 on 1 January in Hà Nội.
    new_year = datetime(2025, 12, 31, 17, 30, tzinfo=UTC)
    assert next_tracking_code(new_year) == "PA-2026-000001"
    assert next_tracking_code(new_year) == "PA-2026-000002"
    assert next_tracking_code(datetime(2025, 6, 1, tzinfo=UTC)) == "PA-2025-000001"
    assert TrackingSequence.objects.get(year=2026).last_number == 2


@pytest.mark.django_db
def test_a_retry_with_the_same_key_returns_the_first_report() -> None:
    first, created = submit_report(report_data(), channel=Channel.API, idempotency_key="retry-key-0001")
    again, created_again = submit_report(report_data(), channel=Channel.API, idempotency_key="retry-key-0001")
    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_a_used_key_with_a_different_report_is_refused() -> None:
    submit_report(report_data(), channel=Channel.API, idempotency_key="retry-key-0002")
    with pytest.raises(IntakeError) as refused:
        submit_report(
            report_data(text="Một sự việc hoàn toàn khác ở phố Huế"),
            channel=Channel.API,
            idempotency_key="retry-key-0002",
        )
    assert refused.value.status == 409


@pytest.mark.django_db
def test_a_malformed_key_is_refused() -> None:
    with pytest.raises(IntakeError) as refused:
        submit_report(report_data(), channel=Channel.API, idempotency_key="a b")
    assert refused.value.errors[0].field == "Idempotency-Key"


@pytest.mark.django_db
def test_files_written_for_a_report_that_is_not_committed_are_removed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """GIVEN a photo written to storage WHEN the database insert then fails
    THEN no report exists and the file is gone again."""

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("database went away")

    # The first timeline event is built inside the report's transaction on every database.
    monkeypatch.setattr(intake, "_received_event", broken)
    written: list[str] = []
    original_store = intake.attachments.store

    def spying_store(prepared: Any) -> tuple[str, bool]:
        name, created = original_store(prepared)
        written.append(name)
        return name, created

    monkeypatch.setattr(intake.attachments, "store", spying_store)
    with pytest.raises(RuntimeError):
        submit_report(report_data(), [SimpleUploadedFile("a.jpg", jpeg_bytes())], channel=Channel.WEB)
    assert written and not default_storage.exists(written[0])
    assert Report.objects.count() == 0 and Attachment.objects.count() == 0


@pytest.mark.django_db
def test_triage_is_queued_after_the_commit(
    monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks: Any
) -> None:
    queued: list[int] = []

    class FakeTask:
        def enqueue(self, report_id: int) -> None:
            queued.append(report_id)

    monkeypatch.setattr(intake, "_triage_task", FakeTask)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report, _ = submit_report(report_data(), channel=Channel.WEB)
    assert queued == []
    for callback in callbacks:
        callback()
    assert queued == [report.pk]


@pytest.mark.django_db
def test_calling_it_inside_another_transaction_is_refused() -> None:
    """An acknowledgement must mean "committed": an outer transaction could still roll it back."""
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        submit_report(report_data(), channel=Channel.WEB)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data", "reference_data")
def test_concurrent_retries_with_one_key_create_one_report() -> None:
    """GIVEN eight clients retrying the same submission at the same moment
    THEN exactly one report is created and every client gets its tracking code."""
    if connection.vendor == "sqlite" and "memory" in str(connection.settings_dict["NAME"]):
        pytest.skip("threads need a file database")
    barrier = threading.Barrier(8)
    results: list[tuple[str, bool]] = []
    failures: list[BaseException] = []

    def client() -> None:
        try:
            barrier.wait()
            report, created = submit_report(report_data(), channel=Channel.API, idempotency_key="same-key-42")
            results.append((report.tracking_code, created))
        except BaseException as error:  # reported below
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert len(results) == 8
    assert len({code for code, _ in results}) == 1
    assert sum(created for _, created in results) == 1
    assert Report.objects.count() == 1
