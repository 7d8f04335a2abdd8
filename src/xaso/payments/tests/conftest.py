"""Payments tests: the dossiers' world (units, officials, a citizen), a procedure version with
fees, and the local sandbox gateway reached through the Django test client (no network)."""
import json
from urllib.parse import urlsplit

import pytest
from django.test import Client

from xaso.dossiers.tests.conftest import World, applicant, at, components, world  # noqa: F401

FEE = 50_000


def version(code="1.000001", *, timing="before_result", online=True, fee=FEE, field="Chứng thực"):
    from xaso.catalog import services as catalog

    content = {
        "name": f"Thủ tục có phí {code}", "field": field, "processing_amount": 3, "processing_unit": "working_days",
        "fee_timing": timing, "online_payment": online,
        "fees": [{"kind": "fixed", "amount": fee, "unit": "", "description": "Lệ phí", "online_amount": None}],
        "steps": [{"name": "Tiếp nhận", "role": "reception", "share": 20, "inter_agency": False, "agency_name": ""},
                  {"name": "Giải quyết", "role": "specialist", "share": 80, "inter_agency": False, "agency_name": ""}],
    }
    return catalog.create_procedure(code, content).latest_version()


def via_client(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture
def gateway(settings, monkeypatch):
    """The sandbox gateway on, its IPN delivered at once, HTTP replaced by the test client."""
    from xaso.payments import providers, sandbox

    settings.XASO_PAYMENT_SANDBOX = True
    settings.XASO_PAYMENT_SANDBOX_IPN = "now"
    settings.XASO_PUBLIC_BASE_URL = "http://testserver"
    settings.XASO_SIGNING_BACKEND = "none"
    client = Client()
    calls = {"get": 0, "post": 0}

    def post_json(url, body, timeout):
        calls["post"] += 1
        return client.post(via_client(url), data=json.dumps(body), content_type="application/json").json()

    def get(url, timeout=10):
        calls["get"] += 1
        return client.get(via_client(url)).content.decode()

    monkeypatch.setattr(providers, "http_post_json", post_json)
    monkeypatch.setattr(sandbox, "http_get", get)
    return calls


@pytest.fixture
def fee_dossier(world, gateway):
    """A counter dossier of a procedure with a 50,000 đ fee payable online, due before the
    result; ``make(timing=…, online=…, account=…)`` for others."""
    from xaso.dossiers import services

    made = {}

    def make(timing="before_result", online=True, fee=FEE, now=None, account=None, code=None, **kw):
        key = (timing, online, fee)
        if key not in made:
            made[key] = version(code or f"9.{len(made):06d}", timing=timing, online=online, fee=fee)
        terms = world.terms
        terms.version, terms.fee, terms.fee_lines = made[key], fee, []
        return services.intake(officer=world.reception, terms=terms, applicant=applicant(account=account or world.citizen), components=components(),
                               receiving_unit=world.centre, now=now or at(2026, 3, 2, 9, 0), **kw)

    return make
