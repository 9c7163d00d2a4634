"""A small SIP caller (UAC) for tests and line checks: places a call, sends audio and digits, records.

It is the far end a PBX would be: it offers PCMU/PCMA and telephone-events, answers BYE, accepts a
REFER (and reports the transfer done with a NOTIFY), and keeps everything it heard.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field

from thanglong.voice.sip import message as sip
from thanglong.voice.sip import sdp
from thanglong.voice.sip.endpoint import SipEndpoint
from thanglong.voice.sip.message import SipMessage
from thanglong.voice.sip.rtp import RtpStream


@dataclass
class CallLeg:
    caller: SipCaller
    call_id: str
    local_from: str
    remote_to: str = ""
    remote_target: str = ""
    target: tuple[str, int] = ("127.0.0.1", 5060)
    cseq: int = 1
    final: SipMessage | None = None
    provisional: list[int] = field(default_factory=list)
    rtp: RtpStream | None = None
    heard: bytearray = field(default_factory=bytearray)
    digits: list[str] = field(default_factory=list)
    refer_to: str = ""
    ended: asyncio.Event = field(default_factory=asyncio.Event)

    def request(
        self, method: str, body: bytes = b"", headers: list[tuple[str, str]] | None = None
    ) -> SipMessage:
        self.cseq += 1
        request = SipMessage(
            method=method, uri=self.remote_target or f"sip:{self.target[0]}:{self.target[1]}"
        )
        request.headers = [
            ("from", self.local_from),
            ("to", self.remote_to),
            ("call-id", self.call_id),
            ("cseq", f"{self.cseq} {method}"),
            ("contact", f"<sip:caller@{self.caller.hostport}>"),
            *(headers or []),
        ]
        request.body = body
        return request

    def say(self, pcm: bytes) -> None:
        """Queue 8 kHz PCM16 to send to the callbot."""
        assert self.rtp is not None
        self.rtp.play(pcm)

    def press(self, digits: str) -> None:
        """Digits as RFC 4733 telephone-events."""
        assert self.rtp is not None
        self.rtp.send_dtmf(digits)

    async def press_info(self, digit: str) -> SipMessage:
        """A digit as SIP INFO (application/dtmf-relay), as older PBXs send it."""
        body = f"Signal={digit}\r\nDuration=160\r\n".encode()
        info = self.request("INFO", body, [("content-type", "application/dtmf-relay")])
        return await self.caller.request(info, self.target)

    async def hang_up(self) -> SipMessage | None:
        response = None
        if not self.ended.is_set():
            with contextlib.suppress(TimeoutError):
                response = await asyncio.wait_for(self.caller.request(self.request("BYE"), self.target), 5)
        self.close()
        return response

    def close(self) -> None:
        self.ended.set()
        if self.rtp is not None:
            self.rtp.close()


class SipCaller(SipEndpoint):
    def __init__(self, *, host: str = "127.0.0.1") -> None:
        super().__init__(advertised_host=host, user_agent="ThangLong-TestCaller/1.0")
        self.host = host
        self.legs: dict[str, CallLeg] = {}

    @classmethod
    async def open(cls, host: str = "127.0.0.1") -> SipCaller:
        caller = cls(host=host)
        await asyncio.get_running_loop().create_datagram_endpoint(lambda: caller, local_addr=(host, 0))
        return caller

    async def call(
        self,
        target: tuple[str, int],
        *,
        caller_number: str = "0912345678",
        dialled: str = "1022",
        codecs: list[tuple[int, str]] | None = None,
        telephone_event: int | None = 101,
        body: bytes | None = None,
    ) -> CallLeg:
        """INVITE → final answer (ACKed). The leg's ``final`` is the answer; media runs if it was 200."""
        loop = asyncio.get_running_loop()
        leg = CallLeg(
            self, sip.new_call_id(self.host), f"<sip:{caller_number}@{self.host}>;tag={sip.new_tag()}"
        )
        leg.target = target
        leg.remote_to = f"<sip:{dialled}@{target[0]}:{target[1]}>"
        self.legs[leg.call_id] = leg
        codecs = codecs if codecs is not None else [(0, "PCMU"), (8, "PCMA")]
        stream = RtpStream(
            payload_type=codecs[0][0] if codecs else 0,
            codec=codecs[0][1] if codecs and codecs[0][1] in ("PCMU", "PCMA") else "PCMU",
            telephone_event=telephone_event,
            on_audio=leg.heard.extend,
            on_dtmf=leg.digits.append,
        )
        await loop.create_datagram_endpoint(lambda: stream, local_addr=(self.host, 0))
        leg.rtp = stream
        port = stream.transport.get_extra_info("sockname")[1] if stream.transport else 0
        if body is None:
            body = sdp.build(
                address=self.host, port=port, codecs=codecs, telephone_event=telephone_event
            ).encode()
        invite = SipMessage(method="INVITE", uri=f"sip:{dialled}@{target[0]}:{target[1]}")
        invite.headers = [
            ("from", leg.local_from),
            ("to", leg.remote_to),
            ("call-id", leg.call_id),
            ("cseq", "1 INVITE"),
            ("contact", f"<sip:{caller_number}@{self.hostport}>"),
            ("content-type", "application/sdp"),
        ]
        invite.body = body
        final = await self.request(invite, target, on_provisional=lambda r: leg.provisional.append(r.status))
        leg.final = final
        leg.remote_to = final.get("to")
        if 200 <= final.status < 300:
            leg.remote_target = sip.uri_of(final.get("contact")) or invite.uri
            answer = sdp.parse(final.text_body())
            chosen = answer.codec()
            if chosen is not None:
                stream.payload_type, stream.codec = chosen[0], type(stream.codec)(chosen[1])
            stream.telephone_event = answer.telephone_event()
            stream.remote = (answer.address, answer.port)
            ack = leg.request("ACK")
            ack.headers.insert(0, ("via", self.new_via()))
            ack.set("cseq", "1 ACK")
            leg.cseq = 1
            self.send(ack, target)
            stream.start()
        else:
            ack = SipMessage(method="ACK", uri=invite.uri)
            ack.headers = [
                ("via", invite.get("via")),
                ("from", leg.local_from),
                ("to", final.get("to")),
                ("call-id", leg.call_id),
                ("cseq", "1 ACK"),
            ]
            self.send(ack, target)
            leg.close()
        return leg

    def handle_request(self, request: SipMessage, addr: tuple[str, int]) -> None:
        leg = self.legs.get(request.call_id)
        if request.method == "ACK":
            return
        if leg is None:
            self.send(sip.response_to(request, 481), addr)
            return
        if request.method == "BYE":
            self.send(sip.response_to(request, 200), addr)
            leg.close()
        elif request.method == "REFER":
            leg.refer_to = sip.uri_of(request.get("refer-to"))
            self.send(sip.response_to(request, 202), addr)
            notify = leg.request(
                "NOTIFY",
                b"SIP/2.0 200 OK\r\n",
                [
                    ("event", "refer"),
                    ("subscription-state", "terminated;reason=noresource"),
                    ("content-type", "message/sipfrag;version=2.0"),
                ],
            )
            self.spawn(self._send_quietly(notify, addr))
        else:
            self.send(sip.response_to(request, 200 if request.method in ("OPTIONS", "INFO") else 501), addr)

    async def _send_quietly(self, request: SipMessage, addr: tuple[str, int]) -> None:
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await self.request(request, addr)
