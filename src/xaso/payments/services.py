"""Every change to payments, receipts and exemptions: one function per business action,
transactional, audited.

- ``start_payment``: a payer (SMS link, logged-in owner, API) starts paying a dossier's
  fees online: a ``Payment`` (started) and the gateway URL;
- ``handle_notification``: the gateway's server-to-server notification (IPN) — the only
  request that changes a payment; refused (with the protocol's code, audited) when forged,
  altered, unknown, for another merchant or for another amount; a duplicate is answered
  "already confirmed" and changes nothing;
- ``reconcile``: the scheduler's job — asks the gateway (querydr) about payments that never
  got a notification, gives up abandoned ones (the dossier stays payable), refunds payments
  that could not count;
- ``request_payment``: the reception officer confirms the amount and sends the applicant an
  SMS with the signed payment link;
- ``exempt``: an authorised official waives a dossier's fees, with the reason;
- ``issue_receipt``: the electronic receipt of every fee payment, online or at the counter
  (hooked into ``dossiers.services.record_fee_payment``).

A completed payment is recorded for the dossier through ``record_fee_payment`` with the
gateway reference, so it is counted once (a fee payment is unique per reference); when it
cannot count (fees already paid by another tab or at the counter, dossier closed) it stays
completed with ``needs_refund`` and the reconciliation gives it back.
"""
from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from xaso.core import audit
from xaso.core.models import AuditRecord, Unit
from xaso.dossiers import services as dossier_services
from xaso.dossiers.models import Dossier, FeePayment, PaymentMethod
from xaso.dossiers.services import DossierError
from xaso.dossiers.states import FINAL, Action, Status
from xaso.notifications.services import enqueue_sms

from . import providers, states
from .models import MAX_RECEIPT_NUMBER, FeeExemption, Payment, Receipt, ReceiptCounter, ReceiptSeries
from .states import State
from .words import vnd_in_words

logger = logging.getLogger(__name__)


class PaymentError(DossierError):
    """A payment action refused; the message is for people (Vietnamese)."""


# --------------------------------------------------------------------------- facts


def fee_timing(dossier) -> str:
    """When the dossier's fees are due, as its procedure version said at receipt
    (``catalog.ProcedureVersion.fee_timing``; versions are frozen once superseded)."""
    version = dossier.procedure_version
    return version.fee_timing if version is not None else "unknown"


def online_offered(dossier) -> bool:
    version = dossier.procedure_version
    return bool(version is not None and version.online_payment)


def paid_total(dossier) -> int:
    return FeePayment.objects.filter(dossier_id=dossier.pk).aggregate(s=Sum("amount"))["s"] or 0


def is_exempt(dossier) -> bool:
    return FeeExemption.objects.filter(dossier_id=dossier.pk).exists()


def amount_due(dossier) -> int:
    """What the applicant still has to pay (0 when exempted or paid)."""
    if dossier.fee_amount <= 0 or is_exempt(dossier):
        return 0
    return max(dossier.fee_amount - paid_total(dossier), 0)


def settled(dossier) -> bool:
    return amount_due(dossier) <= 0


# Which business action needs the fees first, per timing.
BLOCKED_ACTIONS = {
    "before_reception": frozenset({Action.RECEIVE, Action.TRANSFER}),
    "before_result": frozenset({Action.RETURN_RESULT}),
}


def guard(dossier, action) -> str | None:
    """The lifecycle's payment rule (registered with ``dossiers.extensions``): the action
    the procedure's fees must precede waits until they are paid or exempted."""
    timing = fee_timing(dossier)
    if action not in BLOCKED_ACTIONS.get(timing, ()):
        return None
    due = amount_due(dossier)
    if due <= 0:
        return None
    if timing == "before_reception":
        return _("The fees of this procedure are paid before the dossier is received: %(due)s is still due. Collect it at the counter, send the payment link, or record an exemption.") % {"due": dossier_services.vnd(due)}
    return _("The fees of this procedure are paid before the result is returned: %(due)s is still due. Collect it at the counter, send the payment link, or record an exemption.") % {"due": dossier_services.vnd(due)}


