"""Parse the raw page text of a procedure on the national public-service portal (dichvucong.gov.vn).

The pages reach us as plain text with the HTML structure gone: one long line, the portal's
navigation first, its footer last, and no section headings between steps, channels and documents.
The parser therefore leans on the few markers the text keeps ("Bước N:", "Phí: … Đồng Xem chi
tiết", "Bản chính: N - Bản sao: N", "Yêu cầu, điều kiện thực hiện") and on phrases that open a
submission channel. What it cannot find it leaves empty and says so in ``review_notes``: an amount,
a deadline or a legal document is never filled in by guesswork.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from thanglong.core.text import nfc

HEADER_MARKER = "Chi tiết thủ tục hành chính"
FOOTER_MARKERS = ("Chọn cơ quan thực hiện", "Cơ quan chủ quản: Văn phòng Chính phủ")
REQUIREMENTS_MARKER = "Yêu cầu, điều kiện thực hiện"
NAME_END_MARKER = "Xem chi tiết"

LEVEL_CENTRAL = "central"
LEVEL_PROVINCE = "province"
LEVEL_DISTRICT = "district"
LEVEL_COMMUNE = "commune"

CHANNEL_IN_PERSON = "in_person"
CHANNEL_ONLINE = "online"
CHANNEL_POST = "post"
CHANNEL_OTHER = "other"

FEE_CHARGE = "phi"  # phí: a charge for a service
FEE_LEVY = "le_phi"  # lệ phí: a state levy

_SPACES = re.compile(r"\s+")
_STEP = re.compile(r"(?:^|\s)[-+]?\s*Bước\s*(\d{1,2})\s*:\s*")
_FEE = re.compile(r"(Lệ phí|Phí)\s*:\s*([^:]{0,40}?)\s*Đồng\s+Xem chi tiết")
_DOCUMENT_END = re.compile(r"Bản chính\s*:\s*(\d+)\s*-\s*Bản sao\s*:\s*(\d+)")
# Phrases that open one row of the portal's "how to submit" table. Matched case-sensitively on
# purpose: "trực tiếp tại" in lower case also occurs inside steps ("nhận kết quả trực tiếp tại").
_CHANNEL_OPENERS = re.compile(
    r"[-+]\s*Trực tiếp tại"
    r"|[-+]\s*Nộp hồ sơ trực (?:tiếp|tuyến)"
    r"|[-+]\s*Nộp hồ sơ qua dịch vụ bưu chính"
    r"|[-+]\s*Thông qua"
    r"|[-+]\s*Thực hiện trực tuyến"
    r"|Trực tiếp nộp hồ sơ"
    r"|[Nn]ộp hồ sơ trực tiếp tại"
    r"|[Nn]ộp hồ sơ trực tuyến qua"
    r"|[Nn]ộp bổ sung hồ sơ qua dịch vụ bưu chính"
    r"|Nộp hồ sơ (?:thông )?qua (?:qua )?dịch vụ bưu chính"
)
# Some rows print their time limit before their description: "… người gửi đơn. 01 ngày làm việc …".
_TIME_FIRST_ROW = re.compile(r"(?<=\. )\d{2} ngày làm việc")
_RECEPTION_HOURS = re.compile(r"Thời gian tiếp nhận hồ sơ\s*:[^()]*\([^)]*\)\.?")
_DEADLINE_SENTENCE = re.compile(r"Thời hạn giải quyết\s*:.*?(?:\.(?=\s|$)|$)")
_TIME_LIMIT = re.compile(
    r"(?:Thời hạn giải quyết\s*:\s*)?[^.;]*?\b\d{1,3}\s+(?:ngày|giờ)\b[^.;]*"
    r"|Tiếp nhận ngay[^.;]*"
)
_WORKING_DAYS = re.compile(r"\b(\d{1,3})\s+ngày làm việc")
# Where the first document starts when nothing repeats between rows (see _channel_region_end).
_DOCUMENT_OPENER = re.compile(
    r"(?:[-+*]\s*)?(?:Tờ khai|Phiếu|Đơn trình báo|đơn trình báo|Giấy tờ|Giấy chứng|Ảnh|Hộ chiếu|"
    r"Văn bản|Bản sao|Bản chụp|\d{2} (?:tờ khai|đơn|ảnh))"
)
_FORM_CODE = re.compile(r"\b(?:[Mm]ẫu|[Mm]au)\s+([A-ZĐ]{1,3}\d{2}[a-z]?)\b")
_FORM_FILE = re.compile(r"\s+(?:Mẫu|Mau)\s+[A-ZĐ]{1,3}\d{2}[a-z]?\s[^.]*\.docx?\s*$")

_DOC_TYPES = r"Thông tư liên tịch|Thông tư|Nghị định|Nghị quyết|Quyết định|Pháp lệnh|Luật"
_ARTICLE = r"(?:(?:điểm [a-zđ](?:,\s*điểm [a-zđ])*\s+)?(?:khoản \d+\s+)?Điều \d+\s+(?:của\s+)?)"
_NUMBERED_CITATION = re.compile(
    rf"(?P<article>{_ARTICLE})?(?P<type>{_DOC_TYPES})\s+(?:số\s+)?"
    r"(?P<number>\d{1,4}/\d{4}/[A-ZĐ0-9]+(?:\s?-\s?[A-ZĐa-z0-9]+)*)"
    r"(?:\s+ngày\s+(?P<day>\d{1,2})/(?P<month>\d{1,2})/(?P<year>\d{4}))?"
    r"(?:\s+của\s+(?P<issuer>Bộ trưởng Bộ Công an|Bộ Công an|Chính phủ|Quốc hội|Bộ Tài chính|"
    r"Bộ trưởng Bộ Tài chính|Thủ tướng Chính phủ))?"
)
# Laws the pages cite by title only. Their numbers are not on the page, so none is stored.
_NAMED_LAWS = (
    "Luật Xuất cảnh, nhập cảnh của công dân Việt Nam",
    "Luật Cư trú",
    "Luật Căn cước",
    "Bộ luật Dân sự",
)
_NAMED_CITATION = re.compile(
    rf"(?P<article>{_ARTICLE})?(?P<title>" + "|".join(re.escape(t) for t in _NAMED_LAWS) + ")",
    re.IGNORECASE,
)
# The suffix of a Vietnamese document number names its issuer (Decree 30/2020/NĐ-CP, Appendix I).
_ISSUER_BY_SUFFIX = (
    (re.compile(r"/QH\d+$"), "Quốc hội"),
    (re.compile(r"NĐ-CP$"), "Chính phủ"),
    (re.compile(r"QĐ-TTg$"), "Thủ tướng Chính phủ"),
    (re.compile(r"TT-BCA$"), "Bộ Công an"),
    (re.compile(r"TT-BTC$"), "Bộ Tài chính"),
)

_AREAS = (
    ("Xuất nhập cảnh", ("hộ chiếu", "xuất cảnh", "nhập cảnh", "thị thực")),
    ("Căn cước", ("căn cước", "chứng minh nhân dân", "định danh")),
    ("Cư trú", ("tạm trú", "thường trú", "lưu trú", "tạm vắng", "cư trú")),
)
_LEVEL_IN_NAME = re.compile(r"\(thực hiện tại cấp (trung ương|tỉnh|huyện|xã)\)")
_LEVELS = {
    "trung ương": LEVEL_CENTRAL,
    "tỉnh": LEVEL_PROVINCE,
    "huyện": LEVEL_DISTRICT,
    "xã": LEVEL_COMMUNE,
}


@dataclass
class ParsedFee:
    kind: str  # FEE_CHARGE or FEE_LEVY
    amount_vnd: int | None  # None when the page prints no amount ("Lệ phí: Đồng")
    amount_text: str  # as printed: "10.000", "Miễn phí", ""
    channel: str
    exemption: str = ""


@dataclass
class ParsedChannel:
    kind: str
    description: str
    time_limit: str = ""
    reception_hours: str = ""
    fees: list[ParsedFee] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "description": self.description,
            "time_limit": self.time_limit,
            "reception_hours": self.reception_hours,
            "fees": [fee_text(fee) for fee in self.fees],
        }


@dataclass
class ParsedDocument:
    name: str
    originals: int
    copies: int
    form_codes: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class ParsedCitation:
    doc_type: str
    number: str
    title: str = ""
    issued_on: date | None = None
    issuer: str = ""
    articles: list[str] = field(default_factory=list)
    note: str = ""


@dataclass
class ParsedProcedure:
    code: str
    name: str
    area: str = ""  # lĩnh vực: "Cư trú", "Căn cước", "Xuất nhập cảnh"
    level: str = ""
    agency: str = ""
    steps: list[str] = field(default_factory=list)
    channels: list[ParsedChannel] = field(default_factory=list)
    documents: list[ParsedDocument] = field(default_factory=list)
    fees: list[ParsedFee] = field(default_factory=list)
    citations: list[ParsedCitation] = field(default_factory=list)
    requirements: str = ""
    processing_time_text: str = ""
    processing_working_days: int | None = None
    review_notes: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        return bool(self.review_notes)


def fee_text(fee: ParsedFee) -> str:
    label = "Lệ phí" if fee.kind == FEE_LEVY else "Phí"
    if fee.amount_vnd is not None:
        return f"{label}: {fee.amount_vnd:,} đồng".replace(",", ".")
    return f"{label}: {fee.exemption or 'chưa rõ số tiền'}"


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ;,")


def _strip_bullet(text: str) -> str:
    return re.sub(r"^[-+*]\s*", "", _clean(text)).strip()


def page_body(text: str) -> str:
    """The procedure part of a page: after the portal's navigation, before its footer."""
    text = _SPACES.sub(" ", nfc(text)).strip()
    start = text.find(HEADER_MARKER)
    if start >= 0:
        text = text[start + len(HEADER_MARKER) :]
    for marker in FOOTER_MARKERS:
        end = text.find(marker)
        if end >= 0:
            text = text[:end]
    return text.strip()


