"""Admin for the feedback app: reference look-ups only.

Contact details and the client address are left out: personal data is read through the officer
console, which scopes it to the handling unit and writes every read to the audit log.
"""

from __future__ import annotations

from django.contrib import admin

from thanglong.feedback.models import Attachment, Report, ReportEvent, TrackingSequence

PERSONAL_FIELDS = ("contact_name", "contact_phone", "contact_email", "client_ip", "text", "tracking_secret")


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    can_delete = False
    fields = ("original_name", "kind", "content_type", "size", "width", "height", "sha256", "created_at")
    readonly_fields = fields


class ReportEventInline(admin.TabularInline):
    model = ReportEvent
    extra = 0
    can_delete = False
    fields = ("at", "kind", "from_status", "to_status", "public", "actor", "message")
    readonly_fields = fields


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = (
        "tracking_code",
        "status",
        "category",
        "priority",
        "unit",
        "channel",
        "received_at",
        "due_at",
    )
    list_filter = ("status", "category", "channel", "triage_state", "anonymous")
    search_fields = ("tracking_code",)
    date_hierarchy = "received_at"
    list_select_related = ("unit",)
    exclude = PERSONAL_FIELDS
    readonly_fields = (
        "tracking_code",
        "channel",
        "idempotency_key",
        "received_at",
        "updated_at",
        "masked_text",
    )
    raw_id_fields = ("ward", "province", "unit", "assigned_to", "submitted_by", "duplicate_of")
    inlines = (AttachmentInline, ReportEventInline)


@admin.register(TrackingSequence)
class TrackingSequenceAdmin(admin.ModelAdmin):
    list_display = ("year", "last_number")

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False  # changing the counter could hand out a code twice