def payable_refusal(dossier) -> str | None:
    """Why the dossier cannot be paid online now (None: it can)."""
    if Status(dossier.status) in FINAL:
        return _("The dossier is closed (%(status)s): nothing can be paid.") % {"status": dossier.get_status_display()}
    if not online_offered(dossier):
        return _("Online payment is not offered for this procedure; pay at the counter.")
    if not providers.available():
        return _("Online payment is not available at the moment; pay at the counter.")
    if dossier.fee_amount <= 0:
        return _("This dossier has no fee to pay.")
    if is_exempt(dossier):
        return _("The fees of this dossier are exempted.")
    if amount_due(dossier) <= 0:
        return _("The fees of this dossier are paid.")
    return None


def _now(now):
    return now or timezone.now()


def _audit(verb, payment=None, *, changes=None, reason="", object_repr=None):
    audit.record(
        AuditRecord.Action.ACTION,
        payment,
        verb=verb,
        changes=changes or {},
        reason=reason,
        object_type=None if payment is not None else "payments.payment",
        object_repr=object_repr,
    )


def _phones(dossier):
    return sorted({p for p in (dossier.applicant_phone, dossier.agent_phone) if p})


def _sms(dossier, key, text):
    for phone in _phones(dossier):
        enqueue_sms(phone, text, event=f"payments.{key.split(':')[0]}", dedup_key=f"payments:{key}:{phone}", sensitive=True, returning=False)


# --------------------------------------------------------------------------- starting


def new_txn_ref(now) -> str:
    """``vnp_TxnRef``: letters and digits only, unique (the date + 10 random hex digits;
    the unique constraint catches the improbable repeat)."""
    return "XS" + timezone.localtime(now).strftime("%y%m%d") + secrets.token_hex(5).upper()


def start_payment(dossier, *, via: str, user=None, ip: str | None = None, provider_key: str | None = None, now=None) -> tuple[Payment, str]:
    """A new online payment of what is still due on ``dossier``; returns it and the URL to
    send the payer to. Two tabs may each start one: the first the gateway completes counts,
    the other is refunded when it completes too (``_complete``). An abandoned one expires
    and is given up by the reconciliation; the dossier stays payable meanwhile."""
    now = _now(now)
    provider = providers.get(provider_key) if provider_key else (providers.available() or [None])[0]
    if provider is None or not provider.configured:
        raise PaymentError(_("Online payment is not available at the moment; pay at the counter."))
    for attempt in range(3):
        try:
            with transaction.atomic():
                d = Dossier.objects.select_for_update().get(pk=dossier.pk)
                why = payable_refusal(d)
                if why:
                    raise PaymentError(why)
                amount = amount_due(d)
                payment = Payment.objects.create(
                    dossier=d,
                    provider=provider.key,
                    txn_ref=new_txn_ref(now),
                    amount=amount,
                    order_info=_order_info(d),
                    via=via,
                    started_by=user if getattr(user, "pk", None) else None,
                    payer_ip=ip or None,
                    created_at=now,
                    expires_at=providers.expiry(now),
                )
                url = provider.start(payment, ip=ip or "")
                _audit("payment.started", payment, changes={"state": [None, payment.state], "amount": [None, amount], "via": [None, via]})
                return payment, url
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _order_info(d) -> str:
    from .vnpay import order_info

    return order_info(f"Nop phi le phi ho so {d.code}")


# --------------------------------------------------------------------------- notifications


