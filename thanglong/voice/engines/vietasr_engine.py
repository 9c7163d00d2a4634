"""Default speech-to-text: viet-asr (embedded ONNX model, streaming partials), 16 kHz."""

from __future__ import annotations

import atexit
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np

from thanglong.voice.contracts import Transcript
from thanglong.voice.engines.base import EngineError, words_confidence

# The native pipeline is shared by every call; its sessions are not documented as thread-safe, so
# calls into the library are serialised (a turn's final decode takes a few hundred ms on 2 cores).
_LOCK = threading.Lock()


class VietAsrStream:
    def __init__(self, engine: VietAsr) -> None:
        self._engine = engine
        with _LOCK:
            self._session: Any = engine.pipeline.stream(float(engine.sample_rate))
        self._samples = 0
        self._last = ""

    def accept(self, pcm: bytes) -> None:
        if not pcm:
            return
        pcm = pcm[: len(pcm) - len(pcm) % 2]
        self._samples += len(pcm) // 2
        with _LOCK:
            self._session.accept(pcm)

    def partial(self) -> str:
        with _LOCK:
            text = str(self._session.partial().text or "")
        self._last = text or self._last
        return text

    def final(self) -> Transcript:
        with _LOCK:
            text = str(self._session.final().text or "").strip()
            self._session.close()
        return Transcript(
            text=text, confidence=words_confidence(text, self._samples / self._engine.sample_rate)
        )


class VietAsr:
    name = "vietasr"
    sample_rate = 16000

    def __init__(self) -> None:
        try:
            import vietasr
        except ImportError as error:  # pragma: no cover - a deployment without the wheel
            raise EngineError("viet-asr is not installed") from error
        with _LOCK:
            self.pipeline: Any = vietasr.Pipeline.preset("transcribe")
        # Freed before interpreter shutdown: freeing it during teardown fails inside cffi.
        atexit.register(self.close)

    def close(self) -> None:
        with _LOCK:
            self.pipeline.close()

    def transcribe(self, pcm: bytes) -> Transcript:
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
        if samples.size < self.sample_rate // 10:
            return Transcript(text="", confidence=0.0)
        with _LOCK:
            result = self.pipeline.transcribe(samples, float(self.sample_rate))
        text = str(result.text or "").strip()
        return Transcript(text=text, confidence=words_confidence(text, samples.size / self.sample_rate))

    def open_stream(self) -> VietAsrStream:
        return VietAsrStream(self)

    def stream(self, chunks: Iterator[bytes]) -> Iterator[Transcript]:
        stream = self.open_stream()
        last = ""
        for chunk in chunks:
            stream.accept(chunk)
            text = stream.partial()
            if text and text != last:
                last = text
                yield Transcript(text=text, confidence=0.0)
        yield stream.final()
