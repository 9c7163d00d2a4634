"""The callbot demo page in Chromium with a fake microphone that plays a spoken question: the page
records the turn, the server recognises it, the assistant answers, and transcript and answer appear."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, ConsoleErrors

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUESTION = "làm hộ chiếu"
SCREENSHOT = "/tmp/thanglong-callbot.png"


def _question_wav(tmp_path: Path) -> Path:
    """1.5 s of silence, the question, 1.5 s of silence: Chromium loops the file as the microphone."""
    from thanglong.voice.audio import resample, silence, wav_bytes
    from thanglong.voice.engines.espeak import _wav_payload

    spoken = subprocess.run(
        ["espeak-ng", "-v", "vi+m3", "-s", "145", "--stdout"],
        input=QUESTION.encode(),
        capture_output=True,
        check=True,
    ).stdout
    pcm = resample(_wav_payload(spoken), 22050, 16000)
    path = tmp_path / "question.wav"
    path.write_bytes(wav_bytes(silence(1.5, 16000) + pcm + silence(1.5, 16000), 16000))
    return path


@pytest.fixture
def microphone_browser(tmp_path: Path, browser: Any) -> Iterator[Any]:
    """A second Chromium with a fake microphone playing the question, launched through the session's
    Playwright (a second sync Playwright cannot start while the session one runs)."""
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    pytest.importorskip("vietasr", reason="viet-asr is not installed")
    fake = [
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={_question_wav(tmp_path)}",
        "--autoplay-policy=no-user-gesture-required",
    ]
    microphone = browser.browser_type.launch(
        executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS + fake
    )
    yield microphone
    microphone.close()


@pytest.fixture
def passport_procedure(reference_data: None) -> None:
    from thanglong.assistant.services import reset_engine
    from thanglong.procedures import services as procedures

    procedures.save_authored_procedure(
        procedures.AuthoredProcedure(
            code="TEST.HC",
            name="Cấp hộ chiếu phổ thông",
            area="Xuất nhập cảnh",
            level="province",
            agency="Phòng Quản lý xuất nhập cảnh",
            steps=["Khai tờ khai đề nghị cấp hộ chiếu.", "Nộp hồ sơ.", "Nhận hộ chiếu."],
            channels=[{"kind": "in_person", "description": "Nộp trực tiếp.", "time_limit": "", "fees": []}],
            citations=[
                procedures.AuthoredCitation(doc_type="Luật", number="49/2019/QH14", issuer="Quốc hội")
            ],
        )
    )
    reset_engine()


def test_a_spoken_question_is_answered_on_the_demo_page(
    microphone_browser: Any,
    live_server: Any,
    passport_procedure: None,
    console_errors: ConsoleErrors,
    tmp_path: Path,
    settings: Any,
) -> None:
    from thanglong.voice.models import Call

    settings.THANGLONG_VOICE_RECORDINGS_DIR = tmp_path / "voice"
    page = console_errors.watch(microphone_browser.new_context(locale="vi-VN").new_page())
    page.goto(live_server.url + "/callbot/")
    page.click("#callbot-call")
    log = page.locator("#callbot-log")
    log.locator("li.bot", has_text="tổng đài tự động").wait_for(timeout=30_000)
    page.wait_for_function("!document.getElementById('callbot-talk').disabled")

    page.click("#callbot-talk")
    page.wait_for_timeout(8_500)  # two loops of the file: at least one whole question
    page.click("#callbot-talk")
    answer = log.locator("li.bot", has_text="hộ chiếu")
    answer.first.wait_for(timeout=60_000)
    assert log.locator("li.caller").filter(has_text="chiếu").count() >= 1
    page.screenshot(path=SCREENSHOT, full_page=True)

    call = Call.objects.get()
    assert call.channel == "browser" and call.intent == "procedure"
    assert call.turns.filter(speaker="caller", text__contains="chiếu").exists()
    # The keypad works on the same call: 0 hands it to an officer and the call ends.
    page.click(".callbot__key[data-digit='0']")
    log.locator("li.system").first.wait_for(timeout=30_000)
    page.wait_for_function("document.getElementById('callbot-talk').disabled")
    assert console_errors == []