def _snap_to_sentence(text: str, position: int, floor: int) -> int:
    """Move a channel opener back to the start of its bullet or sentence, never before ``floor``."""
    window_start = max(floor, position - 200)
    window = text[window_start:position]
    best = -1
    for boundary in (". ", " - ", "; ", " + "):
        found = window.rfind(boundary)
        if found > best:
            best = found
    if best < 0:
        return position
    return window_start + best + (2 if window[best] in ".;" else 1)


def _amount(text: str) -> int | None:
    digits = re.sub(r"[.,\s]", "", text)
    return int(digits) if digits.isdigit() else None


def _channel_kind(description: str) -> str:
    lowered = description.lower()
    cues = (
        (CHANNEL_POST, ("bưu chính",)),
        (CHANNEL_IN_PERSON, ("trực tiếp", "cấp lưu động")),
        (CHANNEL_ONLINE, ("trực tuyến", "cổng dịch vụ công", "vneid", "ứng dụng định danh")),
    )
    best_kind, best_at = CHANNEL_OTHER, len(lowered) + 1
    for kind, words in cues:
        for word in words:
            at = lowered.find(word)
            if 0 <= at < best_at:
                best_kind, best_at = kind, at
    return best_kind


def _fees_in(text: str, channel: str) -> list[ParsedFee]:
    fees = []
    for match in _FEE.finditer(text):
        kind = FEE_LEVY if match.group(1) == "Lệ phí" else FEE_CHARGE
        amount_text = match.group(2).strip()
        exemption = "Miễn phí" if "miễn" in amount_text.lower() else ""
        amount = None if exemption else _amount(amount_text)
        fees.append(ParsedFee(kind, amount, amount_text, channel, exemption))
    return fees


