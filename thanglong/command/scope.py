"""Which reports a dashboard reader may count: their units' (leaders: the subtree), or all of them.

Figures are always computed inside the reader's scope, so a ward leader's totals never include another
ward's cases. The command centre and administrators see every unit, and the reports triage has not
routed yet.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from thanglong.core.access import sees_all_units, visible_units
from thanglong.core.models import OrganisationUnit
from thanglong.feedback.models import Report

Actor = User | AnonymousUser


@dataclass(frozen=True)
class Scope:
    unit_ids: tuple[int, ...] | None  # None: every unit
    include_unrouted: bool = False
    unit: OrganisationUnit | None = None  # the unit narrowed to, if any

    @property
    def everything(self) -> bool:
        return self.unit_ids is None

    def units(self) -> QuerySet[OrganisationUnit]:
        qs = OrganisationUnit.objects.all()
        return qs if self.unit_ids is None else qs.filter(pk__in=self.unit_ids)

    def condition(self, field: str = "unit") -> Q:
        """A filter on a queryset whose ``field`` is a foreign key to OrganisationUnit."""
        if self.unit_ids is None:
            return Q()
        condition = Q(**{f"{field}_id__in": self.unit_ids})
        if self.include_unrouted:
            condition |= Q(**{f"{field}__isnull": True})
        return condition

    def reports(self) -> QuerySet[Report]:
        """Reports counted on dashboards: duplicates are handled (and counted) once, on the first report."""
        return Report.objects.filter(self.condition(), duplicate_of__isnull=True)


def scope_for(user: Actor, unit: OrganisationUnit | None = None) -> Scope:
    """The reader's scope, narrowed to ``unit``'s subtree when given (and visible to them)."""
    if unit is not None:
        subtree = OrganisationUnit.objects.filter(path__startswith=unit.path)
        if not sees_all_units(user):
            subtree = subtree.filter(pk__in=visible_units(user))
        return Scope(tuple(subtree.values_list("pk", flat=True)), unit=unit)
    if sees_all_units(user):
        return Scope(None, include_unrouted=True)
    return Scope(tuple(visible_units(user).values_list("pk", flat=True)))


def unit_scope(unit: OrganisationUnit) -> Scope:
    """A unit and everything under it, whoever asks (reports, scheduled jobs)."""
    return Scope(
        tuple(OrganisationUnit.objects.filter(path__startswith=unit.path).values_list("pk", flat=True)),
        unit=unit,
    )
