"""Public assistant API: ask, rate an answer, ask for an officer, and the Zalo OA webhook.

These endpoints take no sign-in (``auth=None``), so ninja does not check CSRF on them: they change
nothing that belongs to a signed-in user (a signed-in user's question is only attributed to them).
The session id a client holds is the only key to its conversation.

``/ask`` (and the chat page's no-JavaScript form) is limited per client IP to
``THANGLONG_ASSISTANT_ASK_PER_MINUTE`` questions a minute (default 60), counted in fixed one-minute
windows in Django's cache: per process unless the cache is shared (e.g. Redis).
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from ninja import Router, Status

from thanglong.assistant import services, zalo
from thanglong.assistant.models import Channel
from thanglong.assistant.schemas import (
    AskIn,
    AskOut,
    HandoffIn,
    HandoffOut,
    InvalidInputOut,
    RatingIn,
    RatingOut,
    ZaloAckOut,
)
from thanglong.core import ratelimit
from thanglong.core.api_errors import bilingual_error
from thanglong.core.schemas import ErrorOut

router = Router(tags=["assistant"])

DEFAULT_ASK_PER_MINUTE = 60


def ask_limit_per_minute() -> int:
    return int(getattr(settings, "THANGLONG_ASSISTANT_ASK_PER_MINUTE", DEFAULT_ASK_PER_MINUTE))


def over_rate_limit(request: HttpRequest) -> int:
    """Seconds to wait when this client has used up its questions for the current minute, else 0."""
    limit = ask_limit_per_minute()
    if limit <= 0:
        return 0
    limited = ratelimit.hit("assistant:ask", ratelimit.client_ip(request), limit)
    return limited.retry_after if limited else 0


def _invalid_question(exc: services.InvalidQuestionError) -> Status[dict[str, Any]]:
    return Status(
        422,
        {
            **bilingual_error("invalid_input", exc.message_vi, exc.message_en),
            "fields": [{"field": "question", "message_vi": exc.message_vi, "message_en": exc.message_en}],
        },
    )


@router.post(
    "/ask",
    url_name="assistant_ask",
    auth=None,
    response={200: AskOut, 422: InvalidInputOut, 429: ErrorOut},
    summary="Ask the virtual assistant about an administrative procedure",
)
def ask(request: HttpRequest, payload: AskIn) -> object:
    wait = over_rate_limit(request)
    if wait:
        response = JsonResponse(
            bilingual_error(
                "rate_limited",
                f"Bạn hỏi quá nhanh. Vui lòng thử lại sau {wait} giây.",
                f"Too many questions. Please try again in {wait} seconds.",
            ),
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(wait)
        return response
    try:
        conversation, turn, reply = services.ask(
            payload.question,
            session_id=payload.session_id,
            lang=payload.lang,
            channel=Channel.API,
            user=request.user,
        )
    except services.InvalidQuestionError as exc:
        return _invalid_question(exc)
    return Status(200, services.reply_payload(conversation, turn, reply))


_NOT_YOURS = bilingual_error(
    "not_found",
    "Không tìm thấy câu trả lời này trong cuộc hội thoại của bạn.",
    "This answer is not part of your conversation.",
)


@router.post(
    "/turns/{turn_id}/rating",
    url_name="assistant_rate",
    auth=None,
    response={200: RatingOut, 404: ErrorOut},
    summary="Rate one answer (thumbs up 1, thumbs down -1)",
)
def rate(request: HttpRequest, turn_id: int, payload: RatingIn) -> object:
    # Only the conversation's own session may rate it; another session's turn looks like no turn at all.
    turn = services.turn_of_session(turn_id, payload.session_id)
    if turn is None:
        return Status(404, _NOT_YOURS)
    services.rate_turn(turn, payload.rating, payload.comment)
    return Status(200, {"turn_id": turn.pk, "rating": turn.rating})


@router.post(
    "/handoff",
    url_name="assistant_handoff",
    auth=None,
    response={201: HandoffOut, 404: ErrorOut},
    summary="Ask for a human officer to take over the conversation",
)
def handoff(request: HttpRequest, payload: HandoffIn) -> object:
    conversation = services.find_conversation(payload.session_id)
    if conversation is None:
        return Status(
            404,
            bilingual_error(
                "not_found",
                "Không tìm thấy cuộc hội thoại. Hãy đặt một câu hỏi trước.",
                "No such conversation. Please ask a question first.",
            ),
        )
    created = services.request_handoff(conversation, payload.reason, payload.contact)
    return Status(
        201,
        {
            "handoff_id": created.pk,
            "status": created.status,
            "message_vi": "Đã chuyển cuộc hội thoại cho cán bộ. Cán bộ sẽ liên hệ lại với bạn "
            "trong giờ hành chính. Khi khẩn cấp, hãy gọi 113.",
            "message_en": "Your conversation has been passed to an officer, who will get back to you "
            "during office hours. In an emergency, call 113.",
        },
    )


@router.post(
    "/zalo/webhook",
    url_name="assistant_zalo_webhook",
    auth=None,
    response={200: ZaloAckOut, 400: ErrorOut, 401: ErrorOut, 503: ErrorOut},
    summary="Zalo Official Account webhook (signed with X-ZEvent-Signature)",
)
def zalo_webhook(request: HttpRequest) -> object:
    secret = zalo.oa_secret()
    if not secret:
        return Status(
            503,
            bilingual_error(
                "not_configured", "Kênh Zalo chưa được cấu hình.", "The Zalo channel is not configured."
            ),
        )
    header = request.headers.get(zalo.SIGNATURE_HEADER, "")
    bad_signature = bilingual_error(
        "bad_signature", "Chữ ký không hợp lệ.", "Missing or invalid X-ZEvent-Signature."
    )
    if not header:
        return Status(401, bad_signature)
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        payload = None
    if not isinstance(payload, dict):
        return Status(
            400, bilingual_error("invalid_input", "Nội dung không phải JSON.", "The body is not JSON.")
        )
    if not zalo.signature_is_valid(header, payload, request.body, secret):
        return Status(401, bad_signature)
    message = zalo.parse_text_message(payload)
    if message is None:
        return Status(200, {"status": "ignored"})
    return Status(200, {"status": "accepted" if zalo.accept_text_message(message) else "duplicate"})
