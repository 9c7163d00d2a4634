"""Pages of the assistant: the citizens' chat (with a no-JavaScript fallback) and the officers' desk."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from thanglong.assistant import services
from thanglong.assistant.api import over_rate_limit
from thanglong.assistant.models import Channel, Conversation, Handoff, Turn
from thanglong.core.models import AuditAction
from thanglong.core.services import record_audit, request_context
from thanglong.core.views import staff_required

# The conversation of the no-JavaScript page lives in the Django session; the script keeps its own in
# sessionStorage and starts from this one when the page was rendered with it.
SESSION_KEY = "assistant_session_id"
TRANSCRIPT_TURNS_ON_PAGE = 50


def _web_conversation(request: HttpRequest) -> Conversation | None:
    return services.find_conversation(request.session.get(SESSION_KEY))


def chat(request: HttpRequest) -> HttpResponse:
    """The chat page; without JavaScript its form posts here and the answer is rendered on the server."""
    if request.method == "POST":
        wait = over_rate_limit(request)
        if wait:
            messages.error(
                request, _("Bạn hỏi quá nhanh. Vui lòng thử lại sau %(seconds)s giây.") % {"seconds": wait}
            )
            return redirect(reverse("assistant:chat") + "#chat-form")
        try:
            conversation, _turn, _reply = services.ask(
                request.POST.get("question", ""),
                session_id=request.session.get(SESSION_KEY),
                channel=Channel.WEB,
                user=request.user,
            )
        except services.InvalidQuestionError as exc:
            messages.error(request, exc.message_en if request.LANGUAGE_CODE == "en" else exc.message_vi)
        else:
            request.session[SESSION_KEY] = str(conversation.session_id)
        return redirect(reverse("assistant:chat") + "#chat-form")
    current = _web_conversation(request)
    turns: list[Turn] = []
    if current is not None:
        turns = list(current.turns.order_by("-created_at", "-id")[:TRANSCRIPT_TURNS_ON_PAGE])[::-1]
    choices = []
    if turns and turns[-1].needs_clarification and turns[-1].procedure_codes:
        from thanglong.procedures.services import published_procedures

        names = dict(
            published_procedures().filter(code__in=turns[-1].procedure_codes).values_list("code", "name")
        )
        choices = [{"code": code, "name": names[code]} for code in turns[-1].procedure_codes if code in names]
    context = {
        "turns": turns,
        "choices": choices,
        "session_id": str(current.session_id) if current else "",
        "handed_off": bool(current and current.handed_off),
        "max_chars": services.MAX_QUESTION_CHARS,
        "strings": _script_strings(),
    }
    return render(request, "assistant/chat.html", context)


def _script_strings() -> dict[str, str]:
    """What chat.js writes on the page, translated here (the script has no catalogue of its own)."""
    return {
        "you": _("Bạn"),
        "assistant": _("Trợ lý ảo"),
        "sources": _("Nguồn"),
        "helpful": _("Câu trả lời hữu ích"),
        "unhelpful": _("Câu trả lời chưa hữu ích"),
        "rated": _("Cảm ơn bạn đã đánh giá."),
        "thinking": _("Trợ lý đang trả lời…"),
        "empty": _("Bạn chưa nhập câu hỏi."),
        "network": _("Không gửi được. Vui lòng kiểm tra kết nối mạng và thử lại."),
        "choose": _("Bạn muốn hỏi thủ tục nào?"),
        "askFirst": _("Hãy đặt một câu hỏi trước khi gặp cán bộ."),
        "talkToOfficer": _("Gặp cán bộ"),
        "call113": _("Gọi 113"),
    }


@require_POST
def handoff(request: HttpRequest) -> HttpResponse:
    """No-JavaScript "talk to an officer": queues the page's conversation for the desk."""
    conversation = _web_conversation(request)
    if conversation is None:
        messages.error(request, _("Hãy đặt một câu hỏi trước khi gặp cán bộ."))
    else:
        services.request_handoff(
            conversation, reason=request.POST.get("reason", ""), contact=request.POST.get("contact", "")
        )
        messages.success(
            request,
            _("Đã chuyển cuộc hội thoại cho cán bộ. Cán bộ sẽ liên hệ lại trong giờ hành chính."),
        )
    return redirect(reverse("assistant:chat") + "#chat-form")


# --- the officers' desk --------------------------------------------------------------------------------


