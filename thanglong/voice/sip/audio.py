"""Small PCM helpers for the telephone path: resampling to 8 kHz, levels, WAV files."""

from __future__ import annotations

import io
import wave
from functools import cache
from pathlib import Path

import numpy as np

TELEPHONE_RATE = 8000


@cache
def _lowpass(ratio: float, taps: int = 63) -> np.ndarray:
    """Windowed-sinc low-pass at the narrower band's Nyquist frequency (anti-aliasing before decimation)."""
    cutoff = 0.5 * ratio * 0.92
    n = np.arange(taps) - (taps - 1) / 2
    kernel = 2 * cutoff * np.sinc(2 * cutoff * n) * np.hamming(taps)
    return kernel / kernel.sum()


def resample(pcm: bytes, from_rate: int, to_rate: int) -> bytes:
    """16-bit mono PCM from one rate to another (low-pass when going down, linear interpolation)."""
    if from_rate == to_rate or not pcm:
        return pcm
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64)
    if to_rate < from_rate:
        samples = np.convolve(samples, _lowpass(to_rate / from_rate), mode="same")
    count = round(len(samples) * to_rate / from_rate)
    positions = np.arange(count) * (from_rate / to_rate)
    out = np.interp(positions, np.arange(len(samples)), samples)
    return np.clip(np.round(out), -32768, 32767).astype("<i2").tobytes()


def rms_dbfs(pcm: bytes) -> float:
    """Loudness in dB relative to full scale (-inf for digital silence)."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(np.float64)
    if samples.size == 0:
        return float("-inf")
    rms = float(np.sqrt(np.mean(samples**2)))
    return 20 * np.log10(rms / 32768) if rms > 0 else float("-inf")


def tone(frequency: float, seconds: float, rate: int = TELEPHONE_RATE, level: float = 0.3) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (np.sin(2 * np.pi * frequency * t) * level * 32767).astype("<i2").tobytes()


def read_wav(source: Path | bytes) -> tuple[bytes, int]:
    """(mono 16-bit PCM, rate) from a WAV file or its bytes; stereo is mixed down."""
    with wave.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), "rb") as handle:
        if handle.getsampwidth() != 2:
            raise ValueError("only 16-bit WAV is supported")
        frames = handle.readframes(handle.getnframes())
        rate, channels = handle.getframerate(), handle.getnchannels()
    if channels > 1:
        stereo = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).astype(np.int32)
        frames = stereo.mean(axis=1).astype("<i2").tobytes()
    return frames, rate


def write_wav(path: Path, pcm: bytes, rate: int = TELEPHONE_RATE) -> None:
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm)
