"""The browser demo of the callbot (public /callbot/ and the console's /console/voice/demo/) and the
console's list of calls.

The demo talks over plain HTTP POSTs, one recorded turn at a time (the server is a threaded WSGI
server, so no WebSocket): the page records the caller's turn, posts it as WAV, and gets back the
actions to carry out with their audio. The call lives in the database (``Call.flow_state``), so any
worker can take the next request. A browser may only drive calls it started (kept in its session).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from thanglong.core.roles import is_staff_member
from thanglong.core.services import request_context
from thanglong.voice import engines, services
from thanglong.voice.audio import WIDEBAND_RATE, AudioError, read_wav, resample, wav_bytes
from thanglong.voice.callflow import CallSession, restore
from thanglong.voice.contracts import Action, Hangup, Partial, Play, StopPlayback, Transfer
from thanglong.voice.models import Call, CallChannel, Outcome

MAX_UPLOAD_BYTES = 4 * 1024 * 1024  # ~2 minutes of 16 kHz audio
MAX_TURN_SECONDS = 120.0
SESSION_KEY = "voice_demo_calls"


def _error(status: int, code: str, message_vi: str, message_en: str, field: str = "") -> JsonResponse:
    body: dict[str, Any] = {"error": code, "message_vi": message_vi, "message_en": message_en}
    if field:
        body["fields"] = [{"field": field, "message_vi": message_vi, "message_en": message_en}]
    return JsonResponse(body, status=status)


def _action_json(action: Action) -> dict[str, Any]:
    if isinstance(action, Play):
        audio = base64.b64encode(wav_bytes(action.pcm, action.sample_rate)).decode()
        return {"type": "play", "text": action.text, "audio": f"data:audio/wav;base64,{audio}"}
    if isinstance(action, StopPlayback):
        return {"type": "stop"}
    if isinstance(action, Partial):
        return {"type": "partial", "text": action.text}
    if isinstance(action, Transfer):
        return {"type": "transfer", "queue": action.queue, "reason": action.reason}
    if isinstance(action, Hangup):
        return {"type": "hangup", "reason": action.reason}
    return {"type": "unknown"}


def _last_seq(call: Call) -> int:
    return call.turns.aggregate(last=Max("seq"))["last"] or 0


def _reply(session: CallSession, actions: list[Action], since_seq: int = 0) -> JsonResponse:
    actions = actions + session.drain()  # a request is the whole turn: the rest of the answer too
    call = session.call
    call.refresh_from_db(fields=["outcome", "intent", "report_tracking_code", "lang"])
    return JsonResponse(
        {
            "session_id": call.call_id,
            "actions": [_action_json(action) for action in actions],
            "ended": call.outcome
            not in (Outcome.IN_PROGRESS, Outcome.ANSWERED, Outcome.REPORT_FILED, Outcome.STATUS_GIVEN)
            or session.state.mode == "ended",
            "intent": call.intent,
            "outcome": call.outcome,
            "lang": session.state.lang,
            "tracking_code": call.report_tracking_code,
            # What the caller said in this request (a recorded turn may hold more than one utterance).
            "heard": list(
                call.turns.filter(speaker="caller", seq__gt=since_seq)
                .exclude(text="")
                .values_list("text", flat=True)
            ),
        }
    )


def _own_call(request: HttpRequest, call_id: str) -> Call | None:
    if call_id not in request.session.get(SESSION_KEY, []):
        return None
    return Call.objects.filter(call_id=call_id, channel=CallChannel.BROWSER, ended_at__isnull=True).first()


def _not_found() -> JsonResponse:
    return _error(
        404,
        "no_call",
        "Không tìm thấy cuộc gọi (đã kết thúc hoặc không thuộc trình duyệt này). Hãy bắt đầu cuộc gọi mới.",
        "No such call (it ended or belongs to another browser). Please start a new call.",
        "session_id",
    )


def _engine_unavailable(error: Exception) -> JsonResponse:
    return _error(
        503,
        "engine_unavailable",
        "Tổng đài tự động tạm thời không hoạt động (thiếu bộ đọc văn bản). Vui lòng gọi lại sau.",
        "The callbot is unavailable right now (no speech synthesiser). Please try again later.",
    )


# --- the demo page and its endpoints ---------------------------------------------------------------------


def _strings() -> dict[str, str]:
    return {
        "you": str(_("Bạn")),
        "bot": str(_("Tổng đài")),
        "system": str(_("Hệ thống")),
        "key": str(_("Phím")),
        "talk": str(_("Nói")),
        "send": str(_("Gửi lượt nói")),
        "listening": str(_("Đang nghe… bấm “Gửi lượt nói” khi nói xong.")),
        "waiting": str(_("Đang xử lý…")),
        "ready": str(_("Bấm “Nói” để nói, hoặc bấm phím.")),
        "ended": str(_("Cuộc gọi đã kết thúc.")),
        "officer": str(_("Cuộc gọi được chuyển tới cán bộ trực.")),
        "emergency": str(_("Cuộc gọi khẩn cấp được chuyển ngay tới cán bộ trực 113/114.")),
        "failed": str(_("Không gửi được. Vui lòng thử lại.")),
        "no_microphone": str(
            _("Không dùng được micrô. Hãy cho phép trình duyệt dùng micrô, hoặc dùng bàn phím.")
        ),
    }


def public_demo(request: HttpRequest) -> HttpResponse:
    engines.warm_up_in_background()  # the speech models load while the visitor reads the page
    return render(request, "voice/demo.html", {"console": False, "strings": _strings()})


@login_required
def console_demo(request: HttpRequest) -> HttpResponse:
    if not is_staff_member(request.user):
        raise PermissionDenied
    engines.warm_up_in_background()
    return render(request, "voice/demo.html", {"console": True, "strings": _strings()})


@require_POST
def demo_start(request: HttpRequest) -> JsonResponse:
    voice = request.POST.get("voice", "")
    try:
        session = CallSession(channel=CallChannel.BROWSER, sample_rate=WIDEBAND_RATE, voice=voice or None)
    except Exception as error:  # espeak-ng missing: nothing can be said
        return _engine_unavailable(error)
    calls = [*[*request.session.get(SESSION_KEY, [])][-19:], session.call_id]
    request.session[SESSION_KEY] = calls
    return _reply(session, session.start())


@require_POST
def demo_turn(request: HttpRequest, call_id: str) -> JsonResponse:
    call = _own_call(request, call_id)
    if call is None:
        return _not_found()
    upload = request.FILES.get("audio")
    if upload is None:
        return _error(
            400, "no_audio", "Thiếu tệp ghi âm (trường audio).", "The audio file is missing.", "audio"
        )
    if upload.size is None or upload.size > MAX_UPLOAD_BYTES:
        return _error(
            413,
            "too_large",
            "Đoạn ghi âm quá lớn (tối đa 4 MB).",
            "The recording is too large (4 MB at most).",
            "audio",
        )
    try:
        pcm, rate = read_wav(upload.read(), max_seconds=MAX_TURN_SECONDS)
    except AudioError as error:
        return _error(422, "bad_audio", error.message_vi, error.message_en, "audio")
    session = restore(call, sample_rate=WIDEBAND_RATE)
    since = _last_seq(call)
    actions = session.on_audio(resample(pcm, rate, WIDEBAND_RATE))
    if not any(isinstance(action, (Play, Transfer, Hangup)) for action in actions):
        actions += session.end_of_input()
    return _reply(session, actions, since)


@require_POST
def demo_dtmf(request: HttpRequest, call_id: str) -> JsonResponse:
    call = _own_call(request, call_id)
    if call is None:
        return _not_found()
    digit = request.POST.get("digit", "")
    if not digit and request.content_type == "application/json":
        try:
            digit = str(json.loads(request.body or b"{}").get("digit", ""))
        except (ValueError, AttributeError):
            digit = ""
    if len(digit) != 1 or digit not in "0123456789*#":
        return _error(
            422, "bad_digit", "Phím không hợp lệ (0–9, *, #).", "Not a valid key (0–9, *, #).", "digit"
        )
    session = restore(call, sample_rate=WIDEBAND_RATE)
    return _reply(session, session.on_dtmf(digit))


@require_POST
def demo_hangup(request: HttpRequest, call_id: str) -> JsonResponse:
    call = _own_call(request, call_id)
    if call is None:
        return _not_found()
    session = restore(call, sample_rate=WIDEBAND_RATE)
    session.on_hangup()
    return _reply(session, [])


# --- the console's record of calls ---------------------------------------------------------------------


def _require_staff(request: HttpRequest) -> None:
    if not is_staff_member(request.user):
        raise PermissionDenied


@login_required
@require_GET
def call_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    calls = Call.objects.all()
    outcome = request.GET.get("outcome", "")
    if outcome in Outcome.values:
        calls = calls.filter(outcome=outcome)
    page = Paginator(calls, 50).get_page(request.GET.get("page"))
    rows = [{"call": call, "caller_number": services.caller_number_for(request.user, call)} for call in page]
    return render(
        request,
        "voice/calls.html",
        {
            "page": page,
            "rows": rows,
            "outcomes": Outcome.choices,
            "outcome": outcome,
            "entitled": services.can_see_caller_number(request.user),
        },
    )


@login_required
@require_GET
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    call = get_object_or_404(Call, pk=pk)
    data = services.read_call(request.user, call, context=request_context(request))
    return render(request, "voice/call_detail.html", data)


@login_required
@require_GET
def call_recording(request: HttpRequest, pk: int) -> FileResponse:
    _require_staff(request)
    call = get_object_or_404(Call, pk=pk)
    try:
        path = services.recording_for(request.user, call, context=request_context(request))
    except FileNotFoundError as error:
        raise Http404 from error
    return FileResponse(path.open("rb"), content_type="audio/wav")
