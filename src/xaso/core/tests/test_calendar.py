"""Hand-worked cases for the pure working-day calendar (no database)."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from xaso.core.calendar import (
    CalendarRangeError,
    DayDecision,
    Duration,
    WorkCalendar,
    WorkingHours,
    parse_working_hours,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CUTOFF = time(15, 0)


def at(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.fixture(scope="module")
def cal():
    return WorkCalendar()


def off_weekdays(cal, year):
    return {s.date for s in cal.special_days(year) if not s.working}


def working_weekends(cal, year):
    return {s.date for s in cal.special_days(year) if s.working}


# --- the official 2026 schedule -------------------------------------------------------


def test_2026_schedule_matches_the_official_one(cal):
    """Công văn 12729/VPCP-KGVX (New Year), Thông báo 9441/TB-BNV (Tết, National Day,
    the August swap); Hùng Kings' day on Sunday 26/04 gives Monday 27/04 (Điều 111 k3)."""
    assert off_weekdays(cal, 2026) == {
        date(2026, 1, 1),
        date(2026, 1, 2),  # swapped with Saturday 10/01
        date(2026, 2, 16), date(2026, 2, 17), date(2026, 2, 18), date(2026, 2, 19), date(2026, 2, 20),
        date(2026, 4, 27),
        date(2026, 4, 30),
        date(2026, 5, 1),
        date(2026, 8, 31),  # swapped with Saturday 22/08
        date(2026, 9, 1), date(2026, 9, 2),
    }
    assert working_weekends(cal, 2026) == {date(2026, 1, 10), date(2026, 8, 22)}


def test_tet_2026_nine_day_break(cal):
    for d in range(14, 23):
        assert not cal.is_working_day(date(2026, 2, d)), d
    assert cal.is_working_day(date(2026, 2, 13)) and cal.is_working_day(date(2026, 2, 23))


def test_tet_2026_dossier(cal):
    # Friday 13/02/2026 10:00, one working day: due Monday 23/02 10:00.
    assert cal.due_at(at(2026, 2, 13, 10), Duration(1)) == at(2026, 2, 23, 10)
    assert cal.due_at(at(2026, 2, 13, 10), Duration(1), cutoff=CUTOFF) == at(2026, 2, 23, 10)
    assert cal.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert cal.working_days_between(at(2026, 2, 13, 10), at(2026, 2, 23, 10)) == 1.0


def test_tet_2027_dossier_with_default_days(cal):
    # Wednesday 03/02/2027 10:00 + 1 working day: the library's default Tết break
    # (04–10/02) is skipped → Thursday 11/02/2027 10:00.
    assert cal.due_at(at(2027, 2, 3, 10), Duration(1)) == at(2027, 2, 11, 10)


def test_24_november_is_not_a_day_off_by_default():
    default, extra = WorkCalendar(), WorkCalendar(extra_holidays=True)
    assert default.is_working_day(date(2026, 11, 24))
    assert not extra.is_working_day(date(2026, 11, 24))
    assert "80-NQ/TW" in [s for s in extra.special_days(2026) if s.date == date(2026, 11, 24)][0].basis
    # 24/11/2030 is a Sunday: the compensatory Monday follows the flag too.
    assert default.is_working_day(date(2030, 11, 25)) and not extra.is_working_day(date(2030, 11, 25))


# --- 30/4 – 1/5 and National Day, 2025–2028 -------------------------------------------


@pytest.mark.parametrize(
    "year, off, worked",
    [
        # 2025: Wed 30/4, Thu 1/5; Friday 2/5 swapped with Saturday 26/4.
        (2025, {date(2025, 4, 30), date(2025, 5, 1), date(2025, 5, 2)}, {date(2025, 4, 26)}),
        # 2026: Thu 30/4, Fri 1/5.
        (2026, {date(2026, 4, 30), date(2026, 5, 1)}, set()),
        # 2027: Fri 30/4; Sat 1/5 → compensatory Monday 3/5.
        (2027, {date(2027, 4, 30), date(2027, 5, 3)}, set()),
        # 2028: Sun 30/4 → compensatory on the next working day, Tuesday 2/5 (Mon 1/5 is a holiday).
        (2028, {date(2028, 5, 1), date(2028, 5, 2)}, set()),
    ],
)
def test_reunification_and_labour_day(cal, year, off, worked):
    window = {d for d in off_weekdays(cal, year) if date(year, 4, 20) <= d <= date(year, 5, 10)}
    window -= {d for d in window if d.month == 4 and d.day < 29 and "Hùng" in _reason(cal, d)}
    assert window == off
    assert {d for d in working_weekends(cal, year) if d.month in (4, 5)} == worked


