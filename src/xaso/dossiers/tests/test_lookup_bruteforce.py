"""The public lookup cannot be brute-forced: every HTTP method counts against the address's
budget (``HEAD`` answered 200/404 without limit: 10,000 keys in 62 s), a dossier code takes
only a few wrong keys per hour from anywhere (``XASO_LOOKUP_RATE_PER_CODE``), and a wrong
key and an unknown code get the same answer."""
import pytest
from django.test import Client
from rest_framework.test import APIClient

from .conftest import make_intake  # noqa: F401

pytestmark = pytest.mark.django_db

API = "/api/v1/dossiers/lookup/"
PAGE = "/tra-cuu/"


@pytest.mark.parametrize("method", ["head", "get", "post", "options"])
def test_every_method_counts_against_the_address_budget(world, make_intake, settings, method):
    settings.XASO_LOOKUP_RATE = "5/m"
    settings.XASO_LOOKUP_RATE_PER_CODE = "1000/h"
    d = make_intake()
    anon = APIClient()
    statuses = [getattr(anon, method)(API + f"?code={d.code}&key={n:04d}").status_code for n in range(8)]
    assert statuses[-1] == 429, statuses
    # The budget is spent: the right key from the same address is refused too, on the API
    # and on the page (one budget for both).
    assert anon.get(API, {"code": d.code, "key": "5678"}).status_code == 429
    assert Client().head(PAGE + f"?ma={d.code}&k=5678").status_code == 429


def test_the_page_counts_head_requests_too(world, make_intake, settings):
    settings.XASO_LOOKUP_RATE = "5/m"
    d = make_intake()
    client = Client()
    statuses = [client.head(PAGE + f"?ma={d.code}&k={n:04d}").status_code for n in range(8)]
    assert statuses[-1] == 429, statuses


def test_a_code_takes_only_a_few_wrong_keys_then_waits(world, make_intake, settings):
    settings.XASO_LOOKUP_RATE = "1000/m"
    settings.XASO_LOOKUP_RATE_PER_CODE = "5/h"
    d = make_intake()
    # Wrong keys from many addresses (a botnet): the code's own budget stops them.
    for n in range(5):
        r = APIClient(REMOTE_ADDR=f"10.0.0.{n}").get(API, {"code": d.code, "key": f"{n:04d}"})
        assert r.status_code == 404
    r = APIClient(REMOTE_ADDR="10.0.1.1").get(API, {"code": d.code, "key": "0099"})
    assert r.status_code == 429
    # ...the right key too, for the rest of the hour (it cannot be told apart)...
    assert APIClient(REMOTE_ADDR="10.0.1.2").get(API, {"code": d.code, "key": "5678"}).status_code == 429
    assert Client(REMOTE_ADDR="10.0.1.3").get(PAGE, {"ma": d.code, "k": "5678"}).status_code == 429
    # ...while another dossier's code is not affected.
    other = make_intake()
    assert APIClient(REMOTE_ADDR="10.0.1.4").get(API, {"code": other.code, "key": "5678"}).status_code == 200


def test_the_right_key_does_not_spend_the_codes_budget(world, make_intake, settings):
    settings.XASO_LOOKUP_RATE = "1000/m"
    settings.XASO_LOOKUP_RATE_PER_CODE = "3/h"
    d = make_intake()
    for _ in range(10):  # the applicant looks it up every day: never blocked
        assert APIClient().get(API, {"code": d.code, "key": "5678"}).status_code == 200


def test_wrong_key_and_unknown_code_answer_alike(world, make_intake, settings):
    settings.XASO_LOOKUP_RATE = "1000/m"
    d = make_intake()
    unknown = d.code[:-4] + "9999"
    anon = APIClient()
    wrong, missing = anon.get(API, {"code": d.code, "key": "0000"}), anon.get(API, {"code": unknown, "key": "0000"})
    assert (wrong.status_code, wrong.json()) == (missing.status_code, missing.json()) == (404, wrong.json())
    client = Client()
    wrong, missing = client.get(PAGE, {"ma": d.code, "k": "0000"}), client.get(PAGE, {"ma": unknown, "k": "0000"})
    assert wrong.status_code == missing.status_code == 200
    # Same length: the page for a wrong key is the page for an unknown code (the code typed
    # is echoed in both; it has the same length).
    assert len(wrong.content) == len(missing.content)
    # An unknown code spends its own budget like a known one: its answer cannot differ.
    settings.XASO_LOOKUP_RATE_PER_CODE = "2/h"
    statuses = [APIClient().get(API, {"code": unknown, "key": "0000"}).status_code for _ in range(4)]
    assert statuses == [404, 429, 429, 429] or statuses[-1] == 429
