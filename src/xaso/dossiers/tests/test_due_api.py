"""/api/v1/calendar/due/: the dossier lifecycle's own due-date function (``deadlines.compute``)
over HTTP, with hand-worked cases (working days counted from the day after receipt, calendar
days, the cut-off as the procedure's setting, office hours)."""
import pytest
from django.core.cache import cache

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


def test_due_after_tet(api):
    response = due(api, **{"from": "2026-02-13T10:00:00+07:00", "working_days": 1})
    assert response.status_code == 200
    assert response.json() == {
        "from": "2026-02-13T10:00:00+07:00",
        "clock_start": "2026-02-13T10:00:00+07:00",
        "due": "2026-02-23T10:00:00+07:00",
        "working_days": 1,
        "hours": 0.0,
        "calendar_days": None,
        "cutoff": None,  # no commune-wide cut-off unless the administrator sets one
    }


def test_due_cutoff_same_day_and_hours(api):
    # Same-day procedure received after its 15:00 cut-off: next working day's close.
    body = due(api, **{"from": "2026-03-02T15:30:00+07:00", "working_days": 0, "cutoff": "15:00"}).json()
    assert body["clock_start"] == "2026-03-03T07:00:00+07:00" and body["due"] == "2026-03-03T17:00:00+07:00"
    # Without a cut-off it is due that day.
    body = due(api, **{"from": "2026-03-02T15:30:00+07:00", "working_days": 0}).json()
    assert body["clock_start"] == "2026-03-02T15:30:00+07:00" and body["due"] == "2026-03-02T17:00:00+07:00"
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
    body = due(api, **{"from": "2026-03-02T15:30:00+07:00", "working_days": 1}).json()
    assert body["due"] == "2026-03-03T15:30:00+07:00" and body["cutoff"] is None
    # A commune-wide default only where the administrator set one: received Monday 15:30,
    # deemed received Tuesday, one working day counted from Wednesday.
    settings.XASO_DEFAULT_CUTOFF = "15:00"
    body = due(api, **{"from": "2026-03-02T15:30:00+07:00", "working_days": 1}).json()
    assert body["due"] == "2026-03-04T07:00:00+07:00" and body["cutoff"] == "15:00"


def test_due_august_2026_swap(api):
    body = due(api, **{"from": "2026-08-21T10:00:00+07:00", "working_days": 1}).json()
    assert body["due"] == "2026-08-22T10:00:00+07:00"
    body = due(api, **{"from": "2026-08-28T10:00:00+07:00", "working_days": 1}).json()
    assert body["due"] == "2026-09-03T10:00:00+07:00"


def test_due_office_hours_edges(api):
    """3 working days, hand-worked (Monday 02/03/2026, sessions 07:00-11:30, 13:30-17:00): the
    days are counted from the day after the day of receipt."""
    cases = {
        "2026-03-02T06:30:00+07:00": "2026-03-05T07:00:00+07:00",  # before opening: Thursday, not Wednesday 17:00
        "2026-03-02T07:00:00+07:00": "2026-03-05T07:00:00+07:00",  # at opening
        "2026-03-02T09:00:00+07:00": "2026-03-05T09:00:00+07:00",  # during the morning
        "2026-03-02T12:00:00+07:00": "2026-03-05T13:30:00+07:00",  # at lunch: from 13:30
        "2026-03-02T18:00:00+07:00": "2026-03-06T07:00:00+07:00",  # after closing: deemed received Tuesday
        "2026-03-07T10:00:00+07:00": "2026-03-12T07:00:00+07:00",  # Saturday: deemed received Monday 09/03
    }
    for received, expected in cases.items():
        assert due(api, **{"from": received, "working_days": 3}).json()["due"] == expected, received


def test_due_in_calendar_days(api):
    # 15 calendar days from Monday 02/03/2026 09:00: Tuesday 17/03, due at its close.
    body = due(api, **{"from": "2026-03-02T09:00:00+07:00", "calendar_days": 15}).json()
    assert body["due"] == "2026-03-17T17:00:00+07:00"
    assert body["calendar_days"] == 15 and body["working_days"] is None
    # Ending in the Tết 2027 break (Saturday 06/02): moves to the next working day, Thursday
    # 11/02/2027 (04, 05, 08, 09, 10/02 off by default), due at its close.
    body = due(api, **{"from": "2027-01-27T09:00:00+07:00", "calendar_days": 10}).json()
    assert body["due"] == "2027-02-11T17:00:00+07:00"
    # Received after closing: the days count from the next working day's opening.
    body = due(api, **{"from": "2026-03-02T18:00:00+07:00", "calendar_days": 15}).json()
    assert body["clock_start"] == "2026-03-03T07:00:00+07:00" and body["due"] == "2026-03-18T17:00:00+07:00"
    # Either working days or calendar days.
    response = due(api, **{"from": "2026-03-02T09:00:00+07:00", "calendar_days": 15, "working_days": 3})
    assert response.status_code == 400 and set(response.json()) == {"calendar_days"}


@pytest.mark.parametrize(
    "params, fields",
    [
        ({}, {"from"}),
        ({"from": "2026-03-02T09:00:00+07:00"}, {"working_days"}),
        ({"from": "2026-03-02T09:00:00+07:00", "calendar_days": "0"}, {"calendar_days"}),
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
    assert {p["name"] for p in due_op["parameters"]} >= {"from", "working_days", "hours", "calendar_days", "cutoff"}
    assert {p["name"] for p in due_op["parameters"] if p.get("required")} == {"from"}
    assert "200" in year["responses"] and "200" in due_op["responses"]
    assert "429" in year["responses"] and "429" in due_op["responses"]
    (year_param,) = year["parameters"]
    assert (year_param["schema"]["minimum"], year_param["schema"]["maximum"]) == (1901, 2100)
    assert year["security"] == [{}] or {} in year["security"]
