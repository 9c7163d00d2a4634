"""State changes and reads of the virtual assistant. Channels (web, API, Zalo, CLI) call these only.

The engine (``thanglong.assistant.engine``) understands a question and composes the answer; this module
owns everything around it: input hygiene, conversations and their dialogue state, turns, ratings,
hand-offs to officers, the officers' review of questions the assistant could not answer well, and the
short guided intake that turns "I want to report …" into a report of the feedback domain.

Conversations are citizens' own words and may hold personal data: only officers of the assistant desk
(:func:`is_assistant_desk`) read them, every transcript they open is written to the audit log, and the
sender ids and contacts are masked for everyone else.
"""

from __future__ import annotations

import importlib
import re
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from thanglong.assistant.engine.types import AssistantEngine, AssistantReply, DialogueState, Intent
from thanglong.assistant.models import (
    CHANNEL_CONVERSATION_IDLE,
    LANGUAGES,
    Channel,
    Conversation,
    Handoff,
    HandoffStatus,
    Turn,
)
from thanglong.assistant.report_flow import (
    FEEDBACK_DRAFT_KEY,
    FeedbackSender,
    continue_feedback,
    open_draft,
    start_feedback,
)
from thanglong.core.models import AuditAction, Membership, Role
from thanglong.core.pii import mask_id_number, mask_phone
from thanglong.core.roles import has_role
from thanglong.core.services import RequestContext, record_audit
from thanglong.core.text import fold, nfc

# Above this a message is not a question but a paste or an attack: refused outright. Between the
# engine's own cap (2,000 characters) and this, the engine answers the beginning and says it cut.
MAX_QUESTION_CHARS = 20_000
# The unit whose officers run the assistant desk (administrative police, PC06).
ASSISTANT_DESK_UNIT_CODE = "PC06"
VIEW_CONVERSATION_PERMISSION = "assistant.view_conversation"
DEFAULT_LOW_CONFIDENCE = 0.5

# C0/C1 control characters (NUL included) except tab and line feed; they carry no meaning in a question
# and some break logs, terminals, databases (PostgreSQL refuses NUL in text) or the engine's tokenizer.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class InvalidQuestionError(ValueError):
    """A question the assistant will not take; carries a message for the person in both languages."""

    def __init__(self, code: str, message_vi: str, message_en: str) -> None:
        super().__init__(message_en)
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en


class HandoffStateError(ValueError):
    """The hand-off is not in a state that allows this action (taken by someone else, already closed)."""


# --- the engine ----------------------------------------------------------------------------------


def _engine_package() -> Any:
    # Looked up at call time so that every channel works with whichever engine the package provides,
    # and tests can swap it (monkeypatch ``get_engine`` in this module).
    return importlib.import_module("thanglong.assistant.engine")


def engine_available() -> bool:
    return hasattr(_engine_package(), "get_engine")


def get_engine() -> AssistantEngine:
    engine: AssistantEngine = _engine_package().get_engine()
    return engine


def reset_engine() -> None:
    """Forget the loaded engine so the next question rebuilds it (after the catalogue changed)."""
    package = _engine_package()
    if hasattr(package, "reset_engine"):
        package.reset_engine()


# --- asking ----------------------------------------------------------------------------------------


def clean_question(question: object) -> str:
    """The question as the engine should see it; raises :class:`InvalidQuestionError` when unusable."""
    if not isinstance(question, str):
        raise InvalidQuestionError("not_text", "Câu hỏi phải là văn bản.", "The question must be text.")
    text = _CONTROL_CHARACTERS.sub(" ", nfc(question.replace("\r\n", "\n").replace("\r", "\n"))).strip()
    if not text:
        raise InvalidQuestionError(
            "empty",
            "Bạn chưa nhập câu hỏi. Hãy viết điều bạn muốn hỏi, ví dụ: “làm căn cước cần giấy tờ gì?”.",
            "Your question is empty. Please write what you want to ask, e.g. “what papers do I need "
            "for an ID card?”.",
        )
    if len(text) > MAX_QUESTION_CHARS:
        raise InvalidQuestionError(
            "too_long",
            f"Câu hỏi quá dài (tối đa {MAX_QUESTION_CHARS:,} ký tự). Hãy hỏi ngắn gọn từng ý một.",
            f"The question is too long (at most {MAX_QUESTION_CHARS:,} characters). "
            "Please ask one short question at a time.",
        )
    return text


