"""Smoke test of the web shell in a real browser: citizen home, officer sign-in, console, language, htmx."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Test-password-123"
SCREENSHOT = "/tmp/thanglong-console.png"
SCREENSHOT_NARROW = "/tmp/thanglong-console-375.png"
SCREENSHOT_HOME_NARROW = "/tmp/thanglong-home-375.png"


def test_officer_signs_in_switches_language_filters_units_and_signs_out(
    browser: Any, live_server: Any, site: dict[str, Any], console_errors: ConsoleErrors
) -> None:
    """GIVEN the city director's account
    WHEN they sign in from the citizen home page, switch to English and search the units
    THEN every step shows the expected page, the htmx search swaps only the table, and nothing logs an error.
    """
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = console_errors.watch(context.new_page())

    htmx = page.request.get(live_server.url + "/static/thanglong/js/htmx.min.js")
    assert htmx.ok, f"static files are not served ({htmx.status}): is thanglong/static in STATICFILES_DIRS?"

    page.goto(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.get_by_role("heading", name="Khi khẩn cấp, hãy gọi ngay")).to_be_visible()
    expect(page.locator("a[href='tel:113']").first).to_be_visible()

    page.get_by_role("main").get_by_role("link", name="Đăng nhập cán bộ").click()
    page.get_by_label("Tên đăng nhập").fill("giamdoc")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Đăng nhập").click()

    expect(page).to_have_url(re.compile(r"/console/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng điều khiển")
    expect(page.locator(".memberships")).to_contain_text("Công an Thành phố Hà Nội")
    expect(page.locator(".account__unit")).to_contain_text("Lãnh đạo đơn vị")
    page.screenshot(path=SCREENSHOT, full_page=True)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    navigation = page.get_by_role("navigation", name="Main navigation")
    for label in ("Dashboard", "Units", "Administrative divisions", "Working calendar"):
        expect(navigation.get_by_role("link", name=label)).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")

    navigation.get_by_role("link", name="Units").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Units")
    results = page.locator("#units-results")
    expect(results).to_contain_text("Công an phường Cầu Giấy")
    expect(results).to_contain_text("Công an phường Hoàn Kiếm")

    page.get_by_label("Search by name, unit code or ward/commune").press_sequentially("Hoàn Kiếm", delay=20)
    expect(results).not_to_contain_text("Công an phường Cầu Giấy")
    expect(results).to_contain_text("Công an phường Hoàn Kiếm")
    expect(results).to_contain_text("1 unit")
    assert page.url.endswith("/console/core/units/"), "the live search must not reload the page"

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.get_by_role("main").get_by_role("link", name="Officer sign-in")).to_be_visible()

    context.close()
    assert console_errors == []


def test_pages_fit_a_narrow_phone_screen(
    browser: Any, live_server: Any, site: dict[str, Any], console_errors: ConsoleErrors
) -> None:
    """GIVEN a 375 px wide phone  WHEN the home page and the console open  THEN nothing scrolls sideways."""
    context = browser.new_context(viewport={"width": 375, "height": 812}, locale="vi-VN", is_mobile=True)
    page = console_errors.watch(context.new_page())

    page.goto(live_server.url + "/")
    page.screenshot(path=SCREENSHOT_HOME_NARROW, full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.goto(live_server.url + "/accounts/login/")
    page.locator("#id_username").fill("canbo.caugiay")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/console/$"))
    page.screenshot(path=SCREENSHOT_NARROW, full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    context.close()
    assert console_errors == []
