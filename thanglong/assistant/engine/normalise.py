"""Text as people type it → one clean form: control characters out, NFC, a length cap, folded tokens."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from thanglong.core.text import fold, nfc

MAX_QUESTION_CHARS = 2000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_SPACES = re.compile(r"[ \t\u00a0]+")
# A syllable carrying a Vietnamese tone or vowel mark (or đ): the text is Vietnamese whatever the words.
_VIETNAMESE_MARK = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)

# Function words that tell the two languages apart when there are no accents ("lam lai can cuoc").
_ENGLISH_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "i",
        "my",
        "me",
        "we",
        "our",
        "you",
        "your",
        "is",
        "are",
        "am",
        "was",
        "be",
        "do",
        "does",
        "did",
        "how",
        "what",
        "where",
        "when",
        "which",
        "who",
        "why",
        "can",
        "could",
        "should",
        "would",
        "will",
        "need",
        "needs",
        "to",
        "for",
        "of",
        "in",
        "on",
        "at",
        "from",
        "with",
        "about",
        "and",
        "or",
        "if",
        "it",
        "this",
        "that",
        "there",
        "please",
        "much",
        "many",
        "long",
        "get",
        "make",
        "apply",
        "renew",
        "lost",
        "fee",
        "fees",
        "cost",
        "costs",
        "price",
        "documents",
        "papers",
        "passport",
        "id",
        "card",
        "residence",
        "temporary",
        "permanent",
        "register",
        "registration",
        "office",
        "online",
        "take",
        "days",
        "help",
        "want",
        "hello",
        "hi",
        "thanks",
        "thank",
        "officer",
        "time",
        "deadline",
        "steps",
        "process",
        "where",
        "office",
        "talk",
        "speak",
        "human",
        "person",
        "report",
        "status",
        "application",
        "foreigner",
        "vehicle",
        "fire",
        "safety",
        "certificate",
        "business",
        "what's",
        "how's",
        "i'm",
        "don't",
        "it's",
        "any",
        "have",
        "has",
        "i've",
    ]
)
_VIETNAMESE_WORDS = frozenset(
    [
        "toi",
        "minh",
        "em",
        "anh",
        "chi",
        "ban",
        "lam",
        "the",
        "nao",
        "sao",
        "gi",
        "khong",
        "ko",
        "k",
        "co",
        "duoc",
        "dc",
        "thi",
        "la",
        "cua",
        "va",
        "voi",
        "cho",
        "de",
        "mot",
        "nhung",
        "cac",
        "nay",
        "do",
        "o",
        "dau",
        "bao",
        "nhieu",
        "lau",
        "can",
        "phai",
        "muon",
        "hoi",
        "xin",
        "cam",
        "on",
        "a",
        "nhe",
        "nha",
        "vay",
        "roi",
        "chua",
        "ma",
        "thu",
        "tuc",
        "giay",
        "to",
        "ho",
        "so",
        "chieu",
        "cuoc",
        "tru",
        "tam",
        "thuong",
        "dang",
        "ky",
        "cap",
        "lai",
        "doi",
        "mat",
        "phi",
        "le",
        "tien",
        "ngay",
        "gio",
        "nop",
        "nhan",
        "ve",
    ]
)


@dataclass(frozen=True)
class CleanText:
    text: str  # NFC, control characters stripped, spaces collapsed, capped
    folded: str  # accent-free, lower-case, punctuation-free
    truncated: bool


def clean(question: str | None) -> CleanText:
    text = nfc(question or "")
    text = _CONTROL.sub(" ", text)
    # Other unprintable categories (private use, unassigned) are noise from binary pastes.
    text = "".join(ch for ch in text if unicodedata.category(ch) not in {"Co", "Cn", "Cs"})
    text = "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines())
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    truncated = len(text) > MAX_QUESTION_CHARS
    if truncated:
        text = text[:MAX_QUESTION_CHARS]
    return CleanText(text=text, folded=fold(text), truncated=truncated)


def detect_language(text: str, folded: str) -> str | None:
    """ "vi", "en", or None when the text gives no sign (a number, an emoji)."""
    if _VIETNAMESE_MARK.search(text):
        return "vi"
    tokens = folded.split()
    english = sum(1 for token in tokens if token in _ENGLISH_WORDS)
    vietnamese = sum(1 for token in tokens if token in _VIETNAMESE_WORDS)
    if not english and not vietnamese:
        return None
    return "en" if english > vietnamese else "vi"
