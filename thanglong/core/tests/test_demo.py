"""`thanglong demo` loads a realistic Hanoi police force and can be run again safely."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from thanglong.core.models import Membership, OrganisationUnit, Role, UnitKind

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_prints_logins() -> None:
    out = io.StringIO()
    call_command("demo", stdout=out)
    units = OrganisationUnit.objects.count()
    users = get_user_model().objects.count()
    call_command("demo", stdout=io.StringIO())
    assert OrganisationUnit.objects.count() == units
    assert get_user_model().objects.count() == users
    text = out.getvalue()
    assert "canbo.caugiay" in text
    assert "admin" in text


def test_demo_has_a_station_per_hanoi_ward_and_officers_who_can_log_in() -> None:
    call_command("demo", stdout=io.StringIO())
    assert OrganisationUnit.objects.filter(kind=UnitKind.WARD_STATION).count() == 126
    station = OrganisationUnit.objects.get(code="CAP-00166")
    assert station.name == "Công an phường Cầu Giấy"
    assert Membership.objects.filter(unit=station, role=Role.OFFICER).exists()
    user = get_user_model().objects.get(username="canbo.caugiay")
    assert user.check_password("ThangLong@2026")
    assert user.groups.filter(name=Role.OFFICER).exists()
