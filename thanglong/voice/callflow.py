"""One call with the callbot, from the recording notice to the hang-up (``CallSessionProtocol``).

The channel feeds audio frames, key presses and clock ticks; the session answers with actions. The
caller's speech is found by a voice activity detector; while they speak, audio streams into the
recogniser (live partials for the call-taker) and, if we were talking, playback stops (barge-in).
After ~600 ms of silence the utterance is final and goes to the same assistant as the chat, with the
call's dialogue state. The spoken answer is the written one cut for the ear, with the rest behind key 9.

Nothing here may drop a call: a recogniser, synthesiser or assistant failure falls back to the keypad
menu, and when even speaking fails, to an officer.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings

from thanglong.core.text import fold
from thanglong.voice import services
from thanglong.voice.audio import VoiceActivityDetector, duration, resample
from thanglong.voice.contracts import (
    Action,
    Hangup,
    Partial,
    Play,
    SpeechToText,
    StopPlayback,
    TextToSpeech,
    Transcript,
    Transfer,
)
from thanglong.voice.engines.base import RecognitionStream, StreamingSpeechToText
from thanglong.voice.engines.espeak import VOICES, english_counterpart
from thanglong.voice.models import Call, Outcome, Speaker
from thanglong.voice.prompts import NO_MORE, YES, say
from thanglong.voice.speech_text import shorten_for_ear

logger = logging.getLogger(__name__)

NO_INPUT_SECONDS = 7.0  # after a prompt finishes, this long without speech counts as silence
PARTIAL_EVERY_MS = 400
PRE_ROLL_MS = 300  # audio kept from before speech was detected, so the first syllable is not cut
MAX_UTTERANCE_SECONDS = 30.0  # a caller reading a whole letter is cut here and answered
REPORT_MAX_SECONDS = 90.0
FRAME_MS = 20


class Mode:
    LISTEN = "listen"  # free speech to the assistant
    CONFIRM = "confirm"  # "anything else?" after an answer
    MENU = "menu"  # waiting for a key
    REPORT = "report"  # taking a spoken report
    REPORT_CONFIRM = "report_confirm"
    STATUS_CODE = "status_code"
    STATUS_PHONE = "status_phone"
    ENDED = "ended"


@dataclass
class FlowState:
    """Everything the flow remembers between events; stored on the call so a request-based channel
    (the browser demo) can rebuild the session on each request."""

    mode: str = Mode.LISTEN
    lang: str = "vi"
    silences: int = 0
    misunderstandings: int = 0
    more: str = ""  # the part of the last answer not yet spoken (key 9)
    digits: str = ""
    status_code: str = ""
    report_text: str = ""
    asr_broken: bool = False
    turns: int = 0

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> FlowState:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in (data or {}).items() if key in known})


@dataclass
class TurnTiming:
    """For the benchmark: end of caller speech → first audio of the answer, split into its parts."""

    silence_ms: float
    processing_ms: float
    text: str = ""

    @property
    def latency_ms(self) -> float:
        return self.silence_ms + self.processing_ms


@dataclass
class _Utterance:
    audio: bytearray = field(default_factory=bytearray)  # at the channel's rate, for the recording
    stream: RecognitionStream | None = None
    engine_audio: bytearray = field(default_factory=bytearray)  # for engines without streaming
    since_partial_ms: float = 0.0
    last_partial: str = ""


class CallSession:
    def __init__(
        self,
        call_id: str | None = None,
        *,
        sample_rate: int = 8000,
        caller_number: str = "",
        channel: str = "sip",
        asr: SpeechToText | None = None,
        tts: TextToSpeech | None = None,
        voice: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        call: Call | None = None,
    ) -> None:
        from thanglong.voice import engines

        self.call_id = call_id or (call.call_id if call else str(uuid.uuid4()))
        self.sample_rate = sample_rate
        self.clock = clock
        self.voice = voice if voice in VOICES else settings.THANGLONG_VOICE_TTS_VOICE
        if self.voice not in VOICES:
            self.voice = "north-female"
        self._asr_error = ""
        self.asr: SpeechToText | None = asr
        if self.asr is None:
            try:
                self.asr = engines.get_asr()
            except Exception as error:  # the call still goes on, on the keypad
                logger.exception("speech-to-text unavailable")
                self._asr_error = str(error)
        self.tts = tts or engines.get_tts()
        self.call = call or services.create_call(
            call_id=self.call_id,
            channel=channel,
            caller_number=caller_number,
            asr_engine=getattr(self.asr, "name", ""),
            voice=self.voice,
        )
        self.state = FlowState.from_dict(self.call.flow_state)
        if self._asr_error:
            self.state.asr_broken = True
        self.vad = VoiceActivityDetector(sample_rate, end_silence_ms=settings.THANGLONG_VOICE_END_SILENCE_MS)
        self._pre_roll: deque[bytes] = deque(maxlen=max(1, PRE_ROLL_MS // FRAME_MS))
        self._utterance: _Utterance | None = None
        self._pending = bytearray()
        self._playing_until = 0.0  # clock time when what we queued ends
        self._interruptible = True
        self._listen_since = clock()
        self.timings: list[TurnTiming] = []
        # Work that may wait until just after the first audio of an answer has gone out: the rest of
        # the answer's speech, the transcript rows, the recording. Done on the channel's next event
        # (20 ms later on a telephone line) or by :meth:`drain`.
        self._queued_speech: list[tuple[str, bool]] = []
        self._later: list[Callable[[], object]] = []

    # --- the protocol -------------------------------------------------------------------------------

    def start(self) -> list[Action]:
        def begin() -> list[Action]:
            notice = self._say("notice", interruptible=False)
            services.update_call(self.call, notice_played=True)
            greeting = self._say("greeting")
            self._persist()
            return notice + greeting

        return self._guard(begin)

    def on_audio(self, pcm: bytes) -> list[Action]:
        actions: list[Action] = self.drain()
        if self.state.mode == Mode.ENDED:
            return actions
        self._pending.extend(pcm)
        size = self.sample_rate * FRAME_MS // 1000 * 2
        while len(self._pending) >= size:
            frame = bytes(self._pending[:size])
            del self._pending[:size]
            actions += self._guard(lambda frame=frame: self._on_frame(frame))  # type: ignore[misc]
            if self.state.mode == Mode.ENDED:
                break
        return actions

    def on_dtmf(self, digit: str) -> list[Action]:
        if self.state.mode == Mode.ENDED or digit not in "0123456789*#" or len(digit) != 1:
            return self.drain()
        self._queued_speech.clear()  # a key press cuts the rest of an answer short, like barge-in
        actions: list[Action] = self.drain()
        services.add_turn(self.call, Speaker.CALLER, dtmf=digit)
        actions += [StopPlayback()] if self._playing() else []
        self._playing_until = self.clock()
        actions += self._guard(lambda: self._handle_dtmf(digit))
        self._persist()
        return actions

    def on_tick(self, now: float) -> list[Action]:
        """``now``: ``time.monotonic()`` seconds, the same clock as ``self.clock`` (see contracts)."""
        actions = self.drain()
        if self.state.mode in (Mode.ENDED, Mode.STATUS_CODE, Mode.STATUS_PHONE) or self.vad.in_speech:
            return actions
        if now - max(self._listen_since, self._playing_until) < NO_INPUT_SECONDS:
            return actions
        return actions + self._guard(self.on_silence)

    def on_hangup(self) -> None:
        self._queued_speech.clear()
        self.drain()
        if self._utterance is not None and self.call.notice_played:
            services.append_recording(self.call, bytes(self._utterance.audio), self.sample_rate)
        self.state.mode = Mode.ENDED
        self._persist()
        services.close_call(self.call, Outcome.HANGUP)

    # --- for request-based channels (the browser demo) ------------------------------------------------

    def end_of_input(self) -> list[Action]:
        """The recorded turn is over: close a pending utterance, or count the turn as silence."""
        actions = self.drain()
        if self.state.mode == Mode.ENDED:
            return actions
        if self.vad.in_speech and self._utterance is not None:
            self.vad.reset()
            return actions + self._guard(lambda: self._end_utterance(silence_ms=0.0))
        return actions + self._guard(self.on_silence)

    def on_text(self, text: str, *, confidence: float = 0.9, language: str = "vi") -> list[Action]:
        """An utterance already recognised elsewhere (a channel with its own recogniser, demo data)."""
        actions = self.drain()
        if self.state.mode == Mode.ENDED:
            return actions
        transcript = Transcript(text=text, confidence=confidence, language=language)
        started = time.perf_counter()
        actions += self._guard(
            lambda: self._handle_transcript(transcript, audio_ms=0, started=started, silence_ms=0.0)
        )
        self._listen_since = self.clock()
        self._later.append(self._persist)
        return actions + self.drain()

    def drain(self) -> list[Action]:
        """Speak the rest of a queued answer and write what was deferred; request-based channels call
        this before answering."""
        actions: list[Action] = []
        while self._queued_speech:
            text, interruptible = self._queued_speech.pop(0)
            actions += self._guard(lambda text=text, i=interruptible: self._synthesise(text, i))  # type: ignore[misc]
        while self._later:
            job = self._later.pop(0)
            try:
                job()
            except Exception:
                logger.exception("call %s: deferred write failed", self.call_id)
        return actions

    def on_silence(self) -> list[Action]:
        """Nobody spoke after a prompt: re-prompt twice, then the keypad menu, then goodbye."""
        self.state.silences += 1
        self._listen_since = self.clock()
        services.add_turn(self.call, Speaker.SYSTEM, "(im lặng)")
        if self.state.silences <= 2:
            actions = self._say("menu" if self.state.mode == Mode.MENU else "reprompt")
        elif self.state.silences == 3:
            self.state.mode = Mode.MENU
            actions = self._say("menu")
        else:
            actions = self._end(Outcome.NO_INPUT, "goodbye_silence")
        self._persist()
        return actions

    # --- audio --------------------------------------------------------------------------------------

    def _on_frame(self, frame: bytes) -> list[Action]:
        actions: list[Action] = []
        event = self.vad.feed(frame)
        if event.speech_started:
            if self.state.asr_broken and self.state.mode not in (Mode.REPORT,):
                # Without a recogniser speech cannot be understood; the keypad still works.
                self._pre_roll.clear()
                return []
            if self._playing():
                if not self._interruptible:
                    self.vad.reset()
                    return []
                actions.append(StopPlayback())
                self._playing_until = self.clock()
            self._utterance = _Utterance()
            self._open_stream(self._utterance)
            for earlier in self._pre_roll:
                self._feed(earlier)
            self._pre_roll.clear()
        if self._utterance is None:
            self._pre_roll.append(frame)
            return actions
        actions += self._feed(frame)
        if event.utterance_ended:
            actions += self._end_utterance(silence_ms=float(self.vad.end_silence_ms))
        elif duration(bytes(self._utterance.audio), self.sample_rate) > self._max_utterance():
            self.vad.reset()
            actions += self._end_utterance(silence_ms=0.0)
        return actions

    def _max_utterance(self) -> float:
        return REPORT_MAX_SECONDS if self.state.mode == Mode.REPORT else MAX_UTTERANCE_SECONDS

    def _open_stream(self, utterance: _Utterance) -> None:
        if self.asr is None or self.state.asr_broken:
            return
        if isinstance(self.asr, StreamingSpeechToText):
            try:
                utterance.stream = self.asr.open_stream()
            except Exception:
                logger.exception("speech-to-text stream failed")
                utterance.stream = None

    def _feed(self, frame: bytes) -> list[Action]:
        utterance = self._utterance
        assert utterance is not None
        utterance.audio.extend(frame)
        if self.asr is None or self.state.asr_broken:
            return []
        engine_pcm = resample(frame, self.sample_rate, self.asr.sample_rate)
        if utterance.stream is None:
            utterance.engine_audio.extend(engine_pcm)
            return []
        utterance.stream.accept(engine_pcm)
        utterance.since_partial_ms += FRAME_MS
        if utterance.since_partial_ms < PARTIAL_EVERY_MS:
            return []
        utterance.since_partial_ms = 0.0
        text = utterance.stream.partial()
        if text and text != utterance.last_partial:
            utterance.last_partial = text
            return [Partial(text)]
        return []

    def _end_utterance(self, *, silence_ms: float) -> list[Action]:
        utterance, self._utterance = self._utterance, None
        if utterance is None:
            return []
        started = time.perf_counter()
        if self.call.notice_played:
            audio = bytes(utterance.audio)
            self._later.append(lambda: services.append_recording(self.call, audio, self.sample_rate))
        try:
            transcript = self._final(utterance)
        except Exception:
            logger.exception("speech-to-text failed during a call")
            self.state.asr_broken = True
            services.add_turn(self.call, Speaker.SYSTEM, "(lỗi nhận dạng giọng nói)")
            return self._to_menu(prefix="engine_down")
        self.state.silences = 0
        audio_ms = round(duration(bytes(utterance.audio), self.sample_rate) * 1000)
        actions = self._handle_transcript(
            transcript, audio_ms=audio_ms, started=started, silence_ms=silence_ms
        )
        self._listen_since = self.clock()
        self._later.append(self._persist)
        return actions

    def _final(self, utterance: _Utterance) -> Transcript:
        if self.asr is None:
            raise RuntimeError(self._asr_error or "no speech-to-text engine")
        if utterance.stream is not None:
            return utterance.stream.final()
        return self.asr.transcribe(bytes(utterance.engine_audio))

    # --- understanding -------------------------------------------------------------------------------

    def _handle_transcript(
        self, transcript: Transcript, *, audio_ms: int, started: float, silence_ms: float
    ) -> list[Action]:
        text = transcript.text.strip()
        if transcript.language == "en" and self.state.lang != "en":
            self.state.lang = "en"
        latency: list[int] = []
        # Written after the answer's first audio, with its latency; first in line, so turns keep their order.
        self._later.insert(
            0,
            lambda: services.add_turn(
                self.call,
                Speaker.CALLER,
                text,
                confidence=transcript.confidence,
                audio_ms=audio_ms,
                latency_ms=latency[0] if latency else None,
            ),
        )
        threshold = settings.THANGLONG_VOICE_MIN_CONFIDENCE / 100
        if text and self._emergency_kind(text):
            actions = self._emergency(text)
        elif not text or transcript.confidence < threshold:
            actions = self._not_understood()
        elif self.state.mode == Mode.REPORT:
            actions = self._report_heard(text)
        elif self.state.mode == Mode.CONFIRM and self._is_no(text):
            # A filed report or a status given stays the call's outcome; "answered" otherwise.
            decided = self.call.outcome if self.call.outcome != Outcome.IN_PROGRESS else Outcome.ANSWERED
            actions = self._end(decided, "goodbye")
        elif self.state.mode == Mode.CONFIRM and self._is_yes(text):
            self.state.mode = Mode.LISTEN
            actions = self._say("ask_next")
        elif self.state.mode in (Mode.MENU, Mode.REPORT_CONFIRM, Mode.STATUS_CODE, Mode.STATUS_PHONE):
            # Speaking in a keypad step: treat it as a new question (callers rarely read the menu).
            self.state.mode = Mode.LISTEN
            actions = self._ask(text)
        else:
            actions = self._ask(text)
        first_play = next((a for a in actions if isinstance(a, Play)), None)
        processing_ms = (time.perf_counter() - started) * 1000
        if first_play is not None:
            self.timings.append(TurnTiming(silence_ms=silence_ms, processing_ms=processing_ms, text=text))
            latency.append(round(silence_ms + processing_ms))
        return actions

    def _emergency_kind(self, text: str) -> str | None:
        from thanglong.assistant.engine.intents import emergency_kind

        return emergency_kind(fold(text))

    def _is_no(self, text: str) -> bool:
        folded = fold(text).strip(" .!?")
        return folded in NO_MORE or folded.startswith(("khong can", "khong co", "het roi", "no "))

    def _is_yes(self, text: str) -> bool:
        return fold(text).strip(" .!?") in YES

    def _ask(self, text: str) -> list[Action]:
        from thanglong.assistant import services as assistant
        from thanglong.assistant.engine.types import Intent

        try:
            conversation, _turn, reply = assistant.ask(
                text,
                session_id=self.call.assistant_session,
                lang=self.state.lang,
                channel="voice",
                external_user_id=self.call.caller_number,
            )
        except assistant.InvalidQuestionError:
            return self._not_understood()
        except Exception:
            logger.exception("assistant failed during a call")
            services.add_turn(self.call, Speaker.SYSTEM, "(lỗi trợ lý ảo)")
            return self._to_menu()
        if self.call.assistant_session != conversation.session_id:
            services.update_call(self.call, assistant_session=conversation.session_id)
        self.state.lang = "en" if reply.lang == "en" else "vi"
        if self.call.lang != self.state.lang:
            services.update_call(self.call, lang=self.state.lang)
        intent = str(reply.intent)
        self.state.turns += 1
        if reply.emergency or intent == Intent.EMERGENCY.value:
            return self._emergency(text)
        if intent == Intent.HANDOFF.value:
            return self._transfer_officer("caller asked for an officer")
        if intent == Intent.FEEDBACK.value:
            services.update_call(self.call, intent=intent)
            return self._start_report()
        if intent == Intent.CASE_STATUS.value:
            services.update_call(self.call, intent=intent)
            return self._start_status()
        if intent == Intent.OUT_OF_SCOPE.value:
            return self._not_understood(key="out_of_scope")
        self.state.misunderstandings = 0
        services.update_call(self.call, intent=intent, outcome=Outcome.ANSWERED)
        spoken, rest = self._for_ear(reply.answer)
        if reply.needs_clarification:
            self.state.mode = Mode.LISTEN
            return self._speak(spoken, intent=intent, stream=True)
        self.state.mode = Mode.CONFIRM
        tail = " ".join(
            filter(
                None, [say("more", self.state.lang) if rest else "", say("anything_else", self.state.lang)]
            )
        )
        return self._speak(spoken, intent=intent, tail=tail, stream=True)

    def _for_ear(self, answer: str) -> tuple[str, str]:
        spoken, cut = shorten_for_ear(answer)
        if not cut:
            self.state.more = ""
            return spoken, ""
        rest_full = answer[len(spoken) :] if answer.startswith(spoken) else answer
        rest, _ = shorten_for_ear(rest_full, max_sentences=6, max_chars=700)
        # The remainder must differ from what was said; else offer the next sentences of the answer.
        self.state.more = rest if rest and rest != spoken else ""
        return spoken, self.state.more

    def _not_understood(self, key: str = "rephrase") -> list[Action]:
        self.state.misunderstandings += 1
        if self.state.misunderstandings == 1:
            self.state.mode = Mode.LISTEN
            return self._say(key, stream=True)
        if self.state.misunderstandings == 2:
            return self._to_menu()
        return self._transfer_officer("not understood three times")

    # --- keypad -------------------------------------------------------------------------------------

    def _handle_dtmf(self, digit: str) -> list[Action]:
        mode = self.state.mode
        if mode in (Mode.STATUS_CODE, Mode.STATUS_PHONE):
            return self._status_digit(digit)
        if mode == Mode.REPORT_CONFIRM and digit in "12":
            return self._file_report() if digit == "1" else self._start_report()
        if digit == "0":
            return self._transfer_officer("caller pressed 0")
        if digit == "9":
            if self.state.more:
                more, self.state.more = self.state.more, ""
                self.state.mode = Mode.CONFIRM
                return self._speak(more, tail=say("anything_else", self.state.lang))
            return self._say("nothing_more") + self._say("anything_else")
        if digit == "*":
            self.state.lang = "vi" if self.state.lang == "en" else "en"
            services.update_call(self.call, lang=self.state.lang)
            self.state.mode = Mode.LISTEN
            return self._say("english" if self.state.lang == "en" else "vietnamese")
        if digit == "1":
            self.state.mode = Mode.LISTEN
            self.state.misunderstandings = 0
            return self._say("ask_procedure")
        if digit == "2":
            return self._start_report()
        if digit == "3":
            return self._start_status()
        if digit == "#":
            return self._to_menu(prefix=None)
        return self._say("invalid_key") + self._to_menu(prefix=None)

    def _to_menu(self, prefix: str | None = None) -> list[Action]:
        self.state.mode = Mode.MENU
        actions = self._say(prefix) if prefix else []
        return actions + self._say("menu")

    # --- reports (key 2, or "I want to report …") ------------------------------------------------------

    def _start_report(self) -> list[Action]:
        self.state.mode = Mode.REPORT
        self.state.report_text = ""
        return self._say("report_start")

    def _report_heard(self, text: str) -> list[Action]:
        from thanglong.feedback.services.intake import TEXT_MIN

        if len(text) < TEXT_MIN:
            return self._say("report_too_short")
        self.state.report_text = text[:4000]
        self.state.mode = Mode.REPORT_CONFIRM
        return self._say("report_confirm", text=text[:300])

    def _file_report(self) -> list[Action]:
        from thanglong.feedback.services.intake import IntakeError, submit_report

        phone = self.call.caller_number
        data: dict[str, Any] = {"text": self.state.report_text, "lang": self.state.lang}
        # The caller's number is their contact; an unknown or withheld number files anonymously.
        if phone and sum(ch.isdigit() for ch in phone) >= 9:
            data.update(phone=phone, consent=True)
        else:
            data["anonymous"] = True
        try:
            report, _created = submit_report(
                data, channel="phone", idempotency_key=f"call-{self.call.pk}-report"
            )
        except IntakeError:
            try:
                report, _created = submit_report(
                    {"text": self.state.report_text, "anonymous": True, "lang": self.state.lang},
                    channel="phone",
                    idempotency_key=f"call-{self.call.pk}-report-anon",
                )
            except Exception:
                logger.exception("a spoken report could not be filed")
                return self._say("report_failed") + self._transfer_officer(
                    "report could not be filed", speak=False
                )
        except Exception:
            logger.exception("a spoken report could not be filed")
            return self._say("report_failed") + self._transfer_officer(
                "report could not be filed", speak=False
            )
        services.update_call(
            self.call,
            report_tracking_code=report.tracking_code,
            outcome=Outcome.REPORT_FILED,
            intent="feedback",
        )
        self.state.report_text = ""
        self.state.mode = Mode.CONFIRM
        return self._speak(
            say("report_filed", self.state.lang, code=report.tracking_code),
            tail=say("anything_else", self.state.lang),
            intent="feedback",
        )

    # --- case status (key 3) ---------------------------------------------------------------------------

    def _start_status(self) -> list[Action]:
        self.state.mode = Mode.STATUS_CODE
        self.state.digits = ""
        return self._say("status_code")

    def _status_digit(self, digit: str) -> list[Action]:
        if digit == "*":
            return self._to_menu(prefix=None)
        if digit != "#":
            self.state.digits = (self.state.digits + digit)[-12:]
            self._persist()
            return []
        digits, self.state.digits = self.state.digits, ""
        if self.state.mode == Mode.STATUS_CODE:
            if len(digits) < 7:
                return self._say("status_not_found") + self._say("status_code")
            self.state.status_code = f"PA-{digits[:4]}-{digits[4:]}"
            self.state.mode = Mode.STATUS_PHONE
            return self._say("status_phone")
        return self._status_lookup(digits)

    def _status_lookup(self, last4: str) -> list[Action]:
        from thanglong.feedback.services.public import lookup

        code = self.state.status_code
        report = lookup(code, last4)
        self.state.mode = Mode.CONFIRM
        if report is None:
            self.state.mode = Mode.STATUS_CODE
            return self._say("status_not_found") + self._say("status_code")
        services.update_call(self.call, intent="case_status", outcome=Outcome.STATUS_GIVEN)
        text = say(
            "status_found",
            self.state.lang,
            code=report.tracking_code,
            status=str(report.status_label),
            unit=report.unit_name or "-",
        )
        return self._speak(text, tail=say("anything_else", self.state.lang), intent="case_status")

    # --- hand-overs and the end -------------------------------------------------------------------------

    def transcript_text(self) -> str:
        lines = []
        for turn in self.call.turns.all():
            who = {"caller": "Người gọi", "bot": "Tổng đài"}.get(turn.speaker, "Hệ thống")
            lines.append(f"{who}: {turn.text or turn.dtmf}")
        return "\n".join(lines)[-8000:]

    def _emergency(self, text: str) -> list[Action]:
        kind = self._emergency_kind(text) or "crime"
        self.state.mode = Mode.ENDED
        services.update_call(self.call, intent="emergency", outcome=Outcome.EMERGENCY, outcome_detail=kind)
        actions = self._say("emergency", interruptible=False)
        transcript = self.transcript_text()
        self._open_incident(kind, transcript)
        services.add_turn(self.call, Speaker.SYSTEM, "→ 113/114")
        services.close_call(self.call, Outcome.EMERGENCY, kind)
        self._persist()
        return [*actions, Transfer(queue="emergency", reason=kind, transcript=transcript)]

    def _open_incident(self, kind: str, transcript: str) -> None:
        # The incidents app may not be installed in every deployment; the transfer happens regardless.
        try:
            from thanglong.incidents import services as incidents
        except ImportError:
            return
        open_from_call = getattr(incidents, "open_from_call", None)
        if open_from_call is None:
            return
        try:
            incident = open_from_call(
                line="114" if kind == "fire" else "113",
                caller_number=self.call.caller_number,
                transcript=transcript,
                call_id=self.call_id,
            )
        except Exception:
            logger.exception("could not open an incident for an emergency call")
            return
        services.update_call(self.call, incident_ref=str(getattr(incident, "pk", incident))[:64])

    def _transfer_officer(self, reason: str, *, speak: bool = True) -> list[Action]:
        actions = self._say("officer", interruptible=False) if speak else []
        self.state.mode = Mode.ENDED
        services.add_turn(self.call, Speaker.SYSTEM, "→ cán bộ")
        services.close_call(self.call, Outcome.OFFICER, reason)
        self._persist()
        return [*actions, Transfer(queue="officer", reason=reason, transcript=self.transcript_text())]

    def _end(self, outcome: str, prompt: str) -> list[Action]:
        actions = self._say(prompt, interruptible=False)
        self.state.mode = Mode.ENDED
        services.close_call(self.call, outcome)
        self._persist()
        return [*actions, Hangup(reason=outcome)]

    # --- speaking -----------------------------------------------------------------------------------

    def _voice_name(self) -> str:
        return english_counterpart(self.voice) if self.state.lang == "en" else self.voice

    def _say(
        self, key: str, *, interruptible: bool = True, stream: bool = False, **values: str
    ) -> list[Action]:
        return self._speak(say(key, self.state.lang, **values), interruptible=interruptible, stream=stream)

    def _speak(
        self, text: str, *, tail: str = "", intent: str = "", interruptible: bool = True, stream: bool = False
    ) -> list[Action]:
        """Speak ``text`` (then ``tail``) sentence by sentence.

        ``stream``: only the first sentence is synthesised now, so the caller hears the answer as soon
        as possible; the rest follows on the channel's next event (see :meth:`drain`). Otherwise
        anything still queued is spoken first, so audio never plays out of order.
        """
        actions: list[Action] = [] if stream else self.drain()
        said = f"{text} {tail}".strip()
        self._later.append(lambda: services.add_turn(self.call, Speaker.BOT, said, intent=intent))
        pieces = [piece for piece in re.split(r"(?<=[.!?])\s+", text.strip(), maxsplit=1) if piece] + (
            [tail] if tail else []
        )
        if not pieces:
            return actions
        actions += self._synthesise(pieces[0], interruptible)
        if stream:
            self._queued_speech += [(piece, interruptible) for piece in pieces[1:]]
        else:
            for piece in pieces[1:]:
                actions += self._synthesise(piece, interruptible)
            # Transcript rows before a transfer or hang-up reads them.
            actions += self.drain()
        return actions

    def _synthesise(self, text: str, interruptible: bool) -> list[Action]:
        pcm = self.tts.synthesise(text, voice=self._voice_name(), sample_rate=self.sample_rate)
        if self.call.notice_played:
            self._later.append(lambda: services.append_recording(self.call, pcm, self.sample_rate))
        now = self.clock()
        self._playing_until = max(self._playing_until, now) + duration(pcm, self.sample_rate)
        self._interruptible = interruptible
        return [Play(pcm=pcm, sample_rate=self.sample_rate, text=text, interruptible=interruptible)]

    def _playing(self) -> bool:
        return self.clock() < self._playing_until

    # --- safety net ---------------------------------------------------------------------------------

    def _guard(self, handler: Callable[[], list[Action]]) -> list[Action]:
        """Run a handler; on failure keep the call alive on the keypad menu, else hand it to an officer."""
        try:
            return handler()
        except Exception:
            logger.exception("call %s: handler failed", self.call_id)
            try:
                services.add_turn(self.call, Speaker.SYSTEM, "(lỗi hệ thống)")
                if self.state.mode != Mode.MENU:
                    return self._to_menu()
            except Exception:
                logger.exception("call %s: the menu could not be played either", self.call_id)
            self.state.mode = Mode.ENDED
            try:
                services.close_call(self.call, Outcome.ERROR, "engine failure")
                transcript = self.transcript_text()
            except Exception:
                transcript = ""
            return [Transfer(queue="officer", reason="engine failure", transcript=transcript)]

    def _persist(self) -> None:
        services.update_call(self.call, flow_state=asdict(self.state))


def restore(call: Call, **kwargs: Any) -> CallSession:
    """A session for an existing call record (request-based channels rebuild it on every request)."""
    return CallSession(call.call_id, call=call, channel=call.channel, **kwargs)
