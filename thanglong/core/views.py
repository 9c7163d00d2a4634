"""HTML pages of the shell: citizen home, officer console, and the core reference pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required, user_passes_test
from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_tasks.exceptions import TaskResultDoesNotExist

from thanglong.core import calendar as working_calendar
from thanglong.core import services
from thanglong.core.access import visible_units
from thanglong.core.models import AuditAction, AuditEntry, CalendarDay, Province, Role, Ward
from thanglong.core.roles import has_role, is_staff_member
from thanglong.core.text import fold

MAX_WORKING_DAYS = 3650  # ten years: longer is a typo, and the count is a day-by-day walk


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in and working for a unit; anonymous visitors are sent to log in, citizens refused."""

    def check(user: User | AnonymousUser) -> bool:
        if not user.is_authenticated:
            return False
        if not is_staff_member(user):
            raise PermissionDenied
        return True

    return user_passes_test(check)(view)


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html", {"province_count": Province.objects.count()})


@staff_required
def console(request: HttpRequest) -> HttpResponse:
    units = visible_units(request.user).select_related("ward")
    today = timezone.localdate()
    context = {
        "memberships": request.user.memberships.select_related("unit"),  # type: ignore[union-attr]
        "unit_count": units.count(),
        "ward_station_count": units.filter(kind="ward_station").count(),
        "today": today,
        "is_working_day": working_calendar.is_working_day(today),
        "next_working_day": working_calendar.add_working_days(today, 1),
        "upcoming_days_off": CalendarDay.objects.filter(date__gte=today).exclude(kind="makeup_workday")[:3],
    }
    return render(request, "core/console.html", context)


@staff_required
def units(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    qs = (
        visible_units(request.user)
        .select_related("ward", "parent")
        .annotate(member_count=Count("memberships"))
    )
    if query:
        # Officers type without accents as often as with them: match on the folded name.
        qs = qs.filter(Q(search_name__contains=fold(query)) | Q(code__icontains=query))
    page = Paginator(qs.order_by("path"), 50).get_page(request.GET.get("page"))
    return _page_or_fragment(
        request, "core/units.html", "core/_units_table.html", {"page": page, "query": query}
    )


def _page_or_fragment(
    request: HttpRequest, page: str, fragment: str, context: dict[str, Any]
) -> HttpResponse:
    """htmx asks for the fragment, a browser for the page: one URL, two bodies, so caches must vary."""
    response = render(request, fragment if request.headers.get("HX-Request") else page, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@staff_required
def divisions(request: HttpRequest) -> HttpResponse:
    provinces = Province.objects.annotate(ward_count=Count("wards"))
    province_code = request.GET.get("province", settings.THANGLONG["CITY_PROVINCE_CODE"])
    wards = Ward.objects.filter(province_id=province_code).prefetch_related("legacy_wards")
    context = {"provinces": provinces, "province_code": province_code, "wards": wards}
    return render(request, "core/divisions.html", context)


@staff_required
def calendar_view(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", timezone.localdate().year))
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    days = CalendarDay.objects.filter(date__year=year)
    result = None
    start_raw, count_raw = request.GET.get("start"), request.GET.get("days")
    if start_raw and count_raw:
        try:
            start = date.fromisoformat(start_raw)
            count = int(count_raw)
            if abs(count) > MAX_WORKING_DAYS:
                raise ValueError(count)
            result = {"start": start, "days": count, "end": working_calendar.add_working_days(start, count)}
        except (ValueError, OverflowError):
            result = {"error": True}
    return render(request, "core/calendar.html", {"year": year, "days": days, "result": result})


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied
    qs = AuditEntry.objects.select_related("actor")
    actor = request.GET.get("actor", "").strip()
    action = request.GET.get("action", "").strip()
    if actor:
        qs = qs.filter(actor_username__icontains=actor)
    if action in AuditAction.values:
        qs = qs.filter(action=action)
    else:
        action = ""
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    context = {"page": page, "actor": actor, "action": action, "action_choices": AuditAction.choices}
    return render(request, "core/audit.html", context)


@staff_required
def address_check(request: HttpRequest) -> HttpResponse:
    from thanglong.core.address import normalise_address

    text = request.GET.get("q", "").strip()[:500]
    result = normalise_address(text) if text else None
    template = "core/_address_result.html" if request.headers.get("HX-Request") else "core/address.html"
    return render(request, template, {"q": text, "result": result})


@login_required
@require_POST
def import_divisions_job(request: HttpRequest) -> HttpResponse:
    result = services.start_divisions_import(request.user, context=services.request_context(request))
    return render(request, "core/_job_status.html", {"job": services.describe_job(result)})


@login_required
def job_status(request: HttpRequest, job_id: str) -> HttpResponse:
    try:
        job = services.describe_job(services.job_status(request.user, job_id))
    except (TaskResultDoesNotExist, ValidationError, ValueError) as exc:
        raise Http404 from exc
    return render(request, "core/_job_status.html", {"job": job})
