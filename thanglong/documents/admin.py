from django.contrib import admin

from thanglong.documents.models import Document, FieldCorrection, Page, Tag


class PageInline(admin.TabularInline):
    model = Page
    fields = ("number", "confidence", "needs_review")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    list_display = (
        "pk",
        "number",
        "doc_type",
        "agency",
        "issued_on",
        "unit",
        "status",
        "security",
        "created_at",
    )
    list_filter = ("status", "doc_type", "security", "needs_review")
    search_fields = ("number", "agency", "summary", "filename", "checksum")
    readonly_fields = (
        "checksum",
        "original",
        "archive",
        "extracted",
        "failure",
        "failure_detail",
        "attempts",
    )
    inlines = [PageInline]


admin.site.register(Tag)
admin.site.register(FieldCorrection)
