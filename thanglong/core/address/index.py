"""In-memory lookup tables over the administrative units, built once per process from the reference data."""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from thanglong.core.address.tokens import accent_key, fold_key
from thanglong.core.divisions_data import DivisionsDataset, load_dataset
from thanglong.core.text import fold

PROVINCE_LEVEL, DISTRICT_LEVEL, WARD_LEVEL, NEW_WARD_LEVEL = 0, 1, 2, 3

# Pre-2025 names as people (and older records) write them, where the reference data already uses the 2025 one.
LEGACY_PROVINCE_NAMES = {"Huế": "Thừa Thiên Huế"}

# Folded, space-free spellings seen in real addresses besides the official name.
PROVINCE_ALIASES: dict[str, tuple[str, ...]] = {
    "Hồ Chí Minh": ("hcm", "tphcm", "hcmc", "saigon", "sg", "hochiminhcity", "tphochiminh"),
    "Hà Nội": ("hn", "tphn", "hanoicity"),
    "Bà Rịa - Vũng Tàu": ("brvt", "bariavt"),
    "Thừa Thiên Huế": ("hue", "tth", "tthue", "thuathien"),
    "Đắk Lắk": ("daklak", "daclac", "daklac", "daclak"),
    "Đắk Nông": ("daknong", "dacnong"),
    "Bắc Kạn": ("baccan",),
    "Hải Phòng": ("hp",),
    "Đà Nẵng": ("dng",),
}
_NUMBERED = re.compile(r"^(Phường|Quận)\s+0*(\d+)$")
_DISAMBIGUATION = re.compile(r"\s*\([^)]*\)$")  # "Cai Lậy (Huyện)" next to "Cai Lậy (Thị xã)"
_NUMBERED_KEYWORD = re.compile(r"^(phuong|ward|quan|district|p|f|q)0*(\d+)$")
_KIND_WORDS = (
    "thanhpho",
    "thitran",
    "thixa",
    "phuong",
    "huyen",
    "quan",
    "ward",
    "xa",
    "tt",
    "tx",
    "tp",
    "sa",
)
_WARD_NUMBER_PREFIXES = ("phuong", "p", "f", "ph")
_DISTRICT_NUMBER_PREFIXES = ("quan", "q")


@dataclass(slots=True)
class LegacyProvince:
    name: str  # "Hồ Chí Minh", "Thừa Thiên Huế"
    full_name: str
    kind: str  # "Tỉnh" or "Thành phố"
    code: str
    new_code: str | None  # the 2025 province it merged into
    accented: str
    districts: list[int] = field(default_factory=list)


@dataclass(slots=True)
class LegacyDistrict:
    code: str
    name: str  # "Cầu Giấy"; "1" for Quận 1
    kind: str
    province: int
    accented: str
    wards: list[int] = field(default_factory=list)


@dataclass(slots=True)
class LegacyWard:
    name: str  # "Dịch Vọng"; "3" for Phường 3
    kind: str
    district: int
    code: str
    successors: tuple[str, ...]
    accented: str


@dataclass(slots=True)
class NewWard:
    code: str
    full_name: str
    kind: str
    province_code: str
    accented: str
    folded: str


@dataclass(frozen=True, slots=True)
class Entry:
    level: int
    index: int
    quality: float  # 1 for the name itself, less for a loose alias
    hinted: bool  # the key itself carries the unit's kind ("p3", "quan1")
    former: bool = False  # a name the unit had before a merger ("Sài Đồng", now part of Phúc Lợi)


@dataclass
class Choices:
    """Keys and unit indexes for fuzzy matching within one parent unit."""

    keys: list[str] = field(default_factory=list)
    indexes: list[int] = field(default_factory=list)
    former: list[bool] = field(default_factory=list)

    def add(self, key: str, index: int, former: bool = False) -> None:
        self.keys.append(key)
        self.indexes.append(index)
        self.former.append(former)


@dataclass
class AddressIndex:
    source: str
    provinces: list[LegacyProvince]
    districts: list[LegacyDistrict]
    wards: list[LegacyWard]
    new_wards: list[NewWard]
    new_province_names: dict[str, str]  # 2025 code → "Thành phố Hà Nội"
    new_ward_by_code: dict[str, int]
    keys: dict[str, list[Entry]]
    province_choices: Choices
    district_choices: dict[int, Choices]  # per legacy province
    all_district_choices: Choices
    ward_choices: dict[int, Choices]  # per legacy district
    province_ward_choices: dict[int, Choices]  # per legacy province, for addresses without a district
    new_ward_choices: dict[str, Choices]  # per 2025 province code
    district_initials: dict[tuple[int, str], list[int]]  # (province, "tb") → districts
    vocabulary: frozenset[str]
    # folded key → the accented spellings units bear, the usual first ("conghoa" → ["Cộng Hòa", …])
    spellings: dict[str, list[str]]


def _initials(name: str) -> str:
    return "".join(word[0] for word in fold(name).split())


