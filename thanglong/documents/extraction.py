"""Read the fields of a Vietnamese official document laid out per Decree 30/2020/NĐ-CP (Appendix I).

The layout is fixed by law: top left the parent and issuing agency with "Số: 123/QĐ-CAHN" under
them, top right the national motto with "Hà Nội, ngày 15 tháng 5 năm 2024" under it, the type and
trích yếu centred below, "Nơi nhận:" bottom left and the signer's title and name bottom right.
With word boxes from OCR the columns are told apart by position; plain text (a born-digital PDF,
or another OCR's output) falls back to line order. Matching is on accent-folded text so a tone
mark misread by OCR does not lose a field.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from thanglong.core.text import fold, nfc

# Type name -> symbol abbreviation (Decree 30, Appendix III) plus legal documents' own types.
DOCUMENT_TYPES: dict[str, str] = {
    "Nghị quyết": "NQ",
    "Quyết định": "QĐ",
    "Chỉ thị": "CT",
    "Quy chế": "QC",
    "Quy định": "QyĐ",
    "Thông cáo": "TC",
    "Thông báo": "TB",
    "Hướng dẫn": "HD",
    "Chương trình": "CTr",
    "Kế hoạch": "KH",
    "Phương án": "PA",
    "Đề án": "ĐA",
    "Dự án": "DA",
    "Báo cáo": "BC",
    "Biên bản": "BB",
    "Tờ trình": "TTr",
    "Hợp đồng": "HĐ",
    "Công điện": "CĐ",
    "Bản ghi nhớ": "GN",
    "Bản thỏa thuận": "TTh",
    "Giấy ủy quyền": "GUQ",
    "Giấy mời": "GM",
    "Giấy giới thiệu": "GGT",
    "Phiếu chuyển": "PC",
    "Thông tư": "TT",
    "Nghị định": "NĐ",
    "Thông tư liên tịch": "TTLT",
    "Kết luận": "KL",
}
OFFICIAL_LETTER = "Công văn"
_TYPE_BY_FOLDED = {fold(name): name for name in DOCUMENT_TYPES}
_TYPE_BY_ABBREVIATION = {fold(abbr): name for name, abbr in DOCUMENT_TYPES.items()}

SECURITY_MARKS = {"tuyet mat": "tuyet_mat", "toi mat": "toi_mat", "mat": "mat"}
URGENCY_MARKS = {"hoa toc": "hoa_toc", "thuong khan": "thuong_khan", "khan": "khan"}

# "Số: 45/2024/TT-BCA", "Số 1234/CAHN-PV01", "SỐ: 12/QĐ-UBND"; OCR often reads Đ as Ð (U+00D0).
_NUMBER = re.compile(
    r"\b(?:S[ốỐoO]|SỐ)\s*[:.;,]?\s*"
    r"(\d{1,6}[a-zA-Z]?(?:\s*/\s*(?:19|20)\d{2})?\s*/\s*[A-ZĐÐƠƯa-zđ0-9]{1,12}(?:\s*[-–]\s*[A-ZĐÐa-zđ0-9]{1,12}){0,4})"
)
_DATE_FOLDED = re.compile(r"ngay\s+(\d{1,2})\s+thang\s+(\d{1,2})\s+nam\s+(\d{4})")
_MOTTO = ("cong hoa xa hoi", "doc lap tu do", "doc lap", "hanh phuc")
_BODY_STARTS = ("can cu", "kinh gui", "thuc hien", "dieu 1", "xet de nghi", "theo de nghi", "ngay ")
_SIGNATURE_PREFIXES = ("kt.", "tm.", "tl.", "tuq.", "q.", "k/t", "t/m")
_NAME_WORD = re.compile(r"^[A-ZÀ-ỸĐ][a-zà-ỹđ]+$")
_RANKS = ("Đại tá", "Thượng tá", "Trung tá", "Thiếu tá", "Đại úy", "Thiếu tướng", "Trung tướng")


@dataclass
class Segment:
    """A piece of text on one row; position in pixels when known (x0 = x1 = 0 when not)."""

    text: str
    x0: int = 0
    x1: int = 0
    y0: int = 0
    page: int = 1


@dataclass
class Fields:
    doc_type: str = ""
    number: str = ""
    agency: str = ""
    parent_agency: str = ""
    place: str = ""
    issued_on: str = ""  # ISO date
    summary: str = ""
    signer: str = ""
    signer_title: str = ""
    recipients: list[str] = field(default_factory=list)
    security: str = ""
    urgency: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def segments_from_text(text: str) -> list[Segment]:
    segments: list[Segment] = []
    for page_number, page_text in enumerate(text.split("\f"), start=1):
        for row, line in enumerate(page_text.splitlines()):
            if line.strip():
                segments.append(Segment(text=line.strip(), y0=row, page=page_number))
    return segments


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", nfc(text).replace("Ð", "Đ")).strip()


def _letters(text: str) -> str:
    return fold(re.sub(r"[^\w\s]", " ", text))


def _is_upper(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return bool(letters) and sum(ch.isupper() for ch in letters) >= 0.8 * len(letters)


def extract(segments: list[Segment], page_width: int = 0) -> Fields:
    segments = [Segment(_clean(s.text), s.x0, s.x1, s.y0, s.page) for s in segments if s.text.strip()]
    fields = Fields()
    if not segments:
        return fields
    first_page = [s for s in segments if s.page == 1]
    positioned = page_width > 0 and any(s.x1 for s in segments)
    middle = page_width / 2 if positioned else 0.0

    def left(s: Segment) -> bool:
        return not positioned or s.x0 < middle

    def right(s: Segment) -> bool:
        return not positioned or (s.x0 + s.x1) / 2 >= middle

    head = first_page[: max(12, len(first_page) // 3)]
    _marks(fields, head)
    number_index = _number(fields, first_page)
    _date(fields, first_page)
    _agency(fields, first_page, number_index, left)
    type_index = _doc_type(fields, first_page, number_index)
    _summary(fields, first_page, type_index, number_index, left)
    _closing(fields, segments, left, right)
    return fields


def _marks(fields: Fields, head: list[Segment]) -> None:
    for segment in head:
        if not _is_upper(segment.text):
            continue
        words = _letters(segment.text)
        # A stamp is on a row of its own, but OCR may join it with the agency on the same row.
        for folded, code in SECURITY_MARKS.items():
            if not fields.security and (words == folded or words.startswith(folded + " cong an")):
                fields.security = code
        for folded, code in URGENCY_MARKS.items():
            if not fields.urgency and (words == folded or words.startswith(folded + " cong an")):
                fields.urgency = code


def _number(fields: Fields, segments: list[Segment]) -> int:
    for index, segment in enumerate(segments):
        match = _NUMBER.search(segment.text)
        if match:
            fields.number = re.sub(r"\s+", "", match.group(1)).replace("–", "-").replace("Ð", "Đ")
            return index
    return -1


def _date(fields: Fields, segments: list[Segment]) -> None:
    for segment in segments:
        match = _DATE_FOLDED.search(fold(segment.text))
        if not match:
            continue
        day, month, year = (int(group) for group in match.groups())
        try:
            fields.issued_on = dt.date(year, month, day).isoformat()
        except ValueError:
            continue
        prefix = segment.text.split(",")[0] if "," in segment.text else ""
        if prefix and not _DATE_FOLDED.search(fold(prefix)):
            prefix = _NUMBER.sub("", prefix)  # "Số: 12/QĐ-X Hà Nội" on one unsplit row
            fields.place = prefix.split(":")[-1].strip()[-60:]
        return


def _strip_motto(text: str) -> str:
    folded = fold(text)
    for phrase in ("cong hoa xa hoi", "doc lap"):
        position = folded.find(phrase)
        if position > 0:
            # fold() keeps one character per letter of NFC text without punctuation; cut by words.
            keep_words = len(folded[:position].split())
            return " ".join(text.split()[:keep_words])
    return text


def _agency(fields: Fields, segments: list[Segment], number_index: int, left: Any) -> None:
    stop = number_index if number_index >= 0 else min(len(segments), 6)
    candidates: list[str] = []
    for segment in segments[:stop]:
        text = _strip_motto(segment.text)
        if not left(segment) or not _is_upper(text):
            continue
        folded = _letters(text)
        if not folded or any(folded.startswith(m) for m in _MOTTO):
            continue
        if folded in SECURITY_MARKS or folded in URGENCY_MARKS:
            continue
        for mark in (*SECURITY_MARKS, *URGENCY_MARKS):  # "MẬT CÔNG AN ..." joined on one row
            if folded.startswith(mark + " "):
                text = " ".join(text.split()[len(mark.split()) :])
        candidates.append(text.strip(" -_.,"))
    candidates = [c for c in candidates if len(c) >= 3]
    if candidates:
        fields.agency = candidates[-1]
        if len(candidates) > 1:
            fields.parent_agency = candidates[-2]


def _doc_type(fields: Fields, segments: list[Segment], number_index: int) -> int:
    for index, segment in enumerate(segments[: max(number_index + 8, 14)]):
        if index <= number_index or not _is_upper(segment.text):
            continue
        name = _TYPE_BY_FOLDED.get(_letters(segment.text))
        if name:
            fields.doc_type = name
            return index
    if fields.number:
        parts = [p for p in fields.number.split("/")[1:] if not p.isdigit()]
        symbol = parts[0].split("-")[0] if parts else ""
        fields.doc_type = _TYPE_BY_ABBREVIATION.get(fold(symbol), OFFICIAL_LETTER)
    return -1


def _summary(fields: Fields, segments: list[Segment], type_index: int, number_index: int, left: Any) -> None:
    lines: list[str] = []
    if type_index >= 0:
        for segment in segments[type_index + 1 : type_index + 4]:
            folded = _letters(segment.text)
            if folded.startswith((*_BODY_STARTS, "noi nhan")) or (lines and _is_upper(segment.text)):
                break
            lines.append(segment.text)
    else:
        start = max(number_index, 0)
        for index, segment in enumerate(segments[start : start + 6]):
            if segment.text.lower().startswith(("v/v", "v/v.", "về việc")):
                lines.append(segment.text)
                for follow in segments[start + index + 1 : start + index + 3]:
                    if left(follow) and not _letters(follow.text).startswith((*_BODY_STARTS, "kinh")):
                        lines.append(follow.text)
                    else:
                        break
                break
    fields.summary = " ".join(lines)[:500]


def _closing(fields: Fields, segments: list[Segment], left: Any, right: Any) -> None:
    start = next(
        (i for i in range(len(segments) - 1, -1, -1) if _letters(segments[i].text).startswith("noi nhan")), -1
    )
    if start < 0:
        return
    closing = segments[start:]
    recipients: list[str] = []
    titles: list[str] = []
    signer = ""
    for index, segment in enumerate(closing):
        text = segment.text
        if index == 0:
            after = text.split(":", 1)[1].strip() if ":" in text else ""
            if after and _is_upper(after):  # "Nơi nhận: GIÁM ĐỐC" on one unsplit row
                titles.append(after)
            continue
        if left(segment) and text.lstrip().startswith(("-", "+", "•", "_")):
            recipients.append(text.lstrip("-+•_ ").strip())
            continue
        if not right(segment):
            continue
        folded = fold(text)
        if (_is_upper(text) and not signer) or folded.startswith(_SIGNATURE_PREFIXES):
            titles.append(text)
        elif _looks_like_name(text):
            signer = text
    fields.recipients = recipients
    fields.signer_title = " ".join(titles)[:200]
    fields.signer = signer


def _looks_like_name(text: str) -> bool:
    for rank in _RANKS:
        if text.startswith(rank + " "):
            text = text[len(rank) + 1 :]
    words = text.split()
    return 2 <= len(words) <= 5 and all(_NAME_WORD.match(word) for word in words)


def parse_date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None