def _row_starts(region: str) -> list[int]:
    """Offsets in the channel region where a new row of the "how to submit" table starts."""
    starts: list[int] = []
    fee_groups: list[tuple[int, int]] = []
    for match in _FEE.finditer(region):
        if fee_groups and match.start() - fee_groups[-1][1] <= 2:
            fee_groups[-1] = (fee_groups[-1][0], match.end())
        else:
            fee_groups.append((match.start(), match.end()))
    starts.extend(start for start, _ in fee_groups)
    for match in _CHANNEL_OPENERS.finditer(region):
        start = _snap_to_sentence(region, match.start(), 0)
        # An opener right after a fee group belongs to that group's row.
        if any(group_start <= start <= group_end + 3 for group_start, group_end in fee_groups):
            continue
        if any(group_start <= match.start() <= group_end + 3 for group_start, group_end in fee_groups):
            continue
        starts.append(start)
    return sorted(set(starts))


def _channel_region_end(rows: list[str]) -> int:
    """How much of the last row is still channel text; the rest is the first required document.

    Rows of the portal table repeat their tail (reception hours, time limit), so the last row ends
    where the tail of an earlier row ends. Failing that, reception hours and "Thời hạn giải quyết"
    sentences close the row; failing that, the first phrase that opens a document.
    """
    last = rows[-1]
    best = -1
    for earlier in rows[:-1]:
        tail = earlier.strip()[-40:]
        if len(tail) < 20:
            continue
        found = last.rfind(tail)
        if found >= 0:
            best = max(best, found + len(tail))
    if best >= 0:
        return best
    hours = list(_RECEPTION_HOURS.finditer(last))
    if hours:
        end = hours[-1].end()
        while True:
            rest = last[end:]
            stripped = rest.lstrip()
            deadline = _DEADLINE_SENTENCE.match(stripped)
            if not deadline:
                break
            end += len(rest) - len(stripped) + deadline.end()
        return end
    opener_search_from = 0
    first_channel = _CHANNEL_OPENERS.search(last)
    if first_channel:
        opener_search_from = first_channel.end()
    opener = _DOCUMENT_OPENER.search(last, opener_search_from)
    return opener.start() if opener else 0


