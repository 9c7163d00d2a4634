"""Programme targets: where each stands, which are at risk, and units' progress reports with evidence.

At-risk rule (stated on the page): progress is the share of the way from the baseline to the target
value that the latest report covers; the expected share grows linearly from the start date (0 %) to the
deadline (100 %). A target is

* achieved — the latest value reached the target value;
* missed — the deadline has passed without that;
* at risk — progress is more than ``THANGLONG_COMMAND_AT_RISK_MARGIN`` points (default 10) behind the
  expected share, or the last report is older than ``THANGLONG_COMMAND_STALE_DAYS`` (default 45), or
  there is no report once a quarter of the time has gone;
* on track — otherwise.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from thanglong.command import evidence
from thanglong.command.models import Direction, Target, TargetEvidence, TargetProgress, evidence_path
from thanglong.core.access import can_access_unit, sees_all_units, visible_units
from thanglong.core.models import AuditAction
from thanglong.core.services import RequestContext, record_audit

Actor = User | AnonymousUser

ACHIEVED, MISSED, AT_RISK, ON_TRACK, NO_DATA = "achieved", "missed", "at_risk", "on_track", "no_data"
STATE_LABELS = {
    ACHIEVED: gettext_lazy("Đã đạt"),
    MISSED: gettext_lazy("Không đạt đúng hạn"),
    AT_RISK: gettext_lazy("Có nguy cơ không đạt"),
    ON_TRACK: gettext_lazy("Đúng tiến độ"),
    NO_DATA: gettext_lazy("Chưa có báo cáo"),
}
STATE_ORDER = {MISSED: 0, AT_RISK: 1, NO_DATA: 2, ON_TRACK: 3, ACHIEVED: 4}


def at_risk_margin() -> float:
    return float(getattr(settings, "THANGLONG_COMMAND_AT_RISK_MARGIN", 10)) / 100


def stale_days() -> int:
    return int(getattr(settings, "THANGLONG_COMMAND_STALE_DAYS", 45))


@dataclass
class TargetStatus:
    target: Target
    latest: TargetProgress | None
    progress: float | None  # 0..1 (may exceed 1) of the way from baseline to target
    expected: float  # 0..1 of the time elapsed
    state: str
    reasons: list[str]

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def at_risk(self) -> bool:
        return self.state in (AT_RISK, MISSED)

    @property
    def progress_percent(self) -> int | None:
        return None if self.progress is None else round(100 * self.progress)

    @property
    def expected_percent(self) -> int:
        return round(100 * self.expected)


def share_of_way(target: Target, value: Decimal) -> float:
    span = target.target_value - target.baseline
    if span == 0:
        return 1.0
    return float((value - target.baseline) / span)


def reached(target: Target, value: Decimal) -> bool:
    if target.direction == Direction.DECREASE:
        return value <= target.target_value
    return value >= target.target_value


def elapsed_share(target: Target, today: date) -> float:
    total = (target.deadline - target.start_date).days
    done = (today - target.start_date).days
    return min(1.0, max(0.0, done / total)) if total > 0 else 1.0


def evaluate(target: Target, latest: TargetProgress | None, today: date | None = None) -> TargetStatus:
    today = today or timezone.localdate()
    expected = elapsed_share(target, today)
    if latest is None:
        state = AT_RISK if expected >= 0.25 else NO_DATA
        if today > target.deadline:
            state = MISSED
        missing = [_("Đơn vị chủ trì chưa báo cáo tiến độ.")]
        return TargetStatus(target, None, None, expected, state, missing)
    progress = share_of_way(target, latest.value)
    reasons: list[str] = []
    if reached(target, latest.value):
        state = ACHIEVED
    elif today > target.deadline:
        state = MISSED
        reasons.append(_("Đã quá thời hạn %(date)s.") % {"date": f"{target.deadline:%d/%m/%Y}"})
    else:
        state = ON_TRACK
        if progress < expected - at_risk_margin():
            state = AT_RISK
            reasons.append(
                _("Mới đạt %(done)d%% lộ trình, theo thời gian phải đạt khoảng %(expected)d%%.")
                % {"done": round(100 * progress), "expected": round(100 * expected)}
            )
        if (today - latest.as_of).days > stale_days():
            state = AT_RISK
            reasons.append(_("Báo cáo gần nhất đã cũ (%(date)s).") % {"date": f"{latest.as_of:%d/%m/%Y}"})
    return TargetStatus(target, latest, progress, expected, state, reasons)


def visible_targets(user: Actor) -> QuerySet[Target]:
    qs = Target.objects.filter(is_active=True).select_related("owner_unit")
    if not sees_all_units(user):
        qs = qs.filter(owner_unit__in=visible_units(user))
    return qs


def statuses(user: Actor, today: date | None = None) -> list[TargetStatus]:
    """Every target the user may see with its state; missed and at-risk first."""
    return _evaluated(visible_targets(user), today)


def statuses_for_units(unit_ids: Sequence[int], today: date | None = None) -> list[TargetStatus]:
    """Targets owned by these units (for a unit's report, whoever generates it)."""
    targets = Target.objects.filter(is_active=True, owner_unit_id__in=list(unit_ids)).select_related(
        "owner_unit"
    )
    return _evaluated(targets, today)


def _evaluated(targets: QuerySet[Target], today: date | None) -> list[TargetStatus]:
    latest_first = TargetProgress.objects.order_by("-as_of", "-id")
    result = []
    for target in targets.prefetch_related(Prefetch("progress_reports", queryset=latest_first)):
        reports = list(target.progress_reports.all())
        result.append(evaluate(target, reports[0] if reports else None, today))
    result.sort(key=lambda status: (STATE_ORDER[status.state], status.target.code))
    return result


def can_report(user: Actor, target: Target) -> bool:
    return user.is_authenticated and can_access_unit(user, target.owner_unit)


def history(target: Target) -> list[TargetProgress]:
    return list(
        target.progress_reports.select_related("reported_by__profile")
        .prefetch_related("evidence")
        .order_by("as_of", "id")
    )


class ProgressError(ValueError):
    def __init__(self, errors: list[evidence.EvidenceError]) -> None:
        super().__init__("; ".join(error.message_en for error in errors))
        self.errors = errors


def report_progress(
    user: Actor,
    target: Target,
    *,
    value: Decimal,
    as_of: date,
    note: str = "",
    files: Sequence[UploadedFile] = (),
    context: RequestContext | None = None,
) -> TargetProgress:
    """Record where ``target`` stands, with its evidence files, in one transaction (all or nothing)."""
    if not can_report(user, target):
        raise PermissionDenied
    problems: list[evidence.EvidenceError] = []
    if len(files) > evidence.max_files():
        problems.append(
            evidence.EvidenceError(
                _("Tối đa %(count)d tệp minh chứng.") % {"count": evidence.max_files()},
                f"At most {evidence.max_files()} evidence files.",
            )
        )
    if as_of > timezone.localdate():
        problems.append(
            evidence.EvidenceError(
                _("Ngày số liệu không được ở tương lai."), "The as-of date cannot be in the future."
            )
        )
    checked = []
    for upload in files:
        try:
            checked.append((upload, *evidence.check(upload)))
        except evidence.EvidenceError as error:
            problems.append(error)
    if problems:
        raise ProgressError(problems)
    with transaction.atomic():
        progress = TargetProgress.objects.create(
            target=target,
            value=value,
            as_of=as_of,
            note=note.strip(),
            reported_by=user if isinstance(user, User) else None,
        )
        for upload, detected, sha256 in checked:
            item = TargetEvidence(
                progress=progress,
                original_name=(upload.name or "file")[:255],
                content_type=detected.content_type,
                extension=detected.extension,
                size=upload.size or 0,
                sha256=sha256,
            )
            path = evidence_path(item, "")
            if not default_storage.exists(path):
                # Same bytes, same name: a file two reports share is written once.
                path = default_storage.save(path, upload)
            item.file.name = path
            item.save()
        record_audit(
            actor=user,
            action=AuditAction.CREATE,
            object_type="command.targetprogress",
            object_id=progress.pk,
            object_repr=f"{target.code}: {value} ({as_of:%d/%m/%Y})",
            context=context,
        )
    return progress
