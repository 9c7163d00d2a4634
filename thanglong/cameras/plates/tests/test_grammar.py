import pytest

from thanglong.cameras.plates.grammar import fold_plate, normalise_plate, parse_plate, repair


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("30A-123.45", "30A-123.45"),
        ("30a 12345", "30A-123.45"),
        ("30A-1234", "30A-1234"),
        ("51F 123.45", "51F-123.45"),
        ("51G1-123.45", "51G1-123.45"),
        ("29-B1 234.56", "29B1-234.56"),
        ("29-B1 2345", "29B1-2345"),
        ("29AA-123.45", "29AA-123.45"),
        ("29LD-123.45", "29LD-123.45"),
        ("59-MĐ1 123.45", "59MD1-123.45"),
        ("80NG-123-45", "80NG-123-45"),
        ("80 QT 123 45", "80QT-123-45"),
        ("TM-12-34", "TM-12-34"),
        ("KA1234", "KA-12-34"),
        ("40A-999.99", "40A-999.99"),
        ("41B-000.01", "41B-000.01"),
        ("51R-141.39", "51R-141.39"),
    ],
)
def test_valid_plates_normalise(text: str, canonical: str) -> None:
    assert normalise_plate(text) == canonical


@pytest.mark.parametrize(
    "text",
    [
        "13A-123.45",  # 13 was never issued
        "42A-123.45",
        "96A-123.45",
        "10A-123.45",  # below 11
        "30O-123.45",  # O is not a series letter
        "30I-123.45",
        "30W-123.45",
        "30A-123",  # too short
        "30A-1234567",
        "3OA-123.45",  # letter in the province code
        "30-123.45",  # no series
        "30AB1-123.45",  # 3-character series other than MĐ
        "ZG-123-AB",  # Croatian
        "",
        "hello",
        "30AB-12",
    ],
)
def test_impossible_plates_rejected(text: str) -> None:
    assert normalise_plate(text) == ""
    assert parse_plate(text) is None


def test_fold_and_parse_details() -> None:
    assert fold_plate("29-MĐ1 123.45") == "29MD112345"
    info = parse_plate("30A-123.45")
    assert info is not None
    assert (info.province_code, info.province, info.series, info.number) == (30, "Hà Nội", "A", "12345")
    assert info.vehicle == "car"
    moto = parse_plate("59-T1 922.70")
    assert moto is not None and moto.vehicle == "motorbike" and moto.province == "TP. Hồ Chí Minh"
    assert parse_plate("80NG-123-45").category == "diplomatic"  # type: ignore[union-attr]
    assert parse_plate("80NN-123-45").category == "foreign"  # type: ignore[union-attr]
    assert parse_plate("TM-12-34").category == "military"  # type: ignore[union-attr]
    assert parse_plate("51LD-123.45").category == "business"  # type: ignore[union-attr]


def test_ambiguous_split_uses_separator_then_rows() -> None:
    # 29B12345: car 29B-123.45 or old motorbike 29B1-2345.
    assert normalise_plate("29B12345") == "29B-123.45"
    assert normalise_plate("29B12345", rows=2) == "29B1-2345"
    assert normalise_plate("29-B1 2345") == "29B1-2345"
    assert normalise_plate("29B-123.45", rows=2) == "29B-123.45"


def _cands(text: str, alternatives: dict[int, list[tuple[str, float]]] | None = None) -> list:
    alternatives = alternatives or {}
    return [alternatives.get(i, [(c, 0.95)]) for i, c in enumerate(text)]


def test_repair_letter_digit_confusions() -> None:
    # '8' read where the series letter goes: B is the only valid choice.
    assert repair(_cands("30812345"))[0] == "30B-123.45"
    # '0' in the series → D; 'S' in the number → 5; 'Z' in the province → 2.
    assert repair(_cands("300123S5"))[0] == "30D-123.55"
    assert repair(_cands("Z9A12345"))[0] == "29A-123.45"
    # 'I' among the digits → 1, 'O' → 0.
    assert repair(_cands("51FI23O5"))[0] == "51F-123.05"


def test_repair_prefers_the_recognisers_alternative() -> None:
    # The recogniser itself offered G (0.3) beside 6 (0.6): G is used before a blind confusion.
    candidates = _cands("51612345", {2: [("6", 0.6), ("G", 0.3)]})
    text, prob = repair(candidates)
    assert text == "51G-123.45"
    assert 0 < prob < 1


def test_repair_gives_up_on_nonsense() -> None:
    assert repair(_cands("XXXXXXXX")) == ("", 0.0)
    assert repair([]) == ("", 0.0)
