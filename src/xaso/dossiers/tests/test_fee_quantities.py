"""Fees priced per unit (per page, per copy, per case) at counter intake and at the reception
check: ``fee_amount`` = fixed lines + unit price × quantity, the breakdown kept on the
dossier (``fee_lines``), undetermined lines kept undetermined, bad quantities refused with a
Vietnamese message and nothing changed; the page, the API, the receipt."""
import dataclasses

import pytest
from django.urls import reverse

from xaso.dossiers import documents, services
from xaso.dossiers.models import CodeCounter, Dossier, Event, FeePayment, IssuedDocument, PaymentMethod, TrackingBookCounter
from xaso.dossiers.services import DossierError

from .conftest import api_as, applicant, at, components, statements
from .test_documents import docx_text, pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _vi(vietnamese_pages):
    yield


def version_of(code):
    from xaso.catalog.models import Procedure

    return Procedure.objects.get(code=code).current_version()


@pytest.fixture
def copies_version(catalogue):
    """2.000635 Cấp bản sao Trích lục hộ tịch: 8 000 đồng per copy (bản sao)."""
    return version_of("2.000635")


@pytest.fixture
def mixed_version(catalogue):
    """A version with every kind of line: fixed 5 000, 2 000 per page and 1 000 per page from
    the third (a tier entered as its own line), a council line without an amount, free."""
    from xaso.catalog.models import Fee

    v = version_of("2.000815")
    v.fees.all().delete()
    Fee.objects.create(version=v, order=1, kind=Fee.Kind.FIXED, amount=5000, description="Lệ phí cấp bản sao")
    Fee.objects.create(version=v, order=2, kind=Fee.Kind.PER_UNIT, amount=2000, unit="trang", description="Trang thứ 1 và 2")
    Fee.objects.create(version=v, order=3, kind=Fee.Kind.PER_UNIT, amount=1000, unit="trang", description="Từ trang thứ 3")
    Fee.objects.create(version=v, order=4, kind=Fee.Kind.COUNCIL, amount=None)
    Fee.objects.create(version=v, order=5, kind=Fee.Kind.FREE, amount=0)
    return v


def comps_for(terms):
    return [services.ComponentIn(name=d["name"]) for d in terms.documents]


def intake(world, terms, **kw):
    return services.intake(
        officer=world.reception, terms=terms, applicant=applicant(), components=comps_for(terms), receiving_unit=world.centre, now=kw.pop("now", at(2026, 3, 2, 9)), **kw
    )


# --------------------------------------------------------------------------- pricing


def test_terms_carry_the_catalogue_lines(world, mixed_version):
    terms = services.terms_from_version(mixed_version, world.commune)
    assert terms.fee == 5000  # the fixed fees, as before
    assert [(x["line"], x["kind"], x["unit_price"], x["unit"]) for x in terms.fee_lines] == [
        (1, "fixed", 5000, ""),
        (2, "per_unit", 2000, "trang"),
        (3, "per_unit", 1000, "trang"),
        (4, "council", None, ""),
        (5, "free", 0, ""),
    ]


def test_price_lines_default_one_and_undetermined_lines_not_counted(world, mixed_version):
    terms = services.terms_from_version(mixed_version, world.commune)
    lines, total = services.price_fee_lines(terms.fee_lines)
    assert total == 5000 + 2000 + 1000
    assert [x["quantity"] for x in lines] == [None, 1, 1, None, None]
    assert [x["amount"] for x in lines] == [5000, 2000, 1000, None, 0]
    lines, total = services.price_fee_lines(terms.fee_lines, {2: 2, 3: 8})
    assert total == 5000 + 4000 + 8000 and lines[2]["amount"] == 8000
    # a tier not used, an exempt applicant: 0 units
    assert services.price_fee_lines(terms.fee_lines, {2: 0, 3: 0})[1] == 5000
    # re-pricing a dossier's lines keeps the quantities not given again
    again, total = services.price_fee_lines(lines, {2: 1})
    assert [x["quantity"] for x in again] == [None, 1, 8, None, None] and total == 5000 + 2000 + 8000


@pytest.mark.parametrize(
    "quantities, message",
    [
        ({2: -1}, "không được âm"),
        ({2: "2.5"}, "số nguyên"),
        ({2: 2.5}, "số nguyên"),
        ({2: "ba"}, "số nguyên"),
        ({2: True}, "số nguyên"),
        ({2: float("nan")}, "số nguyên"),
        ({2: 10_001}, "quá lớn"),
        ({2: 10**30}, "quá lớn"),
        ({1: 2}, "không tính theo đơn vị"),
        ({9: 1}, "không có khoản phí, lệ phí số 9"),
    ],
)
def test_bad_quantities_are_refused_in_vietnamese_and_change_nothing(world, mixed_version, quantities, message):
    terms = services.terms_from_version(mixed_version, world.commune)
    with pytest.raises(DossierError) as exc:
        intake(world, terms, fee_quantities=quantities)
    assert message in " ".join(exc.value.messages)
    assert not Dossier.objects.exists()
    assert not CodeCounter.objects.exists() and not TrackingBookCounter.objects.exists()


