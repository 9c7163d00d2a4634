"""Logins and failed logins are security events: they go into the audit log."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_migrate
from django.dispatch import receiver
from django.http import HttpRequest

from thanglong.core import calendar  # noqa: F401  (connects the CalendarDay cache receivers)
from thanglong.core.models import AuditAction


@receiver(user_logged_in)
def _audit_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    from thanglong.core.services import record_audit, request_context

    record_audit(
        actor=user,
        action=AuditAction.LOGIN,
        object_type="auth.user",
        object_id=user.pk,
        context=request_context(request),
    )


@receiver(user_login_failed)
def _audit_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    from thanglong.core.services import record_audit, request_context

    record_audit(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        object_type="auth.user",
        object_repr=str(credentials.get("username", ""))[:150],
        context=request_context(request),
    )


@receiver(post_migrate)
def _ensure_groups(sender: Any, **kwargs: Any) -> None:
    # Every app's permissions exist only after its own migrations: refresh after each of ours.
    if not getattr(sender, "name", "").startswith("thanglong."):
        return
    from thanglong.core.roles import ensure_role_groups

    ensure_role_groups()