def _time_limit(text: str) -> str:
    parts = []
    without_hours = _RECEPTION_HOURS.sub(" ", _FEE.sub(" ", text))
    for match in _TIME_LIMIT.finditer(without_hours):
        part = _strip_bullet(match.group(0))
        if ("ngày" in part or "giờ" in part or part.startswith("Tiếp nhận ngay")) and part not in parts:
            parts.append(part)
    return "; ".join(parts)


def _headline(description: str) -> str:
    return description.split(". ", 1)[0]


def _parse_channels(region: str, procedure: ParsedProcedure) -> None:
    starts = _row_starts(region)
    if not starts:
        return
    leading = region[: starts[0]].strip()
    rows = [region[start:end] for start, end in zip(starts, [*starts[1:], len(region)], strict=True)]
    if leading:
        rows[0] = leading + " " + rows[0]
    channels: list[ParsedChannel] = []
    for row in rows:
        description = _strip_bullet(_RECEPTION_HOURS.sub(" ", _FEE.sub(" ", row)))
        opener = _CHANNEL_OPENERS.search(row)
        kind = _channel_kind(row[opener.start() :]) if opener else ""
        hours = _RECEPTION_HOURS.search(row)
        reception_hours = ""
        if hours:
            reception_hours = _clean(hours.group(0).split(":", 1)[1])
        if not kind and channels:
            # A row with no channel of its own (a second time limit) continues the previous one.
            previous = channels[-1]
            previous.fees.extend(_fees_in(row, previous.kind))
            extra = _time_limit(row)
            if extra and extra not in previous.time_limit:
                previous.time_limit = "; ".join(filter(None, [previous.time_limit, extra]))
            continue
        kind = kind or CHANNEL_OTHER
        if (
            channels
            and channels[-1].kind == kind
            and _headline(channels[-1].description) == _headline(description)
        ):
            # The portal prints one row per time limit; the same channel twice is one channel.
            previous = channels[-1]
            previous.fees.extend(_fees_in(row, kind))
            extra = _time_limit(row)
            if extra and extra not in previous.time_limit:
                previous.time_limit = "; ".join(filter(None, [previous.time_limit, extra]))
            continue
        channels.append(
            ParsedChannel(
                kind=kind,
                description=description,
                time_limit=_time_limit(row),
                reception_hours=reception_hours,
                fees=_fees_in(row, kind),
            )
        )
    procedure.channels = channels
    procedure.fees = [fee for channel in channels for fee in channel.fees]


def _parse_documents(region: str) -> list[ParsedDocument]:
    documents = []
    position = 0
    for match in _DOCUMENT_END.finditer(region):
        text = _clean(region[position : match.start()])
        position = match.end()
        if not text:
            continue
        note = ""
        # The portal truncates a case heading with "..." and prints the document after it.
        if "..." in text:
            heading, _, rest = text.partition("...")
            if rest.strip():
                note, text = _strip_bullet(heading) + "…", rest
        text = _FORM_FILE.sub("", _clean(text))
        name = re.sub(r"\s+\)", ")", _strip_bullet(text))
        group = re.match(r"(.{5,120}?\bgồm:)\s*[-+]?\s*(.+)$", name)
        if group and not note:
            note, name = group.group(1), group.group(2)
        if re.match(r"Lưu ý\s*:?", name):
            note = _clean(note + " " + name) if note else name
            name = "Lưu ý"
        codes: list[str] = []
        for code in _FORM_CODE.findall(text):
            if code not in codes:
                codes.append(code)
        documents.append(
            ParsedDocument(
                name=name,
                originals=int(match.group(1)),
                copies=int(match.group(2)),
                form_codes=codes,
                note=note,
            )
        )
    return documents


