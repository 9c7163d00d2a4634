"""``thanglong housekeeping``: every retention purge in one run, a failing purge does not stop the
others, and console alerts (which had no retention) are deleted after THANGLONG_ALERT_RETENTION_DAYS."""

from __future__ import annotations

import logging
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from thanglong.core import alerts
from thanglong.core.management.commands import housekeeping
from thanglong.core.models import ConsoleAlert, OrganisationUnit
from thanglong.voice import services as voice
from thanglong.voice.audio import silence
from thanglong.voice.models import Call

pytestmark = pytest.mark.django_db


class PurgeBrokeError(RuntimeError):
    pass


def broken_purge() -> int:
    raise PurgeBrokeError("disk is read-only")


def _alert(title: str, days_old: float, units: list[OrganisationUnit] | None = None) -> ConsoleAlert:
    alert = ConsoleAlert.objects.create(kind="test", title=title)
    if units:
        alert.units.set(units)
    ConsoleAlert.objects.filter(pk=alert.pk).update(created_at=timezone.now() - timedelta(days=days_old))
    return alert


@pytest.fixture
def old_records(tmp_path: Path, settings: Any) -> dict[str, Any]:
    """An alert and a recorded call past their retention, and a fresh one of each."""
    settings.THANGLONG_ALERT_RETENTION_DAYS = 30
    settings.THANGLONG_VOICE_RETENTION_DAYS = 60
    settings.THANGLONG_VOICE_RECORDINGS_DIR = tmp_path / "voice"
    unit = OrganisationUnit.objects.first()
    old_call = voice.create_call(call_id="old-call", channel="sip")
    voice.append_recording(old_call, silence(0.2, 8000), 8000)
    Call.objects.filter(pk=old_call.pk).update(started_at=timezone.now() - timedelta(days=61))
    return {
        "old_alert": _alert("cũ", 31, [unit] if unit else None),
        "fresh_alert": _alert("mới", 29),
        "old_call": old_call,
        "recording": voice.recording_file(old_call),
        "fresh_call": voice.create_call(call_id="fresh-call", channel="sip"),
    }


def test_alerts_older_than_the_retention_are_deleted_with_their_units(settings: Any) -> None:
    settings.THANGLONG_ALERT_RETENTION_DAYS = 90
    units = list(OrganisationUnit.objects.all()[:2])
    old, edge, fresh = _alert("old", 91, units), _alert("edge", 89.9, units), _alert("fresh", 0)
    through = ConsoleAlert.units.through
    assert alerts.purge_expired() == 1
    assert set(ConsoleAlert.objects.values_list("pk", flat=True)) == {edge.pk, fresh.pk}
    assert not through.objects.filter(consolealert_id=old.pk).exists()
    assert alerts.purge_expired(now=timezone.now() + timedelta(days=1)) == 1  # the edge one's day came
    assert list(ConsoleAlert.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_alert_purge_goes_in_batches(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.THANGLONG_ALERT_RETENTION_DAYS = 1
    monkeypatch.setattr(alerts, "PURGE_BATCH", 2)
    for number in range(5):
        _alert(f"a{number}", 2)
    assert alerts.purge_expired() == 5
    assert not ConsoleAlert.objects.exists()


def test_one_run_purges_every_registered_kind(old_records: dict[str, Any]) -> None:
    assert set(housekeeping.PURGES) >= {"cameras", "voice", "alerts"}
    out = StringIO()
    call_command("housekeeping", stdout=out)
    lines = out.getvalue()
    assert "cameras: deleted 0" in lines
    assert "voice: deleted 1" in lines
    assert "alerts: deleted 1" in lines
    assert list(ConsoleAlert.objects.all()) == [old_records["fresh_alert"]]
    assert list(Call.objects.all()) == [old_records["fresh_call"]]
    assert old_records["recording"] is not None and not old_records["recording"].exists()


def test_a_failing_purge_is_logged_and_the_others_still_run(
    old_records: dict[str, Any], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(
        housekeeping,
        "PURGES",
        {
            "broken": f"{__name__}.broken_purge",
            "missing": "thanglong.not_an_app.purge",
            **housekeeping.PURGES,
        },
    )
    out = StringIO()
    with (
        caplog.at_level(logging.ERROR, logger="thanglong.housekeeping"),
        pytest.raises(CommandError, match="broken, missing"),
    ):
        call_command("housekeeping", stdout=out)
    assert "broken: FAILED (PurgeBrokeError: disk is read-only)" in out.getvalue()
    assert "missing: FAILED" in out.getvalue()
    assert any(record.exc_info and record.exc_info[0] is PurgeBrokeError for record in caplog.records)
    # The purges after the broken ones ran all the same.
    assert list(ConsoleAlert.objects.all()) == [old_records["fresh_alert"]]
    assert list(Call.objects.all()) == [old_records["fresh_call"]]


def test_every_keeps_running_after_a_failure(
    old_records: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(housekeeping, "PURGES", {"broken": f"{__name__}.broken_purge", **housekeeping.PURGES})
    slept: list[float] = []

    class StopError(Exception):
        pass

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        if len(slept) == 2:
            raise StopError
        _alert("trong lúc chờ", 45)  # expires while the loop sleeps: the next round takes it

    monkeypatch.setattr(housekeeping.time, "sleep", sleep)
    out = StringIO()
    with pytest.raises(StopError):
        call_command("housekeeping", "--every", "86400", stdout=out)
    assert slept == [86400, 86400]
    assert out.getvalue().count("broken: FAILED") == 2
    assert out.getvalue().count("alerts: deleted 1") == 2
    assert list(ConsoleAlert.objects.all()) == [old_records["fresh_alert"]]
