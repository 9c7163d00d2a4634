"""The report's one-statement insert (PostgreSQL) writes exactly what the ORM path writes."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from thanglong.feedback.choices import Channel, EventKind, Status
from thanglong.feedback.models import Attachment, Report, ReportEvent, TrackingSequence
from thanglong.feedback.services import intake
from thanglong.feedback.services.intake import submit_report
from thanglong.feedback.services.tracking import reserve_tracking_code, tracking_year
from thanglong.feedback.tests.test_intake import jpeg_bytes, media_root, report_data  # noqa: F401

pytestmark = [
    pytest.mark.usefixtures("media_root"),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the one-statement insert is PostgreSQL's"),
]


def _fields(report: Report) -> dict[str, Any]:
    return {field.attname: getattr(report, field.attname) for field in Report._meta.concrete_fields}


@pytest.mark.django_db
def test_the_returned_report_is_the_stored_one_with_its_rows_and_job() -> None:
    """GIVEN a report with a photo WHEN it is stored in one statement THEN the instance handed back
    equals the row read back, and the attachment, the first event and the triage job point at it."""
    from django_tasks_db.models import DBTaskResult

    report, created = submit_report(
        report_data(address="12 Trần Thái Tông, Dịch Vọng, Cầu Giấy"),
        [SimpleUploadedFile("a.jpg", jpeg_bytes())],
        channel=Channel.WEB,
        client_ip="203.0.113.9",
    )
    assert created
    stored = Report.objects.get(pk=report.pk)
    assert _fields(report) == _fields(stored)
    assert stored.ward_id and stored.client_ip == "203.0.113.9" and stored.tracking_secret
    assert Attachment.objects.get(report=stored).sha256
    event = ReportEvent.objects.get(report=stored)
    assert (event.kind, event.to_status, event.public) == (EventKind.RECEIVED, Status.RECEIVED, True)
    assert event.data == {"channel": Channel.WEB, "attachments": 1}
    job = DBTaskResult.objects.get(task_path=intake._triage_task().module_path)
    assert job.args_kwargs == {"args": [stored.pk], "kwargs": {}}
    assert DBTaskResult.objects.ready().filter(pk=job.pk).exists()  # what a worker picks up next


@pytest.mark.django_db
def test_codes_keep_six_digits_and_grow_past_a_million() -> None:
    year = tracking_year()
    TrackingSequence.objects.create(year=year, last_number=999_998)
    first, _ = submit_report(report_data(), channel=Channel.API)
    second, _ = submit_report(report_data(phone="0987654321"), channel=Channel.API)
    assert (first.tracking_code, second.tracking_code) == (f"PA-{year}-999999", f"PA-{year}-1000000")
    assert Report.objects.get(pk=second.pk).tracking_code == second.tracking_code


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data", "reference_data")
def test_the_number_is_reserved_in_its_own_transaction_without_relaxing_the_reports() -> None:
    """GIVEN autocommit (as in the web server) WHEN a code is reserved THEN it commits at once, the
    relaxed flush applies to that increment alone, and the next report takes the following number."""
    reserved = reserve_tracking_code()
    assert TrackingSequence.objects.get(year=tracking_year()).last_number == int(reserved.rsplit("-", 1)[1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone()[0] == "on"  # the report's own commit still waits for the disk
    report, _ = submit_report(report_data(), channel=Channel.API)
    assert int(report.tracking_code.rsplit("-", 1)[1]) == int(reserved.rsplit("-", 1)[1]) + 1


def _prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_the_insert_is_prepared_on_the_connection_after_a_few_reports() -> None:
    """GIVEN the default prepare threshold WHEN three reports of one shape come in on a connection THEN
    PostgreSQL holds the one-statement insert and the idempotency probe as prepared statements, and
    every report is stored as before."""
    assert connection.settings_dict["OPTIONS"].get("prepare_threshold")
    codes = set()
    for number in range(3):
        report, created = submit_report(
            report_data(phone=f"09123456{number:02d}"),
            channel=Channel.API,
            idempotency_key=f"prepared-{number}",
        )
        assert created
        codes.add(report.tracking_code)
    statements = _prepared_statements()
    assert any("jsonb_populate_record" in statement for statement in statements), statements
    assert any("idempotency_key" in statement for statement in statements), statements
    assert Report.objects.filter(tracking_code__in=codes).count() == 3
    replayed, created = submit_report(
        report_data(phone="0912345602"), channel=Channel.API, idempotency_key="prepared-2"
    )
    assert not created and replayed.tracking_code in codes  # the prepared probe still finds it


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data", "reference_data")
def test_with_preparing_off_the_statements_run_unprepared() -> None:
    """GIVEN THANGLONG_DB_PREPARE_THRESHOLD=0 (a pooler that cannot carry prepared statements) WHEN
    reports come in on a new connection THEN nothing is prepared and the reports are stored."""
    options = connection.settings_dict["OPTIONS"]
    saved = options.get("prepare_threshold")
    connection.close()
    options["prepare_threshold"] = None  # what the setting's 0 gives
    try:
        for number in range(3):
            submit_report(report_data(phone=f"09876543{number:02d}"), channel=Channel.API)
        assert not any("jsonb_populate_record" in s for s in _prepared_statements())
        assert Report.objects.count() == 3
    finally:
        connection.close()
        options["prepare_threshold"] = saved
