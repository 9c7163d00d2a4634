"""Emergency words in any channel's text: which line (113/114) and what kind of incident they point to.

Accented Vietnamese is matched as written; text typed without accents is matched only on phrases that
stay unambiguous once accents are gone ("chay" alone is both "cháy", fire, and "chạy", to run).
"""

from __future__ import annotations

import re
import unicodedata

from thanglong.core.text import fold
from thanglong.incidents.choices import IncidentKind, Line

# (kind, accented words/phrases, accent-free phrases); the first kind that matches wins, so the
# most specific come first.
_RULES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    (
        IncidentKind.FIRE,
        (
            "cháy",
            "hoả hoạn",
            "hỏa hoạn",
            "đám cháy",
            "bốc cháy",
            "phát nổ",
            "nổ bình gas",
            "nổ lớn",
            "khói đen",
        ),
        ("dam chay", "boc chay", "chay nha", "hoa hoan", "phat no", "no binh gas", "chay lon", "fire in"),
    ),
    (
        IncidentKind.RESCUE,
        ("mắc kẹt", "đuối nước", "sập nhà", "sập tường", "rơi xuống giếng", "kẹt trong thang máy"),
        ("mac ket", "duoi nuoc", "sap nha", "sap tuong", "ket thang may"),
    ),
    (
        IncidentKind.CRIME,
        (
            "cướp",
            "bắt cóc",
            "đâm người",
            "chém người",
            "nổ súng",
            "có súng",
            "giết người",
            "cầm dao",
            "đột nhập",
        ),
        ("cuop giat", "an cuop", "bat coc", "dam nguoi", "chem nguoi", "no sung", "giet nguoi", "robbery"),
    ),
    (
        IncidentKind.VIOLENCE,
        ("đánh nhau", "hỗn chiến", "đánh người", "hành hung", "ẩu đả"),
        ("danh nhau", "hon chien", "danh nguoi", "hanh hung"),
    ),
    (
        IncidentKind.TRAFFIC,
        ("tai nạn", "đâm xe", "tông xe", "lật xe"),
        ("tai nan", "dam xe", "tong xe", "lat xe", "accident"),
    ),
    (
        IncidentKind.MEDICAL,
        ("bất tỉnh", "ngất xỉu", "chảy nhiều máu", "co giật", "ngừng thở"),
        ("bat tinh", "ngat xiu", "ngung tho"),
    ),
    (
        IncidentKind.OTHER,
        ("cứu tôi", "cứu với", "cứu em", "khẩn cấp", "nguy hiểm đến tính mạng"),
        ("cuu toi", "cuu voi", "cuu em", "khan cap", "help me"),
    ),
]


def _pattern(words: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_COMPILED = [(kind, _pattern(accented), _pattern(plain)) for kind, accented, plain in _RULES]


def detect_emergency(text: str) -> tuple[str, str] | None:
    """(line, kind) when ``text`` reads as an emergency, else ``None``."""
    if not text:
        return None
    lowered = unicodedata.normalize("NFC", text).lower().replace("hoả", "hỏa")
    folded = fold(text)
    for kind, accented, plain in _COMPILED:
        if accented.search(lowered) or plain.search(folded):
            line = Line.FIRE_RESCUE if kind in (IncidentKind.FIRE, IncidentKind.RESCUE) else Line.POLICE
            return str(line), str(kind)
    return None