def test_quantities_without_per_unit_lines_are_refused(world):
    with pytest.raises(DossierError, match="không có khoản phí, lệ phí tính theo đơn vị"):
        intake(world, world.terms, fee_quantities={1: 2})
    assert not Dossier.objects.exists()


# --------------------------------------------------------------------------- counter intake


def test_counter_intake_prices_per_copy_and_keeps_the_breakdown(world, copies_version):
    terms = services.terms_from_version(copies_version, world.commune)
    default = intake(world, terms)
    assert default.fee_amount == 8000 and default.fee_lines[0]["quantity"] == 1
    d = intake(world, terms, fee_quantities={1: 3})
    d.refresh_from_db()
    assert d.fee_amount == 24000 and not d.fee_undetermined
    assert d.fee_lines == [{"line": 1, "kind": "per_unit", "name": "", "unit_price": 8000, "unit": "bản sao", "quantity": 3, "amount": 24000}]
    # the copy does not follow later catalogue edits
    copies_version.fees.update(amount=9000)
    d.refresh_from_db()
    assert d.fee_amount == 24000 and d.fee_lines[0]["unit_price"] == 8000
    # the fees can now be collected
    services.record_fee_payment(d, world.reception, amount=24000, method=PaymentMethod.CASH, reference="BL-1")
    d.refresh_from_db()
    assert d.fee_paid


def test_undetermined_lines_stay_undetermined(world, mixed_version):
    terms = services.terms_from_version(mixed_version, world.commune)
    d = intake(world, terms, fee_quantities={2: 2, 3: 3})
    d.refresh_from_db()
    assert d.fee_amount == 5000 + 4000 + 3000 and d.fee_undetermined
    council = d.fee_lines[3]
    assert council["kind"] == "council" and council["amount"] is None
    # only a council line without an amount: nothing to collect, but not "free"
    from xaso.catalog.models import Fee

    mixed_version.fees.exclude(kind=Fee.Kind.COUNCIL).delete()
    only = intake(world, services.terms_from_version(mixed_version, world.commune))
    assert only.fee_amount == 0 and only.fee_undetermined
    total, texts = documents.fee_texts(only)
    assert total == "chưa xác định" and texts == []
    with pytest.raises(DossierError, match="chưa xác định"):
        services.record_fee_payment(only, world.reception, amount=1000, method=PaymentMethod.CASH)


def test_intake_statement_count_unchanged_by_fee_lines(world, copies_version):
    terms = services.terms_from_version(copies_version, world.commune)
    plain = dataclasses.replace(terms, fee_lines=[], fee=0)
    intake(world, plain, now=at(2026, 3, 2, 8))  # warm the caches

    def count(t, **kw):
        return statements(intake, world, t, now=at(2026, 3, 2, 9), **kw)

    assert count(terms, fee_quantities={1: 4}) == count(plain)


def test_counter_intake_page_with_quantities(client, world, mixed_version):
    terms = services.terms_from_version(mixed_version, world.commune)
    client.force_login(world.reception)
    url = reverse("dossiers:intake")
    html = client.get(url, {"procedure": mixed_version.procedure.code}).content.decode()
    assert 'name="fee_qty_2"' in html and 'name="fee_qty_3"' in html and 'name="fee_qty_1"' not in html
    assert "chưa xác định" in html and 'name="fee_collected"' in html
    data = {"procedure": mixed_version.procedure.code, "receiving_unit": world.centre.pk, "applicant_kind": "citizen", "applicant_name": "Lê Thị Bình", "applicant_phone": "0987654321", "channel": 1, "delivery": "counter", "copies": 1, "fee_qty_2": "2", "fee_qty_3": "1"}
    for i, _doc in enumerate(terms.documents):
        data[f"doc_{i}_submitted"] = "on"
    for bad, message in (("-1", "không được âm"), ("2.5", "số nguyên"), ("abc", "số nguyên"), ("100000", "quá lớn"), ("", "Nhập số lượng")):
        r = client.post(url, {**data, "fee_qty_3": bad})
        body = r.content.decode()
        assert r.status_code == 200 and message in body, (bad, message)
        assert 'id="id_fee_qty_3-error"' in body
    assert not Dossier.objects.exists()
    # more collected than the priced total: refused, nothing created
    r = client.post(url, {**data, "fee_qty_3": "4", "fee_collected": "14000"})
    assert r.status_code == 200 and not Dossier.objects.exists()
    r = client.post(url, {**data, "fee_qty_3": "4", "fee_collected": "13000", "fee_method": "cash", "fee_reference": "BL-9"})
    assert r.status_code == 302
    d = Dossier.objects.get()
    assert d.fee_amount == 5000 + 4000 + 4000 and d.fee_paid and d.fee_undetermined
    page = client.get(reverse("dossiers:detail", args=[d.code])).content.decode()
    assert 'id="fee-lines"' in page and "Từ trang thứ 3" in page and "chưa xác định" in page and "13.000 đ" in page


