from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from thanglong.core.models import (
    AuditEntry,
    CalendarDay,
    LegacyWard,
    Membership,
    OrganisationUnit,
    Profile,
    Province,
    Ward,
)


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "name_en"]
    search_fields = ["name", "full_name", "code"]


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["code", "full_name", "province"]
    list_filter = ["province", "kind"]
    search_fields = ["name", "code"]


@admin.register(LegacyWard)
class LegacyWardAdmin(admin.ModelAdmin):
    list_display = [
        "code",
        "kind",
        "name",
        "district_kind",
        "district_name",
        "province_name",
        "successor",
        "is_split",
    ]
    list_filter = ["province_name", "is_split"]
    search_fields = ["name", "district_name", "code"]
    raw_id_fields = ["successor"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(OrganisationUnit)
class OrganisationUnitAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "ward", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name", "short_name"]
    raw_id_fields = ["ward", "parent"]
    inlines = [MembershipInline]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    """Personal data is not listed; opening one profile is a read of personal data and is logged."""

    list_display = ["user", "full_name", "rank"]
    search_fields = ["full_name", "user__username"]

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any) -> Any:
        from thanglong.core.models import AuditAction
        from thanglong.core.services import record_audit, request_context

        record_audit(
            actor=request.user,
            action=AuditAction.READ,
            object_type="core.profile",
            object_id=object_id,
            fields=["phone", "id_number"],
            reason="admin",
            context=request_context(request),
        )
        return super().change_view(request, object_id, *args, **kwargs)


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the log is append-only by design."""

    list_display = ["at", "actor_username", "action", "object_type", "object_id", "reason", "ip_address"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_username", "object_id", "object_repr"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