def build_index(dataset: DivisionsDataset) -> AddressIndex:
    keys: dict[str, list[Entry]] = defaultdict(list)
    vocabulary: set[str] = set()

    def add_key(key: str, entry: Entry) -> None:
        if key and entry not in keys[key]:
            keys[key].append(entry)

    provinces: list[LegacyProvince] = []
    districts: list[LegacyDistrict] = []
    wards: list[LegacyWard] = []
    province_by_code: dict[str, int] = {}
    district_by_code: dict[str, int] = {}
    province_choices = Choices()
    district_choices: dict[int, Choices] = defaultdict(Choices)
    all_district_choices = Choices()
    ward_choices: dict[int, Choices] = defaultdict(Choices)
    district_initials: dict[tuple[int, str], list[int]] = defaultdict(list)

    for record in dataset.legacy_wards:
        if record.province_code not in province_by_code:
            name = LEGACY_PROVINCE_NAMES.get(record.province_name, record.province_name)
            province_by_code[record.province_code] = len(provinces)
            provinces.append(
                LegacyProvince(
                    name=name,
                    full_name=record.province_full_name,
                    kind="Thành phố" if record.province_full_name.startswith("Thành phố") else "Tỉnh",
                    code=record.province_code,
                    new_code=dataset.legacy_province_successor.get(record.province_full_name),
                    accented=accent_key(name),
                )
            )
        province_index = province_by_code[record.province_code]
        if record.district_code not in district_by_code:
            name = _DISAMBIGUATION.sub("", record.district_name)
            numbered = _NUMBERED.match(name)
            name = numbered.group(2) if numbered else name
            district_by_code[record.district_code] = len(districts)
            districts.append(
                LegacyDistrict(
                    code=record.district_code,
                    name=name,
                    kind=record.district_kind,
                    province=province_index,
                    accented=accent_key(name),
                )
            )
            provinces[province_index].districts.append(len(districts) - 1)
        district_index = district_by_code[record.district_code]
        name = _DISAMBIGUATION.sub("", record.name)
        numbered = _NUMBERED.match(name)
        name = numbered.group(2) if numbered else name
        wards.append(
            LegacyWard(
                name=name,
                kind=record.kind,
                district=district_index,
                code=record.code,
                successors=record.successor_codes,
                accented=accent_key(name),
            )
        )
        districts[district_index].wards.append(len(wards) - 1)

    for index, province in enumerate(provinces):
        entry = Entry(PROVINCE_LEVEL, index, 1.0, False)
        names = {
            province.name,
            province.full_name,
            *(n for n, v in LEGACY_PROVINCE_NAMES.items() if v == province.name),
        }
        for name in names:
            add_key(fold_key(name), entry)
            province_choices.add(fold_key(name), index)
            vocabulary.update(fold(name).split())
        for alias in PROVINCE_ALIASES.get(province.name, ()):
            add_key(alias, Entry(PROVINCE_LEVEL, index, 0.9, False))
            if len(alias) >= 5:
                province_choices.add(alias, index)
    # "T.Giang", "Q.Nam": first initial + the rest (two-word names); "BRVT"-style initials (longer ones).
    abbreviations: dict[str, list[int]] = defaultdict(list)
    for index, province in enumerate(provinces):
        words = fold(province.name).split()
        if len(words) == 2:
            abbreviations[words[0][0] + words[1]].append(index)
        if len(words) >= 3:
            abbreviations[_initials(province.name)].append(index)
    for key, owners in abbreviations.items():
        if len(key) >= 4 and key not in keys:
            for index in owners:
                add_key(key, Entry(PROVINCE_LEVEL, index, 0.8 if len(owners) == 1 else 0.6, False))

    for index, district in enumerate(districts):
        if district.name.isdigit():
            for prefix in _DISTRICT_NUMBER_PREFIXES:
                add_key(prefix + district.name, Entry(DISTRICT_LEVEL, index, 1.0, True))
            continue
        key = fold_key(district.name)
        add_key(key, Entry(DISTRICT_LEVEL, index, 1.0, False))
        district_choices[district.province].add(key, index)
        all_district_choices.add(key, index)
        vocabulary.update(fold(district.name).split())
        initials = _initials(district.name)
        if len(initials) >= 2:
            district_initials[(district.province, initials)].append(index)

    for index, ward in enumerate(wards):
        if ward.name.isdigit():
            for prefix in _WARD_NUMBER_PREFIXES:
                add_key(prefix + ward.name, Entry(WARD_LEVEL, index, 1.0, True))
            continue
        key = fold_key(ward.name)
        add_key(key, Entry(WARD_LEVEL, index, 1.0, False))
        ward_choices[ward.district].add(key, index)
        vocabulary.update(fold(ward.name).split())

    province_ward_choices: dict[int, Choices] = defaultdict(Choices)
    for ward_index, ward in enumerate(wards):
        if not ward.name.isdigit():
            province_ward_choices[districts[ward.district].province].add(fold_key(ward.name), ward_index)
    for level, unit, key, hinted, former in _package_keywords_for(districts, wards):
        add_key(key, Entry(level, unit, 0.9 if former else 0.95, hinted, former))
        if hinted:
            continue
        if level == DISTRICT_LEVEL:
            district_choices[districts[unit].province].add(key, unit, former)
        else:
            ward_choices[wards[unit].district].add(key, unit, former)
            province_ward_choices[districts[wards[unit].district].province].add(key, unit, former)

    new_wards: list[NewWard] = []
    new_ward_choices: dict[str, Choices] = defaultdict(Choices)
    for new_record in dataset.wards:
        index = len(new_wards)
        new_wards.append(
            NewWard(
                code=new_record.code,
                full_name=new_record.full_name,
                kind=new_record.kind,
                province_code=new_record.province_code,
                accented=accent_key(new_record.name),
                folded=fold_key(new_record.name),
            )
        )
        key = fold_key(new_record.name)
        add_key(key, Entry(NEW_WARD_LEVEL, index, 1.0, False))
        new_ward_choices[new_record.province_code].add(key, index)
        vocabulary.update(fold(new_record.name).split())

    return AddressIndex(
        source=dataset.source,
        provinces=provinces,
        districts=districts,
        wards=wards,
        new_wards=new_wards,
        new_province_names={p.code: p.full_name for p in dataset.provinces},
        new_ward_by_code={ward.code: index for index, ward in enumerate(new_wards)},
        keys=dict(keys),
        province_choices=province_choices,
        district_choices=dict(district_choices),
        all_district_choices=all_district_choices,
        ward_choices=dict(ward_choices),
        province_ward_choices=dict(province_ward_choices),
        new_ward_choices=dict(new_ward_choices),
        district_initials=dict(district_initials),
        vocabulary=frozenset(vocabulary),
        spellings=_spellings(
            [*(d.name for d in districts), *(w.name for w in wards), *(r.name for r in dataset.wards)]
        ),
    )


