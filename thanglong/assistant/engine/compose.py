"""Answers composed from catalogue fields only. The frame is translated; catalogue content never is.

Nothing here makes up a fact: an amount is printed only from ``amount_vnd``, a deadline only from the
processing-time text, and where the source is silent the answer says so and where to check.
"""

from __future__ import annotations

from thanglong.assistant.engine.knowledge import ProcedureEntry
from thanglong.assistant.engine.types import Part

MAX_DOCUMENTS = 12
MAX_ITEM_CHARS = 280

FRAME: dict[str, dict[str, str]] = {
    "vi": {
        "procedure": "Thủ tục",
        "code": "mã",
        "agency": "Cơ quan thực hiện",
        "fee": "Phí, lệ phí",
        "time": "Thời hạn giải quyết",
        "documents": "Hồ sơ cần chuẩn bị",
        "where": "Nơi nộp và cách thức",
        "steps": "Các bước thực hiện",
        "legal": "Căn cứ pháp lý",
        "summary": "Tóm tắt",
        "source": "Nguồn",
        "basis": "căn cứ",
        "review": "⚠ Thông tin đang được cán bộ rà soát; vui lòng đối chiếu với cơ quan thực hiện "
        "trước khi nộp.",
        "no_amount": "trang nguồn không ghi số tiền — vui lòng hỏi {agency} hoặc xem Cổng Dịch vụ công "
        "trước khi nộp",
        "free": "Miễn phí (theo trang nguồn; chưa nêu rõ đối tượng được miễn)",
        "no_fees": "Danh mục không ghi khoản phí, lệ phí nào cho thủ tục này. Vui lòng hỏi {agency} hoặc "
        "xem Cổng Dịch vụ công để biết chắc.",
        "no_time": "Trang nguồn không nêu thời hạn giải quyết. Thời hạn sẽ ghi trên giấy hẹn trả kết quả; "
        "vui lòng hỏi {agency}.",
        "working_days": "tối đa {days} ngày làm việc",
        "citizen_deadline": "Lưu ý về thời hạn",
        "no_documents": "Danh mục chưa có thành phần hồ sơ cho thủ tục này; vui lòng hỏi {agency}.",
        "more_documents": "… và {count} mục khác (xem trang thủ tục)",
        "originals": "{count} bản chính",
        "copies": "{count} bản sao",
        "form": "mẫu",
        "no_steps": "Danh mục chưa ghi các bước cho thủ tục này.",
        "no_legal": "Danh mục chưa ghi căn cứ pháp lý cho thủ tục này.",
        "no_where": "Danh mục chưa ghi nơi nộp; vui lòng hỏi {agency}.",
        "hours": "giờ tiếp nhận",
        "other_levels": "Thủ tục này cũng thực hiện ở {levels}; hãy nói rõ cấp nếu bạn cần.",
        "article": "",
        "agency_fallback": "cơ quan thực hiện",
        "count_documents": "{count} giấy tờ",
        "count_steps": "{count} bước",
        "requesters": "Đối tượng",
        "result": "Kết quả",
    },
    "en": {
        "procedure": "Procedure",
        "code": "code",
        "agency": "Handled by",
        "fee": "Fees",
        "time": "Processing time",
        "documents": "Documents to prepare",
        "where": "Where and how to apply",
        "steps": "Steps",
        "legal": "Legal basis",
        "summary": "Summary",
        "source": "Source",
        "basis": "legal basis",
        "review": "⚠ This entry is being reviewed by officers; please check with the office before "
        "you apply.",
        "no_amount": "the source gives no amount — please ask {agency} or check the National Public Service "
        "Portal before paying",
        "free": "Free of charge (per the source; it does not say who qualifies)",
        "no_fees": "The catalogue lists no fee for this procedure. Please ask {agency} or check the National "
        "Public Service Portal to be sure.",
        "no_time": "The source gives no processing time. It will be written on your appointment slip; "
        "please ask {agency}.",
        "working_days": "at most {days} working days",
        "citizen_deadline": "Deadline for you",
        "no_documents": "The catalogue lists no documents for this procedure yet; please ask {agency}.",
        "more_documents": "… and {count} more (see the procedure page)",
        "originals": "{count} original(s)",
        "copies": "{count} copy(ies)",
        "form": "form",
        "no_steps": "The catalogue lists no steps for this procedure yet.",
        "no_legal": "The catalogue lists no legal basis for this procedure yet.",
        "no_where": "The catalogue does not say where to apply; please ask {agency}.",
        "hours": "opening hours",
        "other_levels": "This procedure is also handled at {levels}; say which level if you need it.",
        "article": "",
        "agency_fallback": "the office handling it",
        "count_documents": "{count} documents",
        "count_steps": "{count} steps",
        "requesters": "Who applies",
        "result": "Result",
    },
}
CHANNELS = {
    "vi": {
        "in_person": "trực tiếp",
        "online": "trực tuyến",
        "post": "qua bưu chính",
        "other": "hình thức khác",
    },
    "en": {"in_person": "in person", "online": "online", "post": "by post", "other": "other"},
}
FEE_KINDS = {
    "vi": {"phi": "Phí", "le_phi": "Lệ phí"},
    "en": {"phi": "Charge (phí)", "le_phi": "Levy (lệ phí)"},
}
LEVELS = {
    "vi": {"central": "cấp trung ương", "province": "cấp tỉnh", "district": "cấp huyện (cũ)",
           "commune": "cấp xã"},
    "en": {"central": "central level", "province": "city/provincial level",
           "district": "former district level", "commune": "ward/commune level"},
}  # fmt: skip
DETAILS_IN_VIETNAMESE = "(Details in Vietnamese, as published.)"


