"""Admin of ratings: ratings and answers are read-only (given through the services); counter
tablets can be renamed or taken out of use."""
from django.contrib import admin

from .models import FollowUp, Kiosk, Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["dossier", "level", "score", "band", "channel", "rated_at", "competent_unit"]
    list_filter = ["level", "channel", "competent_unit"]
    search_fields = ["dossier__code", "procedure_code"]
    exclude = ["officials"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Kiosk)
class KioskAdmin(admin.ModelAdmin):
    list_display = ["name", "unit", "active", "created_at"]
    fields = ["name", "unit", "active"]
    readonly_fields = ["unit"]

    def has_add_permission(self, request):
        return False  # paired on the tablet itself (/danh-gia/quay/ghep/)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FollowUp)
class FollowUpAdmin(admin.ModelAdmin):
    list_display = ["rating", "unit", "due_at", "answered_at"]
    list_filter = ["unit"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
