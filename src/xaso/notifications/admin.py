from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "channel", "recipient", "short_body", "event", "status", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel", "event", ("created_at", admin.DateFieldListFilter))
    search_fields = ("recipient", "event", "provider_id", "dedup_key")
    date_hierarchy = "created_at"
    ordering = ("-id",)
    actions = ["retry_now"]
    fields = (
        "channel", "recipient", "subject", "shown_body", "event", "dedup_key", "status", "attempts", "next_attempt_at",
        "last_error", "provider_id", "locked_by", "locked_until", "created_at", "sent_at",
    )
    readonly_fields = fields

    @admin.display(description=_("body"))
    def short_body(self, obj):
        text = obj.display_body
        return text if len(text) <= 60 else text[:57] + "…"

    @admin.display(description=_("body"))
    def shown_body(self, obj):
        return obj.display_body

    @admin.action(description=_("Retry now"), permissions=["retry"])
    def retry_now(self, request, queryset):
        count = services.retry_now(list(queryset), reason=str(_("Retried from the admin")))
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext("%(count)d message queued again.", "%(count)d messages queued again.", count) % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d message was skipped (already sent, being sent, or its content was erased).",
                    "%(count)d messages were skipped (already sent, being sent, or their content was erased).",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_message")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Messages are edited only through actions; the change view is read-only.
        return obj is None and request.user.has_perm("notifications.change_message")

    def has_delete_permission(self, request, obj=None):
        return False
