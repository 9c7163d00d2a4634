"""PCM helpers of the callbot: resampling between telephone, wideband and engine rates, WAV files,
and the voice activity detector that decides when a caller has finished speaking.

All audio is 16-bit signed little-endian mono PCM, as in :mod:`thanglong.voice.contracts`.
"""

from __future__ import annotations

import io
import wave
from dataclasses import dataclass
from math import gcd

import numpy as np

TELEPHONE_RATE = 8000
WIDEBAND_RATE = 16000


class AudioError(ValueError):
    """Audio we cannot use (not a WAV, not PCM16, empty); carries a message in both languages."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_vi = message_vi
        self.message_en = message_en


def to_array(pcm: bytes) -> np.ndarray:
    return np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2")


def to_bytes(samples: np.ndarray) -> bytes:
    return np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes()


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """Polyphase resampling (anti-aliased), e.g. 8 kHz telephone audio to the 16 kHz an engine wants."""
    if from_rate == to_rate or not pcm:
        return pcm[: len(pcm) - len(pcm) % 2]
    # Imported here: scipy.signal takes most of a second to import, and every web worker loads this
    # module (through the voice console's URLs) without ever resampling a call.
    from scipy.signal import resample_poly

    divisor = gcd(from_rate, to_rate)
    samples = to_array(pcm).astype(np.float32)
    return to_bytes(resample_poly(samples, to_rate // divisor, from_rate // divisor))


def duration(pcm: bytes, sample_rate: int) -> float:
    return len(pcm) / 2 / sample_rate


def rms(pcm: bytes) -> float:
    samples = to_array(pcm)
    if samples.size == 0:
        return 0.0
    return float(np.sqrt(np.mean(samples.astype(np.float64) ** 2)))


def wav_bytes(pcm: bytes, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(sample_rate)
        out.writeframes(pcm)
    return buffer.getvalue()


def read_wav(data: bytes, *, max_seconds: float = 120.0) -> tuple[bytes, int]:
    """PCM16 mono and its rate from a WAV file; stereo is mixed down. Raises :class:`AudioError`."""
    try:
        with wave.open(io.BytesIO(data), "rb") as source:
            channels, width, rate = source.getnchannels(), source.getsampwidth(), source.getframerate()
            frames = source.getnframes()
            if width != 2 or not 8000 <= rate <= 48000:
                raise AudioError(
                    "Âm thanh phải là WAV PCM 16 bit, 8–48 kHz.", "Audio must be 16-bit PCM WAV at 8–48 kHz."
                )
            if frames > max_seconds * rate:
                raise AudioError(
                    f"Đoạn ghi âm quá dài (tối đa {max_seconds:.0f} giây).",
                    f"The recording is too long (at most {max_seconds:.0f} seconds).",
                )
            raw = source.readframes(frames)
    except (wave.Error, EOFError) as error:
        raise AudioError(
            "Tệp không phải âm thanh WAV hợp lệ.", "The file is not a valid WAV file."
        ) from error
    samples = to_array(raw)
    if channels > 1:
        samples = samples.reshape(-1, channels).mean(axis=1)
    return to_bytes(np.asarray(samples, dtype=np.float32)), rate


@dataclass
class VadEvent:
    speech_started: bool = False
    utterance_ended: bool = False


class VoiceActivityDetector:
    """Energy-based detector with an adaptive noise floor, fed 10–30 ms frames.

    Speech starts after ``start_ms`` of frames clearly above the noise floor (a click or a cough does
    not barge in); the utterance ends after ``end_silence_ms`` below it. The floor follows the line's
    background noise while nobody speaks, so a noisy mobile line does not count as endless speech.
    """

    def __init__(
        self, sample_rate: int, *, end_silence_ms: int = 600, start_ms: int = 120, min_level: float = 300.0
    ) -> None:
        self.sample_rate = sample_rate
        self.end_silence_ms = end_silence_ms
        self.start_ms = start_ms
        self.min_level = min_level
        self.noise_floor = min_level / 3
        self.in_speech = False
        self._voiced_ms = 0.0
        self._silent_ms = 0.0
        self.speech_ms = 0.0

    def threshold(self) -> float:
        return max(self.min_level, self.noise_floor * 3.0)

    def feed(self, frame: bytes) -> VadEvent:
        event = VadEvent()
        ms = duration(frame, self.sample_rate) * 1000
        if ms <= 0:
            return event
        level = rms(frame)
        voiced = level > self.threshold()
        if not self.in_speech:
            if voiced:
                self._voiced_ms += ms
                if self._voiced_ms >= self.start_ms:
                    self.in_speech = True
                    self._silent_ms = 0.0
                    self.speech_ms = self._voiced_ms
                    event.speech_started = True
            else:
                self._voiced_ms = 0.0
                # Adapt slowly to the background while nobody speaks.
                self.noise_floor = 0.95 * self.noise_floor + 0.05 * level
        else:
            self.speech_ms += ms
            if voiced:
                self._silent_ms = 0.0
            else:
                self._silent_ms += ms
                if self._silent_ms >= self.end_silence_ms:
                    self.in_speech = False
                    self._voiced_ms = 0.0
                    event.utterance_ended = True
        return event

    def reset(self) -> None:
        self.in_speech = False
        self._voiced_ms = 0.0
        self._silent_ms = 0.0
        self.speech_ms = 0.0


def frames(pcm: bytes, sample_rate: int, frame_ms: int = 20) -> list[bytes]:
    size = sample_rate * frame_ms // 1000 * 2
    return [pcm[i : i + size] for i in range(0, len(pcm), size)]


def silence(seconds: float, sample_rate: int) -> bytes:
    return b"\x00\x00" * int(seconds * sample_rate)
