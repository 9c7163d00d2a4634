"""`thanglong ask`: the API's JSON with --json, readable text without; and the real engine end to end."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from thanglong.assistant import services
from thanglong.assistant.models import Channel, Conversation
from thanglong.assistant.tests.test_service import CARD_CODE, FakeEngine, install_fake_engine

pytestmark = pytest.mark.django_db

CONTRACT_KEYS = {"answer", "lang", "procedure_codes", "citations", "asked", "needs_clarification"}
PARTS = {"fee", "documents", "time", "where", "steps", "legal", "other"}


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    return install_fake_engine(monkeypatch)


def ask(*args: str) -> str:
    out = StringIO()
    call_command("ask", *args, stdout=out)
    return out.getvalue()


def test_json_output_is_the_api_contract(fake_engine: FakeEngine) -> None:
    payload = json.loads(ask("làm lại căn cước hết bao nhiêu tiền", "--json"))
    assert CONTRACT_KEYS | {"session_id", "turn_id"} <= set(payload)
    assert payload["procedure_codes"] == [CARD_CODE]
    assert payload["asked"] in PARTS
    assert Conversation.objects.get().channel == Channel.CLI


def test_text_output_shows_the_answer_sources_and_session(fake_engine: FakeEngine) -> None:
    output = ask("làm", "lại", "căn", "cước")  # words without quotes are one question
    assert fake_engine.calls[0][0] == "làm lại căn cước"
    assert "Lệ phí cấp lại thẻ căn cước" in output
    assert "Nguồn / Sources:" in output and f"/procedures/{CARD_CODE}/" in output
    session = Conversation.objects.get().session_id
    assert f"session: {session}" in output

    follow = json.loads(ask("cần giấy tờ gì", "--session", str(session), "--lang", "en", "--json"))
    assert follow["session_id"] == str(session)
    assert fake_engine.calls[1][1] == "en"


def test_an_empty_question_is_a_command_error(fake_engine: FakeEngine) -> None:
    with pytest.raises(CommandError, match="Your question is empty"):
        ask("   ")


@pytest.fixture
def demo_catalogue(shared_data: Any) -> Iterator[None]:
    from thanglong.procedures import demo

    if not services.engine_available():
        pytest.skip("the assistant engine is not installed yet")
    demo.load(print)
    services.reset_engine()
    yield
    services.reset_engine()  # its index describes rows this test's transaction is about to roll back


def test_the_real_engine_answers_from_the_demo_catalogue(demo_catalogue: None) -> None:
    """GIVEN the demo catalogue and the real engine
    WHEN a citizen asks, without accents or with, what re-issuing an ID card costs
    THEN the JSON answer cites a published procedure and leads with the fee.
    """
    payload = json.loads(ask("làm lại căn cước hết bao nhiêu tiền", "--json"))
    assert set(payload) >= CONTRACT_KEYS
    assert payload["asked"] == "fee"
    assert payload["procedure_codes"], payload
    assert payload["citations"] and payload["citations"][0]["url"].startswith("/procedures/")
    assert payload["lang"] == "vi"

    english = json.loads(ask("How much does it cost to replace a lost ID card?", "--json"))
    assert english["lang"] == "en"
    assert english["asked"] == "fee"
