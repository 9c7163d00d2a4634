"""Every state change of a report after intake: one function, one transaction, one timeline event each.

Who may act: anyone whose units include the report's unit (``core.access.can_access_unit``: the
unit's members, leaders of the units above it, the command centre and administrators). Reports not
yet routed to a unit belong to the dispatchers: the command centre, administrators, leaders of the
city directorate and holders of ``feedback.dispatch_report``.

Who may read the citizen's personal data (``contact_*`` and the unredacted text): members of the
handling unit, leaders of the units above it, and administrators — not the command centre as such.
Every read goes through :func:`read_contact`, which writes the audit entry; everyone else gets
:func:`masked_contact` and ``masked_text``.

Citizens are told about public events (status changes, replies, merges) through the outbox
(:mod:`.notify`), written in the same transaction as the change.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from thanglong.core.access import can_access_unit, sees_all_units
from thanglong.core.models import AuditAction, Membership, OrganisationUnit, Role
from thanglong.core.pii import mask_id_number, mask_phone
from thanglong.core.roles import has_role, is_staff_member
from thanglong.core.services import RequestContext, record_audit
from thanglong.feedback.choices import (
    OPEN_STATUSES,
    TRANSITIONS,
    Category,
    EventKind,
    Priority,
    Status,
    TriageState,
)
from thanglong.feedback.models import Report, ReportEvent, TriageCorrection
from thanglong.feedback.services import notify

Actor = User | AnonymousUser
CORRECTABLE_FIELDS = ("category", "unit", "priority")
PERSONAL_FIELDS = ["contact_name", "contact_phone", "contact_email", "text"]


class WorkflowError(ValidationError):
    """The change is not allowed in the report's current state, or a required field is missing."""


# --- who may do what ----------------------------------------------------------------------------------


def is_dispatcher(user: Actor) -> bool:
    """May route reports that have no unit yet (the dispatcher queue)."""
    if not user.is_authenticated:
        return False
    cached: bool | None = getattr(user, "_thanglong_dispatcher", None)
    if cached is None:
        cached = (
            sees_all_units(user)
            or user.has_perm("feedback.dispatch_report")
            or Membership.objects.filter(
                user_id=user.pk, role=Role.UNIT_LEADER, unit__parent__isnull=True
            ).exists()
        )
        setattr(user, "_thanglong_dispatcher", cached)  # noqa: B010 - cached on this request's user object
    return cached


def can_handle(user: Actor, report: Report) -> bool:
    if not (user.is_authenticated and is_staff_member(user)):
        return False
    if report.unit_id is None:
        return is_dispatcher(user)
    return can_access_unit(user, report.unit)  # type: ignore[arg-type]


def require_handler(user: Actor, report: Report) -> None:
    if not can_handle(user, report):
        raise PermissionDenied


def may_see_contact(user: Actor, report: Report) -> bool:
    """Members of the handling unit, leaders of the units above it, administrators (and anyone granted
    ``feedback.view_personal_data`` explicitly, e.g. an inspectorate)."""
    if not user.is_authenticated:
        return False
    if has_role(user, Role.ADMINISTRATOR) or user.has_perm("feedback.view_personal_data"):
        return True
    if report.unit_id is None:
        return False
    unit_path = report.unit.path  # type: ignore[union-attr]
    for membership in Membership.objects.filter(user_id=user.pk).select_related("unit"):
        if membership.unit_id == report.unit_id:
            return True
        if membership.role == Role.UNIT_LEADER and unit_path.startswith(membership.unit.path):
            return True
    return False


def may_assign_to(by: Actor, assignee: User, report: Report) -> bool:
    """Leaders, the command centre and administrators assign anyone of the unit; an officer only takes
    a report themselves."""
    if report.unit_id is None:
        return False
    in_unit = Membership.objects.filter(
        user=assignee,
        unit__path__startswith=report.unit.path,  # type: ignore[union-attr]
    ).exists()
    if not in_unit:
        return False
    if has_role(by, Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
        return True
    return by.pk == assignee.pk


# --- personal data ------------------------------------------------------------------------------------

_PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?84|0)(?:[\s.-]?\d){9,10}(?!\d)")
_ID_IN_TEXT = re.compile(r"(?<!\d)\d{12}(?!\d)")


def _mask_name(name: str) -> str:
    return " ".join(word[0] + "***" for word in name.split()) if name else ""


