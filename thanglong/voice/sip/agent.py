"""The callbot's SIP user agent (UAS): answers calls from a PBX or trunk and runs one CallSession each.

A call goes INVITE → 100 Trying → 180 Ringing → 200 OK (SDP answer) → ACK, then RTP both ways until
either side sends BYE. CANCEL before the answer ends with 487; OPTIONS is answered for trunk health
checks; DTMF comes as RFC 4733 events or, from older PBXs, SIP INFO. The call's session (the callbot)
runs in a thread of its own, so speech recognition never delays the 20 ms RTP clock of any call; its
actions come back to the event loop in order.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import random
import socket
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from thanglong.voice.contracts import (
    Action,
    CallSessionProtocol,
    Hangup,
    Partial,
    Play,
    StopPlayback,
    Transfer,
)
from thanglong.voice.sip import message as sip
from thanglong.voice.sip import sdp
from thanglong.voice.sip.audio import TELEPHONE_RATE, resample
from thanglong.voice.sip.endpoint import ALLOW, SipEndpoint, authorization
from thanglong.voice.sip.message import SipMessage
from thanglong.voice.sip.rtp import RtpStream

logger = logging.getLogger("thanglong.voice.sip")


@dataclass(frozen=True)
class CallInfo:
    """What the session factory is told about a new call."""

    call_id: str
    caller: str  # the caller's number (user part of From), "" when withheld
    callee: str  # the number dialled (user part of the request URI)
    sample_rate: int = TELEPHONE_RATE
    remote: tuple[str, int] = ("", 0)


SessionFactory = Callable[[CallInfo], CallSessionProtocol]
Announcer = Callable[[str], bytes | None]  # text → 8 kHz PCM16, or None when nothing can speak


@dataclass
class SipConfig:
    host: str = "127.0.0.1"
    port: int = 5060
    advertised_host: str = ""  # put in Contact and SDP; the bound address when empty
    rtp_ports: tuple[int, int] = (20000, 20999)
    transfer_uris: dict[str, str] = field(default_factory=dict)  # queue ("officer"/"emergency") → SIP URI
    answer_delay: float = 0.0  # seconds of ringing before the answer
    max_calls: int = 30
    media_timeout: float = 60.0  # no RTP from the caller this long: the call is dead, hang up
    max_duration: float = 1800.0
    registrar: str = ""  # "sip:pbx.example:5060": register there (optional)
    username: str = ""
    password: str = ""
    register_expires: int = 600
    allowed_peers: list[str] = field(default_factory=list)  # CIDRs the PBX/trunk sends from; empty: any


class Call:
    """One dialog and its media, driving one session."""

    def __init__(self, agent: SipAgent, invite: SipMessage, addr: tuple[str, int]) -> None:
        self.agent = agent
        self.invite = invite
        self.addr = addr
        self.call_id = invite.call_id
        self.local_tag = sip.new_tag()
        self.local_uri = f"{invite.get('to')};tag={self.local_tag}"
        self.remote_uri = invite.get("from")
        self.remote_target = sip.uri_of(invite.get("contact") or invite.get("from"))
        self.route = invite.get_all("record-route")
        self.caller = sip.user_of(sip.uri_of(invite.get("from")))
        self.callee = sip.user_of(invite.uri)
        self.cseq = 0
        self.state = "early"  # early → answered → confirmed → ended
        self.offer: sdp.MediaOffer | None = None
        self.rtp: RtpStream | None = None
        self.answer_sdp = b""
        self.media: dict[str, Any] = {}  # what our SDP answer says, to answer re-INVITEs alike
        self.ok: SipMessage | None = None
        self.session: CallSessionProtocol | None = None
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sip-call")
        self.events: asyncio.Queue[tuple[str, Any]] = asyncio.Queue()
        self.tasks: list[asyncio.Task[Any]] = []
        self.ticker_task: asyncio.Task[None] | None = None
        self.started = time.monotonic()
        self.last_media = time.monotonic()
        self.refer_result: asyncio.Future[int] | None = None
        self.transcript: list[str] = []
        self.end_reason = ""

    # --- dialog requests ---------------------------------------------------------------------------
    def in_dialog(
        self, method: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None
    ) -> SipMessage:
        self.cseq += 1
        request = SipMessage(method=method, uri=self.remote_target)
        request.headers = [
            ("via", self.agent.new_via()),
            ("max-forwards", "70"),
            ("from", self.local_uri),
            ("to", self.remote_uri),
            ("call-id", self.call_id),
            ("cseq", f"{self.cseq + 100} {method}"),
            ("contact", f"<sip:callbot@{self.agent.hostport}>"),
        ]
        request.headers += [("route", route) for route in self.route]
        request.headers += headers or []
        request.body = body
        return request

    def destination(self) -> tuple[str, int]:
        """Where in-dialog requests go: the proxy that sent the INVITE, or the caller's Contact."""
        if self.route:
            return self.addr
        host_port = self.remote_target.split("@")[-1].split(";")[0].split(":")
        try:
            ipaddress.ip_address(host_port[0])
        except ValueError:
            return self.addr
        return host_port[0], int(host_port[1]) if len(host_port) > 1 and host_port[1].isdigit() else 5060

    # --- media and session events -----------------------------------------------------------------
    def on_audio(self, pcm: bytes) -> None:
        self.last_media = time.monotonic()
        self.events.put_nowait(("audio", pcm))

    def on_dtmf(self, digit: str) -> None:
        self.last_media = time.monotonic()
        logger.info("call %s: DTMF %s", self.call_id, digit)
        self.events.put_nowait(("dtmf", digit))

    async def run_session(self) -> None:
        """Feed the session in its own thread, one event at a time; carry out its actions in order."""
        loop = asyncio.get_running_loop()
        assert self.session is not None
        session = self.session
        actions = await loop.run_in_executor(self.executor, session.start)
        await self.carry_out(actions)
        while self.state != "ended":
            kind, value = await self.events.get()
            if self.state == "ended":  # events queued before the hang-up: the session is closed
                return
            if kind == "audio":
                chunks = [value]
                while not self.events.empty() and self.events._queue[0][0] == "audio":  # type: ignore[attr-defined]
                    chunks.append(self.events.get_nowait()[1])  # catch up: one call for the backlog
                actions = await loop.run_in_executor(self.executor, session.on_audio, b"".join(chunks))
            elif kind == "dtmf":
                actions = await loop.run_in_executor(self.executor, session.on_dtmf, value)
            elif kind == "tick":
                actions = await loop.run_in_executor(self.executor, session.on_tick, value)
            else:  # "stop"
                return
            await self.carry_out(actions)

    async def carry_out(self, actions: list[Action] | None) -> None:
        for action in actions or []:
            if self.state == "ended" or self.rtp is None:
                return
            if isinstance(action, Play):
                pcm = resample(action.pcm, action.sample_rate, TELEPHONE_RATE)
                self.rtp.play(pcm, interruptible=action.interruptible)
                if action.text:
                    self.transcript.append(f"callbot: {action.text}")
            elif isinstance(action, StopPlayback):
                self.rtp.stop_playback()
            elif isinstance(action, Partial):
                logger.debug("call %s: caller says (partial) %s", self.call_id, action.text)
            elif isinstance(action, Transfer):
                await self.agent.transfer(self, action)
            elif isinstance(action, Hangup):
                await self.drain(10.0)
                await self.agent.hang_up(self, f"callbot: {action.reason}")
                return

    async def drain(self, limit: float) -> None:
        """Wait until what is queued has been played (at most ``limit`` seconds)."""
        deadline = time.monotonic() + limit
        while self.rtp is not None and self.rtp.playing and time.monotonic() < deadline:
            await asyncio.sleep(0.02)

    async def ticker(self) -> None:
        while self.state != "ended":
            await asyncio.sleep(0.2)
            now = time.monotonic()
            if self.rtp is not None:
                self.rtp.tick(asyncio.get_running_loop().time())
            if now - self.last_media > self.agent.config.media_timeout:
                await self.agent.hang_up(self, "no media from the caller")
                return
            if now - self.started > self.agent.config.max_duration:
                await self.agent.hang_up(self, "maximum call duration")
                return
            if not any(kind == "tick" for kind, _ in self.events._queue):  # type: ignore[attr-defined]
                self.events.put_nowait(("tick", time.monotonic()))  # the session's clock, as CallSession uses


