"""A short guided conversation that turns "I want to report …" into a report of the feedback domain.

The steps (what happened, where, a contact or anonymity, confirmation with consent) are kept as a draft
beside the engine's dialogue state, never inside it: the engine neither sees nor changes the draft. A
report is sent through the feedback services' intake; each draft carries its own idempotency key, so a
confirmation sent twice creates one report.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import asdict, dataclass, replace
from enum import StrEnum

from django.contrib.auth.models import AnonymousUser, User
from django.utils import timezone

from thanglong.assistant.engine import messages
from thanglong.assistant.engine.types import AssistantReply, DialogueState, Intent, Part
from thanglong.assistant.models import CHANNEL_CONVERSATION_IDLE, LANGUAGES, Channel, Conversation
from thanglong.core.pii import mask_phone
from thanglong.core.text import fold
from thanglong.feedback import services as feedback_services
from thanglong.feedback.choices import Channel as FeedbackChannel
from thanglong.feedback.services.notify import status_link

# When the engine hears "I want to report …", the conversation turns into a short guided intake: what
# happened, where, a phone number (or anonymity), then a confirmation that states the consent. Each step
# is kept in the conversation's state under FEEDBACK_DRAFT_KEY; the report itself is only created by the
# feedback domain's intake, after the citizen said yes.

FEEDBACK_DRAFT_KEY = "feedback_draft"
# The question that opened the flow describes the incident when it says this much ("tôi muốn phản ánh"
# alone does not).
QUESTION_AS_DESCRIPTION_CHARS = 20
DESCRIPTION_MIN_CHARS = 10  # intake's own minimum: shorter is refused there anyway
ADDRESS_MIN_CHARS = 3
SUMMARY_TEXT_CHARS = 300


class FeedbackStep(StrEnum):
    WHAT = "what"
    WHERE = "where"
    CONTACT = "contact"
    CONFIRM = "confirm"


class ContactChoice(StrEnum):
    PHONE = "phone"
    ZALO = "zalo"  # no phone: updates go back to the Zalo follower the report came from
    ANONYMOUS = "anonymous"


# Whole answers, folded (accents, case and punctuation aside).
_CANCEL_WORDS = frozenset({"huy", "huy bo", "huy phan anh", "cancel", "stop"})
_YES_WORDS = frozenset({"co", "co gui", "gui", "gui di", "dong y", "vang", "yes", "y", "ok", "oke", "okay"})
_NO_WORDS = frozenset({"khong", "khong gui", "ko", "k", "no", "n"})
_ANONYMOUS_WORDS = frozenset({"an danh", "gui an danh", "anonymous", "anonymously", "anon"})
_SKIP_WORDS = frozenset({"bo qua", "khong", "ko", "k", "skip", "no", "none"})
_PHONE_ANSWER = re.compile(r"^\+?[\d\s.\-()]{9,24}$")


@dataclass
class FeedbackDraft:
    step: str
    lang: str
    # The retry token of this one report: a confirmation sent twice creates it once.
    idempotency_key: str
    text: str = ""
    address: str = ""
    phone: str = ""
    contact: str = ""

    def as_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_state(cls, state: object) -> FeedbackDraft | None:
        data = state.get(FEEDBACK_DRAFT_KEY) if isinstance(state, dict) else None
        if not isinstance(data, dict) or data.get("step") not in {step.value for step in FeedbackStep}:
            return None
        values = {name: data.get(name) for name in cls.__dataclass_fields__}
        if not all(isinstance(value, str) for value in values.values()):
            return None
        return cls(**values)  # type: ignore[arg-type]


@dataclass(frozen=True)
class FeedbackSender:
    channel: str
    external_user_id: str
    user: User | AnonymousUser | None


def open_draft(conversation: Conversation | None) -> FeedbackDraft | None:
    """The report being written in this conversation; one left idle as long as a Zalo session is dropped."""
    if conversation is None:
        return None
    if conversation.last_activity_at < timezone.now() - CHANNEL_CONVERSATION_IDLE:
        return None
    return FeedbackDraft.from_state(conversation.state)


def _feedback_reply(answer: str, lang: str, state: DialogueState) -> AssistantReply:
    return AssistantReply(
        answer=answer,
        lang=lang,
        intent=Intent.FEEDBACK.value,
        asked=Part.OTHER.value,
        procedure_codes=[],
        citations=[],
        needs_clarification=False,
        confidence=1.0,
        state=state,
    )


def start_feedback(
    question: str, reply: AssistantReply, channel: str
) -> tuple[AssistantReply, FeedbackDraft]:
    lang = reply.lang if reply.lang in LANGUAGES else "vi"
    draft = FeedbackDraft(step=FeedbackStep.WHAT, lang=lang, idempotency_key=f"assistant-{uuid.uuid4().hex}")
    if len(question) >= QUESTION_AS_DESCRIPTION_CHARS:
        draft.text, draft.step = question, FeedbackStep.WHERE
    answer = f"{messages.FEEDBACK_START[lang]}\n\n{_feedback_prompt(draft, channel)}"
    return _feedback_reply(answer, lang, reply.state), draft


def _feedback_prompt(draft: FeedbackDraft, channel: str) -> str:
    """The question of the draft's current step (for the last one: the summary and the consent)."""
    lang = draft.lang
    if draft.step == FeedbackStep.WHAT:
        return messages.FEEDBACK_ASK_WHAT[lang]
    if draft.step == FeedbackStep.WHERE:
        return messages.FEEDBACK_ASK_WHERE[lang]
    if draft.step == FeedbackStep.CONTACT:
        return (
            messages.FEEDBACK_ASK_CONTACT_ZALO if channel == Channel.ZALO else messages.FEEDBACK_ASK_CONTACT
        )[lang]
    text = draft.text if len(draft.text) <= SUMMARY_TEXT_CHARS else draft.text[: SUMMARY_TEXT_CHARS - 1] + "…"
    contact = messages.FEEDBACK_CONTACT[lang][draft.contact or ContactChoice.ANONYMOUS].format(
        phone=mask_phone(draft.phone)
    )
    summary = messages.FEEDBACK_SUMMARY[lang].format(text=text, address=draft.address, contact=contact)
    return f"{summary}\n\n{messages.FEEDBACK_CONSENT[lang]}\n{messages.FEEDBACK_CONFIRM[lang]}"


