"""A citizen sends a noise complaint through the chat page and gets a tracking code back."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import ConsoleErrors
from thanglong.assistant import services
from thanglong.assistant.engine.assistant import AssistantConfig, CatalogueAssistant

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COMPLAINT = "Tôi muốn phản ánh quán karaoke đầu ngõ hát ồn ào đến 2 giờ sáng"


@pytest.fixture
def lexical_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    """The real engine without its embedding model (the live server runs in this process)."""
    engine = CatalogueAssistant(AssistantConfig(dense=False, refresh_seconds=0))
    monkeypatch.setattr(services, "get_engine", lambda: engine)


def test_a_noise_complaint_sent_through_the_chat_gets_a_tracking_code(
    browser: Any,
    live_server: Any,
    reference_data: None,
    lexical_engine: None,
    console_errors: ConsoleErrors,
) -> None:
    from playwright.sync_api import expect

    from thanglong.feedback.models import Report

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = console_errors.watch(context.new_page())
    page.goto(live_server.url + "/assistant/")
    answers = page.get_by_role("log").locator(".chat-message--assistant")
    box = page.get_by_label("Câu hỏi của bạn")

    for text, expected in [
        (COMPLAINT, "Sự việc xảy ra ở đâu?"),
        ("Số 5 ngõ 68 Cầu Giấy, phường Cầu Giấy", "«ẩn danh»"),
        ("ẩn danh", "Gửi phản ánh? (có/không)"),
        ("có", "Mã phản ánh: PA-"),
    ]:
        count = answers.count()
        box.fill(text)
        box.press("Enter")
        expect(answers).to_have_count(count + 1, timeout=20_000)
        expect(answers.last).to_contain_text(expected)

    expect(answers.last).to_contain_text(re.compile(r"PA-\d{4}-\d{6,}"))
    report = Report.objects.get()
    expect(answers.last).to_contain_text(report.tracking_code)
    assert report.channel == "assistant" and report.anonymous
    context.close()
    assert console_errors == []
