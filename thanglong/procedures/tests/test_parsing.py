"""The portal page parser, on small cuts of real pages (see fixtures/SOURCE.txt)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from thanglong.procedures.parsing import (
    CHANNEL_IN_PERSON,
    CHANNEL_ONLINE,
    CHANNEL_POST,
    FEE_CHARGE,
    FEE_LEVY,
    LEVEL_COMMUNE,
    LEVEL_PROVINCE,
    page_body,
    parse_citations,
    parse_portal_page,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _page(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def test_navigation_and_footer_are_stripped() -> None:
    body = page_body(_page("portal_2.001178.txt"))
    assert body.startswith("Cấp xác nhận số chứng minh nhân dân 09 số")
    assert "Nộp thuế cá nhân" not in body
    assert "Tổng đài hỗ trợ" not in body


def test_temporary_residence_page() -> None:
    parsed = parse_portal_page(_page("portal_1.004194_cut.txt"), "1.004194")
    assert parsed.name == "Đăng ký tạm trú"
    assert parsed.area == "Cư trú"
    assert parsed.level == LEVEL_COMMUNE
    assert len(parsed.steps) == 5
    assert parsed.steps[1] == "Cá nhân nộp hồ sơ đến Công an cấp xã."
    assert [channel.kind for channel in parsed.channels] == [CHANNEL_IN_PERSON, CHANNEL_ONLINE]
    assert parsed.channels[0].description == "Nộp hồ sơ trực tiếp tại Công an cấp xã."
    assert "sáng thứ 7" in parsed.channels[0].reception_hours
    in_person = [(fee.kind, fee.amount_vnd) for fee in parsed.channels[0].fees]
    assert in_person == [(FEE_CHARGE, 10000), (FEE_CHARGE, 15000), (FEE_CHARGE, None)]
    assert parsed.channels[0].fees[2].exemption == "Miễn phí"
    assert [fee.amount_vnd for fee in parsed.channels[1].fees] == [5000, 7000, None]
    first, second = parsed.documents
    assert first.form_codes == ["CT01"]
    assert first.name.startswith("Tờ khai thay đổi thông tin cư trú (Mẫu CT01)")
    assert (first.originals, first.copies) == (1, 1)
    assert second.name.startswith("Giấy tờ, tài liệu chứng minh chỗ ở hợp pháp")
    assert (second.originals, second.copies) == (1, 0)


def test_a_page_without_time_limit_or_agency_says_so_instead_of_guessing() -> None:
    parsed = parse_portal_page(_page("portal_1.004194_cut.txt"), "1.004194")
    assert parsed.processing_time_text == ""
    assert parsed.processing_working_days is None
    assert any("thời hạn" in note for note in parsed.review_notes)
    assert parsed.needs_review


def test_identity_page_with_missing_levy_amount() -> None:
    parsed = parse_portal_page(_page("portal_2.001178.txt"), "2.001178")
    assert parsed.level == LEVEL_PROVINCE
    assert parsed.area == "Căn cước"
    assert parsed.agency == "Phòng cảnh sát quản lý hành chính về trật tự xã hội"
    assert [channel.kind for channel in parsed.channels] == [CHANNEL_IN_PERSON, CHANNEL_ONLINE, CHANNEL_POST]
    # "Lệ phí: Đồng" — a levy is listed but no amount: unknown, never 0.
    assert [(fee.kind, fee.amount_vnd, fee.exemption) for fee in parsed.fees] == [(FEE_LEVY, None, "")]
    assert parsed.processing_working_days == 7
    assert "03 ngày làm việc" in parsed.processing_time_text
    assert [document.form_codes for document in parsed.documents] == [["DC02"], []]
    assert parsed.documents[0].name.endswith(
        "(Mẫu DC02 ban hành kèm theo Thông tư số 17/2024/TT-BCA của Bộ Công an)"
    )
    assert any("số tiền" in note for note in parsed.review_notes)


def test_citations_are_structured_and_deduplicated() -> None:
    citations = parse_citations(
        "mẫu CT04 ban hành kèm theo Thông tư số 66/2023/TT- BCA; khoản 3 Điều 5 Nghị định 154/2024/NĐ-CP "
        "ngày 26/11/2024 của Chính phủ; Thông tư số 66/2023/TT-BCA; Thông tư số 31/2023/TT-BCA ngày "
        "20/7/2023 của Bộ Công an; Thông tư số 31/2023/TT-BCA ngày 20/7/2022 của Bộ Công an; "
        "khoản 2 Điều 20 Luật Cư trú"
    )
    by_number = {citation.number or citation.title: citation for citation in citations}
    assert list(by_number) == ["66/2023/TT-BCA", "154/2024/NĐ-CP", "31/2023/TT-BCA", "Luật Cư trú"]
    decree = by_number["154/2024/NĐ-CP"]
    assert (decree.doc_type, decree.issued_on, decree.issuer) == (
        "Nghị định",
        date(2024, 11, 26),
        "Chính phủ",
    )
    assert decree.articles == ["khoản 3 Điều 5"]
    assert by_number["66/2023/TT-BCA"].issuer == "Bộ Công an"
    # The portal prints two dates for one circular: keep the first and say they disagree.
    assert by_number["31/2023/TT-BCA"].issued_on == date(2023, 7, 20)
    assert "không thống nhất" in by_number["31/2023/TT-BCA"].note
    law = by_number["Luật Cư trú"]
    assert (law.number, law.articles) == ("", ["khoản 2 Điều 20"])


def test_empty_text_does_not_crash() -> None:
    parsed = parse_portal_page("", "1.000000")
    assert parsed.name == ""
    assert parsed.needs_review
