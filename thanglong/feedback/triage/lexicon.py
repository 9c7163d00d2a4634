"""Word lists behind the rules: category cues, urgent signals, profanity (Vietnamese and English).

Terms are written once, with their accents; :class:`Lexicon` matches them both with accents (tone
placement ignored: "tuý" = "túy") and, in a text typed without any accents, folded ("ma tuy").
Folding is only tried on such texts: in an accented one "đang chạy" (running) must not read as "đang
cháy" (on fire). A term written with a leading ``=`` is never folded, because its folded form is
another common word ("dao" is a knife, but also "lừa đảo" typed without accents).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from thanglong.core.address.tokens import accent_key
from thanglong.core.text import fold, nfc

_WORD = re.compile(r"[^\W_]+")
_VIETNAMESE_LETTERS = re.compile(
    r"[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE
)

CATEGORY_TERMS: dict[str, tuple[str, ...]] = {
    "public_order": (
        "đánh nhau",
        "gây gổ",
        "hỗn chiến",
        "chém nhau",
        "hành hung",
        "đánh hội đồng",
        "côn đồ",
        "=trộm",
        "mất trộm",
        "trộm cắp",
        "=cướp",
        "cướp giật",
        "giật túi",
        "móc túi",
        "trấn lột",
        "đột nhập",
        "phá khoá",
        "đánh bạc",
        "cờ bạc",
        "xóc đĩa",
        "cá độ",
        "đòi nợ",
        "tín dụng đen",
        "cho vay nặng lãi",
        "bảo kê",
        "xã hội đen",
        "đe doạ",
        "tạt sơn",
        "mại dâm",
        "say xỉn",
        "fight",
        "fighting",
        "stolen",
        "stole",
        "theft",
        "thief",
        "thieves",
        "robbery",
        "robbed",
        "snatched",
        "gambling",
        "debt collectors",
        "threatened",
        "broke into",
    ),
    "traffic": (
        "giao thông",
        "csgt",
        "ùn tắc",
        "tắc đường",
        "kẹt xe",
        "tắc cứng",
        "đèn tín hiệu",
        "đèn giao thông",
        "đèn đỏ",
        "đỗ xe",
        "dừng đỗ",
        "đua xe",
        "lạng lách",
        "nẹt pô",
        "ngược chiều",
        "vượt ẩu",
        "xe tải",
        "xe khách",
        "xe buýt",
        "ô tô",
        "tai nạn",
        "va chạm",
        "vỉa hè",
        "làn đường",
        "biển báo",
        "hố ga",
        "mũ bảo hiểm",
        "phân luồng",
        "tốc độ",
        "phạt nguội",
        "gờ giảm tốc",
        "xe container",
        "quá tải",
        "traffic",
        "jam",
        "parked",
        "parking",
        "racing",
        "speeding",
        "truck",
        "trucks",
        "bus",
        "buses",
        "accident",
        "pavement",
        "sidewalk",
        "hit by a car",
        "intersection",
    ),
    "drugs": (
        "ma tuý",
        "ma tuý đá",
        "heroin",
        "cần sa",
        "thuốc lắc",
        "bay lắc",
        "nghiện",
        "con nghiện",
        "dân nghiện",
        "chích hút",
        "tiêm chích",
        "kim tiêm",
        "bóng cười",
        "chất cấm",
        "cai nghiện",
        "ngáo đá",
        "nước vui",
        "hút cỏ",
        "sốc thuốc",
        "nấm thần",
        "drug",
        "drugs",
        "meth",
        "cannabis",
        "marijuana",
        "weed",
        "ecstasy",
        "syringes",
        "syringe",
        "dealer",
        "laughing gas",
        "inject",
    ),
    "cyber_fraud": (
        "lừa đảo",
        "bị lừa",
        "=lừa",
        "chuyển khoản",
        "giả danh",
        "mạo danh",
        "giả mạo",
        "đường link",
        "otp",
        "hack",
        "bị hack",
        "chiếm tài khoản",
        "số tài khoản",
        "stk",
        "vay online",
        "app vay",
        "tiền ảo",
        "sàn đầu tư",
        "deepfake",
        "việc nhẹ lương cao",
        "nạp tiền",
        "mã qr",
        "tống tiền",
        "qua mạng",
        "online",
        "scam",
        "scammed",
        "scammer",
        "scammers",
        "fraud",
        "transfer",
        "fake",
        "hacked",
        "phishing",
        "loan app",
        "deposit",
    ),
    "fire_safety": (
        "=cháy",
        "cháy nổ",
        "đám cháy",
        "bị cháy",
        "cháy nhà",
        "cháy lớn",
        "đang cháy",
        "hoả hoạn",
        "chữa cháy",
        "pccc",
        "phòng cháy",
        "cứu hoả",
        "thoát hiểm",
        "thoát nạn",
        "bình chữa cháy",
        "báo cháy",
        "chập điện",
        "chập cháy",
        "bình gas",
        "rò rỉ",
        "=nổ",
        "tiếng nổ",
        "pháo",
        "chung cư mini",
        "sạc xe điện",
        "chuồng cọp",
        "=khói",
        "bốc khói",
        "fire",
        "smoke",
        "fire exit",
        "fire escape",
        "extinguisher",
        "fire alarm",
        "gas cylinders",
        "gas leak",
        "firefighters",
        "explosion",
    ),
    "residence_procedures": (
        "tạm trú",
        "thường trú",
        "cư trú",
        "hộ khẩu",
        "căn cước",
        "cccd",
        "cmnd",
        "định danh",
        "vneid",
        "thủ tục",
        "hồ sơ",
        "dịch vụ công",
        "lưu trú",
        "tạm vắng",
        "tách hộ",
        "nhập khẩu",
        "hộ chiếu",
        "một cửa",
        "giấy xác nhận",
        "residence",
        "registration",
        "register",
        "id card",
        "citizen id",
        "documents",
        "passport",
        "application",
    ),
    "officer_conduct": (
        "cán bộ",
        "cb",
        "thái độ",
        "hách dịch",
        "=quát",
        "quát nạt",
        "gây khó dễ",
        "khó dễ",
        "nhũng nhiễu",
        "tiêu cực",
        "bồi dưỡng",
        "vòi tiền",
        "bao che",
        "cảnh sát khu vực",
        "trực ban",
        "tiếp dân",
        "xúc phạm",
        "khen ngợi",
        "tận tình",
        "officer",
        "policeman",
        "rude",
        "shouted",
        "bribe",
        "duty officer",
        "clerk",
    ),
    "environment_noise": (
        "=ồn",
        "ồn ào",
        "tiếng ồn",
        "karaoke",
        "hát đêm",
        "loa",
        "mở nhạc",
        "=nhạc",
        "mùi hôi",
        "hôi thối",
        "bốc mùi",
        "=rác",
        "bãi rác",
        "nước thải",
        "xả thải",
        "=bụi",
        "chó sủa",
        "ô nhiễm",
        "đốt rác",
        "mất ngủ",
        "không ngủ được",
        "noise",
        "noisy",
        "loud",
        "music",
        "smell",
        "smells",
        "garbage",
        "waste",
        "pollution",
        "dust",
        "bark",
        "sleep",
    ),
    "other": (
        "góp ý",
        "cảm ơn",
        "nhặt được",
        "đánh rơi",
        "thất lạc",
        "tuyển sinh",
        "đường dây nóng",
        "xin hỏi",
        "cho hỏi",
        "thank",
        "found a",
        "suggestion",
        "volunteer",
        "how can i",
    ),
}

# Signals that make a report urgent, each with the reason shown to the dispatcher.
URGENT_TERMS: dict[str, tuple[str, ...]] = {
    "weapon": (
        "=dao",
        "cầm dao",
        "mang dao",
        "rút dao",
        "vung dao",
        "dao phay",
        "=súng",
        "có súng",
        "nổ súng",
        "cầm súng",
        "mã tấu",
        "hung khí",
        "vũ khí",
        "=chém",
        "chém nhau",
        "knife",
        "gun",
        "machete",
        "weapon",
        "shooting",
    ),
    "child": ("trẻ em", "cháu bé", "bé gái", "bé trai", "trẻ nhỏ", "trẻ con", "child", "children", "kids"),
    "ongoing_danger": (
        "đang cháy",
        "đang đánh nhau",
        "ngay bây giờ",
        "đang diễn ra",
        "cứu với",
        "kêu cứu",
        "khẩn cấp",
        "có người bị thương",
        "bất tỉnh",
        "án mạng",
        "đang có cháy",
        "sơ tán",
        "right now",
        "is happening",
        "urgent",
        "unconscious",
        "injured",
        # people trapped, collapses, someone in the water or bleeding, a fire in progress
        "mắc kẹt",
        "bị kẹt",
        "kẹt bên trong",
        "đổ sập",
        "bị vùi",
        "nhảy cầu",
        "dọa nhảy",
        "tự tử",
        "đuối nước",
        "chới với",
        "bị đâm",
        "chảy máu",
        "cầu cứu",
        "ngất",
        "bốc cháy",
        "lửa bùng",
        "bùng lên",
        "lửa to",
        "cháy to",
        "cháy lớn",
        "cháy nhà",
        "nổ bình gas",
        "phát nổ",
        "trapped",
        "bleeding",
        "stabbed",
        "on fire",
        "fire on the",
        "fire in the",
        "fire at the",
        "explosion",
        "screaming for help",
    ),
    "school": ("=trường", "cổng trường", "trường học", "school", "kindergarten", "university"),
    "kidnapping": (
        "bắt cóc",
        "mất tích",
        "dụ dỗ",
        "bế lên xe",
        "kidnap",
        "kidnapped",
        "abducted",
        "went missing",
        "gone missing",
    ),
}

# Phrases that contain an urgent word but mean something else: overcharging ("chém giá"), idle talk
# ("chém gió"), cosmetic surgery ("dao kéo"), toys. Blanked before the urgent words are looked for.
FIGURATIVE_TERMS: tuple[str, ...] = (
    "chém giá",
    "chém gió",
    "chặt chém",
    "chém khách",
    "chém đẹp",
    "dao kéo",
    "súng nước",
    "súng đồ chơi",
    "súng bắn nước",
    "toy gun",
    "water gun",
)
# Past or settled: with none of the ongoing cues below, urgent words describe what already happened.
PAST_TERMS: tuple[str, ...] = (
    "tuần trước",
    "tháng trước",
    "năm ngoái",
    "năm trước",
    "hôm trước",
    "hôm qua",
    "hôm kia",
    "đã được dập tắt",
    "đã dập tắt",
    "đã tìm thấy",
    "đã về nhà",
    "đã xong",
    "đã ổn",
    "xin huỷ",
    "last week",
    "last month",
    "last year",
    "yesterday",
    "was found",
    "been put out",
)
ONGOING_TERMS: tuple[str, ...] = (
    "=đang",
    "vẫn còn",
    "=vẫn",
    "ngay bây giờ",
    "=vừa",
    "vừa xong",
    "lại bùng",
    "hiện đang",
    "right now",
    "still",
    "now",
    "just now",
    "currently",
)
JOKE_TERMS: tuple[str, ...] = ("đùa thôi", "đùa chút", "nói đùa", "haha", "hihi", "just kidding", "kidding")

HIGH_TERMS: tuple[str, ...] = (
    "tai nạn",
    "bị thương",
    "đe doạ",
    "=cướp",
    "=nổ",
    "rò rỉ gas",
    "hoả hoạn",
    "bạo lực",
    "đánh vợ",
    "accident",
    "threatened",
    "robbery",
    "gas leak",
    "violence",
)
LOW_TERMS: tuple[str, ...] = ("góp ý", "xin hỏi", "cho hỏi", "cảm ơn", "khen ngợi", "thank", "suggestion")

PROFANITY: tuple[str, ...] = (
    "đm",
    "dm",
    "đmm",
    "vcl",
    "vkl",
    "đéo",
    "địt",
    "lồn",
    "cặc",
    "đĩ",
    "óc chó",
    "ngu như",
    "fuck",
    "fucking",
    "shit",
    "bitch",
    "bitches",
    "asshole",
    "=ngu",
    "ăn hại",
    "dit me",
)
# Advertising and test messages: nothing for an officer to act on.
ADVERT_TERMS: tuple[str, ...] = (
    "khuyến mãi",
    "giá rẻ",
    "giá tốt",
    "inbox",
    "=ib",
    "liên hệ zalo",
    "hotline",
    "tuyển cộng tác viên",
    "hoa hồng",
    "vay tiền nhanh",
    "giải ngân",
    "uy tín",
    "nhận làm bằng",
    "giao hàng toàn quốc",
    "mua 1 tặng 1",
    "không cần vốn",
    "click here",
    "win an",
    "follow my",
    "free",
    "sign up",
    "gọi ngay",
)
TEST_TERMS: tuple[str, ...] = ("test", "thử gửi", "gửi thử", "test thử")
GREETING_TERMS: tuple[str, ...] = ("alo", "hello", "hi", "ok", "xin chào")
# A victim quoting an advert or a scam page: the advert words are evidence, not spam.
VICTIM_TERMS: tuple[str, ...] = (
    "tôi bị",
    "bị lừa",
    "lừa đảo",
    "=mất",
    "scam",
    "scammed",
    "i lost",
    "we lost",
)
# Threats against staff: a person looks at once, whatever else the message says.
THREAT_TERMS: tuple[str, ...] = (
    "liệu hồn",
    "biết nhà mày",
    "coi chừng mày",
    "mày chết",
    "i know where you live",
)


def has_vietnamese_letters(text: str) -> bool:
    return bool(_VIETNAMESE_LETTERS.search(text))


@dataclass(frozen=True)
class Prepared:
    """A text in the two forms terms are matched against: tone-normalised words, and folded words."""

    accented: str  # " ma tuý bán ở ngõ " (spaces at both ends, so " term " finds whole words)
    folded: str  # " ma tuy ban o ngo "
    typed_without_accents: bool


def prepare(text: str) -> Prepared:
    words = _WORD.findall(nfc(text).lower())
    return Prepared(
        accented=" " + " ".join(accent_key(word) for word in words) + " ",
        folded=" " + fold(text) + " ",
        typed_without_accents=not has_vietnamese_letters(text),
    )


@dataclass(frozen=True)
class _Term:
    text: str
    accented: str
    folded: str
    foldable: bool  # False for "=" terms: their folded form is another common word


def _compile(terms: Iterable[str]) -> tuple[_Term, ...]:
    compiled = []
    for raw in terms:
        term = raw.removeprefix("=")
        words = _WORD.findall(nfc(term).lower())
        compiled.append(
            _Term(
                text=term,
                accented=" " + " ".join(accent_key(word) for word in words) + " ",
                folded=" " + fold(term) + " ",
                foldable=not raw.startswith("="),
            )
        )
    return tuple(compiled)


class Lexicon:
    """A named set of term lists; ``find`` returns which terms of each list occur in a text."""

    def __init__(self, lists: dict[str, tuple[str, ...]]) -> None:
        self._lists = {name: _compile(terms) for name, terms in lists.items()}

    @property
    def names(self) -> list[str]:
        return list(self._lists)

    def blank(self, prepared: Prepared) -> Prepared:
        """``prepared`` with every occurrence of these terms replaced by a space."""
        accented, folded = prepared.accented, prepared.folded
        for terms in self._lists.values():
            for term in terms:
                accented = accented.replace(term.accented, " ")
                if term.foldable:
                    folded = folded.replace(term.folded, " ")
        return Prepared(f" {accented.strip()} ", f" {folded.strip()} ", prepared.typed_without_accents)

    def find(self, prepared: Prepared) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for name, terms in self._lists.items():
            hits = [
                term.text
                for term in terms
                if (
                    term.foldable and term.folded in prepared.folded
                    if prepared.typed_without_accents
                    else term.accented in prepared.accented
                )
            ]
            if hits:
                found[name] = hits
        return found


CATEGORY_LEXICON = Lexicon(CATEGORY_TERMS)
URGENT_LEXICON = Lexicon(URGENT_TERMS)
PRIORITY_LEXICON = Lexicon({"high": HIGH_TERMS, "low": LOW_TERMS})
PROFANITY_LEXICON = Lexicon({"profanity": PROFANITY})
FIGURATIVE_LEXICON = Lexicon({"figurative": FIGURATIVE_TERMS})
TENSE_LEXICON = Lexicon({"past": PAST_TERMS, "ongoing": ONGOING_TERMS, "joke": JOKE_TERMS})
NOT_A_REPORT_LEXICON = Lexicon(
    {
        "advert": ADVERT_TERMS,
        "test": TEST_TERMS,
        "greeting": GREETING_TERMS,
        "threat": THREAT_TERMS,
        "victim": VICTIM_TERMS,
    }
)
