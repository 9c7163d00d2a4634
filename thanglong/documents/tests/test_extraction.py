"""Fields of Decree 30 documents read from OCR text: plain line order and with column positions."""

from __future__ import annotations

import pytest

from thanglong.documents.extraction import Segment, extract, segments_from_text

DECISION = """\
MẬT
CÔNG AN THÀNH PHỐ HÀ NỘI CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
CÔNG AN PHƯỜNG CẦU GIẤY Độc lập - Tự do - Hạnh phúc
Số: 123/QĐ-CAP Hà Nội, ngày 15 tháng 5 năm 2024
QUYẾT ĐỊNH
Về việc thành lập Tổ công tác bảo đảm trật tự đô thị
Căn cứ Luật Công an nhân dân ngày 20 tháng 11 năm 2018;
Điều 1. Thành lập Tổ công tác.
Nơi nhận: TRƯỞNG CÔNG AN PHƯỜNG
- Như Điều 2;
- Lưu: VT.
Nguyễn Văn Hùng
"""

OFFICIAL_LETTER = """\
HỎA TỐC
ỦY BAN NHÂN DÂN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
THÀNH PHỐ HÀ NỘI Độc lập - Tự do - Hạnh phúc
Số: 4521/UBND-KT Hà Nội, ngày 03 tháng 10 năm 2025
V/v triển khai phương án phòng, chống
ngập úng mùa mưa bão năm 2025
Kính gửi: Ủy ban nhân dân các phường, xã.
Thực hiện chỉ đạo của Thủ tướng Chính phủ, UBND Thành phố yêu cầu:
Nơi nhận: KT. CHỦ TỊCH
- Như trên; PHÓ CHỦ TỊCH
- Lưu: VT, KT.
Trần Sỹ Thanh
"""

CIRCULAR = """\
BỘ CÔNG AN CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
Độc lập - Tự do - Hạnh phúc
Số: 45/2024/TT-BCA Hà Nội, ngày 01 tháng 7 năm 2024
THÔNG TƯ
Quy định quy trình tuần tra, kiểm soát giao thông đường bộ
Căn cứ Luật Trật tự, an toàn giao thông đường bộ ngày 27 tháng 6 năm 2024;
"""


def test_a_decision_yields_every_field() -> None:
    fields = extract(segments_from_text(DECISION))
    assert fields.number == "123/QĐ-CAP"
    assert fields.issued_on == "2024-05-15"
    assert fields.place == "Hà Nội"
    assert fields.doc_type == "Quyết định"
    assert fields.agency == "CÔNG AN PHƯỜNG CẦU GIẤY"
    assert fields.parent_agency == "CÔNG AN THÀNH PHỐ HÀ NỘI"
    assert fields.summary == "Về việc thành lập Tổ công tác bảo đảm trật tự đô thị"
    assert fields.security == "mat"
    assert fields.urgency == ""
    assert fields.signer == "Nguyễn Văn Hùng"
    assert fields.signer_title == "TRƯỞNG CÔNG AN PHƯỜNG"
    assert fields.recipients == ["Như Điều 2;", "Lưu: VT."]


def test_an_official_letter_is_recognised_by_its_symbol_and_its_vv_line() -> None:
    fields = extract(segments_from_text(OFFICIAL_LETTER))
    assert fields.doc_type == "Công văn"
    assert fields.number == "4521/UBND-KT"
    assert fields.issued_on == "2025-10-03"
    assert fields.urgency == "hoa_toc"
    assert fields.security == ""
    assert fields.agency == "THÀNH PHỐ HÀ NỘI"
    assert fields.parent_agency == "ỦY BAN NHÂN DÂN"
    assert fields.summary.startswith("V/v triển khai phương án phòng, chống ngập úng")


def test_a_legal_document_number_carries_its_year() -> None:
    fields = extract(segments_from_text(CIRCULAR))
    assert fields.number == "45/2024/TT-BCA"
    assert fields.doc_type == "Thông tư"
    assert fields.agency == "BỘ CÔNG AN"
    assert fields.issued_on == "2024-07-01"  # the letterhead date, not the law cited in the body


@pytest.mark.parametrize(
    ("stamp", "expected"), [("TỐI MẬT", "toi_mat"), ("TUYỆT MẬT", "tuyet_mat"), ("| MẬT |", "mat")]
)
def test_security_markings(stamp: str, expected: str) -> None:
    assert extract(segments_from_text(stamp + "\n" + CIRCULAR)).security == expected


def test_body_text_mentioning_secrets_is_not_a_marking() -> None:
    text = CIRCULAR + "Tài liệu này không chứa bí mật nhà nước.\nMẬT KHẨU được đổi hằng tháng.\n"
    assert extract(segments_from_text(text)).security == ""


def test_ocr_tone_mark_errors_and_eth_for_d_are_tolerated() -> None:
    text = (
        "CÔNG AN QUẬN ĐỐNG ĐA\nSố: 77/QÐ-CAQ Hà Nội, ngầy 2 thảng 9 nãm 2023\n"
        "QUYÊT ĐINH\nVề việc khen thưởng\n"
    )
    fields = extract(segments_from_text(text))
    assert fields.number == "77/QĐ-CAQ"
    assert fields.issued_on == "2023-09-02"
    assert fields.doc_type == "Quyết định"


def test_positions_separate_the_two_header_columns() -> None:
    """GIVEN a header row Tesseract did not split
    WHEN word boxes put its parts left and right of the middle
    THEN the agency and the motto are kept apart."""
    segments = [
        Segment("CÔNG AN THÀNH PHỐ HÀ NỘI", 280, 700, 160),
        Segment("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", 900, 1580, 160),
        Segment("PHÒNG CẢNH SÁT HÌNH SỰ", 300, 690, 210),
        Segment("Độc lập - Tự do - Hạnh phúc", 950, 1450, 210),
        Segment("Số: 88/BC-PC02", 400, 680, 290),
        Segment("Hà Nội, ngày 30 tháng 12 năm 2024", 920, 1500, 290),
        Segment("BÁO CÁO", 760, 900, 380),
        Segment("Kết quả công tác năm 2024", 600, 1100, 430),
        Segment("Nơi nhận:", 230, 410, 2000),
        Segment("TRƯỞNG PHÒNG", 1000, 1300, 2000),
        Segment("- Giám đốc CATP;", 230, 600, 2040),
        Segment("Đại tá Lê Minh Tuấn", 1000, 1380, 2250),
    ]
    fields = extract(segments, page_width=1654)
    assert fields.agency == "PHÒNG CẢNH SÁT HÌNH SỰ"
    assert fields.doc_type == "Báo cáo"
    assert fields.summary == "Kết quả công tác năm 2024"
    assert fields.signer == "Đại tá Lê Minh Tuấn"
    assert fields.recipients == ["Giám đốc CATP;"]


def test_empty_text_gives_empty_fields() -> None:
    assert extract([]).number == ""