def continue_feedback(
    draft: FeedbackDraft,
    text: str,
    engine_reply: AssistantReply,
    state: DialogueState,
    *,
    lang: str | None,
    sender: FeedbackSender,
) -> tuple[AssistantReply, FeedbackDraft | None]:
    """One answer inside the flow; returns the reply and the draft to keep (None: the flow is over)."""
    draft.lang = lang or draft.lang
    if engine_reply.emergency or engine_reply.intent == Intent.EMERGENCY.value:
        # Danger first: the engine's 113/114/115 answer, and the step is asked again afterwards.
        resume = f"{messages.FEEDBACK_RESUME[draft.lang]}\n{_feedback_prompt(draft, sender.channel)}"
        engine_reply.answer = f"{engine_reply.answer}\n\n{resume}"
        return engine_reply, draft
    state = replace(state, turns=state.turns + 1, lang=draft.lang)
    folded = fold(text)
    if folded in _CANCEL_WORDS:
        return _feedback_reply(messages.FEEDBACK_CANCELLED[draft.lang], draft.lang, state), None
    problem = _take_answer(draft, text, folded, sender.channel)
    if draft.step == FeedbackStep.CONFIRM and problem is None and folded in _YES_WORDS:
        return _submit_feedback(draft, state, sender)
    if draft.step == FeedbackStep.CONFIRM and problem is None and folded in _NO_WORDS:
        return _feedback_reply(messages.FEEDBACK_CANCELLED[draft.lang], draft.lang, state), None
    prompt = _feedback_prompt(draft, sender.channel)
    return _feedback_reply(f"{problem}\n\n{prompt}" if problem else prompt, draft.lang, state), draft


