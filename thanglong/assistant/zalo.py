"""Zalo Official Account channel: the inbound webhook and the outbound customer-service message.

Follows Zalo OA's published Open API (https://developers.zalo.me/docs/official-account):

* **Webhook.** Zalo POSTs each event as JSON, e.g. for a text from a follower::

      {"app_id": "…", "event_name": "user_send_text", "timestamp": "1700000000000",
       "sender": {"id": "<user id>"}, "recipient": {"id": "<OA id>"},
       "message": {"text": "…", "msg_id": "…"}}

  with the header ``X-ZEvent-Signature: mac=<hex sha256(app_id + raw body + timestamp + OA secret key)>``.
  We check it in constant time and answer 401 when it is missing or wrong; other events are
  acknowledged (200) and ignored. Zalo re-delivers an event it thinks was lost, so the same
  ``msg_id`` is answered once.
* **Reply.** The answer is sent by a background job, never inside the webhook (Zalo expects a quick
  200): ``POST {THANGLONG_ZALO_API_BASE}/v3.0/oa/message/cs`` with the header ``access_token`` and the
  body ``{"recipient": {"user_id": …}, "message": {"text": …}}``. Zalo answers
  ``{"error": 0, "message": "Success", "data": {"message_id": …}}``; a non-zero ``error`` is a refusal.
  Texts longer than :data:`MAX_MESSAGE_CHARS` go as several messages; 5xx answers and time-outs are
  retried with exponential back-off; the request goes only to the configured base URL (redirects are
  not followed).

Settings (read in ``thanglong.settings`` from the environment): ``THANGLONG_ZALO_OA_SECRET``,
``THANGLONG_ZALO_ACCESS_TOKEN``, ``THANGLONG_ZALO_API_BASE`` (default ``https://openapi.zalo.me``),
``THANGLONG_ZALO_SEND_ATTEMPTS`` (default 4), ``THANGLONG_ZALO_RETRY_SECONDS`` (first back-off, default 1).

The "already answered" marks live in Django's cache for two days: with Redis as the cache
(``THANGLONG_CACHE_URL``, see the README) duplicates are caught across web processes.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import cache

from thanglong.assistant import services
from thanglong.assistant.models import Channel

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-ZEvent-Signature"
TEXT_EVENT = "user_send_text"
SEND_PATH = "/v3.0/oa/message/cs"
DEFAULT_API_BASE = "https://openapi.zalo.me"
MAX_MESSAGE_CHARS = 2000
SEND_TIMEOUT_SECONDS = 10
SEEN_SECONDS = 2 * 24 * 3600


class ZaloError(Exception):
    """Zalo refused a message (bad token, user not following…), or kept failing after every retry."""


class ZaloNotConfiguredError(ZaloError):
    pass


@dataclass(frozen=True)
class TextMessage:
    app_id: str
    sender_id: str
    recipient_id: str
    text: str
    msg_id: str
    timestamp: str


def _setting(name: str, default: str = "") -> str:
    return str(getattr(settings, name, default) or default)


def oa_secret() -> str:
    return _setting("THANGLONG_ZALO_OA_SECRET")


def api_base() -> str:
    return _setting("THANGLONG_ZALO_API_BASE", DEFAULT_API_BASE).rstrip("/")


# --- inbound -------------------------------------------------------------------------------------------


def expected_signature(app_id: str, raw_body: bytes, timestamp: str, secret: str) -> str:
    material = app_id.encode() + raw_body + timestamp.encode() + secret.encode()
    return hashlib.sha256(material).hexdigest()


def signature_is_valid(header: str, payload: dict[str, Any], raw_body: bytes, secret: str) -> bool:
    """Check ``X-ZEvent-Signature`` (``mac=<hex>``) against the body, in constant time."""
    provided = header.strip()
    if provided.lower().startswith("mac="):
        provided = provided[4:].strip()
    if not provided or not secret:
        return False
    expected = expected_signature(
        str(payload.get("app_id", "")), raw_body, str(payload.get("timestamp", "")), secret
    )
    return hmac.compare_digest(provided.lower().encode(), expected.encode())


def parse_text_message(payload: dict[str, Any]) -> TextMessage | None:
    """The text message in a webhook event, or None for any other event (follow, image, seen…)."""
    if payload.get("event_name") != TEXT_EVENT:
        return None
    sender, recipient, message = (payload.get(key) for key in ("sender", "recipient", "message"))
    if not (isinstance(sender, dict) and isinstance(message, dict)):
        return None
    sender_id, text = sender.get("id"), message.get("text")
    if not isinstance(sender_id, str | int) or not isinstance(text, str):
        return None
    return TextMessage(
        app_id=str(payload.get("app_id", "")),
        sender_id=str(sender_id)[:64],
        recipient_id=str(recipient.get("id", "")) if isinstance(recipient, dict) else "",
        text=text,
        msg_id=str(message.get("msg_id", ""))[:128],
        timestamp=str(payload.get("timestamp", "")),
    )


def first_delivery(msg_id: str) -> bool:
    """True the first time a message id is seen (atomic ``cache.add``); messages without an id always pass."""
    if not msg_id:
        return True
    return bool(cache.add(f"assistant:zalo:msg:{msg_id}", 1, SEEN_SECONDS))


def accept_text_message(message: TextMessage) -> bool:
    """Queue the answer to a follower's text; False when this message id was already taken."""
    from thanglong.assistant.tasks import answer_zalo_message
    from thanglong.core.jobs import enqueue_on_commit

    if not first_delivery(message.msg_id):
        return False
    # The job carries the text, so it is in the queue (the database, for the default backend) before
    # Zalo gets its 200: nothing the citizen sent is lost if the web process stops now.
    enqueue_on_commit(answer_zalo_message, message.sender_id, message.text, message.msg_id)
    return True


