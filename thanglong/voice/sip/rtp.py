"""RTP (RFC 3550) for one G.711 call: packets, a jitter buffer, DTMF events (RFC 4733), the 20 ms sender.

The sender runs on the event loop's clock with absolute deadlines, so packets go out every 20 ms
without drift; when nothing is queued it sends encoded silence (a PBX or trunk expects a continuous
stream). Timestamps advance 160 per packet (8 kHz) and jump forward after a stall, so the far end sees
a gap rather than a squeezed timeline. The receive path reorders a few packets, drops duplicates and
late packets, fills losses with silence and ignores anything that is not our negotiated stream.
"""

from __future__ import annotations

import asyncio
import logging
import random
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

from thanglong.voice.sip import g711

logger = logging.getLogger(__name__)

FRAME_MS = 20
SAMPLES = 160  # per 20 ms packet at 8 kHz
FRAME_BYTES = SAMPLES * 2  # PCM16
DTMF_EVENTS = "0123456789*#ABCD"
_HEADER = struct.Struct("!BBHII")


@dataclass
class RtpPacket:
    payload_type: int
    sequence: int
    timestamp: int
    ssrc: int
    payload: bytes
    marker: bool = False

    def encode(self) -> bytes:
        return (
            _HEADER.pack(
                0x80,
                (0x80 if self.marker else 0) | self.payload_type,
                self.sequence,
                self.timestamp,
                self.ssrc,
            )
            + self.payload
        )


def parse_packet(data: bytes) -> RtpPacket | None:
    """An RTP packet, or ``None`` for anything else (RTCP, STUN, garbage)."""
    if len(data) < 12:
        return None
    first, second, sequence, timestamp, ssrc = _HEADER.unpack_from(data)
    if first >> 6 != 2:
        return None
    payload_type = second & 0x7F
    if 72 <= payload_type <= 76:  # RTCP sent to the RTP port (RFC 5761)
        return None
    offset = 12 + 4 * (first & 0x0F)
    if first & 0x10:  # header extension
        if len(data) < offset + 4:
            return None
        (words,) = struct.unpack_from("!H", data, offset + 2)
        offset += 4 + 4 * words
    end = len(data)
    if first & 0x20:  # padding: the last byte says how much
        end -= data[-1]
    if offset > end:
        return None
    return RtpPacket(payload_type, sequence, timestamp, ssrc, data[offset:end], bool(second & 0x80))


def dtmf_payload(event: int, *, end: bool, duration: int, volume: int = 10) -> bytes:
    return struct.pack("!BBH", event, (0x80 if end else 0) | (volume & 0x3F), duration)


def parse_dtmf(payload: bytes) -> tuple[str, bool] | None:
    """(digit, end bit) of a telephone-event payload, ``None`` for events that are not digits."""
    if len(payload) < 4 or payload[0] >= len(DTMF_EVENTS):
        return None
    return DTMF_EVENTS[payload[0]], bool(payload[1] & 0x80)


