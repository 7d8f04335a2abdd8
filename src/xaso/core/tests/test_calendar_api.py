"""The calendar API: /api/v1/calendar/{year}/ and /api/v1/calendar/due/."""
from datetime import date

import pytest
from django.core.cache import cache

from xaso.core.models import CalendarDecision

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(client):
    return client


def due(api, **params):
    return api.get("/api/v1/calendar/due/", params)


def test_year_lists_special_days_with_basis(api):
    response = api.get("/api/v1/calendar/2026/")
    assert response.status_code == 200
    body = response.json()
    assert body["year"] == 2026 and body["count"] == len(body["days"]) == 15
    assert body["working_hours"] == "07:00-11:30,13:30-17:00"
    days = {d["date"]: d for d in body["days"]}
    assert days["2026-08-22"]["working"] is True and "9441/TB-BNV" in days["2026-08-22"]["basis"]
    assert days["2026-08-31"]["working"] is False
    assert days["2026-02-17"]["reason"] == "Tết Nguyên Đán"
    assert "Điều 112" in days["2026-02-17"]["basis"]
    assert "2026-11-24" not in days  # Ngày Văn hóa Việt Nam: not yet a legal day off
    assert "2026-04-26" not in days  # a Sunday holiday is not listed; its Monday is
    assert days["2026-04-27"]["basis"].startswith("Bộ luật Lao động 2019, Điều 111 khoản 3")


def test_year_reflects_administrators_decisions(api):
    CalendarDecision.objects.create(
        date=date(2027, 2, 13), kind="working_day", name="Làm bù", decision_number="7/TB-BNV", decision_date=date(2026, 11, 1)
    )
    days = {d["date"]: d for d in api.get("/api/v1/calendar/2027/").json()["days"]}
    assert days["2027-02-13"] == {"date": "2027-02-13", "working": True, "reason": "Làm bù", "basis": "7/TB-BNV (01/11/2026)"}


@pytest.mark.parametrize("year", ["1900", "2101", "99999"])
def test_year_out_of_range(api, year):
    response = api.get(f"/api/v1/calendar/{year}/")
    assert response.status_code == 400 and "year" in response.json()


def test_due_after_tet(api):
    response = due(api, **{"from": "2026-02-13T10:00:00+07:00", "working_days": 1})
    assert response.status_code == 200
    assert response.json() == {
        "from": "2026-02-13T10:00:00+07:00",
        "clock_start": "2026-02-13T10:00:00+07:00",
        "due": "2026-02-23T10:00:00+07:00",
        "working_days": 1,
        "hours": 0.0,
        "cutoff": "15:00",
    }


def test_due_cutoff_same_day_and_hours(api):
    # Same-day procedure received after the default 15:00 cut-off: next working day's close.
    body = due(api, **{"from": "2026-03-02T15:30:00+07:00", "working_days": 0}).json()
    assert body["clock_start"] == "2026-03-03T07:00:00+07:00" and body["due"] == "2026-03-03T17:00:00+07:00"
    # A custom cut-off, and none at all.
    body = due(api, **{"from": "2026-03-02T15:30:00+07:00", "working_days": 1, "cutoff": "16:00"}).json()
    assert body["due"] == "2026-03-03T15:30:00+07:00" and body["cutoff"] == "16:00"
    body = due(api, **{"from": "2026-03-02T16:30:00+07:00", "working_days": 1, "cutoff": "none"}).json()
    assert body["due"] == "2026-03-03T16:30:00+07:00" and body["cutoff"] is None
    # Hours across the lunch break; UTC input, Vietnam-time output; naive input is Vietnam time.
    body = due(api, **{"from": "2026-03-02T02:00:00Z", "working_days": 0, "hours": 3}).json()
    assert body["from"] == "2026-03-02T09:00:00+07:00" and body["due"] == "2026-03-02T14:00:00+07:00"
    body = due(api, **{"from": "2026-03-02T09:00:00", "working_days": 3}).json()
    assert body["due"] == "2026-03-05T09:00:00+07:00"


