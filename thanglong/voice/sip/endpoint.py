"""The SIP transport shared by the callbot's agent and the test caller: UDP, client transactions, digest.

UDP is unreliable, so a request we send is repeated (timer E/A: 0.5 s doubling to 4 s) until a
response arrives; a provisional answer stops the repeats of an INVITE, a final answer settles it, and
32 s without one is a timeout (RFC 3261 §17.1). Responses find their transaction by Via branch.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, cast

from thanglong.voice.sip import message as sip
from thanglong.voice.sip.message import SipMessage, SipParseError

logger = logging.getLogger(__name__)

T1 = 0.5
T2 = 4.0
TIMEOUT = 32.0
USER_AGENT = "ThangLong-Callbot/1.0"
ALLOW = "INVITE, ACK, BYE, CANCEL, OPTIONS, INFO, REFER, NOTIFY"


@dataclass
class _ClientTransaction:
    request: SipMessage
    addr: tuple[str, int]
    future: asyncio.Future[SipMessage]
    on_provisional: Callable[[SipMessage], None] | None = None
    provisional: bool = False
    retransmit: asyncio.Task[None] | None = field(default=None, repr=False)


class SipEndpoint(asyncio.DatagramProtocol):
    """Sends and receives SIP over one UDP socket; subclasses handle requests (``handle_request``)."""

    def __init__(self, *, advertised_host: str = "", user_agent: str = USER_AGENT) -> None:
        self.transport: asyncio.DatagramTransport | None = None
        self.advertised_host = advertised_host
        self.local_port = 0
        self.user_agent = user_agent
        self._background: set[asyncio.Task[Any]] = set()
        self._transactions: dict[tuple[str, str], _ClientTransaction] = {}  # (branch, method)
        self.malformed = 0

    # --- transport -------------------------------------------------------------------------------
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.DatagramTransport, transport)  # selector transports don't subclass it
        host, port = transport.get_extra_info("sockname")[:2]
        self.local_port = port
        if not self.advertised_host:
            self.advertised_host = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> asyncio.Task[Any]:
        """Run ``coroutine`` in the background, keeping a reference until it ends (tasks are weakly held)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    @property
    def hostport(self) -> str:
        return f"{self.advertised_host}:{self.local_port}"

    def send(self, message: SipMessage, addr: tuple[str, int]) -> None:
        if self.transport is not None:
            self.transport.sendto(message.encode(), addr)

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        if data.strip() == b"":  # keep-alive CRLFs (RFC 5626)
            return
        try:
            message = sip.parse(data)
        except SipParseError as error:
            self.malformed += 1
            logger.info("SIP: malformed message from %s:%s: %s", addr[0], addr[1], error)
            self._answer_malformed(data, addr, str(error))
            return
        if message.is_request:
            try:
                self.handle_request(message, addr)
            except Exception:
                logger.exception("SIP: %s from %s failed", message.method, addr)
                if message.method != "ACK":
                    self.send(sip.response_to(message, 500), addr)
        else:
            self._handle_response(message)

    def _answer_malformed(self, data: bytes, addr: tuple[str, int], reason: str) -> None:
        """400 if the message still has what a response needs (a request line, Via, Call-ID, CSeq)."""
        text = data[:4096].decode("utf-8", errors="replace")
        lines = text.replace("\r\n", "\n").split("\n")
        if not re.match(r"^[A-Z]+ \S+ SIP/2\.0$", lines[0].strip()) or lines[0].startswith("ACK "):
            return
        wanted = {"via": "", "from": "", "to": "", "call-id": "", "cseq": ""}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            key = sip.COMPACT.get(name.strip().lower(), name.strip().lower())
            if key in wanted and not wanted[key]:
                wanted[key] = value.strip()
        if not all(wanted[key] for key in ("via", "call-id", "cseq")):
            return
        response = SipMessage(status=400, reason="Bad Request")
        response.headers = [(key, value) for key, value in wanted.items() if value]
        response.headers.append(("warning", f'399 thanglong "{reason[:80]}"'))
        self.send(response, addr)

    def handle_request(self, request: SipMessage, addr: tuple[str, int]) -> None:
        raise NotImplementedError

    # --- client transactions ---------------------------------------------------------------------
    def new_via(self) -> str:
        return f"SIP/2.0/UDP {self.hostport};branch={sip.new_branch()};rport"

    def request(
        self,
        request: SipMessage,
        addr: tuple[str, int],
        *,
        on_provisional: Callable[[SipMessage], None] | None = None,
    ) -> asyncio.Future[SipMessage]:
        """Send ``request`` reliably; the future gets the final response (or TimeoutError)."""
        loop = asyncio.get_running_loop()
        if not request.get("via"):
            request.headers.insert(0, ("via", self.new_via()))
        if not request.get("max-forwards"):
            request.headers.append(("max-forwards", "70"))
        if not request.get("user-agent"):
            request.headers.append(("user-agent", self.user_agent))
        transaction = _ClientTransaction(request, addr, loop.create_future(), on_provisional)
        self._transactions[(request.branch, request.method)] = (
            transaction  # CANCEL shares the INVITE's branch
        )
        self.send(request, addr)
        transaction.retransmit = loop.create_task(self._retransmit(transaction))
        transaction.future.add_done_callback(lambda _: self._forget(transaction))
        return transaction.future

    def _forget(self, transaction: _ClientTransaction) -> None:
        self._transactions.pop((transaction.request.branch, transaction.request.method), None)
        if transaction.retransmit is not None:
            transaction.retransmit.cancel()

    async def _retransmit(self, transaction: _ClientTransaction) -> None:
        interval, waited = T1, 0.0
        while waited < TIMEOUT:
            await asyncio.sleep(interval)
            waited += interval
            if transaction.future.done():
                return
            if not transaction.provisional:
                self.send(transaction.request, transaction.addr)
                interval = min(interval * 2, T2) if transaction.request.method != "INVITE" else interval * 2
        if not transaction.future.done():
            transaction.future.set_exception(TimeoutError(f"no final answer to {transaction.request.method}"))

    def _handle_response(self, response: SipMessage) -> None:
        try:
            transaction = self._transactions.get((response.branch, response.cseq[1]))
        except ValueError:
            transaction = None
        if transaction is None:
            self.stray_response(response)
            return
        if response.status < 200:
            transaction.provisional = True
            if transaction.on_provisional is not None:
                transaction.on_provisional(response)
            return
        if not transaction.future.done():
            transaction.future.set_result(response)

    def stray_response(self, response: SipMessage) -> None:
        """A response no transaction waits for (e.g. a repeated 200 to our INVITE)."""

    def close(self) -> None:
        for transaction in list(self._transactions.values()):
            if not transaction.future.done():
                transaction.future.cancel()
        if self.transport is not None:
            self.transport.close()


