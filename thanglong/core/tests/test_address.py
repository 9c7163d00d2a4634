"""The address normaliser: pure functions over the reference data, no database needed."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from thanglong.core.address import normalise_address
from thanglong.core.address.index import get_index
from thanglong.core.address.tokens import accent_key, clean, tokenize


def test_old_three_level_hanoi_address() -> None:
    result = normalise_address("số 1 Trần Thái Tông, phường Dịch Vọng, quận Cầu Giấy, Hà Nội")
    assert (result.legacy_province, result.legacy_district, result.legacy_ward) == (
        "Hà Nội",
        "Cầu Giấy",
        "Dịch Vọng",
    )
    assert result.province is not None and result.province.code == "01"
    assert result.ward is not None and (result.ward.code, result.ward.name) == ("00166", "Phường Cầu Giấy")
    assert result.street == "số 1 Trần Thái Tông"
    assert result.confidence > 0.9


def test_unaccented_address_with_city_abbreviation() -> None:
    result = normalise_address("12 hang bac, hoan kiem, hn")
    assert (result.legacy_district, result.legacy_ward) == ("Hoàn Kiếm", "Hàng Bạc")
    assert result.province is not None and result.province.code == "01"
    assert result.ward is not None and result.ward.name == "Phường Hoàn Kiếm"
    assert result.street == "12"


def test_abbreviated_unit_words() -> None:
    result = normalise_address("P. Dịch Vọng Hậu, Q. Cầu Giấy, TP HN")
    assert (result.legacy_province, result.legacy_district, result.legacy_ward) == (
        "Hà Nội",
        "Cầu Giấy",
        "Dịch Vọng Hậu",
    )
    assert result.ward is not None and result.ward.code == "00166"


def test_commune_named_like_its_district() -> None:
    """GIVEN "xã Đông Anh" (a 2025 commune) written with the old "huyện Đông Anh"
    THEN the old units are the town and district of Đông Anh, and the 2025 ward the one the address names."""
    result = normalise_address("xa Dong Anh huyen Dong Anh Ha Noi")
    assert (result.legacy_district, result.legacy_ward) == ("Đông Anh", "Đông Anh")
    assert result.ward is not None and result.ward.name == "Xã Đông Anh"


def test_new_two_level_address_resolves_the_2025_ward_directly() -> None:
    """GIVEN a 2025-form address (no district) THEN the ward is the 2025 ward of that name, not an old
    namesake elsewhere in the city (xã Hồng Hà of Đan Phượng)."""
    result = normalise_address("phường Hồng Hà, TP Hà Nội")
    assert result.province is not None and result.province.code == "01"
    assert result.ward is not None and result.ward.name == "Phường Hồng Hà"
    assert result.legacy_district is None


def test_numbered_ward_and_district_in_ho_chi_minh_city() -> None:
    result = normalise_address("357/28,Ng-T- Thuật,P1,Q3,TP.HồChíMinh.")
    assert (result.legacy_province, result.legacy_district, result.legacy_ward) == ("Hồ Chí Minh", "3", "1")
    assert result.province is not None and result.province.code == "79"
    assert result.ward is not None and result.ward.name == "Phường Bàn Cờ"
    assert result.street.startswith("357/28")


@pytest.mark.parametrize(
    ("text", "district", "ward"),
    [
        ("P1, Q3, TP.HCM", "3", "1"),
        ("290 Tùng Thiện- Vương,P.13, Quận 8, TP. Hồ Chí Minh.", "8", "13"),
        ("F.07, Q6,", "6", "7"),
    ],
)
def test_numbered_units_in_every_spelling(text: str, district: str, ward: str) -> None:
    result = normalise_address(text)
    assert (result.legacy_district, result.legacy_ward) == (district, ward)


def test_letters_spread_out_by_punctuation() -> None:
    assert clean("TT T,â,n B,ì,n,h Huyện Yên Sơn") == "TT Tân Bình Huyện Yên Sơn"
    result = normalise_address("TT T,â,n B,ì,n,h Huyện Yên Sơn, Tuyên Quang")
    assert (result.legacy_province, result.legacy_district) == ("Tuyên Quang", "Yên Sơn")


def test_glued_words_and_stray_digits_are_split() -> None:
    _, tokens = tokenize("XãChiềng Mu5ng, TP.HồChíMinh, Quỳn1 Lâm")
    assert [t.folded for t in tokens] == ["xa", "chieng", "mung", "tp", "ho", "chi", "minh", "quyn", "lam"]


def test_misspelt_district_without_province() -> None:
    result = normalise_address("Minh Tân,h.Lưng Tai,")
    assert result.legacy_district == "Lương Tài"
    assert result.legacy_province == "Bắc Ninh"  # inferred from the district


def test_ward_merged_before_2025_keeps_its_own_name() -> None:
    """GIVEN an address naming Sài Đồng (merged into Phúc Lợi before 2025) THEN the old ward is Sài Đồng
    and the 2025 ward is the one that took over Phúc Lợi."""
    result = normalise_address("Tổ 11 Sài Đồng, Long Biên, Hà Nội")
    assert (result.legacy_district, result.legacy_ward) == ("Long Biên", "Sài Đồng")
    assert result.ward is not None


def test_tone_placement_does_not_matter() -> None:
    assert accent_key("Thanh Hoá") == accent_key("Thanh Hóa")
    assert accent_key("Quý") != accent_key("Qúy")
    assert normalise_address("Thọ Xuân, Thanh Hoá").legacy_province == "Thanh Hóa"


@pytest.mark.parametrize("text", ["", "   ", "!!!", "lorem ipsum dolor", "12345", "\u0000\ufeff"])
def test_empty_or_garbage_input_resolves_nothing(text: str) -> None:
    result = normalise_address(text)
    assert result.province is None
    assert result.ward is None
    assert result.confidence == 0.0


def test_non_string_input_never_raises() -> None:
    assert normalise_address(None).confidence == 0.0  # type: ignore[arg-type]


def test_very_long_input_is_capped() -> None:
    text = "12 hang bac, hoan kiem, ha noi " + "xyz " * 50_000
    started = time.perf_counter()
    result = normalise_address(text)
    assert time.perf_counter() - started < 0.5
    assert result.legacy_ward == "Hàng Bạc"
    assert result.input == text


def test_result_serialises_for_the_api() -> None:
    payload = normalise_address("P. Dịch Vọng Hậu, Q. Cầu Giấy, TP HN").as_dict()
    assert json.loads(json.dumps(payload, ensure_ascii=False))["ward"]["code"] == "00166"
    assert all(isinstance(alternative, dict) for alternative in payload["alternatives"])


def test_index_is_built_once_across_threads() -> None:
    seen: list[int] = []
    threads = [threading.Thread(target=lambda: seen.append(id(get_index()))) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 1


def test_command_prints_json(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("normalise_address", "12 hang bac, hoan kiem, hn", "--json")
    assert json.loads(capsys.readouterr().out)["legacy_ward"] == "Hàng Bạc"


def test_command_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("normalise_address", "phường", "Hồng", "Hà,", "Hà", "Nội")
    assert "Phường Hồng Hà" in capsys.readouterr().out


@pytest.mark.shared_data
def test_province_accuracy_on_noisy_public_addresses(shared_data: Path) -> None:
    path = shared_data / "addresses-noisy" / "public.json"
    if not path.is_file():
        pytest.skip(f"{path} not found")
    rows = [row for row in json.loads(path.read_text(encoding="utf-8")) if row["result"]["province"]]
    correct = sum(
        accent_key(normalise_address(row["text"]).legacy_province or "")
        == accent_key(row["result"]["province"])
        for row in rows
    )
    assert correct / len(rows) >= 0.95
