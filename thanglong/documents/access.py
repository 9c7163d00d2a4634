"""Who may see which documents: the unit scope of core.access, plus clearance for classified records.

A record marked MẬT / TỐI MẬT / TUYỆT MẬT is visible only to holders of a role cleared for that level
in a unit that may see the record; everyone else gets "not found", so its existence is not disclosed.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from thanglong.core.access import scope_to_units, sees_all_units, visible_units
from thanglong.core.models import Role
from thanglong.core.roles import is_staff_member, user_roles
from thanglong.documents.models import Document, Security

CLEARANCE_LEVEL: dict[str, int] = {
    Security.NONE: 0,
    Security.SECRET: 1,
    Security.TOP_SECRET: 2,
    Security.ULTRA_SECRET: 3,
}
# The highest marking each role may read.
ROLE_CLEARANCE: dict[str, int] = {
    Role.OFFICER: 0,
    Role.COMMAND_CENTRE: 1,
    Role.UNIT_LEADER: 2,
    Role.ADMINISTRATOR: 3,
}


def clearance(user: User | AnonymousUser) -> int:
    if not is_staff_member(user):
        return -1
    return max((ROLE_CLEARANCE.get(role, 0) for role in user_roles(user)), default=0)


def allowed_levels(user: User | AnonymousUser) -> list[str]:
    level = clearance(user)
    return [security for security, needed in CLEARANCE_LEVEL.items() if needed <= level]


def visible_documents(user: User | AnonymousUser) -> QuerySet[Document]:
    if not is_staff_member(user):
        return Document.objects.none()
    return scope_to_units(Document.objects.all(), user).filter(security__in=allowed_levels(user))


def visible_unit_ids(user: User | AnonymousUser) -> list[int] | None:
    """Unit ids for the search index filter; None means every unit."""
    if sees_all_units(user):
        return None
    return list(visible_units(user).values_list("pk", flat=True))


def can_view(user: User | AnonymousUser, document: Document) -> bool:
    return visible_documents(user).filter(pk=document.pk).exists()
