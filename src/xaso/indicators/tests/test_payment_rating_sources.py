"""Targets and KPIs measured from the catalogue's online payment offer (766 item 3.5) and the
applicants' ratings (satisfaction targets, the KPI's rating component), on the hand-worked
quarter of ``test_dossier_sources``."""
from decimal import Decimal

import pytest
from django.urls import reverse

from xaso.catalog import services as catalog
from xaso.dossiers import services as dossiers
from xaso.indicators import kpi_sources, registry
from xaso.ratings import services as ratings

from .test_dossier_sources import at, quarter, world  # noqa: F401

pytestmark = pytest.mark.django_db


def procedure(code, *, fee, online, field="Chứng thực"):
    steps = [{"name": "Giải quyết", "role": "specialist", "share": 100, "inter_agency": False, "agency_name": ""}]
    fees = [{"kind": "fixed" if fee else "free", "amount": fee, "unit": "", "description": "", "online_amount": None}]
    return catalog.create_procedure(code, {"name": code, "field": field, "online_payment": online, "fees": fees, "steps": steps,
                                           "processing_amount": 1, "processing_unit": "working_days"}, valid_from=at(1, 1, 0))


def test_procedures_with_fees_payable_online_from_the_catalogue(world, quarter):
    assert registry.measure("procedures_with_online_payment", world.commune, world.q1.start, world.q1.end) is None
    procedure("2.000001", fee=10_000, online=True)
    procedure("2.000002", fee=20_000, online=False)
    procedure("2.000003", fee=None, online=True)  # free: not a procedure with fees
    m = registry.measure("procedures_with_online_payment", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (1, 2, Decimal("50.00"))


def test_satisfaction_from_the_ratings(world, quarter):
    for key in ("satisfaction_procedures", "satisfaction_land_construction_investment"):
        assert registry.measure(key, world.commune, world.q1.start, world.q1.end) is None
    b = dossiers.return_result(quarter["b"], world.reception, now=at(3, 9, 10))
    ratings.submit(quarter["a"], level=3, channel="online", now=at(3, 5, 9))
    ratings.submit(b, level=1, comment="Chậm", channel="link", now=at(3, 10, 9))
    m = registry.measure("satisfaction_procedures", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator, m.value) == (1, 2, Decimal("50.00"))
    assert set(m.records.values_list("code", flat=True)) == {quarter["a"].code}
    # Only land, construction and investment fields count for the second target.
    assert registry.measure("satisfaction_land_construction_investment", world.commune, world.q1.start, world.q1.end) is None
    from xaso.ratings.models import Rating

    Rating.objects.filter(dossier=quarter["a"]).update(field_name="Đất đai")
    m = registry.measure("satisfaction_land_construction_investment", world.commune, world.q1.start, world.q1.end)
    assert (m.numerator, m.denominator) == (1, 1)
    # The other commune has none.
    assert registry.measure("satisfaction_procedures", world.other, world.q1.start, world.q1.end) is None


def test_the_kpi_counts_the_ratings_of_the_officials_who_handled_the_dossier(world, quarter):
    b = dossiers.return_result(quarter["b"], world.reception, now=at(3, 9, 10))
    ratings.submit(quarter["a"], level=2, channel="online", now=at(3, 5, 9))
    ratings.submit(b, level=1, channel="kiosk", now=at(3, 10, 9))
    stats = kpi_sources.dossier_stats(world.specialist, world.q1.start, world.q1.end)
    assert (stats.rated, stats.satisfied) == (2, 1)


def test_the_targets_page_shows_satisfaction_and_online_payment(world, quarter, client):
    ratings.submit(quarter["a"], level=3, channel="online", now=at(3, 5, 9))
    procedure("2.000001", fee=10_000, online=True)
    client.force_login(world.office)
    html = client.get(reverse("indicators:targets") + f"?ky={world.q1.code}").content.decode()
    assert "100%" in html and "1 / 1" in html
    rows = {r["code"]: r for r in client.get("/api/v1/plan/targets/", {"period": world.q1.code}).json()["results"]}
    assert rows["satisfaction-procedures"]["value"] == "100.00" and rows["satisfaction-procedures"]["met"] is True
    assert rows["procedures-online-payment"]["value"] == "100.00"
