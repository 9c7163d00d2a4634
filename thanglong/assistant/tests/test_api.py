"""The public assistant API: the /ask contract, bilingual 422s, rating ownership, hand-off, rate limit."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from thanglong.assistant.models import Channel, Handoff, Turn
from thanglong.assistant.services import MAX_QUESTION_CHARS
from thanglong.assistant.tests.test_service import CARD_CODE, FakeEngine, install_fake_engine

pytestmark = pytest.mark.django_db

ASK = "/api/v1/assistant/ask"
HANDOFF = "/api/v1/assistant/handoff"
CONTRACT_KEYS = {"answer", "lang", "procedure_codes", "citations", "asked", "needs_clarification"}
CITATION_KEYS = {"procedure_code", "procedure_name", "part", "url", "legal_document", "article"}


@pytest.fixture(autouse=True)
def _fresh_rate_limit() -> None:
    cache.clear()


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    return install_fake_engine(monkeypatch)


def post(client: Client, url: str, body: Any) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_ask_returns_the_contract_and_continues_the_session(client: Client, fake_engine: FakeEngine) -> None:
    response = post(client, ASK, {"question": "làm lại căn cước hết bao nhiêu tiền", "session_id": None})
    assert response.status_code == 200
    body = response.json()
    assert CONTRACT_KEYS | {"session_id", "turn_id"} <= set(body)
    assert {"intent", "confidence", "emergency", "handoff_suggested"} <= set(body)
    assert body["procedure_codes"] == [CARD_CODE]
    assert body["asked"] == "fee" and body["needs_clarification"] is False
    assert set(body["citations"][0]) == CITATION_KEYS
    assert Turn.objects.get(pk=body["turn_id"]).conversation.channel == Channel.API

    follow = post(client, ASK, {"question": "cần giấy tờ gì", "session_id": body["session_id"], "lang": "en"})
    assert follow.status_code == 200
    assert follow.json()["session_id"] == body["session_id"]
    assert follow.json()["asked"] == "documents"
    assert fake_engine.calls[1][1] == "en", "the requested language reaches the engine"


def test_clarification_choices_are_offered(client: Client, fake_engine: FakeEngine) -> None:
    body = post(client, ASK, {"question": "hộ chiếu"}).json()
    assert body["needs_clarification"] is True
    assert [choice["code"] for choice in body["choices"]] == ["TL.9002", CARD_CODE]


def test_html_in_a_question_comes_back_as_plain_json_text(client: Client, fake_engine: FakeEngine) -> None:
    response = post(client, ASK, {"question": "<script>alert(1)</script>"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "<script>alert(1)</script>" in response.json()["answer"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"question": ""}, "question"),
        ({"question": "   \n "}, "question"),
        ({"question": "\u0000\u0000"}, "question"),
        ({"question": 123}, "question"),
        ({"question": ["căn cước"]}, "question"),
        ({"question": None}, "question"),
        ({}, "question"),
        ({"question": "căn cước", "lang": "fr"}, "lang"),
        ({"question": "căn cước", "session_id": 5}, "session_id"),
    ],
)
def test_bad_input_is_a_bilingual_422_naming_the_field(
    client: Client, fake_engine: FakeEngine, body: dict[str, Any], field: str
) -> None:
    response = post(client, ASK, body)
    assert response.status_code == 422, response.content
    error = response.json()
    assert error["error"] == "invalid_input"
    assert error["message_vi"] and error["message_en"] and error["message_vi"] != error["message_en"]
    assert [item["field"] for item in error["fields"]] == [field]
    assert fake_engine.calls == []


def test_an_over_long_question_is_refused_with_a_message(client: Client, fake_engine: FakeEngine) -> None:
    response = post(client, ASK, {"question": "a" * (MAX_QUESTION_CHARS + 1)})
    assert response.status_code == 422
    assert "quá dài" in response.json()["message_vi"]
    assert "too long" in response.json()["message_en"]
    assert fake_engine.calls == []


def test_malformed_json_is_refused(client: Client, fake_engine: FakeEngine) -> None:
    response = client.post(ASK, data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert fake_engine.calls == []


def test_public_endpoints_need_no_csrf_token(fake_engine: FakeEngine) -> None:
    client = Client(enforce_csrf_checks=True)
    assert post(client, ASK, {"question": "căn cước"}).status_code == 200


def test_only_the_owning_session_may_rate_a_turn(client: Client, fake_engine: FakeEngine) -> None:
    mine = post(client, ASK, {"question": "căn cước"}).json()
    other = post(client, ASK, {"question": "căn cước"}).json()
    url = f"/api/v1/assistant/turns/{mine['turn_id']}/rating"

    assert post(client, url, {"session_id": other["session_id"], "rating": -1}).status_code == 404
    assert post(client, url, {"rating": 1}).status_code == 422
    assert post(client, url, {"session_id": mine["session_id"], "rating": 5}).status_code == 422
    assert Turn.objects.get(pk=mine["turn_id"]).rating == 0

    response = post(client, url, {"session_id": mine["session_id"], "rating": -1, "comment": "sai lệ phí"})
    assert response.status_code == 200
    assert response.json() == {"turn_id": mine["turn_id"], "rating": -1}
    turn = Turn.objects.get(pk=mine["turn_id"])
    assert (turn.rating, turn.rating_comment) == (-1, "sai lệ phí")
    assert (
        post(
            client, "/api/v1/assistant/turns/999999/rating", {"session_id": mine["session_id"], "rating": 1}
        ).status_code
        == 404
    )


def test_handoff_queues_the_conversation(client: Client, fake_engine: FakeEngine) -> None:
    asked = post(client, ASK, {"question": "thời tiết thế nào"}).json()
    assert asked["handoff_suggested"] is True
    response = post(client, HANDOFF, {"session_id": asked["session_id"], "contact": "0912345678"})
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "open" and body["message_vi"] and body["message_en"]
    assert Handoff.objects.get(pk=body["handoff_id"]).contact == "0912345678"
    again = post(client, HANDOFF, {"session_id": asked["session_id"]})
    assert again.json()["handoff_id"] == body["handoff_id"]

    unknown = post(client, HANDOFF, {"session_id": "00000000-0000-0000-0000-000000000000"})
    assert unknown.status_code == 404
    assert unknown.json()["message_en"]


@override_settings(THANGLONG_ASSISTANT_ASK_PER_MINUTE=2)
def test_ask_is_rate_limited_per_client_ip(client: Client, fake_engine: FakeEngine) -> None:
    for _ in range(2):
        assert post(client, ASK, {"question": "căn cước"}).status_code == 200
    limited = post(client, ASK, {"question": "căn cước"})
    assert limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 61
    body = limited.json()
    assert (
        body["error"] == "rate_limited" and "giây" in body["message_vi"] and "seconds" in body["message_en"]
    )
    assert len(fake_engine.calls) == 2

    elsewhere = client.post(
        ASK,
        data=json.dumps({"question": "căn cước"}),
        content_type="application/json",
        REMOTE_ADDR="10.0.0.9",
    )
    assert elsewhere.status_code == 200, "another client has its own allowance"


def test_the_openapi_schema_documents_the_assistant(client: Client) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (ASK, HANDOFF, "/api/v1/assistant/turns/{turn_id}/rating", "/api/v1/assistant/zalo/webhook"):
        assert path in paths
