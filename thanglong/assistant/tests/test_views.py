"""Assistant pages: the citizens' chat (and its no-JavaScript fallback), and the officers' desk."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from thanglong.assistant import services
from thanglong.assistant.models import Channel, Conversation, Handoff, HandoffStatus, Turn
from thanglong.assistant.tests.test_service import CARD_CODE, FakeEngine, install_fake_engine
from thanglong.core.models import AuditAction, AuditEntry
from thanglong.procedures import services as procedures
from thanglong.procedures.models import ProcedurePhrase

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
DESK_PAGES = ["assistant:desk", "assistant:review", "assistant:handoffs"]


@pytest.fixture(autouse=True)
def _vietnamese_by_default() -> None:
    translation.activate("vi")


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    return install_fake_engine(monkeypatch)


@pytest.fixture
def card_procedure(db: None) -> Any:
    procedure, _ = procedures.save_authored_procedure(
        procedures.AuthoredProcedure(
            code=CARD_CODE,
            name="Cấp lại thẻ căn cước",
            area="Căn cước",
            level="",
            agency="Công an",
            steps=[],
            channels=[],
            citations=[],
        )
    )
    return procedure


def signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- the citizens' chat ----------------------------------------------------------------------------------


def test_chat_page_has_an_accessible_log_and_a_form(client: Client) -> None:
    response = client.get(reverse("assistant:chat"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="log"' in html and 'aria-live="polite"' in html
    assert '<textarea id="chat-question" name="question"' in html
    assert "assistant/chat.js" in html and "assistant/chat.css" in html
    assert 'data-ask-url="/api/v1/assistant/ask"' in html
    assert 'data-rating-url="/api/v1/assistant/turns/0/rating"' in html
    assert 'id="assistant-strings" type="application/json"' in html
    assert "Gặp cán bộ" in html
    assert "cdn" not in html.lower()


def test_chat_page_in_english(client: Client) -> None:
    client.cookies["thanglong_language"] = "en"
    response = client.get(reverse("assistant:chat"), headers={"accept-language": "en"})
    assert response.status_code == 200
    assert '<html lang="en">' in response.content.decode()


def test_without_javascript_the_form_posts_and_the_conversation_is_rendered(
    client: Client, fake_engine: FakeEngine, card_procedure: Any
) -> None:
    response = client.post(reverse("assistant:chat"), {"question": "làm lại căn cước hết bao nhiêu tiền"})
    assert response.status_code == 302
    client.post(reverse("assistant:chat"), {"question": "cần giấy tờ gì"})
    page = client.get(reverse("assistant:chat")).content.decode()
    assert "làm lại căn cước hết bao nhiêu tiền" in page
    assert "Lệ phí cấp lại thẻ căn cước: 70.000 đồng." in page
    assert "Giấy tờ: tờ khai CC01." in page
    assert f'href="/procedures/{CARD_CODE}/"' in page
    conversation = Conversation.objects.get()
    assert conversation.channel == Channel.WEB and conversation.turns.count() == 2
    assert f'data-session-id="{conversation.session_id}"' in page


def test_without_javascript_clarification_choices_are_buttons(
    client: Client, fake_engine: FakeEngine, card_procedure: Any
) -> None:
    client.post(reverse("assistant:chat"), {"question": "hộ chiếu"})
    page = client.get(reverse("assistant:chat")).content.decode()
    assert 'name="question" value="Cấp lại thẻ căn cước"' in page, "published choices become buttons"


@override_settings(THANGLONG_ASSISTANT_ASK_PER_MINUTE=1)
def test_the_no_javascript_form_shares_the_rate_limit(client: Client, fake_engine: FakeEngine) -> None:
    cache.clear()
    client.post(reverse("assistant:chat"), {"question": "căn cước"})
    response = client.post(reverse("assistant:chat"), {"question": "căn cước"}, follow=True)
    assert "Bạn hỏi quá nhanh" in response.content.decode()
    assert len(fake_engine.calls) == 1
    cache.clear()


def test_an_empty_question_shows_the_message(client: Client, fake_engine: FakeEngine) -> None:
    response = client.post(reverse("assistant:chat"), {"question": "  "}, follow=True)
    assert "Bạn chưa nhập câu hỏi" in response.content.decode()
    assert not Conversation.objects.exists()


def test_html_in_questions_and_answers_is_shown_as_text(client: Client, fake_engine: FakeEngine) -> None:
    client.post(reverse("assistant:chat"), {"question": SCRIPT})
    page = client.get(reverse("assistant:chat")).content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_without_javascript_talk_to_an_officer(client: Client, fake_engine: FakeEngine) -> None:
    response = client.post(reverse("assistant:handoff"), {"contact": "0912345678"}, follow=True)
    assert "Hãy đặt một câu hỏi trước" in response.content.decode()
    client.post(reverse("assistant:chat"), {"question": "thời tiết"})
    response = client.post(reverse("assistant:handoff"), {"contact": "0912345678"}, follow=True)
    assert "Đã chuyển cuộc hội thoại cho cán bộ" in response.content.decode()
    assert Handoff.objects.get().contact == "0912345678"
    assert client.get(reverse("assistant:handoff")).status_code == 405


# --- the officers' desk -------------------------------------------------------------------------------------


@pytest.fixture
def conversations(fake_engine: FakeEngine, card_procedure: Any) -> dict[str, Any]:
    web, card_turn, _ = services.ask("Làm lại CĂN CƯỚC hết bao nhiêu", channel=Channel.WEB)
    zalo, weather_turn, _ = services.ask(
        SCRIPT + " thời tiết", channel=Channel.ZALO, external_user_id="2468001"
    )
    services.rate_turn(card_turn, 1)
    services.rate_turn(weather_turn, -1)
    handoff = services.request_handoff(zalo, "muốn gặp cán bộ", "0987 654 321")
    return {
        "web": web,
        "zalo": zalo,
        "card_turn": card_turn,
        "weather_turn": weather_turn,
        "handoff": handoff,
    }


@pytest.mark.parametrize("name", [*DESK_PAGES, "assistant:stats"])
def test_desk_pages_render_for_the_desk(
    hanoi_force: dict[str, Any], conversations: dict[str, Any], name: str
) -> None:
    response = signed_in(hanoi_force["canbo.pc06"]).get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html, "citizens' words are escaped on every officer page"


@pytest.mark.parametrize("username", ["canbo.caugiay", "lanhdao.caugiay", "giamdoc"])
def test_desk_pages_refuse_officers_outside_the_desk(
    hanoi_force: dict[str, Any], conversations: dict[str, Any], username: str
) -> None:
    client = signed_in(hanoi_force[username])
    for name in DESK_PAGES:
        assert client.get(reverse(name)).status_code == 403
    transcript = reverse("assistant:transcript", args=[conversations["zalo"].pk])
    assert client.get(transcript).status_code == 403
    assert client.get(reverse("assistant:stats")).status_code == 200, "satisfaction figures are for all staff"
    assert not AuditEntry.objects.filter(object_type="assistant.conversation").exists()


def test_desk_pages_send_anonymous_visitors_to_sign_in(client: Client) -> None:
    for name in [*DESK_PAGES, "assistant:stats"]:
        response = client.get(reverse(name))
        assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_log_searches_without_accents_and_audits_the_search(
    hanoi_force: dict[str, Any], conversations: dict[str, Any]
) -> None:
    client = signed_in(hanoi_force["chihuy"])
    html = client.get(reverse("assistant:desk"), {"q": "lam lai can cuoc"}).content.decode()
    assert "Làm lại CĂN CƯỚC hết bao nhiêu" in html
    assert "thời tiết" not in html
    entry = AuditEntry.objects.get(object_type="assistant.turn")
    assert (entry.action, entry.object_repr) == (AuditAction.SEARCH, "lam lai can cuoc")

    zalo_only = client.get(reverse("assistant:desk"), {"channel": "zalo"}).content.decode()
    assert "thời tiết" in zalo_only and "Làm lại CĂN CƯỚC" not in zalo_only


def test_opening_a_transcript_is_audited_and_shows_the_sender_and_contact(
    hanoi_force: dict[str, Any], conversations: dict[str, Any]
) -> None:
    zalo = conversations["zalo"]
    response = signed_in(hanoi_force["canbo.pc06"]).get(reverse("assistant:transcript", args=[zalo.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "2468001" in html and "0987 654 321" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; thời tiết" in html and SCRIPT not in html
    entry = AuditEntry.objects.get(object_type="assistant.conversation")
    assert (entry.action, entry.actor_username, entry.object_id) == (
        AuditAction.READ,
        "canbo.pc06",
        str(zalo.pk),
    )
    assert entry.path == reverse("assistant:transcript", args=[zalo.pk])


def test_review_list_preselects_the_engines_candidate_and_adds_the_phrase(
    hanoi_force: dict[str, Any],
    conversations: dict[str, Any],
    monkeypatch: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """GIVEN a question the assistant could only answer with a clarifying question
    WHEN a desk officer adds its phrasing to the pre-selected procedure with one click
    THEN the catalogue knows the phrasing, the turn leaves the list, and the engine is reset after commit.
    """
    resets: list[bool] = []
    monkeypatch.setattr(services, "reset_engine", lambda: resets.append(True))
    _, unclear, _ = services.ask("hộ chiếu gắn chip bị mất thì sao", channel=Channel.WEB)
    client = signed_in(hanoi_force["canbo.pc06"])

    html = client.get(reverse("assistant:review")).content.decode()
    assert "hộ chiếu gắn chip bị mất thì sao" in html
    assert "thời tiết" in html, "out of scope answers are listed too"
    assert "Làm lại CĂN CƯỚC" not in html, "confident answers are not"
    # The fake offered [TL.9002, TL.9001]; only TL.9001 is published, and the first published candidate…
    assert f'<option value="{CARD_CODE}">' in html or f'<option value="{CARD_CODE}" selected>' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("assistant:add_phrase", args=[unclear.pk]),
            {"procedure": CARD_CODE, "phrase": "thẻ gắn chip bị mất"},
            follow=True,
        )
    assert response.status_code == 200
    assert "Đã thêm cách hỏi" in response.content.decode()
    assert ProcedurePhrase.objects.filter(procedure__code=CARD_CODE, text="thẻ gắn chip bị mất").exists()
    assert Turn.objects.get(pk=unclear.pk).reviewed
    assert resets == [True]

    refused = client.post(
        reverse("assistant:add_phrase", args=[conversations["weather_turn"].pk]), {"procedure": "nope"}
    )
    assert refused.status_code == 302
    assert not Turn.objects.get(pk=conversations["weather_turn"].pk).reviewed

    client.post(reverse("assistant:dismiss", args=[conversations["weather_turn"].pk]))
    assert Turn.objects.get(pk=conversations["weather_turn"].pk).reviewed
    assert (
        signed_in(hanoi_force["canbo.caugiay"])
        .post(reverse("assistant:dismiss", args=[unclear.pk]))
        .status_code
        == 403
    )


def test_review_select_preselects_the_top_candidate(
    hanoi_force: dict[str, Any], fake_engine: FakeEngine, card_procedure: Any, monkeypatch: Any
) -> None:
    _, turn, _ = services.ask("thời tiết", channel=Channel.WEB)
    Turn.objects.filter(pk=turn.pk).update(procedure_codes=[CARD_CODE])
    html = signed_in(hanoi_force["admin"]).get(reverse("assistant:review")).content.decode()
    assert f'<option value="{CARD_CODE}" selected>' in html


def test_the_handoff_queue_take_and_close(hanoi_force: dict[str, Any], conversations: dict[str, Any]) -> None:
    handoff = conversations["handoff"]
    officer = signed_in(hanoi_force["canbo.pc06"])
    html = officer.get(reverse("assistant:handoffs")).content.decode()
    assert "0987 654 321" in html and "muốn gặp cán bộ" in html
    assert AuditEntry.objects.filter(object_type="assistant.handoff", action=AuditAction.READ).exists()

    officer.post(reverse("assistant:take_handoff", args=[handoff.pk]))
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.TAKEN and handoff.taken_by == hanoi_force["canbo.pc06"]
    again = signed_in(hanoi_force["chihuy"]).post(
        reverse("assistant:take_handoff", args=[handoff.pk]), follow=True
    )
    assert "đã được cán bộ khác xử lý" in again.content.decode()

    officer.post(reverse("assistant:close_handoff", args=[handoff.pk]))
    handoff.refresh_from_db()
    assert handoff.status == HandoffStatus.CLOSED
    assert "0987 654 321" not in officer.get(reverse("assistant:handoffs")).content.decode()
    assert officer.get(reverse("assistant:take_handoff", args=[handoff.pk])).status_code == 405


def test_stats_show_thumbs_and_share(hanoi_force: dict[str, Any], conversations: dict[str, Any]) -> None:
    html = signed_in(hanoi_force["canbo.caugiay"]).get(reverse("assistant:stats")).content.decode()
    assert "50 %" in html
    assert "Zalo OA" in html and "Trang web" in html


def test_desk_log_query_count_does_not_grow_with_turns(
    hanoi_force: dict[str, Any], fake_engine: FakeEngine, django_assert_max_num_queries: Any
) -> None:
    for index in range(30):
        services.ask(f"căn cước {index}", channel=Channel.WEB)
    client = signed_in(hanoi_force["admin"])
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assistant:desk")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("assistant:review")).status_code == 200


def test_admin_shows_read_only_transcripts_with_masked_personal_data_and_audits_them(
    conversations: dict[str, Any],
) -> None:
    root = User.objects.create_superuser("root", password="Test-password-123")
    client = signed_in(root)
    zalo = conversations["zalo"]
    listing = client.get("/admin/assistant/conversation/").content.decode()
    assert "2468001" not in listing and "246**01" in listing
    page = client.get(f"/admin/assistant/conversation/{zalo.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "0987 654 321" not in html and "098****321" in html
    assert SCRIPT not in html
    assert AuditEntry.objects.filter(object_type="assistant.conversation", reason="admin").count() == 1
    assert client.get("/admin/assistant/turn/").status_code == 200
    assert client.get("/admin/assistant/handoff/").status_code == 200
    assert client.get("/admin/assistant/turn/add/").status_code == 403
