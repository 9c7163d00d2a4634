"""Read the administrative-division reference data from its sources, without touching the database.

Sources (see README, "Reference data"):

* 2025 units (34 provinces, 3,321 wards): ``$THANGLONG_DATA_DIR/admin-units-2025`` when present
  (thanglequoc/vietnamese-provinces-database, MIT, generated 2026-07 and therefore the most current:
  it already has e.g. "Thành phố Đồng Nai"); otherwise the same data as shipped in the
  ``vietnamadminunits`` package (MIT, 2025-08).
* pre-2025 units (63 provinces, 696 districts, 10,040 wards) and the old→new ward mapping:
  ``vietnamadminunits`` (dataset.db and converter_2025.json).

Both the database importer and the address normaliser read through here, so they agree on codes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from django.conf import settings

SHARED_FILE = "admin-units-2025/full_json_generated_data_vn_units.json"


@dataclass(frozen=True)
class ProvinceRecord:
    code: str
    name: str
    full_name: str
    name_en: str
    kind: str
    code_name: str


@dataclass(frozen=True)
class WardRecord:
    code: str
    province_code: str
    name: str
    full_name: str
    name_en: str
    kind: str
    code_name: str


@dataclass(frozen=True)
class LegacyWardRecord:
    code: str
    province_code: str
    province_name: str
    province_full_name: str
    district_code: str
    district_name: str
    district_kind: str
    name: str
    kind: str
    # 2025 ward codes that took over this ward's territory; the default (largest share) first.
    successor_codes: tuple[str, ...] = field(default=())
    is_split: bool = False


@dataclass(frozen=True)
class DivisionsDataset:
    source: str
    provinces: tuple[ProvinceRecord, ...]
    wards: tuple[WardRecord, ...]
    legacy_wards: tuple[LegacyWardRecord, ...]
    # pre-2025 province full name ("Tỉnh Hà Tây" is not there: it merged in 2008) → 2025 province code
    legacy_province_successor: dict[str, str]


def _package_db() -> sqlite3.Connection:
    path = resources.files("vietnamadminunits") / "data" / "dataset.db"
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _package_converter() -> dict[str, dict]:
    path = resources.files("vietnamadminunits") / "data" / "converter_2025.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _shared_path(data_dir: Path | None) -> Path | None:
    if data_dir is None:
        return None
    candidate = data_dir / SHARED_FILE
    return candidate if candidate.is_file() else None


def _strip_kind(full_name: str, kind: str) -> str:
    return full_name[len(kind) :].strip() if full_name.startswith(kind) else full_name


def _read_shared(path: Path) -> tuple[list[ProvinceRecord], list[WardRecord]]:
    provinces: list[ProvinceRecord] = []
    wards: list[WardRecord] = []
    for item in json.loads(path.read_text(encoding="utf-8")):
        provinces.append(
            ProvinceRecord(
                code=item["Code"],
                name=item["Name"],
                full_name=item["FullName"],
                name_en=item.get("FullNameEn") or item.get("NameEn", ""),
                kind=item["AdministrativeUnitShortName"],
                code_name=item.get("CodeName", ""),
            )
        )
        for ward in item["Wards"]:
            wards.append(
                WardRecord(
                    code=ward["Code"],
                    province_code=item["Code"],
                    name=ward["Name"],
                    full_name=ward["FullName"],
                    name_en=ward.get("FullNameEn") or ward.get("NameEn", ""),
                    kind=ward["AdministrativeUnitShortName"],
                    code_name=ward.get("CodeName", ""),
                )
            )
    return provinces, wards


def _read_package_current(db: sqlite3.Connection) -> tuple[list[ProvinceRecord], list[WardRecord]]:
    provinces: dict[str, ProvinceRecord] = {}
    wards: list[WardRecord] = []
    rows = db.execute(
        "select provinceCode, province, provinceShort, wardCode, ward, wardShort, wardType from admin_units"
    )
    for p_code, p_full, p_short, w_code, w_full, w_short, w_type in rows:
        kind = p_full[: len(p_full) - len(p_short)].strip()
        provinces.setdefault(p_code, ProvinceRecord(p_code, p_short, p_full, "", kind, ""))
        wards.append(WardRecord(w_code, p_code, w_short, w_full, "", w_type, ""))
    return sorted(provinces.values(), key=lambda p: p.code), wards


def _legacy_successors(
    db: sqlite3.Connection, current_codes: set[str], current_names: dict[tuple[str, str], str]
) -> dict[str, tuple[tuple[str, ...], bool]]:
    """old 'province_district_ward' key → (2025 ward codes, default first; is_split)."""
    key_to_code: dict[tuple[str, str], str] = {}
    for p_code, p_key, w_key, w_code, w_short in db.execute(
        "select provinceCode, provinceKey, wardKey, wardCode, wardShort from admin_units"
    ):
        # The rare ward recoded since the package was built is matched by name instead.
        code = w_code if w_code in current_codes else current_names.get((p_code, w_short), w_code)
        key_to_code[(p_key, w_key)] = code
    converter = _package_converter()
    result: dict[str, tuple[tuple[str, ...], bool]] = {}
    for new_province_key, wards in converter["DICT_PROVINCE_WARD_NO_DIVIDED"].items():
        for new_ward_key, old_keys in wards.items():
            code = key_to_code.get((new_province_key, new_ward_key))
            if code:
                for old_key in old_keys:
                    result.setdefault(old_key, ((code,), False))
    for new_province_key, old_map in converter["DICT_PROVINCE_WARD_DIVIDED"].items():
        for old_key, targets in old_map.items():
            ordered = sorted(targets, key=lambda t: not t["isDefaultNewWard"])
            codes = tuple(
                c for t in ordered if (c := key_to_code.get((new_province_key, t["newWardKey"]))) is not None
            )
            if codes:
                result[old_key] = (codes, True)
    return result


def _read_legacy(
    db: sqlite3.Connection, successors: dict[str, tuple[tuple[str, ...], bool]]
) -> Iterator[LegacyWardRecord]:
    rows = db.execute(
        "select wardCode, provinceCode, provinceShort, province, districtCode, districtShort, districtType,"
        " wardShort, wardType, provinceKey, districtKey, wardKey from admin_units_legacy"
    )
    for (
        w_code,
        p_code,
        p_short,
        p_full,
        d_code,
        d_short,
        d_type,
        w_short,
        w_type,
        p_key,
        d_key,
        w_key,
    ) in rows:
        codes, split = successors.get(f"{p_key}_{d_key}_{w_key or ''}", ((), False))
        if w_code is None:
            # Island districts had no wards; they are now special zones (đặc khu) of the same name.
            w_code, w_short, w_type = f"D{d_code}", d_short, d_type
        yield LegacyWardRecord(
            code=w_code,
            province_code=p_code,
            province_name=p_short,
            province_full_name=p_full,
            district_code=d_code,
            district_name=d_short,
            district_kind=d_type,
            name=w_short,
            kind=w_type,
            successor_codes=codes,
            is_split=split,
        )


@cache
def load_dataset(data_dir: Path | None = None) -> DivisionsDataset:
    """The whole reference dataset. ``data_dir`` defaults to ``settings.DATA_DIR``."""
    data_dir = data_dir if data_dir is not None else Path(settings.DATA_DIR)
    shared = _shared_path(data_dir)
    db = _package_db()
    try:
        if shared is not None:
            provinces, wards = _read_shared(shared)
            source = f"{shared} + vietnamadminunits (pre-2025 units and mapping)"
        else:
            provinces, wards = _read_package_current(db)
            source = "vietnamadminunits package (2025 units, pre-2025 units and mapping)"
        current_codes = {w.code for w in wards}
        current_names = {(w.province_code, w.name): w.code for w in wards}
        successors = _legacy_successors(db, current_codes, current_names)
        legacy = tuple(_read_legacy(db, successors))
        province_successor: dict[str, str] = {}
        legacy_to_new_province = _package_converter()["DICT_PROVINCE"]
        key_to_full = dict(
            db.execute("select distinct provinceKey, province from admin_units_legacy").fetchall()
        )
        new_key_to_code = dict(
            db.execute("select distinct provinceKey, provinceCode from admin_units").fetchall()
        )
        for new_key, old_keys in legacy_to_new_province.items():
            for old_key in old_keys:
                if old_key in key_to_full and new_key in new_key_to_code:
                    province_successor[key_to_full[old_key]] = new_key_to_code[new_key]
    finally:
        db.close()
    return DivisionsDataset(
        source=source,
        provinces=tuple(provinces),
        wards=tuple(wards),
        legacy_wards=legacy,
        legacy_province_successor=province_successor,
    )
