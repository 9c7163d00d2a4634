"""A unit leader in a real browser: sees their units ranked, drills into an overdue case, downloads the
monthly PDF report, and the PDF opens with the unit's name in it."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-password-123"
SCREENSHOT = "/tmp/thanglong-command-ranking.png"
IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports", "reports"],
    }
}


def _last_month_reports(site: dict[str, Any]) -> tuple[Any, str]:
    """Cầu Giấy resolves everything on time; Hoàn Kiếm leaves cases open past their deadline."""
    from django.utils import timezone

    from thanglong.command import periods
    from thanglong.command.tests.factories import make_report
    from thanglong.feedback.choices import Status

    month = periods.containing(periods.MONTH, timezone.localdate()).previous()
    for day in range(1, 6):
        make_report(
            site["cau_giay"],
            status=Status.RESOLVED,
            received=month.start + timedelta(days=day),
            resolved_after=timedelta(days=1),
            rating=5,
        )
    overdue = [
        make_report(site["hoan_kiem"], received=month.start + timedelta(days=day), due_in=timedelta(days=3))
        for day in range(1, 5)
    ]
    return month, overdue[0].tracking_code


def test_leader_ranks_units_drills_into_an_overdue_case_and_downloads_the_monthly_pdf(
    browser: Any,
    live_server: Any,
    site: dict[str, Any],
    console_errors: ConsoleErrors,
    settings: Any,
    tmp_path: Any,
) -> None:
    from django.core.cache import cache
    from playwright.sync_api import expect
    from pypdf import PdfReader

    cache.clear()  # medians cached by another test's rows
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = IMMEDIATE_TASKS
    settings.THANGLONG_COMMAND_RANK_MIN_CASES = 3
    month, overdue_code = _last_month_reports(site)

    page = console_errors.watch(
        browser.new_context(
            locale="vi-VN", viewport={"width": 1366, "height": 900}, accept_downloads=True
        ).new_page()
    )
    page.goto(live_server.url + "/accounts/login/?next=/console/command/")
    page.locator("#id_username").fill("giamdoc")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Trung tâm chỉ huy")
    expect(page.locator('[data-metric="feedback.overdue"] .command-metric__value')).to_have_text("4")

    page.get_by_role("link", name="Kết quả theo đơn vị").click()
    page.get_by_role("link", name=f"← {month.label}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(month.label)
    rows = page.locator("table.command-ranking tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Công an phường Cầu Giấy")
    expect(rows.nth(0).locator("td").first).to_have_text("1")
    expect(rows.nth(1)).to_contain_text("Công an phường Hoàn Kiếm")
    expect(rows.nth(1).locator("td").first).to_have_text("2")
    expect(page.get_by_role("heading", name="Phương pháp tính")).to_be_visible()
    page.screenshot(path=SCREENSHOT, full_page=True)

    rows.nth(1).locator("a.overdue-link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Phản ánh, kiến nghị")
    page.get_by_role("link", name=overdue_code).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(overdue_code)

    page.goto(live_server.url + "/console/command/reports/")
    page.get_by_label("Đơn vị").select_option(label=f"Công an phường Hoàn Kiếm ({site['hoan_kiem'].code})")
    page.get_by_label("Loại kỳ").select_option("month")
    page.get_by_label("Kỳ báo cáo").fill(month.key)
    page.get_by_label("Định dạng").select_option("pdf")
    page.get_by_role("button", name="Tạo báo cáo").last.click()
    expect(page.locator(".message--success")).to_be_visible()
    link = page.locator("a.report-download").first
    expect(link).to_be_visible(timeout=30_000)
    with page.expect_download() as download_info:
        link.click()
    path = download_info.value.path()
    content = Path(path).read_bytes()
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = " ".join(" ".join(page_.extract_text().split()) for page_ in reader.pages)
    assert "Công an phường Hoàn Kiếm".upper() in text.upper()
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert console_errors == []