def _mask_email(email: str) -> str:
    local, _at, domain = email.partition("@")
    return f"{local[:1]}***@{domain}" if domain else ("***" if email else "")


def redacted_text(report: Report) -> str:
    """The report text without personal data: triage's ``masked_text``, or a conservative mask of phone
    and ID numbers while triage has not run yet."""
    if report.masked_text:
        return report.masked_text
    text = _PHONE_IN_TEXT.sub(lambda match: mask_phone(match.group()), report.text)
    return _ID_IN_TEXT.sub(lambda match: mask_id_number(match.group()), text)


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str
    text: str
    masked: bool
    anonymous: bool


def masked_contact(report: Report) -> Contact:
    return Contact(
        name=_mask_name(report.contact_name),
        phone=mask_phone(report.contact_phone) if report.contact_phone else "",
        email=_mask_email(report.contact_email),
        text=redacted_text(report),
        masked=True,
        anonymous=report.anonymous,
    )


def read_contact(
    report: Report, viewer: Actor, *, reason: str, context: RequestContext | None = None
) -> Contact:
    """The citizen's contact data and unredacted text, for those entitled; the read is audit-logged."""
    if not may_see_contact(viewer, report):
        raise PermissionDenied
    if not reason.strip():
        raise WorkflowError(_("Cần nêu lý do xem thông tin cá nhân."))
    record_audit(
        actor=viewer,
        action=AuditAction.READ,
        object_type="feedback.report",
        object_id=report.pk,
        object_repr=report.tracking_code,
        fields=PERSONAL_FIELDS,
        reason=reason.strip(),
        context=context,
    )
    return Contact(
        name=report.contact_name,
        phone=report.contact_phone,
        email=report.contact_email,
        text=report.text,
        masked=False,
        anonymous=report.anonymous,
    )


# --- internals ----------------------------------------------------------------------------------------


def _lock(report: Report) -> Report:
    """Re-read the row under a lock so two officers acting at once cannot both pass the state check."""
    return Report.objects.select_for_update(of=("self",)).select_related("unit").get(pk=report.pk)


def _event(report: Report, kind: str, actor: Actor | None, **fields: Any) -> ReportEvent:
    return ReportEvent.objects.create(
        report=report, kind=kind, actor=actor if isinstance(actor, User) else None, **fields
    )


def _save(report: Report, *fields: str) -> None:
    report.save(update_fields=[*fields, "updated_at"])


def _change_status(
    report: Report, to_status: str, actor: Actor | None, *, public_message: str = "", reason: str = ""
) -> ReportEvent:
    from_status = report.status
    if to_status not in TRANSITIONS.get(from_status, set()):
        raise WorkflowError(
            _("Không thể chuyển trạng thái từ “%(from)s” sang “%(to)s”.")
            % {"from": Status(from_status).label, "to": Status(to_status).label}
        )
    if to_status in {Status.REJECTED, Status.TRANSFERRED} and not reason.strip():
        raise WorkflowError(_("Cần nêu lý do khi từ chối hoặc chuyển đơn vị."))
    if to_status == Status.RESOLVED and not public_message.strip():
        raise WorkflowError(_("Cần có nội dung trả lời người dân khi kết thúc xử lý."))
    now = timezone.now()
    report.status = to_status
    changed = ["status"]
    if to_status == Status.RESOLVED:
        report.resolved_at = now
        changed.append("resolved_at")
    elif from_status == Status.RESOLVED:  # reopened: the earlier resolution no longer counts
        report.resolved_at = None
        changed.append("resolved_at")
    if to_status == Status.CLOSED:
        report.closed_at = now
        changed.append("closed_at")
    _save(report, *changed)
    event = _event(
        report,
        EventKind.STATUS,
        actor,
        from_status=from_status,
        to_status=to_status,
        public=True,
        message=public_message.strip(),
        data={"reason": reason.strip()} if reason.strip() else {},
    )
    notify.notify_citizen(report, event)
    return event


# --- state changes ------------------------------------------------------------------------------------


@transaction.atomic
def transition(
    report: Report, to_status: str, officer: Actor, *, public_message: str = "", reason: str = ""
) -> Report:
    """Move ``report`` along ``choices.TRANSITIONS``; rejecting or transferring needs a ``reason``,
    resolving needs the ``public_message`` the citizen will read."""
    report = _lock(report)
    require_handler(officer, report)
    _change_status(report, to_status, officer, public_message=public_message, reason=reason)
    return report


