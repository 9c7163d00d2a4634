"""Officer console for Camera AI: registry and health, search and routes (with a stated reason),
evidence export, watch-lists, alerts and image uploads for analysis.

Views parse input and call the services; the services hold the rules (permissions, audit,
validation). A camera or event outside the user's units answers 404.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from thanglong.cameras import access
from thanglong.cameras.models import (
    Alert,
    AlertStatus,
    Camera,
    CameraKind,
    CameraStatus,
    EventKind,
    ImageUpload,
    WatchPerson,
    WatchReason,
)
from thanglong.cameras.services import alerts as alert_services
from thanglong.cameras.services import evidence, images, registry, search, uploads, watchlists
from thanglong.cameras.services.errors import CameraError
from thanglong.core.access import visible_units
from thanglong.core.models import AuditAction, Ward
from thanglong.core.services import record_audit, request_context
from thanglong.core.views import staff_required

PAGE_SIZE = 50


def _message(exc: CameraError) -> str:
    return exc.message_en if (get_language() or "vi").startswith("en") else exc.message_vi


def _wards() -> Any:
    from django.conf import settings

    return Ward.objects.filter(province_id=settings.THANGLONG["CITY_PROVINCE_CODE"]).order_by("name")


def _when(value: str, *, end: bool = False) -> datetime | None:
    """``2026-11-23T08:00`` (datetime-local) or ``2026-11-23`` (a whole day) in Vietnam time."""
    value = (value or "").strip()
    if not value:
        return None
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CameraError(
                "invalid_time", f"Thời điểm không hợp lệ: {value}", f"Invalid time: {value}", field="since"
            )
        moment = datetime.combine(day + timedelta(days=1) if end else day, time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


# --- registry and health ----------------------------------------------------------------------------


@staff_required
def index(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.VIEW)
    cameras = access.cameras_of(request.user).select_related("ward", "owner_unit")
    summary = registry.health(cameras)
    status = request.GET.get("status", "")
    ward = request.GET.get("ward", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "").strip()
    if status in CameraStatus.values:
        cameras = cameras.filter(status=status)
    if ward:
        cameras = cameras.filter(ward_id=ward)
    if kind in CameraKind.values:
        cameras = cameras.filter(kind=kind)
    if q:
        cameras = cameras.filter(name__icontains=q) | cameras.filter(code__icontains=q.upper())
    page = Paginator(cameras.order_by("code"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cameras/console/index.html",
        {
            "page": page,
            "summary": summary,
            "statuses": CameraStatus.choices,
            "kinds": CameraKind.choices,
            "wards": _wards(),
            "filters": {"status": status, "ward": ward, "kind": kind, "q": q},
            "can_edit": access.allowed(request.user, access.CHANGE_CAMERA),
            "can_search": access.allowed(request.user, access.SEARCH_EVENTS),
        },
    )


def _camera_or_404(request: HttpRequest, code: str) -> Camera:
    camera = access.cameras_of(request.user).select_related("ward", "owner_unit").filter(code=code).first()
    if camera is None:
        raise Http404
    return camera


@staff_required
def detail(request: HttpRequest, code: str) -> HttpResponse:
    access.require(request.user, access.VIEW)
    camera = _camera_or_404(request, code)
    events = camera.events.select_related("camera", "ward").order_by("-observed_at")[:20]
    return render(
        request,
        "cameras/console/detail.html",
        {
            "camera": camera,
            "stream_url": registry.mask_stream_url(camera.stream_url),
            "events": [access.event_row(request.user, event) for event in events],
            "can_edit": access.allowed(request.user, access.CHANGE_CAMERA),
            "can_upload": access.allowed(request.user, access.SEARCH_EVENTS),
        },
    )


def _form_data(request: HttpRequest) -> dict[str, Any]:
    fields = [
        "code",
        "name",
        "ward",
        "owner_unit",
        "address",
        "latitude",
        "longitude",
        "kind",
        "group",
        "sample_fps",
    ]
    data: dict[str, Any] = {name: request.POST.get(name, "") for name in fields}
    for name in ("read_plates", "read_faces", "active"):
        data[name] = request.POST.get(name) == "on"
    if access.sees_stream_url(request.user) and request.POST.get("stream_url", "") != "":
        data["stream_url"] = request.POST["stream_url"]
    return data


@staff_required
def edit(request: HttpRequest, code: str = "") -> HttpResponse:
    access.require(request.user, access.CHANGE_CAMERA)
    camera = _camera_or_404(request, code) if code else None
    error: CameraError | None = None
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = _form_data(request)
        try:
            if camera is None:
                camera = registry.create_camera(data, user=request.user, context=request_context(request))
            else:
                registry.update_camera(camera, data, user=request.user, context=request_context(request))
            messages.success(request, _("Đã lưu camera %(code)s.") % {"code": camera.code})
            return redirect("cameras:detail", code=camera.code)
        except CameraError as exc:
            error = exc
    return render(
        request,
        "cameras/console/edit.html",
        {
            "camera": camera,
            "data": data,
            "error": error,
            "error_message": _message(error) if error else "",
            "kinds": CameraKind.choices,
            "wards": _wards(),
            "units": visible_units(request.user).order_by("path"),
            # The stream address carries the recorder's password: only administrators see it, here only.
            "stream_url": camera.stream_url if camera and access.sees_stream_url(request.user) else "",
            "may_set_stream": access.sees_stream_url(request.user),
        },
        status=422 if error else 200,
    )


# --- uploads ----------------------------------------------------------------------------------------


@staff_required
@require_POST
def upload(request: HttpRequest, code: str) -> HttpResponse:
    access.require(request.user, access.SEARCH_EVENTS)
    camera = _camera_or_404(request, code)
    image = request.FILES.get("image")
    try:
        if image is None:
            raise CameraError("missing", "image: chưa chọn ảnh.", "image: no image chosen.", field="image")
        data = image.read(images.max_bytes() + 1)
        item = uploads.submit(camera, data, user=request.user)
    except CameraError as exc:
        return render(request, "cameras/console/_upload.html", {"error": _message(exc)}, status=exc.status)
    return render(request, "cameras/console/_upload.html", {"upload": item}, status=202)


@staff_required
@never_cache
def upload_status(request: HttpRequest, upload_id: str) -> HttpResponse:
    access.require(request.user, access.VIEW)
    try:
        item = ImageUpload.objects.get(pk=upload_id, camera__in=access.cameras_of(request.user))
    except (ImageUpload.DoesNotExist, ValueError, ValidationError) as exc:
        raise Http404 from exc
    return render(request, "cameras/console/_upload.html", {"upload": item})


# --- search, route, images, evidence ----------------------------------------------------------------


def _query(request: HttpRequest) -> search.EventQuery:
    params = request.GET if request.method == "GET" else request.POST
    return search.EventQuery(
        plate=params.get("plate", ""),
        camera=params.get("camera", ""),
        ward=params.get("ward", ""),
        kind=params.get("kind", ""),
        since=_when(params.get("since", "")),
        until=_when(params.get("until", ""), end=True),
        reason=params.get("reason", ""),
    )


@staff_required
def search_page(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.SEARCH_EVENTS)
    rows: list[dict[str, Any]] | None = None
    error = ""
    status = 200
    if request.GET.get("reason") is not None and any(request.GET.get(k) for k in ("plate", "camera", "ward")):
        try:
            events = search.search_events(request.user, _query(request), context=request_context(request))
            rows = [access.event_row(request.user, event) for event in events]
            for row, event in zip(rows, events, strict=True):
                row["plate_full"] = event.plate_text if not row["masked"] else ""
        except CameraError as exc:
            error, status = _message(exc), exc.status
    return render(
        request,
        "cameras/console/search.html",
        {
            "rows": rows,
            "error": error,
            "params": request.GET,
            "wards": _wards(),
            "kinds": EventKind.choices if access.allowed(request.user, access.SEARCH_FACES) else [],
            "can_export": access.allowed(request.user, access.EXPORT),
        },
        status=status,
    )


@staff_required
def face_search(request: HttpRequest) -> HttpResponse:
    """Events whose face resembles a photo: command centre and administrators only."""
    access.require(request.user, access.SEARCH_FACES)
    hits: list[search.FaceHit] | None = None
    error = ""
    status = 200
    if request.method == "POST":
        photo = request.FILES.get("photo")
        try:
            if photo is None:
                raise CameraError(
                    "missing", "photo: chưa chọn ảnh.", "photo: no photo chosen.", field="photo"
                )
            hits = search.search_faces(
                request.user,
                photo.read(images.max_bytes() + 1),
                reason=request.POST.get("reason", ""),
                since=_when(request.POST.get("since", "")),
                until=_when(request.POST.get("until", ""), end=True),
                camera=request.POST.get("camera", ""),
                context=request_context(request),
            )
        except CameraError as exc:
            error, status = _message(exc), exc.status
    rows = [{**access.event_row(request.user, hit.event), "distance": hit.distance} for hit in hits or []]
    return render(
        request,
        "cameras/console/faces.html",
        {"rows": rows if hits is not None else None, "error": error, "params": request.POST},
        status=status,
    )


@staff_required
def route_page(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.SEARCH_EVENTS)
    plate = request.GET.get("plate", "")
    stops: list[search.RouteStop] | None = None
    error = ""
    status = 200
    if plate and request.GET.get("reason") is not None:
        try:
            stops = search.route(
                request.user,
                plate,
                since=_when(request.GET.get("since", "")),
                until=_when(request.GET.get("until", ""), end=True),
                reason=request.GET.get("reason", ""),
                context=request_context(request),
            )
        except CameraError as exc:
            error, status = _message(exc), exc.status
    return render(
        request,
        "cameras/console/route.html",
        {"plate": plate, "stops": stops, "error": error, "params": request.GET},
        status=status,
    )


@login_required
def event_image(request: HttpRequest, event_id: int, which: str) -> HttpResponseBase:
    """A snapshot or crop: only for users entitled to unmasked data, of events of their units."""
    if which not in ("snapshot", "crop") or not access.allowed(request.user, access.PERSONAL_DATA):
        raise Http404
    event = get_object_or_404(access.events_of(request.user), pk=event_id)
    field = event.snapshot if which == "snapshot" else event.crop
    if not field:
        raise Http404
    if which == "snapshot":
        # The whole scene shows bystanders: each opening is logged. Crops appear inside a search
        # that is itself logged with its reason.
        record_audit(
            actor=request.user,
            action=AuditAction.READ,
            object_type="cameras.event",
            object_id=event.pk,
            object_repr=event.plate_text,
            fields=["snapshot"],
            context=request_context(request),
        )
    try:
        handle = field.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
@require_POST
def export(request: HttpRequest) -> HttpResponseBase:
    ids = [int(value) for value in request.POST.getlist("event") if value.isdigit()]
    try:
        package = evidence.export(
            request.user, ids, reason=request.POST.get("reason", ""), context=request_context(request)
        )
    except CameraError as exc:
        messages.error(request, _message(exc))
        return redirect(request.POST.get("next") or "cameras:search")
    response = HttpResponse(package.data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{package.filename}"'
    response["X-Manifest-SHA256"] = package.manifest_sha256
    return response


# --- alerts -----------------------------------------------------------------------------------------


@staff_required
def alerts(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.VIEW)
    status = request.GET.get("status", AlertStatus.NEW)
    rows = access.alerts_of(request.user).select_related("event__camera", "vehicle", "person")
    if status in AlertStatus.values:
        rows = rows.filter(status=status)
    since = request.GET.get("since")
    if since:
        try:
            moment = _when(since)
        except CameraError:
            moment = None
        if moment:
            rows = rows.filter(created_at__gte=moment)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    for alert in page:
        alert.shown_plate = access.shown_plate(request.user, alert.event.plate_text)  # type: ignore[attr-defined]
    return render(
        request,
        "cameras/console/alerts.html",
        {
            "page": page,
            "status": status,
            "statuses": AlertStatus.choices,
        },
    )


@staff_required
def alert_detail(request: HttpRequest, alert_id: int) -> HttpResponse:
    access.require(request.user, access.VIEW)
    alert = get_object_or_404(
        access.alerts_of(request.user).select_related("event__camera", "event__ward", "vehicle", "person"),
        pk=alert_id,
    )
    assert isinstance(alert, Alert)
    error = ""
    status = 200
    if request.method == "POST":
        access.require(request.user, access.DECIDE)
        try:
            alert_services.decide_alert(
                alert,
                confirm=request.POST.get("decision") == "confirm",
                note=request.POST.get("note", ""),
                user=request.user,
                context=request_context(request),
            )
            messages.success(request, _("Đã ghi nhận quyết định."))
            return redirect("cameras:alert", alert_id=alert.pk)
        except CameraError as exc:
            error, status = _message(exc), exc.status
    personal = access.allowed(request.user, access.PERSONAL_DATA)
    if personal:
        record_audit(
            actor=request.user,
            action=AuditAction.READ,
            object_type="cameras.alert",
            object_id=alert.pk,
            object_repr=alert.event.plate_text or str(alert.person or ""),
            context=request_context(request),
        )
    return render(
        request,
        "cameras/console/alert.html",
        {
            "alert": alert,
            "event": access.event_row(request.user, alert.event),
            "error": error,
            "personal": personal,
            "can_decide": access.allowed(request.user, access.DECIDE),
        },
        status=status,
    )


# --- watch-lists ------------------------------------------------------------------------------------


@staff_required
def watchlist(request: HttpRequest) -> HttpResponse:
    access.require(request.user, access.WATCHLIST)
    error = ""
    status = 200
    if request.method == "POST":
        data: dict[str, Any] = {
            name: request.POST.get(name, "")
            for name in (
                "plate_text",
                "full_name",
                "reason",
                "legal_basis",
                "owner_unit",
                "description",
                "note",
            )
        }
        try:
            data["expires_at"] = _when(request.POST.get("expires_at", ""), end=True)
            if request.POST.get("kind") == "person":
                person = watchlists.add_person(data, user=request.user, context=request_context(request))
                return redirect("cameras:person", person_id=person.pk)
            vehicle = watchlists.add_vehicle(data, user=request.user, context=request_context(request))
            messages.success(
                request, _("Đã thêm %(plate)s vào danh sách theo dõi.") % {"plate": vehicle.plate_text}
            )
            return redirect("cameras:watchlist")
        except CameraError as exc:
            error, status = _message(exc), exc.status
    now = timezone.now()
    return render(
        request,
        "cameras/console/watchlist.html",
        {
            "vehicles": access.vehicles_of(request.user).select_related("owner_unit")[:500],
            "persons": access.persons_of(request.user).select_related("owner_unit")[:500],
            "reasons": WatchReason.choices,
            "units": visible_units(request.user).order_by("path"),
            "error": error,
            "now": now,
            "posted": request.POST,
        },
        status=status,
    )


@staff_required
@require_POST
def watch_toggle(request: HttpRequest, kind: str, entry_id: int) -> HttpResponse:
    access.require(request.user, access.WATCHLIST)
    entries = access.vehicles_of(request.user) if kind == "vehicle" else access.persons_of(request.user)
    entry = get_object_or_404(entries, pk=entry_id)
    watchlists.set_active(
        entry, request.POST.get("active") == "1", user=request.user, context=request_context(request)
    )
    return redirect("cameras:watchlist")


@staff_required
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    access.require(request.user, access.WATCHLIST)
    entry = get_object_or_404(access.persons_of(request.user), pk=person_id)
    assert isinstance(entry, WatchPerson)
    problems: list[str] = []
    error = ""
    status = 200
    if request.method == "POST":
        photo = request.FILES.get("photo")
        try:
            if photo is None:
                raise CameraError(
                    "missing", "photo: chưa chọn ảnh.", "photo: no photo chosen.", field="photo"
                )
            template, problems, _quality = watchlists.enrol_photo(
                entry, photo.read(), user=request.user, context=request_context(request)
            )
            if template is not None:
                messages.success(request, _("Đã thêm ảnh khuôn mặt."))
                return redirect("cameras:person", person_id=entry.pk)
            status = 422
        except CameraError as exc:
            error, status = _message(exc), exc.status
    return render(
        request,
        "cameras/console/person.html",
        {
            "person": entry,
            "templates": entry.templates.all(),
            "problems": problems,
            "error": error,
        },
        status=status,
    )


@login_required
def template_photo(request: HttpRequest, template_id: int) -> HttpResponseBase:
    access.require(request.user, access.WATCHLIST)
    from thanglong.cameras.models import FaceTemplate

    template = get_object_or_404(FaceTemplate, pk=template_id, person__in=access.persons_of(request.user))
    if not template.photo:
        raise Http404
    response = FileResponse(template.photo.open("rb"), content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@staff_required
@require_POST
def template_remove(request: HttpRequest, template_id: int) -> HttpResponse:
    access.require(request.user, access.WATCHLIST)
    from thanglong.cameras.models import FaceTemplate

    template = get_object_or_404(FaceTemplate, pk=template_id, person__in=access.persons_of(request.user))
    person_id = template.person_id
    watchlists.remove_template(template, user=request.user, context=request_context(request))
    return redirect("cameras:person", person_id=person_id)