def _parse_session_id(session_id: object) -> uuid.UUID | None:
    if isinstance(session_id, uuid.UUID):
        return session_id
    if not isinstance(session_id, str) or not session_id.strip():
        return None
    try:
        return uuid.UUID(session_id.strip())
    except ValueError:
        return None


def find_conversation(
    session_id: object = None, *, channel: str = "", external_user_id: str = ""
) -> Conversation | None:
    """The conversation a message continues: by session id, else the sender's recent one on that channel."""
    parsed = _parse_session_id(session_id)
    if parsed is not None:
        return Conversation.objects.filter(session_id=parsed).first()
    if channel and external_user_id:
        recent = timezone.now() - CHANNEL_CONVERSATION_IDLE
        return Conversation.objects.filter(
            channel=channel, external_user_id=external_user_id, last_activity_at__gte=recent
        ).first()
    return None


def ask(
    question: object,
    *,
    session_id: object = None,
    lang: str | None = None,
    channel: str,
    user: User | AnonymousUser | None = None,
    external_user_id: str = "",
) -> tuple[Conversation, Turn, AssistantReply]:
    """Answer one message of a conversation and store it as a turn.

    An unknown or malformed ``session_id`` starts a new conversation rather than failing: a citizen whose
    session expired simply starts over. The engine runs outside the transaction, so a slow answer never
    holds a database lock; the turn and the conversation's new state are then written together.
    """
    text = clean_question(question)
    if channel not in Channel.values:
        raise ValueError(f"unknown channel {channel!r}")
    lang = lang if lang in LANGUAGES else None
    external_user_id = external_user_id[:64]
    conversation = find_conversation(session_id, channel=channel, external_user_id=external_user_id)
    state = DialogueState.from_dict(conversation.state if conversation else None)
    draft = open_draft(conversation)

    started = time.perf_counter()
    reply = get_engine().reply(text, lang=lang, state=state)
    if draft is not None:
        sender = FeedbackSender(channel, external_user_id, user)
        reply, draft = continue_feedback(draft, text, reply, state, lang=lang, sender=sender)
    elif reply.intent == Intent.FEEDBACK.value:
        reply, draft = start_feedback(text, reply, channel)
    latency_ms = round((time.perf_counter() - started) * 1000)
    # The draft is kept beside the engine's state, not in it: the engine never sees or changes it.
    stored_state = reply.state.as_dict()
    if draft is not None:
        stored_state[FEEDBACK_DRAFT_KEY] = draft.as_dict()

    with transaction.atomic():
        if conversation is None:
            conversation = Conversation.objects.create(
                channel=channel,
                external_user_id=external_user_id,
                user=user if isinstance(user, User) else None,
                lang=reply.lang,
                state=stored_state,
            )
        else:
            conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
            conversation.state = stored_state
            conversation.lang = reply.lang
            conversation.save(update_fields=["state", "lang", "last_activity_at"])
        turn = Turn.objects.create(
            conversation=conversation,
            question=text,
            answer=reply.answer,
            lang=reply.lang,
            intent=str(reply.intent)[:16],
            asked=str(reply.asked)[:16],
            procedure_codes=list(reply.procedure_codes),
            citations=reply.as_api_dict()["citations"],
            confidence=reply.confidence,
            needs_clarification=reply.needs_clarification,
            latency_ms=latency_ms,
        )
        if reply.emergency:
            # The person was told to call 113/114/115; the call-takers also see what they wrote, at once.
            from thanglong.incidents.services import open_from_channel

            open_from_channel(channel="assistant", text=text, reference=f"{conversation.pk}:{turn.pk}")
    return conversation, turn, reply


