"""Which unit handles a report: the ward's police station, a specialised department, or the dispatcher."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from thanglong.feedback.choices import Category

# Work that belongs to a specialised department of the city police wherever it happens.
DEPARTMENT_CATEGORIES = frozenset({Category.CYBER_FRAUD, Category.DRUGS, Category.OFFICER_CONDUCT})
# Fire safety stays with the ward station unless the ward is unknown or the report is severe.
DEPARTMENT_WHEN_SEVERE_OR_UNPLACED = frozenset({Category.FIRE_SAFETY})


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str


class UnitDirectory(Protocol):
    def station_for_ward(self, ward_code: str) -> UnitRef | None: ...

    def department_for(self, category: str) -> UnitRef | None: ...

    def dispatcher(self) -> UnitRef | None: ...


@dataclass
class Route:
    unit: UnitRef | None
    rule: str  # ward_station | department | dispatcher
    to_dispatcher: bool
    reasons: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "unit": self.unit.code if self.unit else None,
            "rule": self.rule,
            "to_dispatcher": self.to_dispatcher,
            "reasons": self.reasons,
        }


def route(category: str, ward_code: str | None, *, severe: bool, units: UnitDirectory) -> Route:
    wants_department = category in DEPARTMENT_CATEGORIES or (
        category in DEPARTMENT_WHEN_SEVERE_OR_UNPLACED and (severe or not ward_code)
    )
    if wants_department:
        department = units.department_for(category)
        if department:
            why = "severe" if severe and ward_code else ("no ward" if not ward_code else "specialised")
            return Route(department, "department", False, [f"{category} → {department.code} ({why})"])
    if ward_code:
        station = units.station_for_ward(ward_code)
        if station:
            return Route(station, "ward_station", False, [f"ward {ward_code} → {station.code}"])
    dispatcher = units.dispatcher()
    why = "no ward station" if ward_code else "no ward"
    return Route(dispatcher, "dispatcher", True, [f"{why} and no department for {category} → dispatcher"])


class DatabaseUnitDirectory:
    """Units from the database; departments are few, so their responsibilities are matched in Python
    (a JSON ``contains`` lookup is not available on SQLite)."""

    def station_for_ward(self, ward_code: str) -> UnitRef | None:
        from thanglong.core.models import OrganisationUnit, UnitKind

        unit = (
            OrganisationUnit.objects.filter(kind=UnitKind.WARD_STATION, ward_id=ward_code, is_active=True)
            .order_by("code")
            .only("id", "code")
            .first()
        )
        return UnitRef(unit.pk, unit.code) if unit else None

    def department_for(self, category: str) -> UnitRef | None:
        from thanglong.core.models import OrganisationUnit, UnitKind

        for unit in OrganisationUnit.objects.filter(kind=UnitKind.DEPARTMENT, is_active=True).order_by(
            "code"
        ):
            if category in (unit.responsibilities or []):
                return UnitRef(unit.pk, unit.code)
        return None

    def dispatcher(self) -> UnitRef | None:
        from thanglong.core.models import OrganisationUnit, UnitKind

        unit = (
            OrganisationUnit.objects.filter(kind=UnitKind.DIRECTORATE, parent__isnull=True, is_active=True)
            .order_by("code")
            .first()
        )
        return UnitRef(unit.pk, unit.code) if unit else None