def handle_notification(provider_key: str, params: dict, *, now=None) -> dict:
    """The gateway's notification (IPN): verify, place, apply; returns the protocol's answer.
    Refusals are audited with what was received."""
    provider = providers.get(provider_key)
    if provider is None:
        return {"RspCode": "99", "Message": "Unknow error"}
    now = _now(now)
    try:
        result = provider.read_notification(params)
    except providers.NotificationRefused as exc:
        _refused(provider_key, exc.outcome, params, exc.detail)
        return provider.answer(exc.outcome)
    try:
        with transaction.atomic():
            payment = Payment.objects.select_for_update().filter(provider=provider.key, txn_ref=result.txn_ref).first()
            if payment is None or result.merchant != provider.tmn_code:
                why = "unknown transaction reference" if payment is None else f"merchant code {result.merchant!r} is not ours"
                _refused(provider_key, "not_found", params, why)
                return provider.answer("not_found")
            if result.amount != payment.amount:
                _refused(provider_key, "bad_amount", params, f"amount {result.amount} for a payment of {payment.amount}", payment=payment)
                return provider.answer("bad_amount")
            payment.notifications += 1
            state = payment.state_enum
            if state in states.CONFIRMED or (state == State.FAILED and not result.paid):
                payment.save(update_fields=["notifications", "updated_at"])
                _audit("payment.notification_duplicate", payment, changes={"state": [payment.state, payment.state]},
                       reason=f"notification {payment.notifications}: already {payment.state} ({result.response_code}/{result.transaction_status})")
                return provider.answer("already_confirmed")
            _apply(payment, result, source="notification", now=now)
            return provider.answer("ok")
    except Exception:
        logger.exception("Payment notification from %s failed", provider_key)
        return provider.answer("error")


def _refused(provider_key, outcome, params, detail, payment=None):
    safe = {k: str(v)[:120] for k, v in list(params.items())[:40]}
    with transaction.atomic():
        _audit(
            "payment.notification_refused",
            payment,
            changes={"outcome": [None, outcome], "params": [None, safe]},
            reason=f"{provider_key}: {detail}",
            object_repr=None if payment else f"{provider_key}:{params.get('vnp_TxnRef', '')}"[:255],
        )


def _apply(payment: Payment, result, *, source: str, now) -> None:
    """Apply what the gateway said to a locked payment (notification or query)."""
    fields = {
        "response_code": result.response_code, "transaction_status": result.transaction_status,
        "gateway_transaction_no": result.transaction_no or payment.gateway_transaction_no,
        "bank_code": result.bank_code or payment.bank_code, "bank_tran_no": result.bank_tran_no or payment.bank_tran_no,
        "card_type": result.card_type or payment.card_type, "pay_date": result.pay_date or payment.pay_date,
    }
    for name, value in fields.items():
        setattr(payment, name, (value or "")[: Payment._meta.get_field(name).max_length])
    before = payment.state
    if result.paid:
        _complete(payment, source=source, now=now)
    elif result.final:
        if states.can_move(payment.state, State.FAILED):
            payment.state = State.FAILED
    elif payment.state == State.STARTED:
        payment.state = State.PROCESSING
    payment.save()
    _audit(f"payment.{payment.state}", payment, changes={"state": [before, payment.state]},
           reason=f"{source}: {result.response_code}/{result.transaction_status}" + (f"; {payment.refund_reason}" if payment.needs_refund else ""))


def _complete(payment: Payment, *, source: str, now) -> None:
    if not states.can_move(payment.state, State.COMPLETED):
        return
    payment.state = State.COMPLETED
    payment.completed_at = now
    try:
        # The service locks and reads the dossier itself; its own savepoint undoes anything
        # it wrote when it refuses.
        fp = dossier_services.record_fee_payment(
            Dossier(pk=payment.dossier_id), None, amount=payment.amount, method=PaymentMethod.LOCAL_GATEWAY,
            reference=f"{payment.provider}:{payment.txn_ref}", now=now,
        )
    except DossierError as exc:
        # Money taken that cannot count (another tab or the counter was first, the dossier
        # is closed): kept as completed, refunded by the reconciliation.
        d = payment.dossier
        payment.needs_refund = True
        payment.refund_reason = " ".join(exc.messages)
        _sms(d, f"surplus:{payment.pk}", _("Dossier %(code)s: your online payment of %(amount)s was received but the fees were already settled; it will be refunded.") % {
            "code": d.code, "amount": dossier_services.vnd(payment.amount)})
        transaction.on_commit(lambda pk=payment.pk: _enqueue_refund(pk))
        return
    payment.fee_payment = fp
    d = fp.dossier  # the locked row record_fee_payment read
    from .links import payment_link

    _sms(d, f"paid:{payment.pk}", _("Dossier %(code)s: payment of %(amount)s received. Receipt: %(url)s") % {
        "code": d.code, "amount": dossier_services.vnd(payment.amount), "url": payment_link(d)})