def reply_payload(conversation: Conversation, turn: Turn, reply: AssistantReply) -> dict[str, Any]:
    """The public JSON of one answer (API, CLI): the engine's contract plus the ids to continue and rate."""
    payload = reply.as_api_dict()
    payload["session_id"] = str(conversation.session_id)
    payload["turn_id"] = turn.pk
    # Offered choices, so a channel can show them as buttons; sending a choice's name picks it.
    payload["choices"] = (
        [{"code": candidate.code, "name": candidate.name} for candidate in reply.candidates]
        if reply.needs_clarification
        else []
    )
    return payload


@transaction.atomic
def rate_turn(turn: Turn, rating: int, comment: str = "") -> Turn:
    """A citizen's thumbs up (+1) or down (-1) on one answer; rating again replaces the previous one."""
    if rating not in (1, -1):
        raise ValueError("rating must be 1 or -1")
    turn.rating = rating
    turn.rating_comment = _CONTROL_CHARACTERS.sub(" ", comment).strip()[:500]
    turn.save(update_fields=["rating", "rating_comment"])
    return turn


def turn_of_session(turn_id: int, session_id: object) -> Turn | None:
    """The turn, only if it belongs to the conversation whose session id the caller holds."""
    parsed = _parse_session_id(session_id)
    if parsed is None:
        return None
    return Turn.objects.filter(pk=turn_id, conversation__session_id=parsed).first()


# --- hand-off to an officer ------------------------------------------------------------------------


@transaction.atomic
def request_handoff(conversation: Conversation, reason: str = "", contact: str = "") -> Handoff:
    """Put the conversation in the officers' queue; asking again while it waits returns the same hand-off."""
    conversation = Conversation.objects.select_for_update().get(pk=conversation.pk)
    reason = _CONTROL_CHARACTERS.sub(" ", reason).strip()[:255]
    contact = _CONTROL_CHARACTERS.sub(" ", contact).strip()[:128]
    handoff = conversation.handoffs.exclude(status=HandoffStatus.CLOSED).first()
    if handoff is not None:
        changed = [name for name, value in (("reason", reason), ("contact", contact)) if value]
        for name in changed:
            setattr(handoff, name, reason if name == "reason" else contact)
        if changed:
            handoff.save(update_fields=changed)
        return handoff
    handoff = Handoff.objects.create(conversation=conversation, reason=reason, contact=contact)
    if not conversation.handed_off:
        conversation.handed_off = True
        conversation.save(update_fields=["handed_off", "last_activity_at"])
    return handoff


def _require_desk(officer: User | AnonymousUser) -> None:
    if not is_assistant_desk(officer):
        raise PermissionDenied("not an officer of the assistant desk")


@transaction.atomic
def take_handoff(
    officer: User | AnonymousUser, handoff: Handoff, *, context: RequestContext | None = None
) -> Handoff:
    _require_desk(officer)
    handoff = Handoff.objects.select_for_update().get(pk=handoff.pk)
    if handoff.status != HandoffStatus.OPEN:
        raise HandoffStateError("this hand-off is not waiting for an officer")
    handoff.status = HandoffStatus.TAKEN
    handoff.taken_by = officer if isinstance(officer, User) else None
    handoff.save(update_fields=["status", "taken_by"])
    _audit_handoff(officer, handoff, "take", context)
    return handoff


@transaction.atomic
def close_handoff(
    officer: User | AnonymousUser, handoff: Handoff, *, context: RequestContext | None = None
) -> Handoff:
    _require_desk(officer)
    handoff = Handoff.objects.select_for_update().get(pk=handoff.pk)
    if handoff.status == HandoffStatus.CLOSED:
        raise HandoffStateError("this hand-off is already closed")
    taken_by_someone_else = handoff.taken_by_id is not None and handoff.taken_by_id != officer.pk
    # Another officer is talking to the citizen: only an administrator or the command centre may close it.
    if taken_by_someone_else and not has_role(officer, Role.ADMINISTRATOR, Role.COMMAND_CENTRE):
        raise HandoffStateError("another officer has taken this hand-off")
    handoff.status = HandoffStatus.CLOSED
    handoff.closed_at = timezone.now()
    if handoff.taken_by_id is None:
        handoff.taken_by = officer if isinstance(officer, User) else None
    handoff.save(update_fields=["status", "closed_at", "taken_by"])
    _audit_handoff(officer, handoff, "close", context)
    return handoff


