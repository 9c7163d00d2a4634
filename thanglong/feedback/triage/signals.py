"""Cheap text signals computed before and beside the classifier: language, personal data, spam, priority."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from thanglong.core.pii import mask_id_number, mask_phone, mask_plate
from thanglong.feedback.choices import Category, Priority
from thanglong.feedback.triage.lexicon import (
    PRIORITY_LEXICON,
    PROFANITY_LEXICON,
    URGENT_LEXICON,
    Prepared,
    has_vietnamese_letters,
)

# --- Language -----------------------------------------------------------------------------------

_LATIN_WORD = re.compile(r"[a-z]+")
# Function words that tell English from Vietnamese typed without accents ("co nguoi ban ma tuy").
_ENGLISH_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "is",
        "are",
        "was",
        "were",
        "of",
        "and",
        "to",
        "in",
        "on",
        "at",
        "for",
        "my",
        "our",
        "i",
        "me",
        "we",
        "you",
        "there",
        "someone",
        "with",
        "it",
        "this",
        "that",
        "have",
        "has",
        "been",
        "be",
        "from",
        "by",
        "near",
        "every",
        "who",
        "how",
        "where",
        "can",
        "cannot",
        "please",
        "after",
        "next",
        "night",
    ]
)
_UNACCENTED_VIETNAMESE = frozenset(
    [
        "co",
        "khong",
        "nha",
        "ngo",
        "bi",
        "cua",
        "duong",
        "xin",
        "hoi",
        "phuong",
        "cong",
        "em",
        "toi",
        "qua",
        "tai",
        "dem",
        "la",
        "va",
        "da",
        "roi",
        "thi",
        "ma",
        "nguoi",
        "dan",
        "lam",
        "nhu",
        "the",
        "nao",
        "duoc",
        "cho",
        "ko",
        "k",
        "oi",
        "nhe",
        "a",
        "ah",
        "vay",
        "gi",
        "mot",
        "cac",
        "nhung",
        "ban",
        "xe",
        "nay",
        "rat",
    ]
)


def detect_language(text: str) -> str:
    """``vi`` or ``en``: Vietnamese letters decide at once; otherwise count each language's function words."""
    if has_vietnamese_letters(text):
        return "vi"
    words = _LATIN_WORD.findall(text.lower())
    english = sum(word in _ENGLISH_WORDS for word in words)
    vietnamese = sum(word in _UNACCENTED_VIETNAMESE for word in words)
    return "en" if english > vietnamese else "vi"


# --- Personal data ------------------------------------------------------------------------------

_SEPARATOR = r"[\s.\-]?"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("email", re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")),
    (
        "bank_account",
        re.compile(
            r"(?:\bstk\b|số\s+tài\s+khoản|so\s+tai\s+khoan|tài\s+khoản\s+số|tk\s+số|account\s+(?:number|no\.?))"
            r"[^\d\n]{0,25}(\d(?:[\s.\-]?\d){5,18})",
            re.IGNORECASE,
        ),
    ),
    (
        "licence_plate",
        re.compile(r"\b\d{2}[A-Z]{1,2}\d?[\s\-]?\d{3}\.?\d{2}\b|\b\d{2}[A-Z]\d?-\d{4}\b", re.I),
    ),
    (
        "phone",
        re.compile(
            r"(?<![\d.])(?:\+84|0084|84|0)[\s.\-]?(?:[35789]\d(?:[\s.\-]?\d){7}|2\d(?:[\s.\-]?\d){8})(?![\d])"
        ),
    ),
    ("id_number", re.compile(r"(?<![\d.])\d{12}(?![\d.])")),  # CCCD: 12 digits
    ("old_id_number", re.compile(r"(?<![\d.])\d{9}(?![\d.])")),  # CMND: 9 digits
]


def _mask_email(value: str) -> str:
    local, _, domain = value.partition("@")
    return f"{local[:1]}***@{domain}"


_MASKERS = {
    "email": _mask_email,
    "bank_account": mask_id_number,
    "licence_plate": mask_plate,
    "phone": mask_phone,
    "id_number": mask_id_number,
    "old_id_number": mask_id_number,
}


@dataclass
class PersonalData:
    kinds: list[str] = field(default_factory=list)  # sorted, each once
    masked_text: str = ""


