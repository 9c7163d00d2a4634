"""Load reference data into the database (idempotent: re-running updates rows in place)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import transaction
from django.db.models import Model

from thanglong.core.divisions_data import DivisionsDataset, load_dataset
from thanglong.core.models import LegacyWard, LegacyWardSuccessor, Province, Ward

Progress = Callable[[str, int, int], None]

BATCH = 1000


def _noop(stage: str, done: int, total: int) -> None:
    return None


def _upsert(stage: str, rows: Sequence[Model], update_fields: list[str], progress: Progress) -> None:
    """Insert or update ``rows`` by primary key, in batches, reporting progress after each batch."""
    if not rows:
        return
    manager = type(rows[0])._default_manager
    for start in range(0, len(rows), BATCH):
        manager.bulk_create(
            rows[start : start + BATCH],
            update_conflicts=True,
            unique_fields=["code"],
            update_fields=update_fields,
        )
        progress(stage, min(start + BATCH, len(rows)), len(rows))


@transaction.atomic
def import_divisions(dataset: DivisionsDataset | None = None, progress: Progress = _noop) -> dict[str, int]:
    dataset = dataset or load_dataset()
    provinces = [
        Province(
            code=p.code,
            name=p.name,
            full_name=p.full_name,
            name_en=p.name_en,
            kind=p.kind,
            code_name=p.code_name,
        )
        for p in dataset.provinces
    ]
    _upsert("provinces", provinces, ["name", "full_name", "name_en", "kind", "code_name"], progress)
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
    _upsert("wards", wards, ["province", "name", "full_name", "name_en", "kind", "code_name"], progress)

    known_wards = {w.code for w in dataset.wards}
    legacy: list[LegacyWard] = []
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
    legacy_fields = [
        *("province_code", "province_name", "district_code", "district_name", "district_kind"),
        *("name", "kind", "successor", "is_split"),
    ]
    _upsert("legacy wards", legacy, legacy_fields, progress)
    # The successor table is derived data: replacing it whole is simpler than diffing and cannot drift.
    LegacyWardSuccessor.objects.all().delete()
    LegacyWardSuccessor.objects.bulk_create(successors, batch_size=BATCH)
    return {
        "provinces": Province.objects.count(),
        "wards": Ward.objects.count(),
        "legacy_wards": LegacyWard.objects.count(),
        "legacy_successors": len(successors),
    }