def _audit_handoff(
    officer: User | AnonymousUser, handoff: Handoff, reason: str, context: RequestContext | None
) -> None:
    record_audit(
        actor=officer,
        action=AuditAction.UPDATE,
        object_type="assistant.handoff",
        object_id=handoff.pk,
        object_repr=str(handoff),
        fields=["status"],
        reason=reason,
        context=context,
    )


def handoff_queue() -> QuerySet[Handoff]:
    """Open hand-offs first (oldest first: they have waited longest), then those being handled."""
    return (
        Handoff.objects.exclude(status=HandoffStatus.CLOSED)
        .select_related("conversation", "taken_by")
        .annotate(turn_count=Count("conversation__turns"))
        .order_by("status", "created_at")  # "open" sorts before "taken"
    )


# --- the assistant desk: who reads conversations --------------------------------------------------


def is_assistant_desk(user: User | AnonymousUser | None) -> bool:
    """Administrators, the command centre, PC06 (administrative police) and roles granted the permission."""
    if user is None or not user.is_authenticated:
        return False
    if has_role(user, Role.ADMINISTRATOR, Role.COMMAND_CENTRE):
        return True
    if user.has_perm(VIEW_CONVERSATION_PERMISSION):
        return True
    return Membership.objects.filter(user_id=user.pk, unit__code=ASSISTANT_DESK_UNIT_CODE).exists()


def mask_external_user_id(value: str) -> str:
    return mask_id_number(value) if value else ""


def mask_contact(value: str) -> str:
    """A phone number keeps its first and last digits; anything else (an e-mail, a Zalo name) its ends."""
    value = value.strip()
    if not value:
        return ""
    if sum(ch.isdigit() for ch in value) >= 7 and not re.search(r"[A-Za-z@]", value):
        return mask_phone(value)
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def personal_data_for(viewer: User | AnonymousUser | None, conversation: Conversation) -> dict[str, str]:
    """The sender id of a conversation as ``viewer`` may see it."""
    entitled = is_assistant_desk(viewer)
    value = conversation.external_user_id
    return {"external_user_id": value if entitled else mask_external_user_id(value)}


def read_transcript(
    viewer: User | AnonymousUser, conversation: Conversation, *, context: RequestContext | None = None
) -> dict[str, Any]:
    """A whole conversation for an officer of the desk; each reading goes to the audit log."""
    _require_desk(viewer)
    record_audit(
        actor=viewer,
        action=AuditAction.READ,
        object_type="assistant.conversation",
        object_id=conversation.pk,
        object_repr=f"{conversation.get_channel_display()} {conversation.started_at:%Y-%m-%d %H:%M}",
        fields=["question", "answer", "external_user_id", "contact"],
        context=context,
    )
    return {
        "conversation": conversation,
        "external_user_id": conversation.external_user_id,
        "turns": list(conversation.turns.all()),
        "handoffs": list(conversation.handoffs.select_related("taken_by")),
    }


def recent_turns(limit: int = 2000) -> QuerySet[Turn]:
    return Turn.objects.select_related("conversation").order_by("-created_at", "-id")[:limit]


def search_turns(query: str, *, channel: str = "", limit: int = 2000) -> list[Turn]:
    """Turns whose question contains ``query``, accents and case aside, among the ``limit`` most recent.

    Folding happens here rather than in the database (there is no folded column on turns): fine for the
    few thousand turns a desk looks back over; a city deployment would add a folded, indexed column.
    """
    turns = Turn.objects.select_related("conversation").order_by("-created_at", "-id")
    if channel in Channel.values:
        turns = turns.filter(conversation__channel=channel)
    folded = fold(query)[:200]
    if not folded:
        return list(turns[:limit])
    return [turn for turn in turns[:limit] if folded in fold(turn.question)]


# --- review of weak answers ------------------------------------------------------------------------


def low_confidence_threshold() -> float:
    return float(getattr(settings, "THANGLONG_ASSISTANT_LOW_CONFIDENCE", DEFAULT_LOW_CONFIDENCE))


