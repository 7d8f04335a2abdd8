"""The daily reconciliation list (XLSX, user text never a formula) and the payments API."""
import io
from datetime import timedelta

from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from xaso.dossiers.models import PaymentMethod
from xaso.payments import reconciliation, services
from xaso.payments.models import DailyReconciliation, Payment

from .conftest import FEE
from .test_faults import ipn_params, send, started


def api(user):
    c = APIClient()
    c.force_authenticate(user)
    return c


def test_daily_list_compares_with_the_gateway_and_is_text_safe(fee_dossier, world, gateway, settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    from xaso.dossiers import services as dossier_services

    d = fee_dossier()
    d.applicant_name = '=HYPERLINK("http://evil.example","x")'
    d.save(update_fields=["applicant_name"])
    paid = started(d)
    send(ipn_params(paid))  # the gateway never saw it: querydr disagrees
    open_one = started(fee_dossier())
    today = timezone.localdate()
    rec = reconciliation.build("vnpay", today)
    assert rec.totals["payments"] == 2 and rec.totals["completed"] == 1 and rec.totals["completed_amount"] == FEE
    assert rec.totals["not_checked"] == 2  # 91 unsigned: not found at the gateway
    from openpyxl import load_workbook

    c = Client()
    c.force_login(world.reception)
    resp = c.get(f"/thanh-toan/doi-soat/vnpay/{today:%Y-%m-%d}.xlsx")
    assert resp.status_code == 200 and "attachment" in resp["Content-Disposition"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    values = [cell for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type != "f" for cell in values)
    assert any(paid.txn_ref == cell.value for cell in values) and any(open_one.txn_ref == cell.value for cell in values)
    assert c.get("/thanh-toan/doi-soat/").status_code == 200
    outsider = Client()
    outsider.force_login(world.specialist)
    assert outsider.get(f"/thanh-toan/doi-soat/vnpay/{today:%Y-%m-%d}.xlsx").status_code == 403
    assert dossier_services  # noqa


def test_daily_list_after_a_real_sandbox_payment_has_no_difference(fee_dossier, gateway):
    from .test_flow import pay_through_the_sandbox

    d = fee_dossier()
    pay_through_the_sandbox(Client(), d)
    rec = reconciliation.build("vnpay", timezone.localdate())
    assert rec.totals["differences"] == 0 and rec.totals["not_checked"] == 0 and rec.rows[0]["receipt"] == 1


def test_the_command_makes_yesterdays_list(db, gateway):
    from django.core.management import call_command

    call_command("payments", "daily", "--no-query")
    assert DailyReconciliation.objects.filter(day=timezone.localdate() - timedelta(days=1)).exists()
    call_command("payments", "reconcile")


def test_api_status_start_and_receipt(fee_dossier, world, gateway):
    d = fee_dossier()
    owner = api(world.citizen)
    s = owner.get(f"/api/v1/payments/{d.code}/").json()
    assert s["due"] == FEE and s["payable_now"] and s["fee_timing"] == "before_result" and s["online_offered"]
    r = owner.post(f"/api/v1/payments/{d.code}/start/")
    assert r.status_code == 201 and "vpcpay.html?" in r.json()["redirect_url"]
    p = Payment.objects.get(txn_ref=r.json()["payment"]["txn_ref"])
    send(ipn_params(p))
    s = owner.get(f"/api/v1/payments/{d.code}/").json()
    assert s["due"] == 0 and s["payments"][0]["state"] == "completed" and len(s["receipts"]) == 1
    pdf = owner.get(s["receipts"][0]["pdf_url"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert owner.post(f"/api/v1/payments/{d.code}/start/").status_code == 400


def test_api_scope_first(fee_dossier, world, gateway):
    from xaso.core.models import User

    d = fee_dossier()
    stranger = User.objects.create_user(username="0987000000", kind=User.Kind.CITIZEN, phone="0987000000")
    assert api(stranger).get(f"/api/v1/payments/{d.code}/").status_code == 404
    assert api(stranger).post(f"/api/v1/payments/{d.code}/start/").status_code == 404
    assert api(world.outsider_reception).get(f"/api/v1/payments/{d.code}/").status_code == 404
    assert api(world.reception).get(f"/api/v1/payments/{d.code}/").status_code == 200
    assert api(world.reception).post(f"/api/v1/payments/{d.code}/start/").status_code == 403
    from xaso.dossiers import services as dossier_services

    fp = dossier_services.record_fee_payment(d, world.reception, amount=FEE, method=PaymentMethod.CASH)
    assert api(stranger).get(f"/api/v1/payments/receipts/{fp.receipt.pk}/pdf/").status_code == 404
    assert APIClient().get(f"/api/v1/payments/{d.code}/").status_code in (401, 403)
    assert services.amount_due(d) == 0


def test_gateway_endpoints_are_outside_the_token_api(fee_dossier, gateway):
    from .test_faults import ipn_params, started

    d = fee_dossier()
    p = started(d)
    params = ipn_params(p)
    anonymous = APIClient(enforce_csrf_checks=True)
    assert anonymous.get("/api/v1/payments/vnpay/return/", params).json() == {
        "valid": True, "dossier": d.code, "txn_ref": p.txn_ref, "state": "started", "gateway_says_paid": True}
    assert anonymous.get("/api/v1/payments/vnpay/ipn/", params, HTTP_AUTHORIZATION="Token nonsense").json()["RspCode"] == "00"
    assert anonymous.get("/api/v1/payments/vnpay/return/", {**params, "vnp_Amount": "1"}).json()["valid"] is False
    from xaso.dossiers.models import SyncJob

    # The national-portal payload says the dossier was paid online (766 item 3.6: local gateway).
    payload = SyncJob.objects.filter(dossier=d, event="fee_payment").latest("id").payload
    assert payload["DuocThanhToanTrucTuyen"] == 2 and payload["DaThanhToan"] is True
