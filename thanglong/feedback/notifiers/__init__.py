"""Outbound channels for the notification outbox: SMS (eSMS.vn), Zalo OA, e-mail.

Each adapter follows :class:`Notifier`: ``send(recipient, text)`` returns the provider's message id or
raises :class:`DeliveryError`. ``permanent=True`` means retrying cannot help (an invalid number, a
template the provider refuses); anything else — time-outs, 5xx answers, a provider that is down — is
retried by the outbox job with back-off. Adapters are chosen per channel by :func:`get_notifier`;
tests swap one in with :func:`override_notifier`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

SMS = "sms"
ZALO = "zalo"
EMAIL = "email"
CHANNELS = (SMS, ZALO, EMAIL)


class DeliveryError(Exception):
    """A message was not delivered. ``permanent``: retrying the same message will not help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Notifier(Protocol):
    @property
    def channel(self) -> str: ...

    def send(self, recipient: str, text: str, *, idempotency_key: str = "") -> str:
        """Deliver ``text``; return the provider's message id. ``idempotency_key`` lets a provider
        that supports it drop a retried duplicate."""
        ...


def _default_factories() -> dict[str, Callable[[], Notifier]]:
    from thanglong.feedback.notifiers.email import EmailNotifier
    from thanglong.feedback.notifiers.sms import EsmsGateway
    from thanglong.feedback.notifiers.zalo import ZaloNotifier

    return {SMS: EsmsGateway.from_settings, ZALO: ZaloNotifier.from_settings, EMAIL: EmailNotifier}


_overrides: dict[str, Notifier] = {}


def get_notifier(channel: str) -> Notifier:
    """The adapter for ``channel``, built from the current settings (cheap: no connection is kept)."""
    if channel in _overrides:
        return _overrides[channel]
    factories = _default_factories()
    if channel not in factories:
        raise DeliveryError(f"unknown channel {channel!r}", permanent=True)
    return factories[channel]()


@contextmanager
def override_notifier(channel: str, notifier: Notifier) -> Iterator[Notifier]:
    """Use ``notifier`` for ``channel`` inside the block (tests, a dry-run command)."""
    previous = _overrides.get(channel)
    _overrides[channel] = notifier
    try:
        yield notifier
    finally:
        if previous is None:
            _overrides.pop(channel, None)
        else:
            _overrides[channel] = previous
