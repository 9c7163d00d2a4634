"""What the person wants, from rules over folded text: emergencies first, then the asked part of a procedure.

Rules only look for cues; no text is ever treated as an instruction to the assistant itself.
"""

from __future__ import annotations

import re

from thanglong.assistant.engine.types import Intent, Part


def _words(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(patterns) + r")(?!\w)")


# --- emergencies: call 113 / 114 / 115 first ------------------------------------------------------
# Folded text loses the difference between "cháy" (fire) and "chạy" (run), "đâm" (stab) and "đám" (crowd):
# single ambiguous syllables only count with a neighbour that settles them.
_FIRE = _words(
    r"dang chay|chay nha|nha (bi |dang )?chay|bi chay|chay lon|dam chay|chay to|chay no|hoa hoan|khoi lua|"
    r"lua chay|boc chay|chay ro|ngat khoi|fire!*|on fire|burning|smoke everywhere|house is burning|"
    r"there is a fire|there's a fire"
)
_NOT_FIRE = _words(
    r"fire (safety|protection|prevention|fighting|design|appraisal|certificate|inspection|extinguishers?)|"
    r"phong chay|chua chay|pccc|cuu nan cuu ho"
)
_MEDICAL = _words(
    r"tai nan|dam xe|tong xe|va cham|bi thuong|chay mau|mau chay|ngat xiu|bat tinh|dot quy|co giat|ngung tho|"
    r"chet duoi|duoi nuoc|cap cuu|accident|crash|crashed|injured|bleeding|unconscious|ambulance|heart attack|"
    r"not breathing|overdose"
)
_CRIME = _words(
    r"cuop|bi cuop|an cuop|giat do|bi giat|cuop giat|trom dang|ke trom|danh nhau|bi danh|danh nguoi|"
    r"hanh hung|"
    r"bi dam|dam nguoi|dam chem|chem nhau|chem nguoi|bat coc|bi bat coc|giet nguoi|bi giet|de doa giet|"
    r"cam dao|cam sung|no sung|ban sung|phat no|vu no|qua bom|dat bom|no bom|hiep dam|bao luc|cuu "
    r"voi|cuu toi|cuu em|cuu con|"
    r"help me|help!+|helpp+|robbery|robbed|rob|mugged|mugging|stabbed|stabbing|attacked|attack|assault|"
    r"assaulted|(?<!fire )fight|(?<!fire )fighting|kidnap|kidnapped|kidnapping|gun|shooting|shot|"
    r"murder|burglar|break in|"
    r"breaking in|someone is following|being followed"
)


def emergency_kind(folded: str) -> str | None:
    """ "fire", "medical", "crime" or None. ``folded`` is the person's own words, before any rewriting."""
    if _FIRE.search(folded) and not _NOT_FIRE.search(folded):
        return "fire"
    if _MEDICAL.search(folded):
        return "medical"
    if _CRIME.search(folded):
        return "crime"
    return None


# --- other intents ------------------------------------------------------------------------------
_CASE_STATUS = _words(
    r"ho so (cua )?(toi|minh|em|anh|chi)( da)? (den dau|toi dau|the nao|sao roi|ra sao|duoc chua|xong chua|"
    r"dang o dau)|(tra cuu|kiem tra|theo doi|xem)( tinh trang| tien do| ket qua)? (ho so|phan anh|don)|"
    r"tinh trang (ho so|phan anh|don)|tien do (ho so|giai quyet)|ma (ho so|phan anh|tra cuu)|"
    r"pa ?\d{3,}|ma pa|phan anh cua (toi|minh|em) (den dau|the nao|sao roi|da)|"
    r"(status|progress|track(ing)?) (of )?(my )?(application|dossier|file|report|case|complaint)|"
    r"where is my (application|dossier|file|report|case)|(application|case|dossier) status|track my"
)
_FEEDBACK = _words(
    r"phan anh|kien nghi|khieu nai|to giac|to cao|gop y|bao tin toi pham|gay on|tieng on|on ao|"
    r"hat karaoke (to|on|den khuya|xuyen dem)|lan chiem|xa rac|dau xe (sai|bua)|tu tap|danh bac|"
    r"mua ban ma tuy|hang xom (gay|lam|hat|mo)|"
    r"complain|complaint|petition|feedback|report (a |the |some )?(noise|noisy|crime|problem|officer|"
    r"corruption|neighbou?rs?|illegal|violation|drug|gambling|suspicious)|noise|noisy"
)
_HANDOFF = _words(
    r"gap (can bo|nguoi that|nhan vien|tong dai vien|cong an)|noi chuyen (voi|truc tiep voi) (can bo|nguoi)|"
    r"(chuyen|ket noi)( cho| toi)? (can bo|nguoi that|tong dai vien)|can bo (tu van|ho tro|truc)|"
    r"nguoi that|tong dai vien|(talk|speak|chat) (to|with) (an? |a real |the )?(officer|human|person|agent|"
    r"someone|staff)|real (person|human)|human (agent|officer)|connect me"
)
_GREETING = _words(
    r"xin chao|chao( ban| em| anh| chi| ad| admin| bot)?|alo|a lo|hello|hi|hey|good (morning|"
    r"afternoon|evening)|"
    r"cam on( ban| nhieu| nhe| nha)?|thank you|thanks|ok|oke|vang|da|chao buoi (sang|chieu|toi)"
)
_OUT_OF_SCOPE = _words(
    r"thoi tiet|mua bao|du bao|bong da|world cup|ty so|xo so|gia vang|chung khoan|nau an|cong thuc|"
    r"phim|ca si|bai hat|nguoi yeu|weather|forecast|football|soccer|lottery|recipe|movie|song|stock market|"
    r"crypto|bitcoin|tell me a joke|ke chuyen cuoi"
)


