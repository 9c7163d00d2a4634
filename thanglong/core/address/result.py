from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class UnitRef:
    code: str | None
    name: str  # full name with its kind: "Phường Cầu Giấy", "Thành phố Hà Nội"


@dataclass(frozen=True)
class AddressResult:
    input: str
    province: UnitRef | None  # 2025 province
    ward: UnitRef | None  # 2025 ward/commune
    legacy_province: str | None  # pre-2025 names as written in the address, canonicalised ("Hà Nội")
    legacy_district: str | None  # "Cầu Giấy"
    legacy_ward: str | None  # "Dịch Vọng"
    street: str  # what is left: house number, street, hamlet…
    confidence: float  # 0..1
    alternatives: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
