"""A 113 call in a real browser: the call-taker records it, sees the caller's words arrive live,
dispatches a unit, marks its arrival and closes the incident; the timeline shows every step."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-password-123"
SCREENSHOT = "/tmp/thanglong-incident-detail.png"


def test_call_taker_records_dispatches_and_closes_a_113_call(
    browser: Any, live_server: Any, site: dict[str, Any], console_errors: ConsoleErrors
) -> None:
    """GIVEN the command centre's call-taker on duty
    WHEN a caller reports a bag snatching in Cầu Giấy and the call-taker records it, sends the ward's
    patrol, marks it on scene and closes it
    THEN the incident has a 113 number, its ward, the caller's words, and a timeline of every step."""
    from playwright.sync_api import expect

    from thanglong.incidents import services
    from thanglong.incidents.models import Incident

    page = console_errors.watch(
        browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 1000}).new_page()
    )
    page.goto(live_server.url + "/accounts/login/?next=/console/incidents/")
    page.locator("#id_username").fill("chihuy")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sự vụ 113/114")
    page.get_by_role("link", name="Tiếp nhận cuộc gọi mới").click()

    page.get_by_label("Đường dây").select_option("113")
    page.get_by_label("Số điện thoại người gọi").fill("0912 345 678")
    page.get_by_label("Địa điểm xảy ra sự việc").fill("số 12 ngõ 34 Trần Thái Tông, Dịch Vọng, Cầu Giấy")
    expect(page.get_by_test_id("ward-hint")).to_contain_text("Phường Cầu Giấy", timeout=15000)
    expect(page.get_by_label("Phường/xã")).to_have_value("00166")
    page.get_by_label("Loại sự vụ").select_option(label="Trộm, cướp, tội phạm")
    page.get_by_label("Mức độ").select_option(label="Đặc biệt khẩn cấp")
    page.get_by_label("Ghi chép của cán bộ trực").fill(
        "Hai thanh niên đi xe máy giật túi xách rồi chạy về hướng Xuân Thủy."
    )
    page.get_by_role("button", name="Ghi nhận sự vụ").click()

    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"Sự vụ 113-\d{4}-\d{6}"))
    number = heading.inner_text().removeprefix("Sự vụ ").strip()
    incident = Incident.objects.get(number=number)
    assert incident.ward_id == "00166"
    expect(page.locator("#caller")).to_contain_text("0912345678")
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("li")).to_have_count(1)
    expect(timeline).to_contain_text("Tiếp nhận")

    # The callbot / speech recognition adds the caller's words while the page is open: polling shows them.
    services.append_transcript(incident, "Nó mặc áo khoác đen, đi xe Wave biển 29")
    expect(page.get_by_test_id("transcript")).to_contain_text("áo khoác đen", timeout=10000)

    page.get_by_label("Đơn vị").select_option(label="Công an phường Cầu Giấy")
    page.get_by_label("Tổ, xe được điều (cách nhau bằng dấu phẩy)").fill("Tổ CSCĐ 141")
    page.get_by_role("button", name="Điều lực lượng").last.click()
    expect(page.get_by_test_id("status")).to_have_text("Đã điều lực lượng")
    expect(page.get_by_test_id("dispatches")).to_contain_text("Tổ CSCĐ 141")

    page.get_by_role("button", name="Lực lượng đã có mặt").click()
    expect(page.get_by_test_id("status")).to_have_text("Đã có mặt tại hiện trường")

    page.locator("#id_outcome").select_option(label="Đã kết thúc")
    page.get_by_label("Kết quả xử lý, lý do").fill("Đã bắt giữ đối tượng, thu hồi túi xách.")
    page.get_by_role("button", name="Kết thúc", exact=True).click()
    expect(page.get_by_test_id("status")).to_have_text("Đã kết thúc")

    steps = page.get_by_test_id("timeline").locator("li")
    expect(steps).to_have_count(4)
    kinds = [steps.nth(i).get_attribute("data-kind") for i in range(4)]
    assert kinds == ["received", "dispatched", "on_scene", "closed"]
    expect(steps.nth(1)).to_contain_text("Tổ CSCĐ 141")
    expect(steps.nth(3)).to_contain_text("Đã bắt giữ đối tượng")
    for i in range(4):
        expect(steps.nth(i).locator("time")).to_have_text(re.compile(r"\d{2}:\d{2}:\d{2} \d{2}/\d{2}/\d{4}"))
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.goto(live_server.url + "/console/incidents/?status=all")
    expect(page.get_by_test_id("incident-list")).to_contain_text(number)
    page.context.close()  # stop the page's polling before the test database goes away
    assert console_errors == []
