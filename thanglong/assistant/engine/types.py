"""What the assistant engine takes and returns. Channels (web, API, Zalo, voice) only see these types."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import Any, Protocol


class Part(StrEnum):
    """The part of a procedure a question asks about; the answer leads with it."""

    FEE = "fee"
    DOCUMENTS = "documents"
    TIME = "time"
    WHERE = "where"
    STEPS = "steps"
    LEGAL = "legal"
    OTHER = "other"


class Intent(StrEnum):
    PROCEDURE = "procedure"  # how do I … / how much / which papers …
    EMERGENCY = "emergency"  # robbery, fire, accident, fight → call 113/114/115 first
    FEEDBACK = "feedback"  # I want to report / complain / petition
    CASE_STATUS = "case_status"  # where is my dossier / report
    GREETING = "greeting"
    HANDOFF = "handoff"  # the person asks for a human officer
    OUT_OF_SCOPE = "out_of_scope"


@dataclass(frozen=True)
class Citation:
    """Where a fact in the answer comes from: a catalogue field of a procedure, and its legal basis."""

    procedure_code: str
    procedure_name: str
    part: str  # Part value of the field the fact came from
    url: str  # the procedure's page in the catalogue
    legal_document: str = ""  # "Thông tư 66/2023/TT-BCA"
    article: str = ""  # "Điều 5"


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    score: float


@dataclass
class DialogueState:
    """What the assistant remembers between turns of one conversation (stored as JSON)."""

    procedure_code: str | None = None
    part: str | None = None
    lang: str | None = None
    # Codes offered in a clarifying question, so "cấp lại" / "the second one" can pick among them.
    pending_choices: list[str] = field(default_factory=list)
    turns: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DialogueState:
        data = data or {}
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in data.items() if key in known})


@dataclass
class AssistantReply:
    answer: str  # plain text (with line breaks); channels escape it
    lang: str  # "vi" or "en": the language the person wrote in (or asked for)
    intent: str  # Intent value
    asked: str  # Part value
    procedure_codes: list[str]
    citations: list[Citation]
    needs_clarification: bool
    confidence: float  # 0..1
    candidates: list[Candidate] = field(default_factory=list)
    state: DialogueState = field(default_factory=DialogueState)
    emergency: bool = False
    handoff_suggested: bool = False

    def as_api_dict(self) -> dict[str, Any]:
        """The public JSON shape of POST /api/v1/assistant/ask (see the issue's contract)."""
        return {
            "answer": self.answer,
            "lang": self.lang,
            "procedure_codes": list(self.procedure_codes),
            "citations": [asdict(citation) for citation in self.citations],
            "asked": self.asked,
            "needs_clarification": self.needs_clarification,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "emergency": self.emergency,
            "handoff_suggested": self.handoff_suggested,
        }


class AssistantEngine(Protocol):
    """Understands a question and composes a grounded answer. Stateless: state travels in and out."""

    def reply(
        self, question: str, *, lang: str | None = None, state: DialogueState | None = None
    ) -> AssistantReply: ...