class JitterBuffer:
    """Puts packets back in sequence order; ``depth`` later packets waiting mean the missing one is lost.

    ``now`` arguments are event-loop time (``loop.time()``, which is ``time.monotonic()`` seconds).
    """

    def __init__(self, depth: int = 3, max_conceal: int = 10) -> None:
        self.depth = depth
        self.max_conceal = max_conceal
        self.next: int | None = None  # extended sequence number expected next
        self.waiting: dict[int, bytes] = {}
        self.waiting_since = 0.0
        self.late = 0
        self.lost = 0

    def _extend(self, sequence: int) -> int:
        assert self.next is not None
        delta = ((sequence - (self.next & 0xFFFF) + 0x8000) & 0xFFFF) - 0x8000
        return self.next + delta

    def push(self, sequence: int, payload: bytes, now: float = 0.0) -> list[bytes | None]:
        """Frames now ready in order; ``None`` stands for a lost packet (played as silence)."""
        if self.next is None:
            self.next = sequence
        extended = self._extend(sequence)
        if abs(extended - self.next) > 1000:  # the sender restarted its sequence: follow it
            self.waiting.clear()
            self.next = extended = sequence + (self.next & ~0xFFFF)
        if extended < self.next or extended in self.waiting:
            self.late += 1
            return []
        if not self.waiting:
            self.waiting_since = now
        self.waiting[extended] = payload
        return self._drain(force=False)

    def flush_stale(self, now: float, max_wait: float = 0.1) -> list[bytes | None]:
        """Give up on a missing packet that later ones have waited on for ``max_wait`` seconds."""
        if self.waiting and now - self.waiting_since >= max_wait:
            return self._drain(force=True)
        return []

    def _drain(self, *, force: bool) -> list[bytes | None]:
        out: list[bytes | None] = []
        assert self.next is not None
        while self.waiting:
            if self.next in self.waiting:
                out.append(self.waiting.pop(self.next))
                self.next += 1
                continue
            if not force and len(self.waiting) < self.depth:
                break
            first = min(self.waiting)
            gap = first - self.next
            self.lost += gap
            out.extend([None] * min(gap, self.max_conceal))
            self.next = first
            force = False
        return out


class Codec:
    def __init__(self, name: str) -> None:
        if name not in ("PCMU", "PCMA"):
            raise ValueError(f"codec {name} is not supported")
        self.name = name
        self.encode = g711.ulaw_encode if name == "PCMU" else g711.alaw_encode
        self.decode = g711.ulaw_decode if name == "PCMU" else g711.alaw_decode
        self.silence = bytes([g711.ULAW_SILENCE if name == "PCMU" else g711.ALAW_SILENCE]) * SAMPLES


@dataclass
class _Segment:
    pcm: bytes
    interruptible: bool
    position: int = 0


