"""Every fault of an online payment: notifications twice, late, before the return, never;
forged, altered, replayed; wrong amount or merchant; abandoned; two tabs."""
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from xaso.core.models import AuditRecord
from xaso.dossiers import services as dossier_services
from xaso.dossiers.models import FeePayment, PaymentMethod
from xaso.payments import providers, sandbox, services, vnpay
from xaso.payments.models import Payment, SandboxTransaction
from xaso.payments.states import State

from .conftest import FEE


def started(d, now=None):
    payment, url = services.start_payment(d, via="link", ip="127.0.0.1", now=now)
    return payment


def ipn_params(payment, *, response="00", status="00", amount=None, tmn=None, txn_ref=None, secret=None, transaction_no="14226112"):
    params = {
        "vnp_Amount": vnpay.to_amount(amount or payment.amount), "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP14226112", "vnp_CardType": "ATM",
        "vnp_OrderInfo": payment.order_info, "vnp_PayDate": "20260302093000", "vnp_ResponseCode": response,
        "vnp_TmnCode": tmn or providers.SANDBOX_TMN_CODE, "vnp_TransactionNo": transaction_no, "vnp_TransactionStatus": status,
        "vnp_TxnRef": txn_ref or payment.txn_ref,
    }
    return vnpay.parse_query(vnpay.signed_query(params, secret or providers.sandbox_secret()))


def send(params):
    return Client().get("/api/v1/payments/vnpay/ipn/?" + urlencode(params)).json()


def refused(outcome):
    return AuditRecord.objects.filter(verb="payment.notification_refused", changes__outcome=[None, outcome])


def test_notification_twice_counts_once(fee_dossier):
    d = fee_dossier()
    p = started(d)
    params = ipn_params(p)
    assert send(params) == {"RspCode": "00", "Message": "Confirm Success"}
    assert send(params) == {"RspCode": "02", "Message": "Order already confirmed"}
    p.refresh_from_db()
    assert p.state == State.COMPLETED and p.notifications == 2
    assert FeePayment.objects.filter(dossier=d).count() == 1
    assert AuditRecord.objects.filter(verb="payment.notification_duplicate", object_id=str(p.pk)).count() == 1


def test_a_failure_notification_then_its_duplicate(fee_dossier):
    d = fee_dossier()
    p = started(d)
    assert send(ipn_params(p, response="24", status="02"))["RspCode"] == "00"
    assert send(ipn_params(p, response="24", status="02"))["RspCode"] == "02"
    p.refresh_from_db()
    assert p.state == State.FAILED and services.amount_due(d) == FEE


def test_notification_before_the_return(fee_dossier, gateway):
    # The notification arrives first: the return page shows the confirmed state.
    d = fee_dossier()
    p = started(d)
    params = ipn_params(p)
    assert send(params)["RspCode"] == "00"
    page = Client().get("/thanh-toan/vnpay/tra-ve/?" + urlencode(params))
    assert page.status_code == 200 and b"result-state" in page.content and b'http-equiv="refresh"' not in page.content


def test_notification_never_comes_the_reconciliation_queries(fee_dossier, gateway, settings):
    settings.XASO_PAYMENT_SANDBOX_IPN = "off"
    d = fee_dossier()
    p = started(d)
    # The payer pays at the gateway; no notification reaches us.
    Client().get("/sandbox/vnpay/paymentv2/vpcpay.html?" + p_query(p))
    t = SandboxTransaction.objects.get(txn_ref=p.txn_ref)
    sandbox.finish(t, "success")
    assert Payment.objects.get(pk=p.pk).state == State.STARTED
    stats = services.reconcile(now=timezone.now() + timedelta(minutes=6))
    assert stats["checked"] == 1 and stats.get("completed") == 1
    p.refresh_from_db()
    assert p.state == State.COMPLETED and p.fee_payment is not None
    # The late notification afterwards: already confirmed, nothing twice.
    assert send(ipn_params(p, transaction_no=t.transaction_no))["RspCode"] == "02"
    assert FeePayment.objects.filter(dossier=d).count() == 1


def p_query(p):
    return providers.VNPayProvider().start(p, ip="127.0.0.1").split("?", 1)[1]


def test_the_scheduler_runs_the_reconciliation():
    from xaso.core import scheduler

    jobs = {job.name: job for job in scheduler.JOBS}
    assert jobs["payments_reconcile"].command == ("payments", "reconcile")
    assert jobs["payments_daily"].command == ("payments", "daily")


def test_abandoned_payment_is_given_up_and_the_dossier_stays_payable(fee_dossier, gateway):
    d = fee_dossier()
    p = started(d)  # never opened at the gateway: querydr answers 91 (unsigned)
    assert services.reconcile(now=timezone.now() + timedelta(minutes=6)).get("started") == 1  # not expired yet: kept
    later = p.expires_at + timedelta(minutes=10)
    services.reconcile(now=later)
    p.refresh_from_db()
    assert p.state == State.FAILED
    assert services.payable_refusal(d) is None and services.amount_due(d) == FEE
    assert services.start_payment(d, via="link")[0].state == State.STARTED


