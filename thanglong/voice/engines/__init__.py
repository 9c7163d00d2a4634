"""The callbot's speech engines, chosen by settings and loaded once per process.

``THANGLONG_VOICE_ASR_ENGINE`` picks speech-to-text ("vietasr" or "whisper"); text-to-speech is
espeak-ng. Loading viet-asr takes a few seconds, so engines are built on first use and kept.
"""

from __future__ import annotations

import threading

from django.conf import settings

from thanglong.voice.contracts import SpeechToText, TextToSpeech
from thanglong.voice.engines.base import EngineError

ASR_ENGINES = ("vietasr", "whisper")
_lock = threading.Lock()
_asr: dict[str, SpeechToText] = {}
_tts: list[TextToSpeech] = []

__all__ = ["ASR_ENGINES", "EngineError", "get_asr", "get_tts"]


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
