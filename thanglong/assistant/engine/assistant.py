"""The catalogue assistant: understands a question, finds the procedure, and answers from the catalogue."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, replace
from typing import Any

from django.urls import reverse

from thanglong.assistant.engine import compose, intents, lexicon, messages
from thanglong.assistant.engine.index import CatalogueIndex, Family, Reading
from thanglong.assistant.engine.knowledge import Catalogue, ProcedureEntry, catalogue_revision, load_catalogue
from thanglong.assistant.engine.normalise import clean, detect_language
from thanglong.assistant.engine.retrieval import Embedder, shared_embedder
from thanglong.assistant.engine.types import (
    AssistantReply,
    Candidate,
    Citation,
    DialogueState,
    Intent,
    Part,
)


@dataclass(frozen=True)
class AssistantConfig:
    dense: bool = True  # fuse multilingual-e5 embeddings with BM25
    refresh_seconds: float = 5.0  # how often the catalogue revision is checked
    lexical_weight: float = 0.6
    # Fused-score gap under which two procedures the question names equally are "close".
    clarify_margin: float = 0.5
    # How much the name words a question leaves out count against a family, against those it matches.
    missing_weight: float = 0.5
    # A question that matches no procedure's name and scores below this in BM25 is out of scope.
    min_lexical_score: float = 2.0

    @classmethod
    def from_settings(cls) -> AssistantConfig:
        from django.conf import settings

        own: dict[str, Any] = getattr(settings, "THANGLONG", {}) or {}
        return cls(dense=bool(own.get("ASSISTANT_DENSE", True)))


class CatalogueAssistant:
    """Implements ``AssistantEngine``. Thread-safe: the index is an immutable snapshot swapped whole."""

    def __init__(self, config: AssistantConfig | None = None, embedder: Embedder | None = None) -> None:
        self.config = config or AssistantConfig()
        self._embedder = embedder
        self._index: CatalogueIndex | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    # --- index ---------------------------------------------------------------------------------
    def _embedder_or_none(self) -> Embedder | None:
        if not self.config.dense:
            return None
        if self._embedder is None:
            self._embedder = shared_embedder()
        return self._embedder

    def build(self, catalogue: Catalogue | None = None) -> CatalogueIndex:
        index = CatalogueIndex(
            catalogue or load_catalogue(), self._embedder_or_none(), self.config.lexical_weight
        )
        self._index, self._checked_at = index, time.monotonic()
        return index

    def index(self) -> CatalogueIndex:
        current = self._index
        now = time.monotonic()
        if current is not None and now - self._checked_at < self.config.refresh_seconds:
            return current
        with self._lock:
            current = self._index
            if current is not None and time.monotonic() - self._checked_at < self.config.refresh_seconds:
                return current
            if current is not None and catalogue_revision() == current.catalogue.revision:
                self._checked_at = time.monotonic()
                return current
            return self.build()

    # --- replies ---------------------------------------------------------------------------------
    def reply(
        self, question: str, *, lang: str | None = None, state: DialogueState | None = None
    ) -> AssistantReply:
        state = replace(state) if state is not None else DialogueState()
        state.pending_choices = list(state.pending_choices)
        state.turns += 1
        text = clean(question)
        language = (lang if lang in {"vi", "en"} else None) or detect_language(text.text, text.folded)
        language = language or (state.lang if state.lang in {"vi", "en"} else "vi")
        state.lang = language
        result = self._answer(text.text, text.folded, language, state)
        if text.truncated:
            result.answer = f"{messages.TRUNCATED[language]}\n\n{result.answer}"
        result.state = state
        return result

    def _plain(
        self, answer: str, lang: str, intent: Intent, *, handoff: bool = False, emergency: bool = False
    ) -> AssistantReply:
        return AssistantReply(
            answer=answer,
            lang=lang,
            intent=intent.value,
            asked=Part.OTHER.value,
            procedure_codes=[],
            citations=[],
            needs_clarification=False,
            confidence=1.0 if emergency else 0.5,
            emergency=emergency,
            handoff_suggested=handoff,
        )

    def _answer(self, text: str, folded: str, lang: str, state: DialogueState) -> AssistantReply:
        if not folded:
            state.pending_choices = []
            return self._plain(messages.EMPTY[lang], lang, Intent.GREETING)
        emergency = intents.emergency_kind(folded)
        if emergency:
            return self._emergency(emergency, text, folded, lang, state)
        index = self.index()
        if state.pending_choices:
            chosen = self._resolve_choice(index, folded, state)
            if chosen is not None:
                reading = index.read(folded, lang)
                parts = reading.parts or [Part(state.part or Part.OTHER.value)]
                return self._procedure(index, chosen, parts, lang, state, confidence=0.9)
        state.pending_choices = []
        intent = intents.detect_intent(folded)
        if intent is Intent.CASE_STATUS:
            return self._plain(
                messages.CASE_STATUS[lang].format(status_url=reverse("feedback:status")), lang, intent
            )
        if intent is Intent.FEEDBACK:
            text = messages.FEEDBACK[lang].format(new_url=reverse("feedback:new"))
            return self._plain(text, lang, intent)
        if intent is Intent.HANDOFF:
            return self._plain(messages.HANDOFF[lang], lang, intent, handoff=True)
        if intents.is_greeting_only(folded):
            return self._plain(messages.GREETING[lang], lang, Intent.GREETING)
        reading = index.read(folded, lang)
        return self._procedure_question(index, reading, text, lang, state)

    def _emergency(
        self, kind: str, text: str, folded: str, lang: str, state: DialogueState
    ) -> AssistantReply:
        lines = [messages.EMERGENCY_FIRST_LINE[lang], messages.EMERGENCY_DETAIL[lang][kind]]
        lines.append(messages.EMERGENCY_LAST_LINE[lang])
        reply = self._plain("\n".join(lines), lang, Intent.EMERGENCY, emergency=True)
        # "Bị cướp mất hộ chiếu": after the call, the procedure that follows (when one clearly matches).
        index = self.index()
        reading = index.read(folded, lang)
        if reading.content:
            _, families = index.rank(reading, text)
            if families and self._is_clear(index, reading, families):
                entry = index.choose_member(self._select(index, reading, families)[0], reading.level)
                state.procedure_code, state.part = entry.code, (reading.parts or [Part.OTHER])[0].value
                reply.answer += (
                    f"\n\n{messages.EMERGENCY_THEN_PROCEDURE[lang]} {compose.display_name(entry, lang)}"
                )
                reply.answer += f" — {entry.url}"
                reply.procedure_codes = [entry.code]
                reply.citations = self._citations(entry, Part.OTHER)
        return reply

    def _resolve_choice(
        self, index: CatalogueIndex, folded: str, state: DialogueState
    ) -> ProcedureEntry | None:
        entries = [entry for code in state.pending_choices if (entry := index.catalogue.by_code(code))]
        if not entries:
            return None
        position = intents.parse_choice(folded, len(entries))
        if position is not None:
            return entries[position]
        reading = index.read(folded, state.lang or "vi")
        scored = []
        for entry in entries:
            matched, missing = index.name_match(reading, entry.family)
            weight = sum(index.name_idf.get(term, 0.0) for term in matched)
            scored.append((weight - 0.01 * missing, entry))
        scored.sort(key=lambda pair: -pair[0])
        if scored[0][0] > 0 and (len(scored) == 1 or scored[0][0] > scored[1][0] + 1e-9):
            return scored[0][1]
        return None

    def _is_clear(self, index: CatalogueIndex, reading: Reading, families: list[Family]) -> bool:
        chosen, close = self._select(index, reading, families)
        return len(close) == 1 and index.name_match(reading, chosen.key)[1] == 0

    def _select(
        self, index: CatalogueIndex, reading: Reading, families: list[Family]
    ) -> tuple[Family, list[Family]]:
        """The best family, and the families the question fits just as well (more than one: ask).

        Among families whose fused scores are close, the one whose name the question covers best wins
        ("đăng ký tạm trú" is all of "Đăng ký tạm trú" but not the "xóa" of "Xóa đăng ký tạm trú"); when
        several match the same name words and none is named in full ("làm thẻ căn cước"), the question
        does not say which.
        """
        best = families[0]
        near = [family for family in families[:5] if best.score - family.score < self.config.clarify_margin]
        fits = []
        for family in near:
            matched, missing = index.name_match(reading, family.key)
            weight = sum(index.name_idf.get(term, 0.0) for term in matched)
            fits.append((weight - self.config.missing_weight * missing, matched, missing, family))
        fits.sort(key=lambda item: -item[0])
        _, matched, missing, chosen = fits[0]
        if not matched or missing == 0:
            return chosen, [chosen]
        close = [chosen] + [item[3] for item in fits[1:] if item[1] == matched]
        return chosen, close[:3]

    def _procedure_question(
        self, index: CatalogueIndex, reading: Reading, text: str, lang: str, state: DialogueState
    ) -> AssistantReply:
        previous = index.catalogue.by_code(state.procedure_code)
        if not reading.content:
            if previous is not None and (reading.parts or reading.level):
                if reading.level:
                    family = Family(previous.family, 1.0, index.catalogue.family_members(previous.family))
                    previous = index.choose_member(family, reading.level)
                parts = reading.parts or [Part(state.part or Part.OTHER.value)]
                return self._procedure(index, previous, parts, lang, state, confidence=0.8)
            if reading.parts and not intents.mentions_out_of_scope_topic(reading.canonical):
                part = messages.PART_NAMES[lang][reading.parts[0].value]
                reply = self._plain(messages.WHICH_PROCEDURE[lang].format(part=part), lang, Intent.PROCEDURE)
                reply.needs_clarification, reply.asked = True, reading.parts[0].value
                state.part = reading.parts[0].value
                return reply
            state.procedure_code = None
            return self._plain(messages.OUT_OF_SCOPE[lang], lang, Intent.OUT_OF_SCOPE, handoff=True)
        ranking, families = index.rank(reading, text)
        chosen, close = self._select(index, reading, families)
        # A shared syllable ("giá" vàng / "gia" hạn) is not a procedure named: a word pair or an object is.
        matched = index.name_match(reading, chosen.key)[0]
        named = any("_" in term for term in matched) or bool(lexicon.objects_in(reading.canonical))
        weak = float(ranking.lexical.max()) < self.config.min_lexical_score
        if not named and (weak or intents.mentions_out_of_scope_topic(reading.canonical)):
            state.procedure_code = None
            return self._plain(messages.OUT_OF_SCOPE[lang], lang, Intent.OUT_OF_SCOPE, handoff=True)
        candidates = [
            Candidate(code=entry.code, name=entry.name, score=round(family.score, 4))
            for family in families[:3]
            for entry in [index.choose_member(family, reading.level)]
        ]
        if len(close) > 1:
            choices = [index.choose_member(family, reading.level) for family in close[:3]]
            names = [compose.display_name(entry, lang) for entry in choices]
            state.pending_choices = [entry.code for entry in choices]
            state.part = (reading.parts or [Part.OTHER])[0].value
            return AssistantReply(
                answer=messages.CLARIFY[lang].format(options=messages.options(names, lang)),
                lang=lang,
                intent=Intent.PROCEDURE.value,
                asked=state.part,
                procedure_codes=[entry.code for entry in choices],
                citations=[],
                needs_clarification=True,
                confidence=0.4,
                candidates=candidates,
            )
        entry = index.choose_member(chosen, reading.level)
        runner_up = max((family.score for family in families if family is not chosen), default=0.0)
        margin = chosen.score - runner_up
        confidence = max(0.3, min(1.0, 0.55 + margin))
        reply = self._procedure(index, entry, reading.parts, lang, state, confidence=confidence)
        reply.candidates = candidates
        return reply

    def _procedure(
        self,
        index: CatalogueIndex,
        entry: ProcedureEntry,
        parts: list[Part],
        lang: str,
        state: DialogueState,
        confidence: float,
    ) -> AssistantReply:
        asked = parts[0] if parts else Part.OTHER
        others = [
            compose.LEVELS[lang].get(member.level, member.level) + f" ({member.code})"
            for member in index.catalogue.family_members(entry.family)
            if member.code != entry.code
        ]
        state.procedure_code, state.part, state.pending_choices = entry.code, asked.value, []
        return AssistantReply(
            answer=compose.procedure_answer(entry, parts, lang, others),
            lang=lang,
            intent=Intent.PROCEDURE.value,
            asked=asked.value,
            procedure_codes=[entry.code],
            citations=self._citations(entry, asked),
            needs_clarification=False,
            confidence=round(confidence, 3),
        )

    @staticmethod
    def _citations(entry: ProcedureEntry, part: Part) -> list[Citation]:
        base = {
            "procedure_code": entry.code,
            "procedure_name": entry.name,
            "part": part.value,
            "url": entry.url,
        }
        if not entry.citations:
            return [Citation(**base)]
        return [
            Citation(**base, legal_document=citation.label, article=citation.article)
            for citation in entry.citations
        ]
