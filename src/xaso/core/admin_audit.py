"""Read-only admin for the audit trail: list, filter and inspect; never add, change or
delete."""
import json

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    list_display = ("id", "at", "actor_username", "source", "action", "verb", "object_type", "object_id", "object_repr", "ip_address")
    list_filter = (
        "action",
        "source",
        ("object_type", admin.AllValuesFieldListFilter),
        ("actor_username", admin.AllValuesFieldListFilter),
        ("at", admin.DateFieldListFilter),
    )
    date_hierarchy = "at"
    search_fields = ("object_id", "object_repr", "actor_username", "verb", "reason", "ip_address")
    ordering = ("-id",)
    list_per_page = 100
    show_full_result_count = False
    fields = (
        "id", "at", "actor_id", "actor_username", "ip_address", "user_agent", "source", "action", "verb",
        "object_type", "object_id", "object_repr", "changes_pretty", "reason", "prev_hash", "hash",
    )
    readonly_fields = fields
    actions = None

    @admin.display(description=_("changes"))
    def changes_pretty(self, obj):
        return format_html("<pre style='white-space:pre-wrap'>{}</pre>", json.dumps(obj.changes, ensure_ascii=False, indent=2))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
