"""State changes of the core domain. Other apps call these, never the models directly."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser, Group, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django_tasks import default_task_backend
from django_tasks.base import TaskResult, TaskResultStatus

from thanglong.core.access import can_access_unit, sees_all_units
from thanglong.core.models import AuditAction, AuditEntry, Membership, OrganisationUnit, Profile, Role
from thanglong.core.pii import mask_id_number, mask_phone
from thanglong.core.roles import has_role


@dataclass(frozen=True)
class RequestContext:
    """Where an action came from, for the audit log. Build with :func:`request_context`."""

    ip_address: str | None = None
    user_agent: str = ""
    path: str = ""


def request_context(request: HttpRequest | None) -> RequestContext:
    if request is None:
        return RequestContext()
    # Behind a reverse proxy REMOTE_ADDR is the proxy; deployments that trust the proxy set
    # THANGLONG_TRUST_X_FORWARDED_FOR later. Until then the direct peer is the honest answer.
    return RequestContext(
        ip_address=request.META.get("REMOTE_ADDR") or None,
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:255],
        path=request.path[:255],
    )


def record_audit(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    object_type: str,
    object_id: Any = "",
    object_repr: str = "",
    fields: list[str] | None = None,
    reason: str = "",
    context: RequestContext | None = None,
) -> AuditEntry:
    context = context or RequestContext()
    authenticated = actor is not None and actor.is_authenticated
    return AuditEntry.objects.create(
        actor=actor if authenticated and isinstance(actor, User) else None,
        actor_username=actor.get_username() if authenticated and actor is not None else "",
        action=action,
        object_type=object_type,
        object_id=str(object_id)[:64],
        object_repr=object_repr[:200],
        fields=fields or [],
        reason=reason[:255],
        ip_address=context.ip_address,
        user_agent=context.user_agent,
        path=context.path,
    )


# --- organisation ------------------------------------------------------------------------------


@transaction.atomic
def create_user(
    *,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    phone: str = "",
    id_number: str = "",
    rank: str = "",
) -> User:
    user = User.objects.create_user(username=username, password=password, email=email)
    Profile.objects.create(user=user, full_name=full_name, phone=phone, id_number=id_number, rank=rank)
    return user


@transaction.atomic
def add_member(user: User, unit: OrganisationUnit, role: str, title: str = "") -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, unit=unit, role=role, defaults={"title": title}
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if role == Role.ADMINISTRATOR:
        User.objects.filter(pk=user.pk).update(is_staff=True)
    return membership


# --- personal data ------------------------------------------------------------------------------


def may_see_personal_data_of(viewer: User | AnonymousUser, subject: User) -> bool:
    """Personal data of a member is visible to themselves, administrators, and leaders of their unit."""
    if not viewer.is_authenticated:
        return False
    if viewer.pk == subject.pk or has_role(viewer, Role.ADMINISTRATOR):
        return True
    if not has_role(viewer, Role.UNIT_LEADER, Role.COMMAND_CENTRE):
        return False
    if sees_all_units(viewer):
        return True
    return any(
        can_access_unit(viewer, membership.unit)
        for membership in Membership.objects.filter(user=subject).select_related("unit")
    )


def read_profile(
    viewer: User | AnonymousUser,
    subject: User,
    *,
    reason: str = "",
    context: RequestContext | None = None,
) -> dict[str, Any]:
    """A member's profile for ``viewer``: full personal data if entitled (and audit-logged), else masked."""
    profile = Profile.objects.get(user=subject)
    entitled = may_see_personal_data_of(viewer, subject)
    data: dict[str, Any] = {
        "username": subject.get_username(),
        "full_name": profile.full_name,
        "rank": profile.rank,
        "units": [
            {"code": m.unit.code, "name": m.unit.name, "role": m.role, "title": m.title}
            for m in Membership.objects.filter(user=subject).select_related("unit")
        ],
        "phone": profile.phone if entitled else mask_phone(profile.phone),
        "id_number": profile.id_number if entitled else mask_id_number(profile.id_number),
        "personal_data_masked": not entitled,
    }
    if entitled and viewer.pk != subject.pk:
        record_audit(
            actor=viewer,
            action=AuditAction.READ,
            object_type="core.profile",
            object_id=subject.pk,
            object_repr=profile.full_name,
            fields=["phone", "id_number"],
            reason=reason,
            context=context,
        )
    return data


# --- background jobs ---------------------------------------------------------------------------


def start_divisions_import(
    actor: User | AnonymousUser, *, context: RequestContext | None = None
) -> TaskResult[dict[str, int]]:
    """Re-load the administrative units in the background (administrators only).

    Enqueued at once rather than on commit: the job reads reference files, nothing this request writes.
    """
    if not has_role(actor, Role.ADMINISTRATOR):
        raise PermissionDenied
    from thanglong.core.tasks import import_divisions_task

    result = import_divisions_task.enqueue()
    record_audit(
        actor=actor,
        action=AuditAction.CREATE,
        object_type="tasks.job",
        object_id=result.id,
        object_repr="import_divisions",
        context=context,
    )
    return result


def job_status(viewer: User | AnonymousUser, job_id: str) -> TaskResult[Any]:
    """A background job's state, for administrators and the command centre."""
    if not has_role(viewer, Role.ADMINISTRATOR, Role.COMMAND_CENTRE):
        raise PermissionDenied
    return default_task_backend.get_result(job_id)


def describe_job(result: TaskResult[Any]) -> dict[str, Any]:
    finished_ok = result.status == TaskResultStatus.SUCCESSFUL
    return {
        "id": result.id,
        "task": result.task.name,
        "status": result.status,
        "enqueued_at": result.enqueued_at,
        "started_at": result.started_at,
        "finished_at": result.finished_at,
        "result": result.return_value if finished_ok else None,
        # Only the exception class reaches the page: tracebacks stay in the worker's log.
        "errors": [error.exception_class_path for error in result.errors],
    }
