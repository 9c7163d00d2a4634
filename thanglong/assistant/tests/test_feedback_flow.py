"""Sending a report through the assistant: the guided intake across turns, on the API and over Zalo.

The real engine runs (lexical only, on an empty catalogue): it is what hears "I want to report …" and
what recognises an emergency in the middle of the flow.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from thanglong.assistant import services
from thanglong.assistant.engine.assistant import AssistantConfig, CatalogueAssistant
from thanglong.assistant.engine.types import DialogueState
from thanglong.assistant.models import Conversation, Turn
from thanglong.assistant.tests.test_zalo import IMMEDIATE_TASKS, SECRET, SENDER, TOKEN, deliver, zalo_event
from thanglong.assistant.zalo_fake import FakeZaloServer
from thanglong.feedback.choices import Channel as FeedbackChannel
from thanglong.feedback.models import Report
from thanglong.feedback.services.notify import citizen_address
from thanglong.feedback.triage import reset_engines

pytestmark = pytest.mark.django_db

ASK = "/api/v1/assistant/ask"
CODE = re.compile(r"PA-\d{4}-\d{6,}")
LINK = re.compile(r"https?://[^/\s]+(/feedback/s/PA-\d{4}-\d{6,}/[^/\s]+/)")
KARAOKE = "Tôi muốn phản ánh quán karaoke đầu ngõ hát ồn ào đến 2 giờ sáng"


@pytest.fixture(autouse=True)
def _fresh_cache_and_triage(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    cache.clear()  # the per-IP question limit and Zalo's "already answered" marks
    monkeypatch.delenv("THANGLONG_TRIAGE_EMBEDDER", raising=False)
    monkeypatch.delenv("THANGLONG_TRIAGE_ENGINE", raising=False)
    with override_settings(MODEL_DIR=tmp_path / "models"):
        reset_engines()
        yield
    reset_engines()


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> CatalogueAssistant:
    real = CatalogueAssistant(AssistantConfig(dense=False, refresh_seconds=0))
    monkeypatch.setattr(services, "get_engine", lambda: real)
    return real


class Chat:
    """One citizen's conversation through POST /api/v1/assistant/ask."""

    def __init__(self, client: Client, lang: str | None = None) -> None:
        self.client = client
        self.lang = lang
        self.session_id: str | None = None

    def say(self, text: str) -> dict[str, Any]:
        body = {"question": text, "session_id": self.session_id, "lang": self.lang}
        response = self.client.post(ASK, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 200, response.content
        payload: dict[str, Any] = response.json()
        self.session_id = payload["session_id"]
        return payload

    @property
    def conversation(self) -> Conversation:
        assert self.session_id is not None, "say something first"
        return Conversation.objects.get(session_id=self.session_id)

    def state(self) -> dict[str, Any]:
        state: dict[str, Any] = self.conversation.state
        return state


def test_a_report_in_vietnamese_across_turns(client: Client, engine: CatalogueAssistant) -> None:
    """GIVEN a citizen who writes that a karaoke bar is too loud
    WHEN they answer where, leave a phone number and confirm
    THEN a report is created from the assistant channel, and the answer carries its code and private link.
    """
    chat = Chat(client)
    first = chat.say(KARAOKE)
    assert (first["intent"], first["asked"], first["lang"]) == ("feedback", "other", "vi")
    assert "Sự việc xảy ra ở đâu?" in first["answer"], "the question is long enough to be the description"
    assert chat.state()[services.FEEDBACK_DRAFT_KEY]["step"] == "where"
    DialogueState.from_dict(chat.state())  # the draft beside the engine's state does not disturb it

    contact = chat.say("Số 5 ngõ 68 Cầu Giấy, phường Cầu Giấy")
    assert "số điện thoại" in contact["answer"] and "«ẩn danh»" in contact["answer"]

    confirm = chat.say("0912 345 678")
    assert confirm["intent"] == "feedback" and not confirm["needs_clarification"]
    assert "Nội dung: " + KARAOKE in confirm["answer"]
    assert "Địa điểm: Số 5 ngõ 68 Cầu Giấy" in confirm["answer"]
    assert "091****678" in confirm["answer"] and "0912 345 678" not in confirm["answer"]
    assert "chỉ nhằm giải quyết phản ánh này" in confirm["answer"]
    assert confirm["answer"].endswith("Gửi phản ánh? (có/không)")
    assert Report.objects.count() == 0, "nothing is sent before the citizen says yes"

    sent = chat.say("Có")
    assert (sent["intent"], sent["asked"]) == ("feedback", "other")
    report = Report.objects.get()
    assert report.tracking_code in sent["answer"]
    link = LINK.search(sent["answer"])
    assert link and report.tracking_secret in link.group(1)
    assert client.get(link.group(1)).status_code == 200, "the private link opens the status page"

    assert report.channel == FeedbackChannel.ASSISTANT
    assert report.text == KARAOKE and report.address_text == "Số 5 ngõ 68 Cầu Giấy, phường Cầu Giấy"
    assert report.ward_id == "00166", "the intake normalised the free-text address"
    assert (report.contact_phone, report.anonymous, report.consent, report.lang) == (
        "0912345678",
        False,
        True,
        "vi",
    )
    assert services.FEEDBACK_DRAFT_KEY not in chat.state()
    turns = Turn.objects.filter(conversation=chat.conversation)
    assert list(turns.values_list("intent", flat=True)) == ["feedback"] * 4
    assert not services.low_confidence_turns().exists(), "the flow's turns need no review"


def test_a_report_in_english_asks_what_happened_and_can_be_anonymous(
    client: Client, engine: CatalogueAssistant
) -> None:
    chat = Chat(client, lang="en")
    first = chat.say("report noise")
    assert first["lang"] == "en" and first["answer"].endswith("Please describe what happened, and when.")

    short = chat.say("loud")
    assert short["answer"].startswith("That is too short")
    assert chat.state()[services.FEEDBACK_DRAFT_KEY]["step"] == "what"

    chat.say("The bar next door plays loud music every night until 2am")
    contact = chat.say("12 Hang Bac street, Hoan Kiem")
    assert "“anonymous”" in contact["answer"]
    confirm = chat.say("Anonymous")
    assert "Contact: anonymous (no contact details)" in confirm["answer"]
    assert confirm["answer"].endswith("Send the report? (yes/no)")

    unclear = chat.say("maybe")
    assert unclear["answer"].startswith("Please reply “yes” to send it")
    assert Report.objects.count() == 0

    sent = chat.say("yes")
    report = Report.objects.get()
    assert sent["answer"].startswith(f"Your report has been received. Tracking code: {report.tracking_code}.")
    assert report.text == "The bar next door plays loud music every night until 2am"
    assert report.anonymous and report.contact_phone == "" and report.contact_name == ""
    assert report.lang == "en" and report.channel == FeedbackChannel.ASSISTANT


@pytest.mark.parametrize(("stop", "at_step"), [("hủy", 1), ("Cancel", 2), ("không", 3)])
def test_cancel_stops_the_flow_without_a_report(
    client: Client, engine: CatalogueAssistant, stop: str, at_step: int
) -> None:
    chat = Chat(client)
    chat.say(KARAOKE)
    for answer in ["ngõ 68 Cầu Giấy", "ẩn danh"][: at_step - 1]:
        chat.say(answer)
    stopped = chat.say(stop)
    assert stopped["intent"] == "feedback"
    assert stopped["answer"].startswith("Đã hủy, phản ánh chưa được gửi.")
    assert services.FEEDBACK_DRAFT_KEY not in chat.state()

    after = chat.say("có")
    assert after["intent"] != "feedback", "after cancelling, a yes is an ordinary message again"
    assert Report.objects.count() == 0


def test_an_emergency_in_the_middle_answers_113_first_and_keeps_the_draft(
    client: Client, engine: CatalogueAssistant
) -> None:
    chat = Chat(client)
    chat.say(KARAOKE)
    urgent = chat.say("Có người cầm dao đánh nhau ngay trước cửa!")
    assert urgent["emergency"] is True and urgent["intent"] == "emergency"
    assert urgent["answer"].startswith("KHẨN CẤP: hãy gọi ngay 113")
    assert "Phản ánh của bạn chưa được gửi và vẫn đang chờ" in urgent["answer"]
    assert urgent["answer"].endswith(
        "Sự việc xảy ra ở đâu? Hãy ghi địa chỉ hoặc tên phường, xã (ví dụ: số 5 ngõ 68 Cầu Giấy, "
        "phường Cầu Giấy)."
    )
    assert chat.state()[services.FEEDBACK_DRAFT_KEY]["step"] == "where", "not taken as the address"

    chat.say("ngõ 68 Cầu Giấy")
    chat.say("ẩn danh")
    chat.say("có")
    assert Report.objects.get().address_text == "ngõ 68 Cầu Giấy"


def test_a_phone_the_intake_refuses_sends_the_citizen_back_to_that_step(
    client: Client, engine: CatalogueAssistant
) -> None:
    chat = Chat(client)
    chat.say(KARAOKE)
    chat.say("ngõ 68 Cầu Giấy")
    assert chat.say("số của tôi")["answer"].startswith("Số điện thoại chưa đúng")
    chat.say("0123 456 789")  # looks like a number, but no Vietnamese number starts 012 any more
    refused = chat.say("có")
    assert refused["answer"].startswith("Phản ánh chưa gửi được: Số điện thoại: không hợp lệ")
    assert chat.state()[services.FEEDBACK_DRAFT_KEY]["step"] == "contact"
    assert Report.objects.count() == 0

    chat.say("0987654321")
    chat.say("đồng ý")
    assert Report.objects.get().contact_phone == "0987654321"


def test_an_idle_draft_is_forgotten(client: Client, engine: CatalogueAssistant) -> None:
    chat = Chat(client)
    chat.say(KARAOKE)
    conversation = chat.conversation
    long_ago = conversation.last_activity_at - services.CHANNEL_CONVERSATION_IDLE * 2
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=long_ago)
    assert chat.say("ngõ 68 Cầu Giấy")["intent"] != "feedback"
    assert services.FEEDBACK_DRAFT_KEY not in chat.state()


