"""Read-only transcripts in the Django admin; officers work from the desk pages (assistant/desk/)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from thanglong.assistant import services
from thanglong.assistant.models import Conversation, Handoff, Turn
from thanglong.core.models import AuditAction
from thanglong.core.services import record_audit, request_context

TURN_FIELDS = ("created_at", "question", "answer", "intent", "asked", "confidence", "rating", "reviewed")
HANDOFF_FIELDS = ("created_at", "status", "reason", "masked_contact", "taken_by", "closed_at")
CONVERSATION_FIELDS = (
    "session_id",
    "channel",
    "masked_sender",
    "lang",
    "started_at",
    "last_activity_at",
    "handed_off",
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Conversations are the citizens' words: nobody edits or deletes them by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class TurnInline(admin.StackedInline):
    model = Turn
    extra = 0
    can_delete = False
    fields = readonly_fields = TURN_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class HandoffInline(admin.TabularInline):
    model = Handoff
    extra = 0
    can_delete = False
    fields = readonly_fields = HANDOFF_FIELDS

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    @admin.display(description=_("liên hệ"))
    def masked_contact(self, handoff: Handoff) -> str:
        return services.mask_contact(handoff.contact)


@admin.register(Conversation)
class ConversationAdmin(ReadOnlyAdmin):
    """Sender ids and contacts stay masked here; the desk's transcript page shows them (and logs it)."""

    list_display = ["session_id", "channel", "masked_sender", "lang", "started_at", "handed_off"]
    list_filter = ["channel", "lang", "handed_off"]
    date_hierarchy = "started_at"
    fields = readonly_fields = CONVERSATION_FIELDS
    inlines = [TurnInline, HandoffInline]

    @admin.display(description=_("người gửi"))
    def masked_sender(self, conversation: Conversation) -> str:
        return services.mask_external_user_id(conversation.external_user_id) or "—"

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200:
            # The transcript is on this page: the same audit entry as the desk's transcript view.
            record_audit(
                actor=request.user,
                action=AuditAction.READ,
                object_type="assistant.conversation",
                object_id=object_id,
                fields=["question", "answer", "external_user_id", "contact"],
                reason="admin",
                context=request_context(request),
            )
        return response


@admin.register(Turn)
class TurnAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "short_question", "intent", "asked", "confidence", "rating", "reviewed"]
    list_filter = ["intent", "asked", "rating", "reviewed", "needs_clarification"]
    list_select_related = ["conversation"]
    date_hierarchy = "created_at"
    exclude = ["conversation"]
    readonly_fields = [
        "created_at",
        "question",
        "answer",
        "lang",
        "intent",
        "asked",
        "procedure_codes",
        "citations",
        "confidence",
        "needs_clarification",
        "rating",
        "rating_comment",
        "latency_ms",
        "reviewed",
    ]

    @admin.display(description=_("câu hỏi"))
    def short_question(self, turn: Turn) -> str:
        return turn.question[:100]


@admin.register(Handoff)
class HandoffAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "status", "reason", "taken_by", "closed_at"]
    list_filter = ["status"]
    list_select_related = ["taken_by"]
    exclude = ["contact"]
    readonly_fields = ["conversation", "created_at", "status", "reason", "taken_by", "closed_at"]
