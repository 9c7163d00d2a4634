"""End to end on loopback with a real SIP client: Debian's baresip calls the callbot and records the answer.

baresip plays a spoken procedure question (espeak-ng) from a WAV file through its ``aufile`` source and
dumps what it hears to WAV (``sndfile``); it hangs up when the file ends, so the question is followed by
silence long enough for the answer. Skipped when baresip or espeak-ng is not installed
(``apt-get install baresip espeak-ng``).
"""

from __future__ import annotations

import asyncio
import itertools
import re
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from thanglong.voice.contracts import Action, Play
from thanglong.voice.sip.agent import CallInfo, SipAgent, SipConfig
from thanglong.voice.sip.audio import read_wav, resample, write_wav

pytestmark = pytest.mark.skipif(
    shutil.which("baresip") is None or shutil.which("espeak-ng") is None,
    reason="baresip and espeak-ng are needed (apt-get install baresip espeak-ng)",
)

QUESTION = "Tôi muốn hỏi thủ tục đăng ký thường trú cần những giấy tờ gì"
ANSWER = (
    "Thủ tục đăng ký thường trú cần tờ khai thay đổi thông tin cư trú và giấy tờ chứng minh chỗ ở hợp pháp."
)
LISTEN_SECONDS = 12  # silence after the question: the time the callbot has to answer


def espeak(text: str, rate: int = 8000) -> bytes:
    wav = subprocess.run(
        ["espeak-ng", "-v", "vi", "--stdout", text], check=True, capture_output=True, timeout=30
    ).stdout
    pcm, source_rate = read_wav(wav)
    return resample(pcm, source_rate, rate)


class SpokenAnswerSession:
    """Stands in for the callbot: waits for the caller to stop speaking, then answers with speech."""

    def __init__(self, info: CallInfo) -> None:
        self.call_id = info.call_id
        self.rate = info.sample_rate
        self.heard = bytearray()
        self.voiced = 0.0
        self.quiet = 0.0
        self.answered = False

    def start(self) -> list[Action]:
        return []

    def on_audio(self, pcm: bytes) -> list[Action]:
        self.heard.extend(pcm)
        samples = np.frombuffer(pcm, dtype="<i2").astype(float)
        seconds = len(samples) / self.rate
        if samples.size and np.sqrt(np.mean(samples**2)) > 300:
            self.voiced += seconds
            self.quiet = 0.0
        else:
            self.quiet += seconds
        if not self.answered and self.voiced > 1.0 and self.quiet > 0.6:  # end of the caller's question
            self.answered = True
            return [Play(espeak(ANSWER, self.rate), self.rate, ANSWER)]
        return []

    def on_dtmf(self, digit: str) -> list[Action]:
        return []

    def on_tick(self, now: float) -> list[Action]:
        return []

    def on_hangup(self) -> None:
        pass


