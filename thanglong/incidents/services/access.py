"""Who sees which incident, and the caller's number: in full only for those entitled, every read audited.

Incidents belong to the ward station of where they happened; officers and leaders see their units'
(leaders their subtree), the command centre and administrators every one, including those not yet
placed in a ward. The caller's number is personal data: the command centre's call-takers and
administrators see it (permission ``incidents.view_caller_number``), others a masked form.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from thanglong.core.access import scope_to_units, sees_all_units
from thanglong.core.models import AuditAction
from thanglong.core.pii import mask_phone
from thanglong.core.roles import is_staff_member
from thanglong.core.services import RequestContext, record_audit
from thanglong.incidents.models import Incident

Actor = User | AnonymousUser


def visible_incidents(user: Actor) -> QuerySet[Incident]:
    if not is_staff_member(user):
        return Incident.objects.none()
    if sees_all_units(user):
        return Incident.objects.all()
    return scope_to_units(Incident.objects.filter(unit__isnull=False), user)


def can_view(user: Actor, incident: Incident) -> bool:
    return visible_incidents(user).filter(pk=incident.pk).exists()


def can_take_calls(user: Actor) -> bool:
    return user.is_authenticated and user.has_perm("incidents.take_calls")


def can_handle(user: Actor, incident: Incident) -> bool:
    """Dispatch, mark arrival, close: call-takers for every incident, others for those they see."""
    return can_take_calls(user) or (user.has_perm("incidents.change_incident") and can_view(user, incident))


def may_see_caller_number(user: Actor) -> bool:
    return user.is_authenticated and user.has_perm("incidents.view_caller_number")


def caller_number_for(user: Actor, incident: Incident, *, context: RequestContext | None = None) -> str:
    """The number as this reader may see it; a full read is written to the audit log."""
    if not incident.caller_number:
        return ""
    if not may_see_caller_number(user):
        return mask_phone(incident.caller_number)
    record_audit(
        actor=user,
        action=AuditAction.READ,
        object_type="incidents.incident",
        object_id=incident.pk,
        object_repr=incident.number,
        fields=["caller_number"],
        context=context,
    )
    return incident.caller_number
