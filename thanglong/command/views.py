"""Command console pages: live overview, unit performance and ranking, targets, reports; and the
public statistics page. Views validate input and call the services; figures come from the services."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from thanglong.command import charts, forms, performance, providers, public_stats, reports, targets
from thanglong.command.models import ReportStatus, Target, TargetEvidence
from thanglong.command.scope import scope_for
from thanglong.core.access import can_access_unit
from thanglong.core.models import OrganisationUnit, Role
from thanglong.core.roles import has_role
from thanglong.core.services import request_context
from thanglong.core.views import staff_required

LEADER_ROLES = (Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR)


def _require_leader(request: HttpRequest) -> None:
    if not has_role(request.user, *LEADER_ROLES):
        raise PermissionDenied


def _refresh_seconds() -> int:
    return int(getattr(settings, "THANGLONG_COMMAND_REFRESH_SECONDS", 30))


def _narrowed_unit(request: HttpRequest) -> OrganisationUnit | None:
    raw = request.GET.get("unit", "")
    if not raw.isdigit():
        return None
    unit = OrganisationUnit.objects.filter(pk=int(raw)).first()
    if unit is None or not can_access_unit(request.user, unit):
        raise Http404
    return unit


@staff_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    """The wall of the command centre; htmx re-fetches the panels every few seconds."""
    _require_leader(request)
    unit = _narrowed_unit(request)
    now = timezone.now()
    context = {
        "panels": providers.panels(request.user, scope_for(request.user, unit), now),
        "unit": unit,
        "now": now,
        "refresh_seconds": _refresh_seconds(),
    }
    fragment = request.headers.get("HX-Request") == "true"
    response = render(request, "command/_panels.html" if fragment else "command/overview.html", context)
    patch_vary_headers(response, ["HX-Request"])
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_GET
def unit_performance(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    form = forms.PeriodForm(request.GET or None, user=request.user)
    period, unit = form.chosen()
    rows = performance.unit_performance(scope_for(request.user, unit), period)
    medians_pending = not performance.medians_ready(period)
    ranked = [row for row in rows if row.rank is not None]
    context = {
        "form": form,
        "period": period,
        "previous": period.previous(),
        "following": period.next() if period.next().first_day <= timezone.localdate() else None,
        "unit": unit,
        "rows": rows,
        "total": performance.totals(rows),
        "weights": {name: round(100 * weight) for name, weight in performance.WEIGHTS.items()},
        "min_cases": performance.rank_min_cases(),
        "medians_pending": medians_pending,
        "chart": charts.horizontal_bars(
            [(row.unit.name, row.on_time_rate) for row in ranked[:30]],
            title=_("Tỷ lệ giải quyết đúng hạn theo đơn vị"),
        )
        if ranked
        else "",
    }
    return render(request, "command/performance.html", context)


# --- targets -------------------------------------------------------------------------------------------


@staff_required
@require_GET
def target_list(request: HttpRequest) -> HttpResponse:
    statuses = targets.statuses(request.user)
    counts: dict[str, int] = {}
    for status in statuses:
        counts[status.state] = counts.get(status.state, 0) + 1
    context = {
        "statuses": statuses,
        "counts": [
            (state, str(label), counts.get(state, 0)) for state, label in targets.STATE_LABELS.items()
        ],
        "at_risk": sum(1 for status in statuses if status.at_risk),
        "margin": round(100 * targets.at_risk_margin()),
        "stale_days": targets.stale_days(),
    }
    return render(request, "command/targets/list.html", context)


def _target_or_404(request: HttpRequest, code: str) -> Target:
    target = targets.visible_targets(request.user).filter(code=code).first()
    if target is None:
        raise Http404
    return target


@staff_required
@require_http_methods(["GET", "POST"])
def target_detail(request: HttpRequest, code: str) -> HttpResponse:
    target = _target_or_404(request, code)
    may_report = targets.can_report(request.user, target)
    form = forms.ProgressForm(initial={"as_of": timezone.localdate()})
    status = 200
    if request.method == "POST":
        if not may_report:
            raise PermissionDenied
        form = forms.ProgressForm(request.POST)
        if form.is_valid():
            try:
                targets.report_progress(
                    request.user,
                    target,
                    value=form.cleaned_data["value"],
                    as_of=form.cleaned_data["as_of"],
                    note=form.cleaned_data["note"],
                    files=request.FILES.getlist("files"),
                    context=request_context(request),
                )
            except targets.ProgressError as error:
                english = (get_language() or "vi").startswith("en")
                for problem in error.errors:
                    form.add_error(None, problem.message_en if english else problem.message_vi)
                status = 422
            else:
                messages.success(request, _("Đã ghi nhận báo cáo tiến độ."))
                return redirect("command:target_detail", target.code)
        else:
            status = 422
    history = targets.history(target)
    latest = history[-1] if history else None
    evaluated = targets.evaluate(target, latest)
    context = {
        "target": target,
        "status": evaluated,
        "history": list(reversed(history)),
        "may_report": may_report,
        "form": form,
        "max_files": targets.evidence.max_files(),
        "max_mb": targets.evidence.max_bytes() // targets.evidence.MB,
        "chart": charts.progress_line(
            [(f"{item.as_of:%m/%Y}", float(item.value)) for item in history],
            target=float(target.target_value),
            baseline=float(target.baseline),
            title=target.title,
        ),
    }
    return render(request, "command/targets/detail.html", context, status=status)


@staff_required  # type: ignore[arg-type]
@require_GET
def evidence_file(request: HttpRequest, evidence_id: int) -> HttpResponseBase:
    item = get_object_or_404(
        TargetEvidence.objects.select_related("progress__target__owner_unit"), pk=evidence_id
    )
    if not can_access_unit(request.user, item.progress.target.owner_unit):
        raise Http404
    try:
        handle = item.file.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=True,
        filename=f"minh-chung-{item.pk}{item.extension}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# --- reports -------------------------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def report_list(request: HttpRequest) -> HttpResponse:
    _require_leader(request)
    form = forms.ReportRequestForm(request.POST or None, user=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            report = reports.request_report(
                request.user,
                form.cleaned_data["unit"],
                form.cleaned_data["period_obj"],
                form.cleaned_data["format"],
                context=request_context(request),
            )
            messages.success(
                request, _("Đã gửi yêu cầu tạo báo cáo số %(number)d.") % {"number": report.number}
            )
            return redirect("command:reports")
        status = 422
    context: dict[str, Any] = {
        "form": form,
        "reports": reports.visible_reports(request.user)[:30],
        "pending": ReportStatus.PENDING,
    }
    return render(request, "command/reports/list.html", context, status=status)


@staff_required
@require_GET
def report_row(request: HttpRequest, report_id: int) -> HttpResponse:
    """One row of the reports table; polls itself until the job has finished."""
    _require_leader(request)
    report = get_object_or_404(reports.visible_reports(request.user), pk=report_id)
    return render(request, "command/reports/_row.html", {"report": report})


@staff_required  # type: ignore[arg-type]
@require_GET
def report_download(request: HttpRequest, report_id: int) -> HttpResponseBase:
    _require_leader(request)
    report = reports.report_for_download(request.user, report_id)
    if report is None:
        raise Http404
    try:
        handle = report.file.open("rb")
    except OSError as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        content_type=reports.CONTENT_TYPES[report.format],  # type: ignore[index]
        as_attachment=True,
        filename=reports.file_name(report),
    )
    response["Cache-Control"] = "private, no-store"
    return response


# --- public ----------------------------------------------------------------------------------------------


@require_GET
def public_statistics(request: HttpRequest) -> HttpResponse:
    stats = public_stats.cached()
    peak = max((received.value for _label, received, _resolved in stats.months), default=0)
    context = {
        "stats": stats,
        "min_count": public_stats.min_count(),
        "chart": charts.grouped_bars(
            [label for label, _received, _resolved in stats.months],
            [
                (_("Tiếp nhận"), [received.value for _label, received, _resolved in stats.months]),
                (_("Đã giải quyết"), [resolved.value for _label, _received, resolved in stats.months]),
            ],
            title=_("Phản ánh, kiến nghị theo tháng"),
        )
        if peak
        else "",
    }
    return render(request, "command/public/statistics.html", context)