@transaction.atomic
def assign(report: Report, target: User | OrganisationUnit, by: Actor) -> Report:
    """Give the report to an officer of its unit, or route it to a unit (dispatch)."""
    report = _lock(report)
    require_handler(by, report)
    if isinstance(target, OrganisationUnit):
        return _route(report, target, by)
    return _assign_officer(report, target, by)


def _assign_officer(report: Report, officer: User, by: Actor) -> Report:
    if not may_assign_to(by, officer, report):
        raise PermissionDenied
    previous = report.assigned_to_id
    report.assigned_to = officer
    _save(report, "assigned_to")
    name = getattr(getattr(officer, "profile", None), "full_name", "") or officer.get_username()
    _event(
        report,
        EventKind.ASSIGNED,
        by,
        message=name,
        data={"officer_id": officer.pk, "officer": officer.get_username(), "previous_id": previous},
    )
    if report.status in {Status.RECEIVED, Status.TRANSFERRED}:
        _change_status(report, Status.ASSIGNED, by)
    return report


def _route(report: Report, unit: OrganisationUnit, by: Actor) -> Report:
    if not (is_dispatcher(by) or can_access_unit(by, unit)):
        raise PermissionDenied
    previous = report.unit
    report.unit, report.assigned_to = unit, None
    fields = ["unit", "assigned_to"]
    if report.triage_state in {TriageState.DISPATCHER, TriageState.PENDING, TriageState.FAILED}:
        report.triage_state = TriageState.DONE
        fields.append("triage_state")
    _save(report, *fields)
    _event(
        report,
        EventKind.ASSIGNED,
        by,
        message=unit.name,
        data={"unit": unit.code, "from_unit": previous.code if previous else ""},
    )
    return report


@transaction.atomic
def bulk_assign(reports: Iterable[Report], officer: User, by: Actor) -> list[Report]:
    """Assign several reports at once; all or nothing (one refused report refuses the batch)."""
    return [assign(report, officer, by) for report in reports]


@transaction.atomic
def escalate(report: Report, by: Actor, reason: str) -> Report:
    """Hand the report up to the parent unit (e.g. a ward station to the city directorate)."""
    report = _lock(report)
    require_handler(by, report)
    if not reason.strip():
        raise WorkflowError(_("Cần nêu lý do chuyển cấp trên."))
    if report.unit is None or report.unit.parent_id is None:
        raise WorkflowError(_("Đơn vị này không có cấp trên để chuyển."))
    if report.status not in OPEN_STATUSES:
        raise WorkflowError(_("Phản ánh đã kết thúc, không thể chuyển cấp trên."))
    from_unit, to_unit = report.unit, report.unit.parent
    report.unit, report.assigned_to = to_unit, None
    _save(report, "unit", "assigned_to")
    _event(
        report,
        EventKind.ESCALATED,
        by,
        message=reason.strip(),
        data={"from_unit": from_unit.code, "to_unit": to_unit.code if to_unit else ""},
    )
    return report


@transaction.atomic
def transfer(report: Report, unit: OrganisationUnit, by: Actor, reason: str) -> Report:
    """Send the report to another unit that has competence (wrong ward, specialised department)."""
    report = _lock(report)
    require_handler(by, report)
    if not unit.is_active:
        raise WorkflowError(_("Đơn vị nhận không còn hoạt động."))
    if unit.pk == report.unit_id:
        raise WorkflowError(_("Phản ánh đang ở chính đơn vị này."))
    if not reason.strip():
        raise WorkflowError(_("Cần nêu lý do khi từ chối hoặc chuyển đơn vị."))
    from_unit = report.unit
    if report.status == Status.TRANSFERRED:
        # Already on its way and landed in the wrong place again: pass it on without a new status.
        _event(report, EventKind.STATUS, by, public=True, message=unit.name, data={"reason": reason.strip()})
    else:
        _change_status(report, Status.TRANSFERRED, by, public_message=unit.name, reason=reason)
    report.unit, report.assigned_to = unit, None
    _save(report, "unit", "assigned_to")
    _event(
        report,
        EventKind.ASSIGNED,
        by,
        message=unit.name,
        data={"unit": unit.code, "from_unit": from_unit.code if from_unit else "", "reason": reason.strip()},
    )
    return report


