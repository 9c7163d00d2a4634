"""CallSession end to end with the real engines: espeak-ng speaks, viet-asr listens, the assistant answers.

The caller's speech is synthesised with espeak-ng. Its Vietnamese is hard for a recogniser trained
on natural speech (see the bench), so spoken tests use phrases it carries through reliably; the
rest of the flow is driven by keys, silence and noise, which need no recognition.
"""

from __future__ import annotations

import re
import subprocess
from typing import Any

import numpy as np
import pytest

from thanglong.feedback.models import Report
from thanglong.voice.audio import resample, silence
from thanglong.voice.callflow import NO_INPUT_SECONDS, CallSession, restore
from thanglong.voice.contracts import (
    CallSessionProtocol,
    Hangup,
    Partial,
    Play,
    SpeechToText,
    StopPlayback,
    TextToSpeech,
    Transcript,
    Transfer,
)
from thanglong.voice.engines.espeak import _wav_payload
from thanglong.voice.models import Call, CallTurn, Outcome
from thanglong.voice.tests.conftest import caller_speech

pytestmark = pytest.mark.django_db
RATE = 8000


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def espeak(text: str, voice: str = "vi+m3", speed: int = 145) -> bytes:
    """A caller's words at telephone rate, then a second of silence (the end of the utterance)."""
    done = subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "--stdout"], input=text.encode(),
                          capture_output=True, check=True)  # fmt: skip
    return resample(_wav_payload(done.stdout), 22050, RATE) + silence(1.0, RATE)


def noise(seconds: float) -> bytes:
    rng = np.random.default_rng(7)
    return (rng.normal(0, 6000, int(seconds * RATE))).astype("<i2").tobytes() + silence(1.0, RATE)


def texts(actions: list[Any]) -> str:
    return " ".join(action.text for action in actions if isinstance(action, Play))


@pytest.fixture
def session(tts: TextToSpeech, vietasr: SpeechToText, recordings: Any, catalogue: list[str]) -> CallSession:
    clock = Clock()
    call = CallSession(caller_number="0912345678", asr=vietasr, tts=tts, clock=clock)
    call.clock_control = clock  # type: ignore[attr-defined]
    return call


def quiet(session: CallSession) -> None:
    """Let whatever the callbot queued finish playing (no barge-in on the next speech)."""
    session.clock_control.now += 120  # type: ignore[attr-defined]


def test_notice_then_greeting_and_the_call_is_recorded(session: CallSession) -> None:
    assert isinstance(session, CallSessionProtocol)
    actions = session.start()
    plays = [action for action in actions if isinstance(action, Play)]
    assert "ghi âm" in plays[0].text and not plays[0].interruptible
    assert "tổng đài tự động" in texts(actions)
    assert all(play.sample_rate == RATE and len(play.pcm) > RATE for play in plays)
    call = Call.objects.get(call_id=session.call_id)
    assert call.notice_played and call.outcome == Outcome.IN_PROGRESS
    assert call.turns.filter(speaker="bot").count() == 2
    # The greeting (after the notice) is in the recording; the notice itself is not.
    assert call.recording.endswith(".wav") and call.recording_seconds > 2


def test_a_spoken_procedure_question_is_answered_from_the_catalogue(session: CallSession) -> None:
    from thanglong.procedures import services as procedures

    procedures.save_authored_procedure(
        procedures.AuthoredProcedure(
            code="TEST.HC",
            name="Cấp hộ chiếu phổ thông",
            area="Xuất nhập cảnh",
            level="province",
            agency="Phòng Quản lý xuất nhập cảnh",
            steps=["Khai tờ khai đề nghị cấp hộ chiếu.", "Nộp hồ sơ.", "Nhận hộ chiếu."],
            channels=[{"kind": "in_person", "description": "Nộp trực tiếp.", "time_limit": "", "fees": []}],
            citations=[
                procedures.AuthoredCitation(doc_type="Luật", number="49/2019/QH14", issuer="Quốc hội")
            ],
        )
    )
    from thanglong.assistant.services import reset_engine

    reset_engine()
    session.start()
    quiet(session)
    actions = session.on_audio(espeak("làm hộ chiếu"))
    first = texts(actions)
    # The first sentence comes at once; the rest of the answer on the channel's next event.
    actions += session.drain()
    [action for action in actions if isinstance(action, Partial)]
    answer = texts(actions)
    assert first and len(first) < len(answer)
    call = Call.objects.get(call_id=session.call_id)
    caller = call.turns.filter(speaker="caller").last()
    assert caller is not None and "chiếu" in caller.text, caller.text if caller else ""
    assert "hộ chiếu" in answer.lower(), answer
    assert "Bạn còn cần hỏi gì nữa không?" in answer
    assert call.intent == "procedure" and call.assistant_session is not None
    assert caller.latency_ms is not None and caller.latency_ms >= 600
    assert any(isinstance(action, Partial) for action in actions)  # live text while the caller spoke
    # The dialogue state carries over: key 9 reads on where the answer was cut, if it was.
    follow = session.on_dtmf("9")
    assert texts(follow)


