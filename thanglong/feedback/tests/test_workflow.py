"""Workflow services: transitions, permissions by unit, personal data, merge, escalate, SLA alerts."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from thanglong.core.models import AuditAction, AuditEntry, OrganisationUnit
from thanglong.feedback.choices import Category, EventKind, Priority, Status, TriageState
from thanglong.feedback.models import Notification, Report, ReportEvent, TriageCorrection
from thanglong.feedback.services import queries, workflow

pytestmark = pytest.mark.django_db

_numbers = itertools.count(1)


def make_report(unit: OrganisationUnit | None, **fields: Any) -> Report:
    """A report as intake would have stored it, routed to ``unit``."""
    values: dict[str, Any] = {
        "tracking_code": f"PA-2026-{next(_numbers):06d}",
        "channel": "web",
        "text": "Tụ tập gây ồn ào sau 23 giờ ở ngõ 15 Trần Thái Tông, gọi 0912345678.",
        "masked_text": "Tụ tập gây ồn ào sau 23 giờ ở ngõ 15 Trần Thái Tông, gọi 091****678.",
        "title": "Tụ tập gây ồn ào ban đêm",
        "unit": unit,
        "ward": unit.ward if unit is not None else None,
        "category": Category.PUBLIC_ORDER,
        "category_confidence": 0.9,
        "triage_state": TriageState.DONE,
        "contact_name": "Nguyễn Văn An",
        "contact_phone": "0912345678",
        "due_at": timezone.now() + timedelta(days=5),
    }
    values.update(fields)
    return Report.objects.create(**values)


def test_allowed_path_to_closure_sets_timestamps_and_public_events(hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"])
    officer = hanoi_force["canbo.caugiay"]

    workflow.transition(report, Status.IN_PROGRESS, officer)
    report = workflow.transition(
        report, Status.RESOLVED, officer, public_message="Đã xử lý, nhắc nhở các hộ."
    )
    assert report.resolved_at is not None
    report = workflow.transition(report, Status.CLOSED, officer)
    assert report.closed_at is not None

    events = list(report.events.filter(kind=EventKind.STATUS).values_list("to_status", "public", "message"))
    assert events == [
        (Status.IN_PROGRESS, True, ""),
        (Status.RESOLVED, True, "Đã xử lý, nhắc nhở các hộ."),
        (Status.CLOSED, True, ""),
    ]


@pytest.mark.parametrize(
    ("start", "target", "kwargs"),
    [
        (Status.RECEIVED, Status.RESOLVED, {"public_message": "xong"}),  # skips handling
        (Status.CLOSED, Status.IN_PROGRESS, {}),  # closed is final
        (Status.RECEIVED, Status.REJECTED, {}),  # rejecting needs a reason
        (Status.IN_PROGRESS, Status.RESOLVED, {}),  # resolving needs a reply to the citizen
    ],
)
def test_refused_transitions_change_nothing(
    hanoi_force: dict[str, Any], start: str, target: str, kwargs: dict[str, str]
) -> None:
    report = make_report(hanoi_force["cau_giay"], status=start)
    with pytest.raises(workflow.WorkflowError):
        workflow.transition(report, target, hanoi_force["canbo.caugiay"], **kwargs)
    report.refresh_from_db()
    assert report.status == start
    assert not report.events.exists()


def test_rejecting_with_a_reason_keeps_the_reason_internal(hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"])
    workflow.transition(
        report, Status.REJECTED, hanoi_force["canbo.caugiay"], reason="Nội dung không thuộc thẩm quyền"
    )
    event = report.events.get(kind=EventKind.STATUS)
    assert event.data == {"reason": "Nội dung không thuộc thẩm quyền"}
    assert event.message == ""


def test_only_the_unit_and_those_above_it_may_act(hanoi_force: dict[str, Any]) -> None:
    """GIVEN a Cầu Giấy report  THEN Hoàn Kiếm's officer is refused; the ward leader, the city director
    and the command centre may act."""
    report = make_report(hanoi_force["cau_giay"])
    with pytest.raises(PermissionDenied):
        workflow.transition(report, Status.IN_PROGRESS, hanoi_force["canbo.hoankiem"])
    with pytest.raises(PermissionDenied):
        workflow.add_note(report, hanoi_force["canbo.pc06"], "xem giúp")
    for username in ("lanhdao.caugiay", "giamdoc", "chihuy"):
        workflow.add_note(report, hanoi_force[username], f"ghi chú của {username}")
    assert report.events.filter(kind=EventKind.NOTE, public=False).count() == 3


def test_contact_data_is_for_the_unit_and_leaders_above_and_each_read_is_audited(
    hanoi_force: dict[str, Any],
) -> None:
    report = make_report(hanoi_force["cau_giay"])
    masked = workflow.masked_contact(report)
    assert masked.phone == "091****678"
    assert "0912345678" not in masked.text

    contact = workflow.read_contact(report, hanoi_force["canbo.caugiay"], reason="Gọi lại xác minh")
    assert contact.phone == "0912345678"
    entry = AuditEntry.objects.get(object_type="feedback.report", object_id=str(report.pk))
    assert entry.action == AuditAction.READ
    assert entry.actor_username == "canbo.caugiay"
    assert entry.reason == "Gọi lại xác minh"
    assert "contact_phone" in entry.fields

    assert workflow.may_see_contact(hanoi_force["giamdoc"], report)
    assert workflow.may_see_contact(hanoi_force["admin"], report)
    # The command centre handles the case but is not entitled to the citizen's personal data.
    assert workflow.can_handle(hanoi_force["chihuy"], report)
    with pytest.raises(PermissionDenied):
        workflow.read_contact(report, hanoi_force["chihuy"], reason="tò mò")
    with pytest.raises(workflow.WorkflowError):
        workflow.read_contact(report, hanoi_force["canbo.caugiay"], reason="  ")
    assert AuditEntry.objects.filter(object_type="feedback.report").count() == 1


def test_masking_works_before_triage_wrote_masked_text(hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"], masked_text="", text="Gọi 0912 345 678, CCCD 001203004567")
    assert workflow.redacted_text(report) == "Gọi 091****678, CCCD 001*******67"


def test_officer_takes_a_report_leader_assigns_anyone_of_the_unit(hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"])
    officer, other = hanoi_force["canbo.caugiay"], hanoi_force["lanhdao.caugiay"]
    with pytest.raises(PermissionDenied):
        workflow.assign(report, other, officer)
    report = workflow.assign(report, officer, officer)
    assert (report.assigned_to, report.status) == (officer, Status.ASSIGNED)
    with pytest.raises(PermissionDenied):  # not a member of Cầu Giấy
        workflow.assign(report, hanoi_force["canbo.hoankiem"], hanoi_force["lanhdao.caugiay"])
    report = workflow.assign(report, other, hanoi_force["lanhdao.caugiay"])
    assert report.assigned_to == other
    assert report.events.filter(kind=EventKind.ASSIGNED).count() == 2


def test_bulk_assign_is_all_or_nothing(hanoi_force: dict[str, Any]) -> None:
    mine = [make_report(hanoi_force["cau_giay"]) for _ in range(2)]
    elsewhere = make_report(hanoi_force["hoan_kiem"])
    leader, officer = hanoi_force["lanhdao.caugiay"], hanoi_force["canbo.caugiay"]
    with pytest.raises(PermissionDenied):
        workflow.bulk_assign([*mine, elsewhere], officer, leader)
    assert not Report.objects.filter(assigned_to=officer).exists()
    workflow.bulk_assign(mine, officer, leader)
    assert Report.objects.filter(assigned_to=officer, status=Status.ASSIGNED).count() == 2


def test_escalate_moves_the_report_to_the_parent_unit(hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"], assigned_to=hanoi_force["canbo.caugiay"])
    with pytest.raises(workflow.WorkflowError):
        workflow.escalate(report, hanoi_force["canbo.caugiay"], "")
    report = workflow.escalate(report, hanoi_force["canbo.caugiay"], "Vượt thẩm quyền phường")
    assert report.unit == hanoi_force["city"]
    assert report.assigned_to is None
    event = report.events.get(kind=EventKind.ESCALATED)
    assert (event.public, event.data["from_unit"], event.data["to_unit"]) == (False, "CAP-00166", "CAHN")
    assert not workflow.can_handle(hanoi_force["canbo.caugiay"], report)
    assert workflow.can_handle(hanoi_force["giamdoc"], report)
    with pytest.raises(workflow.WorkflowError):  # the directorate has no parent
        workflow.escalate(report, hanoi_force["giamdoc"], "lên nữa")


def test_transfer_needs_a_reason_and_tells_the_citizen(hanoi_force: dict[str, Any]) -> None:
    report = make_report(hanoi_force["cau_giay"])
    with pytest.raises(workflow.WorkflowError):
        workflow.transfer(report, hanoi_force["hoan_kiem"], hanoi_force["canbo.caugiay"], "")
    report = workflow.transfer(report, hanoi_force["hoan_kiem"], hanoi_force["canbo.caugiay"], "Sai địa bàn")
    assert (report.status, report.unit) == (Status.TRANSFERRED, hanoi_force["hoan_kiem"])
    status_event = report.events.get(kind=EventKind.STATUS)
    assert status_event.public and status_event.message == "Công an phường Hoàn Kiếm"
    assert Notification.objects.filter(report=report, channel="sms").count() == 1


def test_merge_closes_duplicates_with_a_public_pointer_to_the_primary(hanoi_force: dict[str, Any]) -> None:
    unit = hanoi_force["cau_giay"]
    primary = make_report(unit)
    others = [make_report(unit), make_report(unit, lang="en", contact_phone="")]
    earlier = make_report(unit, status=Status.CLOSED, duplicate_of=others[0])

    workflow.merge_duplicates(primary, others, hanoi_force["canbo.caugiay"])

    for other in others:
        other.refresh_from_db()
        assert (other.status, other.duplicate_of, other.closed_at is not None) == (
            Status.CLOSED,
            primary,
            True,
        )
        event = other.events.get(kind=EventKind.MERGED)
        assert event.public and primary.tracking_code in event.message
    assert "same matter" in others[1].events.get(kind=EventKind.MERGED).message
    earlier.refresh_from_db()
    assert earlier.duplicate_of == primary
    merged = primary.events.get(kind=EventKind.MERGED)
    assert not merged.public and merged.data["merged"] == [other.tracking_code for other in others]
    # Only the citizen who left a phone number gets an SMS.
    assert Notification.objects.filter(report__in=others).count() == 1
    with pytest.raises(workflow.WorkflowError):  # already closed
        workflow.merge_duplicates(primary, [others[0]], hanoi_force["canbo.caugiay"])


def test_correct_triage_records_the_correction_and_recomputes_the_deadline(
    hanoi_force: dict[str, Any],
) -> None:
    report = make_report(hanoi_force["cau_giay"], category=Category.TRAFFIC, priority=Priority.NORMAL)
    officer = hanoi_force["canbo.caugiay"]
    report = workflow.correct_triage(report, officer, "category", Category.FIRE_SAFETY)
    assert report.category == Category.FIRE_SAFETY
    correction = TriageCorrection.objects.get(report=report)
    assert (correction.field, correction.old_value, correction.new_value) == (
        "category",
        Category.TRAFFIC,
        Category.FIRE_SAFETY,
    )
    assert report.events.filter(kind=EventKind.CORRECTED).count() == 1
    from thanglong.feedback.services.sla import due_at_for

    assert report.due_at == due_at_for(report.received_at, Category.FIRE_SAFETY, Priority.NORMAL)
    with pytest.raises(PermissionDenied):  # an officer moves a report with transfer(), with a reason
        workflow.correct_triage(report, officer, "unit", "CAP-00070")
    with pytest.raises(workflow.WorkflowError):
        workflow.correct_triage(report, officer, "category", "not-a-category")


def test_dispatcher_routes_an_unrouted_report(hanoi_force: dict[str, Any]) -> None:
    report = make_report(None, triage_state=TriageState.DISPATCHER, category="", category_confidence=0.3)
    assert not workflow.can_handle(hanoi_force["canbo.caugiay"], report)
    assert not workflow.can_handle(hanoi_force["lanhdao.caugiay"], report)
    report = workflow.correct_triage(report, hanoi_force["chihuy"], "unit", "CAP-00166")
    report = workflow.correct_triage(report, hanoi_force["chihuy"], "category", Category.TRAFFIC)
    assert (report.unit, report.triage_state) == (hanoi_force["cau_giay"], TriageState.DONE)
    assert workflow.can_handle(hanoi_force["canbo.caugiay"], report)


def test_sla_alerts_are_written_once_per_threshold_and_reach_the_officer(hanoi_force: dict[str, Any]) -> None:
    now = timezone.now()
    officer = hanoi_force["canbo.caugiay"]
    overdue = make_report(hanoi_force["cau_giay"], due_at=now - timedelta(hours=2), assigned_to=officer)
    near = make_report(hanoi_force["cau_giay"], due_at=now + timedelta(minutes=30))
    make_report(hanoi_force["cau_giay"], due_at=now + timedelta(days=30))
    make_report(hanoi_force["cau_giay"], due_at=now - timedelta(days=1), status=Status.RESOLVED)

    assert workflow.raise_sla_alerts(now) == {queries.OVERDUE: 1, queries.NEAR_DEADLINE: 1}
    assert workflow.raise_sla_alerts(now) == {queries.OVERDUE: 0, queries.NEAR_DEADLINE: 0}

    assert overdue.events.get(kind=EventKind.ALERT).data["threshold"] == queries.OVERDUE
    assert near.events.get(kind=EventKind.ALERT).data["threshold"] == queries.NEAR_DEADLINE
    notice = Notification.objects.get(report=overdue)
    assert (notice.channel, notice.recipient) == ("sms", "0912345678")
    assert overdue.tracking_code in notice.body and "qua han" in notice.body
    assert not Notification.objects.filter(report=near).exists()  # nobody assigned yet


def test_feedback_sla_command_is_idempotent(hanoi_force: dict[str, Any], capsys: Any) -> None:
    from django.core.management import call_command

    make_report(hanoi_force["cau_giay"], due_at=timezone.now() - timedelta(hours=1))
    call_command("feedback_sla")
    call_command("feedback_sla")
    output = capsys.readouterr().out.splitlines()
    assert output[0].startswith("overdue alerts: 1")
    assert output[1].startswith("overdue alerts: 0")
    assert ReportEvent.objects.filter(kind=EventKind.ALERT).count() == 1


def test_working_hours_skip_nights_lunch_and_weekends() -> None:
    zone = timezone.get_default_timezone()
    from datetime import datetime

    friday_afternoon = datetime(2025, 10, 17, 16, 0, tzinfo=zone)
    monday_morning = datetime(2025, 10, 20, 9, 30, tzinfo=zone)
    assert queries.working_hours_between(friday_afternoon, monday_morning) == pytest.approx(2.5)
    morning, afternoon = (
        datetime(2025, 10, 20, 11, 0, tzinfo=zone),
        datetime(2025, 10, 20, 14, 0, tzinfo=zone),
    )
    assert queries.working_hours_between(morning, afternoon) == pytest.approx(2.0)