def _reason(cal, d):
    return next(s.reason for s in cal.special_days(d.year) if s.date == d)


@pytest.mark.parametrize(
    "year, off",
    [
        (2025, {date(2025, 9, 1), date(2025, 9, 2)}),  # Mon 1/9 + Tue 2/9
        (2026, {date(2026, 8, 31), date(2026, 9, 1), date(2026, 9, 2)}),  # + the swapped Monday
        (2027, {date(2027, 9, 2), date(2027, 9, 3)}),  # Thu 2/9 + Fri 3/9 (default, PM to decide)
        (2028, {date(2028, 9, 1), date(2028, 9, 4)}),  # Fri 1/9, Sat 2/9 → compensatory Mon 4/9
    ],
)
def test_national_day_with_its_second_day(cal, year, off):
    assert {d for d in off_weekdays(cal, year) if d.month in (8, 9)} == off


def test_national_day_2026_swap_dossier(cal):
    # Friday 28/08/2026 10:00 + 1 day: 29–30 weekend, 31/08 swapped off, 1–2/09 holidays.
    assert cal.due_at(at(2026, 8, 28, 10), Duration(1)) == at(2026, 9, 3, 10)
    # Friday 21/08/2026 10:00 + 1 day: Saturday 22/08 is a working day.
    assert cal.due_at(at(2026, 8, 21, 10), Duration(1)) == at(2026, 8, 22, 10)
    assert cal.add_working_days(date(2026, 8, 21), 2) == date(2026, 8, 24)


# --- clock start and the cut-off ------------------------------------------------------


def test_working_days_are_measured_in_working_time(cal):
    assert cal.due_at(at(2026, 3, 2, 9), Duration(3)) == at(2026, 3, 5, 9)  # Mon → Thu 09:00
    assert cal.due_at(at(2026, 3, 6, 9), Duration(1)) == at(2026, 3, 9, 9)  # Fri → Mon
    # Received at the opening: the day is counted from the next day (same working time as
    # Monday's close, but due on Tuesday).
    assert cal.due_at(at(2026, 3, 2, 7), Duration(1)) == at(2026, 3, 3, 7)
    assert cal.due_at(at(2026, 3, 2, 12), Duration(0, 4)) == at(2026, 3, 3, 7, 30)  # lunch → 13:30 + 4 h
    assert cal.due_at(at(2026, 3, 2, 9), Duration(0, 2.5)) == at(2026, 3, 2, 11, 30)
    assert cal.due_at(at(2026, 3, 2, 9), Duration(0, 3)) == at(2026, 3, 2, 14, 0)  # lunch break skipped
    assert cal.due_at(at(2026, 3, 2, 9), Duration(0.5)) == at(2026, 3, 2, 15, 0)  # 2.5 h + 1.5 h


def test_clock_start(cal):
    assert cal.clock_start(at(2026, 3, 2, 9), CUTOFF) == at(2026, 3, 2, 9)
    assert cal.clock_start(at(2026, 3, 2, 6), CUTOFF) == at(2026, 3, 2, 7)  # before opening
    assert cal.clock_start(at(2026, 3, 2, 12), CUTOFF) == at(2026, 3, 2, 13, 30)  # lunch
    assert cal.clock_start(at(2026, 3, 2, 11, 30), None) == at(2026, 3, 2, 13, 30)  # session end
    assert cal.clock_start(at(2026, 3, 2, 15, 0), CUTOFF) == at(2026, 3, 2, 15, 0)  # at the cut-off: same day
    assert cal.clock_start(at(2026, 3, 2, 15, 1), CUTOFF) == at(2026, 3, 3, 7)  # after it: next day
    assert cal.clock_start(at(2026, 3, 2, 16), None) == at(2026, 3, 2, 16)  # no cut-off
    assert cal.clock_start(at(2026, 3, 2, 17), None) == at(2026, 3, 3, 7)  # closed
    assert cal.clock_start(at(2026, 3, 7, 9), CUTOFF) == at(2026, 3, 9, 7)  # Saturday
    assert cal.clock_start(at(2026, 2, 13, 16), CUTOFF) == at(2026, 2, 23, 7)  # before Tết


