"""Fees that differ by channel: a catalogue line with an online price (``Fee.online_amount``)
is priced at it for an online dossier (channel 2) and at the counter price for a counter or
postal one; the dossier's line keeps both prices; no extra statement."""
import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from xaso.dossiers import documents, services
from xaso.dossiers.models import Channel, Dossier, Event, PaymentMethod

from .conftest import api_as, applicant, at, statements

pytestmark = pytest.mark.django_db

RESIDENCE = "1.004222"  # Đăng ký thường trú: 20 000 đồng/lần at the counter, 10 000 online


@pytest.fixture(autouse=True)
def _vi(vietnamese_pages):
    yield


@pytest.fixture
def residence(catalogue):
    from xaso.catalog.models import Procedure

    return Procedure.objects.get(code=RESIDENCE).current_version()


@pytest.fixture
def two_lines(residence):
    """A fixed line with a lower online price and a per-page line with the same price."""
    from xaso.catalog.models import Fee

    v = residence
    v.fees.all().delete()
    Fee.objects.create(version=v, order=1, kind=Fee.Kind.FIXED, amount=20000, online_amount=10000, description="Lệ phí")
    Fee.objects.create(version=v, order=2, kind=Fee.Kind.PER_UNIT, amount=2000, unit="trang", description="Bản sao")
    return v


def comps_for(terms):
    return [services.ComponentIn(name=d["name"]) for d in terms.documents]


def counter(world, terms, **kw):
    return services.intake(officer=world.reception, terms=terms, applicant=applicant(), components=comps_for(terms),
                           receiving_unit=world.centre, now=kw.pop("now", at(2026, 3, 2, 9)), **kw)


def online(world, terms, **kw):
    return services.submit_online(user=world.citizen, terms=terms, applicant=applicant(), components=comps_for(terms),
                                  receiving_unit=world.centre, now=kw.pop("now", at(2026, 3, 2, 9)), **kw)


def test_terms_carry_both_prices(world, residence):
    terms = services.terms_from_version(residence, world.commune)
    assert [(x["kind"], x["unit_price"], x["online_unit_price"], x["unit"]) for x in terms.fee_lines] == [("per_unit", 20000, 10000, "lần")]


def test_price_lines_by_channel(world, two_lines):
    terms = services.terms_from_version(two_lines, world.commune)
    lines, total = services.price_fee_lines(terms.fee_lines, {2: 3})
    assert total == 20000 + 6000 and lines[0]["unit_price"] == 20000
    lines, total = services.price_fee_lines(terms.fee_lines, {2: 3}, Channel.ONLINE)
    assert total == 10000 + 6000
    assert lines[0] == {"line": 1, "kind": "fixed", "name": "Lệ phí", "unit_price": 10000, "unit": "", "quantity": None,
                        "amount": 10000, "counter_unit_price": 20000, "online_unit_price": 10000}
    assert "online_unit_price" not in lines[1]  # one price: the line as before
    # re-pricing a dossier's lines keeps its channel's price (and both prices)
    again, total = services.price_fee_lines(lines, {2: 1}, Channel.ONLINE)
    assert total == 12000 and again[0] == lines[0]
    assert services.price_fee_lines(lines, None, Channel.COUNTER)[0][0]["unit_price"] == 20000
    # a postal dossier pays the counter price
    assert services.terms_fees(terms, None, Channel.POST)[1] == 22000