class RtpStream(asyncio.DatagramProtocol):
    """One call's media: decoded caller audio and digits go to the callbacks; queued PCM goes out."""

    def __init__(
        self,
        *,
        payload_type: int,
        codec: str,
        telephone_event: int | None,
        on_audio: Callable[[bytes], None],
        on_dtmf: Callable[[str], None],
        remote: tuple[str, int] | None = None,
        latch: bool = True,
    ) -> None:
        self.payload_type = payload_type
        self.codec = Codec(codec)
        self.telephone_event = telephone_event
        self.on_audio = on_audio
        self.on_dtmf = on_dtmf
        self.remote = remote
        self.latch = latch  # follow the address the caller's media really comes from (NAT)
        self.transport: asyncio.DatagramTransport | None = None
        self.jitter = JitterBuffer()
        self.ssrc = random.getrandbits(32)
        self.sequence = random.getrandbits(16)
        self.timestamp = random.getrandbits(32)
        self.queue: deque[_Segment] = deque()
        self.dtmf_out: deque[str] = deque()
        self._dtmf_seen: set[int] = set()
        self._remote_ssrc: int | None = None
        self._sender: asyncio.Task[None] | None = None
        self._marker = True
        self.sent = self.received = self.ignored = 0
        self.send_media = True

    # --- asyncio protocol ------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # selector transports don't subclass it

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        packet = parse_packet(data)
        if packet is None or packet.payload_type not in (self.payload_type, self.telephone_event):
            self.ignored += 1
            return
        if self.remote is not None and addr != self.remote and not self.latch:
            self.ignored += 1
            return
        if self._remote_ssrc != packet.ssrc:
            if self.latch and self.received and addr != self.remote:
                self.ignored += 1  # a second source mid-call: keep the one we latched onto
                return
            self._remote_ssrc = packet.ssrc
            self.jitter = JitterBuffer()
            if self.latch:
                self.remote = addr
        self.received += 1
        if packet.payload_type == self.telephone_event:
            self._on_event(packet)
            return
        loop_time = asyncio.get_running_loop().time()
        self._deliver(self.jitter.push(packet.sequence, packet.payload, loop_time))

    def _on_event(self, packet: RtpPacket) -> None:
        parsed = parse_dtmf(packet.payload)
        if parsed is None:
            return
        # Every packet of one key press carries the same timestamp (and the end packet comes 3 times):
        # report the digit once, on its first packet.
        if packet.timestamp in self._dtmf_seen:
            return
        self._dtmf_seen.add(packet.timestamp)
        if len(self._dtmf_seen) > 64:
            self._dtmf_seen = {packet.timestamp}
        self.on_dtmf(parsed[0])

    def _deliver(self, frames: list[bytes | None]) -> None:
        if not frames:
            return
        pcm = b"".join(
            self.codec.decode(frame) if frame is not None else bytes(FRAME_BYTES) for frame in frames
        )
        self.on_audio(pcm)

    def tick(self, now: float) -> None:
        self._deliver(self.jitter.flush_stale(now))

    # --- sending ---------------------------------------------------------------------------------
    def start(self) -> None:
        if self._sender is None:
            self._sender = asyncio.get_running_loop().create_task(self._send_loop())

    def play(self, pcm: bytes, *, interruptible: bool = True) -> None:
        """Queue 8 kHz PCM16 after whatever is already queued."""
        if pcm:
            self.queue.append(_Segment(pcm, interruptible))

    def stop_playback(self) -> None:
        """Barge-in: drop everything queued that may be interrupted (notices and warnings stay)."""
        self.queue = deque(segment for segment in self.queue if not segment.interruptible)

    @property
    def playing(self) -> bool:
        return bool(self.queue)

    def send_dtmf(self, digits: str) -> None:
        self.dtmf_out.extend(digit for digit in digits.upper() if digit in DTMF_EVENTS)

    def _next_frame(self) -> bytes:
        out = b""
        while len(out) < FRAME_BYTES and self.queue:
            segment = self.queue[0]
            take = segment.pcm[segment.position : segment.position + FRAME_BYTES - len(out)]
            segment.position += len(take)
            out += take
            if segment.position >= len(segment.pcm):
                self.queue.popleft()
        if not out:
            return b""
        return out + bytes(FRAME_BYTES - len(out))

    def _send(self, payload_type: int, payload: bytes, timestamp: int, marker: bool = False) -> None:
        if self.transport is None or self.remote is None or not self.send_media:
            return
        packet = RtpPacket(payload_type, self.sequence, timestamp & 0xFFFFFFFF, self.ssrc, payload, marker)
        self.transport.sendto(packet.encode(), self.remote)
        self.sequence = (self.sequence + 1) & 0xFFFF
        self.sent += 1

    async def _send_loop(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time()
        event: tuple[int, int, int] | None = None  # (event code, start timestamp, packets sent)
        while True:
            if event is None and self.dtmf_out and self.telephone_event is not None:
                event = (DTMF_EVENTS.index(self.dtmf_out.popleft()), self.timestamp, 0)
            if event is not None and self.telephone_event is not None:
                code, start, count = event
                count += 1
                end = count >= 5  # 100 ms key press, then the end packet three times (RFC 4733 §2.5.1.4)
                payload = dtmf_payload(code, end=end, duration=count * SAMPLES)
                for _ in range(3 if end else 1):
                    self._send(self.telephone_event, payload, start, marker=count == 1)
                event = None if end else (code, start, count)
                self._next_frame()  # the key press replaces this frame's audio
            else:
                frame = self._next_frame()
                payload = self.codec.encode(frame) if frame else self.codec.silence
                self._send(self.payload_type, payload, self.timestamp, marker=self._marker)
                self._marker = False
            self.timestamp += SAMPLES
            deadline += FRAME_MS / 1000
            delay = deadline - loop.time()
            if delay < -0.2:  # the loop stalled: skip ahead instead of bursting the backlog
                missed = int(-delay / (FRAME_MS / 1000))
                self.timestamp += missed * SAMPLES
                deadline += missed * FRAME_MS / 1000
                delay = deadline - loop.time()
            await asyncio.sleep(max(delay, 0))

    def close(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
            self._sender = None
        if self.transport is not None:
            self.transport.close()
            self.transport = None
