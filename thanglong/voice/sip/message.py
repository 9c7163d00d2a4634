"""SIP messages (RFC 3261 §7): parsing what arrives over UDP, building requests and responses.

Only what a user agent needs: header names are case-insensitive and compact forms are expanded, Via
keeps every hop in order, the body is cut to Content-Length. Anything malformed raises
:class:`SipParseError`; the agent answers 400 when it can still address a response, else drops it.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field

COMPACT = {
    "v": "via",
    "f": "from",
    "t": "to",
    "i": "call-id",
    "m": "contact",
    "l": "content-length",
    "c": "content-type",
    "k": "supported",
    "s": "subject",
    "r": "refer-to",
}
CANONICAL = {
    "via": "Via",
    "from": "From",
    "to": "To",
    "call-id": "Call-ID",
    "cseq": "CSeq",
    "contact": "Contact",
    "content-length": "Content-Length",
    "content-type": "Content-Type",
    "max-forwards": "Max-Forwards",
    "user-agent": "User-Agent",
    "allow": "Allow",
    "accept": "Accept",
    "supported": "Supported",
    "refer-to": "Refer-To",
    "referred-by": "Referred-By",
    "event": "Event",
    "subscription-state": "Subscription-State",
    "www-authenticate": "WWW-Authenticate",
    "proxy-authenticate": "Proxy-Authenticate",
    "authorization": "Authorization",
    "proxy-authorization": "Proxy-Authorization",
    "expires": "Expires",
    "record-route": "Record-Route",
    "route": "Route",
}
MULTI = {"via", "record-route", "route", "contact"}
_REQUEST_LINE = re.compile(r"^([A-Z]+) (\S+) SIP/2\.0$")
_STATUS_LINE = re.compile(r"^SIP/2\.0 (\d{3}) ?(.*)$")
_TAG = re.compile(r";\s*tag=([^;>\s]+)", re.IGNORECASE)
_URI_IN_BRACKETS = re.compile(r"<([^>]+)>")
MAX_SIZE = 65_000

REASONS = {
    100: "Trying",
    180: "Ringing",
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    407: "Proxy Authentication Required",
    415: "Unsupported Media Type",
    481: "Call/Transaction Does Not Exist",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    500: "Server Internal Error",
    501: "Not Implemented",
    503: "Service Unavailable",
}


class SipParseError(ValueError):
    pass


@dataclass
class SipMessage:
    method: str = ""  # requests
    uri: str = ""
    status: int = 0  # responses
    reason: str = ""
    headers: list[tuple[str, str]] = field(default_factory=list)  # (lower-case name, value), in order
    body: bytes = b""

    @property
    def is_request(self) -> bool:
        return bool(self.method)

    def get(self, name: str, default: str = "") -> str:
        name = name.lower()
        for key, value in self.headers:
            if key == name:
                return value
        return default

    def get_all(self, name: str) -> list[str]:
        name = name.lower()
        return [value for key, value in self.headers if key == name]

    def set(self, name: str, value: str) -> None:
        name = name.lower()
        self.headers = [(k, v) for k, v in self.headers if k != name] + [(name, value)]

    @property
    def call_id(self) -> str:
        return self.get("call-id")

    @property
    def cseq(self) -> tuple[int, str]:
        number, _, method = self.get("cseq").partition(" ")
        return int(number), method.strip().upper()

    @property
    def from_tag(self) -> str:
        return tag_of(self.get("from"))

    @property
    def to_tag(self) -> str:
        return tag_of(self.get("to"))

    @property
    def branch(self) -> str:
        match = re.search(r";\s*branch=([^;\s,]+)", self.get("via"), re.IGNORECASE)
        return match.group(1) if match else ""

    def text_body(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def encode(self) -> bytes:
        first = f"{self.method} {self.uri} SIP/2.0" if self.method else f"SIP/2.0 {self.status} {self.reason}"
        lines = [first]
        for name, value in self.headers:
            if name == "content-length":
                continue
            lines.append(f"{CANONICAL.get(name, name.title())}: {value}")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode() + self.body


def tag_of(header: str) -> str:
    match = _TAG.search(header.split(">", 1)[1] if ">" in header else header)
    return match.group(1) if match else ""


def uri_of(header: str) -> str:
    """``"Name" <sip:a@b;transport=udp>;tag=x`` → ``sip:a@b;transport=udp``."""
    match = _URI_IN_BRACKETS.search(header)
    if match:
        return match.group(1).strip()
    return header.split(";", 1)[0].strip()


def user_of(uri: str) -> str:
    """``sip:0912345678@host`` → ``0912345678``."""
    rest = uri.split(":", 1)[1] if ":" in uri else uri
    return rest.split("@", 1)[0] if "@" in rest else ""


def parse(data: bytes) -> SipMessage:
    if len(data) > MAX_SIZE:
        raise SipParseError("message too large")
    head, separator, body = data.partition(b"\r\n\r\n")
    if not separator:
        head, separator, body = data.partition(b"\n\n")
    if not separator:
        raise SipParseError("no blank line after the headers")
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as error:
        raise SipParseError("headers are not UTF-8") from error
    lines = text.replace("\r\n", "\n").split("\n")
    message = SipMessage()
    first = lines[0].strip()
    if request := _REQUEST_LINE.match(first):
        message.method, message.uri = request.group(1), request.group(2)
    elif status := _STATUS_LINE.match(first):
        message.status, message.reason = int(status.group(1)), status.group(2)
    else:
        raise SipParseError(f"not a SIP start line: {first[:60]!r}")
    unfolded: list[str] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and unfolded:
            unfolded[-1] += " " + line.strip()  # header continuation
        elif line.strip():
            unfolded.append(line)
    for line in unfolded:
        name, colon, value = line.partition(":")
        if not colon or not name.strip():
            raise SipParseError(f"bad header line {line[:60]!r}")
        key = name.strip().lower()
        key = COMPACT.get(key, key)
        value = value.strip()
        if key in MULTI:
            message.headers.extend((key, part.strip()) for part in _split_commas(value))
        else:
            message.headers.append((key, value))
    for required in ("via", "from", "to", "call-id", "cseq"):
        if not message.get(required):
            raise SipParseError(f"missing {CANONICAL[required]} header")
    try:
        _number, method = message.cseq
    except ValueError as error:
        raise SipParseError("bad CSeq") from error
    if message.is_request and method != message.method:
        raise SipParseError("CSeq method differs from the request's")
    length = message.get("content-length")
    if length:
        try:
            size = int(length)
        except ValueError as error:
            raise SipParseError("bad Content-Length") from error
        if size < 0 or size > len(body):
            raise SipParseError("body shorter than Content-Length")
        body = body[:size]
    message.body = body
    return message


def _split_commas(value: str) -> list[str]:
    """Split a header list on commas outside quotes and angle brackets."""
    parts: list[str] = []
    current: list[str] = []
    depth, quoted = 0, False
    for char in value:
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            depth += 1
        elif not quoted and char == ">":
            depth -= 1
        if char == "," and not quoted and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def new_tag() -> str:
    return secrets.token_hex(6)


def new_branch() -> str:
    return "z9hG4bK" + secrets.token_hex(8)


def new_call_id(host: str) -> str:
    return f"{secrets.token_hex(12)}@{host}"


def response_to(request: SipMessage, status: int, *, to_tag: str = "", reason: str = "") -> SipMessage:
    """A response copying Via, From, To (with our tag), Call-ID and CSeq from the request (§8.2.6)."""
    response = SipMessage(status=status, reason=reason or REASONS.get(status, ""))
    for via in request.get_all("via"):
        response.headers.append(("via", via))
    for record_route in request.get_all("record-route"):
        response.headers.append(("record-route", record_route))
    to = request.get("to")
    if to_tag and not tag_of(to) and status != 100:
        to = f"{to};tag={to_tag}"
    response.headers += [
        ("from", request.get("from")),
        ("to", to),
        ("call-id", request.call_id),
        ("cseq", request.get("cseq")),
    ]
    return response