class AgentThread:
    """The SIP agent on its own event loop in a thread, as ``thanglong sip-serve`` runs it."""

    def __init__(self, factory: Any) -> None:
        self.agent = SipAgent(SipConfig(host="127.0.0.1", port=0, rtp_ports=(0, 0)), factory)
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self.agent.start())
        self.ready.set()
        self.loop.run_forever()

    def __enter__(self) -> SipAgent:
        self.thread.start()
        assert self.ready.wait(10)
        return self.agent

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.agent.stop(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


def baresip_call(
    tmp_path: Path, port: int, question: bytes, *, lead: float = 0.0, listen: int = LISTEN_SECONDS
) -> tuple[bytes, str]:
    """Call sip:1022@127.0.0.1:<port> with baresip, say ``question`` after ``lead`` seconds and listen for
    ``listen`` seconds; (what it heard at 8 kHz, its console output)."""
    write_wav(tmp_path / "question.wav", bytes(int(8000 * lead) * 2) + question + bytes(8000 * 2 * listen))
    records = tmp_path / "heard"
    records.mkdir()
    (tmp_path / "accounts").write_text("<sip:0912345678@127.0.0.1>;regint=0\n")
    (tmp_path / "config").write_text(
        "\n".join(
            [
                "poll_method epoll",
                "sip_listen 127.0.0.1:0",
                "audio_player alsa,null",
                "audio_alert alsa,null",
                f"audio_source aufile,{tmp_path / 'question.wav'}",
                "module_path /usr/lib/baresip/modules",
                "module stdio.so",
                "module g711.so",
                "module aufile.so",
                "module alsa.so",
                "module sndfile.so",
                "module_app account.so",
                "module_app menu.so",
                f"snd_path {records}",
                "",
            ]
        )
    )
    result = subprocess.run(
        [
            "baresip",
            "-f",
            str(tmp_path),
            "-e",
            f"/dial sip:1022@127.0.0.1:{port}",
            "-t",
            str(LISTEN_SECONDS + 15),
        ],
        capture_output=True,
        timeout=LISTEN_SECONDS + 40,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    output = result.stdout.decode(errors="replace") + result.stderr.decode(errors="replace")
    dumps = sorted(records.glob("*-dec.wav"))
    if not dumps:
        pytest.fail(f"baresip recorded nothing:\n{output[-3000:]}")
    pcm, rate = read_wav(dumps[0])
    return resample(pcm, rate, 8000), output


def speech_frames(pcm: bytes, rate: int = 8000) -> np.ndarray:
    """Loudness (RMS) of each 20 ms frame."""
    samples = np.frombuffer(pcm[: len(pcm) - len(pcm) % 2], dtype="<i2").astype(float)
    frames = samples[: len(samples) // 160 * 160].reshape(-1, 160)
    return np.sqrt(np.mean(frames**2, axis=1))


def assert_is_speech(pcm: bytes) -> None:
    """Non-silent, with the on/off rhythm of syllables and its energy in the telephone speech band."""
    loudness = speech_frames(pcm)
    voiced = loudness > 300
    assert voiced.sum() * 0.02 > 1.5, "less than 1.5 s of sound in the answer"
    spoken = loudness[np.argmax(voiced) : len(voiced) - np.argmax(voiced[::-1])]
    assert 0.2 < (spoken > 300).mean() < 0.98, "no pauses between syllables: not speech"
    assert np.std(np.log(spoken + 1)) > 0.5, "flat envelope: a tone or noise, not speech"
    samples = np.frombuffer(pcm, dtype="<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(samples)) ** 2
    frequencies = np.fft.rfftfreq(len(samples), 1 / 8000)
    centroid = float((spectrum * frequencies).sum() / spectrum.sum())
    assert 250 < centroid < 2500, centroid


@pytest.fixture
def question() -> Iterator[bytes]:
    yield espeak(QUESTION)


def test_baresip_asks_a_question_and_hears_a_spoken_answer(tmp_path: Path, question: bytes) -> None:
    sessions: list[SpokenAnswerSession] = []

    def factory(info: CallInfo) -> SpokenAnswerSession:
        sessions.append(SpokenAnswerSession(info))
        return sessions[-1]

    with AgentThread(factory) as agent:
        heard, output = baresip_call(tmp_path, agent.local_port, question)
    assert "Call established" in output, output[-2000:]
    assert len(sessions) == 1
    session = sessions[0]
    assert session.answered, "the question never reached the callbot"
    # What the callbot heard is the question (G.711 both ways, so not bit-exact): same length, speech.
    assert_is_speech(bytes(session.heard[: len(question) + 8000]))
    assert_is_speech(heard)
    loudness = speech_frames(heard)
    first_sound = int(np.argmax(loudness > 300)) * 0.02
    question_seconds = len(question) / 16000
    assert question_seconds < first_sound < question_seconds + 3.0  # answered after the question, promptly


# The test caller. espeak-ng is the only Vietnamese voice on a build machine, and viet-asr makes out
# little of it over a telephone line: it drops the first syllable of an utterance, every "x"/"s" (its
# energy lies above the 4 kHz a telephone line keeps) and many tones. Measured over G.711 at 8 kHz —
# voices vi, vi-vn-x-central and vi-vn-x-south with variants m1-m7, f1-f5 and klatt; 90-180 words a
# minute; base pitch and pitch range; word gaps and pauses between phrases; a lead-in; a presence
# boost and a shift of the fricatives into the band after synthesis; faster-whisper instead — the
# rendering heard best is the northern voice, female variant 2, 160 words a minute, pitch range
# widened by SSML, after the lead-in "cho tôi hỏi", which absorbs the lost first syllable. It is
# heard right on at most two questions of the demo catalogue, and not robustly: a few tenths of a
# second more or less silence around the question, or 15 words a minute either way, turn
# "đăng ký xe" into "anh ký lấy". Residence registration, passports, ID cards and fire-safety design
# were never heard right. Hence the skip below, not a failure, until a real recording or a better
# voice is available.
CALLER_VOICE, CALLER_RATE, CALLER_PITCH_RANGE = "vi+f2", 160, "high"
ASKED = {  # catalogue code → (the caller's question, folded words the recogniser must hear in it)
    "TL.0001": ("cho tôi hỏi đăng ký xe máy cần giấy tờ gì", "dang ky xe"),
    "TL.0002": ("cho tôi hỏi khai báo tạm trú cho người nước ngoài", "tam tru"),
}


def caller_says(text: str) -> bytes:
    """The test caller's question at 8 kHz (see CALLER_VOICE)."""
    from xml.sax.saxutils import escape

    from thanglong.voice.audio import resample as polyphase

    ssml = f'<speak><prosody range="{CALLER_PITCH_RANGE}">{escape(text)}</prosody></speak>'
    wav = subprocess.run(
        ["espeak-ng", "-m", "-v", CALLER_VOICE, "-s", str(CALLER_RATE), "--stdout"],
        input=ssml.encode(),
        check=True,
        capture_output=True,
        timeout=30,
    ).stdout
    pcm, rate = read_wav(wav)
    return polyphase(pcm, rate, 8000)


@pytest.fixture
def callbot(tmp_path: Path, settings: Any) -> Iterator[Any]:
    """The real callbot's engines and the demo catalogue, in a database its call threads can read."""
    pytest.importorskip("thanglong.voice.callflow")
    pytest.importorskip("vietasr", reason="viet-asr is not installed")
    from thanglong.assistant.services import reset_engine
    from thanglong.procedures import demo, services
    from thanglong.voice.engines import get_asr, get_tts

    settings.THANGLONG_VOICE_RECORDINGS_DIR = tmp_path / "recordings"
    for entry in demo.AUTHORED:
        services.save_authored_procedure(entry)
    reset_engine()
    asr = get_asr("vietasr")  # loaded before the call, as a running server has it
    yield asr, get_tts()
    reset_engine()


def recognised(asr: Any, pcm: bytes) -> str:
    """What the recogniser makes of 8 kHz ``pcm``, resampled as the callbot does."""
    from thanglong.voice.audio import resample as polyphase

    return str(asr.transcribe(polyphase(pcm, 8000, asr.sample_rate)).text)


def heard_through_g711(asr: Any, pcm: bytes) -> str:
    """What the recogniser makes of ``pcm`` after µ-law coding alone (the best a phone line can give),
    with the pause before and after that a caller leaves."""
    from thanglong.voice.sip import g711

    line = g711.ulaw_decode(g711.ulaw_encode(bytes(3200) + pcm + bytes(4800)))
    return recognised(asr, line)


def named_procedure(transcript: str, names: dict[str, str]) -> tuple[str, int]:
    """The catalogue procedure whose name ``transcript`` says most of (shared pairs of consecutive
    words, spelling variants such as "ký"/"kí" made equal), and how many pairs it shares."""
    from thanglong.core.text import fold

    def pairs(text: str) -> set[tuple[str, str]]:
        words = [re.sub(r"^([hklmstv])y$", r"\1i", word) for word in fold(text).split()]
        return set(itertools.pairwise(words))

    heard = pairs(transcript)
    shared = {code: len(pairs(name) & heard) for code, name in names.items()}
    best = max(shared, key=lambda code: shared[code])
    return best, shared[best]


def words_shared(a: str, b: str) -> float:
    from thanglong.core.text import fold

    left, right = fold(a).split(), fold(b).split()
    return len(set(left) & set(right)) / max(len(set(left)), 1)


def call_the_callbot(tmp_path: Path, question: bytes) -> tuple[bytes, Any]:
    from thanglong.voice.models import Call
    from thanglong.voice.sip.session import callbot_session

    with AgentThread(callbot_session) as agent:
        heard, output = baresip_call(tmp_path, agent.local_port, question, lead=5.0, listen=15)
    assert "Call established" in output, output[-2000:]
    return heard, Call.objects.get()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data", "reference_data", "lifted_audit_triggers")
def test_the_callbot_hears_the_caller_over_sip_and_answers_aloud(tmp_path: Path, callbot: Any) -> None:
    """The whole path: baresip → SIP/RTP (G.711) → callbot (viet-asr, the assistant, espeak-ng) → back.

    The caller lets the recording notice play, then speaks. The callbot must hear over SIP what its
    recogniser hears from the same speech µ-law coded locally (the line adds nothing worse), answer
    after it, and baresip must record that answer as speech.
    """
    asr, _tts = callbot
    question = caller_says(ASKED["TL.0002"][0])
    heard, call = call_the_callbot(tmp_path, question)
    turns = list(call.turns.order_by("id").values_list("speaker", "text"))
    caller_turns = [text for speaker, text in turns if speaker == "caller" and text]
    assert caller_turns, turns
    local = heard_through_g711(asr, question)
    assert words_shared(local, caller_turns[0]) >= 0.5, (local, caller_turns[0])
    after = turns[[text for _, text in turns].index(caller_turns[0]) + 1 :]
    assert any(speaker == "bot" and text for speaker, text in after), turns  # it answered the question
    question_end = 5.0 + len(question) / 16000
    assert_is_speech(heard[int(question_end * 16000) // 2 * 2 :])  # the answer, as the caller heard it


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("restore_reference_data", "reference_data", "lifted_audit_triggers")
def test_a_spoken_procedure_question_gets_the_right_procedure_over_sip(tmp_path: Path, callbot: Any) -> None:
    """Ask about vehicle registration by voice; the answer baresip records, transcribed, names it.

    Over the line the callbot must hear the procedure's words, answer with that procedure, and the
    recogniser — listening to the answer as the caller heard it — must pick that procedure's name
    out of the catalogue's. The caller's voice is synthetic (see CALLER_VOICE): when the recogniser
    cannot make out the question even without a phone line in between, no SIP call can pass, so the
    test says what it heard and stops.
    """
    from thanglong.core.text import fold
    from thanglong.procedures import demo

    asr, _tts = callbot
    question, words = ASKED["TL.0001"]
    speech = caller_says(question)
    local = {code: heard_through_g711(asr, caller_says(asked)) for code, (asked, _) in ASKED.items()}
    if words not in fold(local["TL.0001"]):
        pytest.skip(f"viet-asr does not hear the synthetic caller through G.711: {local}")
    heard, call = call_the_callbot(tmp_path, speech)
    caller_said = " ".join(call.turns.filter(speaker="caller").values_list("text", flat=True))
    assert words in fold(caller_said), caller_said  # heard over SIP
    names = {entry.code: entry.name for entry in demo.AUTHORED}
    bot_said = " ".join(call.turns.filter(speaker="bot").values_list("text", flat=True))
    assert fold(names["TL.0001"]) in fold(bot_said), bot_said
    question_end = 5.0 + len(speech) / 16000
    answer = heard[int(question_end * 16000) // 2 * 2 :]  # what the caller heard after asking
    transcript = recognised(asr, answer)
    code, shared = named_procedure(transcript, names)
    assert (code, shared >= 2) == ("TL.0001", True), (transcript, code, shared)


def test_the_answer_check_names_a_procedure_from_an_imperfect_transcript() -> None:
    """What viet-asr made of the callbot's spoken answers (north-female voice through G.711) names the
    right procedure of the demo catalogue, and the greeting names none of them."""
    from thanglong.procedures import demo

    names = {entry.code: entry.name for entry in demo.AUTHORED}
    vehicle = (
        "tâm tin đăng việc cán bộ là grab ngồi làm gối chiếu mới cơ văn tiền trước ghi nộp hồ sơ đi "
        "đăng ký cấp đăng kí biển số lon một chưa tố thành phần vô sơ cho tục này"
    )
    foreigners = (
        "hồ sơ đi khai báo tạm trú cho người nước lai anh một chưa có thành phan hô sơ cho vô tục này"
    )
    assert named_procedure(vehicle, names)[0] == "TL.0001"
    assert named_procedure(vehicle, names)[1] >= 2
    assert named_procedure(foreigners, names) == ("TL.0002", 6)  # "khai báo" … "người nước"
    assert named_procedure("xin chào đây là tổng đài tự động", names)[1] == 0