def _issuer_for(number: str) -> str:
    for pattern, issuer in _ISSUER_BY_SUFFIX:
        if pattern.search(number):
            return issuer
    return ""


def _article(raw: str | None) -> str:
    return re.sub(r"\s+của$", "", _clean(raw or "")).strip()


def parse_citations(text: str) -> list[ParsedCitation]:
    """Legal documents cited anywhere in the text, deduplicated, in order of first mention."""
    by_key: dict[str, ParsedCitation] = {}
    for match in _NUMBERED_CITATION.finditer(text):
        number = re.sub(r"\s*-\s*", "-", match.group("number"))
        issued_on = None
        if match.group("year"):
            try:
                issued_on = date(int(match.group("year")), int(match.group("month")), int(match.group("day")))
            except ValueError:
                issued_on = None
        key = number.upper()
        citation = by_key.get(key)
        if citation is None:
            citation = by_key[key] = ParsedCitation(
                doc_type=match.group("type"),
                number=number,
                issuer=_issuer_for(number) or (match.group("issuer") or "").replace("Bộ trưởng ", ""),
            )
        if issued_on is not None:
            if citation.issued_on is None:
                citation.issued_on = issued_on
            elif citation.issued_on != issued_on and "ngày ban hành" not in citation.note:
                citation.note = (
                    f"Trang nguồn ghi ngày ban hành không thống nhất ({citation.issued_on:%d/%m/%Y}, "
                    f"{issued_on:%d/%m/%Y}); cần đối chiếu văn bản gốc."
                )
        article = _article(match.group("article"))
        if article and article not in citation.articles:
            citation.articles.append(article)
    for match in _NAMED_CITATION.finditer(text):
        title = next(t for t in _NAMED_LAWS if t.lower() == match.group("title").lower())
        key = title.lower()
        citation = by_key.get(key)
        if citation is None:
            citation = by_key[key] = ParsedCitation(
                doc_type="Bộ luật" if title.startswith("Bộ luật") else "Luật",
                number="",
                title=title,
                issuer="Quốc hội",
                note="Trang nguồn chỉ nêu tên văn bản, không nêu số hiệu.",
            )
        article = _article(match.group("article"))
        if article and article not in citation.articles:
            citation.articles.append(article)
    return list(by_key.values())


def _area_for(name: str) -> str:
    lowered = name.lower()
    for area, words in _AREAS:
        if any(word in lowered for word in words):
            return area
    return ""


def _processing_time(procedure: ParsedProcedure) -> None:
    texts: list[str] = []
    for channel in procedure.channels:
        for part in channel.time_limit.split("; "):
            if part and part not in texts:
                texts.append(part)
    procedure.processing_time_text = "; ".join(texts)
    days = [int(value) for value in _WORKING_DAYS.findall(procedure.processing_time_text)]
    # Several figures mean several cases ("07 ngày … 03 ngày …"): the largest is the honest bound.
    procedure.processing_working_days = max(days) if days else None


