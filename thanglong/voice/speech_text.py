"""Vietnamese text as it should be spoken: numbers, dates, times and money in words; phone, ID and
licence-plate numbers and tracking codes digit by digit; abbreviations and legal citations expanded;
web addresses shortened to their site name. The speech engine then only has to pronounce words.

``shorten_for_ear`` cuts a written answer (made for a screen, with lists and links) to what a caller
can take in by ear.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
EN_DIGITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
# How letters are said when a code or plate is spelled out.
LETTERS = {
    "A": "a", "B": "bê", "C": "xê", "D": "dê", "Đ": "đê", "E": "e", "F": "ép", "G": "giê", "H": "hát",
    "I": "i", "J": "gi", "K": "ca", "L": "lờ", "M": "mờ", "N": "nờ", "O": "o", "P": "pê", "Q": "quy",
    "R": "rờ", "S": "ét", "T": "tê", "U": "u", "V": "vê", "W": "vê kép", "X": "ích", "Y": "i dài",
    "Z": "dét",
}  # fmt: skip
SCALES = ["", "nghìn", "triệu", "tỷ"]

# Longest first where one is a prefix of another (TP.HCM before TP). Case-sensitive: "CA" is the police,
# "ca" a shift.
ABBREVIATIONS: list[tuple[str, str]] = [
    ("TP.HCM", "thành phố Hồ Chí Minh"), ("TP. HCM", "thành phố Hồ Chí Minh"),
    ("TPHCM", "thành phố Hồ Chí Minh"), ("HCM", "Hồ Chí Minh"),
    ("CCCD", "căn cước công dân"), ("CMND", "chứng minh nhân dân"), ("CMTND", "chứng minh thư nhân dân"),
    ("UBND", "ủy ban nhân dân"), ("HĐND", "hội đồng nhân dân"), ("CAHN", "công an Hà Nội"),
    ("CATP", "công an thành phố"), ("CAND", "công an nhân dân"), ("BCA", "Bộ Công an"),
    ("CSGT", "cảnh sát giao thông"), ("PCCC", "phòng cháy chữa cháy"), ("GPLX", "giấy phép lái xe"),
    ("BHYT", "bảo hiểm y tế"), ("BHXH", "bảo hiểm xã hội"), ("SĐT", "số điện thoại"),
    ("ĐT", "điện thoại"), ("VNeID", "vê nờ e i đê"), ("THPT", "trung học phổ thông"),
    ("NĐ-CP", "nghị định của Chính phủ"), ("TT-BCA", "thông tư của Bộ Công an"),
    ("QĐ", "quyết định"), ("NĐ", "nghị định"), ("TT", "thông tư"), ("TTHC", "thủ tục hành chính"),
    ("CA", "công an"), ("TP", "thành phố"), ("HN", "Hà Nội"), ("VN", "Việt Nam"),
    ("Q.", "quận"), ("P.", "phường"), ("TX.", "thị xã"), ("H.", "huyện"), ("v.v.", "vân vân"),
    ("km/h", "ki lô mét một giờ"), ("km", "ki lô mét"), ("kg", "ki lô gam"),
]  # fmt: skip
# Who issued a legal document, from the suffix of its number (30/2020/NĐ-CP).
ISSUERS = {
    "NĐ-CP": "nghị định của Chính phủ", "TT-BCA": "của Bộ Công an", "QĐ-TTG": "của Thủ tướng Chính phủ",
    "QĐ-UBND": "của Ủy ban nhân dân", "QĐ-BCA": "của Bộ Công an", "TT-BTC": "của Bộ Tài chính",
    "QH": "của Quốc hội", "NQ-CP": "của Chính phủ", "NQ-HĐND": "của Hội đồng nhân dân",
}  # fmt: skip


# --- numbers ------------------------------------------------------------------------------------


def _below_thousand(n: int, *, full: bool) -> list[str]:
    """0 < n < 1000; ``full``: a group after a larger one, read with its hundreds ("không trăm linh năm")."""
    hundreds, rest = divmod(n, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units:
            if words:
                words.append("linh")
            words.append(DIGITS[units])
        return words
    if tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units == 1:
        words.append("mốt" if tens > 1 else "một")
    elif units == 4:
        words.append("tư" if tens > 1 else "bốn")
    elif units == 5:
        words.append("lăm")
    elif units:
        words.append(DIGITS[units])
    return words


def number_to_words(n: int) -> str:
    """Vietnamese cardinal: 2024 → "hai nghìn không trăm hai mươi tư", 105 → "một trăm linh năm"."""
    if n < 0:
        return "âm " + number_to_words(-n)
    if n == 0:
        return "không"
    if n >= 10**12:
        return digits_to_words(str(n))
    groups: list[int] = []
    while n:
        n, group = divmod(n, 1000)
        groups.append(group)
    words: list[str] = []
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _below_thousand(group, full=bool(words))
        if index:
            words.append(SCALES[index])
    return " ".join(words)


def digits_to_words(digits: str, *, lang: str = "vi") -> str:
    names = DIGITS if lang == "vi" else EN_DIGITS
    return " ".join(names[int(ch)] for ch in digits if ch.isdigit())


def spell(code: str, *, lang: str = "vi") -> str:
    """A code read out one character at a time; separators become short pauses (commas)."""
    parts: list[str] = []
    for chunk in re.split(r"[-./\s]+", code.strip()):
        if not chunk:
            continue
        said = []
        for ch in chunk:
            if ch.isdigit():
                said.append((DIGITS if lang == "vi" else EN_DIGITS)[int(ch)])
            elif ch.upper() in LETTERS:
                said.append(LETTERS[ch.upper()] if lang == "vi" else ch.upper())
        if said:
            parts.append(" ".join(said))
    return ", ".join(parts)


def _decimal(text: str) -> str:
    whole, _, fraction = text.partition(",")
    said = number_to_words(int(whole.replace(".", "")))
    if fraction:
        fraction_words = (
            number_to_words(int(fraction)) if not fraction.startswith("0") else digits_to_words(fraction)
        )
        said += " phẩy " + fraction_words
    return said


# --- patterns, applied in order ----------------------------------------------------------------------

_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@([\w-]+(?:\.[\w-]+)+)\b")
_CITATION = re.compile(r"\b(\d{1,4})/(\d{4})/([A-ZĐ]{2,}(?:-[A-ZĐa-z]{2,})*|QH\d{2})\b")
_TRACKING = re.compile(r"\b[A-Z]{2,4}-\d{4}-\d{3,}\b")
_PLATE = re.compile(r"\b\d{2}[A-Z]{1,2}\d?\s?-\s?\d{3}\.?\d{2}\b|\b\d{2}[A-Z]{1,2}\d?-\d{4,5}\b")
# "7-10 ngày" is a range, not a date: a dash counts as a date separator only with a year.
_DATE = re.compile(r"\b(\d{1,2})(?:/(\d{1,2})(?:/(\d{4}))?|-(\d{1,2})-(\d{4}))\b")
_MONTH_YEAR = re.compile(r"\btháng\s+(\d{1,2})[/-](\d{4})\b", re.IGNORECASE)
_TIME = re.compile(r"\b(\d{1,2})\s?(?::|h|giờ)\s?(\d{2})?(?:'|p|\s?phút)?(?=\W|$)", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w.])(?:\+84|0)(?:[\s.-]?\d){8,10}(?![\w])")
_MONEY = re.compile(
    r"\b(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?\s?(?:đồng|đ|VNĐ|VND|vnđ|vnd)(?=\W|$)", re.IGNORECASE
)
_PERCENT = re.compile(r"\b(\d+(?:,\d+)?)\s?%")
_RANGE = re.compile(r"\b(\d+)\s?[-–]\s?(\d+)\b")
_GROUPED = re.compile(r"\b\d{1,3}(?:\.\d{3})+(?:,\d+)?\b")
_DECIMAL = re.compile(r"\b\d+,\d+\b")
_NUMBER = re.compile(r"\b\d+\b")
# Hotlines are said digit by digit: "gọi một một ba", not "một trăm mười ba".
_HOTLINE = re.compile(
    r"((?:gọi|số|tổng đài|đường dây nóng|hotline|bấm|call)\s+)(1\d{2,3}|18\d{6}|19\d{6})\b", re.I
)


def _date(match: re.Match[str], text: str) -> str:
    if match.group(2) is None and match.group(4) is None:
        return match.group(0)
    day = int(match.group(1))
    month = int(match.group(2) or match.group(4))
    year = match.group(3) or match.group(5)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return match.group(0)
    before = text[max(0, match.start() - 6) : match.start()].lower()
    prefix = "" if "ngày" in before else "ngày "
    day_words = number_to_words(day) if day > 10 else "mùng " + number_to_words(day)
    said = f"{prefix}{day_words} tháng {_month(month)}"
    if year:
        said += " năm " + number_to_words(int(year))
    return said


def _month(month: int) -> str:
    return "tư" if month == 4 else number_to_words(month)


def _time(match: re.Match[str]) -> str:
    hour, minute = int(match.group(1)), match.group(2)
    if hour > 24 or (minute is not None and int(minute) > 59):
        return match.group(0)
    said = f"{number_to_words(hour)} giờ"
    if minute and int(minute):
        said += f" {number_to_words(int(minute))} phút"
    return said


def _citation(match: re.Match[str]) -> str:
    number, year, suffix = match.groups()
    issuer = ISSUERS.get(suffix.upper()) or ("của Quốc hội" if suffix.startswith("QH") else "")
    said = f"số {number_to_words(int(number))} năm {number_to_words(int(year))}"
    if issuer.startswith("nghị định"):
        issuer = issuer.removeprefix("nghị định ")
    return f"{said} {issuer}".strip()


def _url(match: re.Match[str]) -> str:
    host = re.sub(r"^(?:https?://)?(?:www\.)?", "", match.group(0), flags=re.IGNORECASE).split("/")[0]
    labels = [label for label in host.split(".") if label]
    return "trang " + " chấm ".join(_say_label(label) for label in labels) if labels else ""


def _say_label(label: str) -> str:
    # "vn", "gov": no vowel or too short to pronounce as a word → spelled.
    if (len(label) <= 3 and not re.search(r"[aeiouy]", label[1:], re.IGNORECASE)) or len(label) <= 2:
        return spell(label)
    return label


def _grouped(match: re.Match[str]) -> str:
    return _decimal(match.group(0))


def _number(match: re.Match[str]) -> str:
    digits = match.group(0)
    # A leading zero or nine digits and more is an identifier (CCCD, account, case number): digit by digit.
    if (digits.startswith("0") and len(digits) > 1) or len(digits) >= 9:
        return digits_to_words(digits)
    return number_to_words(int(digits))


def _abbreviation_pattern() -> re.Pattern[str]:
    alternatives = "|".join(re.escape(short) for short, _ in sorted(ABBREVIATIONS, key=lambda a: -len(a[0])))
    return re.compile(rf"(?<![\wĐđ])(?:{alternatives})(?![\wĐđ])")


_ABBREVIATION = _abbreviation_pattern()
_EXPANSIONS = dict(ABBREVIATIONS)


def normalise_for_speech(text: str, *, lang: str = "vi") -> str:
    """``text`` with everything a speech engine would misread turned into words."""
    text = unicodedata.normalize("NFC", text or "")
    if lang == "en":
        return _normalise_english(text)
    steps: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
        (_URL, _url),
        (_EMAIL, lambda m: "thư điện tử " + m.group(0).replace("@", " a còng ").replace(".", " chấm ")),
        (_CITATION, _citation),
        (_TRACKING, lambda m: spell(m.group(0))),
        (_PLATE, lambda m: spell(m.group(0))),
        (_MONTH_YEAR, lambda m: f"tháng {_month(int(m.group(1)))} năm {number_to_words(int(m.group(2)))}"),
        (_PHONE, lambda m: _phone(m.group(0))),
        (_MONEY, lambda m: _decimal(m.group(1) + ("," + m.group(2) if m.group(2) else "")) + " đồng"),
        (_PERCENT, lambda m: _decimal(m.group(1)) + " phần trăm"),
        (_TIME, _time),
    ]
    for pattern, replace in steps:
        text = pattern.sub(replace, text)
    text = _DATE.sub(lambda m: _date(m, text), text)
    text = _RANGE.sub(lambda m: f"{_number_text(m.group(1))} đến {_number_text(m.group(2))}", text)
    text = _GROUPED.sub(_grouped, text)
    text = _DECIMAL.sub(lambda m: _decimal(m.group(0)), text)
    text = _HOTLINE.sub(lambda m: m.group(1) + digits_to_words(m.group(2)), text)
    text = _NUMBER.sub(_number, text)
    text = _ABBREVIATION.sub(lambda m: _EXPANSIONS[m.group(0)], text)
    return _tidy(text)


def _number_text(digits: str) -> str:
    return _number(re.match(r"\d+", digits))  # type: ignore[arg-type]


def _phone(raw: str) -> str:
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+84"):
        digits = "0" + digits[2:]
    # Grouped as people say them back: 4-3-3 (mobile) — the commas are pauses.
    groups = [digits[:4], digits[4:7], digits[7:]]
    return ", ".join(digits_to_words(group) for group in groups if group)


def _normalise_english(text: str) -> str:
    text = _URL.sub(
        lambda m: "the website " + _url(m).removeprefix("trang ").replace(" chấm ", " dot "), text
    )
    text = _TRACKING.sub(lambda m: spell(m.group(0), lang="en"), text)
    text = _PLATE.sub(lambda m: spell(m.group(0), lang="en"), text)
    text = _PHONE.sub(
        lambda m: ", ".join(digits_to_words(g, lang="en") for g in re.findall(r"\d{1,4}", m.group(0))), text
    )
    text = _MONEY.sub(lambda m: m.group(1).replace(".", ",") + " dong", text)
    text = _CITATION.sub(lambda m: f"number {m.group(1)} of {m.group(2)}", text)
    return _tidy(text)


def _tidy(text: str) -> str:
    # Symbols and emoji (⚠, ✓, ☎) are for the eye; espeak-ng would read their Unicode names.
    text = "".join(" " if unicodedata.category(ch) == "So" else ch for ch in text)
    text = text.replace("&", " và ").replace("•", ",").replace("–", ",").replace("→", ",")
    text = re.sub(r"[*_#>`|]+", " ", text)  # markdown and table marks a screen needs and an ear does not
    text = re.sub(r"\s*\n+\s*", ". ", text)
    text = re.sub(r"\.\s*\.", ".", text)
    return re.sub(r"[ \t]+", " ", text).strip()


# --- answers for the ear ---------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def shorten_for_ear(answer: str, *, max_sentences: int = 3, max_chars: int = 320) -> tuple[str, bool]:
    """The first sentences of a written answer, and whether anything was left out.

    List markers, links and citations-in-brackets are for a screen; a listener loses the thread after
    two or three sentences, so the rest is offered behind a key press instead.
    """
    lines = []
    for line in (answer or "").splitlines():
        line = re.sub(r"^\s*(?:[-•*]|\d+[.)])\s+", "", line).strip()
        line = re.sub(r"\[[^\]]*\]\([^)]*\)", "", line)  # markdown links
        line = re.sub(r"\(\s*(?:https?://|www\.)[^)]*\)", "", line)
        if line:
            lines.append(line if line[-1] in ".!?:…" else line + ".")
    sentences = [s.strip() for s in _SENTENCE_END.split(" ".join(lines)) if s.strip()]
    kept: list[str] = []
    for sentence in sentences:
        if len(kept) >= max_sentences or (kept and len(" ".join([*kept, sentence])) > max_chars):
            break
        kept.append(sentence)
    if not kept and sentences:
        kept = [sentences[0][:max_chars]]
    return " ".join(kept), len(kept) < len(sentences)
