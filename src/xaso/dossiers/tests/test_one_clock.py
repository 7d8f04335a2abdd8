"""One clock: the hand-over steps' own due times come from the pure due-date module
(``deadlines.step_due``) with the dossier's calendar, working hours and facts; the apology's
"one working day before" test is the calendar's; the lunar and legal names of the calendar.
Every expectation below is worked by hand (Vietnam time, sessions as stated)."""
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xaso.core.calendar import (
    CULTURE_DAY_STATUS,
    Duration,
    WorkCalendar,
    chap_day_name,
    parse_working_hours,
    twelfth_month_length,
)
from xaso.dossiers.deadlines import Facts, Pause, compute, step_due

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
# A commune whose morning session opens at 07:30: a working day of 7.5 hours.
SHORT = WorkCalendar(hours=parse_working_hours("07:30-11:30,13:30-17:00"))


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


# ------------------------------------------------------------------ step due times


def test_a_step_holding_all_the_time_falls_due_with_the_dossier_whatever_the_working_day():
    # 7.5-hour days: 3 working days from Mon 02/03/2026 09:00 = 22.5 h → Thu 05/03 09:00.
    facts = Facts(received_at=at(2026, 3, 2, 9), days=3)
    legal = compute(SHORT, facts, now=facts.received_at).legal_due
    assert legal == at(2026, 3, 5, 9)
    assert step_due(SHORT, facts, facts.received_at, 100) == legal
    # Half of it: 11.25 h = Mon 09:00-11:30 (2.5) + 13:30-17:00 (3.5), Tue 07:30 + 5.25 h:
    # 07:30-11:30 (4) then 13:30 + 1.25 h → 14:45.
    assert step_due(SHORT, facts, facts.received_at, 50) == at(2026, 3, 3, 14, 45)
    # The 8-hour default calendar: half of 24 h = 12 h from Monday 09:00: Mon 09:00-11:30 (2.5)
    # + 13:30-17:00 (3.5) = 6, Tue 07:00-11:30 (4.5) → 10.5, then 13:30 + 1.5 → 15:00.
    assert step_due(CAL, facts, facts.received_at, 50) == at(2026, 3, 3, 15, 0)


def test_a_calendar_day_procedure_shares_calendar_days():
    # 15 calendar days from Mon 02/03/2026 09:00: the dossier is due at the close of Tue 17/03.
    facts = Facts(received_at=at(2026, 3, 2, 9), days=15, calendar_days=True)
    legal = compute(CAL, facts, now=facts.received_at).legal_due
    assert legal == at(2026, 3, 17, 17)
    assert step_due(CAL, facts, facts.received_at, 100) == legal
    # 20% = 3 days: Thu 05/03 09:00 → due at its close (not 3 × 8 working hours later).
    assert step_due(CAL, facts, facts.received_at, 20) == at(2026, 3, 5, 17)
    # 30% = 4.5 days: Fri 06/03 21:00 → the close of the day it ends on, Friday 06/03.
    assert step_due(CAL, facts, facts.received_at, 30) == at(2026, 3, 6, 17)
    # 40% = 6 days: Sunday 08/03 → the next working day's close, Monday 09/03.
    assert step_due(CAL, facts, facts.received_at, 40) == at(2026, 3, 9, 17)


def test_a_step_opened_before_office_hours_starts_with_the_dossier():
    # Received Tuesday 03/03/2026 04:21; the reception step holds 5% of 3 days = 72 minutes:
    # from the opening at 07:00 → 08:12, never before the office opens.
    facts = Facts(received_at=at(2026, 3, 3, 4, 21), days=3)
    assert step_due(CAL, facts, facts.received_at, 5) == at(2026, 3, 3, 8, 12)
    # With a 07:30 opening: 5% of 22.5 h = 67.5 → 68 minutes → 08:38.
    assert step_due(SHORT, facts, facts.received_at, 5) == at(2026, 3, 3, 8, 38)


