"""Text-to-speech with Debian's espeak-ng: four Vietnamese voices (northern and southern accent, male
and female) plus English for English-speaking callers.

espeak-ng has one Vietnamese voice per accent; a variant (``+m3``, ``+f2`` …) changes the timbre and
a different rate and pitch per voice makes the four sound like four different speakers. Text is run
through the speech normaliser first (numbers, dates, codes, abbreviations).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass

from thanglong.voice.audio import resample
from thanglong.voice.engines.base import EngineError
from thanglong.voice.speech_text import normalise_for_speech

ESPEAK_RATE = 22050
MAX_CHARS = 4000  # a spoken answer is a few sentences; longer text is cut, not queued for minutes


@dataclass(frozen=True)
class Voice:
    espeak: str  # espeak-ng voice + variant
    speed: int  # words per minute
    pitch: int  # 0–99
    label: str
    lang: str = "vi"


VOICES: dict[str, Voice] = {
    "north-female": Voice("vi+f2", 150, 62, "Nữ miền Bắc"),
    "north-male": Voice("vi+m3", 145, 38, "Nam miền Bắc"),
    "south-female": Voice("vi-vn-x-south+f4", 160, 70, "Nữ miền Nam"),
    "south-male": Voice("vi-vn-x-south+m1", 155, 30, "Nam miền Nam"),
}
ENGLISH_VOICES: dict[str, Voice] = {
    "english-female": Voice("en-gb+f2", 160, 60, "English (female)", "en"),
    "english-male": Voice("en-gb+m3", 160, 40, "English (male)", "en"),
}


def english_counterpart(voice: str) -> str:
    return "english-male" if voice.endswith("-male") else "english-female"


class EspeakNg:
    name = "espeak-ng"

    def __init__(self, binary: str | None = None) -> None:
        found = binary or shutil.which("espeak-ng")
        if not found:
            raise EngineError("espeak-ng is not installed (apt-get install espeak-ng)")
        self.binary = found

    def voices(self) -> list[str]:
        return [*VOICES, *ENGLISH_VOICES]

    def synthesise(self, text: str, *, voice: str, sample_rate: int) -> bytes:
        spec = VOICES.get(voice) or ENGLISH_VOICES.get(voice)
        if spec is None:
            raise ValueError(f"unknown voice {voice!r}; one of {', '.join(self.voices())}")
        spoken = normalise_for_speech(text, lang=spec.lang)[:MAX_CHARS].strip()
        if not spoken:
            return b""
        command = [self.binary, "-v", spec.espeak, "-s", str(spec.speed), "-p", str(spec.pitch), "--stdout"]
        try:
            # Text on stdin, never on the command line: a leading "-" in the text is not an option.
            done = subprocess.run(command, input=spoken.encode(), capture_output=True, timeout=30, check=True)  # noqa: S603
        except (OSError, subprocess.SubprocessError) as error:
            raise EngineError(f"espeak-ng failed: {error}") from error
        pcm = _wav_payload(done.stdout)
        return resample(pcm, ESPEAK_RATE, sample_rate)


def _wav_payload(data: bytes) -> bytes:
    """The samples of espeak-ng's streamed WAV (its header's sizes are placeholders: skip to "data")."""
    index = data.find(b"data", 12)
    if data[:4] != b"RIFF" or index < 0:
        raise EngineError("espeak-ng returned no WAV audio")
    payload = data[index + 8 :]
    return payload[: len(payload) - len(payload) % 2]
