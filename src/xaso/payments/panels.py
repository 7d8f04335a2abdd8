"""The payments section of the staff dossier page (``dossiers.extensions.detail_panels``)."""
from __future__ import annotations

from . import selectors, services


def dossier_panel(request, dossier):
    if dossier.fee_amount <= 0 and not dossier.fee_lines:
        return None
    user = request.user
    summary = selectors.payment_summary(dossier)
    from xaso.dossiers.services import scope_ids

    return "payments/_dossier_panel.html", {
        "summary": summary,
        "payments": list(selectors.payments_of(dossier)),
        "receipts": list(selectors.receipts_of(dossier)),
        "exemption": getattr(dossier, "fee_exemption", None) if services.is_exempt(dossier) else None,
        "can_request": summary.payable_now and dossier.receiving_unit_id in scope_ids(user, "reception"),
        "can_exempt": summary.due > 0 and services.may_exempt(dossier, user),
        "blocked": services.guard(dossier, _next_blocked(dossier)),
    }


def _next_blocked(dossier):
    from xaso.dossiers.states import Action

    timing = services.fee_timing(dossier)
    if timing == "before_reception":
        return Action.RECEIVE if dossier.status == "submitted" else Action.TRANSFER
    if timing == "before_result":
        return Action.RETURN_RESULT
    return None
