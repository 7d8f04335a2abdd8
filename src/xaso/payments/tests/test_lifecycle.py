"""When payment happens: the catalogue says when fees are due; the lifecycle blocks the step
that needs them until paid or exempted; the officer sends the payment link; counter
payments as before, each with its receipt."""
import pytest
from django.test import Client

from xaso.dossiers import services as dossier_services
from xaso.dossiers.models import FeePayment, PaymentMethod
from xaso.dossiers.services import DossierError
from xaso.dossiers.tests.conftest import applicant, components, result_pdf
from xaso.notifications.models import Message
from xaso.payments import links, services
from xaso.payments.models import FeeExemption, Receipt

from .conftest import FEE, at


def to_result(d, w):
    d = dossier_services.transfer(d, w.reception, now=at(2026, 3, 2, 10))
    d = dossier_services.assign(d, w.head, specialist=w.specialist, now=at(2026, 3, 2, 11))
    d = dossier_services.submit_for_approval(d, w.specialist, now=at(2026, 3, 3, 9))
    d = dossier_services.approve(d, w.leader, now=at(2026, 3, 3, 10))
    return dossier_services.result_ready(d, w.specialist, result_number="1/KS", result_file=result_pdf(), now=at(2026, 3, 3, 11))


def test_fees_due_before_the_result_block_its_return_until_paid(fee_dossier, world):
    d = to_result(fee_dossier(timing="before_result"), world)
    with pytest.raises(DossierError, match="trước khi trả kết quả|before the result"):
        dossier_services.return_result(d, world.reception, now=at(2026, 3, 4, 9))
    dossier_services.record_fee_payment(d, world.reception, amount=FEE, method=PaymentMethod.CASH, now=at(2026, 3, 4, 9))
    d = dossier_services.return_result(d, world.reception, now=at(2026, 3, 4, 10))
    assert d.status == "returned"


def test_fees_due_before_reception_block_the_reception_and_the_transfer(fee_dossier, world):
    from xaso.dossiers.states import Status

    d = fee_dossier(timing="before_reception")
    with pytest.raises(DossierError, match="trước khi tiếp nhận|before the dossier is received"):
        dossier_services.transfer(d, world.reception, now=at(2026, 3, 2, 10))
    terms = world.terms
    online = dossier_services.submit_online(user=world.citizen, terms=terms, applicant=applicant(account=world.citizen), components=components(),
                                            receiving_unit=world.centre, now=at(2026, 3, 2, 9))
    with pytest.raises(DossierError):
        dossier_services.receive(online, world.reception, now=at(2026, 3, 2, 10))
    services.exempt(online, world.leader, reason="Người có công với cách mạng (miễn lệ phí)", now=at(2026, 3, 2, 10))
    assert dossier_services.receive(online, world.reception, now=at(2026, 3, 2, 11)).status == Status.RECEIVED
    assert online.events.filter(action="fee_exempted").exists()


def test_no_timing_stated_blocks_nothing(fee_dossier, world):
    d = to_result(fee_dossier(timing="unknown"), world)
    assert dossier_services.return_result(d, world.reception, now=at(2026, 3, 4, 9)).status == "returned"


def test_exemption_needs_an_authorised_official_and_a_reason(fee_dossier, world):
    d = fee_dossier()
    for who in (world.reception, world.specialist, world.outsider_head):
        with pytest.raises(services.PaymentError):
            services.exempt(d, who, reason="x")
    with pytest.raises(services.PaymentError):
        services.exempt(d, world.leader, reason="  ")
    services.exempt(d, world.centre_head, reason="Hộ nghèo (miễn phí theo quy định)")
    with pytest.raises(services.PaymentError):
        services.exempt(d, world.leader, reason="again")
    assert FeeExemption.objects.filter(dossier=d).count() == 1 and services.amount_due(d) == 0
    assert services.payable_refusal(d)


def test_the_officer_confirms_the_amount_and_the_citizen_gets_the_link(fee_dossier, world):
    d = fee_dossier()
    with pytest.raises(services.PaymentError):
        services.request_payment(d, world.specialist)
    with pytest.raises(services.PaymentError):
        services.request_payment(d, world.outsider_reception)
    services.request_payment(d, world.reception)
    sms = Message.objects.get(event="payments.request", recipient=d.applicant_phone)
    assert links.payment_link(d).split("/thanh-toan/")[1][:20] in sms.body and sms.sensitive
    assert "50.000" in sms.body
    assert d.events.filter(action="payment_requested").exists()


def test_no_request_when_online_payment_is_not_offered(fee_dossier, world):
    d = fee_dossier(online=False)
    with pytest.raises(services.PaymentError, match="trực tuyến|Online payment"):
        services.request_payment(d, world.reception)
    assert Client().get(links.payment_path(d)).status_code == 200
    assert Client().post(links.payment_path(d)).status_code == 302
    assert not d.online_payments.exists()


def test_counter_payments_get_receipts_too(fee_dossier, world):
    d = fee_dossier()
    fp = dossier_services.record_fee_payment(d, world.reception, amount=20_000, method=PaymentMethod.CASH, reference="")
    fp2 = dossier_services.record_fee_payment(d, world.reception, amount=30_000, method=PaymentMethod.TRANSFER, reference="UNC-1")
    r1, r2 = Receipt.objects.get(fee_payment=fp), Receipt.objects.get(fee_payment=fp2)
    assert (r1.number, r2.number) == (1, 2)
    assert r1.content["method"] == "Tiền mặt" and r2.content["method"] == "Chuyển khoản"
    assert r1.content["collected_by"] == world.reception.display_name


def test_staff_page_shows_the_payment_panel_and_receipts(fee_dossier, world, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    d = fee_dossier()
    fp = dossier_services.record_fee_payment(d, world.reception, amount=FEE, method=PaymentMethod.CASH)
    c = Client()
    c.force_login(world.reception)
    page = c.get(d.get_absolute_url())
    assert page.status_code == 200 and b'id="h-pay"' in page.content
    receipt = Receipt.objects.get(fee_payment=fp)
    pdf = c.get(f"/thanh-toan/quan-ly/{d.code}/bien-lai/{receipt.pk}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and "attachment" in pdf["Content-Disposition"]
    outsider = Client()
    outsider.force_login(world.outsider_reception)
    assert outsider.get(f"/thanh-toan/quan-ly/{d.code}/bien-lai/{receipt.pk}.pdf").status_code == 404
    assert FeePayment.objects.filter(dossier=d).count() == 1