# --- outbound ------------------------------------------------------------------------------------------


def split_message(text: str, limit: int = MAX_MESSAGE_CHARS) -> list[str]:
    """Cut ``text`` into pieces of at most ``limit`` characters, at a paragraph, line, sentence or space."""
    text = text.strip()
    pieces: list[str] = []
    while len(text) > limit:
        window = text[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", ". ", " "):
            position = window.rfind(separator)
            if position > limit // 3:
                cut = position + (1 if separator == ". " else 0)
                break
        if cut <= 0:
            cut = limit
        pieces.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    if text:
        pieces.append(text)
    return pieces


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would send the access token somewhere we did not configure: treat it as an error."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirects)


class _RetryableError(Exception):
    pass


def _post_json(url: str, body: dict[str, Any], token: str) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - scheme checked in send_text
        url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json", "access_token": token},
        method="POST",
    )
    try:
        with _opener.open(request, timeout=SEND_TIMEOUT_SECONDS) as response:
            answer: dict[str, Any] = json.loads(response.read().decode("utf-8") or "{}")
            return answer
    except urllib.error.HTTPError as exc:
        if exc.code >= 500:
            raise _RetryableError(f"HTTP {exc.code}") from exc
        raise ZaloError(f"Zalo answered HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        raise _RetryableError(str(exc)) from exc
    except ValueError as exc:  # a body that is not JSON
        raise ZaloError("Zalo answered something that is not JSON") from exc


def send_text(user_id: str, text: str) -> str:
    """Send one message (≤ 2,000 characters) to a follower; returns Zalo's message id."""
    token = _setting("THANGLONG_ZALO_ACCESS_TOKEN")
    base = api_base()
    if not token:
        raise ZaloNotConfiguredError("THANGLONG_ZALO_ACCESS_TOKEN is not set")
    if urlsplit(base).scheme not in {"https", "http"} or not urlsplit(base).netloc:
        raise ZaloNotConfiguredError(f"THANGLONG_ZALO_API_BASE is not an http(s) URL: {base!r}")
    attempts = max(1, int(getattr(settings, "THANGLONG_ZALO_SEND_ATTEMPTS", 4)))
    backoff = float(getattr(settings, "THANGLONG_ZALO_RETRY_SECONDS", 1.0))
    body = {"recipient": {"user_id": user_id}, "message": {"text": text}}
    for attempt in range(1, attempts + 1):
        try:
            answer = _post_json(base + SEND_PATH, body, token)
        except _RetryableError as exc:
            if attempt == attempts:
                raise ZaloError(f"Zalo unreachable after {attempts} attempts: {exc}") from exc
            logger.warning("zalo send attempt %d/%d failed: %s", attempt, attempts, exc)
            time.sleep(backoff * 2 ** (attempt - 1))
            continue
        if answer.get("error") != 0:
            raise ZaloError(f"Zalo refused the message: {answer.get('error')} {answer.get('message', '')}")
        data = answer.get("data")
        return str(data.get("message_id", "")) if isinstance(data, dict) else ""
    raise AssertionError("unreachable")  # pragma: no cover


def answer_message(sender_id: str, text: str, msg_id: str = "") -> dict[str, Any]:
    """Answer a follower's text with the assistant and send the reply back (the background job's work)."""
    try:
        _, turn, reply = services.ask(text, channel=Channel.ZALO, external_user_id=sender_id)
    except services.InvalidQuestionError as exc:
        turn_id, answer = None, f"{exc.message_vi}\n\n{exc.message_en}"
    else:
        turn_id, answer = turn.pk, reply.answer
    message_ids = [send_text(sender_id, piece) for piece in split_message(answer)]
    logger.info("zalo msg %s answered by turn %s in %d message(s)", msg_id, turn_id, len(message_ids))
    return {"turn_id": turn_id, "messages": len(message_ids)}