def test_abandoned_at_the_gateway_page(fee_dossier, gateway, monkeypatch):
    d = fee_dossier()
    p = started(d)
    Client().get("/sandbox/vnpay/paymentv2/vpcpay.html?" + p_query(p))  # opened, then the tab closed
    services.reconcile(now=timezone.now() + timedelta(minutes=6))
    assert Payment.objects.get(pk=p.pk).state == State.PROCESSING
    # After its expiry the gateway reports it failed.
    t = SandboxTransaction.objects.get(txn_ref=p.txn_ref)
    t.expire_date = vnpay.vnp_date(timezone.now() - timedelta(minutes=1))
    t.save()
    services.reconcile(now=timezone.now() + timedelta(minutes=30))
    assert Payment.objects.get(pk=p.pk).state == State.FAILED


@pytest.mark.parametrize("tamper", ["forged", "altered", "no_hash"])
def test_forged_or_altered_notifications_are_refused_and_audited(fee_dossier, tamper):
    d = fee_dossier()
    p = started(d)
    if tamper == "forged":
        params = ipn_params(p, secret="not-our-secret-at-all-0123456789")
    elif tamper == "altered":
        params = {**ipn_params(p, response="24", status="02"), "vnp_ResponseCode": "00", "vnp_TransactionStatus": "00"}
    else:
        params = {k: v for k, v in ipn_params(p).items() if k != "vnp_SecureHash"}
    assert send(params) == {"RspCode": "97", "Message": "Invalid signature"}
    p.refresh_from_db()
    assert p.state == State.STARTED and not FeePayment.objects.filter(dossier=d).exists()
    assert refused("bad_signature").exists()


def test_a_replayed_notification_of_another_payment_does_not_pay_this_one(fee_dossier):
    d1, d2 = fee_dossier(), fee_dossier()
    p1, p2 = started(d1), started(d2)
    params = ipn_params(p1)
    assert send(params)["RspCode"] == "00"
    replay = {**params, "vnp_TxnRef": p2.txn_ref}  # the signature covers the reference
    assert send(replay)["RspCode"] == "97"
    assert send(params)["RspCode"] == "02"  # the same one again: already confirmed
    assert Payment.objects.get(pk=p2.pk).state == State.STARTED


def test_wrong_amount_or_merchant_or_unknown_reference(fee_dossier):
    d = fee_dossier()
    p = started(d)
    assert send(ipn_params(p, amount=FEE - 1000)) == {"RspCode": "04", "Message": "invalid amount"}
    assert send(ipn_params(p, tmn="OTHERTMN")) == {"RspCode": "01", "Message": "Order not found"}
    assert send(ipn_params(p, txn_ref="XS000000UNKNOWN")) == {"RspCode": "01", "Message": "Order not found"}
    assert send({}) == {"RspCode": "99", "Message": "Unknow error"}
    p.refresh_from_db()
    assert p.state == State.STARTED and p.notifications == 0
    assert refused("bad_amount").count() == 1 and refused("not_found").count() == 2


def test_two_tabs_one_payment_counts_the_other_is_refunded(fee_dossier, gateway):
    d = fee_dossier()
    tab1, tab2 = started(d), started(d)
    assert send(ipn_params(tab1))["RspCode"] == "00"
    # The second tab completes at the gateway too (the sandbox knows it, so it can refund).
    Client().get("/sandbox/vnpay/paymentv2/vpcpay.html?" + p_query(tab2))
    sandbox.finish(SandboxTransaction.objects.get(txn_ref=tab2.txn_ref), "success")  # IPN "now": delivered
    tab2.refresh_from_db()
    assert tab2.state in (State.COMPLETED, State.REFUNDED) and tab2.fee_payment is None
    services.reconcile()
    tab2.refresh_from_db()
    assert tab2.state == State.REFUNDED and not tab2.needs_refund
    assert SandboxTransaction.objects.get(txn_ref=tab2.txn_ref).refunded == FEE
    assert FeePayment.objects.filter(dossier=d).count() == 1
    d.refresh_from_db()
    assert d.events.filter(action="payment_refunded").count() == 1
    # A third tab cannot even start: nothing is due.
    with pytest.raises(services.PaymentError):
        services.start_payment(d, via="link")


def test_counter_payment_first_then_the_online_one_is_refunded(fee_dossier, world, gateway):
    d = fee_dossier()
    p = started(d)
    dossier_services.record_fee_payment(d, world.reception, amount=FEE, method=PaymentMethod.CASH, reference="BL-1")
    assert send(ipn_params(p))["RspCode"] == "00"
    p.refresh_from_db()
    assert p.state == State.COMPLETED and p.needs_refund and p.refund_reason and p.fee_payment is None


def test_a_late_success_after_giving_up_is_still_recorded(fee_dossier, gateway):
    d = fee_dossier()
    p = started(d)
    services.reconcile(now=p.expires_at + timedelta(minutes=30))
    assert Payment.objects.get(pk=p.pk).state == State.FAILED
    assert send(ipn_params(p))["RspCode"] == "00"
    p.refresh_from_db()
    assert p.state == State.COMPLETED and p.fee_payment is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicate_notifications_record_one_payment(fee_dossier, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    from xaso.core.tests.parallel import run_parallel

    d = fee_dossier()
    p = started(d)
    params = ipn_params(p)
    results, errors = run_parallel(4, lambda i: services.handle_notification("vnpay", dict(params)))
    assert not errors, [e.tb for e in errors]
    assert sorted(r["RspCode"] for r in results) == ["00", "02", "02", "02"]
    assert FeePayment.objects.filter(dossier=d).count() == 1