def find_personal_data(text: str) -> PersonalData:
    """Every ID number, phone, e-mail, plate and bank account in ``text``, and the text with them masked."""
    spans: list[tuple[int, int, str]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= taken_start or start >= taken_end for taken_start, taken_end, _ in spans)

    for kind, pattern in _PATTERNS:  # earlier kinds win where matches overlap
        for match in pattern.finditer(text):
            group = 1 if pattern.groups else 0
            start, end = match.span(group)
            if free(start, end):
                spans.append((start, end, kind))
    masked = text
    for start, end, kind in sorted(spans, reverse=True):
        masked = masked[:start] + _MASKERS[kind](text[start:end]) + masked[end:]
    return PersonalData(kinds=sorted({kind for _, _, kind in spans}), masked_text=masked)


# --- Spam and abuse -----------------------------------------------------------------------------

_LINK = re.compile(r"https?://\S+|www\.\S+|\b[\w-]+\.(?:com|net|vn|xyz|top|info|link|ly)\b", re.IGNORECASE)
_REPEATED = re.compile(r"(.)\1{4,}")
_LETTER = re.compile(r"[^\W\d_]")


@dataclass
class SpamScore:
    score: float
    reasons: list[str]


def spam_score(
    text: str, prepared: Prepared, *, same_text_from_phone: int = 0, category: str = ""
) -> SpamScore:
    """0..1 from surface cues; a report is never dropped on this, only queued for a person above a line."""
    score = 0.0
    reasons: list[str] = []

    def add(weight: float, reason: str) -> None:
        nonlocal score
        score += weight
        reasons.append(reason)

    letters = _LETTER.findall(text)
    words = text.split()
    if not letters:
        add(0.6, "no letters")
    elif len(text.strip()) < 15 or len(words) < 3:
        add(0.35, "very short")
    if _REPEATED.search(text):
        add(0.2, "repeated characters")
    links = len(_LINK.findall(text))
    if links:
        # A fraud victim quotes the scam link: a link there is evidence, not spam.
        add(0.05 if category == Category.CYBER_FRAUD else min(0.5, 0.3 * links), f"{links} link(s)")
    if PROFANITY_LEXICON.find(prepared):
        add(0.35, "profanity")
    if len(letters) >= 12 and sum(ch.isupper() for ch in letters) / len(letters) > 0.7:
        add(0.2, "all capitals")
    if same_text_from_phone >= 3:
        add(0.6, f"same text sent {same_text_from_phone} times from this phone")
    elif same_text_from_phone >= 1:
        add(0.2, "same text sent before from this phone")
    return SpamScore(score=round(min(1.0, score), 3), reasons=reasons)


# --- Priority -----------------------------------------------------------------------------------

DEFAULT_PRIORITY: dict[str, int] = {
    Category.PUBLIC_ORDER: Priority.NORMAL,
    Category.TRAFFIC: Priority.NORMAL,
    Category.DRUGS: Priority.HIGH,
    Category.CYBER_FRAUD: Priority.HIGH,  # money can still be frozen in the first hours
    Category.FIRE_SAFETY: Priority.HIGH,
    Category.RESIDENCE_PROCEDURES: Priority.NORMAL,
    Category.OFFICER_CONDUCT: Priority.NORMAL,
    Category.ENVIRONMENT_NOISE: Priority.NORMAL,
    Category.OTHER: Priority.LOW,
}
_CHILD_AT_RISK = {Category.PUBLIC_ORDER, Category.DRUGS, Category.FIRE_SAFETY, Category.TRAFFIC}


@dataclass
class PriorityDecision:
    priority: int
    urgent_signals: dict[str, list[str]]  # signal → the words that raised it
    reasons: list[str]


def decide_priority(prepared: Prepared, category: str) -> PriorityDecision:
    found = URGENT_LEXICON.find(prepared)
    urgent: dict[str, list[str]] = {}
    for signal in ("weapon", "ongoing_danger", "kidnapping"):
        if signal in found:
            urgent[signal] = found[signal]
    if "child" in found and category in _CHILD_AT_RISK:
        urgent["child"] = found["child"]
    if "school" in found and category == Category.DRUGS:
        urgent["drugs_near_school"] = found["school"]
    if urgent:
        words = ", ".join(sorted({word for hits in urgent.values() for word in hits}))
        return PriorityDecision(Priority.URGENT, urgent, [f"urgent: {', '.join(urgent)} ({words})"])
    levels = PRIORITY_LEXICON.find(prepared)
    priority = DEFAULT_PRIORITY.get(category, Priority.NORMAL)
    reasons = [f"default priority for {category}"]
    if "high" in levels and priority > Priority.HIGH:
        priority = Priority.HIGH
        reasons = [f"high: {', '.join(levels['high'])}"]
    elif "low" in levels and category in {Category.OTHER, Category.RESIDENCE_PROCEDURES}:
        priority = Priority.LOW
        reasons = [f"low: {', '.join(levels['low'])}"]
    return PriorityDecision(int(priority), {}, reasons)
