"""Fee collection: ``services.record_fee_payment``, the staff page form, the API action,
counter intake with the fee collected, the portal payload."""
import dataclasses

import pytest
from django.core.cache import cache
from django.urls import reverse

from xaso.core.models import AuditRecord
from xaso.core.tests.parallel import run_parallel
from xaso.dossiers import services
from xaso.dossiers.models import Dossier, Event, FeePayment, PaidOnline, PaymentMethod, SyncJob
from xaso.dossiers.services import DossierError

from .conftest import api_as, applicant, at, components
from .test_concurrency import pg_only

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_2fa(settings):
    settings.XASO_TWO_FACTOR_REQUIRED_ROLES = []
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    cache.clear()


@pytest.fixture
def fee_terms(world):
    return dataclasses.replace(world.terms, fee=8000)


@pytest.fixture
def paying(world, make_intake, fee_terms):
    return make_intake(terms=fee_terms)


def fresh(d):
    return Dossier.objects.get(pk=d.pk)


def test_cash_at_the_counter_in_two_instalments(world, paying):
    p1 = services.record_fee_payment(paying, world.reception, amount=5000, method=PaymentMethod.CASH, reference="BL-0000012", now=at(2026, 3, 2, 9, 5))
    d = fresh(paying)
    assert (d.fee_paid, d.paid_online) == (False, PaidOnline.NO)
    assert p1.recorded_by == world.reception and p1.paid_at == at(2026, 3, 2, 9, 5)
    services.record_fee_payment(paying, world.reception, amount=3000, method=PaymentMethod.TRANSFER, reference="FT2606112233", now=at(2026, 3, 2, 9, 6))
    d = fresh(paying)
    assert d.fee_paid is True and d.paid_online == PaidOnline.NO
    assert services.fee_paid_total(d) == 8000
    events = Event.objects.filter(dossier=d, action="fee_payment").order_by("id")
    assert [e.data["paid_total"] for e in events] == [5000, 8000]
    assert events[0].from_status == events[0].to_status == d.status
    assert str(events[0].label) and "5.000 đ" in events[0].note
    assert AuditRecord.objects.filter(verb="dossier.fee_payment", object_id=str(d.pk)).count() == 2
    # the national portal payload reads the facts
    payload = SyncJob.objects.filter(dossier=d, event="fee_payment").latest("id").payload
    assert payload["DaThanhToan"] is True and payload["DuocThanhToanTrucTuyen"] == 0


@pytest.mark.parametrize("method, code", [(PaymentMethod.NATIONAL_PORTAL, PaidOnline.NATIONAL), (PaymentMethod.LOCAL_GATEWAY, PaidOnline.LOCAL)])
def test_online_payment_by_the_payment_platform_sets_paid_online(world, paying, method, code):
    p = services.record_fee_payment(paying, None, amount=8000, method=method, reference="GW-1", now=at(2026, 3, 2, 10))
    d = fresh(paying)
    assert d.fee_paid is True and d.paid_online == code and p.recorded_by is None
    assert SyncJob.objects.filter(dossier=d, event="fee_payment").latest("id").payload["DuocThanhToanTrucTuyen"] == code