def _take_answer(draft: FeedbackDraft, text: str, folded: str, channel: str) -> str | None:
    """Record the answer to the current step and move on; returns what is wrong with it, if anything."""
    lang = draft.lang
    if draft.step == FeedbackStep.WHAT:
        if len(text) < DESCRIPTION_MIN_CHARS:
            return messages.FEEDBACK_TOO_SHORT[lang].format(minimum=DESCRIPTION_MIN_CHARS)
        draft.text, draft.step = text, FeedbackStep.WHERE
    elif draft.step == FeedbackStep.WHERE:
        if len(text) < ADDRESS_MIN_CHARS:
            return messages.FEEDBACK_ASK_WHERE[lang]
        draft.address, draft.step = text, FeedbackStep.CONTACT
    elif draft.step == FeedbackStep.CONTACT:
        if folded in _ANONYMOUS_WORDS:
            draft.contact, draft.phone = ContactChoice.ANONYMOUS, ""
        elif folded in _SKIP_WORDS:
            zalo = channel == Channel.ZALO
            draft.contact, draft.phone = (ContactChoice.ZALO if zalo else ContactChoice.ANONYMOUS), ""
        elif _PHONE_ANSWER.match(text) and 9 <= sum(ch.isdigit() for ch in text) <= 15:
            draft.contact, draft.phone = ContactChoice.PHONE, text
        else:
            return messages.FEEDBACK_BAD_PHONE[lang]
        draft.step = FeedbackStep.CONFIRM
    elif folded not in _YES_WORDS | _NO_WORDS:
        return messages.FEEDBACK_YES_OR_NO[lang]
    return None


def _submit_feedback(
    draft: FeedbackDraft, state: DialogueState, sender: FeedbackSender
) -> tuple[AssistantReply, FeedbackDraft | None]:
    """Hand the confirmed draft to the feedback intake (outside any transaction: it commits durably)."""
    lang = draft.lang
    with_phone = draft.contact == ContactChoice.PHONE
    data = {
        "text": draft.text,
        "address": draft.address,
        # Without a phone the intake's only lawful form is an anonymous report: no contact is invented.
        "anonymous": not with_phone,
        "phone": draft.phone if with_phone else "",
        "consent": True,  # the confirmation the citizen answered "yes" to stated the processing
        "lang": lang,
    }
    zalo = sender.channel == Channel.ZALO
    try:
        report, _created = feedback_services.submit_report(
            data,
            channel=FeedbackChannel.ZALO if zalo else FeedbackChannel.ASSISTANT,
            idempotency_key=draft.idempotency_key,
            user=sender.user,
            # "ẩn danh" means fully anonymous: not even the Zalo follower id is kept.
            zalo_user_id=sender.external_user_id if zalo and draft.contact != ContactChoice.ANONYMOUS else "",
        )
    except feedback_services.IntakeError as error:
        first = error.errors[0]
        draft.step = {"text": FeedbackStep.WHAT, "address": FeedbackStep.WHERE}.get(
            first.field, FeedbackStep.CONTACT
        )
        problem = messages.FEEDBACK_NOT_SENT[lang].format(problem=first.message(lang))
        answer = f"{problem}\n\n{_feedback_prompt(draft, sender.channel)}"
        return _feedback_reply(answer, lang, state), draft
    answer = messages.FEEDBACK_SENT[lang].format(code=report.tracking_code, link=status_link(report))
    if zalo and draft.contact != ContactChoice.ANONYMOUS and sender.external_user_id:
        answer += "\n" + messages.FEEDBACK_SENT_ZALO[lang]
    return _feedback_reply(answer, lang, state), None
