"""Officer console for citizens' reports: queue, dispatcher queue, report detail and actions, dashboard.

Views validate input and call :mod:`.services.workflow`; they hold no rules of their own. A report
the officer may not handle answers 404, so its existence is not disclosed.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, RequestDataTooBig, TooManyFilesSent
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thanglong.core.access import visible_units
from thanglong.core.models import OrganisationUnit, Role, Ward
from thanglong.core.roles import has_role, is_staff_member
from thanglong.core.services import request_context
from thanglong.core.views import _page_or_fragment, staff_required
from thanglong.feedback import attachments, forms
from thanglong.feedback.choices import Category, Channel, EventKind, Priority, Status
from thanglong.feedback.models import Attachment, AttachmentKind, Report, ReportEvent
from thanglong.feedback.services import IntakeError, queries, submit_report, workflow
from thanglong.feedback.services.notify import describe

PAGE_SIZE = 25
# Only raster formats are shown inline: SVG can carry script, and anything else is downloaded.
INLINE_IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif"}
_UNSAFE_FILENAME = re.compile(r"[^\w.\- ]+", re.UNICODE)


def _is_leader(user: Any) -> bool:
    return has_role(user, Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR)


def _report_or_404(user: Any, code: str) -> Report:
    report = (
        Report.objects.select_related("unit__parent", "ward", "assigned_to__profile", "duplicate_of")
        .filter(tracking_code=code)
        .first()
    )
    if report is None or not workflow.can_handle(user, report):
        raise Http404
    return report


def _decorate(reports: list[Report]) -> list[Report]:
    """Per-row display values computed in Python from what the queue query already loaded."""
    now = timezone.now()
    cutoff = queries.near_deadline_cutoff(now)
    for report in reports:
        report.deadline_state = queries.deadline_state(report, now, cutoff)  # type: ignore[attr-defined]
        report.excerpt = workflow.redacted_text(report)[:160]  # type: ignore[attr-defined]
    return reports


def _assignable_officers(user: Any, units: QuerySet[OrganisationUnit]) -> QuerySet[User]:
    if _is_leader(user):
        return forms.officers_of(units)
    return User.objects.filter(pk=user.pk).select_related("profile")  # an officer takes reports themselves


# --- queue --------------------------------------------------------------------------------------------


@staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    form = forms.QueueFilterForm(request.GET or None, user=request.user)
    reports = queries.queue(request.user, form.filters())
    page = Paginator(reports, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _decorate(list(page.object_list))
    context = {
        "form": form,
        "page": page,
        "narrowed": _narrowed_by(form),
        "officers": _assignable_officers(request.user, visible_units(request.user)),
        "is_leader": _is_leader(request.user),
        "can_dispatch": workflow.is_dispatcher(request.user) or _is_leader(request.user),
    }
    return _page_or_fragment(
        request, "feedback/console/queue.html", "feedback/console/_queue_table.html", context
    )


def _narrowed_by(form: forms.QueueFilterForm) -> list[str]:
    """The dashboard-set filters in words (ward, time window): they have no visible control of their own."""
    filters = form.filters()
    said: list[str] = []
    if filters.ward == queries.NO_WARD:
        said.append(str(_("chưa xác định phường/xã")))
    elif filters.ward:
        ward = Ward.objects.filter(pk=filters.ward).first()
        said.append(ward.full_name if ward else filters.ward)
    moment = "%H:%M %d/%m/%Y"
    if filters.received_after is not None:
        local = timezone.localtime(filters.received_after)
        said.append(str(_("nhận sau %(time)s")) % {"time": local.strftime(moment)})
    if filters.received_before is not None:
        local = timezone.localtime(filters.received_before)
        said.append(str(_("nhận đến %(time)s")) % {"time": local.strftime(moment)})
    return said


@staff_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    units = visible_units(request.user)
    form = forms.BulkAssignForm(
        request.POST,
        reports=queries.scope_reports(Report.objects.all(), request.user),
        officers=_assignable_officers(request.user, units),
    )
    if not form.is_valid():
        messages.error(request, _("Chọn ít nhất một phản ánh và một cán bộ."))
    else:
        try:
            done = workflow.bulk_assign(
                form.cleaned_data["reports"], form.cleaned_data["officer"], request.user
            )
        except workflow.WorkflowError as exc:
            messages.error(request, " ".join(exc.messages))
        except PermissionDenied:
            messages.error(
                request, _("Có phản ánh không thể giao cho cán bộ này; không phản ánh nào được giao.")
            )
        else:
            messages.success(request, _("Đã giao %(count)d phản ánh.") % {"count": len(done)})
    return redirect(_safe_next(request, reverse("feedback_console:queue")))


def _safe_next(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# --- a report taken by phone ----------------------------------------------------------------------------


def _phone_form_page(request: HttpRequest, form: forms.PhoneReportForm, status: int = 200) -> HttpResponse:
    bounds = attachments.limits()
    context = {
        "form": form,
        "max_files": bounds.max_files,
        "max_file_mb": bounds.max_file_bytes // attachments.MB,
        "max_video_mb": bounds.max_video_bytes // attachments.MB,
    }
    response = render(request, "feedback/console/phone_new.html", context, status=status)
    response["Cache-Control"] = "private, no-store"  # the caller's personal data
    return response


@never_cache
@staff_required
@require_http_methods(["GET", "POST"])
def phone_report(request: HttpRequest) -> HttpResponse:
    """An officer records what a citizen reports by phone; the report enters the same intake as any other."""
    fresh = forms.PhoneReportForm(initial={"idempotency_key": forms.new_idempotency_key()})
    if request.method == "GET":
        return _phone_form_page(request, fresh)
    try:
        form = forms.PhoneReportForm(request.POST)
        files = request.FILES.getlist("files")
    except (RequestDataTooBig, TooManyFilesSent):
        messages.error(
            request, _("Tệp đính kèm quá lớn hoặc quá nhiều. Hãy gửi ít tệp hơn hoặc tệp nhỏ hơn.")
        )
        return _phone_form_page(request, fresh, status=413)
    if not form.is_valid():
        return _phone_form_page(request, form, status=422)
    try:
        report, _created = submit_report(
            # The caller's language is re-detected from the text by triage; most calls are in Vietnamese.
            {**form.intake_data(), "lang": "vi"},
            files,
            channel=Channel.PHONE,
            idempotency_key=form.cleaned_data["idempotency_key"] or None,
            user=request.user,
        )
    except IntakeError as error:
        language = get_language()
        for problem in error.errors:
            form.add_error(problem.field if problem.field in form.fields else None, problem.message(language))
        return _phone_form_page(request, form, status=413 if error.status == 413 else 422)
    messages.success(
        request,
        _("Đã tiếp nhận phản ánh %(code)s. Hãy đọc mã này cho người gọi để tra cứu kết quả.")
        % {"code": report.tracking_code},
    )
    # Triage may already have routed it to a unit this officer does not see.
    routed = Report.objects.select_related("unit").get(pk=report.pk)
    if workflow.can_handle(request.user, routed):
        return redirect("feedback_console:detail", report.tracking_code)
    messages.info(request, _("Phản ánh đã được chuyển tới đơn vị xử lý hoặc bộ phận điều phối."))
    return redirect("feedback_console:queue")


# --- dispatcher queue ---------------------------------------------------------------------------------


def _require_dispatch(user: Any) -> None:
    if not (workflow.is_dispatcher(user) or _is_leader(user)):
        raise PermissionDenied


@staff_required
@require_GET
def dispatch(request: HttpRequest) -> HttpResponse:
    _require_dispatch(request.user)
    page = Paginator(queries.dispatcher_queue(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = _decorate(list(page.object_list))
    context = {
        "page": page,
        "categories": Category.choices,
        "units": OrganisationUnit.objects.filter(is_active=True).order_by("path").only("code", "name"),
    }
    return render(request, "feedback/console/dispatch.html", context)


# --- report detail --------------------------------------------------------------------------------------


def _triage_view(report: Report) -> dict[str, Any]:
    """Scores and reasons as triage stored them, in a shape the template can list."""
    triage = report.triage or {}
    scores = triage.get("scores") or triage.get("category_scores") or {}
    rows = []
    if isinstance(scores, dict):
        for key, value in scores.items():
            try:
                score = float(value)
            except (TypeError, ValueError):
                continue
            label = Category(key).label if key in Category.values else key
            rows.append({"key": key, "label": label, "score": score})
    rows.sort(key=lambda row: -row["score"])
    reasons = triage.get("reasons") or []
    return {
        "scores": rows[:6],
        "reasons": [str(reason) for reason in reasons] if isinstance(reasons, list) else [str(reasons)],
        "engine": str(triage.get("engine", "")),
    }


def _detail_context(request: HttpRequest, report: Report) -> dict[str, Any]:
    user = request.user
    unit_subtree = (
        OrganisationUnit.objects.filter(path__startswith=report.unit.path)
        if report.unit
        else OrganisationUnit.objects.none()
    )
    candidates = queries.merge_candidates(report, user)
    cluster = list(
        Report.objects.filter(Q(duplicate_of=report) | Q(pk=report.duplicate_of_id or 0))
        .select_related("unit")
        .order_by("received_at")
    )
    events = list(ReportEvent.objects.filter(report=report).select_related("actor__profile"))
    labels = dict(Status.choices)
    for event in events:
        event.from_label = labels.get(event.from_status, event.from_status)  # type: ignore[attr-defined]
        event.to_label = labels.get(event.to_status, event.to_status)  # type: ignore[attr-defined]
    return {
        "report": report,
        "contact": workflow.masked_contact(report),
        "can_reveal": workflow.may_see_contact(user, report),
        "reveal_form": forms.RevealContactForm(),
        "attachments": list(Attachment.objects.filter(report=report)),
        "events": events,
        "alerts": [event for event in events if event.kind == EventKind.ALERT],
        "triage": _triage_view(report),
        "notifications": [describe(item) for item in report.notifications.all()],
        "assign_form": forms.AssignForm(officers=_assignable_officers(user, unit_subtree)),
        "transition_form": forms.TransitionForm(report=report),
        "note_form": forms.TextForm(prefix="note"),
        "reply_form": forms.TextForm(prefix="reply"),
        "escalate_form": forms.ReasonForm(prefix="escalate"),
        "transfer_form": forms.TransferForm(report=report),
        "merge_form": forms.MergeForm(candidates=candidates),
        "candidates": candidates,
        "cluster": cluster,
        "categories": Category.choices,
        "priorities": Priority.choices,
        "can_correct_unit": workflow.is_dispatcher(user) or has_role(user, Role.UNIT_LEADER),
        "is_open": report.status in queries.OPEN_STATUSES,
    }


@staff_required
@require_GET
def detail(request: HttpRequest, code: str) -> HttpResponse:
    report = _report_or_404(request.user, code)
    return render(request, "feedback/console/detail.html", _detail_context(request, report))


@staff_required
@require_POST
def reveal_contact(request: HttpRequest, code: str) -> HttpResponse:
    report = _report_or_404(request.user, code)
    form = forms.RevealContactForm(request.POST)
    contact = workflow.masked_contact(report)
    if form.is_valid():
        contact = workflow.read_contact(
            report, request.user, reason=form.cleaned_data["reason"], context=request_context(request)
        )
    context = {"report": report, "contact": contact, "can_reveal": True, "reveal_form": form}
    response = render(
        request,
        "feedback/console/_contact.html"
        if request.headers.get("HX-Request")
        else "feedback/console/contact.html",
        context,
    )
    response["Cache-Control"] = "private, no-store"  # personal data: never kept by a browser or proxy
    return response


@login_required
@require_GET
def attachment(request: HttpRequest, code: str, attachment_id: int) -> HttpResponseBase:
    if not is_staff_member(request.user):
        raise PermissionDenied
    report = _report_or_404(request.user, code)
    item = get_object_or_404(Attachment, pk=attachment_id, report=report)
    inline = item.kind == AttachmentKind.IMAGE and item.content_type in INLINE_IMAGE_TYPES
    content_type = (
        item.content_type if inline or item.kind != AttachmentKind.IMAGE else "application/octet-stream"
    )
    filename = _UNSAFE_FILENAME.sub("_", item.original_name)[:120] or f"attachment{item.extension}"
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type, as_attachment=not inline, filename=filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- actions ----------------------------------------------------------------------------------------------


def _act(request: HttpRequest, code: str, perform: Callable[[Report], str]) -> HttpResponse:
    """Run one workflow action; errors of the workflow come back as a message on the detail page."""
    report = _report_or_404(request.user, code)
    try:
        done = perform(report)
    except workflow.WorkflowError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if done:
            messages.success(request, done)
    target = reverse("feedback_console:detail", args=[report.tracking_code])
    if not workflow.can_handle(request.user, Report.objects.select_related("unit").get(pk=report.pk)):
        target = reverse("feedback_console:queue")  # escalated or transferred out of this officer's reach
    return redirect(_safe_next(request, target))


def _invalid(form: Any) -> str:
    raise workflow.WorkflowError([str(error) for errors in form.errors.values() for error in errors])


@staff_required
@require_POST
def assign(request: HttpRequest, code: str) -> HttpResponse:
    def perform(report: Report) -> str:
        subtree = (
            OrganisationUnit.objects.filter(path__startswith=report.unit.path)
            if report.unit
            else visible_units(request.user)
        )
        form = forms.AssignForm(request.POST, officers=_assignable_officers(request.user, subtree))
        if not form.is_valid():
            return _invalid(form)
        workflow.assign(report, form.cleaned_data["officer"], request.user)
        return _("Đã phân công.")

    return _act(request, code, perform)


@staff_required
@require_POST
def transition(request: HttpRequest, code: str) -> HttpResponse:
    def perform(report: Report) -> str:
        form = forms.TransitionForm(request.POST, report=report)
        if not form.is_valid():
            return _invalid(form)
        workflow.transition(
            report,
            form.cleaned_data["to_status"],
            request.user,
            public_message=form.cleaned_data["public_message"],
            reason=form.cleaned_data["reason"],
        )
        return _("Đã cập nhật trạng thái.")

    return _act(request, code, perform)


@staff_required
@require_POST
def note(request: HttpRequest, code: str) -> HttpResponse:
    def perform(report: Report) -> str:
        form = forms.TextForm(request.POST, prefix="note")
        if not form.is_valid():
            return _invalid(form)
        workflow.add_note(report, request.user, form.cleaned_data["text"])
        return _("Đã thêm ghi chú nội bộ.")

    return _act(request, code, perform)


@staff_required
@require_POST
def reply(request: HttpRequest, code: str) -> HttpResponse:
    def perform(report: Report) -> str:
        form = forms.TextForm(request.POST, prefix="reply")
        if not form.is_valid():
            return _invalid(form)
        workflow.reply(report, request.user, form.cleaned_data["text"])
        return _("Đã gửi trả lời cho người dân.")

    return _act(request, code, perform)


@staff_required
@require_POST
def escalate(request: HttpRequest, code: str) -> HttpResponse:
    def perform(report: Report) -> str:
        form = forms.ReasonForm(request.POST, prefix="escalate")
        if not form.is_valid():
            return _invalid(form)
        workflow.escalate(report, request.user, form.cleaned_data["reason"])
        return _("Đã chuyển lên đơn vị cấp trên.")

    return _act(request, code, perform)


@staff_required
@require_POST
def transfer(request: HttpRequest, code: str) -> HttpResponse:
    def perform(report: Report) -> str:
        form = forms.TransferForm(request.POST, report=report)
        if not form.is_valid():
            return _invalid(form)
        workflow.transfer(report, form.cleaned_data["unit"], request.user, form.cleaned_data["reason"])
        return _("Đã chuyển phản ánh sang đơn vị khác.")

    return _act(request, code, perform)


@staff_required
@require_POST
def merge(request: HttpRequest, code: str) -> HttpResponse:
    def perform(report: Report) -> str:
        form = forms.MergeForm(request.POST, candidates=queries.merge_candidates(report, request.user))
        if not form.is_valid():
            return _invalid(form)
        workflow.merge_duplicates(report, list(form.cleaned_data["others"]), request.user)
        return _("Đã gộp các phản ánh trùng.")

    return _act(request, code, perform)


@staff_required
@require_POST
def correct(request: HttpRequest, code: str) -> HttpResponse:
    def perform(report: Report) -> str:
        form = forms.CorrectionForm(request.POST)
        if not form.is_valid():
            return _invalid(form)
        workflow.correct_triage(report, request.user, form.cleaned_data["field"], form.cleaned_data["value"])
        return _("Đã sửa kết quả phân loại.")

    return _act(request, code, perform)


# --- leader dashboard -------------------------------------------------------------------------------------


@staff_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    if not _is_leader(request.user):
        raise PermissionDenied
    rows = queries.leader_stats(request.user)
    context = {"rows": rows, "totals": queries.totals(rows), "window_days": queries.STATS_WINDOW_DAYS}
    return render(request, "feedback/console/dashboard.html", context)
