"""Roles as Django groups, with the permissions each one carries.

Groups are created by a data migration-free call (``ensure_role_groups``) run by ``thanglong demo``
and by ``thanglong migrate``'s post-migrate hook, so a fresh database always has them.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, Group, Permission, User

from thanglong.core.models import Role

# Permission codenames (app_label.codename) granted to each role's group.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CITIZEN: [],
    Role.OFFICER: [
        "core.view_organisationunit",
        "core.view_ward",
        "core.view_province",
        "procedures.view_procedure",
        "procedures.view_procedureversion",
    ],
    Role.UNIT_LEADER: [
        "core.view_organisationunit",
        "core.view_ward",
        "core.view_province",
        "core.view_membership",
        "procedures.view_procedure",
        "procedures.view_procedureversion",
        "procedures.change_procedureversion",
        "procedures.add_procedurephrase",
    ],
    Role.COMMAND_CENTRE: [
        "core.view_organisationunit",
        "core.view_ward",
        "core.view_province",
        "core.view_membership",
        "feedback.dispatch_report",
        "command.view_target",
        "command.add_target",
        "command.change_target",
    ],
    Role.ADMINISTRATOR: [
        "core.view_auditentry",
        "core.view_organisationunit",
        "core.add_organisationunit",
        "core.change_organisationunit",
        "core.view_membership",
        "core.add_membership",
        "core.change_membership",
        "core.delete_membership",
        "core.view_calendarday",
        "core.add_calendarday",
        "core.change_calendarday",
        "core.delete_calendarday",
        "core.view_profile",
        "core.change_profile",
        "procedures.view_procedure",
        "procedures.add_procedure",
        "procedures.change_procedure",
        "procedures.view_procedureversion",
        "procedures.add_procedureversion",
        "procedures.change_procedureversion",
        "procedures.add_procedurephrase",
        "procedures.change_procedurephrase",
        "procedures.delete_procedurephrase",
        "feedback.dispatch_report",
        "feedback.view_personal_data",
        "assistant.view_conversation",
        "assistant.view_turn",
        "assistant.view_handoff",
        "command.view_target",
        "command.add_target",
        "command.change_target",
        "command.view_targetprogress",
        "command.view_unitreport",
    ],
}


# Document archive (thanglong.documents): everyone on staff reads and corrects records of their units;
# classified records additionally need clearance (documents.access), which view_classified mirrors.
for _role in (Role.OFFICER, Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] += [
        "documents.view_document",
        "documents.add_document",
        "documents.change_document",
    ]
for _role in (Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role].append("documents.view_classified")

# Camera AI (thanglong.cameras): every officer sees the cameras of their units and alerts (plates
# masked); plate search and unmasked data from unit leaders up; face search, watch-lists and evidence
# export for the command centre and administrators; the registry for administrators.
for _role in (Role.OFFICER, Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role].append("cameras.view_camera")
for _role in (Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] += ["cameras.search_events", "cameras.view_personal_data", "cameras.decide_alert"]
for _role in (Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] += ["cameras.search_faces", "cameras.manage_watchlist", "cameras.export_evidence"]
ROLE_PERMISSIONS[Role.ADMINISTRATOR] += ["cameras.add_camera", "cameras.change_camera"]
# 113/114 incidents (thanglong.incidents): staff see and handle their units' incidents; the command
# centre's call-takers (and administrators) take the calls and see callers' numbers.
for _role in (Role.OFFICER, Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] += ["incidents.view_incident", "incidents.change_incident"]
for _role in (Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] += [
        "incidents.add_incident",
        "incidents.take_calls",
        "incidents.view_caller_number",
    ]


# Callbot (thanglong.voice): callers' full numbers, transcripts and recordings.
for _role in (Role.COMMAND_CENTRE, Role.ADMINISTRATOR):
    ROLE_PERMISSIONS[_role] += ["voice.view_call", "voice.view_caller_number"]


def ensure_role_groups() -> None:
    for role, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        perms: list[Permission] = []
        for dotted in codenames:
            app_label, codename = dotted.split(".", 1)
            perms.extend(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


def user_roles(user: User | AnonymousUser) -> set[str]:
    """Every role the user holds, in any unit (plus administrator for superusers)."""
    if not user.is_authenticated:
        return set()
    cached: set[str] | None = getattr(user, "_thanglong_roles", None)
    if cached is not None:
        return cached
    roles = set(user.memberships.values_list("role", flat=True))
    roles.update(user.groups.values_list("name", flat=True))
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMINISTRATOR)
    user._thanglong_roles = roles  # type: ignore[attr-defined]
    return roles


def has_role(user: User | AnonymousUser, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_staff_member(user: User | AnonymousUser) -> bool:
    """Anyone who works inside the platform (not a citizen)."""
    return has_role(user, Role.OFFICER, Role.UNIT_LEADER, Role.COMMAND_CENTRE, Role.ADMINISTRATOR)
