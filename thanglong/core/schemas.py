from __future__ import annotations

from datetime import date, datetime
from typing import Any

from ninja import Field, ModelSchema, Schema

from thanglong.core.models import AuditEntry, OrganisationUnit, Province, Ward


class ErrorOut(Schema):
    error: str
    message_vi: str
    message_en: str


class HealthOut(Schema):
    status: str
    version: str
    database: str
    tasks_backend: str


class ProvinceOut(ModelSchema):
    class Meta:
        model = Province
        fields = ["code", "name", "full_name", "name_en", "kind"]


class WardOut(ModelSchema):
    province_code: str = Field(..., alias="province_id")

    class Meta:
        model = Ward
        fields = ["code", "name", "full_name", "name_en", "kind"]


class UnitOut(ModelSchema):
    parent_code: str | None = Field(None, alias="parent.code")
    ward_code: str | None = Field(None, alias="ward_id")
    ward_name: str | None = Field(None, alias="ward.full_name")

    class Meta:
        model = OrganisationUnit
        fields = ["code", "name", "name_en", "short_name", "kind", "phone", "address"]


class ProfileOut(Schema):
    username: str
    full_name: str
    rank: str
    units: list[dict[str, Any]]
    phone: str
    id_number: str
    personal_data_masked: bool


class AuditEntryOut(ModelSchema):
    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor_username",
            "action",
            "object_type",
            "object_id",
            "fields",
            "reason",
            "ip_address",
            "path",
        ]


class WorkingDaysOut(Schema):
    start: date
    days: int
    end: date


class AddressUnitOut(Schema):
    code: str | None = None
    name: str


class AddressOut(Schema):
    input: str
    province: AddressUnitOut | None
    ward: AddressUnitOut | None
    legacy_province: str | None
    legacy_district: str | None
    legacy_ward: str | None
    street: str
    confidence: float
    alternatives: list[dict[str, Any]] = []


class JobOut(Schema):
    id: str
    task: str
    status: str
    enqueued_at: datetime | None
    started_at: datetime | None
    finished_at: datetime | None
    result: Any = None
    errors: list[str] = []