def _spellings(names: list[str]) -> dict[str, list[str]]:
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for name in names:
        counts[fold_key(name)][name] += 1
    return {key: sorted(variants, key=lambda n: -variants[n]) for key, variants in counts.items()}


def _package_keywords() -> dict[str, Any]:
    path = resources.files("vietnamadminunits") / "data" / "parser_legacy.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _alternative_keys(keywords: list[str], own_key: str) -> list[tuple[str, bool, bool]]:
    """(key, hinted, former) for each other spelling or former name in the package's keyword list."""
    found: list[tuple[str, bool, bool]] = []
    listed = set(keywords)
    for keyword in keywords:
        numbered = _NUMBERED_KEYWORD.match(keyword)
        if numbered:
            kind, number = numbered.groups()
            prefixes = ("quan", "q") if kind in {"quan", "district", "q"} else ("phuong", "p", "f", "ph")
            found.extend((prefix + number, True, number != own_key) for prefix in prefixes)
            continue
        if any(keyword.startswith(word) and keyword[len(word) :] in listed for word in _KIND_WORDS):
            continue  # "xabongkhe" next to "bongkhe": the kind word is read as a hint instead
        if keyword != own_key:
            found.append((keyword, False, keyword.replace("y", "i") != own_key.replace("y", "i")))
    return found


def _package_keywords_for(
    districts: list[LegacyDistrict], wards: list[LegacyWard]
) -> list[tuple[int, int, str, bool, bool]]:
    """(level, unit, key, hinted, former): other spellings and pre-merger names known to vietnamadminunits."""
    data = _package_keywords()
    district_by_code = {district.code: index for index, district in enumerate(districts)}
    ward_by_code = {ward.code: index for index, ward in enumerate(wards)}
    found: list[tuple[int, int, str, bool, bool]] = []
    for province_districts in data["DICT_PROVINCE_DISTRICT"].values():
        for item in province_districts.values():
            index = district_by_code.get(item["districtCode"])
            if index is not None:
                own = fold_key(districts[index].name)
                for key, hinted, former in _alternative_keys(item["districtKeywords"], own):
                    found.append((DISTRICT_LEVEL, index, key, hinted, former))
    for province_wards in data["DICT_PROVINCE_DISTRICT_WARD_NO_ACCENTED"].values():
        for district_wards in province_wards.values():
            for item in district_wards.values():
                index = ward_by_code.get(item["wardCode"])
                if index is not None:
                    own = fold_key(wards[index].name)
                    for key, hinted, former in _alternative_keys(item["wardKeywords"], own):
                        found.append((WARD_LEVEL, index, key, hinted, former))
    return found


_lock = threading.Lock()
_index: AddressIndex | None = None


def get_index() -> AddressIndex:
    """The process-wide index; the first caller builds it (about a second), the others wait for it."""
    global _index
    if _index is None:
        with _lock:
            if _index is None:
                _index = build_index(load_dataset())
    return _index


def reset_index() -> None:
    """Forget the index (tests that swap the reference data)."""
    global _index
    with _lock:
        _index = None