def test_counter_and_online_dossiers_of_the_same_procedure(world, residence):
    terms = services.terms_from_version(residence, world.commune)
    at_counter = counter(world, terms)
    by_post = counter(world, terms, channel=Channel.POST, now=at(2026, 3, 2, 10))
    on_line = online(world, terms)
    for d in (at_counter, by_post, on_line):
        d.refresh_from_db()
    assert at_counter.fee_amount == 20000 and by_post.fee_amount == 20000
    assert on_line.fee_amount == 10000
    assert on_line.fee_lines == [{"line": 1, "kind": "per_unit", "name": "", "unit_price": 10000, "unit": "lần", "quantity": 1,
                                  "amount": 10000, "counter_unit_price": 20000, "online_unit_price": 10000}]
    assert at_counter.fee_lines[0]["unit_price"] == 20000 and at_counter.fee_lines[0]["online_unit_price"] == 10000
    # the copy does not follow later catalogue edits
    residence.fees.update(amount=30000, online_amount=15000)
    on_line.refresh_from_db()
    assert on_line.fee_amount == 10000 and on_line.fee_lines[0]["counter_unit_price"] == 20000
    # the receipt prints the price applied
    assert documents.fee_texts(on_line)[1] == ["10.000 đồng/lần × 1 lần = 10.000 đồng"]


def test_reception_check_keeps_the_online_price(world, residence):
    terms = services.terms_from_version(residence, world.commune)
    d = online(world, terms)
    services.record_fee_payment(d, None, amount=10000, method=PaymentMethod.NATIONAL_PORTAL, reference="GD-9")
    d = services.receive(d, world.reception, fee_quantities={1: 2}, now=at(2026, 3, 2, 10))
    d.refresh_from_db()
    assert d.status == "received" and d.fee_amount == 20000 and not d.fee_paid
    assert d.fee_lines[0]["unit_price"] == 10000 and d.fee_lines[0]["quantity"] == 2
    assert Event.objects.get(dossier=d, action="receive").data["fee_amount"] == [10000, 20000]


def test_dossier_priced_before_online_prices_keeps_its_price(world, residence):
    """A dossier's line without the two prices (received before they were kept) is re-priced
    at its own unit price, whatever its channel."""
    terms = services.terms_from_version(residence, world.commune)
    d = online(world, terms)
    Dossier.objects.filter(pk=d.pk).update(fee_lines=[{"line": 1, "kind": "per_unit", "name": "", "unit_price": 20000, "unit": "lần",
                                                        "quantity": 1, "amount": 20000}], fee_amount=20000)
    d = services.receive(Dossier.objects.get(pk=d.pk), world.reception, fee_quantities={1: 2}, now=at(2026, 3, 2, 10))
    assert d.fee_amount == 40000 and "online_unit_price" not in d.fee_lines[0]


def test_api_online_submission_is_priced_online(world, residence):
    terms = services.terms_from_version(residence, world.commune)
    citizen = api_as(world.citizen)
    body = {"procedure_code": RESIDENCE, "receiving_unit": world.centre.code, "channel": 2, "delivery": "online",
            "applicant": {"name": "Nguyễn Văn An", "phone": "0912345678"}, "components": [{"name": d["name"]} for d in terms.documents]}
    r = citizen.post("/api/v1/dossiers/", body, format="json")
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["fee_amount"] == 10000
    assert data["fee_lines"] == [{"line": 1, "kind": "per_unit", "name": "", "unit_price": 10000, "counter_unit_price": 20000,
                                  "online_unit_price": 10000, "unit": "lần", "quantity": 1, "amount": 10000}]
    officer = api_as(world.reception)
    r = officer.post("/api/v1/dossiers/", {**body, "channel": 1, "delivery": "counter"}, format="json")
    assert r.status_code == 201, r.content
    assert r.json()["fee_amount"] == 20000 and r.json()["fee_lines"][0]["unit_price"] == 20000


def test_statement_count_unchanged_by_online_prices(world, residence):
    """The fees are loaded with the terms: pricing by channel reads nothing more."""
    terms = services.terms_from_version(residence, world.commune)
    plain = dataclasses.replace(terms, fee_lines=[], fee=0)
    online(world, plain, now=at(2026, 3, 2, 8))  # warm the caches

    def count(t, **kw):
        return statements(online, world, t, now=at(2026, 3, 2, 9), **kw)

    assert count(terms, fee_quantities={1: 2}) == count(plain)
    # and building the terms reads the fees once, with their online prices
    with CaptureQueriesContext(connection) as q:
        services.terms_from_version(residence, world.commune)
    assert sum("catalog_fee" in x["sql"] for x in q.captured_queries) == 1