def test_a_step_opened_after_the_cutoff_or_on_a_day_off_starts_with_the_dossier():
    # Received Mon 02/03 15:30, procedure cut-off 15:00: the clock starts Tue 07:00; the
    # reception step (10% of 3 days = 2.4 h) is due Tue 09:24.
    facts = Facts(received_at=at(2026, 3, 2, 15, 30), days=3, cutoff=time(15, 0))
    assert step_due(CAL, facts, facts.received_at, 10) == at(2026, 3, 3, 9, 24)
    # Received Saturday 07/03 10:00: Monday 09/03 07:00 + 2.4 h → 09:24.
    facts = Facts(received_at=at(2026, 3, 7, 10), days=3)
    assert step_due(CAL, facts, facts.received_at, 10) == at(2026, 3, 9, 9, 24)
    # A hand-over later in the day is not delayed by the cut-off (it is not a receipt).
    facts = Facts(received_at=at(2026, 3, 2, 9), days=3, cutoff=time(15, 0))
    assert step_due(CAL, facts, at(2026, 3, 2, 16), 10) == at(2026, 3, 3, 8, 24)


def test_steps_around_tet_2027_and_the_august_2026_swap():
    # Tết 2027 (default days: 04, 05, 08, 09, 10/02 off). A 3-day dossier received Wed
    # 03/02/2027 09:00; the appraisal (50% = 12 h) starts 14:00: Wed 14:00-17:00 (3 h),
    # Thu 11/02 (8 h), Fri 12/02 07:00 + 1 h → 08:00.
    facts = Facts(received_at=at(2027, 2, 3, 9), days=3)
    assert step_due(CAL, facts, at(2027, 2, 3, 14), 50) == at(2027, 2, 12, 8, 0)
    # Saturday 22/08/2026 is a make-up working day: a step (25% of 2 days = 4 h) starting
    # Friday 21/08 15:00 runs 2 h that Friday, then Saturday 07:00 + 2 h → 09:00.
    facts = Facts(received_at=at(2026, 8, 21, 9), days=2)
    assert step_due(CAL, facts, at(2026, 8, 21, 15), 25) == at(2026, 8, 22, 9, 0)
    # And across the National Day break: starting Fri 28/08 15:00, Saturday 29/08 to
    # Wednesday 02/09 off: 2 h on Friday, then Thursday 03/09 07:00 + 2 h → 09:00.
    facts = Facts(received_at=at(2026, 8, 28, 9), days=2)
    assert step_due(CAL, facts, at(2026, 8, 28, 15), 25) == at(2026, 9, 3, 9, 0)


def test_a_step_is_never_due_after_the_dossier():
    facts = Facts(received_at=at(2026, 3, 2, 9), days=3)  # legal due Thu 05/03 09:00
    assert step_due(CAL, facts, at(2026, 3, 4, 16), 50) == at(2026, 3, 5, 9)
    # A supplement pause (Tue 09:00 → Wed 09:00, 8 working hours) moved the dossier's due to
    # Fri 06/03 09:00; a step starting after it is capped there.
    paused = Facts(received_at=at(2026, 3, 2, 9), days=3, pauses=(Pause(at(2026, 3, 3, 9), at(2026, 3, 4, 9)),))
    assert step_due(CAL, paused, at(2026, 3, 5, 16), 50) == at(2026, 3, 6, 9)


def test_same_day_procedures_share_the_rest_of_the_day():
    # Same-day, received 13:30: 3.5 h to the close; the leader's 20% = 42 minutes from 15:00
    # → 15:42; a step opened at 16:50 with 20% is capped at the close.
    facts = Facts(received_at=at(2026, 3, 2, 13, 30))
    assert step_due(CAL, facts, at(2026, 3, 2, 15), 20) == at(2026, 3, 2, 15, 42)
    assert step_due(CAL, facts, at(2026, 3, 2, 16, 50), 20) == at(2026, 3, 2, 17)
    assert step_due(CAL, facts, facts.received_at, 0) is None


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 6, 1)).map(lambda d: d.replace(tzinfo=TZ))


@settings(max_examples=150, deadline=None)
@given(moments, st.integers(0, 20), st.booleans(), st.integers(1, 100), st.integers(0, 30 * 24), st.sampled_from([CAL, SHORT]))
def test_step_due_properties(received, days, calendar_days, share, later_h, cal):
    facts = Facts(received_at=received, days=days or (1 if calendar_days else 0), calendar_days=calendar_days)
    start = received + timedelta(hours=later_h)
    legal = compute(cal, facts, now=start).legal_due
    due = step_due(cal, facts, start, share)
    assert due <= legal
    assert due >= min(legal, cal.clock_start(start, None))
    assert cal.is_working_day(due.astimezone(TZ).date())
    if later_h == 0 and share == 100:
        assert due == legal


