"""The assistant engine: understanding, retrieval over the published catalogue, grounded answers."""

from thanglong.assistant.engine.types import (
    AssistantEngine,
    AssistantReply,
    Candidate,
    Citation,
    DialogueState,
    Intent,
    Part,
)

__all__ = [
    "AssistantEngine",
    "AssistantReply",
    "Candidate",
    "Citation",
    "DialogueState",
    "Intent",
    "Part",
]
