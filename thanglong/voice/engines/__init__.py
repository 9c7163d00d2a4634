"""The callbot's speech engines, chosen by settings and loaded once per process.

``THANGLONG_VOICE_ASR_ENGINE`` picks speech-to-text ("vietasr" or "whisper"); text-to-speech is
espeak-ng. Loading viet-asr takes a few seconds, so engines are built on first use and kept; a server
that takes calls loads and exercises them when it starts (:func:`warm_up`), so that the first caller
is not the one who waits for it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import numpy as np
from django.conf import settings

from thanglong.core.warmup import run_steps
from thanglong.voice.contracts import SpeechToText, TextToSpeech
from thanglong.voice.engines.base import EngineError

ASR_ENGINES = ("vietasr", "whisper")
_lock = threading.Lock()
_asr: dict[str, SpeechToText] = {}
_tts: list[TextToSpeech] = []

_warming: list[threading.Thread] = []
logger = logging.getLogger(__name__)

__all__ = ["ASR_ENGINES", "EngineError", "get_asr", "get_tts", "warm_up", "warm_up_in_background"]


def get_asr(name: str | None = None) -> SpeechToText:
    """The speech-to-text engine ``name`` (default: the configured one). Raises :class:`EngineError`."""
    name = name or settings.THANGLONG_VOICE_ASR_ENGINE
    if name not in ASR_ENGINES:
        raise EngineError(f"unknown speech-to-text engine {name!r}")
    with _lock:
        if name not in _asr:
            try:
                if name == "vietasr":
                    from thanglong.voice.engines.vietasr_engine import VietAsr

                    _asr[name] = VietAsr()
                else:
                    from thanglong.voice.engines.whisper_engine import FasterWhisper

                    _asr[name] = FasterWhisper(settings.THANGLONG_VOICE_WHISPER_DIR)
            except EngineError:
                raise
            except Exception as error:  # a broken model file, a missing native library
                raise EngineError(f"{name} could not be loaded: {error}") from error
        return _asr[name]


def get_tts() -> TextToSpeech:
    with _lock:
        if not _tts:
            from thanglong.voice.engines.espeak import EspeakNg

            _tts.append(EspeakNg())
        return _tts[0]


# --- warm-up ----------------------------------------------------------------------------------------


def _warm_asr() -> None:
    """Load the configured recogniser and decode half a second of line hiss, as a call would: the
    first decode also pays for the runtime's own lazy set-up (memory arenas, thread pools)."""
    from thanglong.voice.engines.base import StreamingSpeechToText

    engine = get_asr()
    hiss = np.random.default_rng(0).normal(0.0, 200.0, engine.sample_rate // 2).astype("<i2").tobytes()
    if isinstance(engine, StreamingSpeechToText):
        stream = engine.open_stream()
        stream.accept(hiss)
        stream.partial()
        stream.final()
    else:
        engine.transcribe(hiss)


def _warm_tts() -> None:
    from thanglong.voice.engines.espeak import VOICES

    voice = settings.THANGLONG_VOICE_TTS_VOICE
    get_tts().synthesise("Xin chào.", voice=voice if voice in VOICES else "north-female", sample_rate=8000)


def _warm_assistant() -> None:
    """The assistant's catalogue index (and its sentence-embedding model) is built on first question."""
    from thanglong.assistant.services import get_engine

    get_engine().reply("thủ tục đăng ký xe", lang="vi")


def warm_up(*, assistant: bool = True) -> dict[str, float]:
    """Load and run once the engines a call needs; seconds each took. Never raises: an engine that
    fails here is logged, and a call then falls back as it would anyway (keypad menu, officer)."""
    steps: list[tuple[str, Callable[[], None]]] = [("asr", _warm_asr), ("tts", _warm_tts)]
    if assistant:
        steps.append(("assistant", _warm_assistant))
    return run_steps(steps, log=logger, failed="voice warm-up: %s failed")


def warm_up_in_background() -> bool:
    """Warm the speech engines once per process in a daemon thread (the browser demo page starts it,
    so the engines load while the visitor reads the page); False when already started."""
    with _lock:
        if _warming:
            return False
        thread = threading.Thread(
            target=warm_up, kwargs={"assistant": False}, name="voice-warm-up", daemon=True
        )
        _warming.append(thread)
    thread.start()
    return True