def _enqueue_refund(payment_id):
    try:
        from .tasks import refund_payment

        refund_payment.enqueue(payment_id)
    except Exception:  # pragma: no cover - the reconciliation retries
        logger.exception("could not enqueue the refund of payment %s", payment_id)


# --------------------------------------------------------------------------- reconciliation


def query_after() -> timedelta:
    return timedelta(minutes=int(getattr(settings, "XASO_PAYMENT_QUERY_AFTER_MINUTES", 5)))


def give_up_after() -> timedelta:
    return timedelta(hours=int(getattr(settings, "XASO_PAYMENT_GIVE_UP_HOURS", 24)))


def check_payment(payment_id: int, *, now=None) -> str:
    """Ask the gateway about one pending payment and apply its answer; the payment's state
    afterwards."""
    now = _now(now)
    payment = Payment.objects.get(pk=payment_id)
    provider = providers.get(payment.provider)
    if provider is None or payment.state_enum not in states.PENDING:
        return payment.state
    result = provider.query(payment)
    with transaction.atomic():
        p = Payment.objects.select_for_update().get(pk=payment_id)
        p.last_checked_at = now
        if p.state_enum not in states.PENDING:  # a notification came meanwhile
            p.save(update_fields=["last_checked_at", "updated_at"])
            return p.state
        if result.answered and result.amount not in (None, p.amount):
            p.save(update_fields=["last_checked_at", "updated_at"])
            _audit("payment.query_amount_mismatch", p, reason=f"gateway amount {result.amount} for {p.amount}")
            return p.state
        if result.answered:
            _apply(p, result, source="query", now=now)
        elif now > p.expires_at + (query_after() if result.not_found else give_up_after()):
            # Expired and the gateway does not know it (91), or no answer for a day: the
            # payer abandoned it; the dossier is payable again. A late success is still
            # recorded (failed → completed).
            before = p.state
            p.state = State.FAILED
            p.save()
            _audit("payment.failed", p, changes={"state": [before, p.state]}, reason=f"abandoned: {result.response_code or 'no answer'} after expiry")
        else:
            p.save(update_fields=["last_checked_at", "updated_at"])
        return p.state


def refund(payment_id: int, *, now=None, by: str = "xaso") -> bool:
    """Give back a completed payment that could not count (``needs_refund``). True when the
    gateway accepted the refund."""
    now = _now(now)
    payment = Payment.objects.select_related("dossier").get(pk=payment_id)
    if not payment.needs_refund or payment.state != State.COMPLETED:
        return payment.state == State.REFUNDED
    provider = providers.get(payment.provider)
    if provider is None:
        return False
    result = provider.refund(payment, amount=payment.amount, by=by)
    with transaction.atomic():
        p = Payment.objects.select_for_update().select_related("dossier").get(pk=payment_id)
        if not p.needs_refund or p.state != State.COMPLETED:
            return p.state == State.REFUNDED
        p.refund_attempts += 1
        if not result.answered:
            p.refund_error = f"{result.response_code or 'no answer'}"
            p.save(update_fields=["refund_attempts", "refund_error", "updated_at"])
            _audit("payment.refund_failed", p, reason=p.refund_error)
            return False
        p.state = State.REFUNDED
        p.needs_refund = False
        p.refunded_at = now
        p.refund_error = ""
        p.save()
        _audit("payment.refunded", p, changes={"state": [State.COMPLETED, State.REFUNDED]}, reason=p.refund_reason)
        dossier_services.log_event(p.dossier, "payment_refunded", note=f"{dossier_services.vnd(p.amount)} · {p.provider}:{p.txn_ref}",
                                   data={"amount": p.amount, "reference": f"{p.provider}:{p.txn_ref}", "reason": p.refund_reason}, now=now)
        _sms(p.dossier, f"refunded:{p.pk}", _("Dossier %(code)s: the online payment of %(amount)s was refunded (the fees were already settled).") % {
            "code": p.dossier.code, "amount": dossier_services.vnd(p.amount)})
    return True