@transaction.atomic
def add_note(report: Report, by: Actor, text: str) -> ReportEvent:
    """An internal note: officers see it, the citizen never does."""
    report = _lock(report)
    require_handler(by, report)
    if not text.strip():
        raise WorkflowError(_("Nội dung ghi chú trống."))
    return _event(report, EventKind.NOTE, by, message=text.strip())


@transaction.atomic
def reply(report: Report, by: Actor, text: str) -> ReportEvent:
    """A public answer: shown on the status page and sent to the citizen."""
    report = _lock(report)
    require_handler(by, report)
    if not text.strip():
        raise WorkflowError(_("Nội dung trả lời trống."))
    event = _event(report, EventKind.REPLY, by, public=True, message=text.strip())
    notify.notify_citizen(report, event)
    return event


MERGED_NOTICE = {
    "vi": "Phản ánh này trùng nội dung với phản ánh {code} và được xử lý chung tại đó.",
    "en": "This report is about the same matter as report {code} and is handled together with it.",
}


@transaction.atomic
def merge_duplicates(primary: Report, others: Iterable[Report], by: Actor) -> Report:
    """Close ``others`` as duplicates of ``primary``; each citizen is told which report carries on."""
    primary = _lock(primary)
    require_handler(by, primary)
    if primary.duplicate_of_id is not None or primary.status not in OPEN_STATUSES:
        raise WorkflowError(_("Phản ánh chính phải đang mở và không phải là bản trùng."))
    merged: list[str] = []
    for candidate in others:
        other = _lock(candidate)
        if other.pk == primary.pk:
            continue
        require_handler(by, other)
        if other.status not in OPEN_STATUSES:
            raise WorkflowError(_("Phản ánh %(code)s đã kết thúc.") % {"code": other.tracking_code})
        from_status = other.status
        other.duplicate_of, other.status, other.closed_at = primary, Status.CLOSED, timezone.now()
        _save(other, "duplicate_of", "status", "closed_at")
        # Anything already merged into the duplicate now points at the report that carries on.
        Report.objects.filter(duplicate_of=other).update(duplicate_of=primary)
        event = _event(
            other,
            EventKind.MERGED,
            by,
            from_status=from_status,
            to_status=Status.CLOSED,
            public=True,
            message=MERGED_NOTICE[notify.language_of(other)].format(code=primary.tracking_code),
            data={"primary": primary.tracking_code},
        )
        notify.notify_citizen(other, event)
        merged.append(other.tracking_code)
    if not merged:
        raise WorkflowError(_("Chưa chọn phản ánh trùng nào."))
    _event(primary, EventKind.MERGED, by, message=", ".join(merged), data={"merged": merged})
    return primary


@transaction.atomic
def correct_triage(report: Report, by: Actor, field: str, value: str | int | OrganisationUnit) -> Report:
    """An officer overrides triage's category, unit or priority; recorded for retraining.

    Delegates to ``services.triage.record_correction`` where the triage module provides it, and
    makes sure the field, the correction row and the CORRECTED event exist either way.
    """
    report = _lock(report)
    require_handler(by, report)
    if field not in CORRECTABLE_FIELDS:
        raise WorkflowError(_("Không sửa được trường này."))
    new_value, unit = _parse_correction(field, value)
    if field == "unit":
        if not (is_dispatcher(by) or has_role(by, Role.UNIT_LEADER)):
            raise PermissionDenied  # an officer sends a report elsewhere with transfer(), giving a reason
        if not unit.is_active:  # type: ignore[union-attr]
            raise WorkflowError(_("Đơn vị nhận không còn hoạt động."))
    old_value = _current_value(report, field)
    if old_value == new_value:
        return report
    corrections_before = report.corrections.count()
    events_before = report.events.filter(kind=EventKind.CORRECTED).count()
    record_correction = _triage_hook("record_correction")
    if record_correction is not None:
        try:
            record_correction(report, by, field, new_value)
        except ValueError as exc:  # the triage module's own validation
            raise WorkflowError(str(exc)) from exc
        report.refresh_from_db()
    if report.corrections.count() == corrections_before:
        TriageCorrection.objects.create(
            report=report,
            field=field,
            old_value=old_value,
            new_value=new_value,
            officer=by if isinstance(by, User) else None,
        )
    _apply_correction(report, field, new_value, unit)
    if report.events.filter(kind=EventKind.CORRECTED).count() == events_before:
        _event(report, EventKind.CORRECTED, by, data={"field": field, "old": old_value, "new": new_value})
    return report


