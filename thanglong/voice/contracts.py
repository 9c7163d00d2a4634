"""What a telephony channel (the SIP user agent, the browser demo's WebSocket) and the callbot say
to each other, and the speech engines' contracts.

A channel owns the transport; the callbot owns the conversation. The channel feeds the caller's
audio in small frames as it arrives and carries out the actions it gets back, in order: play audio,
stop playing (the caller barged in), transfer, hang up. Audio is 16-bit signed little-endian mono
PCM at the rate the channel states (8,000 Hz for the telephone, 16,000 Hz for the browser);
the callbot resamples internally and answers at the channel's rate.

Time: every ``now`` passed across this contract (``on_tick(now)``, and the session's own ``clock``) is
``time.monotonic()`` seconds — a float that only grows and means nothing as a date; it compares with
other monotonic readings of the same process only. Wall-clock dates (call records, recordings) are
the session's business, from ``django.utils.timezone.now()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable


# --- Actions the callbot asks the channel to carry out --------------------------------------------
@dataclass(frozen=True)
class Play:
    """Play this audio to the caller (after anything already queued)."""

    pcm: bytes
    sample_rate: int
    text: str  # what the audio says, for the transcript and the browser page
    interruptible: bool = True  # False for the recording notice and emergency instructions


@dataclass(frozen=True)
class StopPlayback:
    """The caller started speaking: drop whatever is still queued to play (barge-in)."""


@dataclass(frozen=True)
class Partial:
    """A partial transcript of what the caller is saying now (shown live to a call-taker)."""

    text: str


@dataclass(frozen=True)
class Transfer:
    """Hand the call to a human: the officer queue, or the 113/114 call-taker for an emergency."""

    queue: str  # "officer" | "emergency"
    reason: str
    transcript: str


@dataclass(frozen=True)
class Hangup:
    reason: str


Action = Play | StopPlayback | Partial | Transfer | Hangup


@runtime_checkable
class CallSessionProtocol(Protocol):
    """One call, from the greeting to the hang-up. Every method returns the actions to carry out."""

    call_id: str

    def start(self) -> list[Action]: ...  # recording notice + greeting

    def on_audio(self, pcm: bytes) -> list[Action]: ...  # any length; 20 ms frames typical

    def on_dtmf(self, digit: str) -> list[Action]: ...  # "0"–"9", "*", "#"

    def on_tick(self, now: float) -> list[Action]: ...  # timers: silence, re-prompts; now = time.monotonic()

    def on_hangup(self) -> None: ...  # the caller hung up: the call record is closed and kept


# --- Speech engines ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Transcript:
    text: str
    confidence: float  # 0..1; the callbot asks again below a threshold
    language: str = "vi"
    words: list[tuple[str, float, float]] = field(default_factory=list)  # (word, start_s, end_s)


@runtime_checkable
class SpeechToText(Protocol):
    name: str
    sample_rate: int  # the rate the engine wants; callers resample to it

    def transcribe(self, pcm: bytes) -> Transcript: ...

    def stream(self, chunks: Iterator[bytes]) -> Iterator[Transcript]: ...  # partials, then the final


@runtime_checkable
class TextToSpeech(Protocol):
    name: str

    def voices(self) -> list[str]: ...

    def synthesise(self, text: str, *, voice: str, sample_rate: int) -> bytes: ...  # PCM16 mono
