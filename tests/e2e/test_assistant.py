"""The citizens' chat in a real browser: ask, read the cited answer, rate it, reach an officer, stay safe.

The first test swaps in the fake engine of the unit tests (the live server runs in this process), so the
widget is checked whatever the engine answers; the second runs the real engine on the demo catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors
from thanglong.assistant import services
from thanglong.assistant.tests.test_service import CARD_CODE, FakeEngine, install_fake_engine

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCRIPT = "<script>alert(1)</script>"
QUESTION = "làm lại căn cước hết bao nhiêu tiền"
SCREENSHOT = "/tmp/thanglong-assistant.png"
SCREENSHOT_NARROW = "/tmp/thanglong-assistant-375.png"


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    return install_fake_engine(monkeypatch)


def open_chat(
    browser: Any, live_server: Any, console_errors: ConsoleErrors, **context: Any
) -> tuple[Any, Any, list]:
    options = {"viewport": {"width": 1280, "height": 900}, "locale": "vi-VN", **context}
    browser_context = browser.new_context(**options)
    page = console_errors.watch(browser_context.new_page())
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(live_server.url + "/assistant/")
    return browser_context, page, dialogs


def send(page: Any, text: str) -> None:
    box = page.get_by_label("Câu hỏi của bạn")
    box.fill(text)
    box.press("Enter")


def test_citizen_asks_rates_and_reaches_an_officer_with_html_shown_as_text(
    browser: Any,
    live_server: Any,
    transactional_db: None,
    fake_engine: FakeEngine,
    console_errors: ConsoleErrors,
) -> None:
    """GIVEN the chat page
    WHEN a citizen asks about an ID card, rates the answer, types HTML and asks for an officer
    THEN the cited answer appears, the rating sticks, the HTML shows as text and never runs.
    """
    from playwright.sync_api import expect

    from thanglong.assistant.models import Handoff, Turn

    context, page, dialogs = open_chat(browser, live_server, console_errors)
    log = page.get_by_role("log")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hỏi trợ lý ảo")

    send(page, QUESTION)
    answer = log.locator(".chat-message--assistant").last
    expect(answer).to_contain_text("Lệ phí cấp lại thẻ căn cước")
    link = answer.get_by_role("link", name="Cấp lại thẻ căn cước")
    expect(link).to_have_attribute("href", f"/procedures/{CARD_CODE}/")
    expect(page.get_by_label("Câu hỏi của bạn")).to_have_value("")
    session_id = page.evaluate("sessionStorage.getItem('thanglong.assistant.session')")
    assert session_id

    answer.get_by_role("button", name="Câu trả lời hữu ích").click()
    expect(answer.get_by_role("button", name="Câu trả lời hữu ích")).to_have_attribute("aria-pressed", "true")
    assert Turn.objects.get().rating == 1

    box = page.get_by_label("Câu hỏi của bạn")
    box.fill("dòng một")
    box.press("Shift+Enter")
    box.type("dòng hai")
    expect(box).to_have_value("dòng một\ndòng hai")
    box.fill("")

    send(page, SCRIPT)
    expect(log.locator(".chat-message--user").last).to_have_text(re.compile(re.escape(SCRIPT)))
    expect(log.locator(".chat-message--assistant").last).to_contain_text(SCRIPT)
    assert page.locator("#chat-log script").count() == 0
    assert dialogs == []

    send(page, "hộ chiếu")
    choice = log.get_by_role("button", name="Cấp lại thẻ căn cước")
    expect(choice).to_be_visible()
    choice.click()
    expect(log.locator(".chat-message--user").last).to_contain_text("Cấp lại thẻ căn cước")

    page.get_by_label("Số điện thoại hoặc email (không bắt buộc)").fill("0912345678")
    page.locator("#chat-handoff").get_by_role("button", name="Gặp cán bộ").click()
    expect(log.locator(".chat-message--system").last).to_contain_text("Đã chuyển cuộc hội thoại cho cán bộ")
    assert Handoff.objects.get().contact == "0912345678"
    assert Turn.objects.filter(conversation__session_id=session_id).count() == 4, (
        "one conversation throughout"
    )

    page.screenshot(path=SCREENSHOT, full_page=True)
    context.close()
    assert console_errors == []
    assert dialogs == []


def test_the_chat_fits_a_phone_and_works_without_javascript(
    browser: Any,
    live_server: Any,
    transactional_db: None,
    fake_engine: FakeEngine,
    console_errors: ConsoleErrors,
) -> None:
    from playwright.sync_api import expect

    context, page, dialogs = open_chat(
        browser, live_server, console_errors, viewport={"width": 375, "height": 812}, is_mobile=True
    )
    send(page, QUESTION + " " + "rất dài " * 40)
    expect(page.locator(".chat-message--assistant").last).to_contain_text("Lệ phí")
    page.screenshot(path=SCREENSHOT_NARROW, full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()

    no_script = browser.new_context(java_script_enabled=False, locale="vi-VN")
    page = no_script.new_page()
    page.goto(live_server.url + "/assistant/")
    page.get_by_label("Câu hỏi của bạn").fill(SCRIPT)
    page.locator("#chat-form").get_by_role("button", name="Gửi").click()
    expect(page.locator(".chat-message--user").last).to_have_text(re.compile(re.escape(SCRIPT)))
    expect(page.locator(".chat-message--assistant").last).to_contain_text("Xin lỗi")
    no_script.close()
    assert console_errors == [] and dialogs == []


@pytest.fixture
def real_engine_on_demo_catalogue(transactional_db: None, shared_data: Any) -> Iterator[None]:
    from thanglong.procedures import demo

    if not services.engine_available():
        pytest.skip("the assistant engine is not installed yet")
    demo.load(print)
    services.reset_engine()
    yield
    services.reset_engine()


def test_real_engine_answers_with_a_citation_link(
    browser: Any, live_server: Any, real_engine_on_demo_catalogue: None, console_errors: ConsoleErrors
) -> None:
    from playwright.sync_api import expect

    context, page, dialogs = open_chat(browser, live_server, console_errors)
    log = page.get_by_role("log")
    send(page, QUESTION)
    answer = log.locator(".chat-message--assistant").first
    expect(answer).to_be_visible(timeout=20_000)
    citation = answer.locator(".chat-message__sources a").first
    expect(citation).to_have_attribute("href", re.compile(r"^/procedures/[^/]+/$"))

    send(page, SCRIPT)
    expect(log.locator(".chat-message--user").last).to_have_text(re.compile(re.escape(SCRIPT)))
    expect(log.locator(".chat-message--assistant")).to_have_count(2, timeout=20_000)
    assert dialogs == []

    citation.click()
    expect(page).to_have_url(re.compile(r"/procedures/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).not_to_be_empty()
    context.close()
    assert console_errors == []
    assert dialogs == []
