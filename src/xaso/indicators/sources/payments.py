"""Targets measured from the catalogue's online payment offer (766 item 3.5) and the online
payments (item 3.5b); the dossiers paid online (item 3.6) are in ``dossiers``."""
from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q

from xaso.catalog.models import Fee, ProcedureVersion

from .. import registry
from .dossiers import bounds, online_payment_share


def _with_fees(at):
    """Commune-level procedure versions in force at ``at`` with a fee line above 0 (the 766
    formula's "TTHC có nghĩa vụ tài chính": non-zero fee information)."""
    priced = Fee.objects.filter(version=OuterRef("pk"), amount__gt=0)
    return ProcedureVersion.objects.filter(level=ProcedureVersion.Level.COMMUNE, valid_from__lte=at).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=at)
    ).filter(Exists(priced))


@registry.provide("procedures_with_online_payment")
def procedures_with_online_payment(commune, start, end):
    """766 item 3.5: commune-level procedures with fees whose fees can be paid online (the
    catalogue's ``online_payment``, version in force at the period's end) ÷ commune-level
    procedures with fees."""
    _, hi = bounds(start, end)
    with_fees = _with_fees(hi - timedelta(microseconds=1))
    offered = with_fees.filter(online_payment=True)
    return registry.Measurement(offered.count(), with_fees.count())


@registry.provide("procedures_with_online_payment_transactions")
def procedures_with_online_payment_transactions(commune, start, end):
    """766 item 3.5b: procedures with fees that had at least one dossier paid online ÷
    procedures with fees that had dossiers in the period ("no data" while no payment is
    recorded, see ``online_payment_share``)."""
    share = online_payment_share(commune, start, end)
    if not share.denominator:
        return share
    with_fees = set(share.base.values_list("procedure_code", flat=True).distinct())
    paid = set(share.records.values_list("procedure_code", flat=True).distinct())
    return registry.Measurement(len(paid), len(with_fees), records=share.records, base=share.base)
