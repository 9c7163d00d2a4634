"""Administrative units after 1-7-2025 and the pre-2025 wards mapped onto them."""

from __future__ import annotations

import pytest

from thanglong.core.importers import import_divisions
from thanglong.core.models import LegacyWard, LegacyWardSuccessor, Province, Ward

pytestmark = pytest.mark.django_db


def test_counts_after_the_reform() -> None:
    assert Province.objects.count() == 34
    assert Ward.objects.count() == 3321
    assert Ward.objects.filter(province_id="01").count() == 126


def test_every_pre_2025_ward_has_a_successor() -> None:
    assert LegacyWard.objects.count() == 10040
    assert not LegacyWard.objects.filter(successor__isnull=True).exists()


def test_dich_vong_cau_giay_maps_to_2025_cau_giay_ward() -> None:
    old = LegacyWard.objects.get(name="Dịch Vọng", district_name="Cầu Giấy", province_code="01")
    assert old.successor is not None
    assert old.successor.full_name == "Phường Cầu Giấy"
    assert old.is_split
    successors = set(LegacyWardSuccessor.objects.filter(legacy_ward=old).values_list("ward__name", flat=True))
    assert "Cầu Giấy" in successors


def test_island_districts_map_to_special_zones() -> None:
    old = LegacyWard.objects.get(code="D755")
    assert old.successor is not None
    assert old.successor.name == "Côn Đảo"


def test_import_is_idempotent() -> None:
    counts = import_divisions()
    assert counts["provinces"] == 34
    assert counts["wards"] == 3321
    assert counts["legacy_wards"] == 10040
    assert LegacyWardSuccessor.objects.filter(is_default=True).count() == 10040