def test_cutoff_15_and_custom(cal):
    assert cal.due_at(at(2026, 3, 2, 14, 59), Duration(1), cutoff=CUTOFF) == at(2026, 3, 3, 14, 59)
    # After the cut-off: deemed received Tuesday, the day counted from Wednesday.
    assert cal.due_at(at(2026, 3, 2, 15, 30), Duration(1), cutoff=CUTOFF) == at(2026, 3, 4, 7)
    assert cal.due_at(at(2026, 3, 2, 15, 30), Duration(1), cutoff=time(16)) == at(2026, 3, 3, 15, 30)
    assert cal.due_at(at(2026, 3, 2, 16, 30), Duration(1), cutoff=time(16)) == at(2026, 3, 4, 7)
    assert cal.due_at(at(2026, 3, 2, 16, 30), Duration(1)) == at(2026, 3, 3, 16, 30)


def test_same_day_procedure(cal):
    assert cal.due_at(at(2026, 3, 2, 9), Duration(0, 0), cutoff=CUTOFF) == at(2026, 3, 2, 17)
    # Received after the cut-off: due at the close of the next working day.
    assert cal.due_at(at(2026, 3, 2, 15, 30), Duration(), cutoff=CUTOFF) == at(2026, 3, 3, 17)
    assert cal.due_at(at(2026, 2, 13, 15, 30), Duration(), cutoff=CUTOFF) == at(2026, 2, 23, 17)
    assert cal.due_at(at(2026, 3, 6, 16), Duration(), cutoff=CUTOFF) == at(2026, 3, 9, 17)  # Fri → Mon
    assert cal.due_at(at(2026, 3, 2, 12), Duration(), cutoff=CUTOFF) == at(2026, 3, 2, 17)  # lunch


def test_results_are_in_vietnam_time(cal):
    received = datetime(2026, 3, 2, 2, 0, tzinfo=timezone.utc)  # 09:00 in Hà Nội
    due = cal.due_at(received, Duration(3))
    assert due == at(2026, 3, 5, 9) and due.utcoffset() == timedelta(hours=7)
    assert cal.clock_start(received, None).tzinfo == VN


# --- pauses ---------------------------------------------------------------------------


def test_pause_spanning_tet(cal):
    received = at(2026, 2, 11, 9)  # Wednesday, 3 working days: due Monday 23/02 09:00
    assert cal.due_at(received, Duration(3)) == at(2026, 2, 23, 9)
    # Supplement requested Thursday 12/02 09:00, received Tuesday 24/02 09:00: one day was
    # used; the pause holds 6 + 8 + 8 + 2 working hours (Tết not counted twice) → 26/02 09:00.
    pause = (at(2026, 2, 12, 9), at(2026, 2, 24, 9))
    assert cal.due_at(received, Duration(3), pauses=[pause]) == at(2026, 2, 26, 9)
    assert cal.working_time_between(*pause) == timedelta(hours=24)
    # A pause lying wholly in the Tết break changes nothing.
    assert cal.due_at(received, Duration(3), pauses=[(at(2026, 2, 14, 8), at(2026, 2, 22, 20))]) == at(2026, 2, 23, 9)


def test_open_pause_and_remaining_time(cal):
    received = at(2026, 3, 2, 9)
    open_pause = [(at(2026, 3, 3, 9), None)]
    assert cal.due_at(received, Duration(3), pauses=open_pause) is None
    # Remaining time is frozen while paused: 1 day used of 3.
    for now in (at(2026, 3, 3, 9), at(2026, 3, 10, 16), at(2026, 4, 1, 8)):
        assert cal.remaining_working_time(received, Duration(3), now, pauses=open_pause) == timedelta(hours=16)
    # An open pause after the due moment does not hide it.
    assert cal.due_at(received, Duration(1), pauses=[(at(2026, 3, 4, 9), None)]) == at(2026, 3, 3, 9)
    # Overdue: negative remaining time.
    assert cal.remaining_working_time(received, Duration(1), at(2026, 3, 3, 10)) == -timedelta(hours=1)


