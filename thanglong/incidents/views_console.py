"""The call-taker's console: incident list, intake form, the live incident page and its actions.

Views validate input and call :mod:`.services`; an incident the reader may not see answers 404.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from thanglong.core.pii import mask_plate
from thanglong.core.services import request_context
from thanglong.core.views import _page_or_fragment, staff_required
from thanglong.incidents import forms, services
from thanglong.incidents.choices import Status
from thanglong.incidents.models import Incident
from thanglong.incidents.services import access, queries

PAGE_SIZE = 30


def _incident_or_404(request: HttpRequest, number: str) -> Incident:
    incident = (
        access.visible_incidents(request.user)
        .select_related("ward", "unit", "report")
        .filter(number=number)
        .first()
    )
    if incident is None:
        raise Http404
    return incident


@staff_required
@require_GET
def incident_list(request: HttpRequest) -> HttpResponse:
    form = forms.FilterForm(request.GET or None)
    filters = queries.Filters()
    if form.is_valid():
        data = form.cleaned_data
        filters = queries.Filters(
            line=data["line"],
            status=data["status"],
            kind=data["kind"],
            priority=data["priority"],
            q=data["q"].strip(),
        )
    page = Paginator(queries.filtered(access.visible_incidents(request.user), filters), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "can_take_calls": access.can_take_calls(request.user)}
    return _page_or_fragment(
        request, "incidents/console/list.html", "incidents/console/_list_table.html", context
    )


@staff_required
@require_http_methods(["GET", "POST"])
def intake(request: HttpRequest) -> HttpResponse:
    if not access.can_take_calls(request.user):
        raise PermissionDenied
    form = forms.IntakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.open_incident(
                line=data["line"],
                kind=data["kind"],
                priority=data["priority"],
                caller_number=data["caller_number"],
                caller_name=data["caller_name"],
                location_text=data["location_text"],
                ward=data["ward"],
                summary=data["summary"],
                actor=request.user,
                context=request_context(request),
            )
        except services.IncidentError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message_vi)
        else:
            messages.success(request, _("Đã tiếp nhận sự vụ %(number)s.") % {"number": incident.number})
            return redirect("incidents:detail", number=incident.number)
    return render(
        request, "incidents/console/intake.html", {"form": form}, status=422 if form.errors else 200
    )


@staff_required
@require_GET
def ward_suggestion(request: HttpRequest) -> HttpResponse:
    """htmx: the ward the typed location falls in, pre-selected in the ward field."""
    location = request.GET.get("location_text", "")[:500]
    place = services.locate(location) if location.strip() else None
    form = forms.IntakeForm(initial={"ward": place.ward.pk if place and place.ward else None})
    return render(request, "incidents/console/_ward_field.html", {"form": form, "place": place})


def _detail_context(request: HttpRequest, incident: Incident) -> dict[str, Any]:
    return {
        "incident": incident,
        "events": incident.events.select_related("actor").all(),
        "transcript": incident.transcript.all(),
        "dispatches": incident.dispatches.select_related("unit").all(),
        "poll_seconds": settings.THANGLONG_INCIDENTS_POLL_SECONDS,
    }


@staff_required
@require_GET
def detail(request: HttpRequest, number: str) -> HttpResponse:
    incident = _incident_or_404(request, number)
    context = _detail_context(request, incident)
    can_handle = access.can_handle(request.user, incident)
    camera_events = [
        {"event": event, "plate": mask_plate(event.plate_text) if event.plate_text else ""}
        for event in queries.camera_events_near(incident)
    ]
    context.update(
        caller_number=access.caller_number_for(request.user, incident, context=request_context(request)),
        caller_number_masked=not access.may_see_caller_number(request.user),
        can_handle=can_handle,
        dispatch_form=forms.DispatchForm(incident_unit=incident.unit),
        close_form=forms.CloseForm(),
        hand_off_form=forms.HandOffForm(),
        note_form=forms.NoteForm(),
        camera_events=camera_events,
        can_arrive=incident.status == Status.DISPATCHED,
        can_dispatch=incident.status in (Status.RECEIVED, Status.DISPATCHED, Status.ON_SCENE),
        can_hand_off=incident.status == Status.RECEIVED,
    )
    return render(request, "incidents/console/detail.html", context)


@staff_required
@require_GET
def live(request: HttpRequest, number: str) -> HttpResponse:
    """htmx polling: the timeline, dispatched units and transcript as they are now (no personal data)."""
    incident = _incident_or_404(request, number)
    return render(request, "incidents/console/_live.html", _detail_context(request, incident))


def _act(request: HttpRequest, number: str) -> Incident:
    incident = _incident_or_404(request, number)
    if not access.can_handle(request.user, incident):
        raise PermissionDenied
    return incident


def _perform(
    request: HttpRequest,
    incident: Incident,
    action: Callable[[], object],
    ok: str,
    *,
    invalid: services.IncidentError | None = None,
) -> HttpResponse:
    """Run one action on the incident (unless the form was ``invalid``) and go back to its page with
    the outcome as a message: the service's own error in Vietnamese, or ``ok``."""
    error = invalid
    if error is None:
        try:
            action()
        except services.IncidentError as failure:
            error = failure
    if error is not None:
        messages.error(request, error.message_vi)
    else:
        messages.success(request, ok)
    return redirect("incidents:detail", number=incident.number)