def money(amount: int) -> str:
    """50000 → "50.000 đồng" (Vietnamese thousands separator)."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def _cut(text: str, limit: int = MAX_ITEM_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + " …"


def _agency(entry: ProcedureEntry, lang: str) -> str:
    return entry.agency or FRAME[lang]["agency_fallback"]


def display_name(entry: ProcedureEntry, lang: str) -> str:
    return entry.name_en if lang == "en" and entry.name_en else entry.name


def fee_lines(entry: ProcedureEntry, lang: str) -> list[str]:
    frame = FRAME[lang]
    if not entry.fees:
        return [frame["no_fees"].format(agency=_agency(entry, lang))]
    lines: list[str] = []
    seen: set[tuple[object, ...]] = set()
    for fee in entry.fees:
        key = (fee.kind, fee.amount_vnd, fee.amount_text, fee.channel, fee.exemption)
        if key in seen:
            continue
        seen.add(key)
        label = FEE_KINDS[lang].get(fee.kind, fee.kind)
        channel = CHANNELS[lang].get(fee.channel, "")
        head = f"{label} ({channel})" if channel else label
        if fee.amount_vnd is not None:
            body = money(fee.amount_vnd)
        elif "mien" in fee.amount_text.lower().replace("ễ", "e") or fee.amount_text.lower().startswith(
            "miễn"
        ):
            body = frame["free"]
        else:
            body = frame["no_amount"].format(agency=_agency(entry, lang))
        if fee.exemption and fee.exemption.strip().lower() not in {
            "miễn phí",
            fee.amount_text.strip().lower(),
        }:
            body += f"; miễn, giảm: {_cut(fee.exemption)}"
        lines.append(f"- {head}: {body}")
    return lines


def time_lines(entry: ProcedureEntry, lang: str) -> list[str]:
    frame = FRAME[lang]
    lines: list[str] = []
    if entry.processing_time_text:
        lines.append(f"- {_cut(entry.processing_time_text, 500)}")
    else:
        limits = list(dict.fromkeys(channel.time_limit for channel in entry.channels if channel.time_limit))
        lines.extend(f"- {_cut(limit, 400)}" for limit in limits)
    if entry.processing_working_days is not None and lines:
        lines.append(f"- ({frame['working_days'].format(days=entry.processing_working_days)})")
    if not lines:
        lines.append(frame["no_time"].format(agency=_agency(entry, lang)))
    if entry.requirements and any(word in entry.requirements.lower() for word in ("thời hạn", "ngày", "giờ")):
        lines.append(f"{frame['citizen_deadline']}: {_cut(entry.requirements, 400)}")
    return lines


def document_lines(entry: ProcedureEntry, lang: str) -> list[str]:
    frame = FRAME[lang]
    lines: list[str] = []
    seen: set[str] = set()
    documents = [d for d in entry.documents if len(d.name.split()) > 2 and d.name.strip().lower() not in seen]
    for document in documents:
        key = " ".join(document.name.lower().split())
        if key in seen:
            continue
        seen.add(key)
        extras = []
        if document.form_codes:
            extras.append(f"{frame['form']} {', '.join(document.form_codes)}")
        if document.originals:
            extras.append(frame["originals"].format(count=document.originals))
        if document.copies:
            extras.append(frame["copies"].format(count=document.copies))
        suffix = f" ({'; '.join(extras)})" if extras else ""
        lines.append(f"- {_cut(document.name)}{suffix}")
    if not lines:
        return [frame["no_documents"].format(agency=_agency(entry, lang))]
    if len(lines) > MAX_DOCUMENTS:
        rest = len(lines) - MAX_DOCUMENTS
        lines = [*lines[:MAX_DOCUMENTS], frame["more_documents"].format(count=rest)]
    return lines


def where_lines(entry: ProcedureEntry, lang: str) -> list[str]:
    frame = FRAME[lang]
    lines = [f"{frame['agency']}: {entry.agency}"] if entry.agency else []
    seen: set[tuple[str, str]] = set()
    for channel in entry.channels:
        label = CHANNELS[lang].get(channel.kind, channel.kind)
        text = _cut(channel.description, 320)
        if (channel.kind, text) in seen:
            continue
        seen.add((channel.kind, text))
        hours = (
            f" ({frame['hours']}: {_cut(channel.reception_hours, 160)})" if channel.reception_hours else ""
        )
        lines.append(f"- {label.capitalize()}: {text}{hours}" if text else f"- {label.capitalize()}{hours}")
    if not lines:
        return [frame["no_where"].format(agency=_agency(entry, lang))]
    return lines


def step_lines(entry: ProcedureEntry, lang: str) -> list[str]:
    if not entry.steps:
        return [FRAME[lang]["no_steps"]]
    return [f"{number}. {_cut(step, 400)}" for number, step in enumerate(entry.steps, start=1)]


def legal_lines(entry: ProcedureEntry, lang: str) -> list[str]:
    if not entry.citations:
        return [FRAME[lang]["no_legal"]]
    lines = []
    for citation in entry.citations:
        parts = [citation.label]
        if citation.title and citation.number:
            parts.append(f"— {_cut(citation.title, 200)}")
        if citation.issuer:
            parts.append(f"({citation.issuer})")
        if citation.article:
            parts.append(f"[{_cut(citation.article, 200)}]")
        lines.append("- " + " ".join(parts))
    return lines


SECTIONS = {
    Part.FEE: fee_lines,
    Part.TIME: time_lines,
    Part.DOCUMENTS: document_lines,
    Part.WHERE: where_lines,
    Part.STEPS: step_lines,
    Part.LEGAL: legal_lines,
}


def summary_line(entry: ProcedureEntry, lang: str) -> str:
    frame = FRAME[lang]
    bits = [f"{frame['procedure']}: {display_name(entry, lang)} ({frame['code']} {entry.code})"]
    if entry.area:
        bits.append(entry.area)
    if entry.agency:
        bits.append(f"{frame['agency']}: {entry.agency}")
    bits.append(frame["count_documents"].format(count=len(document_lines(entry, lang))))
    if entry.steps:
        bits.append(frame["count_steps"].format(count=len(entry.steps)))
    return " — ".join(bits) + "."


def citation_line(entry: ProcedureEntry, lang: str) -> str:
    frame = FRAME[lang]
    laws = "; ".join(
        citation.label + (f" ({citation.article})" if citation.article else "")
        for citation in entry.citations
    )
    line = f"{frame['source']}: {entry.name} — {entry.url}"
    return f"{line} — {frame['basis']}: {laws}" if laws else line


def procedure_answer(
    entry: ProcedureEntry, parts: list[Part], lang: str, other_levels: list[str] | None = None
) -> str:
    """The asked parts first (all of them when the question asked several), then a summary and the source."""
    frame = FRAME[lang]
    blocks: list[str] = []
    if lang == "en":
        blocks.append(DETAILS_IN_VIETNAMESE)
    if entry.needs_review:
        blocks.append(frame["review"])
    asked = [part for part in parts if part in SECTIONS]
    if not asked:
        # Only the procedure was named: the overview a counter clerk would give.
        asked = [Part.DOCUMENTS, Part.FEE, Part.TIME, Part.WHERE]
    for part in asked:
        heading = frame[part.value]
        blocks.append(f"{heading} — {display_name(entry, lang)}:\n" + "\n".join(SECTIONS[part](entry, lang)))
    blocks.append(f"{frame['summary']}: {summary_line(entry, lang)}")
    if other_levels:
        levels = ", ".join(other_levels)
        blocks.append(frame["other_levels"].format(levels=levels))
    blocks.append(citation_line(entry, lang))
    return "\n\n".join(blocks)
