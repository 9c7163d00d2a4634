"""Vietnamese licence-plate grammar: what a plate may say, its canonical spelling, and repair of
recogniser output.

Sources: Circulars 58/2020/TT-BCA and 24/2023/TT-BCA (plate formats, colours since 2020/2023),
the province code list of Appendix 02, and the rules of ``biensoxe`` (MIT, Nguyễn Hồng Quân), which
we extend: biensoxe accepts codes that were never issued (``99Z-99999`` parses, ``13A-123.45`` too),
and its pydantic<2 pin conflicts with ours, so the rules live here.

Canonical forms (``normalise_plate``):
    car, 1 row            ``30A-123.45``  (older 4-digit: ``30A-1234``), 2-letter series ``29LD-123.45``
    motorbike, 2 rows     ``29B1-234.56``, ``29AA-123.45``, ``59MD1-123.45`` (Đ folded to D)
    diplomatic / foreign  ``80NG-123-45`` (code 80 or a province, country code, order)
    military              ``TM-12-34``  (two letters, four digits)
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

PROVINCES: dict[int, str] = {
    11: "Cao Bằng", 12: "Lạng Sơn", 14: "Quảng Ninh", 15: "Hải Phòng", 16: "Hải Phòng",
    17: "Thái Bình", 18: "Nam Định", 19: "Phú Thọ", 20: "Thái Nguyên", 21: "Yên Bái",
    22: "Tuyên Quang", 23: "Hà Giang", 24: "Lào Cai", 25: "Lai Châu", 26: "Sơn La",
    27: "Điện Biên", 28: "Hòa Bình", 29: "Hà Nội", 30: "Hà Nội", 31: "Hà Nội", 32: "Hà Nội",
    33: "Hà Nội", 34: "Hải Dương", 35: "Ninh Bình", 36: "Thanh Hóa", 37: "Nghệ An",
    38: "Hà Tĩnh", 39: "Đồng Nai", 40: "Hà Nội", 41: "TP. Hồ Chí Minh", 43: "Đà Nẵng",
    47: "Đắk Lắk", 48: "Đắk Nông", 49: "Lâm Đồng", 50: "TP. Hồ Chí Minh",
    51: "TP. Hồ Chí Minh", 52: "TP. Hồ Chí Minh", 53: "TP. Hồ Chí Minh", 54: "TP. Hồ Chí Minh",
    55: "TP. Hồ Chí Minh", 56: "TP. Hồ Chí Minh", 57: "TP. Hồ Chí Minh", 58: "TP. Hồ Chí Minh",
    59: "TP. Hồ Chí Minh", 60: "Đồng Nai", 61: "Bình Dương", 62: "Long An", 63: "Tiền Giang",
    64: "Vĩnh Long", 65: "Cần Thơ", 66: "Đồng Tháp", 67: "An Giang", 68: "Kiên Giang",
    69: "Cà Mau", 70: "Tây Ninh", 71: "Bến Tre", 72: "Bà Rịa - Vũng Tàu", 73: "Quảng Bình",
    74: "Quảng Trị", 75: "Thừa Thiên Huế", 76: "Quảng Ngãi", 77: "Bình Định", 78: "Phú Yên",
    79: "Khánh Hòa", 80: "Cơ quan trung ương", 81: "Gia Lai", 82: "Kon Tum", 83: "Sóc Trăng",
    84: "Trà Vinh", 85: "Ninh Thuận", 86: "Bình Thuận", 88: "Vĩnh Phúc", 89: "Hưng Yên",
    90: "Hà Nam", 92: "Quảng Nam", 93: "Bình Phước", 94: "Bạc Liêu", 95: "Hậu Giang",
    97: "Bắc Kạn", 98: "Bắc Giang", 99: "Bắc Ninh",
}  # fmt: skip
# 13, 42, 44, 45, 46, 87, 91 and 96 were never issued; below 11 there are no codes.

# Letters in series since 2010 (no I, J, O, Q, R, W: they read like digits or were retired).
SERIES_LETTERS = "ABCDEFGHKLMNPSTUVXYZ"
DIPLOMATIC_SERIES = {"NG": "diplomatic", "QT": "diplomatic", "NN": "foreign", "CV": "diplomatic"}
# Two-letter car series with their own meaning; yellow/blue colours come from the category.
SPECIAL_CAR_SERIES = {
    "LD": "business",  # liên doanh (joint venture)
    "DA": "business",  # dự án (project)
    "KT": "military",  # quân đội làm kinh tế
    "MD": "civil",  # máy điện (electric motorbike), Đ folded
    "MK": "civil",  # máy kéo (tractor)
    "TD": "civil",  # thí điểm
    "HC": "civil",  # hạn chế phạm vi hoạt động
    "LB": "business", "CT": "business", "LA": "business", "KL": "business",  # economic zones
}  # fmt: skip
# Military plates: first letter the branch (A, B, H, K, P, Q, T, N, V, C, D), second the unit.
MILITARY_FIRST = "ABCDHKNPQTV"

CATEGORY_COLOUR = {
    "civil": "white",
    "business": "yellow",
    "state": "blue",
    "military": "red",
    "diplomatic": "white",
    "foreign": "white",
}

_CLEAN = re.compile(r"[^0-9A-Z]")
_FOLD_MAP = str.maketrans({"Đ": "D", "đ": "D"})

_DIPLOMATIC = re.compile(r"^(?P<prov>\d{2})(?P<series>NG|QT|NN|CV)(?P<country>\d{3})(?P<order>\d{2})$")
_MILITARY = re.compile(rf"^(?P<series>[{MILITARY_FIRST}][A-Z])(?P<order>\d{{4}})$")
_SEPARATORS = re.compile(r"[\s\-.·_/]+")


@dataclass(frozen=True)
class PlateInfo:
    text: str  # canonical
    province_code: int | None
    province: str
    series: str
    number: str
    category: str  # civil | business | state | military | diplomatic | foreign
    vehicle: str  # car | motorbike | unknown
    valid: bool


def fold_plate(text: str) -> str:
    """Uppercase alphanumerics only (``30A-123.45`` → ``30A12345``): the key for search and matching."""
    return _CLEAN.sub("", text.translate(_FOLD_MAP).upper())


def _format_number(order: str) -> str:
    return f"{order[:3]}.{order[3:]}" if len(order) == 5 else order


def _series_ok(series: str) -> bool:
    if len(series) == 1:
        return series in SERIES_LETTERS or series == "R"  # R: trailers and semi-trailers
    if len(series) == 2:
        return series[0] in SERIES_LETTERS and (series[1] in SERIES_LETTERS or series[1] in "123456789")
    return len(series) == 3 and series[:2] == "MD" and series[2] in "123456789"


def _prefix_hint(text: str) -> int | None:
    """Length of the province+series part when the text shows it (``29-B1 234.56`` → 4)."""
    parts = [p for p in _SEPARATORS.split(text.translate(_FOLD_MAP).upper().strip()) if p]
    if len(parts) < 2:
        return None
    first = fold_plate(parts[0])
    if len(first) == 2 and first.isdigit() and len(parts) >= 3:
        return 2 + len(fold_plate(parts[1]))  # "29-B1 234.56": province and series apart
    return len(first) if 3 <= len(first) <= 5 else None


def parse_plate(text: str, *, rows: int | None = None) -> PlateInfo | None:
    """Parse any spelling of a plate; None when it cannot be a Vietnamese plate.

    ``29B12345`` is either a car (``29B-123.45``) or an old motorbike (``29B1-2345``): a separator
    in the text decides, else ``rows`` (2 rows → motorbike), else the car reading.
    """
    folded = fold_plate(text)
    if not 6 <= len(folded) <= 10:
        return None
    match = _DIPLOMATIC.match(folded)
    if match:
        prov = int(match["prov"])
        if prov not in PROVINCES:
            return None
        series = match["series"]
        canonical = f"{prov}{series}-{match['country']}-{match['order']}"
        return PlateInfo(
            canonical, prov, PROVINCES[prov], series, match["country"] + match["order"],
            DIPLOMATIC_SERIES[series], "car", True,
        )  # fmt: skip
    match = _MILITARY.match(folded)
    if match:
        order = match["order"]
        canonical = f"{match['series']}-{order[:2]}-{order[2:]}"
        return PlateInfo(canonical, None, "", match["series"], order, "military", "unknown", True)
    if not folded[:2].isdigit() or int(folded[:2]) not in PROVINCES:
        return None
    prov = int(folded[:2])
    splits = []
    for n in (1, 2, 3):
        series, order = folded[2 : 2 + n], folded[2 + n :]
        if _series_ok(series) and order.isdigit() and len(order) in (4, 5):
            splits.append((series, order))
    if not splits:
        return None
    hint = _prefix_hint(text)
    chosen = next((s for s in splits if 2 + len(s[0]) == hint), None)
    if chosen is None:
        motorbike_first = rows == 2
        chosen = sorted(splits, key=lambda s: (s[0][-1].isdigit() != motorbike_first, len(s[0])))[0]
    series, order = chosen
    category, vehicle = "civil", "car"
    if series[-1].isdigit():
        vehicle = "motorbike"  # B1, MD1 …: letter(s) + digit are motorbike series
    elif len(series) == 2:
        if series in SPECIAL_CAR_SERIES:
            category = SPECIAL_CAR_SERIES[series]
        else:
            vehicle = "motorbike"  # AA, AB …: under-50 cc motorbikes
    canonical = f"{prov}{series}-{_format_number(order)}"
    return PlateInfo(canonical, prov, PROVINCES[prov], series, order, category, vehicle, True)


def normalise_plate(text: str, *, rows: int | None = None) -> str:
    """Canonical spelling (``30a 12345`` → ``30A-123.45``), or "" when it is not a possible plate."""
    info = parse_plate(text, rows=rows)
    return info.text if info else ""


# --- repair ------------------------------------------------------------------------------------

# Characters the recogniser confuses, by shape; used to offer the other class when the grammar
# needs a letter where a digit was read (and the reverse).
CONFUSIONS: dict[str, str] = {
    "0": "DOUQ", "D": "0", "O": "0D", "Q": "0", "U": "0V",
    "8": "B", "B": "8", "5": "S", "S": "5", "1": "TIL", "I": "1", "T": "17", "L": "1",
    "2": "Z", "Z": "27", "6": "G", "G": "6C", "4": "A", "A": "4", "7": "TZ", "3": "B",
    "9": "P", "P": "9", "C": "G0", "V": "UY", "Y": "V", "K": "X", "X": "K", "H": "N", "N": "H",
    "E": "F", "F": "E", "M": "N",
}  # fmt: skip
_CONFUSION_PROB = 0.02  # prior for a substitution nobody proposed: rare but allowed


Candidates = Sequence[Sequence[tuple[str, float]]]


def repair(
    candidates: Candidates,
    *,
    rows: int | None = None,
    split: int | None = None,
    beam: int = 64,
    max_results: int = 400,
) -> tuple[str, float]:
    """Most probable valid plate from per-position alternatives.

    ``candidates[i]`` lists ``(char, probability)`` for position i, best first, as the recogniser
    proposes them. Each position is widened with its shape confusions at a low prior, then the
    best-first enumeration stops at the first combination the grammar accepts. Returns
    (canonical text, probability), or ("", 0.0) when nothing valid is within reach. ``split``: how
    many characters the top row of a two-row plate holds (``78Z`` / ``574.18`` is a car, ``29B1`` /
    ``2345`` a motorbike: the same eight characters).
    """
    options: list[list[tuple[float, str]]] = []
    for position in candidates:
        seen: dict[str, float] = {}
        for char, prob in position:
            char = fold_plate(char) or ""
            if len(char) == 1:
                seen[char] = max(seen.get(char, 0.0), float(prob))
        for char, prob in list(seen.items()):
            for other in CONFUSIONS.get(char, ""):
                seen.setdefault(other, prob * _CONFUSION_PROB)
        if not seen:
            continue
        ranked = sorted(((-math.log(max(p, 1e-9)), c) for c, p in seen.items()))[:6]
        options.append(ranked)
    if not 6 <= len(options) <= 10:
        return "", 0.0  # repair substitutes, never inserts or drops: no plate has this many characters
    # Best-first search over the product of the options (k-best by summed negative log-prob).
    start = (sum(o[0][0] for o in options), (0,) * len(options))
    heap = [start]
    visited = {start[1]}
    tried = 0
    while heap and tried < max_results:
        cost, idx = heapq.heappop(heap)
        tried += 1
        text = "".join(options[i][j][1] for i, j in enumerate(idx))
        if split and 0 < split < len(text):
            text = f"{text[:split]} {text[split:]}"
        info = parse_plate(text, rows=rows)
        if info is not None:
            return info.text, math.exp(-cost)
        for i, j in enumerate(idx):
            if j + 1 < len(options[i]):
                nxt = (*idx[:i], j + 1, *idx[i + 1 :])
                if nxt not in visited:
                    visited.add(nxt)
                    heapq.heappush(heap, (cost - options[i][j][0] + options[i][j + 1][0], nxt))
        if len(heap) > beam * 16:
            heap = heapq.nsmallest(beam, heap)
    return "", 0.0
