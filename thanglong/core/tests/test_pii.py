from thanglong.core.pii import mask_id_number, mask_phone, mask_plate


def test_mask_id_number_keeps_province_prefix_and_last_two() -> None:
    assert mask_id_number("001203004567") == "001*******67"
    assert mask_id_number("123") == "***"


def test_mask_phone() -> None:
    assert mask_phone("0912 345 678") == "091****678"
    assert mask_phone("+84 912 345 678") == "849*****678"
    assert mask_phone("") == ""


def test_mask_plate() -> None:
    assert mask_plate("30A-123.45") == "30A-***.45"
    assert mask_plate("29H1-234.56") == "29H1-***.56"
    assert mask_plate("??") == "**"
