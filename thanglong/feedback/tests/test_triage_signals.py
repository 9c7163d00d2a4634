"""Priority and spam signals: negation, past events, figurative words, adverts, tests and insults."""

from __future__ import annotations

import pytest

from thanglong.feedback.choices import Category, Priority
from thanglong.feedback.triage.lexicon import prepare
from thanglong.feedback.triage.signals import decide_priority, spam_score, without_negated


def priority(text: str, category: str = Category.PUBLIC_ORDER) -> tuple[int, dict[str, list[str]]]:
    decision = decide_priority(prepare(text), category, text)
    return decision.priority, decision.urgent_signals


@pytest.mark.parametrize(
    "text",
    [
        "Có thanh niên cầm dao đuổi chém người trước chợ Long Biên!",
        "co thang cam dao dung truoc cong nha 32 ngo 68 doa giet ca nha toi",
        "A man with a knife is threatening people at the bus stop right now.",
        "Tuần trước nó dọa, giờ nó đang cầm dao đứng trước cửa nhà tôi.",  # past, but ongoing now
        "Nhà bên cạnh vừa nổ bình gas, tường đổ, có người kẹt bên trong.",
        "Tường công trình đổ sập vào dãy trọ, nhiều người bị vùi.",
        "help!!! fire on the 3rd floor of the guesthouse, we are trapped",
        "My 6 year old son went missing at Hoan Kiem lake 30 minutes ago.",
        "Hai nhóm không mặc áo đồng phục đang đánh nhau, có người bị đâm.",  # negation elsewhere
    ],
)
def test_urgent(text: str) -> None:
    level, signals = priority(text)
    assert level == Priority.URGENT, signals
    assert signals


@pytest.mark.parametrize(
    "text",
    [
        "Hai người cãi nhau to ở chợ Hôm, không có vũ khí, không ai bị thương.",
        "Nhóm thanh niên tụ tập ồn ào, không mang theo hung khí, chỉ nói tục.",
        "There was no knife, they just argued loudly outside the bar and then left.",
        "Báo nhầm, không phải súng mà là pháo nổ của đám cưới.",
        "Quán ăn ở phố cổ chém giá du khách, bát phở 200 nghìn.",
        "Mấy ông ngồi quán trà đá chém gió cả ngày, chiếm hết vỉa hè.",
        "Thẩm mỹ viện quảng cáo dao kéo không phép.",
    ],
)
def test_negated_and_figurative_words_raise_nothing(text: str) -> None:
    level, signals = priority(text)
    assert level != Priority.URGENT
    assert not signals


@pytest.mark.parametrize(
    "text",
    [
        "Tuần trước có vụ đánh nhau bằng dao ở quán bia đầu ngõ 68, đề nghị tăng cường tuần tra.",
        "last month someone pulled a knife in a fight near my building, is a patrol planned?",
        "Con tôi đã về nhà an toàn, xin hủy tin báo mất tích hôm qua.",
        "Em tôi bảo bị bắt cóc đi nhậu cả tối, đùa thôi.",
    ],
)
def test_past_or_joking_is_high_not_urgent(text: str) -> None:
    decision = decide_priority(prepare(text), Category.PUBLIC_ORDER, text)
    assert decision.priority == Priority.HIGH
    assert not decision.urgent_signals
    assert decision.reasons[0].startswith("not urgent")


def test_without_text_the_words_alone_decide() -> None:
    """Callers that pass no text keep the plain keyword behaviour."""
    text = "không có vũ khí"
    assert decide_priority(prepare(text), Category.PUBLIC_ORDER).priority == Priority.URGENT


def test_negation_stays_in_its_clause_and_spares_unaccented_words() -> None:
    assert "dao" in without_negated("Không ai dám can, nó cầm dao")
    # unaccented "no sung" is "nổ súng" (gunfire), "chua" may be "chùa": neither negates
    assert "sung" in without_negated("vua nghe no sung o chua Boc")
    assert "sung" in without_negated("nghe tieng no sung chua ro o dau")
    assert "knife" not in without_negated("there was no knife at all")


def spam(text: str, category: str = "") -> float:
    return spam_score(text, prepare(text), category=category).score


@pytest.mark.parametrize(
    "text",
    [
        "Vay tiền nhanh chỉ cần CCCD, giải ngân 5 phút, truy cập vaynhanh24h.xyz",
        "Tuyển cộng tác viên bán hàng online, hoa hồng 30%, ib mình nhé",
        "test",
        "alo alo",
        "asdfghjkl qwerty",
        "123456789",
        "thử gửi phản ánh xem có chạy không",
        "công an ngu như bò, đm cả lũ",
        "Tao biết nhà mày ở đâu rồi, thằng cán bộ phường, liệu hồn",
    ],
)
def test_spam_and_abuse_reach_the_line(text: str) -> None:
    assert spam(text) >= 0.7


def test_an_advert_with_a_link_is_spam_even_when_classed_as_fraud() -> None:
    advert = "Vay tiền nhanh chỉ cần CCCD, giải ngân 5 phút, truy cập vaynhanh24h.xyz"
    assert spam(advert, Category.CYBER_FRAUD) >= 0.7
    victim = "Tôi bị lừa vay tiền nhanh qua vaynhanh24h.xyz, giải ngân xong bị đòi phí"
    assert spam(victim, Category.CYBER_FRAUD) < 0.7


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("Đm bọn hàng xóm hát karaoke đến 2h sáng, số 15 ngõ 68 Cầu Giấy, không ai ngủ được.", ""),
        ("Tôi bị lừa qua link http://vietcombank-hoantien.com giả ngân hàng, mất 15 triệu.", ""),
        ("Nhóm Zalo gửi link tuyendung-online.top bắt nạp tiền", Category.CYBER_FRAUD),
        ("Có trộm", ""),
        ("Tắc đường quá!!!!!", ""),
        ("Cán bộ phường quát người già như quát con, đm thật sự bức xúc, sáng nay ở bộ phận một cửa.", ""),
    ],
)
def test_genuine_reports_stay_below_the_line(text: str, category: str) -> None:
    assert spam(text, category) < 0.7
