"""Settings of `thanglong sip-serve`, and registering with a PBX that asks for digest credentials."""

from __future__ import annotations

import asyncio
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from thanglong.config import ConfigError
from thanglong.voice.sip import message as sip
from thanglong.voice.sip.agent import SipAgent, SipConfig
from thanglong.voice.sip.endpoint import SipEndpoint, authorization
from thanglong.voice.sip.session import config_from_settings, parse_port_range
from thanglong.voice.sip.tests.sessions import EchoSession


def test_rtp_port_range() -> None:
    assert parse_port_range("20001-20999") == (20002, 20999)  # RTP starts on an even port
    for bad in ("abc", "30000-20000", "80-90", "20000-70000"):
        with pytest.raises(ConfigError):
            parse_port_range(bad)


def test_config_from_settings(settings: Any) -> None:
    settings.THANGLONG_SIP_OFFICER_URI = "sip:officers@pbx.local"
    settings.THANGLONG_SIP_EMERGENCY_URI = ""
    config = config_from_settings(port=5070, host=None)
    assert config.port == 5070 and config.host == settings.THANGLONG_SIP_HOST
    # With no 113/114 queue of its own, an emergency goes to the officers rather than nowhere.
    assert config.transfer_uris == {
        "officer": "sip:officers@pbx.local",
        "emergency": "sip:officers@pbx.local",
    }


def test_allowed_peers_must_be_networks(settings: Any) -> None:
    settings.THANGLONG_SIP_ALLOWED_PEERS = ["10.0.0.0/8", "192.0.2.7"]
    assert config_from_settings().allowed_peers == ["10.0.0.0/8", "192.0.2.7"]
    settings.THANGLONG_SIP_ALLOWED_PEERS = ["pbx.local"]
    with pytest.raises(ConfigError):
        config_from_settings()


def test_sip_serve_refuses_a_bad_port_range() -> None:
    with pytest.raises(CommandError, match="THANGLONG_SIP_RTP_PORTS"):
        call_command("sip_serve", rtp_ports="not-a-range")


class Registrar(SipEndpoint):
    """A PBX's registrar: challenges the first REGISTER, checks the digest of the second."""

    def __init__(self) -> None:
        super().__init__(advertised_host="127.0.0.1")
        self.registered = asyncio.Event()
        self.attempts: list[str] = []

    def handle_request(self, request: sip.SipMessage, addr: tuple[str, int]) -> None:
        header = request.get("authorization")
        self.attempts.append(header)
        if not header:
            response = sip.response_to(request, 401)
            response.headers.append(("www-authenticate", 'Digest realm="pbx", nonce="abc123", qop="auth"'))
            self.send(response, addr)
            return
        cnonce = re.search(r'cnonce="([^"]+)"', header)
        expected = authorization(
            'Digest realm="pbx", nonce="abc123", qop="auth"',
            method="REGISTER",
            uri=request.uri,
            username="callbot",
            password="s3cret",
            cnonce=cnonce.group(1) if cnonce else "",
        )
        ok = header == expected
        response = sip.response_to(request, 200 if ok else 403)
        response.headers.append(("expires", "60"))
        self.send(response, addr)
        if ok:
            self.registered.set()


def test_registers_with_digest_credentials() -> None:
    async def scenario() -> None:
        registrar = Registrar()
        loop = asyncio.get_running_loop()
        await loop.create_datagram_endpoint(lambda: registrar, local_addr=("127.0.0.1", 0))
        config = SipConfig(
            port=0,
            rtp_ports=(0, 0),
            registrar=f"sip:127.0.0.1:{registrar.local_port}",
            username="callbot",
            password="s3cret",
        )
        agent = SipAgent(config, lambda info: EchoSession(info.call_id))
        await agent.start()
        try:
            await asyncio.wait_for(registrar.registered.wait(), 5)
        finally:
            await agent.stop()
            registrar.close()
        assert registrar.attempts[0] == "" and registrar.attempts[1].startswith("Digest ")

    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, scenario()).result()