def test_a_replayed_callback_or_a_double_click_records_once(world, paying, fee_terms):
    first = services.record_fee_payment(paying, None, amount=8000, method=PaymentMethod.NATIONAL_PORTAL, reference="DVCQG-778899")
    again = services.record_fee_payment(paying, None, amount=8000, method=PaymentMethod.NATIONAL_PORTAL, reference="DVCQG-778899")
    assert again.pk == first.pk and FeePayment.objects.count() == 1
    assert Event.objects.filter(dossier=paying, action="fee_payment").count() == 1
    # the same reference for a different payment is refused
    with pytest.raises(DossierError, match="DVCQG-778899"):
        services.record_fee_payment(paying, None, amount=4000, method=PaymentMethod.NATIONAL_PORTAL, reference="DVCQG-778899")
    # unreferenced cash: a second click with the same amount is the same payment
    other = services.intake(officer=world.reception, terms=fee_terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 2, 9, 30))
    a = services.record_fee_payment(other, world.reception, amount=8000, method=PaymentMethod.CASH)
    b = services.record_fee_payment(other, world.reception, amount=8000, method=PaymentMethod.CASH)
    assert a.pk == b.pk and FeePayment.objects.filter(dossier=other).count() == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"amount": 0}, "lớn hơn 0"),
        ({"amount": -5}, "lớn hơn 0"),
        ({"amount": "12.5"}, "số nguyên"),
        ({"amount": "abc"}, "số nguyên"),
        ({"amount": 9000}, "8.000 đ"),
        ({"method": "bitcoin"}, "không hợp lệ"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_changes_nothing(world, paying, settings, kwargs, message):
    settings.LANGUAGE_CODE = "vi"
    from django.utils import translation

    args = {"amount": 8000, "method": PaymentMethod.CASH, "reference": "BL-1"} | kwargs
    with translation.override("vi"), pytest.raises(DossierError) as exc:
        services.record_fee_payment(paying, world.reception, **args)
    assert message in " ".join(exc.value.messages)
    assert not FeePayment.objects.exists() and fresh(paying).fee_paid is False


def test_no_fee_full_payment_closed_dossier_and_wrong_person(world, make_intake, paying, fee_terms):
    free = make_intake()
    with pytest.raises(DossierError):
        services.record_fee_payment(free, world.reception, amount=1000, method=PaymentMethod.CASH)
    services.record_fee_payment(paying, world.reception, amount=8000, method=PaymentMethod.CASH, reference="BL-1")
    with pytest.raises(DossierError):  # already paid in full
        services.record_fee_payment(paying, world.reception, amount=1000, method=PaymentMethod.CASH, reference="BL-2")
    other = make_intake(terms=fee_terms)
    for who in (world.outsider_reception, world.specialist, world.head):
        with pytest.raises(DossierError):
            services.record_fee_payment(other, who, amount=8000, method=PaymentMethod.CASH)
    with pytest.raises(DossierError, match="payment platform|nền tảng"):  # online by hand
        services.record_fee_payment(other, world.reception, amount=8000, method=PaymentMethod.NATIONAL_PORTAL, reference="X")
    with pytest.raises(DossierError):  # counter method without a person
        services.record_fee_payment(other, None, amount=8000, method=PaymentMethod.CASH)
    services.stop(other, world.reception, reasons="Rút hồ sơ", now=at(2026, 3, 2, 11))
    with pytest.raises(DossierError):
        services.record_fee_payment(other, world.reception, amount=8000, method=PaymentMethod.CASH)
    assert not FeePayment.objects.filter(dossier=other).exists()


def test_staff_page_form_and_list(client, world, paying, fee_terms):
    client.force_login(world.reception)
    url = reverse("dossiers:detail", args=[paying.code])
    html = client.get(url).content.decode()
    assert 'data-action="fee_payment"' in html
    r = client.post(reverse("dossiers:fee_payment", args=[paying.code]), {"fee-amount": "8000", "fee-method": "cash", "fee-reference": "BL-0000077"}, follow=True)
    assert r.status_code == 200
    html = r.content.decode()
    assert "BL-0000077" in html and fresh(paying).fee_paid is True
    assert 'data-action="fee_payment"' not in html  # nothing left to pay
    # a specialist does not get the form and cannot post it
    client.force_login(world.specialist)
    services.transfer(paying, world.reception)
    services.assign(paying, world.head, specialist=world.specialist)
    other = services.intake(officer=world.reception, terms=fee_terms, applicant=applicant(), components=components(), receiving_unit=world.centre)
    services.transfer(other, world.reception)
    services.assign(other, world.head, specialist=world.specialist)
    assert 'data-action="fee_payment"' not in client.get(reverse("dossiers:detail", args=[other.code])).content.decode()
    r = client.post(reverse("dossiers:fee_payment", args=[other.code]), {"fee-amount": "8000", "fee-method": "cash"}, follow=True)
    assert not FeePayment.objects.filter(dossier=other).exists() and "alert-danger" in r.content.decode()


def test_api_fee_payment_action(world, paying, make_intake, fee_terms):
    api = api_as(world.reception)
    url = f"/api/v1/dossiers/{paying.code}/fee-payment/"
    r = api.post(url, {"amount": 9000, "method": "cash"}, format="json")
    assert r.status_code == 400 and "detail" in r.json()
    r = api.post(url, {"amount": 8000, "method": "cash", "reference": "BL-5"}, format="json")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["fee_paid"] is True and body["fee_payments"][0]["reference"] == "BL-5"
    r = api.post(url, {"amount": 8000, "method": "cash", "reference": "BL-5"}, format="json")  # replay
    assert r.status_code == 200 and FeePayment.objects.count() == 1
    r = api.post(url, {"amount": 8000, "method": "national_portal", "reference": "N1"}, format="json")
    assert r.status_code == 403
    api.force_authenticate(world.outsider_reception)  # another commune's desk: not in its scope
    assert api.post(url, {"amount": 1, "method": "cash"}, format="json").status_code == 404
    stopped = make_intake(terms=fee_terms)
    services.stop(stopped, world.reception, reasons="Rút hồ sơ")
    api.force_authenticate(world.reception)
    assert api.post(f"/api/v1/dossiers/{stopped.code}/fee-payment/", {"amount": 8000, "method": "cash"}, format="json").status_code == 409


def _catalogue_version_with_fee(amount=8000):
    from pathlib import Path

    from xaso.catalog.importer import import_file
    from xaso.catalog.models import Fee, ProcedureVersion

    import_file(Path(__file__).resolve().parents[2] / "catalog" / "fixtures" / "procedures.csv")
    v = ProcedureVersion.objects.filter(valid_to__isnull=True, processing_unit="working_days", processing_amount__gt=0).select_related("procedure").first()
    v.fees.all().delete()
    Fee.objects.create(version=v, kind=Fee.Kind.FIXED, amount=amount)
    return v


def test_counter_intake_api_with_the_fee_collected(world):
    v = _catalogue_version_with_fee()
    terms = services.terms_from_version(v, world.commune)
    assert terms.fee == 8000
    body = {
        "procedure_code": v.procedure.code,
        "receiving_unit": world.centre.code,
        "channel": 1,
        "applicant": {"name": "Lê Thị Bình", "phone": "0987654321"},
        "components": [{"name": d["name"]} for d in terms.documents],
        "fee_payment": {"amount": 8000, "method": "cash", "reference": "BL-0000100"},
    }
    officer = api_as(world.reception)
    r = officer.post("/api/v1/dossiers/", body, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["fee_paid"] is True
    assert FeePayment.objects.get().reference == "BL-0000100"
    # more than the fee: nothing is created at all (one transaction)
    before = Dossier.objects.count()
    r = officer.post("/api/v1/dossiers/", {**body, "fee_payment": {"amount": 9000, "method": "cash"}}, format="json")
    assert r.status_code == 400 and Dossier.objects.count() == before
    # online methods cannot be given at the counter
    r = officer.post("/api/v1/dossiers/", {**body, "fee_payment": {"amount": 8000, "method": "national_portal"}}, format="json")
    assert r.status_code == 400 and Dossier.objects.count() == before
    citizen = api_as(world.citizen)
    r = citizen.post("/api/v1/dossiers/", {**body, "channel": 2}, format="json")
    assert r.status_code == 400 and Dossier.objects.count() == before


def test_counter_intake_page_with_the_fee_collected(client, world):
    v = _catalogue_version_with_fee()
    terms = services.terms_from_version(v, world.commune)
    client.force_login(world.reception)
    html = client.get(reverse("dossiers:intake"), {"procedure": v.procedure.code}).content.decode()
    assert 'name="fee_collected"' in html and "8.000 đ" in html
    data = {"procedure": v.procedure.code, "receiving_unit": world.centre.pk, "applicant_kind": "citizen", "applicant_name": "Lê Thị Bình", "applicant_phone": "0987654321", "channel": 1, "delivery": "counter", "copies": 1}
    for i, _doc in enumerate(terms.documents):
        data[f"doc_{i}_submitted"] = "on"
    r = client.post(reverse("dossiers:intake"), {**data, "fee_collected": "9000", "fee_method": "cash"})
    assert r.status_code == 200 and not Dossier.objects.exists()  # above the fee: field error
    r = client.post(reverse("dossiers:intake"), {**data, "fee_collected": "8000", "fee_method": "transfer", "fee_reference": "FT-1"})
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert d.fee_paid and d.fee_payments.get().method == "transfer"
    r = client.post(reverse("dossiers:intake"), {**data, "applicant_name": "Hà Văn Cường"})
    assert r.status_code == 302 and not Dossier.objects.get(applicant_name="Hà Văn Cường").fee_paid


@pg_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_replays_of_a_gateway_callback_record_one_payment(world, make_intake, fee_terms):
    d = make_intake(terms=fee_terms)

    def one(i):
        return services.record_fee_payment(Dossier.objects.get(pk=d.pk), None, amount=8000, method=PaymentMethod.LOCAL_GATEWAY, reference="GW-REPLAY").pk

    pks, errors = run_parallel(6, one)
    assert not errors, [e.tb for e in errors]
    assert len(set(pks)) == 1 and FeePayment.objects.filter(dossier=d).count() == 1
    assert Event.objects.filter(dossier=d, action="fee_payment").count() == 1
    assert fresh(d).paid_online == PaidOnline.LOCAL
