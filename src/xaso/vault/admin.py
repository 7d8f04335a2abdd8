from django.contrib import admin

from .models import Document, DocumentType, Reuse


@admin.register(DocumentType)
class DocumentTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "reusable", "has_expiry", "sort_order", "active")
    list_editable = ("sort_order", "active")
    search_fields = ("name", "code", "keywords")


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: a person's documents are changed by them (or by the dossier actions), not
    in the admin; opening one here is not a way around the access log, so the file is not
    offered."""

    list_display = ("title", "doc_type", "source", "created_at", "deleted_at")
    list_filter = ("source", "doc_type")
    fields = ("owner", "doc_type", "title", "number", "issuer", "issued_on", "valid_until", "source", "source_dossier", "content_type", "size", "created_at", "deleted_at")
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reuse)
class ReuseAdmin(admin.ModelAdmin):
    list_display = ("document", "dossier", "component", "by", "at")
    readonly_fields = ("document", "dossier", "component", "by", "at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