def detect_intent(folded: str) -> Intent | None:
    """Intents other than a procedure question (emergency is checked separately, before this)."""
    if _CASE_STATUS.search(folded):
        return Intent.CASE_STATUS
    if _FEEDBACK.search(folded):
        return Intent.FEEDBACK
    if _HANDOFF.search(folded):
        return Intent.HANDOFF
    return None


def is_greeting_only(folded: str) -> bool:
    rest = _GREETING.sub(" ", folded)
    return not rest.split() and bool(folded)


def mentions_out_of_scope_topic(folded: str) -> bool:
    return bool(_OUT_OF_SCOPE.search(folded))


# --- asked part -----------------------------------------------------------------------------------
_PART_CUES: list[tuple[Part, re.Pattern[str]]] = [
    (
        Part.LEGAL,
        _words(
            r"can cu( phap ly| luat| vao)?|(luat|van ban|nghi dinh|thong tu|dieu|quy dinh) (nao|gi|"
            r"so may|may)|"
            r"co so phap ly|theo (luat|quy dinh) (nao|gi)|quy dinh (o )?dau|legal basis|which (law|laws|"
            r"regulations?|decree|circular)|what law|legal|laws?|regulations?|decree|circular"
        ),
    ),
    (
        Part.FEE,
        _words(
            r"le phi|phi|bao nhieu tien|(het|tra|dong|nop|may|nhieu|it) tien|tien (le phi|phi)|bao "
            r"nhieu(?! (ngay|lau|gio|tuan|thang|hom|buoi|lan|giay|buoc|ban))|"
            r"het bao nhieu|mat tien|ton tien|chi phi|gia bao nhieu|mien phi|mat phi|ton phi|"
            r"fees?|costs?|how much|price|charges?|pay|paid|free of charge|is it free|vnd|ton phi|"
            r"ton tien|ton bao nhieu"
        ),
    ),
    (
        Part.TIME,
        _words(
            r"bao lau|ton bao lau|ton may|may ngay|trong (thoi han|vong) (bao|may)|thoi han (bao|may|la)|"
            r"bao gio thi (co|xong|nhan)|khi nao thi (co|xong|nhan)|bao (gio|lau) (co|xong) ket qua|"
            r"bao nhieu (ngay|hom|tuan|thang|gio|buoi)|thoi gian( giai quyet| xu ly"
            r"| cho)?|thoi han giai quyet|khi nao (co|nhan|lay|xong)|bao gio (co|nhan|lay|xong)|lau khong|"
            r"nhanh khong|(co|lay|nhan) (ngay|trong ngay)|how long|how many (days|weeks)|processing time|"
            r"when (will|can|do) i (get|receive|have)|how fast|how quickly|how many (hours|days|weeks)|"
            r"does it take|take long|time|deadline"
        ),
    ),
    (
        Part.DOCUMENTS,
        _words(
            r"giay to|ho so (gom|can|co|bao gom|nhung|gi)|chuan bi ho so|can (nhung )?(gi|giay)|"
            r"mang (theo )?(gi|nhung gi)|"
            r"chuan bi (gi|nhung gi|nhung giay)|thanh phan( ho so)?|to khai|mau (to khai|don)|mau ct\d+|"
            r"mau tk\d+|mau dc\d+|can mang|phai nop nhung|documents?|papers?|paperwork|forms?|"
            r"what do i need|what should i bring|bring|required|requirements|what is needed"
        ),
    ),
    (
        Part.WHERE,
        _words(
            r"o dau|tai dau|noi nao|cho nao|dia chi|nop (o|tai) (dau|cho nao)|lam o|co quan nao|don vi nao|"
            r"nop online|nop truc tuyen|lam online|truc tuyen( duoc)?|online|qua mang|tren mang|vneid|"
            r"buu dien|buu chinh|where|which office|address|apply online|submit online"
        ),
    ),
    (
        Part.STEPS,
        _words(
            r"cac buoc|nhung buoc|may buoc|buoc nao|phai lam gi|can lam gi|lam gi|what should i do|"
            r"what do i do|"
            r"what to do|trinh tu|quy trinh|lam (the nao|sao|nhu the nao)|the nao|nhu the nao|ra "
            r"sao|cach (lam|thuc"
            r" hien|dang ky|xin)|huong dan|thu tuc (ra sao|the nao|nhu the nao|gom)|how (do|can|to|should)|"
            r"steps?|process|procedure"
        ),
    ),
]
# "Thủ tục làm hộ chiếu": naming the procedure alone asks how it is done.
_ASKS_HOW = _words(r"thu tuc|cach|lam sao")
_PART_WORDS = _words(
    r"thu tuc|hanh chinh|can|phai|muon|hoi|xin hoi|cho (toi|minh|em) hoi|lam on|vui long|giup|duoc khong|"
    r"khong|nhe|a|vay|the|thi sao|con|the con|what about|and|please|about|tell me|i want to|i need to|"
    r"how about|also"
)