def reconcile(*, now=None, limit: int = 500) -> dict:
    """The scheduler's job (``xaso payments reconcile``): query pending payments older than
    ``XASO_PAYMENT_QUERY_AFTER_MINUTES`` and apply the answers; refund what could not count."""
    now = _now(now)
    pending = list(
        Payment.objects.filter(state__in=[s.value for s in states.PENDING], created_at__lte=now - query_after())
        .order_by("created_at").values_list("pk", flat=True)[:limit]
    )
    counts: dict[str, int] = {}
    for pk in pending:
        try:
            state = check_payment(pk, now=now)
        except Exception:  # noqa: BLE001 - one bad payment must not stop the others
            logger.exception("reconciling payment %s failed", pk)
            state = "error"
        counts[state] = counts.get(state, 0) + 1
    refunds = list(Payment.objects.filter(needs_refund=True, state=State.COMPLETED).values_list("pk", flat=True)[:limit])
    refunded = sum(1 for pk in refunds if refund(pk, now=now))
    return {"checked": len(pending), **counts, "refunds_due": len(refunds), "refunded": refunded}


# --------------------------------------------------------------------------- officers


def _in_scope(user, unit_id, roles) -> bool:
    return any(unit_id in dossier_services.scope_ids(user, role) for role in roles)


@transaction.atomic
def request_payment(dossier, officer, *, now=None):
    """The reception officer confirms the amount due and sends the applicant an SMS with the
    signed payment link (and it shows on the applicant's pages)."""
    now = _now(now)
    d = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if officer is None or not _in_scope(officer, d.receiving_unit_id, ["reception"]):
        raise PaymentError(_("Only a reception officer of “%(unit)s” asks for the fees.") % {"unit": d.receiving_unit.name})
    why = payable_refusal(d)
    if why:
        raise PaymentError(why)
    if not _phones(d):
        raise PaymentError(_("The applicant gave no phone number: give them the payment link or collect the fees at the counter."))
    due = amount_due(d)
    from .links import payment_link

    link = payment_link(d)
    ev = dossier_services.log_event(d, "payment_requested", user=officer, note=dossier_services.vnd(due), data={"amount": due}, now=now)
    _sms(d, f"request:{ev.pk}", _("Dossier %(code)s: fees %(amount)s. Pay online: %(url)s") % {
        "code": d.code, "amount": dossier_services.vnd(due), "url": link})
    return ev


def exemption_roles() -> list[str]:
    return list(getattr(settings, "XASO_FEE_EXEMPTION_ROLES", ["leader", "unit_head"]))


def may_exempt(dossier, user) -> bool:
    return bool(user and getattr(user, "is_official", False) and _in_scope(user, dossier.receiving_unit_id, exemption_roles()))


@transaction.atomic
def exempt(dossier, official, *, reason: str, now=None) -> FeeExemption:
    """Waive the dossier's fees (what is still due), with the reason and its legal basis."""
    now = _now(now)
    reason = (reason or "").strip()
    d = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not may_exempt(d, official):
        raise PaymentError(_("Only the commune's leaders or the unit's head may exempt fees."))
    if not reason:
        raise PaymentError(_("Give the reason for the exemption and its legal basis."))
    if Status(d.status) in FINAL:
        raise PaymentError(_("The dossier is closed (%(status)s).") % {"status": d.get_status_display()})
    if is_exempt(d):
        raise PaymentError(_("The fees of this dossier are already exempted."))
    due = amount_due(d)
    if due <= 0:
        raise PaymentError(_("Nothing is due on this dossier."))
    exemption = FeeExemption.objects.create(dossier=d, reason=reason, granted_by=official, granted_at=now)
    dossier_services.log_event(d, "fee_exempted", user=official, note=reason, data={"amount": due}, now=now)
    return exemption


# --------------------------------------------------------------------------- receipts


def collecting_unit(dossier) -> Unit:
    unit = dossier.receiving_unit
    return unit.local_government or unit


