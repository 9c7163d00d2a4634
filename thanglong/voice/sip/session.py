"""Wiring the SIP agent to the rest of Thăng Long: settings, the callbot's session, spoken notices."""

from __future__ import annotations

import inspect
import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from thanglong.config import ConfigError
from thanglong.voice.contracts import CallSessionProtocol
from thanglong.voice.sip.agent import CallInfo, SessionFactory, SipConfig
from thanglong.voice.sip.audio import TELEPHONE_RATE

logger = logging.getLogger("thanglong.voice.sip")


def parse_port_range(raw: str) -> tuple[int, int]:
    """``"20000-20999"`` → (20000, 20999); RTP uses even ports, so the range must hold one."""
    low_text, _, high_text = raw.partition("-")
    try:
        low, high = int(low_text), int(high_text or low_text)
    except ValueError as error:
        raise ConfigError(f"THANGLONG_SIP_RTP_PORTS={raw!r}: expected LOW-HIGH, e.g. 20000-20999") from error
    if not 1024 <= low <= high <= 65535:
        raise ConfigError(f"THANGLONG_SIP_RTP_PORTS={raw!r}: ports must be within 1024-65535, low ≤ high")
    return (low + low % 2, high)


def config_from_settings(**overrides: Any) -> SipConfig:
    transfer = {
        queue: uri
        for queue, uri in (
            ("officer", settings.THANGLONG_SIP_OFFICER_URI),
            ("emergency", settings.THANGLONG_SIP_EMERGENCY_URI or settings.THANGLONG_SIP_OFFICER_URI),
        )
        if uri
    }
    for cidr in settings.THANGLONG_SIP_ALLOWED_PEERS:
        try:
            ipaddress.ip_network(cidr, strict=False)
        except ValueError as error:
            raise ConfigError(
                f"THANGLONG_SIP_ALLOWED_PEERS: {cidr!r} is not an address or network"
            ) from error
    config = SipConfig(
        host=settings.THANGLONG_SIP_HOST,
        port=settings.THANGLONG_SIP_PORT,
        advertised_host=settings.THANGLONG_SIP_ADVERTISED_HOST,
        rtp_ports=parse_port_range(settings.THANGLONG_SIP_RTP_PORTS),
        transfer_uris=transfer,
        max_calls=settings.THANGLONG_SIP_MAX_CALLS,
        registrar=settings.THANGLONG_SIP_REGISTRAR,
        username=settings.THANGLONG_SIP_USERNAME,
        password=settings.THANGLONG_SIP_PASSWORD,
        allowed_peers=list(settings.THANGLONG_SIP_ALLOWED_PEERS),
    )
    for key, value in overrides.items():
        if value is not None:
            setattr(config, key, value)
    return config


def session_factory() -> SessionFactory:
    factory: SessionFactory = import_string(settings.THANGLONG_SIP_SESSION_FACTORY)
    return factory


def callbot_session(info: CallInfo) -> CallSessionProtocol:
    """The callbot's own session (thanglong.voice.callflow.CallSession) for a telephone call.

    The constructor is matched by parameter name, so the session may take any of: call_id, caller /
    caller_number, callee / dialled, sample_rate, channel.
    """
    try:
        from thanglong.voice.callflow import CallSession
    except ImportError as error:
        raise RuntimeError("the callbot (thanglong.voice.callflow) is not installed") from error
    offered: dict[str, Any] = {
        "call_id": info.call_id,
        "caller": info.caller,
        "caller_number": info.caller,
        "callee": info.callee,
        "dialled": info.callee,
        "sample_rate": info.sample_rate,
        "channel": "sip",
    }
    parameters = inspect.signature(CallSession).parameters
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    session: CallSessionProtocol = CallSession(
        **{key: value for key, value in offered.items() if accepts_any or key in parameters}
    )
    return session


def speak(text: str) -> bytes | None:
    """A notice spoken by the callbot's voice at 8 kHz, or ``None`` when text-to-speech is unavailable."""
    try:
        from thanglong.voice.engines import get_tts

        return get_tts().synthesise(
            text, voice=settings.THANGLONG_VOICE_TTS_VOICE, sample_rate=TELEPHONE_RATE
        )
    except Exception:  # the notice is a courtesy: a broken voice must not break the call
        logger.warning("SIP: could not synthesise a notice", exc_info=True)
        return None
