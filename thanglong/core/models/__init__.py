from thanglong.core.models.alerts import ConsoleAlert as ConsoleAlert
from thanglong.core.models.audit import AuditAction, AuditEntry
from thanglong.core.models.calendar import CalendarDay, CalendarDayKind
from thanglong.core.models.divisions import LegacyWard, LegacyWardSuccessor, Province, Ward
from thanglong.core.models.organisation import Membership, OrganisationUnit, Profile, Role, UnitKind

__all__ = [
    "AuditAction",
    "AuditEntry",
    "CalendarDay",
    "CalendarDayKind",
    "LegacyWard",
    "LegacyWardSuccessor",
    "Membership",
    "OrganisationUnit",
    "Profile",
    "Province",
    "Role",
    "UnitKind",
    "Ward",
]
