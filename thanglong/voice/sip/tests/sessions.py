"""Tiny call sessions for the telephony tests: they speak tones, echo the caller, obey digits.

They stand in for the callbot so the SIP path is tested on its own; the loopback test with a real
SIP client uses the callbot itself when it is installed.
"""

from __future__ import annotations

import threading

import numpy as np

from thanglong.voice.contracts import Action, Hangup, Play, StopPlayback, Transfer
from thanglong.voice.sip.audio import tone

GREETING_HZ = 440.0


class EchoSession:
    """Greets with a 440 Hz tone (at 16 kHz, so the channel must resample), then echoes loud audio back.

    Digits: 0 → transfer to an officer, 5 → stop playback, 9 → hang up; each digit is kept.
    """

    def __init__(self, call_id: str, sample_rate: int = 8000) -> None:
        self.call_id = call_id
        self.sample_rate = sample_rate
        self.digits: list[str] = []
        self.heard = bytearray()
        self.pending = bytearray()
        self.ticks = 0
        self.hung_up = threading.Event()
        self.threads: set[str] = set()

    def start(self) -> list[Action]:
        self.threads.add(threading.current_thread().name)
        return [Play(tone(GREETING_HZ, 0.6, rate=16000), 16000, "greeting", interruptible=False)]

    def on_audio(self, pcm: bytes) -> list[Action]:
        self.threads.add(threading.current_thread().name)
        self.heard.extend(pcm)
        samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")
        if samples.size and np.abs(samples).max() > 2000:
            self.pending.extend(pcm)
        if len(self.pending) >= self.sample_rate * 2 * 3 // 10:  # 0.3 s of speech: say it back
            echo = bytes(self.pending)
            self.pending.clear()
            return [Play(echo, self.sample_rate, "echo")]
        return []

    def on_dtmf(self, digit: str) -> list[Action]:
        self.digits.append(digit)
        if digit == "0":
            return [Transfer("officer", "caller asked for an officer", "")]
        if digit == "5":
            return [StopPlayback()]
        if digit == "9":
            return [Play(tone(660.0, 0.2), 8000, "goodbye"), Hangup("caller chose to end")]
        if digit == "7":  # a long message the caller can interrupt with 5
            return [Play(tone(550.0, 5.0), 8000, "long message")]
        return []

    def on_tick(self, now: float) -> list[Action]:
        self.ticks += 1
        return []

    def on_hangup(self) -> None:
        self.hung_up.set()
