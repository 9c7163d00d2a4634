"""``thanglong voice``: the callbot's engines and records from the command line.

thanglong voice purge                         delete calls and recordings past the retention period
thanglong voice say "text" -o out.wav [--voice north-male] [--rate 8000]
thanglong voice transcribe in.wav [--engine whisper]
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from thanglong.voice import engines, services
from thanglong.voice.audio import AudioError, read_wav, resample, wav_bytes
from thanglong.voice.engines.espeak import VOICES


class Command(BaseCommand):
    help = "Callbot: purge old calls, speak a text to a WAV file, transcribe a WAV file."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        actions.add_parser(
            "purge", help="delete calls and recordings older than THANGLONG_VOICE_RETENTION_DAYS"
        )
        say = actions.add_parser("say", help="synthesise text (after the speech normaliser) to a WAV file")
        say.add_argument("text")
        say.add_argument("-o", "--output", required=True)
        say.add_argument("--voice", choices=list(VOICES), default="north-female")
        say.add_argument("--rate", type=int, choices=[8000, 16000, 22050], default=16000)
        transcribe = actions.add_parser("transcribe", help="transcribe a 16-bit PCM WAV file")
        transcribe.add_argument("path")
        transcribe.add_argument("--engine", choices=list(engines.ASR_ENGINES), default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "purge":
                self.stdout.write(f"deleted {services.purge_expired()} call(s)")
            elif options["action"] == "say":
                pcm = engines.get_tts().synthesise(
                    options["text"], voice=options["voice"], sample_rate=options["rate"]
                )
                Path(options["output"]).write_bytes(wav_bytes(pcm, options["rate"]))
                self.stdout.write(f"{options['output']}: {len(pcm) / 2 / options['rate']:.2f} s")
            else:
                pcm, rate = read_wav(Path(options["path"]).read_bytes(), max_seconds=600)
                engine = engines.get_asr(options["engine"])
                transcript = engine.transcribe(resample(pcm, rate, engine.sample_rate))
                self.stdout.write(
                    f"{transcript.text}\n(confidence {transcript.confidence:.2f}, {engine.name})"
                )
        except (AudioError, OSError, engines.EngineError) as error:
            raise CommandError(str(error)) from error