# --- digest authentication (RFC 2617 / 8760 MD5) ----------------------------------------------------
def _parse_challenge(header: str) -> dict[str, str]:
    scheme, _, rest = header.partition(" ")
    if scheme.lower() != "digest":
        return {}
    return {key.lower(): value.strip('"') for key, value in re.findall(r'(\w+)=("[^"]*"|[^,\s]+)', rest)}


def authorization(
    challenge: str, *, method: str, uri: str, username: str, password: str, cnonce: str = ""
) -> str:
    """The Authorization header value answering a WWW-/Proxy-Authenticate challenge (MD5, qop=auth)."""
    params = _parse_challenge(challenge)
    if not params or params.get("algorithm", "MD5").upper() != "MD5":
        raise ValueError("only Digest MD5 challenges are supported")
    realm, nonce = params.get("realm", ""), params.get("nonce", "")

    def md5(text: str) -> str:
        return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()

    ha1 = md5(f"{username}:{realm}:{password}")
    ha2 = md5(f"{method}:{uri}")
    fields = [f'username="{username}"', f'realm="{realm}"', f'nonce="{nonce}"', f'uri="{uri}"']
    if "auth" in params.get("qop", "").split(","):
        cnonce = cnonce or secrets.token_hex(8)
        nc = "00000001"
        response = md5(f"{ha1}:{nonce}:{nc}:{cnonce}:auth:{ha2}")
        fields += ["qop=auth", f"nc={nc}", f'cnonce="{cnonce}"']
    else:
        response = md5(f"{ha1}:{nonce}:{ha2}")
    fields += [f'response="{response}"', "algorithm=MD5"]
    if "opaque" in params:
        fields.append(f'opaque="{params["opaque"]}"')
    return "Digest " + ", ".join(fields)
