"""Core API: health, administrative divisions, address normalisation, units, people, audit, calendar."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django_tasks.exceptions import TaskResultDoesNotExist
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from thanglong import __version__
from thanglong.core import calendar as working_calendar
from thanglong.core import services
from thanglong.core.access import visible_units
from thanglong.core.address import normalise_address
from thanglong.core.api_errors import bilingual_error
from thanglong.core.models import AuditEntry, OrganisationUnit, Province, Role, Ward
from thanglong.core.roles import has_role
from thanglong.core.schemas import (
    AddressOut,
    AuditEntryOut,
    ErrorOut,
    HealthOut,
    JobOut,
    ProfileOut,
    ProvinceOut,
    UnitOut,
    WardOut,
    WorkingDaysOut,
)
from thanglong.core.views import MAX_WORKING_DAYS

router = Router(tags=["core"])


@router.get("/health", auth=None, response=HealthOut)
def health(request: HttpRequest) -> dict[str, object]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    from django.conf import settings

    return {
        "status": "ok",
        "version": __version__,
        "database": connection.vendor,
        "tasks_backend": settings.TASKS_BACKEND,
    }


@router.get("/provinces", auth=None, response=list[ProvinceOut])
def list_provinces(request: HttpRequest) -> object:
    return Province.objects.all()


class WardFilter(Schema):
    q: str | None = None


@router.get("/provinces/{code}/wards", auth=None, response=list[WardOut])
def list_wards(request: HttpRequest, code: str, filters: Query[WardFilter]) -> object:
    province = get_object_or_404(Province, code=code)
    wards = Ward.objects.filter(province=province)
    if filters.q:
        wards = wards.filter(name__icontains=filters.q.strip()[:64])
    return wards


class AddressQuery(Schema):
    q: str


@router.get("/address/normalise", auth=None, response={200: AddressOut, 422: ErrorOut})
def normalise(request: HttpRequest, query: Query[AddressQuery]) -> object:
    text = query.q.strip()
    if not text or len(text) > 500:
        return Status(
            422,
            bilingual_error(
                "invalid_address",
                "Địa chỉ phải có từ 1 đến 500 ký tự.",
                "The address must be 1 to 500 characters long.",
            ),
        )
    return Status(200, normalise_address(text).as_dict())


@router.get("/units", response=list[UnitOut])
@paginate(LimitOffsetPagination)
def list_units(request: HttpRequest) -> object:
    return visible_units(request.user).select_related("ward", "parent")


@router.get("/units/{code}", response=UnitOut)
def get_unit(request: HttpRequest, code: str) -> OrganisationUnit:
    return get_object_or_404(visible_units(request.user).select_related("ward", "parent"), code=code)


class ReasonQuery(Schema):
    reason: str = ""


@router.get("/people/{username}", response={200: ProfileOut, 404: ErrorOut})
def get_person(request: HttpRequest, username: str, query: Query[ReasonQuery]) -> object:
    from django.contrib.auth import get_user_model

    subject = get_user_model().objects.filter(username=username, profile__isnull=False).first()
    if subject is None:
        return Status(404, bilingual_error("not_found", "Không tìm thấy người dùng.", "No such user."))
    return Status(
        200,
        services.read_profile(
            request.user, subject, reason=query.reason[:255], context=services.request_context(request)
        ),
    )


@router.get("/audit", response=list[AuditEntryOut])
@paginate(LimitOffsetPagination)
def list_audit(request: HttpRequest) -> object:
    if not has_role(request.user, Role.ADMINISTRATOR):
        raise PermissionDenied
    return AuditEntry.objects.all()


class WorkingDaysQuery(Schema):
    start: date
    days: int


@router.get("/working-days", auth=None, response={200: WorkingDaysOut, 422: ErrorOut})
def working_days(request: HttpRequest, query: Query[WorkingDaysQuery]) -> object:
    if abs(query.days) > MAX_WORKING_DAYS:
        return Status(
            422,
            bilingual_error(
                "invalid_days", "Số ngày làm việc phải trong khoảng ±3650.", "days must be within ±3650."
            ),
        )
    end = working_calendar.add_working_days(query.start, query.days)
    return Status(200, {"start": query.start, "days": query.days, "end": end})


@router.post("/jobs/import-divisions", response={202: JobOut})
def enqueue_divisions_import(request: HttpRequest) -> object:
    result = services.start_divisions_import(request.user, context=services.request_context(request))
    return Status(202, services.describe_job(result))


@router.get("/jobs/{job_id}", response={200: JobOut, 404: ErrorOut})
def get_job(request: HttpRequest, job_id: str) -> object:
    try:
        result = services.job_status(request.user, job_id)
    except (TaskResultDoesNotExist, ValidationError, ValueError):
        return Status(404, bilingual_error("not_found", "Không tìm thấy tác vụ.", "No such job."))
    return Status(200, services.describe_job(result))