@pytest.mark.parametrize("blank", ["", "  "])
def test_due_blank_cutoff_means_none(api, blank):
    # An empty cut-off is "no cut-off" (as 'none'), never a server error.
    response = due(api, **{"from": "2026-03-02T16:30:00+07:00", "working_days": 1, "cutoff": blank})
    assert response.status_code == 200
    assert response.json()["cutoff"] is None and response.json()["due"] == "2026-03-03T16:30:00+07:00"


def test_due_uses_the_default_cutoff_setting(api, settings):
    settings.XASO_DEFAULT_CUTOFF = ""
    body = due(api, **{"from": "2026-03-02T15:30:00+07:00", "working_days": 1}).json()
    assert body["due"] == "2026-03-03T15:30:00+07:00" and body["cutoff"] is None


def test_due_august_2026_swap(api):
    body = due(api, **{"from": "2026-08-21T10:00:00+07:00", "working_days": 1}).json()
    assert body["due"] == "2026-08-22T10:00:00+07:00"
    body = due(api, **{"from": "2026-08-28T10:00:00+07:00", "working_days": 1}).json()
    assert body["due"] == "2026-09-03T10:00:00+07:00"


@pytest.mark.parametrize(
    "params, fields",
    [
        ({}, {"from", "working_days"}),
        ({"from": "hôm qua", "working_days": "1"}, {"from"}),
        ({"from": "2026-03-02T09:00:00+07:00", "working_days": "-1"}, {"working_days"}),
        ({"from": "2026-03-02T09:00:00+07:00", "working_days": "1.5"}, {"working_days"}),
        ({"from": "2026-03-02T09:00:00+07:00", "working_days": "99999"}, {"working_days"}),
        ({"from": "2026-03-02T09:00:00+07:00", "working_days": "1", "hours": "x"}, {"hours"}),
        ({"from": "2026-03-02T09:00:00+07:00", "working_days": "1", "hours": "-2"}, {"hours"}),
        ({"from": "2026-03-02T09:00:00+07:00", "working_days": "1", "cutoff": "25:00"}, {"cutoff"}),
        ({"from": "xx", "working_days": "-1", "cutoff": "3pm", "hours": "nan"}, {"from", "working_days", "cutoff", "hours"}),
        ({"from": "2100-12-30T09:00:00+07:00", "working_days": "30"}, {"from"}),
        ({"from": "1899-12-30T09:00:00+07:00", "working_days": "1"}, {"from"}),
    ],
)
def test_due_bad_parameters_give_400_per_field(api, params, fields):
    response = due(api, **params)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == fields
    assert all(isinstance(m, str) and m for msgs in body.values() for m in msgs)


def test_due_error_names_the_parameter(api):
    body = api.get("/api/v1/calendar/due/", {"from": "xx", "working_days": "1"}, HTTP_ACCEPT_LANGUAGE="en").json()
    assert "'from'" in body["from"][0]


def test_both_endpoints_are_in_the_openapi_schema(api):
    schema = api.get("/api/v1/schema/?format=json").json()
    year = schema["paths"]["/api/v1/calendar/{year}/"]["get"]
    due_op = schema["paths"]["/api/v1/calendar/due/"]["get"]
    assert {p["name"] for p in due_op["parameters"]} >= {"from", "working_days", "hours", "cutoff"}
    assert {p["name"] for p in due_op["parameters"] if p.get("required")} == {"from", "working_days"}
    assert "200" in year["responses"] and "200" in due_op["responses"]
    assert "429" in year["responses"] and "429" in due_op["responses"]
    (year_param,) = year["parameters"]
    assert (year_param["schema"]["minimum"], year_param["schema"]["maximum"]) == (1901, 2100)
    assert year["security"] == [{}] or {} in year["security"]
