"""The callbot's prompts are gettext msgids looked up in the call's language, not the server's."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from thanglong.voice.prompts import PROMPTS, say


@pytest.fixture
def english_entry(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An English catalogue entry for the "ask_next" prompt, as a compiled translation would have it."""
    msgid = PROMPTS["ask_next"][0]
    catalogue = trans_real.translation("en")._catalog  # type: ignore[attr-defined]
    monkeypatch.setitem(catalogue._catalogs[0], msgid, "Go ahead, I am listening.")
    yield msgid


def test_the_call_language_selects_the_translation_whatever_the_active_language(english_entry: str) -> None:
    for active in ("vi", "en"):
        with translation.override(active):
            assert say("ask_next", "en") == "Go ahead, I am listening."
            assert say("ask_next", "vi") == english_entry == "Mời bạn hỏi."


def test_an_english_call_never_hears_an_untranslated_vietnamese_prompt() -> None:
    for key, (msgid, english) in PROMPTS.items():
        values = {
            name: "PA-2026-000123" for name in ("code", "text", "status", "unit") if f"{{{name}}}" in msgid
        }
        spoken = say(key, "en", **values)
        assert spoken != msgid.format(**values), key
        with translation.override("en"):
            translated = translation.gettext(msgid)
        assert spoken == (translated if translated != msgid else english).format(**values)


def test_values_are_filled_in_both_languages() -> None:
    assert say("report_filed", "vi", code="PA-2026-000123").count("PA-2026-000123") == 2
    assert "PA-2026-000123" in say("report_filed", "en", code="PA-2026-000123")
