"""Unit-scoped access: which organisation units a user may see, and filtering querysets by them.

Every app that stores cases, documents or events keeps a ``unit`` foreign key and passes its
querysets through :func:`scope_to_units`, so "an officer sees only their unit's work" is enforced in
one place.

* officer — the units they are a member of;
* unit leader — their units and every unit below them;
* command centre and administrator — every unit.
"""

from __future__ import annotations

from typing import TypeVar

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Model, Q, QuerySet

from thanglong.core.models import Membership, OrganisationUnit, Role
from thanglong.core.roles import has_role

M = TypeVar("M", bound=Model)

_SEES_EVERYTHING = (Role.COMMAND_CENTRE, Role.ADMINISTRATOR)


def sees_all_units(user: User | AnonymousUser) -> bool:
    return user.is_authenticated and has_role(user, *_SEES_EVERYTHING)


def visible_units(user: User | AnonymousUser) -> QuerySet[OrganisationUnit]:
    if not user.is_authenticated:
        return OrganisationUnit.objects.none()
    if sees_all_units(user):
        return OrganisationUnit.objects.all()
    memberships = Membership.objects.filter(user=user).select_related("unit")
    condition = Q(pk__in=[])
    for membership in memberships:
        if membership.role == Role.UNIT_LEADER:
            condition |= Q(path__startswith=membership.unit.path)
        else:
            condition |= Q(pk=membership.unit_id)
    return OrganisationUnit.objects.filter(condition)


def scope_to_units(queryset: QuerySet[M], user: User | AnonymousUser, field: str = "unit") -> QuerySet[M]:
    """Restrict ``queryset`` to rows whose ``field`` (a FK to OrganisationUnit) the user may see."""
    if sees_all_units(user):
        return queryset
    return queryset.filter(**{f"{field}__in": visible_units(user)})


def can_access_unit(user: User | AnonymousUser, unit: OrganisationUnit) -> bool:
    return sees_all_units(user) or visible_units(user).filter(pk=unit.pk).exists()
