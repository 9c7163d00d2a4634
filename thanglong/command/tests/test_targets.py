"""Programme targets: the at-risk rule, progress reports with evidence checked by content, scoping."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from thanglong.command import targets
from thanglong.command.models import Direction, Target, TargetEvidence, TargetProgress
from thanglong.core.models import AuditEntry

pytestmark = pytest.mark.django_db
TODAY = date(2026, 7, 1)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(tmp_path: Path) -> Any:
    with override_settings(MEDIA_ROOT=tmp_path / "media"):
        yield


def _target(unit: Any, **fields: Any) -> Target:
    values: dict[str, Any] = {
        "code": "DA06-01",
        "programme": "Đề án 06",
        "title": "Tài khoản định danh điện tử mức 2",
        "indicator": "Tỷ lệ công dân có VNeID mức 2",
        "measure_unit": "%",
        "owner_unit": unit,
        "baseline": Decimal(40),
        "target_value": Decimal(90),
        "start_date": date(2026, 1, 1),
        "deadline": date(2026, 12, 31),
        **fields,
    }
    return Target.objects.create(**values)


def _progress(target: Target, value: float, as_of: date) -> TargetProgress:
    return TargetProgress.objects.create(target=target, value=Decimal(str(value)), as_of=as_of)


def test_at_risk_rule(hanoi_force: dict[str, Any]) -> None:
    target = _target(hanoi_force["pc06"])  # half the year gone on 1 July: about 50 % of the way expected
    assert targets.evaluate(target, None, date(2026, 2, 1)).state == targets.NO_DATA
    assert targets.evaluate(target, None, TODAY).state == targets.AT_RISK
    on_track = targets.evaluate(target, _progress(target, 63, date(2026, 6, 20)), TODAY)
    assert on_track.state == targets.ON_TRACK and on_track.progress_percent == 46
    behind = targets.evaluate(target, _progress(target, 55, date(2026, 6, 20)), TODAY)
    assert behind.state == targets.AT_RISK and behind.progress_percent == 30
    stale = targets.evaluate(target, _progress(target, 70, date(2026, 4, 1)), TODAY)
    assert stale.state == targets.AT_RISK and "cũ" in stale.reasons[0]
    assert targets.evaluate(target, _progress(target, 91, date(2026, 6, 20)), TODAY).state == targets.ACHIEVED
    assert targets.evaluate(target, _progress(target, 80, date(2026, 12, 30)), date(2027, 1, 5)).state == (
        targets.MISSED
    )


def test_lower_is_better_targets(hanoi_force: dict[str, Any]) -> None:
    target = _target(hanoi_force["pc06"], code="CDS-11", baseline=Decimal(7), target_value=Decimal(4))
    target.direction = Direction.DECREASE
    assert (
        targets.evaluate(target, _progress(target, 5.5, date(2026, 6, 20)), TODAY).state == targets.ON_TRACK
    )
    assert targets.evaluate(target, _progress(target, 4, date(2026, 6, 20)), TODAY).state == targets.ACHIEVED


def _xlsx() -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return output.getvalue()


def test_unit_reports_progress_with_evidence_checked_by_content(
    client: Any, hanoi_force: dict[str, Any]
) -> None:
    target = _target(hanoi_force["cau_giay"], code="PX-00166")
    client.force_login(hanoi_force["canbo.caugiay"])
    url = reverse("command:target_detail", args=[target.code])
    fake = SimpleUploadedFile("bao-cao.pdf", b"MZ\x90\x00 this is a program", content_type="application/pdf")
    response = client.post(url, {"value": "61.5", "as_of": "2026-06-30", "note": "Quý II", "files": [fake]})
    assert response.status_code == 422
    assert "không phải PDF" in response.content.decode()
    assert not TargetProgress.objects.exists()  # nothing half-saved

    files = [
        SimpleUploadedFile("bien-ban.pdf", PDF, content_type="application/octet-stream"),
        SimpleUploadedFile("so-lieu.xlsx", _xlsx(), content_type="application/octet-stream"),
    ]
    response = client.post(url, {"value": "61.5", "as_of": "2026-06-30", "note": "Quý II", "files": files})
    assert response.status_code == 302
    progress = TargetProgress.objects.get()
    assert progress.value == Decimal("61.5") and progress.reported_by == hanoi_force["canbo.caugiay"]
    kinds = sorted(TargetEvidence.objects.values_list("content_type", flat=True))
    assert kinds == [
        "application/pdf",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
    assert AuditEntry.objects.filter(object_type="command.targetprogress").exists()
    evidence = TargetEvidence.objects.get(content_type="application/pdf")
    download = client.get(reverse("command:evidence", args=[evidence.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF

    client.force_login(hanoi_force["canbo.hoankiem"])  # another ward: neither the target nor its files
    assert client.get(url).status_code == 404
    assert client.get(reverse("command:evidence", args=[evidence.pk])).status_code == 404


@override_settings(THANGLONG_COMMAND_EVIDENCE_MAX_MB=1)
def test_oversized_evidence_and_future_dates_are_refused(hanoi_force: dict[str, Any]) -> None:
    target = _target(hanoi_force["cau_giay"], code="PX-00166")
    big = SimpleUploadedFile("scan.pdf", PDF + b"0" * (1024 * 1024), content_type="application/pdf")
    with pytest.raises(targets.ProgressError) as error:
        targets.report_progress(
            hanoi_force["canbo.caugiay"],
            target,
            value=Decimal(50),
            as_of=timezone.localdate() + timedelta(days=3),
            files=[big],
        )
    messages = [problem.message_en for problem in error.value.errors]
    assert any("future" in message for message in messages)
    assert any("larger than 1 MB" in message for message in messages)


def test_target_list_shows_at_risk_first_and_only_visible_units(
    client: Any, hanoi_force: dict[str, Any]
) -> None:
    today = timezone.localdate()
    start, deadline = today - timedelta(days=200), today + timedelta(days=165)
    fine = _target(hanoi_force["pc06"], code="A-OK", start_date=start, deadline=deadline)
    _progress(fine, 85, today - timedelta(days=5))
    late = _target(hanoi_force["cau_giay"], code="B-LATE", start_date=start, deadline=deadline)
    _progress(late, 45, today - timedelta(days=5))
    client.force_login(hanoi_force["chihuy"])
    body = client.get(reverse("command:targets")).content.decode()
    assert body.index('data-target="B-LATE"') < body.index('data-target="A-OK"')
    assert 'data-target="B-LATE" data-state="at_risk"' in body
    client.force_login(hanoi_force["lanhdao.caugiay"])
    body = client.get(reverse("command:targets")).content.decode()
    assert "B-LATE" in body and "A-OK" not in body


def test_evidence_is_recognised_by_its_bytes_not_its_name() -> None:
    from thanglong.command import evidence

    def detect(content: bytes) -> str | None:
        found = evidence.detect(io.BytesIO(content))
        return found.content_type if found else None

    assert detect(PDF) == "application/pdf"
    assert detect(b"\x89PNG\r\n\x1a\n" + b"\x00" * 16) == "image/png"
    assert detect(_xlsx()).endswith("spreadsheetml.sheet")  # type: ignore[union-attr]
    with_macros = io.BytesIO()
    with zipfile.ZipFile(with_macros, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<document/>")
        archive.writestr("word/vbaProject.bin", b"macro")
    assert detect(with_macros.getvalue()) is None  # macros are refused
    assert detect(b"PK\x03\x04 not really a zip") is None
    assert detect(b"<svg onload=alert(1)>") is None
