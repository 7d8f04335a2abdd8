"""Reads of payments. ``payment_summary`` is the one question the citizen portal asks about
a dossier ("Hồ sơ của tôi", online submission): is anything due, can it be paid online now,
where."""
from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from . import services
from .models import Payment, Receipt


@dataclass(frozen=True)
class PaymentSummary:
    fee_amount: int
    paid: int
    due: int
    exempt: bool
    fee_timing: str  # unknown, before_reception, before_result
    online_offered: bool
    payable_now: bool
    why_not: str  # why it cannot be paid online now ("" when it can, or nothing is due)
    url: str  # the owner's payment page (login required)
    pending: bool  # a payment was started and the gateway has not answered yet
    receipts: int


def payment_summary(dossier) -> PaymentSummary:
    """For the logged-in owner's pages: what is due and whether and where to pay it."""
    due = services.amount_due(dossier)
    why = services.payable_refusal(dossier) or ""
    return PaymentSummary(
        fee_amount=dossier.fee_amount,
        paid=services.paid_total(dossier),
        due=due,
        exempt=services.is_exempt(dossier),
        fee_timing=services.fee_timing(dossier),
        online_offered=services.online_offered(dossier),
        payable_now=not why,
        why_not=why if due > 0 else "",
        url=reverse("payments:owner", args=[dossier.code]),
        pending=services.pending_payment(dossier) is not None,
        receipts=Receipt.objects.filter(dossier=dossier).count(),
    )


def receipts_of(dossier):
    return Receipt.objects.filter(dossier=dossier).select_related("fee_payment").order_by("issued_at", "id")


def payments_of(dossier):
    return Payment.objects.filter(dossier=dossier).order_by("-created_at", "-id")
