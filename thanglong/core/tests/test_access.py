"""Unit-scoped access: who sees which units, and therefore which cases/documents/events."""

from __future__ import annotations

import pytest
from django.db.models import QuerySet

from thanglong.core.access import can_access_unit, scope_to_units, visible_units
from thanglong.core.models import Membership, OrganisationUnit

pytestmark = pytest.mark.django_db


def codes(queryset: QuerySet[OrganisationUnit]) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def test_officer_sees_only_own_unit(hanoi_force: dict) -> None:
    assert codes(visible_units(hanoi_force["canbo.caugiay"])) == {"CAP-00166"}
    assert not can_access_unit(hanoi_force["canbo.caugiay"], hanoi_force["hoan_kiem"])


def test_leader_of_directorate_sees_every_unit_below(hanoi_force: dict) -> None:
    assert codes(visible_units(hanoi_force["giamdoc"])) == {"CAHN", "PC06", "CAP-00166", "CAP-00070"}


def test_ward_leader_sees_own_station_only(hanoi_force: dict) -> None:
    assert codes(visible_units(hanoi_force["lanhdao.caugiay"])) == {"CAP-00166"}


def test_command_centre_and_administrator_see_all(hanoi_force: dict) -> None:
    total = OrganisationUnit.objects.count()
    assert visible_units(hanoi_force["chihuy"]).count() == total
    assert visible_units(hanoi_force["admin"]).count() == total


def test_anonymous_sees_nothing() -> None:
    from django.contrib.auth.models import AnonymousUser

    assert visible_units(AnonymousUser()).count() == 0


def test_scope_to_units_filters_rows_by_their_unit(hanoi_force: dict) -> None:
    """GIVEN rows of two stations WHEN an officer's query is scoped THEN only their station's rows remain."""
    rows = Membership.objects.all()
    scoped = scope_to_units(rows, hanoi_force["canbo.hoankiem"])
    assert {m.unit.code for m in scoped} == {"CAP-00070"}
    assert scope_to_units(rows, hanoi_force["chihuy"]).count() == rows.count()


def test_unit_path_follows_parent(hanoi_force: dict) -> None:
    assert hanoi_force["cau_giay"].path == "/CAHN/CAP-00166/"
