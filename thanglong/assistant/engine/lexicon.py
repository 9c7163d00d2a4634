"""How citizens name things → the catalogue's words. All rules work on folded text (no accents, lower case).

Three passes, in order: single-token abbreviations and chat spellings; English key terms and phrases into
the Vietnamese the catalogue uses; then Vietnamese slang and old names into today's procedure names
("hộ khẩu" → thường trú, "KT3" → tạm trú, "làm lại CCCD" → cấp lại thẻ căn cước).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# Chat spellings and abbreviations, token by token.
ABBREVIATIONS: dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hok": "khong",
    "hong": "khong",
    "khum": "khong",
    "bn": "bao nhieu",
    "bnh": "bao nhieu",
    "bnhieu": "bao nhieu",
    "baonhieu": "bao nhieu",
    "bnhiu": "bao nhieu",
    "bh": "bao gio",
    "bgio": "bao gio",
    "j": "gi",
    "ntn": "nhu the nao",
    "ns": "noi",
    "dc": "duoc",
    "dk": "dang ky",
    "dky": "dang ky",
    "dki": "dang ky",
    "dangky": "dang ky",
    "mk": "minh",
    "mn": "moi nguoi",
    "vs": "voi",
    "r": "roi",
    "cx": "cung",
    "ng": "nguoi",
    "nc": "nuoc",
    "nuocngoai": "nuoc ngoai",
    "mun": "muon",
    "wa": "qua",
    "z": "vay",
    "hc": "ho chieu",
    "hochieu": "ho chieu",
    "cancuoc": "can cuoc",
    "cccd": "the can cuoc cong dan",
    "cmnd": "chung minh nhan dan",
    "cmt": "chung minh nhan dan",
    "cmtnd": "chung minh nhan dan",
    "hk": "ho khau",
    "hokhau": "ho khau",
    "tamtru": "tam tru",
    "thuongtru": "thuong tru",
    "tamvang": "tam vang",
    "cavet": "ca vet",
    "pccc": "phong chay chua chay",
    "antt": "an ninh trat tu",
    "tthc": "thu tuc hanh chinh",
    "dvc": "dich vu cong",
    "vneid": "vneid",
    "sdt": "so dien thoai",
    "tks": "cam on",
    "thanks": "cam on",
    "thx": "cam on",
    "ok": "ok",
    "ki": "ky",
}

# (pattern, replacement) pairs; a pattern is a regular expression over folded text, matched on whole words.
Rule = tuple[str, str]

ENGLISH: list[Rule] = [
    (
        r"ministry of public security|ministry of police|central (level|immigration department)",
        "bo cong an trung uong",
    ),
    (r"airbnb|booking", "luu tru"),
    # Objects first, so the verbs below can see them.
    (
        r"(citizen )?(identity|identification|id|citizens?) cards?|citizen id|national id|chip id",
        "the can cuoc",
    ),
    (
        r"old (9|nine) digit id( number)?|old id (card )?number|personal identification number|"
        r"personal id number",
        "xac nhan so chung minh nhan dan so dinh danh ca nhan",
    ),
    (r"passports?", "ho chieu"),
    (r"temporary residence|temporary residency|temp residence|temporary stay registration", "tam tru"),
    (r"permanent residence|permanent residency|household registration|household book|hukou", "thuong tru"),
    (r"temporary absence|(going|being|staying) away( from home)?|absence", "tam vang"),
    (
        r"foreigners?|foreign (guests?|nationals?|visitors?|tenants?|workers?|citizens?|tourists?|"
        r"wife|husband)|expats?",
        "nguoi nuoc ngoai",
    ),
    (
        r"(hotel|guest ?house|homestay|hostel|landlord|host|hosting)s?|(overnight )?guests?|"
        r"stay(ing)? overnight",
        "luu tru",
    ),
    (r"(motor ?bikes?|motorcycles?|scooters?|cars?|vehicles?|trucks?)", "xe"),
    (r"(number|licen[cs]e) plates?|plates?", "bien so"),
    (r"fire (safety|protection|prevention|fighting)|firefighting", "phong chay chua chay"),
    (
        r"design (approval|appraisal|review)|appraisal|approval of (the )?design|drawings?",
        "tham dinh thiet ke",
    ),
    (r"security (and|&) order|public security|security conditions?", "an ninh trat tu"),
    (
        r"conditional business(es)?|business lines?|karaoke|bar|pawn ?shops?|pawnbroker|massage",
        "kinh doanh nganh nghe co dieu kien",
    ),
    (r"(business )?licen[cs]e|certificate", "giay chung nhan"),
    # Verbs, with the object where the meaning depends on it.
    (
        r"(renew|renewal|replace|replacement|new|extend|extension) (of )?(my |a |the )?ho chieu",
        "cap ho chieu",
    ),
    (
        r"(lost|lose|losing|stolen|missing) (my |a |the )?ho chieu|ho chieu (was |is |got |has been )?"
        r"(lost|stolen|missing)",
        "trinh bao mat ho chieu",
    ),
    (
        r"(restore|restoring|reactivate|recover|found|recovered|find) (my |a |the )?(lost )?ho "
        r"chieu( again| back)?|ho chieu (was )?found",
        "khoi phuc ho chieu",
    ),
    (
        r"(lost|lose|stolen|missing|damaged|broken) (my |a |the )?the can cuoc|the can cuoc (was |is |got )?"
        r"(lost|stolen|missing|damaged|broken)",
        "cap lai the can cuoc",
    ),
    (
        r"(renew|renewal|update|change|correct|expired?|exchange) (of )?(my |a |the )?the can cuoc|"
        r"the can cuoc (has |is )?(expired?|expiring)",
        "cap doi the can cuoc",
    ),
    (
        r"(extend|extension|renew|renewal) (of )?(my |a |the )?tam tru|tam tru (extension|renewal)",
        "gia han tam tru",
    ),
    (
        r"(cancel|cancell?ation|remove|removal|deregister|deregistration|delete|end) (of )?(my |a |"
        r"the )?tam tru",
        "xoa dang ky tam tru",
    ),
    (
        r"(declare|declaration|report|reporting|notify|notification)( of)?( a| the)? nguoi nuoc ngoai",
        "khai bao tam tru cho nguoi nuoc ngoai",
    ),
    (r"register(ing|ed)?|registration", "dang ky"),
    # "a new one" points back at something the person had: a replacement, not a first issue.
    (r"(get|make|issue|apply for|have|need) (a )?new one|a new one|replacement (card|one)", "cap lai"),
    (r"first time|for the first time|first|new", "lan dau"),
    (r"lost|stolen|missing", "mat"),
    (r"renew|renewal|replace|replacement", "cap doi"),
    (r"extend|extension", "gia han"),
    (r"declare|declaration|notify|notification", "khai bao"),
]

VIETNAMESE: list[Rule] = [
    # "mất" is also "costs" / "takes": "mất bao lâu", "mất phí" are never about losing something.
    (r"mat(?= (bao lau|bao nhieu|bn|phi|le phi|tien|may|nhieu|it|lau|thoi gian|cong|ca))", "ton"),
    # Identity cards: old names, and what each situation is called in the catalogue.
    (
        r"the can cuoc cong dan|can cuoc cong dan|the can cuoc|can cuoc|the cc|chung minh thu|"
        r"chung minh nhan dan|the chip|the cuoc",
        "the can cuoc",
    ),
    (
        r"(xac nhan|giay xac nhan|xin xac nhan|xac minh)( lai)?( so)? the can cuoc( cu| 9 so| chin so)?|"
        r"the can cuoc (9|chin) so|so the can cuoc cu|so cu|ma dinh danh|so dinh danh( ca nhan)?",
        "xac nhan so chung minh nhan dan so dinh danh ca nhan",
    ),
    (
        r"(bi )?(mat|danh roi|roi mat|lam roi|danh mat|that lac|hong|hu|hu hong|rach|gay|bi lay|trom mat)"
        r"( cai| chiec)? "
        r"the can cuoc|the can cuoc (bi )?(mat|hong|hu|hu hong|rach|gay|that lac|mo)",
        "cap lai the can cuoc",
    ),
    (r"(lam lai|cap lai|xin lai) the can cuoc", "cap lai the can cuoc"),
    (
        r"(doi|lam moi|cap doi|thay|cap nhat|sua|chinh sua|dieu chinh)( lai)?( thong tin)?( tren)? "
        r"the can cuoc|"
        r"the can cuoc (het han|qua han|sai|bi sai|thay doi)|(du|toi|den) (25|40|60) tuoi",
        "cap doi the can cuoc",
    ),
    (
        r"(lam|xin|cap|lam moi)( the)? can cuoc lan dau|lan dau (lam|cap|xin)( the)? can cuoc|"
        r"du 14 tuoi|(moi|vua) (du|tron)? ?14 tuoi",
        "cap the can cuoc lan dau",
    ),
    # Passports.
    (r"passport|ho chieu pho thong|ho chieu|so ho chieu", "ho chieu"),
    (
        r"(gia han|doi|lam lai|lam moi|cap doi|cap lai|xin|lam)( lai)?( cuon| quyen| cai)? ho chieu",
        "cap ho chieu",
    ),
    (
        r"ho chieu .{0,60}(tim lai|tim thay|tim duoc|nhat lai|lay lai)|(tim lai|tim thay|tim duoc|nhat lai) "
        r".{0,60}ho chieu",
        "khoi phuc gia tri su dung ho chieu",
    ),
    (
        r"(bi )?(mat|danh roi|roi mat|lam roi|bi roi|danh mat|that lac|bi trom|bi lay|bi cuop|trom mat)"
        r"( cuon| quyen| cai)? "
        r"ho chieu|ho chieu (bi )?(mat|that lac|trom|lay mat)",
        "trinh bao mat ho chieu",
    ),
    (
        r"(tim lai|tim thay|tim duoc|nhat lai|lay lai|thay lai)( duoc)?( cuon| quyen| cai)? ho chieu|"
        r"ho chieu (da )?(tim lai|tim thay|tim duoc)( duoc)?|(dung|su dung) lai( duoc)? ho chieu",
        "khoi phuc gia tri su dung ho chieu",
    ),
    # A passport with no other verb is one to be issued ("hộ chiếu hết bao nhiêu tiền").
    (r"(?<!cap )(?<!mat )(?<!dung )(?<!phuc )ho chieu", "cap ho chieu"),
    # Residence.
    (r"so ho khau|ho khau|nhap khau|chuyen khau|kt1|kt 1", "dang ky thuong tru"),
    (r"kt2|kt3|kt4|kt 2|kt 3|kt 4|so tam tru|the tam tru|giay tam tru", "dang ky tam tru"),
    (
        r"(het han|sap het han|qua han|keo dai|gia han them|o them|o tiep)( thoi han)? tam tru|"
        r"tam tru (het han|sap het han|qua han|het thoi han)",
        "gia han tam tru",
    ),
    (
        r"(xoa|cat|huy|bo|cham dut|ket thuc)( dang ky)? tam tru|khong (o|thue) (nua|tiep)",
        "xoa dang ky tam tru",
    ),
    (
        r"(nguoi|khach|ban) (nuoc ngoai|tay|ngoai quoc)|nguoi nc ngoai|tay balo|ngoai kieu|viet kieu",
        "nguoi nuoc ngoai",
    ),
    (r"(nha nghi|khach san|homestay|nha tro|phong tro|chung cu mini|ky tuc xa|nha nhu)", "co so luu tru"),
    (
        r"(co khach|khach)( den)? (o|ngu|nghi)( lai| qua dem| tam)?|(ban|nguoi than|ho hang|ban be) "
        r"(den|ve|len) "
        r"(o|choi|ngu)|(o|ngu) qua dem|ngu lai",
        "thong bao luu tru",
    ),
    (
        r"(vang nha|di vang|di xa|di lam an xa|di khoi dia phuong|roi dia phuong|vang mat|di nuoc ngoai lau)",
        "tam vang",
    ),
    # Vehicles, fire safety, conditional business.
    (
        r"ca vet|giay dang ky xe|dang ky xe|bien so xe|bien so|bien xe|xe may|xe o to|o to|oto|xe hoi|"
        r"moto|xe dien|xe moi mua|mua xe",
        "dang ky xe bien so xe",
    ),
    (
        r"(tham duyet|duyet|tham dinh|xin phep)( thiet ke| ban ve| ho so)? phong chay chua chay|"
        r"ban ve phong chay chua chay|thiet ke phong chay chua chay|phong chay",
        "tham dinh thiet ke phong chay chua chay",
    ),
    (
        r"(giay phep|giay chung nhan|chung nhan|dieu kien|cap phep)( du dieu kien)?( ve)? an ninh trat tu|"
        r"an ninh trat tu|karaoke|quan bar|vu truong|cam do|massage|dich vu bao ve|kinh doanh co dieu kien",
        "giay chung nhan du dieu kien an ninh trat tu kinh doanh nganh nghe co dieu kien",
    ),
    # Generic verbs.
    (r"lam lai|xin lai", "cap lai"),
    (r"lam moi", "cap doi"),
    (r"lam lan dau|lan dau", "lan dau"),
]


def _compile(rules: Iterable[Rule]) -> list[tuple[re.Pattern[str], str]]:
    return [(re.compile(rf"(?<!\w)(?:{pattern})(?!\w)"), replacement) for pattern, replacement in rules]


_ENGLISH = _compile(ENGLISH)
_VIETNAMESE = _compile(VIETNAMESE)


def expand_abbreviations(folded: str) -> str:
    return " ".join(ABBREVIATIONS.get(token, token) for token in folded.split())


def canonical(folded: str, *, english: bool = True) -> str:
    """Folded text with abbreviations expanded and slang, old names and English terms in catalogue words."""
    text = expand_abbreviations(folded)
    if english:
        for pattern, replacement in _ENGLISH:
            text = pattern.sub(replacement, text)
    for pattern, replacement in _VIETNAMESE:
        text = pattern.sub(replacement, text)
    return " ".join(text.split())


# The things procedures are about: a question naming one is about a procedure whose name holds it.
OBJECTS = (
    "ho chieu", "can cuoc", "chung minh nhan dan", "dinh danh", "tam tru", "thuong tru", "tam vang",
    "luu tru", "nguoi nuoc ngoai", "xe", "phong chay", "an ninh trat tu",
)  # fmt: skip
_OBJECT_PATTERNS = [(name, re.compile(rf"(?<!\w){name}(?!\w)")) for name in OBJECTS]


def objects_in(canonical_text: str) -> set[str]:
    return {name for name, pattern in _OBJECT_PATTERNS if pattern.search(canonical_text)}


def vocabulary() -> set[str]:
    """Every word the rules know or produce: the typo corrector leaves them alone."""
    words: set[str] = set(ABBREVIATIONS) | set(ABBREVIATIONS.values())
    for pattern, replacement in [*ENGLISH, *VIETNAMESE]:
        words.update(replacement.split())
        words.update(re.findall(r"[a-z]+", pattern))
    return {word for token in words for word in token.split()}
