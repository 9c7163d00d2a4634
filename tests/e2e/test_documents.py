"""A scanned decision's way into the archive in a real browser: upload, OCR, fields, unaccented search."""

from __future__ import annotations

import base64
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"),
]

PASSWORD = "Test-password-123"
SCREENSHOT = "/tmp/thanglong-documents-batch.png"


def test_an_officer_uploads_a_scanned_decision_and_finds_it_without_accents(
    browser: Any,
    live_server: Any,
    site: dict[str, Any],
    console_errors: ConsoleErrors,
    tmp_path: Path,
    settings: Any,
) -> None:
    """GIVEN a ward officer with a scanned decision (a degraded 150 dpi page)
    WHEN they drop it on the upload form and the OCR worker has run
    THEN the status row shows its number, date and type, and "to cong tac" finds it in the archive."""
    from playwright.sync_api import expect

    from thanglong.documents.models import Document
    from thanglong.documents.services import processing
    from thanglong.documents.tests.samples import scanned_decision_pdf

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.THANGLONG_DOCUMENTS_INDEX = tmp_path / "index.sqlite3"
    scan = tmp_path / "qd-123-cap.pdf"
    scan.write_bytes(scanned_decision_pdf())

    page = console_errors.watch(
        browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900}).new_page()
    )
    page.goto(live_server.url + "/accounts/login/?next=/console/documents/upload/")
    page.locator("#id_username").fill("canbo.caugiay")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tải lên văn bản")

    # The deferred script may still be on its way when the heading shows: drop only once it listens.
    expect(page.locator("[data-dropzone-ready]")).to_have_count(1)
    # Dropped onto the zone as from a file manager: the page's script hands it to the file input.
    page.evaluate(
        """(encoded) => {
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], "qd-123-cap.pdf", {type: "application/pdf"}));
            const zone = document.querySelector("[data-dropzone]");
            const drop = {dataTransfer: transfer, bubbles: true, cancelable: true};
            zone.dispatchEvent(new DragEvent("drop", drop));
        }""",
        base64.b64encode(scan.read_bytes()).decode(),
    )
    expect(page.locator("[data-dropzone-list]")).to_have_text("qd-123-cap.pdf")
    assert page.locator("#document-files").evaluate("input => input.files.length") == 1
    page.get_by_role("button", name="Tải lên và nhận dạng").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Tiến độ số hoá")
    row = page.locator("tr.document-status")
    expect(row).to_contain_text("Đang chờ nhận dạng")

    # What the worker does once the upload is committed, run here; the page's htmx polling picks it up.
    document = Document.objects.get(filename="qd-123-cap.pdf")
    assert processing.process_document(document.pk) == "done"

    expect(row.locator(".document-number")).to_have_text("123/QĐ-CAP", timeout=15_000)
    expect(row.locator(".document-date")).to_have_text("15/05/2024")
    expect(row.locator(".document-type")).to_have_text("Quyết định")
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.goto(live_server.url + "/console/documents/")
    page.get_by_label("Tìm trong nội dung (có dấu hoặc không dấu)").fill("to cong tac bao dam trat tu")
    page.get_by_role("button", name="Tìm", exact=True).click()
    result = page.locator("li.document-result")
    expect(result).to_have_count(1)
    expect(result).to_contain_text("123/QĐ-CAP")
    expect(result.locator("mark")).to_have_text("Tổ công tác bảo đảm trật tự")

    result.get_by_role("link", name="Xem trang 1").click()
    expect(page.locator(".page-hit").first).to_be_visible()
    assert page.locator(".page-hit").count() >= 6
    assert console_errors == []
