"""Fixtures of the callbot tests: real engines (skipped cleanly where a wheel or espeak-ng is missing),
the demo catalogue's authored procedures, and a caller whose speech is synthesised by espeak-ng."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from thanglong.voice.audio import silence
from thanglong.voice.contracts import SpeechToText, TextToSpeech


@pytest.fixture
def tts() -> TextToSpeech:
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng)")
    from thanglong.voice.engines import get_tts

    return get_tts()


@pytest.fixture(scope="session")
def vietasr() -> SpeechToText:
    pytest.importorskip("vietasr", reason="viet-asr is not installed")
    from thanglong.voice.engines import get_asr

    return get_asr("vietasr")


@pytest.fixture
def recordings(tmp_path: Path, settings: Any) -> Iterator[Path]:
    settings.THANGLONG_VOICE_RECORDINGS_DIR = tmp_path / "voice"
    yield tmp_path / "voice"


@pytest.fixture
def catalogue(db: None) -> Iterator[list[str]]:
    """The authored procedures of the demo catalogue (vehicle registration, fire-safety design …)."""
    from thanglong.assistant.services import reset_engine
    from thanglong.procedures import demo, services

    codes = []
    for entry in demo.AUTHORED:
        services.save_authored_procedure(entry)
        codes.append(entry.code)
    reset_engine()
    yield codes
    reset_engine()


def caller_speech(
    tts: TextToSpeech, text: str, sample_rate: int = 8000, *, voice: str = "south-male"
) -> bytes:
    """What a caller says, followed by a second of silence (end of the utterance)."""
    return tts.synthesise(text, voice=voice, sample_rate=sample_rate) + silence(1.0, sample_rate)