def test_receipt_shows_the_fees(world, mixed_version, copies_version):
    d = intake(world, services.terms_from_version(copies_version, world.commune), fee_quantities={1: 3})
    doc = IssuedDocument.objects.get(dossier=d, kind="receipt")
    expected = ["Phí, lệ phí: 24.000 đồng", "8.000 đồng/bản sao × 3 bản sao = 24.000 đồng"]
    text = pdf_text(documents.render_pdf(doc))
    assert all(e in text for e in expected), text
    text = docx_text(documents.render_docx(doc))
    assert all(e in text for e in expected) and "{{" not in text, text
    d = intake(world, services.terms_from_version(mixed_version, world.commune), fee_quantities={2: 2, 3: 0}, now=at(2026, 3, 2, 10))
    text = pdf_text(documents.render_pdf(IssuedDocument.objects.get(dossier=d, kind="receipt")))
    for e in [
        "Phí, lệ phí: 9.000 đồng (chưa gồm khoản chưa xác định)",
        "Lệ phí cấp bản sao: 5.000 đồng",
        "Trang thứ 1 và 2: 2.000 đồng/trang × 2 trang = 4.000 đồng",
        "Từ trang thứ 3: 1.000 đồng/trang × 0 trang = 0 đồng",
        "Khoản do HĐND tỉnh quyết định: chưa xác định",
        "Miễn phí",
    ]:
        assert e in text, e
    # no fee at all: no fee line on the receipt
    d0 = services.intake(officer=world.reception, terms=world.terms, applicant=applicant(), components=components(), receiving_unit=world.centre, now=at(2026, 3, 2, 11))
    assert "Phí, lệ phí" not in pdf_text(documents.render_pdf(IssuedDocument.objects.get(dossier=d0, kind="receipt")))


# --------------------------------------------------------------------------- API