def low_confidence_turns(threshold: float | None = None) -> QuerySet[Turn]:
    """Answers an officer should look at: unsure, a clarifying question, or out of scope; not yet reviewed."""
    threshold = low_confidence_threshold() if threshold is None else threshold
    return (
        Turn.objects.filter(reviewed=False)
        .filter(
            Q(confidence__lt=threshold) | Q(needs_clarification=True) | Q(intent=Intent.OUT_OF_SCOPE.value)
        )
        .exclude(intent__in=[Intent.EMERGENCY.value, Intent.GREETING.value])
        .select_related("conversation")
        .order_by("-created_at", "-id")
    )


@dataclass(frozen=True)
class PhraseAdded:
    turn: Turn
    procedure_code: str
    phrase_text: str
    created: bool


def add_phrase_from_turn(
    officer: User | AnonymousUser,
    turn: Turn,
    procedure_code: str,
    *,
    text: str | None = None,
    context: RequestContext | None = None,
) -> PhraseAdded:
    """Teach the assistant that this question (or the officer's edit of it) names ``procedure_code``.

    The phrase joins the procedure in the catalogue, the turn is marked reviewed, and once committed the
    engine is reset so the next question already finds it.
    """
    from thanglong.procedures import services as procedures

    _require_desk(officer)
    procedure = procedures.published_procedures().filter(code=procedure_code).first()
    if procedure is None:
        raise ValueError(f"no published procedure {procedure_code!r}")
    phrase_text = (text if text is not None else turn.question).strip()
    with transaction.atomic():
        before = procedure.phrases.count()
        phrase = procedures.add_phrase(
            procedure,
            phrase_text,
            lang=turn.lang if turn.lang in LANGUAGES else "vi",
            user=officer if isinstance(officer, User) else None,
        )
        created = procedure.phrases.count() > before
        Turn.objects.filter(pk=turn.pk).update(reviewed=True)
        turn.reviewed = True
        record_audit(
            actor=officer,
            action=AuditAction.CREATE,
            object_type="procedures.procedurephrase",
            object_id=phrase.pk,
            object_repr=f"{procedure.code}: {phrase.text}",
            reason=f"assistant turn {turn.pk}",
            context=context,
        )
        transaction.on_commit(reset_engine)
    return PhraseAdded(turn=turn, procedure_code=procedure.code, phrase_text=phrase.text, created=created)


def mark_turn_reviewed(officer: User | AnonymousUser, turn: Turn) -> Turn:
    """The officer looked at the answer and there is nothing to teach (e.g. truly out of scope)."""
    _require_desk(officer)
    Turn.objects.filter(pk=turn.pk).update(reviewed=True)
    turn.reviewed = True
    return turn


# --- satisfaction ------------------------------------------------------------------------------------


def satisfaction_stats(days: int | None = None) -> dict[str, Any]:
    """Thumbs up/down counts and the share of happy ratings, overall and per channel."""
    turns = Turn.objects.all()
    if days is not None:
        turns = turns.filter(created_at__gte=timezone.now() - timedelta(days=days))
    counts = {
        "turns": Count("id"),
        "rated": Count("id", filter=~Q(rating=0)),
        "up": Count("id", filter=Q(rating__gt=0)),
        "down": Count("id", filter=Q(rating__lt=0)),
    }
    labels = dict(Channel.choices)

    def with_share(row: dict[str, Any]) -> dict[str, Any]:
        return {**row, "up_share": row["up"] / row["rated"] if row["rated"] else None}

    totals = with_share(turns.aggregate(**counts))
    by_channel = [
        with_share({**row, "channel_label": labels.get(row["conversation__channel"], "")})
        for row in turns.values("conversation__channel").annotate(**counts).order_by("conversation__channel")
    ]
    return {
        "days": days,
        "totals": totals,
        "by_channel": by_channel,
        "conversations": Conversation.objects.filter(turns__in=turns).distinct().count(),
        "handoffs_waiting": Handoff.objects.filter(status=HandoffStatus.OPEN).count(),
        "to_review": low_confidence_turns().count(),
    }