def test_barge_in_stops_the_greeting(session: CallSession) -> None:
    session.start()  # the clock stands still: the greeting is still playing
    actions = session.on_audio(espeak("làm hộ chiếu"))
    assert isinstance(actions[0], StopPlayback)


def test_the_recording_notice_cannot_be_interrupted(session: CallSession, tts: TextToSpeech) -> None:
    session._speak("Cuộc gọi này được ghi âm.", interruptible=False)
    actions = session.on_audio(noise(0.5))
    assert not any(isinstance(action, StopPlayback) for action in actions)


def test_silence_reprompts_twice_then_menu_then_goodbye(session: CallSession) -> None:
    session.start()
    clock = session.clock_control  # type: ignore[attr-defined]
    prompts = []
    for _ in range(5):
        # Silence counts from the end of the last prompt, not from when it was queued.
        ended = max(session._playing_until, session._listen_since)
        assert session.on_tick(ended + NO_INPUT_SECONDS - 1) == []
        clock.now = ended + NO_INPUT_SECONDS + 1
        prompts.append(session.on_tick(clock.now))
    assert "chưa nghe thấy" in texts(prompts[0]) and "chưa nghe thấy" in texts(prompts[1])
    assert "bấm phím 1" in texts(prompts[2])
    assert isinstance(prompts[3][-1], Hangup) and prompts[4] == []
    call = Call.objects.get(call_id=session.call_id)
    assert call.outcome == Outcome.NO_INPUT and call.ended_at is not None


def test_noise_is_not_understood_then_menu_then_officer(session: CallSession) -> None:
    session.start()
    results = []
    for _ in range(3):
        quiet(session)
        results.append(session.on_audio(noise(2.0)) + session.drain())
    assert "nói lại" in texts(results[0]) or "chỉ trả lời" in texts(results[0])
    assert "bấm phím 1" in texts(results[1])
    transfer = results[2][-1]
    assert isinstance(transfer, Transfer) and transfer.queue == "officer"
    assert "Người gọi" in transfer.transcript


def test_dtmf_menu_zero_transfers_to_an_officer(session: CallSession) -> None:
    session.start()
    actions = session.on_dtmf("0")
    assert isinstance(actions[0], StopPlayback)
    assert isinstance(actions[-1], Transfer) and actions[-1].queue == "officer"
    assert Call.objects.get(call_id=session.call_id).outcome == Outcome.OFFICER
    assert session.on_dtmf("1") == [] and session.on_audio(noise(1)) == []


def test_star_switches_to_english(session: CallSession) -> None:
    session.start()
    actions = session.on_dtmf("*")
    assert "Switching to English" in texts(actions)
    menu = session.on_dtmf("#")
    assert "For procedures, press 1" in texts(menu)
    assert Call.objects.get(call_id=session.call_id).lang == "en"


def test_spoken_report_is_filed_and_the_code_read_back(session: CallSession) -> None:
    session.start()
    assert "nội dung phản ánh" in texts(session.on_dtmf("2"))
    quiet(session)
    heard = session.on_audio(espeak("tôi muốn phản ánh tiếng ồn karaoke ở ngõ năm phố Huế đến nửa đêm"))
    heard += session.drain()
    assert "Bấm phím 1 để gửi" in texts(heard)
    filed = session.on_dtmf("1")
    call = Call.objects.get(call_id=session.call_id)
    report = Report.objects.get(tracking_code=call.report_tracking_code)
    assert report.channel == "phone" and call.outcome == Outcome.REPORT_FILED
    said = texts(filed)
    assert report.tracking_code in said
    # The synthesiser is given the code digit by digit (the normaliser spells it).
    from thanglong.voice.speech_text import normalise_for_speech

    assert "pê a, hai không" in normalise_for_speech(said)


