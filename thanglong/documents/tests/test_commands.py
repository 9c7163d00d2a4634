"""`thanglong documents import` (resumable report) and `consume` (the scanner's folder)."""

from __future__ import annotations

import io
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from thanglong.documents.models import Document, Status
from thanglong.documents.tests.samples import png_bytes

pytestmark = pytest.mark.django_db


def _report(folder: Path) -> list[dict[str, Any]]:
    lines = (folder / ".thanglong-import.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_import_reports_failures_and_resumes(tmp_path: Path, hanoi_force: dict[str, Any]) -> None:
    folder = tmp_path / "kho"
    (folder / "1990").mkdir(parents=True)
    (folder / "1990" / "qd-1.png").write_bytes(png_bytes((30, 30)))
    (folder / "1990" / "qd-2.png").write_bytes(png_bytes((31, 30)))
    (folder / "rong.pdf").write_bytes(b"")
    out = io.StringIO()

    call_command("documents", "import", str(folder), "--unit", "CAP-00166", stdout=out)

    assert '"queued": 2' in out.getvalue() and '"failed": 1' in out.getvalue()
    outcomes = {entry["path"]: entry for entry in _report(folder)}
    assert outcomes["rong.pdf"]["error"] == "empty" and outcomes["rong.pdf"]["message_en"]
    assert Document.objects.filter(unit=hanoi_force["cau_giay"], source="import").count() == 2

    # The empty file is rescanned; the rest is skipped on the second run.
    (folder / "rong.pdf").write_bytes(png_bytes((32, 30)))
    call_command("documents", "import", str(folder), "--unit", "CAP-00166", stdout=(again := io.StringIO()))
    assert '"skipped": 2' in again.getvalue() and '"queued": 1' in again.getvalue()
    assert Document.objects.filter(source="import").count() == 3


def test_consume_takes_settled_files_and_sorts_them(
    tmp_path: Path, settings: Any, hanoi_force: dict[str, Any]
) -> None:
    folder = tmp_path / "consume"
    folder.mkdir()
    settings.THANGLONG_CONSUME_DIR = str(folder)
    old = time.time() - 60
    for name, data in [("scan-001.png", png_bytes()), ("broken.pdf", b"not a pdf")]:
        (folder / name).write_bytes(data)
        os.utime(folder / name, (old, old))
    (folder / "still-writing.png").write_bytes(png_bytes((50, 50)))  # just written: not settled yet

    call_command("documents", "consume", "--unit", "CAP-00166", stdout=io.StringIO())

    assert (folder / "done" / "scan-001.png").exists()
    assert (folder / "failed" / "broken.pdf").exists()
    assert "PDF" in (folder / "failed" / "broken.pdf.reason.txt").read_text(encoding="utf-8")
    assert (folder / "still-writing.png").exists()
    assert Document.objects.get(source="consume").status == Status.QUEUED