def parse_portal_page(text: str, code: str) -> ParsedProcedure:
    """Turn one portal page into structured fields; what is missing is listed in ``review_notes``."""
    body = page_body(text)
    name_end = body.find(NAME_END_MARKER)
    name = _clean(body[:name_end]) if 0 <= name_end <= 300 else ""
    rest = body[name_end + len(NAME_END_MARKER) :] if name else body
    procedure = ParsedProcedure(code=code, name=name)

    requirements_at = rest.find(REQUIREMENTS_MARKER)
    if requirements_at >= 0:
        procedure.requirements = _clean(rest[requirements_at + len(REQUIREMENTS_MARKER) :])
        rest = rest[:requirements_at]

    document_ends = list(_DOCUMENT_END.finditer(rest))
    if document_ends:
        trailer = _clean(rest[document_ends[-1].end() :])
        # After the last document the portal prints the implementing agency, when it has one.
        if trailer and len(trailer) <= 150 and "." not in trailer:
            procedure.agency = trailer[0].upper() + trailer[1:]
        rest = rest[: document_ends[-1].end()]

    step_markers = list(_STEP.finditer(rest))
    channel_start = len(rest)
    if step_markers:
        last_step = step_markers[-1].end()
        candidates = [m.start() for m in _FEE.finditer(rest, last_step)][:1]
        opener = _CHANNEL_OPENERS.search(rest, last_step)
        if opener:
            candidates.append(_snap_to_sentence(rest, opener.start(), last_step))
        time_first = _TIME_FIRST_ROW.search(rest, last_step)
        if time_first:
            candidates.append(time_first.start())
        if candidates:
            channel_start = min(candidates)
        steps_text = rest[step_markers[0].start() : channel_start]
        for marker, following in zip(step_markers, [*step_markers[1:], None], strict=True):
            step_end = following.start() if following else len(steps_text) + step_markers[0].start()
            step = _strip_bullet(rest[marker.end() : min(step_end, channel_start)])
            if step:
                procedure.steps.append(step)

    first_document = document_ends[0].start() if document_ends else len(rest)
    channel_region = rest[channel_start:first_document] if channel_start < first_document else ""
    documents_start = first_document
    if channel_region:
        starts = _row_starts(channel_region)
        if starts:
            rows = [
                channel_region[a:b] for a, b in zip(starts, [*starts[1:], len(channel_region)], strict=True)
            ]
            last_row_end = starts[-1] + _channel_region_end(rows)
            documents_start = channel_start + last_row_end
            _parse_channels(channel_region[:last_row_end], procedure)
        else:
            documents_start = channel_start
    procedure.documents = _parse_documents(rest[documents_start:])
    procedure.citations = parse_citations(body)
    procedure.area = _area_for(name)
    _processing_time(procedure)
    _derive_level_and_agency(procedure)
    _collect_review_notes(procedure)
    return procedure


def _derive_level_and_agency(procedure: ParsedProcedure) -> None:
    level = _LEVEL_IN_NAME.search(procedure.name)
    if level:
        procedure.level = _LEVELS[level.group(1)]
    steps = " ".join(procedure.steps)
    if not procedure.level and "Công an cấp xã" in steps:
        procedure.level = LEVEL_COMMUNE
    if not procedure.agency:
        found = re.search(r"(?:Cơ quan [Qq]uản lý xuất nhập cảnh )?Công an cấp (?:xã|huyện|tỉnh)", steps)
        if found:
            procedure.agency = found.group(0)


def _collect_review_notes(procedure: ParsedProcedure) -> None:
    notes = procedure.review_notes
    if not procedure.name:
        notes.append("Không tìm thấy tên thủ tục trên trang nguồn.")
    if not procedure.steps:
        notes.append("Không tách được các bước thực hiện.")
    if not procedure.channels:
        notes.append("Không tách được cách thức thực hiện (trực tiếp/trực tuyến/bưu chính).")
    if not procedure.documents:
        notes.append("Không tách được thành phần hồ sơ.")
    if not procedure.agency:
        notes.append("Trang nguồn không nêu cơ quan thực hiện.")
    if procedure.level == LEVEL_DISTRICT:
        notes.append(
            "Thủ tục cấp huyện: từ 1/7/2025 không còn cấp huyện, cần xác định cơ quan thực hiện mới."
        )
    if not procedure.fees:
        notes.append("Trang nguồn không có thông tin phí, lệ phí.")
    elif any(fee.amount_vnd is None and not fee.exemption for fee in procedure.fees):
        notes.append('Trang nguồn có phí/lệ phí nhưng không ghi số tiền ("Lệ phí: Đồng"): chưa rõ mức thu.')
    elif any(fee.exemption for fee in procedure.fees):
        notes.append('Trang nguồn ghi "Miễn phí" nhưng không nêu đối tượng được miễn.')
    if not procedure.processing_time_text:
        notes.append("Trang nguồn không nêu thời hạn giải quyết.")
    if not any(c.number for c in procedure.citations):
        notes.append("Không có văn bản pháp luật nào có số hiệu trên trang nguồn.")
