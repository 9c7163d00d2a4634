"""One immutable search index over one revision of the published catalogue, and how a question is read."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from thanglong.assistant.engine import intents, lexicon
from thanglong.assistant.engine.knowledge import Catalogue, ProcedureEntry, level_rank
from thanglong.assistant.engine.normalise import _ENGLISH_WORDS, _VIETNAMESE_WORDS
from thanglong.assistant.engine.retrieval import (
    STOPWORDS,
    BM25Retriever,
    DenseRetriever,
    Document,
    Embedder,
    HybridRetriever,
    Ranking,
    TypoCorrector,
    terms,
)
from thanglong.assistant.engine.types import Part
from thanglong.core.text import fold

# Field weights of the lexical index: the name says most, the long texts least.
NAME_WEIGHT, PHRASE_WEIGHT, ENGLISH_NAME_WEIGHT, AREA_WEIGHT, AGENCY_WEIGHT, BODY_WEIGHT = (
    3.0,
    2.0,
    1.0,
    1.0,
    0.5,
    0.3,
)
BODY_CHARS = 1500
OBJECT_BOOST = 0.3


def _canon(text: str) -> str:
    return lexicon.canonical(fold(text), english=False)


def _body(entry: ProcedureEntry) -> str:
    parts = [
        entry.requesters,
        entry.requirements,
        *entry.steps,
        *(document.name for document in entry.documents),
    ]
    return " ".join(parts)[:BODY_CHARS]


def document_for(entry: ProcedureEntry) -> Document:
    phrases = [text for text, _ in entry.phrases]
    fields = [
        (_canon(entry.family_name), NAME_WEIGHT),
        (_canon(entry.area), AREA_WEIGHT),
        (_canon(entry.agency), AGENCY_WEIGHT),
        (_canon(_body(entry)), BODY_WEIGHT),
    ]
    if entry.name_en:
        fields.append((lexicon.canonical(fold(entry.name_en)), ENGLISH_NAME_WEIGHT))
    fields.extend((lexicon.canonical(fold(phrase)), PHRASE_WEIGHT) for phrase in phrases)
    name = entry.name + (f" ({entry.name_en})" if entry.name_en else "")
    passages = [name, f"{entry.family_name}. {entry.area}. {_body(entry)[:250]}", *phrases]
    return Document(key=entry.code, fields=tuple(fields), passages=tuple(passages))


@dataclass(frozen=True)
class Reading:
    """A question as the engine understands it."""

    canonical: str  # folded, corrected, slang and English in catalogue words
    lexical: str  # canonical less the words that only ask for a part
    parts: list[Part]
    content: list[str]  # known words that name a procedure
    level: str | None


@dataclass(frozen=True)
class Family:
    key: str
    score: float
    members: list[ProcedureEntry]


class CatalogueIndex:
    def __init__(self, catalogue: Catalogue, embedder: Embedder | None, lexical_weight: float) -> None:
        self.catalogue = catalogue
        self.entries = list(catalogue.entries)
        documents = [document_for(entry) for entry in self.entries]
        self.bm25 = BM25Retriever(documents)
        dense = DenseRetriever(documents, embedder) if embedder is not None and documents else None
        family_ids: dict[str, int] = {}
        groups = [family_ids.setdefault(entry.family, len(family_ids)) for entry in self.entries]
        self.hybrid = HybridRetriever(self.bm25, dense, lexical_weight=lexical_weight, groups=groups)
        known = self.bm25.vocabulary | lexicon.vocabulary() | STOPWORDS | _ENGLISH_WORDS | _VIETNAMESE_WORDS
        self.corrector = TypoCorrector(known)
        # Terms of each family's name (and officers' phrasings): what tells two families apart.
        self.name_terms: dict[str, set[str]] = {}
        for entry, document in zip(self.entries, documents, strict=True):
            named = {
                term for text, weight in document.fields if weight >= PHRASE_WEIGHT for term in terms(text)
            }
            self.name_terms.setdefault(entry.family, set()).update(named)
        self.objects: dict[str, set[str]] = {}
        for entry, document in zip(self.entries, documents, strict=True):
            named_text = " ".join(text for text, weight in document.fields if weight >= PHRASE_WEIGHT)
            self.objects.setdefault(entry.family, set()).update(lexicon.objects_in(named_text))
        frequency: Counter[str] = Counter()
        for named in self.name_terms.values():
            frequency.update(named)
        count = max(len(self.name_terms), 1)
        self.name_idf = {term: math.log(1 + count / n) for term, n in frequency.items()}

    def read(self, folded: str, lang: str = "vi") -> Reading:
        expanded = lexicon.expand_abbreviations(folded)
        # English words are not Vietnamese syllables with a typo: only Vietnamese is corrected.
        corrected = self.corrector.correct(expanded) if lang == "vi" else expanded
        canonical = lexicon.canonical(corrected)
        lexical = intents.strip_cues(canonical)
        content = [
            token
            for token in intents.content_words(canonical, STOPWORDS)
            if token in self.bm25.vocabulary and not token.isdigit()
        ]
        return Reading(
            canonical=canonical,
            lexical=lexical,
            parts=intents.detect_parts(canonical),
            content=content,
            level=intents.level_cue(canonical),
        )

    def rank(self, reading: Reading, text: str) -> tuple[Ranking, list[Family]]:
        ranking = self.hybrid.rank(reading.lexical, text)
        asked_objects = lexicon.objects_in(reading.canonical)
        if asked_objects:
            # The thing asked about outweighs its qualifiers: "hộ chiếu cho con dưới 14 tuổi" is about a
            # passport, however much "14 tuổi" looks like the first identity card.
            boost = np.array(
                [
                    len(asked_objects & self.objects[entry.family]) / len(asked_objects)
                    for entry in self.entries
                ]
            )
            fused = ranking.fused + OBJECT_BOOST * boost
            order = sorted(range(len(fused)), key=lambda index: -fused[index])
            ranking = Ranking(order=order, fused=fused, lexical=ranking.lexical, dense=ranking.dense)
        families: dict[str, Family] = {}
        for index in ranking.order:
            entry = self.entries[index]
            family = families.get(entry.family)
            if family is None:
                families[entry.family] = Family(entry.family, float(ranking.fused[index]), [entry])
            else:
                family.members.append(entry)
        return ranking, list(families.values())

    def name_match(self, reading: Reading, family: str) -> tuple[frozenset[str], float]:
        """The question's terms found in a family's name, and the weight of the name's terms it left out."""
        query = set(terms(reading.lexical))
        named = self.name_terms.get(family, set())
        matched = frozenset(query & named)
        missing = sum(self.name_idf.get(term, 0.0) for term in named - query if "_" not in term)
        return matched, missing

    def choose_member(self, family: Family, level: str | None) -> ProcedureEntry:
        members = sorted(family.members, key=level_rank)
        if level:
            for member in members:
                if member.level == level:
                    return member
        return members[0]
