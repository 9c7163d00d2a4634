"""Start-up warm-up: a server that takes calls loads and runs its engines before the first caller."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from thanglong.voice import engines
from thanglong.voice.contracts import SpeechToText, TextToSpeech


def test_warm_up_loads_and_runs_the_configured_engines(
    vietasr: SpeechToText, tts: TextToSpeech, settings: Any
) -> None:
    settings.THANGLONG_VOICE_ASR_ENGINE = "vietasr"
    took = engines.warm_up(assistant=False)
    assert set(took) == {"asr", "tts"}
    assert all(seconds >= 0 for seconds in took.values())
    assert engines.get_asr() is vietasr  # the same, kept engine a call then gets


def test_a_broken_engine_is_logged_not_raised(
    tts: TextToSpeech, settings: Any, caplog: pytest.LogCaptureFixture
) -> None:
    settings.THANGLONG_VOICE_ASR_ENGINE = "no-such-engine"
    with caplog.at_level(logging.WARNING, logger="thanglong.voice.engines"):
        took = engines.warm_up(assistant=False)
    assert "asr" not in took
    assert "tts" in took  # the others still warmed
    assert any("asr failed" in record.getMessage() for record in caplog.records)


def test_the_demo_page_warms_the_engines_once_per_process(
    client: Any, monkeypatch: pytest.MonkeyPatch, db: None
) -> None:
    calls: list[bool] = []
    done = threading.Event()

    def fake_warm_up(*, assistant: bool = True) -> dict[str, float]:
        calls.append(assistant)
        done.set()
        return {}

    monkeypatch.setattr(engines, "warm_up", fake_warm_up)
    monkeypatch.setattr(engines, "_warming", [])
    assert client.get("/callbot/").status_code == 200
    assert done.wait(5)
    assert client.get("/callbot/").status_code == 200
    engines._warming[0].join(5)
    assert calls == [False]  # once, in the background, speech engines only (no database work)
