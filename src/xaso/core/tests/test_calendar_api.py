"""The calendar API: /api/v1/calendar/{year}/ (the due-date endpoint: dossiers/tests/test_due_api.py)."""
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
