"""SDP offer/answer (RFC 3264) for one audio stream: G.711 and RFC 4733 telephone-events."""

from __future__ import annotations

import contextlib
import random
from dataclasses import dataclass, field

# Static payload types and the names dynamic ones are mapped by (rtpmap).
STATIC = {0: "PCMU", 8: "PCMA"}
SUPPORTED = ("PCMU", "PCMA")


class SdpError(ValueError):
    pass


@dataclass
class MediaOffer:
    address: str
    port: int
    payloads: list[int]  # in the offerer's order of preference
    names: dict[int, str] = field(default_factory=dict)  # payload → "PCMU" / "TELEPHONE-EVENT" …
    direction: str = "sendrecv"
    ptime: int | None = None

    def codec(self) -> tuple[int, str] | None:
        """The first payload we can send and receive, in the offerer's order."""
        for payload in self.payloads:
            name = self.names.get(payload, STATIC.get(payload, ""))
            if name in SUPPORTED:
                return payload, name
        return None

    def telephone_event(self) -> int | None:
        for payload in self.payloads:
            if self.names.get(payload) == "TELEPHONE-EVENT":
                return payload
        return None


def parse(body: str) -> MediaOffer:
    """The first audio stream of a session description; :class:`SdpError` when it has none usable."""
    session_address = ""
    media: MediaOffer | None = None
    for raw in body.replace("\r\n", "\n").split("\n"):
        line = raw.strip()
        if len(line) < 2 or line[1] != "=":
            continue
        kind, value = line[0], line[2:]
        if kind == "c":
            parts = value.split()
            if len(parts) != 3 or parts[0] != "IN":
                raise SdpError(f"bad connection line {value!r}")
            if media is None:
                session_address = parts[2].split("/")[0]
            else:
                media.address = parts[2].split("/")[0]
        elif kind == "m":
            if media is not None:
                break  # one audio stream is all we take; later streams are refused by port 0 below
            parts = value.split()
            if len(parts) < 4 or parts[0] != "audio":
                continue
            try:
                port = int(parts[1].split("/")[0])
                payloads = [int(p) for p in parts[3:]]
            except ValueError as error:
                raise SdpError(f"bad media line {value!r}") from error
            if not parts[2].startswith("RTP/AVP"):
                raise SdpError(f"transport {parts[2]} is not supported")
            media = MediaOffer(session_address, port, payloads)
        elif kind == "a" and media is not None:
            name, _, rest = value.partition(":")
            if name == "rtpmap":
                number, _, encoding = rest.partition(" ")
                codec, _, clock = encoding.partition("/")
                try:
                    payload = int(number)
                except ValueError:
                    continue
                if clock.split("/")[0] == "8000":
                    media.names[payload] = codec.upper()
                else:
                    media.names[payload] = f"{codec.upper()}/{clock}"
            elif name in ("sendrecv", "sendonly", "recvonly", "inactive"):
                media.direction = name
            elif name == "ptime":
                with contextlib.suppress(ValueError):
                    media.ptime = int(rest)
    if media is None:
        raise SdpError("no audio stream in the offer")
    if not media.address:
        raise SdpError("no connection address")
    return media


_ANSWER_DIRECTION = {"sendonly": "recvonly", "recvonly": "sendonly", "inactive": "inactive"}


def build(
    *,
    address: str,
    port: int,
    codecs: list[tuple[int, str]],
    telephone_event: int | None,
    session_id: int | None = None,
    direction: str = "sendrecv",
) -> str:
    """A session description offering (or answering with) ``codecs`` at 8 kHz, 20 ms packets."""
    session_id = session_id if session_id is not None else random.randint(10**6, 10**9)  # noqa: S311
    payloads = [payload for payload, _ in codecs] + ([telephone_event] if telephone_event is not None else [])
    lines = [
        "v=0",
        f"o=thanglong {session_id} {session_id} IN IP4 {address}",
        "s=thanglong",
        f"c=IN IP4 {address}",
        "t=0 0",
        f"m=audio {port} RTP/AVP {' '.join(str(p) for p in payloads)}",
    ]
    lines += [f"a=rtpmap:{payload} {name}/8000" for payload, name in codecs]
    if telephone_event is not None:
        lines += [f"a=rtpmap:{telephone_event} telephone-event/8000", f"a=fmtp:{telephone_event} 0-16"]
    lines += ["a=ptime:20", f"a={direction}"]
    return "\r\n".join(lines) + "\r\n"


def answer_direction(offered: str) -> str:
    return _ANSWER_DIRECTION.get(offered, "sendrecv")
