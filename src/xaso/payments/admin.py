"""Admin of payments: receipt series are edited here (the symbols registered with the tax
authority); payments, receipts, exemptions and reconciliation lists are read-only (they
change only through the services)."""
from django.contrib import admin

from .models import DailyReconciliation, FeeExemption, Payment, Receipt, ReceiptSeries


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReceiptSeries)
class ReceiptSeriesAdmin(admin.ModelAdmin):
    list_display = ["unit", "form_symbol", "letters", "tax_code", "active"]
    list_filter = ["active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Payment)
class PaymentAdmin(ReadOnly):
    list_display = ["txn_ref", "dossier", "amount", "state", "provider", "created_at", "needs_refund"]
    list_filter = ["state", "provider", "needs_refund"]
    search_fields = ["txn_ref", "dossier__code", "gateway_transaction_no"]


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ["__str__", "dossier", "amount", "issued_at"]
    list_filter = ["year", "series"]
    search_fields = ["dossier__code", "number"]
    exclude = ["pdf"]


@admin.register(FeeExemption)
class FeeExemptionAdmin(ReadOnly):
    list_display = ["dossier", "granted_by", "granted_at"]
    search_fields = ["dossier__code"]


@admin.register(DailyReconciliation)
class DailyReconciliationAdmin(ReadOnly):
    list_display = ["day", "provider", "made_at"]
    exclude = ["rows"]
