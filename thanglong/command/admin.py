"""Admin for the programme's targets (command centre and administrators maintain them)."""

from __future__ import annotations

from django.contrib import admin

from thanglong.command.models import Target, TargetProgress, UnitReport


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("code", "title", "owner_unit", "baseline", "target_value", "deadline", "is_active")
    list_filter = ("programme", "is_active")
    search_fields = ("code", "title", "indicator")
    autocomplete_fields = ("owner_unit",)


@admin.register(TargetProgress)
class TargetProgressAdmin(admin.ModelAdmin):
    list_display = ("target", "as_of", "value", "reported_by", "reported_at")
    readonly_fields = ("target", "value", "as_of", "note", "reported_by", "reported_at")

    def has_add_permission(self, request: object) -> bool:
        return False  # progress is reported by the unit, with evidence, through the console


@admin.register(UnitReport)
class UnitReportAdmin(admin.ModelAdmin):
    list_display = ("number", "unit", "period_kind", "period_start", "format", "status", "created_at")
    list_filter = ("status", "format", "period_kind")
    readonly_fields = [field.name for field in UnitReport._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
