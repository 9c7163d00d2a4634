"""The demo loads a realistic, idempotent set of programme targets for the city's units."""

from __future__ import annotations

import pytest

from thanglong.command import demo, targets
from thanglong.command.models import Target, TargetProgress
from thanglong.core import demo as core_demo
from thanglong.core.models import OrganisationUnit

pytestmark = pytest.mark.django_db


def test_demo_targets_cover_owner_units_with_every_state_and_load_once() -> None:
    lines: list[str] = []
    core_demo.load(lines.append)
    created = demo.load(lines.append)
    assert len(created) == 20 and TargetProgress.objects.count() > 100
    assert demo.load(lines.append) == [] and Target.objects.count() == 20
    owners = set(Target.objects.values_list("owner_unit__code", flat=True))
    assert {"PC06", "PC08", "PA05", "PV01", "TTCH"} <= owners
    assert OrganisationUnit.objects.get(code="PX01").targets.exists()
    command_centre = core_demo.User.objects.get(username="chihuy")
    states = {status.state for status in targets.statuses(command_centre)}
    assert {targets.AT_RISK, targets.ON_TRACK, targets.ACHIEVED, targets.MISSED} <= states
