"""Zalo OA customer-service message to the follower who sent the report.

The HTTP call itself is the assistant's Zalo client (``thanglong.assistant.zalo.send_text``:
``POST {THANGLONG_ZALO_API_BASE}/v3.0/oa/message/cs`` with the ``access_token`` header and
``{"recipient": {"user_id": …}, "message": {"text": …}}``), so both apps share one implementation of
Zalo's API, its token and its time-outs. Zalo only accepts customer-service messages within a window
after the follower's last message; a refusal is recorded on the outbox row and retried with back-off
until the attempts run out.
"""

from __future__ import annotations

from dataclasses import dataclass

from thanglong.feedback.notifiers import ZALO, DeliveryError


@dataclass(frozen=True)
class ZaloNotifier:
    channel: str = ZALO

    @classmethod
    def from_settings(cls) -> ZaloNotifier:
        return cls()

    def send(self, recipient: str, text: str, *, idempotency_key: str = "") -> str:
        from thanglong.assistant import zalo

        try:
            return zalo.send_text(recipient, text[: zalo.MAX_MESSAGE_CHARS])
        except zalo.ZaloError as exc:
            raise DeliveryError(f"Zalo: {exc}") from exc
