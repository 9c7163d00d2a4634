"""Load reference data into the database (idempotent: re-running updates rows in place)."""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from thanglong.core.divisions_data import DivisionsDataset, load_dataset
from thanglong.core.models import LegacyWard, LegacyWardSuccessor, Province, Ward

Progress = Callable[[str, int, int], None]


def _noop(stage: str, done: int, total: int) -> None:
    return None


@transaction.atomic
def import_divisions(dataset: DivisionsDataset | None = None, progress: Progress = _noop) -> dict[str, int]:
    dataset = dataset or load_dataset()
    Province.objects.bulk_create(
        [
            Province(
                code=p.code,
                name=p.name,
                full_name=p.full_name,
                name_en=p.name_en,
                kind=p.kind,
                code_name=p.code_name,
            )
            for p in dataset.provinces
        ],
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "full_name", "name_en", "kind", "code_name"],
    )
    progress("provinces", len(dataset.provinces), len(dataset.provinces))
    wards = [
        Ward(
            code=w.code,
            province_id=w.province_code,
            name=w.name,
            full_name=w.full_name,
            name_en=w.name_en,
            kind=w.kind,
            code_name=w.code_name,
        )
        for w in dataset.wards
    ]
    for start in range(0, len(wards), 500):
        Ward.objects.bulk_create(
            wards[start : start + 500],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=["province", "name", "full_name", "name_en", "kind", "code_name"],
        )
        progress("wards", min(start + 500, len(wards)), len(wards))
    known_wards = {w.code for w in dataset.wards}
    legacy = []
    successors: list[LegacyWardSuccessor] = []
    for record in dataset.legacy_wards:
        codes = [c for c in record.successor_codes if c in known_wards]
        legacy.append(
            LegacyWard(
                code=record.code,
                province_code=record.province_code,
                province_name=record.province_name,
                district_code=record.district_code,
                district_name=record.district_name,
                district_kind=record.district_kind,
                name=record.name,
                kind=record.kind,
                successor_id=codes[0] if codes else None,
                is_split=record.is_split,
            )
        )
        successors.extend(
            LegacyWardSuccessor(legacy_ward_id=record.code, ward_id=code, is_default=index == 0)
            for index, code in enumerate(codes)
        )
    for start in range(0, len(legacy), 1000):
        LegacyWard.objects.bulk_create(
            legacy[start : start + 1000],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=[
                "province_code",
                "province_name",
                "district_code",
                "district_name",
                "district_kind",
                "name",
                "kind",
                "successor",
                "is_split",
            ],
        )
        progress("legacy wards", min(start + 1000, len(legacy)), len(legacy))
    LegacyWardSuccessor.objects.all().delete()
    LegacyWardSuccessor.objects.bulk_create(successors, batch_size=1000)
    return {
        "provinces": Province.objects.count(),
        "wards": Ward.objects.count(),
        "legacy_wards": LegacyWard.objects.count(),
        "legacy_successors": len(successors),
    }