def desk_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Staff of the assistant desk only (see services.is_assistant_desk): conversations hold personal data."""

    @wraps(view)
    def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not services.is_assistant_desk(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return staff_required(check)


@desk_required
def desk(request: HttpRequest) -> HttpResponse:
    """The conversation log: recent questions, searchable without accents."""
    query = request.GET.get("q", "").strip()[:200]
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    turns = services.search_turns(query, channel=channel)
    if query:
        record_audit(
            actor=request.user,
            action=AuditAction.SEARCH,
            object_type="assistant.turn",
            object_repr=query,
            fields=["question"],
            context=request_context(request),
        )
    page = Paginator(turns, 50).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "query": query,
        "channel": channel,
        "channel_choices": Channel.choices,
        "search_window": 2000,
    }
    return render(request, "assistant/desk_log.html", context)


@desk_required
def transcript(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = get_object_or_404(Conversation, pk=pk)
    data = services.read_transcript(request.user, conversation, context=request_context(request))
    return render(request, "assistant/desk_transcript.html", data)


@desk_required
def review(request: HttpRequest) -> HttpResponse:
    """Answers the assistant was unsure of, each with one click to teach it the phrasing."""
    from thanglong.procedures.services import published_procedures

    page = Paginator(services.low_confidence_turns(), 25).get_page(request.GET.get("page"))
    procedures = list(published_procedures().order_by("name", "code").values_list("code", "name"))
    context = {
        "page": page,
        "procedures": procedures,
        "threshold": services.low_confidence_threshold(),
    }
    return render(request, "assistant/desk_review.html", context)


@desk_required
@require_POST
def add_phrase(request: HttpRequest, turn_id: int) -> HttpResponse:
    turn = get_object_or_404(Turn, pk=turn_id)
    try:
        result = services.add_phrase_from_turn(
            request.user,
            turn,
            request.POST.get("procedure", ""),
            text=request.POST.get("phrase") or None,
            context=request_context(request),
        )
    except (ValueError, ValidationError) as exc:
        detail = "; ".join(exc.messages) if isinstance(exc, ValidationError) else ""
        messages.error(request, _("Không thêm được cách hỏi. ") + detail)
    else:
        messages.success(
            request,
            _("Đã thêm cách hỏi “%(phrase)s” vào thủ tục %(code)s.")
            % {"phrase": result.phrase_text, "code": result.procedure_code},
        )
    return redirect("assistant:review")


@desk_required
@require_POST
def dismiss(request: HttpRequest, turn_id: int) -> HttpResponse:
    services.mark_turn_reviewed(request.user, get_object_or_404(Turn, pk=turn_id))
    messages.success(request, _("Đã đánh dấu là đã xem xét."))
    return redirect("assistant:review")


@desk_required
def handoffs(request: HttpRequest) -> HttpResponse:
    queue = list(services.handoff_queue()[:200])
    if any(item.contact for item in queue):
        record_audit(
            actor=request.user,
            action=AuditAction.READ,
            object_type="assistant.handoff",
            object_repr=_("hàng chờ chuyển cán bộ"),
            fields=["contact"],
            context=request_context(request),
        )
    return render(request, "assistant/desk_handoffs.html", {"queue": queue})


def _handoff_action(request: HttpRequest, pk: int, action: Callable[..., Handoff], done: str) -> HttpResponse:
    handoff = get_object_or_404(Handoff, pk=pk)
    try:
        action(request.user, handoff, context=request_context(request))
    except services.HandoffStateError:
        messages.error(request, _("Yêu cầu này đã được cán bộ khác xử lý hoặc đã đóng."))
    else:
        messages.success(request, done)
    return redirect("assistant:handoffs")


@desk_required
@require_POST
def take_handoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _handoff_action(request, pk, services.take_handoff, _("Bạn đã nhận xử lý yêu cầu."))


@desk_required
@require_POST
def close_handoff(request: HttpRequest, pk: int) -> HttpResponse:
    return _handoff_action(request, pk, services.close_handoff, _("Đã đóng yêu cầu."))


@staff_required
def stats(request: HttpRequest) -> HttpResponse:
    """Satisfaction: thumbs up and down, over the last 30 days and since the start (any staff member)."""
    context = {
        "recent": services.satisfaction_stats(days=30),
        "overall": services.satisfaction_stats(),
        "is_desk": services.is_assistant_desk(request.user),
    }
    return render(request, "assistant/desk_stats.html", context)