class SipAgent(SipEndpoint):
    """Listens for calls and runs them; ``await agent.start()`` binds, ``await agent.stop()`` ends all."""

    def __init__(
        self,
        config: SipConfig,
        session_factory: SessionFactory,
        *,
        announcer: Announcer | None = None,
    ) -> None:
        super().__init__(advertised_host=config.advertised_host)
        self.config = config
        self.session_factory = session_factory
        self.announcer = announcer
        self.calls: dict[str, Call] = {}
        self.finished: list[Call] = []
        self._next_port = config.rtp_ports[0]
        self._register_task: asyncio.Task[None] | None = None
        self.stopping = False
        self._networks = [ipaddress.ip_network(cidr, strict=False) for cidr in config.allowed_peers]

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: self, local_addr=(self.config.host, self.config.port))
        logger.info("SIP: listening on udp %s:%s", self.config.host, self.local_port)
        if self.config.registrar:
            self._register_task = loop.create_task(self._keep_registered())

    async def stop(self) -> None:
        """Graceful stop: refuse new calls, say goodbye to the current ones with BYE, close."""
        self.stopping = True
        await asyncio.gather(*(self.hang_up(call, "server stopping") for call in list(self.calls.values())))
        if self._register_task is not None:
            self._register_task.cancel()
        self.close()

    def _allowed(self, addr: tuple[str, int]) -> bool:
        if not self._networks:
            return True
        try:
            peer = ipaddress.ip_address(addr[0])
        except ValueError:
            return False
        return any(peer in network for network in self._networks)

    # --- requests ---------------------------------------------------------------------------------
    def handle_request(self, request: SipMessage, addr: tuple[str, int]) -> None:
        method = request.method
        if not self._allowed(addr):
            # A callbot on a public address would otherwise answer anyone (toll fraud, scanners).
            if method != "ACK":
                self.send(sip.response_to(request, 403, to_tag=sip.new_tag()), addr)
            return
        call = self.calls.get(request.call_id)
        if method == "INVITE":
            if call is None:
                self.spawn(self._on_invite(request, addr))
            elif request.to_tag:  # re-INVITE (hold, address change): answer with the same media
                self._on_reinvite(call, request, addr)
            elif call.ok is not None:  # our 200 was lost: the INVITE is repeated
                self.send(call.ok, addr)
            else:
                self.send(sip.response_to(request, 180, to_tag=call.local_tag), addr)
        elif method == "ACK":
            if call is not None and call.state == "answered" and request.cseq[0] == call.invite.cseq[0]:
                call.state = "confirmed"
                self._confirmed(call)
        elif method == "BYE":
            if call is None or (call.state == "early"):
                self.send(sip.response_to(request, 481), addr)
                return
            self.send(sip.response_to(request, 200), addr)
            self._end(call, "caller hung up")
        elif method == "CANCEL":
            if call is None:
                self.send(sip.response_to(request, 481), addr)
                return
            self.send(sip.response_to(request, 200), addr)
            if call.state == "early":
                self.send(sip.response_to(call.invite, 487, to_tag=call.local_tag), call.addr)
                self._end(call, "caller cancelled")
        elif method == "OPTIONS":
            response = sip.response_to(request, 503 if self.stopping else 200, to_tag=sip.new_tag())
            response.headers += [
                ("allow", ALLOW),
                ("accept", "application/sdp"),
                ("user-agent", self.user_agent),
            ]
            self.send(response, addr)
        elif method == "INFO":
            self._on_info(call, request, addr)
        elif method == "NOTIFY":
            self._on_notify(call, request, addr)
        elif method == "REGISTER":
            self.send(sip.response_to(request, 405), addr)
        else:
            response = sip.response_to(request, 501)
            response.headers.append(("allow", ALLOW))
            self.send(response, addr)

    async def _on_invite(self, invite: SipMessage, addr: tuple[str, int]) -> None:
        if self.stopping or len(self.calls) >= self.config.max_calls:
            self.send(sip.response_to(invite, 503, to_tag=sip.new_tag()), addr)
            return
        call = Call(self, invite, addr)
        self.calls[call.call_id] = call
        self.send(sip.response_to(invite, 100), addr)
        content_type = invite.get("content-type", "application/sdp").split(";")[0].strip().lower()
        try:
            if content_type != "application/sdp":
                raise sdp.SdpError(f"body type {content_type}")
            call.offer = sdp.parse(invite.text_body())
            chosen = call.offer.codec()
            if chosen is None:
                raise sdp.SdpError("no common codec (PCMU/PCMA)")
        except sdp.SdpError as error:
            logger.info("call %s from %s refused: %s", call.call_id, call.caller or "?", error)
            response = sip.response_to(invite, 488, to_tag=call.local_tag)
            response.headers.append(("warning", f'304 thanglong "{str(error)[:80]}"'))
            self.send(response, addr)
            self.calls.pop(call.call_id, None)
            call.executor.shutdown(wait=False)
            return
        self.send(sip.response_to(invite, 180, to_tag=call.local_tag), addr)
        if self.config.answer_delay:
            await asyncio.sleep(self.config.answer_delay)
            if call.state != "early":  # cancelled while ringing
                return
        try:
            await self._open_media(call, chosen)
            info = CallInfo(call.call_id, call.caller, call.callee, TELEPHONE_RATE, addr)
            loop = asyncio.get_running_loop()
            call.session = await loop.run_in_executor(call.executor, self.session_factory, info)
        except Exception:
            logger.exception("call %s: could not start", call.call_id)
            self.send(sip.response_to(invite, 503, to_tag=call.local_tag), addr)
            self._end(call, "could not start")
            return
        if call.state != "early":
            return
        ok = sip.response_to(invite, 200, to_tag=call.local_tag)
        ok.headers += [
            ("contact", f"<sip:callbot@{self.hostport}>"),
            ("allow", ALLOW),
            ("supported", "replaces"),
            ("user-agent", self.user_agent),
            ("content-type", "application/sdp"),
        ]
        ok.body = call.answer_sdp
        call.ok = ok
        call.state = "answered"
        logger.info(
            "call %s from %s to %s answered (%s)",
            call.call_id,
            call.caller or "?",
            call.callee or "?",
            chosen[1],
        )
        self.send(ok, addr)
        self.spawn(self._repeat_ok(call))

    async def _repeat_ok(self, call: Call) -> None:
        """Repeat the 200 until the ACK comes (timer G); 32 s without it ends the call (§13.3.1.4)."""
        interval, waited = 0.5, 0.0
        while call.state == "answered" and waited < 32:
            await asyncio.sleep(interval)
            waited += interval
            if call.state == "answered" and call.ok is not None:
                self.send(call.ok, call.addr)
            interval = min(interval * 2, 4.0)
        if call.state == "answered":
            await self.hang_up(call, "no ACK")

    async def _open_media(self, call: Call, chosen: tuple[int, str]) -> None:
        assert call.offer is not None
        offer = call.offer
        loop = asyncio.get_running_loop()
        stream = RtpStream(
            payload_type=chosen[0],
            codec=chosen[1],
            telephone_event=offer.telephone_event(),
            on_audio=call.on_audio,
            on_dtmf=call.on_dtmf,
            remote=(offer.address, offer.port) if offer.port else None,
        )
        stream.send_media = offer.direction in ("sendrecv", "recvonly") and offer.address != "0.0.0.0"  # noqa: S104
        low, high = self.config.rtp_ports
        for _ in range((high - low) // 2 + 1):
            port = self._next_port
            self._next_port = port + 2 if port + 2 <= high else low
            try:
                await loop.create_datagram_endpoint(lambda: stream, local_addr=(self.config.host, port))
                break
            except OSError:
                continue
        else:
            raise OSError("no free RTP port")
        call.rtp = stream
        rtp_port = stream.transport.get_extra_info("sockname")[1] if stream.transport else 0
        call.media = {
            "address": self._media_address(call.addr),
            "port": rtp_port,
            "codecs": [chosen],
            "telephone_event": offer.telephone_event(),
            "session_id": random.randint(10**6, 10**9),  # noqa: S311 - an SDP session id, not a secret
        }
        call.answer_sdp = sdp.build(**call.media, direction=sdp.answer_direction(offer.direction)).encode()

    def _media_address(self, peer: tuple[str, int]) -> str:
        if self.config.advertised_host:
            return self.config.advertised_host
        if self.config.host not in ("0.0.0.0", ""):  # noqa: S104
            return self.config.host
        with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_DGRAM)) as probe:
            probe.connect(peer)  # no packet is sent: this only asks the kernel which address routes there
            return str(probe.getsockname()[0])

    def _confirmed(self, call: Call) -> None:
        assert call.rtp is not None
        call.last_media = time.monotonic()
        call.rtp.start()
        loop = asyncio.get_running_loop()
        session_task = loop.create_task(call.run_session())
        session_task.add_done_callback(lambda task: self._session_done(call, task))
        call.ticker_task = loop.create_task(call.ticker())
        call.tasks.append(session_task)

    def _session_done(self, call: Call, task: asyncio.Task[None]) -> None:
        if task.cancelled() or task.exception() is None:
            return
        # A broken callbot must not drop the caller into silence: hand the call to an officer.
        logger.error("call %s: the callbot failed", call.call_id, exc_info=task.exception())
        self.spawn(self.transfer(call, Transfer("officer", "callbot error", "\n".join(call.transcript))))

    def _on_reinvite(self, call: Call, request: SipMessage, addr: tuple[str, int]) -> None:
        try:
            offer = sdp.parse(request.text_body()) if request.body else None
        except sdp.SdpError:
            self.send(sip.response_to(request, 488), addr)
            return
        if offer is not None and call.rtp is not None:
            call.rtp.remote = (offer.address, offer.port)
            call.rtp.send_media = offer.direction in ("sendrecv", "recvonly") and offer.address != "0.0.0.0"  # noqa: S104
        ok = sip.response_to(request, 200)
        ok.headers += [("contact", f"<sip:callbot@{self.hostport}>"), ("content-type", "application/sdp")]
        direction = sdp.answer_direction(offer.direction) if offer is not None else "sendrecv"
        ok.body = sdp.build(**call.media, direction=direction).encode() if call.media else call.answer_sdp
        self.send(ok, addr)

    def _on_info(self, call: Call | None, request: SipMessage, addr: tuple[str, int]) -> None:
        if call is None:
            self.send(sip.response_to(request, 481), addr)
            return
        content_type = request.get("content-type").split(";")[0].strip().lower()
        body = request.text_body()
        digit = ""
        if content_type == "application/dtmf-relay":
            for line in body.splitlines():
                key, _, value = line.partition("=")
                if key.strip().lower() == "signal":
                    # Some PBXs send the event code (10, 11) instead of * and #.
                    digit = {"10": "*", "11": "#"}.get(value.strip(), value.strip()[:1])
        elif content_type == "application/dtmf":
            digit = body.strip()[:1]
        else:
            self.send(sip.response_to(request, 415), addr)
            return
        if digit and digit.upper() in "0123456789*#ABCD":
            call.on_dtmf(digit.upper())
        self.send(sip.response_to(request, 200), addr)

    def _on_notify(self, call: Call | None, request: SipMessage, addr: tuple[str, int]) -> None:
        if call is None:
            self.send(sip.response_to(request, 481), addr)
            return
        self.send(sip.response_to(request, 200), addr)
        first = request.text_body().strip().split("\r\n")[0].split("\n")[0]
        if first.startswith("SIP/2.0 ") and call.refer_result is not None and not call.refer_result.done():
            try:
                status = int(first.split()[1])
            except (IndexError, ValueError):
                return
            if status >= 200:
                call.refer_result.set_result(status)

    # --- ending and transferring ------------------------------------------------------------------
    async def hang_up(self, call: Call, reason: str) -> None:
        if call.state == "ended":
            return
        if call.state == "early":
            self.send(sip.response_to(call.invite, 480, to_tag=call.local_tag), call.addr)
            self._end(call, reason)
            return
        self._end(call, reason)
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(self.request(call.in_dialog("BYE"), call.destination()), 5)

    def _end(self, call: Call, reason: str) -> None:
        if call.state == "ended":
            return
        call.state = "ended"
        call.end_reason = reason
        self.calls.pop(call.call_id, None)
        self.finished.append(call)
        del self.finished[:-100]
        call.events.put_nowait(("stop", None))
        if call.rtp is not None:
            call.rtp.close()
        if call.ticker_task is not None and call.ticker_task is not asyncio.current_task():
            call.ticker_task.cancel()
        session = call.session

        def finish() -> None:
            if session is not None:
                try:
                    session.on_hangup()
                except Exception:
                    logger.exception("call %s: closing the session failed", call.call_id)
            from django.db import connection

            connection.close()  # this thread's connection: the thread ends with the call

        call.executor.submit(finish)
        call.executor.shutdown(wait=False)
        logger.info("call %s ended after %.1f s: %s", call.call_id, time.monotonic() - call.started, reason)

    async def transfer(self, call: Call, action: Transfer) -> None:
        """SIP REFER to the queue's URI; if there is none or it fails, keep the caller and say so."""
        uri = self.config.transfer_uris.get(action.queue, "")
        logger.info(
            "call %s: transfer to %s (%s): %s", call.call_id, action.queue, uri or "no URI", action.reason
        )
        if uri and call.state == "confirmed":
            await call.drain(15.0)
            loop = asyncio.get_running_loop()
            call.refer_result = loop.create_future()
            refer = call.in_dialog(
                "REFER",
                headers=[("refer-to", f"<{uri}>"), ("referred-by", f"<sip:callbot@{self.hostport}>")],
            )
            try:
                response = await asyncio.wait_for(self.request(refer, call.destination()), 10)
                if 200 <= response.status < 300:
                    status = await asyncio.wait_for(call.refer_result, 30)
                    if 200 <= status < 300:
                        await self.hang_up(call, f"transferred to {action.queue}")
                        return
            except (TimeoutError, asyncio.CancelledError):
                pass
            logger.warning(
                "call %s: transfer to %s failed; the call stays with the callbot", call.call_id, uri
            )
        await self._announce_no_transfer(call, action.queue)

    async def _announce_no_transfer(self, call: Call, queue: str) -> None:
        from django.utils import translation
        from django.utils.translation import gettext as _

        with translation.override("vi"):
            if queue == "emergency":
                text = _("Xin quý vị giữ máy. Cán bộ trực 113, 114 sẽ nghe máy ngay khi có thể.")
            else:
                text = _("Xin quý vị giữ máy. Cán bộ trực sẽ nghe máy ngay khi có thể.")
        if self.announcer is None or call.rtp is None:
            return
        loop = asyncio.get_running_loop()
        pcm = await loop.run_in_executor(None, self.announcer, text)
        if pcm and call.rtp is not None:
            call.rtp.play(pcm, interruptible=False)
            call.transcript.append(f"callbot: {text}")

    # --- registration -----------------------------------------------------------------------------
    async def _keep_registered(self) -> None:
        """REGISTER with the PBX (digest authentication), refreshed before it expires."""
        host, _, port = self.config.registrar.removeprefix("sip:").partition(":")
        addr = (socket.gethostbyname(host), int(port or 5060))
        aor = f"sip:{self.config.username}@{host}"
        call_id, cseq = sip.new_call_id(self.advertised_host), 0
        tag = sip.new_tag()
        while True:
            challenge = ""
            expires = self.config.register_expires
            for _ in range(2):
                cseq += 1
                register = SipMessage(method="REGISTER", uri=f"sip:{host}")
                register.headers = [
                    ("from", f"<{aor}>;tag={tag}"),
                    ("to", f"<{aor}>"),
                    ("call-id", call_id),
                    ("cseq", f"{cseq} REGISTER"),
                    ("contact", f"<sip:{self.config.username}@{self.hostport}>"),
                    ("expires", str(self.config.register_expires)),
                ]
                if challenge:
                    header = "proxy-authorization" if challenge.startswith("proxy:") else "authorization"
                    register.headers.append(
                        (
                            header,
                            authorization(
                                challenge.removeprefix("proxy:"),
                                method="REGISTER",
                                uri=f"sip:{host}",
                                username=self.config.username,
                                password=self.config.password,
                            ),
                        )
                    )
                try:
                    response = await self.request(register, addr)
                except TimeoutError:
                    logger.warning("SIP: registrar %s does not answer", self.config.registrar)
                    break
                if response.status in (401, 407) and not challenge:
                    name = "www-authenticate" if response.status == 401 else "proxy-authenticate"
                    challenge = ("proxy:" if response.status == 407 else "") + response.get(name)
                    continue
                if 200 <= response.status < 300:
                    expires = int(response.get("expires") or self.config.register_expires)
                    logger.info("SIP: registered as %s for %s s", aor, expires)
                else:
                    logger.warning("SIP: registration refused: %s %s", response.status, response.reason)
                break
            await asyncio.sleep(max(30, expires * 0.8))