# ------------------------------------------------------------------ the apology's test


def test_one_working_day_before_the_due_date_is_the_calendars():
    due = at(2026, 3, 9, 9)  # Monday
    assert CAL.at_least_working_days_before(at(2026, 3, 6, 9), due)  # Friday 09:00: in time
    assert not CAL.at_least_working_days_before(at(2026, 3, 6, 9, 1), due)
    assert not CAL.at_least_working_days_before(at(2026, 3, 7, 8), due)  # Saturday
    # Across Tết 2027: due Thu 11/02/2027 10:00; the working day before it is Wed 03/02.
    tet_due = at(2027, 2, 11, 10)
    assert CAL.at_least_working_days_before(at(2027, 2, 3, 10), tet_due)
    assert not CAL.at_least_working_days_before(at(2027, 2, 3, 10, 30), tet_due)
    # The August 2026 swap: due Mon 24/08 08:00; Saturday 22/08 (make-up) 08:00 is in time.
    assert CAL.at_least_working_days_before(at(2026, 8, 22, 8), at(2026, 8, 24, 8))


# ------------------------------------------------------------------ names and bases


def test_28_thang_chap_in_years_whose_twelfth_month_has_29_days():
    # 2025: tháng Chạp Giáp Thìn has 29 days (no "30 Tết"): Mon 27/01/2025 is the 28th.
    assert twelfth_month_length(date(2025, 1, 29)) == 29
    assert {s.date: s.reason for s in CAL.special_days(2025)}[date(2025, 1, 27)] == "28 tháng Chạp"
    # 2024: 30 days; Thu 08/02/2024 is the 29th, Giao thừa the 30th.
    assert twelfth_month_length(date(2024, 2, 10)) == 30
    assert {s.date: s.reason for s in CAL.special_days(2024)}[date(2024, 2, 8)] == "29 tháng Chạp"
    # 2027 (Tết Saturday 06/02): tháng Chạp Bính Ngọ has 29 days: Thu 04/02 is the 28th.
    assert chap_day_name(date(2027, 2, 4), date(2027, 2, 6)) == "28 tháng Chạp"
    tet_2027 = {s.date: s for s in CAL.special_days(2027)}
    assert tet_2027[date(2027, 2, 4)].reason == "28 tháng Chạp" and "Điều 112" in tet_2027[date(2027, 2, 4)].basis
    assert not any("29 Tết" in s.reason for y in range(2020, 2035) for s in CAL.special_days(y))


def test_the_2025_calendar_cites_its_notices():
    days = {s.date: s for s in CAL.special_days(2025)}
    assert "6150/TB-BLĐTBXH" in days[date(2025, 1, 29)].basis and "8726/VPCP-KGVX" in days[date(2025, 1, 29)].basis
    assert "6150/TB-BLĐTBXH" in days[date(2025, 4, 26)].basis  # the make-up Saturday of the 30/4 swap
    assert "chưa ghi nhận văn bản" not in days[date(2025, 9, 1)].basis


def test_culture_day_stays_off_by_default_and_says_why():
    assert CAL.is_working_day(date(2026, 11, 24))
    extra = WorkCalendar(extra_holidays=True)
    assert not extra.is_working_day(date(2026, 11, 24))
    day = {s.date: s for s in extra.special_days(2026)}[date(2026, 11, 24)]
    assert "28/2026/QH16" in day.basis
    assert "28/2026/QH16" in CULTURE_DAY_STATUS and "chưa" in CULTURE_DAY_STATUS
    assert extra.is_working_day(date(2025, 11, 24))  # not before 2026


@pytest.mark.parametrize("received, expected", [
    (at(2026, 3, 2, 6, 30), at(2026, 3, 3, 7)),  # before opening: one working day counted from Tuesday
    (at(2026, 3, 2, 11, 45), at(2026, 3, 3, 13, 30)),  # at lunch
    (at(2026, 3, 2, 17, 30), at(2026, 3, 4, 7)),  # after closing: deemed received Tuesday
    (at(2026, 3, 8, 10), at(2026, 3, 10, 7)),  # Sunday: deemed received Monday
    (at(2027, 2, 3, 16), at(2027, 2, 11, 16)),  # the day before Tết 2027: one working day
])
def test_one_working_day_edges(received, expected):
    assert CAL.due_at(received, Duration(1)) == expected
