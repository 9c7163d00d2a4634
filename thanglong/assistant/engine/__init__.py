"""The assistant engine: understanding, retrieval over the published catalogue, grounded answers.

Channels call ``get_engine().reply(question, lang=..., state=...)``; the service calls ``reset_engine()``
after an officer publishes a version or adds a phrasing (the engine also notices catalogue changes itself
within a few seconds).
"""

from __future__ import annotations

import threading

from thanglong.assistant.engine.types import (
    AssistantEngine,
    AssistantReply,
    Candidate,
    Citation,
    DialogueState,
    Intent,
    Part,
)

_engine: AssistantEngine | None = None
_lock = threading.Lock()


def get_engine() -> AssistantEngine:
    """The process-wide engine, created on first use (its index is built on the first question)."""
    global _engine
    engine = _engine
    if engine is None:
        with _lock:
            if _engine is None:
                from thanglong.assistant.engine.assistant import AssistantConfig, CatalogueAssistant

                _engine = CatalogueAssistant(AssistantConfig.from_settings())
            engine = _engine
    return engine


def reset_engine() -> None:
    """Forget the engine and its index: the next question rebuilds from the published catalogue."""
    global _engine
    with _lock:
        _engine = None


__all__ = [
    "AssistantEngine",
    "AssistantReply",
    "Candidate",
    "Citation",
    "DialogueState",
    "Intent",
    "Part",
    "get_engine",
    "reset_engine",
]
