"""Cheap text signals computed before and beside the classifier: language, personal data, spam, priority."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from thanglong.core.pii import mask_id_number, mask_phone, mask_plate
from thanglong.core.text import fold, nfc
from thanglong.feedback.choices import Category, Priority
from thanglong.feedback.triage.lexicon import (
    FIGURATIVE_LEXICON,
    NOT_A_REPORT_LEXICON,
    PRIORITY_LEXICON,
    PROFANITY_LEXICON,
    TENSE_LEXICON,
    URGENT_LEXICON,
    Prepared,
    has_vietnamese_letters,
    prepare,
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


_VOWELS = frozenset("aeiouy")
SHORT_INSULT_WORDS = 10  # profanity in a message this short, with nothing reported, is abuse


def _gibberish(words: list[str]) -> bool:
    """Keyboard mashing ("asdfghjkl", "aaaaaaa"): a long Latin word with almost no vowels or letters."""
    for word in words:
        letters = [ch for ch in word.lower() if "a" <= ch <= "z"]
        if len(letters) >= 6 and len(letters) == len(word):
            vowels = sum(ch in _VOWELS for ch in letters)
            if vowels / len(letters) < 0.25 or len(set(letters)) <= 2:
                return True
    return False


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
    short = len(text.strip()) < 15 or len(words) < 3
    cues = NOT_A_REPORT_LEXICON.find(prepared)
    if not letters:
        add(0.8, "no letters")  # digits, dots or emoji only: nothing to triage
    elif short:
        add(0.35, "very short")
    if _REPEATED.search(text):
        add(0.2, "repeated characters")
    if _gibberish(words):
        add(0.4, "keyboard mashing")
    if "test" in cues and len(words) <= SHORT_INSULT_WORDS:
        add(0.75, "test message")
    elif "greeting" in cues and short:
        add(0.4, "greeting only")
    links = len(_LINK.findall(text))
    victim = "victim" in cues
    if links:
        # A fraud victim quotes the scam link: a link there is evidence, not spam. An advert with no
        # victim words is classed as fraud by its own wording, so the category alone does not excuse it.
        fraud = victim or (category == Category.CYBER_FRAUD and "advert" not in cues)
        add(0.05 if fraud else min(0.5, 0.3 * links), f"{links} link(s)")
    if "advert" in cues and not victim:
        add(min(0.8, 0.2 + 0.2 * len(cues["advert"])), f"advertising: {', '.join(cues['advert'][:3])}")
    if PROFANITY_LEXICON.find(prepared):
        add(0.35, "profanity")
        if len(words) <= SHORT_INSULT_WORDS:
            add(0.4, "insult with nothing reported")
    if "threat" in cues:
        add(0.8, f"threat: {', '.join(cues['threat'])}")
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


_CLAUSE = re.compile(r"[,.;:!?\n()]+")
_NEGATORS_ACCENTED = frozenset(["không", "chẳng", "chả", "chưa", "ko", "k"])
_NEGATORS_FOLDED = frozenset(["khong", "ko", "k", "chang", "khg"])
_NEGATORS_ENGLISH = frozenset(["no", "not", "nobody", "without", "never", "wasn't", "weren't", "isn't"])
NEGATION_REACH = 3  # words after a negator that it covers, within its clause


def without_negated(text: str) -> str:
    """``text`` with the few words after each negator dropped, clause by clause: "không có vũ khí",
    "không ai bị thương", "there was no knife" then raise nothing.

    Unaccented Vietnamese has its own, shorter list ("chua" is also "chùa", "no" is "nó" or "nổ");
    English negators count only in an English text.
    """
    english = detect_language(text) == "en"
    accented = has_vietnamese_letters(text)
    negators = (
        _NEGATORS_ENGLISH if english else (_NEGATORS_ACCENTED if accented else _NEGATORS_FOLDED) | {"không"}
    )
    kept_clauses = []
    for clause in _CLAUSE.split(nfc(text).lower()):
        words = clause.split()
        kept: list[str] = []
        skip = 0
        for word in words:
            if skip:
                skip -= 1
                continue
            if word in negators or (not accented and not english and fold(word) in negators):
                skip = NEGATION_REACH
                continue
            kept.append(word)
        kept_clauses.append(" ".join(kept))
    return " , ".join(kept_clauses)


def _urgent_found(prepared: Prepared, text: str | None) -> dict[str, list[str]]:
    if text is not None:
        prepared = prepare(without_negated(text))
    return URGENT_LEXICON.find(FIGURATIVE_LEXICON.blank(prepared))


def decide_priority(prepared: Prepared, category: str, text: str | None = None) -> PriorityDecision:
    """Urgent (top priority + immediate alert) on a weapon, ongoing danger, a child at risk, a
    kidnapping, drugs near a school; otherwise the category's default, nudged by a few words.

    With ``text``: negated words ("không có vũ khí") and figurative ones ("chém giá") raise nothing,
    and a report only about the past ("tuần trước có vụ đâm chém") or a joke is high, not urgent.
    """
    found = _urgent_found(prepared, text)
    urgent: dict[str, list[str]] = {}
    for signal in ("weapon", "ongoing_danger", "kidnapping"):
        if signal in found:
            urgent[signal] = found[signal]
    if "child" in found and category in _CHILD_AT_RISK:
        urgent["child"] = found["child"]
    if "school" in found and category == Category.DRUGS:
        urgent["drugs_near_school"] = found["school"]
    tense = TENSE_LEXICON.find(prepared) if text is not None else {}
    if urgent and "ongoing" not in tense and ("past" in tense or "joke" in tense):
        settled = "past" if "past" in tense else "joke"
        words = ", ".join(sorted({word for hits in urgent.values() for word in hits}))
        cue = ", ".join(tense[settled])
        return PriorityDecision(
            int(Priority.HIGH), {}, [f"not urgent: {settled} ({cue}) though it mentions {words}"]
        )
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
