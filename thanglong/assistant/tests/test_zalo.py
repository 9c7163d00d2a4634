"""Zalo OA channel end to end against a local fake of Zalo's API: signed webhook in, reply job out."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from thanglong.assistant import services, zalo
from thanglong.assistant.engine.types import AssistantReply, DialogueState
from thanglong.assistant.models import Channel, Turn
from thanglong.assistant.tests.test_service import FakeEngine, install_fake_engine
from thanglong.assistant.zalo_fake import FakeZaloServer

pytestmark = pytest.mark.django_db

WEBHOOK = "/api/v1/assistant/zalo/webhook"
SECRET = "oa-secret-key"
TOKEN = "oa-access-token"
SENDER = "2468000000000000001"
IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default", "imports", "reports"],
    }
}


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    return install_fake_engine(monkeypatch)


@pytest.fixture
def zalo_server() -> Iterator[FakeZaloServer]:
    cache.clear()  # the "already answered" marks
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


def zalo_event(text: str, msg_id: str, event_name: str = "user_send_text") -> bytes:
    """An event shaped as Zalo documents it, serialised the way it arrives (the raw body is signed)."""
    payload = {
        "app_id": "360846524940903967",
        "user_id_by_app": "552177279717587730",
        "event_name": event_name,
        "timestamp": "1763880000000",
        "sender": {"id": SENDER},
        "recipient": {"id": "579745863508352884"},
        "message": {"text": text, "msg_id": msg_id},
    }
    return json.dumps(payload, ensure_ascii=False).encode("utf-8")


def sign(raw: bytes, secret: str = SECRET) -> str:
    payload = json.loads(raw)
    material = payload["app_id"].encode() + raw + payload["timestamp"].encode() + secret.encode()
    return "mac=" + hashlib.sha256(material).hexdigest()


def deliver(client: Client, raw: bytes, signature: str | None = None) -> Any:
    headers = {} if signature == "" else {"X-ZEvent-Signature": signature or sign(raw)}
    return client.post(WEBHOOK, data=raw, content_type="application/json", headers=headers)


def test_a_signed_text_is_answered_through_the_send_message_api(
    client: Client,
    fake_engine: FakeEngine,
    zalo_server: FakeZaloServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, zalo_event("làm lại căn cước hết bao nhiêu tiền", "msg-1"))
    assert response.status_code == 200
    assert response.json() == {"status": "accepted"}

    assert len(zalo_server.messages) == 1
    sent = zalo_server.messages[0]
    assert sent["recipient"] == {"user_id": SENDER}
    assert sent["message"]["text"].startswith("Lệ phí cấp lại thẻ căn cước")
    turn = Turn.objects.select_related("conversation").get()
    assert turn.conversation.channel == Channel.ZALO
    assert turn.conversation.external_user_id == SENDER
    assert turn.question == "làm lại căn cước hết bao nhiêu tiền"


@pytest.mark.parametrize(
    "signature",
    ["", "mac=" + "0" * 64, "mac=", "0" * 64, "not-a-mac"],
    ids=["missing", "wrong", "empty", "bare-wrong", "garbage"],
)
def test_a_missing_or_bad_signature_is_refused_with_401(
    client: Client,
    fake_engine: FakeEngine,
    zalo_server: FakeZaloServer,
    django_capture_on_commit_callbacks: Any,
    signature: str,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = deliver(client, zalo_event("căn cước", "msg-2"), signature)
    assert response.status_code == 401
    assert response.json()["error"] == "bad_signature"
    assert fake_engine.calls == [] and zalo_server.messages == []


def test_a_body_changed_after_signing_or_signed_with_another_key_is_refused(
    client: Client, fake_engine: FakeEngine, zalo_server: FakeZaloServer
) -> None:
    raw = zalo_event("căn cước", "msg-3")
    tampered = raw.replace("căn cước".encode(), "hộ chiếu".encode())
    assert deliver(client, tampered, sign(raw)).status_code == 401
    assert deliver(client, raw, sign(raw, secret="another-oa")).status_code == 401
    assert deliver(client, raw, sign(raw).upper().replace("MAC=", "mac=")).status_code == 200, (
        "hex case aside"
    )


def test_a_message_delivered_twice_is_answered_once(
    client: Client,
    fake_engine: FakeEngine,
    zalo_server: FakeZaloServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    raw = zalo_event("căn cước", "msg-4")
    with django_capture_on_commit_callbacks(execute=True):
        first = deliver(client, raw)
        second = deliver(client, raw)
    assert (first.json()["status"], second.json()["status"]) == ("accepted", "duplicate")
    assert len(zalo_server.messages) == 1
    assert Turn.objects.count() == 1


def test_a_failing_zalo_is_retried_until_it_answers(
    client: Client,
    fake_engine: FakeEngine,
    zalo_server: FakeZaloServer,
    django_capture_on_commit_callbacks: Any,
) -> None:
    zalo_server.fail_next(2)
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, zalo_event("căn cước", "msg-5"))
    assert zalo_server.requests == 3
    assert len(zalo_server.messages) == 1


@override_settings(THANGLONG_ZALO_SEND_ATTEMPTS=3)
def test_when_zalo_keeps_failing_the_job_fails_but_the_question_is_kept(
    fake_engine: FakeEngine, zalo_server: FakeZaloServer
) -> None:
    zalo_server.fail_next(10)
    with pytest.raises(zalo.ZaloError, match="3 attempts"):
        zalo.answer_message(SENDER, "căn cước", "msg-6")
    assert zalo_server.requests == 3
    assert Turn.objects.get().question == "căn cước"


def test_a_refused_token_is_not_retried(fake_engine: FakeEngine, zalo_server: FakeZaloServer) -> None:
    with (
        override_settings(THANGLONG_ZALO_ACCESS_TOKEN="expired"),
        pytest.raises(zalo.ZaloError, match="-216"),
    ):
        zalo.send_text(SENDER, "xin chào")
    assert zalo_server.requests == 1 and zalo_server.messages == []


@pytest.mark.parametrize("event_name", ["follow", "user_send_image", "user_received_message", "oa_send_text"])
def test_other_events_are_acknowledged_and_ignored(
    client: Client, fake_engine: FakeEngine, zalo_server: FakeZaloServer, event_name: str
) -> None:
    response = deliver(client, zalo_event("căn cước", "msg-7", event_name=event_name))
    assert response.status_code == 200
    assert response.json() == {"status": "ignored"}
    assert fake_engine.calls == []


def test_a_long_answer_goes_as_several_messages_of_at_most_2000_characters(
    fake_engine: FakeEngine, zalo_server: FakeZaloServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    paragraphs = [f"Đoạn {index}: " + "thủ tục " * 90 for index in range(8)]  # ~740 characters each

    def long_reply(
        question: str, *, lang: str | None = None, state: DialogueState | None = None
    ) -> AssistantReply:
        return AssistantReply("\n\n".join(paragraphs), "vi", "procedure", "steps", [], [], False, 0.9)

    monkeypatch.setattr(fake_engine, "reply", long_reply)
    result = zalo.answer_message(SENDER, "các bước", "msg-8")
    texts = [message["message"]["text"] for message in zalo_server.messages]
    assert result["messages"] == len(texts) >= 3
    assert all(len(text) <= zalo.MAX_MESSAGE_CHARS for text in texts)
    assert " ".join(texts).split() == "\n\n".join(paragraphs).split(), "nothing lost or reordered"
    assert all(text.startswith("Đoạn") for text in texts), "cut at paragraph boundaries"


def test_an_empty_text_gets_the_bilingual_hint_instead_of_an_answer(
    fake_engine: FakeEngine, zalo_server: FakeZaloServer
) -> None:
    zalo.answer_message(SENDER, " \x00 ", "msg-9")
    text = zalo_server.messages[0]["message"]["text"]
    assert "Bạn chưa nhập câu hỏi" in text and "Your question is empty" in text
    assert fake_engine.calls == []


def test_the_webhook_is_closed_until_the_channel_is_configured(
    client: Client, fake_engine: FakeEngine
) -> None:
    raw = zalo_event("căn cước", "msg-10")
    with override_settings(THANGLONG_ZALO_OA_SECRET=""):
        response = deliver(client, raw, sign(raw, secret=""))
    assert response.status_code == 503


def test_a_signed_body_that_is_not_json_is_a_400(client: Client, zalo_server: FakeZaloServer) -> None:
    response = client.post(
        WEBHOOK, data=b"\xff\xfe", content_type="application/json", headers={"X-ZEvent-Signature": "mac=00"}
    )
    assert response.status_code == 400


def test_send_text_refuses_a_base_url_that_is_not_http(zalo_server: FakeZaloServer) -> None:
    with override_settings(THANGLONG_ZALO_API_BASE="file:///etc"), pytest.raises(zalo.ZaloNotConfiguredError):
        zalo.send_text(SENDER, "x")


@pytest.mark.parametrize(
    ("text", "limit", "pieces"),
    [
        ("ngắn", 2000, ["ngắn"]),
        ("", 2000, []),
        ("một hai ba bốn", 8, ["một hai", "ba bốn"]),
        ("a" * 25, 10, ["a" * 10, "a" * 10, "a" * 5]),
        ("Câu một. Câu hai dài hơn.", 15, ["Câu một.", "Câu hai dài", "hơn."]),
    ],
)
def test_split_message(text: str, limit: int, pieces: list[str]) -> None:
    assert zalo.split_message(text, limit) == pieces


def test_services_asks_on_the_zalo_channel(fake_engine: FakeEngine) -> None:
    assert services.engine_available() in {True, False}  # either way, the fake answers here
    conversation, _, _ = services.ask("căn cước", channel=Channel.ZALO, external_user_id=SENDER)
    assert conversation.channel == Channel.ZALO
