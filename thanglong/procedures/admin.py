"""Officers edit and review catalogue entries here until the console has its own editor."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from thanglong.core.services import request_context
from thanglong.procedures import services
from thanglong.procedures.models import (
    Fee,
    LegalCitation,
    Procedure,
    ProcedurePhrase,
    ProcedureVersion,
    RequiredDocument,
)


class RequiredDocumentInline(admin.StackedInline):
    model = RequiredDocument
    extra = 0
    fields = ["position", "name", "form_code", "originals", "copies", "note"]


class FeeInline(admin.TabularInline):
    model = Fee
    extra = 0
    fields = ["position", "kind", "amount_vnd", "amount_text", "channel", "description", "exemption"]


class LegalCitationInline(admin.TabularInline):
    model = LegalCitation
    extra = 0
    fields = ["position", "doc_type", "number", "title", "issued_on", "issuer", "article", "note"]


class ProcedureVersionInline(admin.TabularInline):
    model = ProcedureVersion
    extra = 0
    fields = ["number", "status", "origin", "reviewed_at", "reviewed_by"]
    readonly_fields = ["number", "status", "origin", "reviewed_at", "reviewed_by"]
    show_change_link = True
    can_delete = False


class ProcedurePhraseInline(admin.TabularInline):
    model = ProcedurePhrase
    extra = 1
    fields = ["text", "lang"]


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "area", "level", "source", "needs_review", "updated_at"]
    list_filter = ["source", "needs_review", "area", "level"]
    search_fields = ["code", "name", "name_folded", "agency"]
    inlines = [ProcedureVersionInline, ProcedurePhraseInline]


@admin.register(ProcedureVersion)
class ProcedureVersionAdmin(admin.ModelAdmin):
    list_display = ["procedure", "number", "status", "origin", "reviewed_at", "reviewed_by"]
    list_filter = ["status", "origin"]
    search_fields = ["procedure__code", "procedure__name"]
    raw_id_fields = ["procedure"]
    # Publication goes through the "publish" action so the reviewer and time are always recorded.
    readonly_fields = ["status", "reviewed_at", "reviewed_by", "source_hash", "created_at"]
    inlines = [RequiredDocumentInline, FeeInline, LegalCitationInline]
    actions = ["publish_selected"]

    @admin.action(description=_("Công bố phiên bản đã chọn (ghi nhận người rà soát)"))
    def publish_selected(self, request: HttpRequest, queryset: QuerySet[ProcedureVersion]) -> None:
        published = 0
        for version in queryset.select_related("procedure"):
            try:
                services.publish_version(version, request.user, context=request_context(request))
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{version}: {error}", level=messages.ERROR)
            else:
                published += 1
        if published:
            self.message_user(request, _("Đã công bố %(count)d phiên bản.") % {"count": published})