def series_for(unit: Unit) -> ReceiptSeries:
    series = ReceiptSeries.objects.filter(unit=unit, active=True).first()
    if series is None:
        try:
            with transaction.atomic():
                series = ReceiptSeries.objects.create(
                    unit=unit,
                    form_symbol=getattr(settings, "XASO_RECEIPT_FORM_SYMBOL", "01BLP0-001"),
                    letters=getattr(settings, "XASO_RECEIPT_LETTERS", "BL"),
                    tax_code=getattr(settings, "XASO_RECEIPT_TAX_CODE", ""),
                )
        except IntegrityError:
            series = ReceiptSeries.objects.get(unit=unit, active=True)
    return series


def _series_of(receiving_unit_id):
    """(active series, collecting body) of a receiving unit, kept for
    ``XASO_REFERENCE_CACHE_SECONDS`` (every payment of a commune reads the same rows; a series
    switched in the admin applies within that time)."""
    from xaso.core.refcache import ttl_memo

    def compute():
        unit = collecting_unit(Dossier(receiving_unit=Unit.objects.get(pk=receiving_unit_id)))
        return series_for(unit), unit

    return ttl_memo(("payments-series", receiving_unit_id), compute)


METHOD_TEXT = {
    PaymentMethod.CASH: "Tiền mặt",
    PaymentMethod.TRANSFER: "Chuyển khoản",
    PaymentMethod.NATIONAL_PORTAL: "Trực tuyến (Cổng Dịch vụ công quốc gia)",
    PaymentMethod.LOCAL_GATEWAY: "Trực tuyến (cổng thanh toán)",
}


def _receipt_lines(d, amount) -> list[dict]:
    lines = [line for line in (d.fee_lines or []) if line.get("amount")]
    if lines and sum(line["amount"] for line in lines) == amount:
        return [{"name": line.get("name") or dossier_services.fee_line_label(line), "amount": line["amount"]} for line in lines]
    return [{"name": f"Phí, lệ phí: {d.procedure_name}"[:300], "amount": amount}]


def issue_receipt(fee_payment: FeePayment) -> Receipt:
    """The electronic receipt of a fee payment, in the payment's transaction (registered
    with ``dossiers.extensions``). Numbered in the collecting body's active series, from 1
    each year, by one upsert of the series' counter row taken last (it is held until the
    commit: receipts of one series are numbered one after the other, never twice)."""
    d = fee_payment.dossier
    series, collector = _series_of(d.receiving_unit_id)
    issued = fee_payment.paid_at
    year = timezone.localtime(issued).year
    content = {
        "symbol": series.symbol(year),
        "form_symbol": series.form_symbol,
        "name": series.name,
        "collector": collector.name,
        "collector_address": collector.address,
        "tax_code": series.tax_code,
        "payer": d.applicant_name,
        "payer_address": d.applicant_address,
        "payer_id": d.applicant_id_number,
        "dossier": d.code,
        "procedure": d.procedure_name,
        "lines": _receipt_lines(d, fee_payment.amount),
        "amount": fee_payment.amount,
        "amount_words": vnd_in_words(fee_payment.amount),
        "method": METHOD_TEXT.get(fee_payment.method, fee_payment.method),
        "reference": fee_payment.reference,
        "collected_by": getattr(fee_payment.recorded_by, "display_name", "") or "",
    }
    number = dossier_services.next_number(ReceiptCounter, {"series": series, "year": year})
    if number > MAX_RECEIPT_NUMBER:
        raise DossierError(_("Receipt series %(series)s has used its 7-digit numbers for %(year)s; an administrator must open a new series.") % {"series": series.symbol(year), "year": year})
    return Receipt.objects.create(series=series, year=year, number=number, dossier=d, fee_payment=fee_payment, amount=fee_payment.amount, issued_at=issued, content=content)


def pending_payment(dossier):
    return Payment.objects.filter(dossier=dossier, state__in=[s.value for s in states.PENDING], expires_at__gt=timezone.now()).order_by("-created_at").first()


def open_refunds_q():
    return Q(needs_refund=True, state=State.COMPLETED)
