"""What the callbot needs of engines beyond the contract: push-style streaming for live partials."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from thanglong.voice.contracts import Transcript


class EngineError(RuntimeError):
    """An engine is missing or failed; the callbot falls back to the keypad menu or an officer."""


class RecognitionStream(Protocol):
    """One utterance fed as it arrives; ``partial`` is cheap, ``final`` ends the utterance."""

    def accept(self, pcm: bytes) -> None: ...

    def partial(self) -> str: ...

    def final(self) -> Transcript: ...


@runtime_checkable
class StreamingSpeechToText(Protocol):
    name: str
    sample_rate: int

    def open_stream(self) -> RecognitionStream: ...


def words_confidence(text: str, seconds: float) -> float:
    """A confidence for engines that give none: Vietnamese speech runs 3–5 syllables a second, so a few
    words over a long stretch of "speech" is noise or music the recogniser guessed at."""
    words = len(text.split())
    if words == 0:
        return 0.0
    if seconds <= 0.8:
        return 0.9
    return round(min(0.95, words / seconds / 1.5), 3)