def test_api_intake_with_quantities(world, copies_version):
    terms = services.terms_from_version(copies_version, world.commune)
    body = {
        "procedure_code": copies_version.procedure.code,
        "receiving_unit": world.centre.code,
        "channel": 1,
        "applicant": {"name": "Lê Thị Bình", "phone": "0987654321"},
        "components": [{"name": d["name"]} for d in terms.documents],
        "fee_quantities": [{"line": 1, "quantity": 2}],
        "fee_payment": {"amount": 16000, "method": "cash", "reference": "BL-0000200"},
    }
    api = api_as(world.reception)
    r = api.post("/api/v1/dossiers/", body, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["fee_amount"] == 16000 and data["fee_paid"] is True and data["fee_undetermined"] is False
    assert data["fee_lines"] == [{"line": 1, "kind": "per_unit", "name": "", "unit_price": 8000, "counter_unit_price": None, "online_unit_price": None, "unit": "bản sao", "quantity": 2, "amount": 16000}]
    before = Dossier.objects.count()
    del body["fee_payment"]
    for quantities, message in (
        ([{"line": 1, "quantity": -2}], "không được âm"),
        ([{"line": 1, "quantity": 2.5}], "số nguyên"),
        ([{"line": 1, "quantity": "x"}], "số nguyên"),
        ([{"line": 1, "quantity": 10**6}], "quá lớn"),
        ([{"line": 2, "quantity": 1}], "không có khoản phí, lệ phí số 2"),
        ([{"line": 1, "quantity": 1}, {"line": 1, "quantity": 2}], "hai lần"),
    ):
        r = api.post("/api/v1/dossiers/", {**body, "fee_quantities": quantities}, format="json", HTTP_ACCEPT_LANGUAGE="vi")
        assert r.status_code == 400 and message in r.content.decode(), (quantities, r.content.decode())
    assert Dossier.objects.count() == before


def test_online_quantities_corrected_at_the_reception_check(world, copies_version):
    terms = services.terms_from_version(copies_version, world.commune)
    citizen = api_as(world.citizen)
    body = {
        "procedure_code": copies_version.procedure.code,
        "receiving_unit": world.centre.code,
        "channel": 2,
        "delivery": "online",
        "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"},
        "components": [{"name": d["name"]} for d in terms.documents],
        "fee_quantities": [{"line": 1, "quantity": 2}],
    }
    r = citizen.post("/api/v1/dossiers/", body, format="json")
    assert r.status_code == 201, r.content
    d = Dossier.objects.get(code=r.json()["code"])
    assert d.fee_amount == 16000
    # paid online for 2 copies before the check
    services.record_fee_payment(d, None, amount=16000, method=PaymentMethod.NATIONAL_PORTAL, reference="GD-1")
    officer = api_as(world.reception)
    url = f"/api/v1/dossiers/{d.code}/receive/"
    # fewer copies than paid: refused, nothing changes
    r = officer.post(url, {"fee_quantities": [{"line": 1, "quantity": 1}]}, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 400 and "ít hơn số đã nộp" in r.json()["detail"]
    d.refresh_from_db()
    assert d.status == "submitted" and d.fee_amount == 16000 and d.fee_paid and d.received_at is None
    r = officer.post(url, {"fee_quantities": [{"line": 1, "quantity": -1}]}, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 400 and "không được âm" in r.content.decode()
    # 3 copies: 8 000 more to pay
    r = officer.post(url, {"fee_quantities": [{"line": 1, "quantity": 3}]}, format="json")
    assert r.status_code == 200, r.content
    assert r.json()["fee_amount"] == 24000 and r.json()["fee_paid"] is False and r.json()["status"] == "received"
    ev = Event.objects.get(dossier=d, action="receive")
    assert ev.data["fee_amount"] == [16000, 24000] and ev.data["fee_quantities"] == {"1": 3}
    services.record_fee_payment(d, world.reception, amount=8000, method=PaymentMethod.CASH, reference="BL-2")
    d.refresh_from_db()
    assert d.fee_paid and FeePayment.objects.filter(dossier=d).count() == 2
    # the receipt issued at the check has the new quantity
    text = pdf_text(documents.render_pdf(IssuedDocument.objects.get(dossier=d, kind="receipt")))
    assert "8.000 đồng/bản sao × 3 bản sao = 24.000 đồng" in text
    # quantities are not for other actions
    r = officer.post(f"/api/v1/dossiers/{d.code}/transfer/", {"fee_quantities": [{"line": 1, "quantity": 1}]}, format="json", HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 400 and Dossier.objects.get(pk=d.pk).status == "received"


def test_reception_check_page_form(client, world, copies_version):
    terms = services.terms_from_version(copies_version, world.commune)
    d = services.submit_online(user=world.citizen, terms=terms, applicant=applicant(), components=comps_for(terms), receiving_unit=world.centre, now=at(2026, 3, 2, 9))
    client.force_login(world.reception)
    page = client.get(reverse("dossiers:detail", args=[d.code])).content.decode()
    assert 'name="receive-fee_qty_1"' in page
    url = reverse("dossiers:act", args=[d.code, "receive"])
    r = client.post(url, {"receive-fee_qty_1": "-3"}, follow=True)
    assert "không được âm" in r.content.decode()
    assert Dossier.objects.get(pk=d.pk).status == "submitted"
    r = client.post(url, {"receive-fee_qty_1": "5"}, follow=True)
    d.refresh_from_db()
    assert d.status == "received" and d.fee_amount == 40000 and d.fee_lines[0]["quantity"] == 5
    # the same quantity again is no change: the reception check reads no payment
    d2 = services.submit_online(user=world.citizen, terms=terms, applicant=applicant(), components=comps_for(terms), receiving_unit=world.centre, now=at(2026, 3, 2, 9, 30))
    client.post(reverse("dossiers:act", args=[d2.code, "receive"]), {"receive-fee_qty_1": "1"})
    d2.refresh_from_db()
    assert d2.status == "received" and d2.fee_amount == 8000
    assert "fee_amount" not in Event.objects.get(dossier=d2, action="receive").data


def test_portal_payload_lists_each_priced_fee_line(world, mixed_version):
    """DanhSachPhiLePhi: one item per line with a known amount above 0; undetermined lines
    are left out, not sent as 0."""
    from xaso.dossiers.portal_sync import build_payload

    d = intake(world, services.terms_from_version(mixed_version, world.commune), fee_quantities={2: 2, 3: 3})
    d.refresh_from_db()
    assert build_payload(d)["DanhSachPhiLePhi"] == [{"Gia": 5000}, {"Gia": 4000}, {"Gia": 3000}]
    d.fee_lines, d.fee_amount = [], 7000  # a dossier priced before the lines were kept
    assert build_payload(d, components=[], pauses=[])["DanhSachPhiLePhi"] == [{"Gia": 7000}]