def detect_parts(canonical: str) -> list[Part]:
    """Every part the question asks about, most specific first (legal, fee, time, documents, where, steps)."""
    parts = [part for part, pattern in _PART_CUES if pattern.search(canonical)]
    if not parts and _ASKS_HOW.search(canonical):
        parts = [Part.STEPS]
    return parts


def strip_cues(canonical: str) -> str:
    """The words that name a procedure, without those that only ask for a part of it."""
    text = canonical
    for _, pattern in _PART_CUES:
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def content_words(canonical: str, stopwords: frozenset[str]) -> list[str]:
    text = _PART_WORDS.sub(" ", strip_cues(canonical))
    return [token for token in text.split() if token not in stopwords]


# --- levels and choices ---------------------------------------------------------------------------
_LEVEL_CUES: list[tuple[str, re.Pattern[str]]] = [
    (
        "central",
        _words(r"(cap )?trung uong|bo cong an|cuc quan ly xuat nhap canh|cuc canh sat|central|ministry"),
    ),
    ("province", _words(r"cap tinh|cong an (tinh|thanh pho)|phong (quan ly|canh sat)|province|provincial")),
    ("district", _words(r"cap huyen|cong an (huyen|quan)|district")),
    ("commune", _words(r"cap xa|cong an (xa|phuong)|commune|ward police")),
]

_ORDINALS = {
    "1": 0, "mot": 0, "nhat": 0, "dau": 0, "first": 0, "one": 0, "dau tien": 0, "1st": 0,
    "2": 1, "hai": 1, "nhi": 1, "second": 1, "two": 1, "2nd": 1,
    "3": 2, "ba": 2, "third": 2, "three": 2, "3rd": 2, "cuoi": -1, "last": -1,
}  # fmt: skip
_CHOICE = re.compile(
    r"^(?:(?:(?:cai|so|lua chon|phuong an|muc|y|thu tuc|option|number|no|the)\s+)*(?:thu\s+)?)"
    r"(1|2|3|mot|hai|ba|nhat|nhi|dau tien|dau|cuoi|first|second|third|last|one|two|three|1st|2nd|3rd)"
    r"(?:\s+(?:one|option|a|nhe|nha|di|thi|lam|cai do))*$"
)


def level_cue(folded: str) -> str | None:
    for level, pattern in _LEVEL_CUES:
        if pattern.search(folded):
            return level
    return None


def parse_choice(folded: str, count: int) -> int | None:
    """ "số 2", "cái thứ hai", "the second one" → index among ``count`` offered choices."""
    match = _CHOICE.match(folded.strip())
    if not match:
        return None
    index = _ORDINALS[match.group(1)]
    index = count - 1 if index < 0 else index
    return index if 0 <= index < count else None