@staff_required
@require_POST
def dispatch_view(request: HttpRequest, number: str) -> HttpResponse:
    incident = _act(request, number)
    form = forms.DispatchForm(request.POST, incident_unit=incident.unit)
    invalid = (
        None
        if form.is_valid()
        else services.IncidentError("units", _("Đơn vị: không hợp lệ."), "Units: not valid.")
    )
    return _perform(
        request,
        incident,
        lambda: services.dispatch(
            incident,
            units=form.chosen(),
            actor=request.user,
            note=form.cleaned_data["note"],
            context=request_context(request),
        ),
        _("Đã điều lực lượng."),
        invalid=invalid,
    )


@staff_required
@require_POST
def arrive_view(request: HttpRequest, number: str) -> HttpResponse:
    incident = _act(request, number)
    return _perform(
        request,
        incident,
        lambda: services.arrive(
            incident,
            actor=request.user,
            note=request.POST.get("note", "")[:2000],
            context=request_context(request),
        ),
        _("Đã ghi nhận lực lượng có mặt tại hiện trường."),
    )


@staff_required
@require_POST
def close_view(request: HttpRequest, number: str) -> HttpResponse:
    incident = _act(request, number)
    form = forms.CloseForm(request.POST)
    invalid = (
        None
        if form.is_valid()
        else services.IncidentError("outcome", _("Kết quả: không hợp lệ."), "Outcome: not valid.")
    )
    return _perform(
        request,
        incident,
        lambda: services.close(
            incident,
            actor=request.user,
            outcome=form.cleaned_data["outcome"],
            reason=form.cleaned_data["reason"],
            context=request_context(request),
        ),
        _("Đã kết thúc sự vụ."),
        invalid=invalid,
    )


@staff_required
@require_POST
def hand_off_view(request: HttpRequest, number: str) -> HttpResponse:
    incident = _act(request, number)
    form = forms.HandOffForm(request.POST)
    invalid = (
        None
        if form.is_valid()
        else services.IncidentError("reason", _("Lý do: bắt buộc."), "Reason: required.")
    )
    return _perform(
        request,
        incident,
        lambda: services.hand_off_to_feedback(
            incident,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            caller_consents=form.cleaned_data["caller_consents"],
            context=request_context(request),
        ),
        _("Đã chuyển thành phản ánh."),
        invalid=invalid,
    )


@staff_required
@require_POST
def note_view(request: HttpRequest, number: str) -> HttpResponse:
    incident = _act(request, number)
    return _perform(
        request,
        incident,
        lambda: services.add_note(
            incident, actor=request.user, note=request.POST.get("note", ""), context=request_context(request)
        ),
        _("Đã thêm ghi chú."),
    )