def test_case_status_by_keys(session: CallSession) -> None:
    from thanglong.feedback.services.intake import submit_report

    report, _ = submit_report(
        {"text": "Đèn đường hỏng cả tuần ở phố Huế", "phone": "0987654321", "consent": True}, channel="web"
    )
    session.start()
    assert "mã phản ánh" in texts(session.on_dtmf("3"))
    quiet(session)
    for digit in re.sub(r"\D", "", report.tracking_code):
        assert session.on_dtmf(digit) == []
    assert "bốn số cuối" in texts(session.on_dtmf("#"))
    for digit in "0000":
        session.on_dtmf(digit)
    assert "Không tìm thấy" in texts(session.on_dtmf("#"))
    for digit in re.sub(r"\D", "", report.tracking_code):
        session.on_dtmf(digit)
    session.on_dtmf("#")
    for digit in "4321":
        session.on_dtmf(digit)
    found = texts(session.on_dtmf("#"))
    assert report.tracking_code in found and "trạng thái" in found
    assert Call.objects.get(call_id=session.call_id).outcome == Outcome.STATUS_GIVEN


def test_emergency_goes_to_the_113_queue_at_once(session: CallSession) -> None:
    session.start()
    quiet(session)
    actions = session.on_audio(caller_speech(session.tts, "cứu tôi với", voice="north-female"))
    transfer = actions[-1]
    assert isinstance(transfer, Transfer) and transfer.queue == "emergency", texts(actions)
    assert "khẩn cấp" in texts(actions)
    call = Call.objects.get(call_id=session.call_id)
    assert call.outcome == Outcome.EMERGENCY and call.intent == "emergency" and call.ended_at
    incidents = pytest.importorskip("thanglong.incidents.models")
    incident = incidents.Incident.objects.get(call_id=session.call_id)
    lines = " ".join(line.text for line in incident.transcript.all())
    assert call.incident_ref == str(incident.pk) and "cứu" in lines, lines
    assert session.on_audio(noise(1)) == []


class BrokenRecogniser:
    """A recogniser whose model fails mid-call (a corrupt file, a crashed native library)."""

    name = "broken"
    sample_rate = 16000

    def transcribe(self, pcm: bytes) -> Transcript:
        raise RuntimeError("model file is corrupt")

    def stream(self, chunks: Any) -> Any:
        raise RuntimeError("model file is corrupt")


def test_a_broken_recogniser_falls_back_to_the_keypad(
    tts: TextToSpeech, recordings: Any, catalogue: list[str]
) -> None:
    clock = Clock()
    session = CallSession(asr=BrokenRecogniser(), tts=tts, clock=clock)
    session.start()
    clock.now = 100
    actions = session.on_audio(noise(1.5))
    assert "sự cố" in texts(actions) and "bấm phím 1" in texts(actions)
    # Speech is ignored from then on; the keypad still works.
    clock.now = 200
    assert session.on_audio(noise(1.5)) == []
    assert "nội dung phản ánh" in texts(session.on_dtmf("2"))


class BrokenSynthesiser:
    name = "broken"

    def voices(self) -> list[str]:
        return ["north-female"]

    def synthesise(self, text: str, *, voice: str, sample_rate: int) -> bytes:
        raise RuntimeError("espeak-ng crashed")


def test_nothing_can_be_said_so_an_officer_takes_the_call(vietasr: SpeechToText, recordings: Any) -> None:
    session = CallSession(asr=vietasr, tts=BrokenSynthesiser())
    actions = session.start()
    assert len(actions) == 1 and isinstance(actions[0], Transfer) and actions[0].queue == "officer"
    assert Call.objects.get(call_id=session.call_id).outcome == Outcome.ERROR


def test_hangup_closes_the_record_and_state_survives_a_restore(session: CallSession) -> None:
    session.start()
    session.on_dtmf("3")
    session.on_dtmf("2")
    restored = restore(Call.objects.get(call_id=session.call_id), asr=session.asr, tts=session.tts)
    assert restored.state.mode == "status_code" and restored.state.digits == "2"
    restored.on_hangup()
    call = Call.objects.get(call_id=session.call_id)
    assert call.outcome == Outcome.HANGUP and call.ended_at is not None
    assert CallTurn.objects.filter(call=call, dtmf="3").exists()
