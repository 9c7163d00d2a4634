"""Clean up and split a free-text address into tokens that keep both their accented and folded forms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from thanglong.core.text import nfc, strip_accents

MAX_INPUT_CHARS = 500

# Tone marks only; circumflex, breve and horn are part of the vowel and stay put.
_TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

# "T,â,n B,ì,n,h" and "T.T.H": three or more single letters glued by commas or dots.
_SPACED_LETTERS = re.compile(r"(?<!\w)\w(?:[.,]\w){2,}(?!\w)")
_WORD = re.compile(r"[^\W_]+")
_LETTERS_DIGITS = re.compile(r"\d+|[^\W\d_]+")

# Words that introduce a unit, folded and without spaces ("thi tran" → "thitran"), and what they announce.
WARD, DISTRICT, PROVINCE = "ward", "district", "province"
PREFIXES: dict[str, tuple[frozenset[str], str]] = {
    "phuong": (frozenset({WARD}), "Phường"),
    "p": (frozenset({WARD}), "Phường"),
    "f": (frozenset({WARD}), "Phường"),
    "ph": (frozenset({WARD}), "Phường"),
    "xa": (frozenset({WARD}), "Xã"),
    "x": (frozenset({WARD}), "Xã"),
    "thitran": (frozenset({WARD}), "Thị trấn"),
    "tt": (frozenset({WARD}), "Thị trấn"),
    "thitr": (frozenset({WARD}), "Thị trấn"),
    "quan": (frozenset({DISTRICT}), "Quận"),
    "q": (frozenset({DISTRICT}), "Quận"),
    "huyen": (frozenset({DISTRICT}), "Huyện"),
    "huyn": (frozenset({DISTRICT}), "Huyện"),
    "hyen": (frozenset({DISTRICT}), "Huyện"),
    "h": (frozenset({DISTRICT}), "Huyện"),
    "thixa": (frozenset({DISTRICT}), "Thị xã"),
    "tx": (frozenset({DISTRICT}), "Thị xã"),
    "thanhpho": (frozenset({DISTRICT, PROVINCE}), "Thành phố"),
    "tp": (frozenset({DISTRICT, PROVINCE}), "Thành phố"),
    "tpho": (frozenset({DISTRICT, PROVINCE}), "Thành phố"),
    "tinh": (frozenset({PROVINCE}), "Tỉnh"),
    "t": (frozenset({PROVINCE}), "Tỉnh"),
}
# Glued prefixes worth splitting off a longer word ("Tỉnhphú Yên"): long enough not to be a name's start.
_GLUED_PREFIXES = ("thanhpho", "thitran", "thixa", "phuong", "huyen", "tinh", "quan")
# What may follow the province without weakening it.
TRAILERS = frozenset({"vietnam", "viet", "nam", "vn"})


@dataclass(frozen=True, slots=True)
class Token:
    text: str  # as written (after clean-up)
    accented: str  # lower-case, NFC, one tone placement
    folded: str  # lower-case, accent-free; numbers without leading zeros
    start: int  # offsets into the cleaned text
    end: int
    comma_before: bool  # a comma, semicolon, dash or full stop separates it from the previous token
    upper: bool  # written all in capitals ("TB", "BT")


def _move_tone(word: str) -> str:
    """Old-style "hoà", "thuỷ" → "hòa", "thủy": the data (and most writers today) put the tone first."""
    if len(word) < 2:
        return word
    last = unicodedata.normalize("NFD", word[-1])
    tones = [ch for ch in last if ch in _TONE_MARKS]
    base = "".join(ch for ch in last if ch not in _TONE_MARKS)
    before = word[-2]
    if not tones or before not in "ou" or base not in "aey":
        return word
    if (before, base) not in {("o", "a"), ("o", "e"), ("u", "y")}:
        return word
    if before == "u" and len(word) >= 3 and word[-3] == "q":
        return word  # "quý": the u belongs to "qu"
    moved = unicodedata.normalize("NFC", before + tones[0])
    return word[:-2] + moved + base


def accent_key(text: str) -> str:
    """Lower-case, NFC, one tone placement, no spaces or punctuation: compares names with their accents."""
    return "".join(_move_tone(word) for word in _WORD.findall(nfc(text).lower()))


def fold_key(text: str) -> str:
    """Accent-free, lower-case, no spaces or punctuation: the key names are indexed under."""
    return "".join(_number(word) for word in _WORD.findall(strip_accents(nfc(text)).lower()))


def _number(word: str) -> str:
    return str(int(word)) if word.isdigit() and len(word) < 10 else word


def _join_spaced_letters(text: str) -> str:
    return _SPACED_LETTERS.sub(lambda m: re.sub(r"[.,]", "", m.group(0)), text)


def _letters(predicate: Callable[[str], bool]) -> str:
    chars = (chr(code) for code in [*range(0x41, 0x250), *range(0x1E00, 0x1F00)])
    return "".join(re.escape(ch) for ch in chars if ch.isalpha() and predicate(ch))


_LOWER, _UPPER = _letters(str.islower), _letters(str.isupper)
# "TP.HồChíMinh" → "TP.Hồ Chí Minh"; "XTân" → "X Tân" (a capital glued before a capitalised word).
_GLUED_CASE = re.compile(f"(?<=[{_LOWER}])(?=[{_UPPER}])|(?<=[{_UPPER}])(?=[{_UPPER}][{_LOWER}])")


def _split_glued_case(text: str) -> str:
    return _GLUED_CASE.sub(" ", text)


def clean(text: str) -> str:
    text = nfc(text or "")[:MAX_INPUT_CHARS]
    text = _join_spaced_letters(text)
    return _split_glued_case(text)


def _pieces(word: str) -> list[tuple[int, str]]:
    """Split letters from digits ("P1" → "P", "1"), dropping a stray digit typed inside a name.

    "Ph9ố" → "Phố", "Quỳn1" → "Quỳn", "9hanh" → "hanh", "x2Trung" → "x", "Trung"; codes such as
    "P13", "KP1", "F1614" and "CT12C" only split.
    """
    parts = [(m.start(), m.group(0)) for m in _LETTERS_DIGITS.finditer(word)]
    if len(parts) < 2:
        return parts
    kept: list[tuple[int, str]] = []
    for position, (start, piece) in enumerate(parts):
        if piece.isdigit() and len(piece) == 1:
            left = parts[position - 1][1] if position > 0 else ""
            right = parts[position + 1][1] if position + 1 < len(parts) else ""
            between_letters = bool(left) and bool(right) and right[0].islower()
            beside_word = len(right) >= 3 or (len(left) >= 3 and strip_accents(left).lower() not in PREFIXES)
            if between_letters or beside_word:
                if between_letters and kept:
                    merged_start, merged = kept.pop()
                    kept.append((merged_start, merged + right))
                    parts[position + 1] = (parts[position + 1][0], "")
                continue
        if piece:
            kept.append((start, piece))
    return kept


def tokenize(text: str, vocabulary: frozenset[str] = frozenset()) -> tuple[str, list[Token]]:
    """The cleaned text and its tokens; ``vocabulary`` (folded name words) keeps real words whole."""
    cleaned = clean(text)
    tokens: list[Token] = []
    previous_end = 0
    for match in _WORD.finditer(cleaned):
        gap = cleaned[previous_end : match.start()]
        comma = bool(tokens) and any(ch in ",;.-/" for ch in gap)
        previous_end = match.end()
        for relative, part, accented, folded in _word_parts(match.group(0), vocabulary):
            start = match.start() + relative
            tokens.append(
                Token(
                    text=part,
                    accented=accented,
                    folded=folded,
                    start=start,
                    end=start + len(part),
                    comma_before=comma,
                    upper=part.isupper() and len(part) > 1,
                )
            )
            comma = False
    return cleaned, tokens


@lru_cache(maxsize=65536)
def _word_parts(word: str, vocabulary: frozenset[str]) -> tuple[tuple[int, str, str, str], ...]:
    """(offset, text, accented, folded) for each token in one word; words repeat, so this is cached."""
    parts: list[tuple[int, str, str, str]] = []
    for relative, piece in _pieces(word):
        folded = _number(strip_accents(piece).lower())
        for part_start, part in _split_glued_prefix(piece, folded, vocabulary, relative):
            parts.append((part_start, part, _move_tone(part.lower()), _number(strip_accents(part).lower())))
    return tuple(parts)


def _split_glued_prefix(
    piece: str, folded: str, vocabulary: frozenset[str], start: int
) -> list[tuple[int, str]]:
    if folded in vocabulary or len(folded) != len(piece):
        return [(start, piece)]
    for prefix in _GLUED_PREFIXES:
        if folded.startswith(prefix) and len(folded) - len(prefix) >= 2:
            cut = len(prefix)
            return [(start, piece[:cut]), (start + cut, piece[cut:])]
    return [(start, piece)]