def _triage_hook(name: str) -> Any:
    """A function of the triage service, or None while that module is not installed."""
    try:
        module = importlib.import_module("thanglong.feedback.services.triage")
    except ImportError:
        return None
    return getattr(module, name, None)


def _parse_correction(field: str, value: str | int | OrganisationUnit) -> tuple[str, OrganisationUnit | None]:
    if field == "unit":
        if isinstance(value, OrganisationUnit):
            return value.code, value
        unit = OrganisationUnit.objects.filter(code=str(value)).first()
        if unit is None and str(value).isdigit():
            unit = OrganisationUnit.objects.filter(pk=int(value)).first()
        if unit is None:
            raise WorkflowError(_("Không tìm thấy đơn vị."))
        return unit.code, unit
    if field == "category":
        if str(value) not in Category.values:
            raise WorkflowError(_("Lĩnh vực không hợp lệ."))
        return str(value), None
    if not str(value).isdigit() or int(value) not in Priority.values:  # type: ignore[arg-type]
        raise WorkflowError(_("Mức ưu tiên không hợp lệ."))
    return str(int(value)), None  # type: ignore[arg-type]


def _current_value(report: Report, field: str) -> str:
    if field == "unit":
        return report.unit.code if report.unit else ""
    return str(getattr(report, field) or "")


def _apply_correction(report: Report, field: str, new_value: str, unit: OrganisationUnit | None) -> None:
    changed: list[str] = []
    if field == "unit":
        # A new unit decides who handles the report: whoever had it in the old unit lets go.
        if report.unit_id != (unit.pk if unit else None) or report.assigned_to_id is not None:
            report.unit, report.assigned_to = unit, None
            changed += ["unit", "assigned_to"]
    elif field == "category" and report.category != new_value:
        report.category = new_value
        changed.append("category")
    elif field == "priority" and str(report.priority) != new_value:
        report.priority = int(new_value)
        changed.append("priority")
    if field in {"category", "priority"}:
        due_at = _due_at(report)
        if due_at is not None and due_at != report.due_at:
            report.due_at = due_at
            changed.append("due_at")
    if report.unit_id is not None and report.category and report.triage_state != TriageState.DONE:
        report.triage_state = TriageState.DONE
        changed.append("triage_state")
    if changed:
        _save(report, *dict.fromkeys(changed))


def _due_at(report: Report) -> datetime | None:
    """The SLA deadline for the corrected category/priority, from the intake SLA rules when present."""
    try:
        from thanglong.feedback.services.sla import due_at_for
    except ImportError:
        return None
    due: datetime | None = due_at_for(report.received_at, report.category, report.priority)
    return due


# --- SLA alerts ---------------------------------------------------------------------------------------


def raise_sla_alerts(now: datetime | None = None) -> dict[str, int]:
    """Write one ALERT event per report and threshold (``overdue``, ``near_deadline``) and tell the
    assigned officer. Idempotent: a report already alerted for a threshold is skipped."""
    from thanglong.feedback.services import queries

    now = now or timezone.now()
    counts = {queries.OVERDUE: 0, queries.NEAR_DEADLINE: 0}
    for threshold, candidates in (
        (queries.OVERDUE, queries.needing_alert(queries.OVERDUE, now)),
        (queries.NEAR_DEADLINE, queries.needing_alert(queries.NEAR_DEADLINE, now)),
    ):
        for report_id in candidates.values_list("pk", flat=True):
            if _alert(report_id, threshold):
                counts[threshold] += 1
    return counts


@transaction.atomic
def _alert(report_id: int, threshold: str) -> bool:
    report = (
        Report.objects.select_for_update(of=("self",))
        .select_related("assigned_to__profile")
        .get(pk=report_id)
    )
    if report.events.filter(kind=EventKind.ALERT, data__threshold=threshold).exists():
        return False  # another run got here first
    due = report.due_at.isoformat() if report.due_at else ""
    _event(report, EventKind.ALERT, None, data={"threshold": threshold, "due_at": due})
    if report.assigned_to is not None:
        notify.notify_officer(report, report.assigned_to, threshold)
    return True
