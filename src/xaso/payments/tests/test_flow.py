"""A whole online payment through the local sandbox gateway, as a citizen does it: the
signed link, the gateway's page, the notification, the return page, the receipt."""
import pytest
from django.core import mail  # noqa: F401
from django.test import Client

from xaso.dossiers.models import FeePayment, PaidOnline
from xaso.notifications.models import Message
from xaso.payments import links, selectors, services
from xaso.payments.models import Payment, Receipt
from xaso.payments.states import State

from .conftest import FEE, via_client


def pay_through_the_sandbox(client, d, outcome="success"):
    page = client.get(links.payment_path(d))
    assert page.status_code == 200 and b"pay-button" in page.content
    start = client.post(links.payment_path(d))
    assert start.status_code == 302 and "/sandbox/vnpay/paymentv2/vpcpay.html?" in start["Location"]
    gateway = client.get(via_client(start["Location"]))
    assert gateway.status_code == 200
    query = start["Location"].split("?", 1)[1]
    back = client.post("/sandbox/vnpay/paymentv2/vpcpay.html", {"q": query, "outcome": outcome})
    assert back.status_code == 302 and "/thanh-toan/vnpay/tra-ve/?" in back["Location"]
    return client.get(via_client(back["Location"]))


def test_pay_by_the_sms_link_and_download_the_receipt(fee_dossier, gateway):
    d = fee_dossier()
    client = Client()
    result = pay_through_the_sandbox(client, d)
    assert result.status_code == 200
    assert "Đã xác nhận thanh toán" in result.content.decode() or b'id="result-state"' in result.content
    payment = Payment.objects.get(dossier=d)
    assert payment.state == State.COMPLETED and payment.notifications == 1 and payment.fee_payment is not None
    d.refresh_from_db()
    assert d.fee_paid and d.paid_online == PaidOnline.LOCAL
    fp = FeePayment.objects.get(dossier=d)
    assert fp.amount == FEE and fp.reference == f"vnpay:{payment.txn_ref}"
    receipt = Receipt.objects.get(fee_payment=fp)
    assert receipt.number == 1 and receipt.content["amount_words"] == "Năm mươi nghìn đồng"
    page = client.get(links.payment_path(d))
    assert b"pay-done" in page.content and receipt.reference.encode() in page.content
    pdf = client.get(f"{links.payment_path(d)}bien-lai/{receipt.pk}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    assert pdf.content.startswith(b"%PDF")
    # The payer was told by SMS, with the link (a sensitive message).
    assert Message.objects.filter(event="payments.paid", recipient=d.applicant_phone, sensitive=True).exists()
    # The portal's selector says nothing is due.
    s = selectors.payment_summary(d)
    assert s.due == 0 and not s.payable_now and s.receipts == 1


def test_a_declined_payment_leaves_the_dossier_payable(fee_dossier, gateway):
    d = fee_dossier()
    client = Client()
    for outcome, code in (("cancel", "24"), ("insufficient", "51"), ("timeout", "11")):
        result = pay_through_the_sandbox(client, d, outcome)
        assert result.status_code == 200
        p = Payment.objects.filter(dossier=d).latest("created_at")
        assert p.state == State.FAILED and p.response_code == code
        assert services.amount_due(d) == FEE and selectors.payment_summary(d).payable_now
    assert not FeePayment.objects.filter(dossier=d).exists()
    assert pay_through_the_sandbox(client, d).status_code == 200
    assert services.amount_due(d) == 0


def test_the_owner_pays_from_their_account_and_nobody_else_sees_the_page(fee_dossier, gateway, world):
    from xaso.core.models import User

    d = fee_dossier()
    owner = Client()
    owner.force_login(world.citizen)
    page = owner.get(f"/thanh-toan/ho-so/{d.code}/")
    assert page.status_code == 200
    start = owner.post(f"/thanh-toan/ho-so/{d.code}/")
    assert start.status_code == 302 and "vpcpay.html" in start["Location"]
    stranger = User.objects.create_user(username="0987654321", kind=User.Kind.CITIZEN, phone="0987654321")
    other = Client()
    other.force_login(stranger)
    assert other.get(f"/thanh-toan/ho-so/{d.code}/").status_code == 404
    assert Client().get(f"/thanh-toan/ho-so/{d.code}/").status_code == 302  # to the citizen login


def test_a_forged_or_expired_link_shows_nothing(fee_dossier, gateway, settings):
    d = fee_dossier()
    token = links.token_for(d)
    assert Client().get(f"/thanh-toan/{token[:-2]}xx/").status_code == 404
    settings.XASO_PAYMENT_LINK_DAYS = 0
    import time

    time.sleep(1.1)
    assert Client().get(f"/thanh-toan/{token}/").status_code == 404


def test_the_return_page_changes_nothing(fee_dossier, gateway, settings):
    settings.XASO_PAYMENT_SANDBOX_IPN = "off"  # the notification never comes
    d = fee_dossier()
    result = pay_through_the_sandbox(Client(), d)
    assert result.status_code == 200 and b'http-equiv="refresh"' in result.content
    p = Payment.objects.get(dossier=d)
    assert p.state == State.STARTED and not FeePayment.objects.filter(dossier=d).exists()
    # A return with a wrong signature is refused and changes nothing either.
    bad = Client().get("/thanh-toan/vnpay/tra-ve/?vnp_TxnRef=" + p.txn_ref + "&vnp_ResponseCode=00&vnp_SecureHash=" + "a" * 128)
    assert bad.status_code == 400
    p.refresh_from_db()
    assert p.state == State.STARTED


@pytest.mark.django_db  # the 404 page names the commune (its layout reads the units)
def test_sandbox_is_off_unless_enabled(settings):
    settings.XASO_PAYMENT_SANDBOX = False
    assert Client().get("/sandbox/vnpay/paymentv2/vpcpay.html").status_code == 404
    assert Client().post("/sandbox/vnpay/merchant_webapi/api/transaction", data="{}", content_type="application/json").status_code == 404