def test_overlapping_and_out_of_order_pauses(cal):
    received = at(2026, 3, 2, 9)
    pauses = [(at(2026, 3, 3, 9), at(2026, 3, 3, 11)), (at(2026, 3, 3, 8), at(2026, 3, 3, 10))]
    # Merged: Tuesday 08:00–11:00 = 3 working hours; 7 h used by 08:00, 0.5 h to 11:30,
    # the last 0.5 h after lunch.
    assert cal.due_at(received, Duration(1), pauses=pauses) == at(2026, 3, 3, 14, 0)
    # A pause beginning exactly at the due moment does not move it.
    assert cal.due_at(received, Duration(1), pauses=[(at(2026, 3, 3, 9), at(2026, 3, 3, 12))]) == at(2026, 3, 3, 9)
    with pytest.raises(ValueError):
        cal.due_at(received, Duration(1), pauses=[(at(2026, 3, 3, 11), at(2026, 3, 3, 10))])


# --- days -----------------------------------------------------------------------------


def test_add_working_days(cal):
    assert cal.add_working_days(date(2026, 3, 2), 0) == date(2026, 3, 2)
    assert cal.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)
    assert cal.add_working_days(date(2026, 12, 31), 1) == date(2027, 1, 4)  # 1/1 Fri, weekend
    # 2026: 261 weekdays − 13 weekdays off + 2 working Saturdays = 250 working days.
    assert cal.working_days_in(date(2025, 12, 31), date(2026, 12, 31)) == 250
    assert cal.add_working_days(date(2026, 1, 1), 250) == date(2026, 12, 31)
    assert cal.add_working_days(date(2026, 1, 1), 249) == date(2026, 12, 30)
    with pytest.raises(ValueError):
        cal.add_working_days(date(2026, 3, 2), -1)


def test_overrides_win_over_library_and_builtins():
    cal = WorkCalendar(
        [
            DayDecision(date(2027, 2, 10), "working_day", "Tết 2027 ends on mùng 4", "QĐ test"),
            DayDecision(date(2027, 2, 12), "day_off", "Tết 2027 swap", "QĐ test"),
            DayDecision(date(2026, 8, 22), "day_off", "Make-up day cancelled", "QĐ test"),
            DayDecision(date(2027, 2, 13), "working_day", "Make-up Saturday", "QĐ test"),
        ]
    )
    assert cal.is_working_day(date(2027, 2, 10))
    assert not cal.is_working_day(date(2027, 2, 12))
    assert not cal.is_working_day(date(2026, 8, 22))
    assert cal.is_working_day(date(2027, 2, 13))
    special = {s.date: s for s in cal.special_days(2027)}
    assert special[date(2027, 2, 12)].basis == "QĐ test" and special[date(2027, 2, 13)].working
    assert date(2027, 2, 10) not in special


def test_bad_input(cal):
    with pytest.raises(ValueError):
        cal.due_at(datetime(2026, 3, 2, 9), Duration(1))  # naive
    with pytest.raises(ValueError):
        Duration(-1)
    with pytest.raises(ValueError):
        Duration(1, float("nan"))
    with pytest.raises(CalendarRangeError):
        cal.is_working_day(date(2101, 1, 3))
    with pytest.raises(CalendarRangeError):
        cal.due_at(at(2100, 12, 31, 9), Duration(5))
    with pytest.raises(ValueError):
        DayDecision(date(2026, 1, 1), "holiday", "x", "y")
    with pytest.raises(ValueError):
        WorkingHours(((time(13), time(17)), (time(7), time(11))))


def test_working_hours_setting():
    hours = parse_working_hours("07:30-11:30, 13:00-17:00")
    assert hours.day_length == timedelta(hours=8) and str(hours) == "07:30-11:30,13:00-17:00"
    cal = WorkCalendar(hours=hours)
    assert cal.due_at(at(2026, 3, 2, 12), Duration(0, 1)) == at(2026, 3, 2, 14)
    with pytest.raises(ValueError):
        parse_working_hours("7h-11h")
    short = WorkCalendar(hours=parse_working_hours("08:00-12:00"))
    assert short.due_at(at(2026, 3, 2, 9), Duration(1)) == at(2026, 3, 3, 9)
