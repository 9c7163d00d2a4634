"""Calls placed on loopback by the small Python caller against the callbot's SIP agent.

Every test is a real exchange over UDP sockets: SIP transactions, SDP offer/answer, RTP both ways.
The session on the far side is a test session (tones and echo) so the telephony is checked on its own.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
import pytest

from thanglong.voice.sip import message as sip
from thanglong.voice.sip import sdp
from thanglong.voice.sip.agent import CallInfo, SipAgent, SipConfig
from thanglong.voice.sip.audio import rms_dbfs, tone
from thanglong.voice.sip.rtp import RtpPacket, parse_packet
from thanglong.voice.sip.tests.sessions import GREETING_HZ, EchoSession
from thanglong.voice.sip.uac import CallLeg, SipCaller

OFFICER_URI = "sip:officer-queue@127.0.0.1:5070"


class Harness:
    def __init__(self, **config: Any) -> None:
        self.sessions: list[EchoSession] = []
        self.announced: list[str] = []
        self.config = SipConfig(host="127.0.0.1", port=0, rtp_ports=(0, 0), **config)
        self.agent = SipAgent(self.config, self.factory, announcer=self.announce)
        self.caller: SipCaller

    def factory(self, info: CallInfo) -> EchoSession:
        session = EchoSession(info.call_id, info.sample_rate)
        session.info = info  # type: ignore[attr-defined]
        self.sessions.append(session)
        return session

    def announce(self, text: str) -> bytes:
        self.announced.append(text)
        return tone(300.0, 0.3)

    @property
    def target(self) -> tuple[str, int]:
        return ("127.0.0.1", self.agent.local_port)

    async def __aenter__(self) -> Harness:
        await self.agent.start()
        self.caller = await SipCaller.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.agent.stop()
        self.caller.close()


def run(test: Callable[[], Awaitable[None]], timeout: float = 30) -> None:
    """Run the scenario on a fresh event loop in a thread of its own: the browser tests' Playwright
    keeps a loop running in the main thread for the whole session."""

    async def bounded() -> None:
        await asyncio.wait_for(test(), timeout)

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, bounded()).result()


def dominant_hz(pcm: bytes, rate: int = 8000) -> float:
    samples = np.frombuffer(pcm, dtype="<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(samples * np.hanning(len(samples))))
    return float(np.fft.rfftfreq(len(samples), 1 / rate)[int(np.argmax(spectrum))])


async def wait_for(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError("condition not met in time")


def record_packets(leg: CallLeg) -> list[RtpPacket]:
    """Keep every RTP packet the caller receives (to check sequence numbers and timestamps)."""
    assert leg.rtp is not None
    packets: list[RtpPacket] = []
    original = leg.rtp.datagram_received

    def spy(data: bytes, addr: tuple[str, int]) -> None:
        packet = parse_packet(data)
        if packet is not None:
            packets.append(packet)
        original(data, addr)

    leg.rtp.datagram_received = spy  # type: ignore[method-assign]
    return packets


def test_a_call_is_answered_greets_echoes_and_ends_with_the_callers_bye() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target, caller_number="0987654321", dialled="1022")
            assert leg.final is not None and leg.final.status == 200
            assert leg.provisional[:2] == [100, 180]
            packets = record_packets(leg)
            await wait_for(lambda: len(leg.heard) >= 8000 * 2 * 0.6)  # the 0.6 s greeting
            greeting = bytes(leg.heard[: 8000 * 2 * 6 // 10])
            assert abs(dominant_hz(greeting) - GREETING_HZ) < 15  # resampled from 16 kHz, not garbled
            assert rms_dbfs(greeting) > -20

            await asyncio.sleep(0.2)
            heard_before = len(leg.heard)
            leg.say(tone(1200.0, 0.6, level=0.5))  # the session echoes what it hears
            await asyncio.sleep(1.5)
            echo = bytes(leg.heard[heard_before:])
            assert rms_dbfs(echo) > -25 and abs(dominant_hz(echo) - 1200) < 20

            session = h.sessions[0]
            assert session.info.caller == "0987654321" and session.info.callee == "1022"  # type: ignore[attr-defined]
            assert session.ticks > 0
            assert all(name.startswith("sip-call") for name in session.threads)  # never the event loop

            # RTP numbering: one SSRC, sequence +1 and timestamp +160 per 20 ms packet, marker on the first.
            audio = [p for p in packets if p.payload_type == 0]
            assert len({p.ssrc for p in audio}) == 1
            steps = {(b.sequence - a.sequence) & 0xFFFF for a, b in itertools.pairwise(audio)}
            stamps = {(b.timestamp - a.timestamp) & 0xFFFFFFFF for a, b in itertools.pairwise(audio)}
            assert steps == {1}
            assert stamps <= {160, 320, 480}  # a late tick may skip ahead, never back
            assert all(len(p.payload) == 160 for p in audio)

            response = await leg.hang_up()
            assert response is not None and response.status == 200
            await asyncio.to_thread(session.hung_up.wait, 5)
            assert session.hung_up.is_set()
            assert h.agent.calls == {} and h.agent.finished[-1].end_reason == "caller hung up"

    run(scenario)


def test_silence_is_sent_while_nothing_plays() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target)
            await wait_for(lambda: len(leg.heard) >= 8000 * 2 * 0.9)  # the 0.6 s greeting and then some
            start = len(leg.heard)
            await asyncio.sleep(0.6)
            quiet = bytes(leg.heard[start:])
            assert len(quiet) >= 8000 * 2 * 0.4  # packets keep coming …
            assert np.abs(np.frombuffer(quiet, dtype="<i2")).max() == 0  # … and they are silence
            await leg.hang_up()

    run(scenario)


def test_dtmf_as_telephone_events_and_as_sip_info_each_reach_the_session_once() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target)
            leg.press("12*")
            await wait_for(lambda: len(h.sessions[0].digits) == 3)
            response = await leg.press_info("#")
            assert response.status == 200
            await wait_for(lambda: len(h.sessions[0].digits) == 4)
            await asyncio.sleep(0.3)  # the end packets are sent three times: still one digit each
            assert h.sessions[0].digits == ["1", "2", "*", "#"]
            await leg.hang_up()

    run(scenario)


def test_the_callbot_hangs_up_after_its_goodbye_and_caller_gets_bye() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target)
            await asyncio.sleep(0.7)
            start = len(leg.heard)
            leg.press("9")
            await asyncio.wait_for(leg.ended.wait(), 5)
            goodbye = bytes(leg.heard[start:])
            assert rms_dbfs(goodbye) > -30  # the goodbye was played before the BYE
            assert h.agent.finished[-1].end_reason == "callbot: caller chose to end"

    run(scenario)


def test_barge_in_flushes_what_is_queued() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target)
            await asyncio.sleep(0.7)
            leg.press("7")  # a 5 s message
            await asyncio.sleep(0.6)
            leg.press("5")  # the caller speaks over it
            await wait_for(lambda: "5" in h.sessions[0].digits)
            await asyncio.sleep(0.3)
            start = len(leg.heard)
            await asyncio.sleep(0.5)
            after = np.frombuffer(bytes(leg.heard[start:]), dtype="<i2")
            assert after.size > 0 and np.abs(after).max() == 0  # stopped, not 4 more seconds of message
            await leg.hang_up()

    run(scenario)


def test_transfer_sends_refer_to_the_officer_queue_then_leaves_the_call() -> None:
    async def scenario() -> None:
        async with Harness(transfer_uris={"officer": OFFICER_URI}) as h:
            leg = await h.caller.call(h.target)
            leg.press("0")
            await asyncio.wait_for(leg.ended.wait(), 8)
            assert leg.refer_to == OFFICER_URI
            assert h.agent.finished[-1].end_reason == "transferred to officer"
            assert h.announced == []

    run(scenario)


def test_transfer_without_a_queue_uri_keeps_the_call_and_announces() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target)
            await asyncio.sleep(0.7)
            leg.press("0")
            await wait_for(lambda: bool(h.announced))
            assert "giữ máy" in h.announced[0]
            assert not leg.ended.is_set() and len(h.agent.calls) == 1
            await leg.hang_up()

    run(scenario)


def test_a_failing_callbot_hands_the_caller_over_instead_of_dropping_them() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target)
            await wait_for(lambda: bool(h.sessions))

            def broken(digit: str) -> list[Any]:
                raise RuntimeError("engine down")

            h.sessions[0].on_dtmf = broken  # type: ignore[method-assign]
            leg.press("3")
            await wait_for(lambda: bool(h.announced))
            assert not leg.ended.is_set()
            await leg.hang_up()

    run(scenario)


def test_an_offer_without_g711_is_refused_with_488() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target, codecs=[(9, "G722")], telephone_event=None)
            assert leg.final is not None and leg.final.status == 488
            assert h.agent.calls == {} and h.sessions == []
            no_audio = await h.caller.call(h.target, body=b"v=0\r\ns=-\r\nt=0 0\r\n")
            assert no_audio.final is not None and no_audio.final.status == 488

    run(scenario)


def test_cancel_while_ringing_ends_with_487() -> None:
    async def scenario() -> None:
        async with Harness(answer_delay=2.0) as h:
            task = asyncio.create_task(h.caller.call(h.target))
            await wait_for(lambda: bool(h.agent.calls))
            call = next(iter(h.agent.calls.values()))
            cancel = sip.SipMessage(method="CANCEL", uri=call.invite.uri)
            cancel.headers = [
                ("via", call.invite.get("via")),
                ("from", call.invite.get("from")),
                ("to", call.invite.get("to")),
                ("call-id", call.call_id),
                ("cseq", "1 CANCEL"),
            ]
            response = await h.caller.request(cancel, h.target)
            assert response.status == 200
            leg = await task
            assert leg.final is not None and leg.final.status == 487
            assert h.sessions == []

    run(scenario)


def test_options_unknown_methods_and_requests_outside_a_call() -> None:
    async def scenario() -> None:
        async with Harness() as h:

            def request(method: str) -> sip.SipMessage:
                message = sip.SipMessage(method=method, uri=f"sip:1022@127.0.0.1:{h.agent.local_port}")
                message.headers = [
                    ("from", f"<sip:probe@127.0.0.1>;tag={sip.new_tag()}"),
                    ("to", "<sip:1022@127.0.0.1>"),
                    ("call-id", sip.new_call_id("127.0.0.1")),
                    ("cseq", f"1 {method}"),
                ]
                return message

            options = await h.caller.request(request("OPTIONS"), h.target)
            assert options.status == 200 and "INVITE" in options.get("allow")
            assert (await h.caller.request(request("SUBSCRIBE"), h.target)).status == 501
            assert (await h.caller.request(request("BYE"), h.target)).status == 481

    run(scenario)


def test_malformed_sip_gets_400_and_garbage_rtp_is_ignored_without_harm() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            probe.settimeout(2)
            try:
                broken = (
                    "INVITE sip:1022@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKx\r\n"
                    "From: <sip:a@b>;tag=1\r\nTo: <sip:c@d>\r\nCall-ID: broken-1\r\nCSeq: 1 INVITE\r\n"
                    "Content-Length: 999\r\n\r\nv=0\r\n"
                )
                probe.sendto(broken.encode(), h.target)
                answer = sip.parse(await asyncio.to_thread(lambda: probe.recvfrom(4096)[0]))
                assert answer.status == 400 and answer.call_id == "broken-1"
                probe.sendto(b"\x00\x01 definitely not SIP", h.target)  # no answer, no crash

                leg = await h.caller.call(h.target)
                call = next(iter(h.agent.calls.values()))
                assert call.rtp is not None and call.rtp.transport is not None
                rtp_port = call.rtp.transport.get_extra_info("sockname")[1]
                for junk in (b"", b"\xff" * 7, b"\x80\x63" + bytes(30), b"\x40" * 200, bytes(172)):
                    probe.sendto(junk, ("127.0.0.1", rtp_port))  # short, unknown payload type, version 1 …
                await asyncio.sleep(0.3)
                assert call.rtp.ignored >= 4
                leg.press("4")
                await wait_for(lambda: h.sessions[0].digits == ["4"])  # the call still works
                await leg.hang_up()
                assert h.agent.malformed == 2
            finally:
                probe.close()

    run(scenario)


def test_graceful_stop_says_bye_to_every_call_and_refuses_new_ones() -> None:
    async def scenario() -> None:
        h = Harness()
        await h.agent.start()
        h.caller = await SipCaller.open()
        legs = [await h.caller.call(h.target) for _ in range(2)]
        await h.agent.stop()
        for leg in legs:
            await asyncio.wait_for(leg.ended.wait(), 5)
        assert all(session.hung_up.wait(2) for session in h.sessions)
        h.caller.close()

    run(scenario)


def test_sdp_answer_mirrors_the_offer() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target, codecs=[(8, "PCMA"), (0, "PCMU")])
            assert leg.final is not None
            answer = sdp.parse(leg.final.text_body())
            assert answer.codec() == (8, "PCMA") and answer.telephone_event() == 101
            assert answer.address == "127.0.0.1" and answer.port > 0
            await wait_for(lambda: len(leg.heard) > 8000)  # A-law decodes to the same greeting
            assert abs(dominant_hz(bytes(leg.heard[:8000])) - GREETING_HZ) < 20
            await leg.hang_up()

    run(scenario)


@pytest.mark.parametrize("count", [3])
def test_several_calls_at_once_each_get_their_own_session(count: int) -> None:
    async def scenario() -> None:
        async with Harness() as h:
            legs = await asyncio.gather(
                *(h.caller.call(h.target, caller_number=f"09000000{i:02d}") for i in range(count))
            )
            for index, leg in enumerate(legs):
                leg.press(str(index + 1))
            await wait_for(lambda: sorted(d for s in h.sessions for d in s.digits) == ["1", "2", "3"])
            for leg, session in zip(legs, sorted(h.sessions, key=lambda s: s.info.caller), strict=True):  # type: ignore[attr-defined]
                assert session.digits == [str(legs.index(leg) + 1)]
            await asyncio.gather(*(leg.hang_up() for leg in legs))

    run(scenario)


def test_calls_from_outside_the_allowed_networks_are_refused() -> None:
    async def scenario() -> None:
        async with Harness(allowed_peers=["10.20.0.0/16"]) as h:
            leg = await h.caller.call(h.target)
            assert leg.final is not None and leg.final.status == 403
            assert h.sessions == []
        async with Harness(allowed_peers=["127.0.0.0/8"]) as h:
            leg = await h.caller.call(h.target)
            assert leg.final is not None and leg.final.status == 200
            await leg.hang_up()

    run(scenario)


def test_a_reinvite_moves_the_media_and_is_answered_with_the_same_sdp() -> None:
    async def scenario() -> None:
        async with Harness() as h:
            leg = await h.caller.call(h.target)
            assert leg.final is not None and leg.rtp is not None and leg.rtp.transport is not None
            call = next(iter(h.agent.calls.values()))
            port = leg.rtp.transport.get_extra_info("sockname")[1]
            offer = sdp.build(
                address="127.0.0.1",
                port=port,
                codecs=[(0, "PCMU")],
                telephone_event=101,
                direction="sendonly",
            )
            reinvite = leg.request("INVITE", offer.encode(), [("content-type", "application/sdp")])
            response = await h.caller.request(reinvite, h.target)
            assert response.status == 200
            held = sdp.parse(response.text_body())
            assert held.direction == "recvonly" and held.port == sdp.parse(leg.final.text_body()).port
            assert call.rtp is not None and not call.rtp.send_media  # on hold: we stop sending
            resume = leg.request(
                "INVITE",
                offer.replace("sendonly", "sendrecv").encode(),
                [("content-type", "application/sdp")],
            )
            assert (await h.caller.request(resume, h.target)).status == 200
            assert call.rtp.send_media
            bad = leg.request("INVITE", b"v=0\r\n", [("content-type", "application/sdp")])
            assert (await h.caller.request(bad, h.target)).status == 488
            await leg.hang_up()

    run(scenario)


def test_an_event_queued_as_the_call_ends_never_reaches_the_closed_session() -> None:
    """A clock tick that wakes the session loop in the same turn as the hang-up is dropped: the
    session's thread is already shut down, and a stale tick must not look like a broken callbot."""
    from thanglong.voice.sip.agent import Call

    raw = (
        b"INVITE sip:1022@127.0.0.1 SIP/2.0\r\n"
        b"Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK-test\r\n"
        b"From: <sip:0912345678@127.0.0.1>;tag=caller\r\n"
        b"To: <sip:1022@127.0.0.1>\r\n"
        b"Call-ID: stale-tick@127.0.0.1\r\n"
        b"CSeq: 1 INVITE\r\n"
        b"Contact: <sip:0912345678@127.0.0.1:5999>\r\n"
        b"Content-Length: 0\r\n\r\n"
    )

    session = EchoSession("stale-tick@127.0.0.1")

    async def scenario() -> None:
        agent = SipAgent(SipConfig(host="127.0.0.1", port=0, rtp_ports=(0, 0)), lambda info: EchoSession(""))
        call = Call(agent, sip.parse(raw), ("127.0.0.1", 5999))
        call.session, call.state = session, "confirmed"
        task = asyncio.get_running_loop().create_task(call.run_session())
        await asyncio.sleep(0.3)  # the greeting is out; the loop waits for the next event
        call.events.put_nowait(("tick", 1.0))
        agent._end(call, "caller hung up")  # before the loop wakes up for the tick
        await asyncio.wait_for(task, 5)  # ends cleanly: no "cannot schedule new futures after shutdown"

    run(scenario)
    assert session.hung_up.wait(5)
    assert session.ticks == 0