# --- over Zalo ------------------------------------------------------------------------------------------


@pytest.fixture
def zalo_server() -> Iterator[FakeZaloServer]:
    with (
        FakeZaloServer(access_token=TOKEN) as server,
        override_settings(
            THANGLONG_ZALO_OA_SECRET=SECRET,
            THANGLONG_ZALO_ACCESS_TOKEN=TOKEN,
            THANGLONG_ZALO_API_BASE=server.base_url,
            THANGLONG_ZALO_RETRY_SECONDS=0,
            TASKS=IMMEDIATE_TASKS,
        ),
    ):
        yield server


def zalo_chat(client: Client, messages: list[str], capture: Any, prefix: str) -> None:
    for number, text in enumerate(messages):
        with capture(execute=True):
            assert deliver(client, zalo_event(text, f"{prefix}-{number}")).json() == {"status": "accepted"}


def test_a_report_over_zalo_without_a_phone_is_answered_on_zalo(
    client: Client,
    engine: CatalogueAssistant,
    zalo_server: FakeZaloServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """GIVEN a Zalo follower who reports noise and skips the phone number
    THEN the report comes from the Zalo channel, keeps the follower id for the notifier, and is triaged.
    """
    zalo_chat(
        client,
        [KARAOKE, "Số 5 ngõ 68 Cầu Giấy", "bỏ qua", "có"],
        django_capture_on_commit_callbacks,
        "zalo-flow",
    )
    texts = [message["message"]["text"] for message in zalo_server.messages]
    assert all(message["recipient"] == {"user_id": SENDER} for message in zalo_server.messages)
    assert "Kết quả xử lý sẽ được báo lại qua Zalo này" in texts[1]
    assert "Liên hệ: qua Zalo này" in texts[2]

    report = Report.objects.get()
    assert CODE.search(texts[3]) and report.tracking_code in texts[3]
    assert texts[3].endswith("Kết quả xử lý cũng sẽ được báo lại qua Zalo này.")
    assert report.channel == FeedbackChannel.ZALO
    assert report.anonymous and report.contact_phone == ""
    assert report.triage["zalo_user_id"] == SENDER
    assert "routing" in report.triage, "triage ran and kept the follower id"
    assert citizen_address(report) == ("zalo", SENDER), "status updates go back over Zalo"


def test_over_zalo_a_phone_is_kept_and_anonymous_means_no_follower_id(
    client: Client,
    engine: CatalogueAssistant,
    zalo_server: FakeZaloServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    zalo_chat(
        client, [KARAOKE, "ngõ 68 Cầu Giấy", "0912345678", "có"], django_capture_on_commit_callbacks, "a"
    )
    with_phone = Report.objects.get()
    assert (with_phone.contact_phone, with_phone.anonymous) == ("0912345678", False)
    assert with_phone.triage["zalo_user_id"] == SENDER

    zalo_chat(
        client,
        ["Phản ánh có nhóm thanh niên tụ tập đua xe mỗi tối", "đường Láng", "ẩn danh", "có"],
        django_capture_on_commit_callbacks,
        "b",
    )
    anonymous = Report.objects.exclude(pk=with_phone.pk).get()
    assert anonymous.channel == FeedbackChannel.ZALO and anonymous.anonymous
    assert "zalo_user_id" not in (anonymous.triage or {})
    assert citizen_address(anonymous) is None
    assert not zalo_server.messages[-1]["message"]["text"].endswith("qua Zalo này.")
