"""The speech normaliser: what espeak-ng is given to read."""

from __future__ import annotations

import pytest

from thanglong.voice.speech_text import normalise_for_speech, number_to_words, shorten_for_ear


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (0, "không"),
        (5, "năm"),
        (10, "mười"),
        (11, "mười một"),
        (14, "mười bốn"),
        (15, "mười lăm"),
        (21, "hai mươi mốt"),
        (24, "hai mươi tư"),
        (25, "hai mươi lăm"),
        (105, "một trăm linh năm"),
        (110, "một trăm mười"),
        (1_000, "một nghìn"),
        (2_024, "hai nghìn không trăm hai mươi tư"),
        (1_250_000, "một triệu hai trăm năm mươi nghìn"),
        (1_000_500, "một triệu năm trăm"),
        (1_050_000, "một triệu không trăm năm mươi nghìn"),
        (3_000_000_000, "ba tỷ"),
    ],
)
def test_cardinals(number: int, words: str) -> None:
    assert number_to_words(number) == words


@pytest.mark.parametrize(
    ("text", "spoken"),
    [
        ("1.250.000 đồng", "một triệu hai trăm năm mươi nghìn đồng"),
        ("Lệ phí 50.000đ", "Lệ phí năm mươi nghìn đồng"),
        ("15/5/2024", "ngày mười lăm tháng năm năm hai nghìn không trăm hai mươi tư"),
        ("từ ngày 3/4", "từ ngày mùng ba tháng tư"),
        ("tháng 5/2024", "tháng năm năm hai nghìn không trăm hai mươi tư"),
        ("lúc 14:30", "lúc mười bốn giờ ba mươi phút"),
        ("mở cửa 7h30", "mở cửa bảy giờ ba mươi phút"),
        ("7-10 ngày", "bảy đến mười ngày"),
        ("2,5%", "hai phẩy năm phần trăm"),
        ("số 0912 345 678", "số không chín một hai, ba bốn năm, sáu bảy tám"),
        ("+84912345678", "không chín một hai, ba bốn năm, sáu bảy tám"),
        ("CCCD 001203012345", "căn cước công dân không không một hai không ba không một hai ba bốn năm"),
        ("xe 29A-123.45", "xe hai chín a, một hai ba, bốn năm"),
        ("Mã PA-2026-000123", "Mã pê a, hai không hai sáu, không không không một hai ba"),
        ("UBND TP Hà Nội", "ủy ban nhân dân thành phố Hà Nội"),
        ("CAHN và CA phường", "công an Hà Nội và công an phường"),
        (
            "Điều 5 Nghị định 30/2020/NĐ-CP",
            "Điều năm Nghị định số ba mươi năm hai nghìn không trăm hai mươi của Chính phủ",
        ),
        (
            "Thông tư 66/2023/TT-BCA",
            "Thông tư số sáu mươi sáu năm hai nghìn không trăm hai mươi ba của Bộ Công an",
        ),
        ("gọi 113 ngay", "gọi một một ba ngay"),
    ],
)
def test_normalise(text: str, spoken: str) -> None:
    assert normalise_for_speech(text) == spoken


def test_urls_are_spoken_as_the_site_name() -> None:
    spoken = normalise_for_speech(
        "Nộp trực tuyến tại https://dichvucong.gov.vn/p/home/dvc-trang-chu.html nhé"
    )
    assert "http" not in spoken and "/" not in spoken
    assert "dichvucong chấm gov chấm vê nờ" in spoken


def test_english_keeps_numbers_for_the_english_voice() -> None:
    assert normalise_for_speech("Your code is PA-2026-000123", lang="en") == (
        "Your code is P A, two zero two six, zero zero zero one two three"
    )


def test_shorten_for_ear_keeps_the_first_sentences_and_says_more_is_left() -> None:
    answer = (
        "Để cấp lại thẻ căn cước, bạn cần:\n- Tờ khai CC01\n- Ảnh chân dung\n"
        "Nộp tại Công an phường. Lệ phí 70.000 đồng. Thời hạn 7 ngày làm việc. Xem https://dichvucong.gov.vn."
    )
    spoken, cut = shorten_for_ear(answer)
    # List items become sentences of their own; three sentences, the rest is behind key 9.
    assert spoken == "Để cấp lại thẻ căn cước, bạn cần: Tờ khai CC01. Ảnh chân dung. Nộp tại Công an phường."
    assert cut
    assert shorten_for_ear("Chào bạn.") == ("Chào bạn.", False)
