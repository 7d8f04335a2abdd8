"""The due-date function: hand-worked cases on the real calendar and properties."""
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xaso.core.calendar import Duration, WorkCalendar
from xaso.dossiers.deadlines import Facts, Pause, compute, timeliness

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()


def at(y, m, d, hh=9, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


def due(received, days=0, hours=0, **kw):
    now = kw.pop("now", received)
    return compute(CAL, Facts(received_at=received, days=days, hours=hours, **kw), now=now)


def test_five_days_across_tet_2026():
    # Received Thu 12/02/2026 09:00; Tết break Sat 14/02–Sun 22/02 (vn-rules 8.2).
    # Working time: Thu 12 (rest of day), Fri 13, Mon 23, Tue 24, Wed 25, Thu 26 until 09:00.
    c = due(at(2026, 2, 12, 9, 0), days=5)
    assert c.legal_due == at(2026, 2, 26, 9, 0)
    assert c.effective_due == c.legal_due


def test_three_days_across_tet_2027():
    # Tết 2027: Thu 04/02 (28 tháng Chạp) to Wed 10/02 off; received Wed 03/02 14:00.
    c = due(at(2027, 2, 3, 14, 0), days=3)
    # Wed 03 (3h left), Thu 11, Fri 12 (8h each) → 19h; 24h needed → Mon 15/02 at 07:00+5h = 13:30+0.5h → 14:00.
    assert c.legal_due == at(2027, 2, 15, 14, 0)


def test_april_30_may_1_2026():
    # Wed 29/04/2026 10:00, 2 working days: Thu 30/04 and Fri 01/05 are holidays.
    c = due(at(2026, 4, 29, 10, 0), days=2)
    # Wed (rest: 1.5h + 3.5h = 5h), Mon 04/05 (8h), Tue 05/05 3h → 10:00.
    assert c.legal_due == at(2026, 5, 5, 10, 0)


def test_august_2026_swap():
    # Saturday 22/08/2026 is a working day; Monday 31/08, Tue 01/09, Wed 02/09 are off.
    c = due(at(2026, 8, 21, 17, 0), days=1, cutoff=time(15, 0))
    # Received after the cut-off on Fri 21/08: the clock starts on Sat 22/08 (make-up day),
    # deemed the day of receipt; the one working day is counted from the next working day,
    # Monday 24/08 (the same working time as Saturday's close).
    assert c.legal_due == at(2026, 8, 24, 7, 0)
    c = due(at(2026, 8, 28, 9, 0), days=2)
    # Fri 28/08 09:00 → 6h that day, then Thu 03/09 (10h remaining) → Fri 04/09 09:00.
    assert c.legal_due == at(2026, 9, 4, 9, 0)


def test_cutoff_same_day_procedure():
    # Same-day procedure received before 15:00: due at the close of that day.
    assert due(at(2026, 3, 10, 14, 59), cutoff=time(15, 0)).legal_due == at(2026, 3, 10, 17, 0)
    # After 15:00: due the next working day.
    assert due(at(2026, 3, 10, 15, 1), cutoff=time(15, 0)).legal_due == at(2026, 3, 11, 17, 0)
    # Friday after the cut-off: Monday.
    assert due(at(2026, 3, 13, 16, 0), cutoff=time(15, 0)).legal_due == at(2026, 3, 16, 17, 0)


def test_half_day_and_hours():
    # 08:00–11:30 (3.5h) then 13:30 + 0.5h.
    assert due(at(2026, 3, 10, 8, 0), days=0.5).legal_due == at(2026, 3, 10, 14, 0)
    assert due(at(2026, 3, 10, 16, 0), hours=8).legal_due == at(2026, 3, 11, 16, 0)


def test_pause_spanning_tet_is_not_counted():
    received = at(2026, 2, 9, 8, 0)  # Mon 09/02/2026
    base = due(received, days=5)
    # Supplement requested Wed 11/02 08:00, received Tue 24/02 08:00: the pause covers
    # Wed 11 (9h), Thu 12, Fri 13 working days and the Tết break, Mon 23 and Tue 24 07:00-08:00.
    pauses = (Pause(at(2026, 2, 11, 8, 0), at(2026, 2, 24, 8, 0)),)
    c = due(received, days=5, pauses=pauses, now=at(2026, 2, 24, 8, 0))
    paused = CAL.working_time_between(at(2026, 2, 11, 8, 0), at(2026, 2, 24, 8, 0))
    assert paused == timedelta(hours=7 + 8 + 8 + 8 + 1)
    assert CAL.working_time_between(base.legal_due, c.legal_due) == paused
    # Before the pause: Mon 7h + Tue 8h + Wed 1h = 16h; the other 24h after Tue 24/02 08:00:
    # Tue 7h, Wed 25 8h, Thu 26 8h, Fri 27 1h → Fri 27/02 08:00.
    assert c.legal_due == at(2026, 2, 27, 8, 0)


def test_restart_from_zero():
    received = at(2026, 3, 2, 8, 0)  # Monday
    pause = Pause(at(2026, 3, 4, 8, 0), at(2026, 3, 9, 10, 0), restart=True)
    c = due(received, days=3, pauses=(pause,), now=at(2026, 3, 9, 10, 0))
    # The clock restarts on Mon 09/03 10:00 with the full 3 days → Thu 12/03 10:00.
    assert c.clock_start == at(2026, 3, 9, 10, 0)
    assert c.legal_due == at(2026, 3, 12, 10, 0)


def test_open_pause_freezes_remaining_time():
    received = at(2026, 3, 2, 8, 0)
    pause = Pause(at(2026, 3, 3, 8, 0), None)
    c1 = due(received, days=3, pauses=(pause,), now=at(2026, 3, 4, 9, 0))
    c2 = due(received, days=3, pauses=(pause,), now=at(2026, 3, 20, 16, 0))
    assert c1.paused and c2.paused and not c2.overdue
    assert c1.remaining == c2.remaining == timedelta(hours=16)


def test_apology_new_date_and_overdue():
    received = at(2026, 3, 2, 8, 0)
    c = due(received, days=1, now=at(2026, 3, 5, 8, 0))
    assert c.overdue and c.remaining < timedelta(0)
    c = due(received, days=1, now=at(2026, 3, 5, 8, 0), apology_due=at(2026, 3, 10, 17, 0))
    assert not c.overdue and c.effective_due == at(2026, 3, 10, 17, 0)
    assert c.legal_due == at(2026, 3, 3, 8, 0)


def test_bad_pause_refused():
    with pytest.raises(ValueError):
        due(at(2026, 3, 2), days=1, pauses=(Pause(at(2026, 3, 3), at(2026, 3, 2)),))


def test_timeliness():
    d = at(2026, 3, 5, 17, 0)
    assert timeliness(at(2026, 3, 4, 10, 0), d) == "early"
    assert timeliness(at(2026, 3, 5, 10, 0), d) == "on_time"
    assert timeliness(at(2026, 3, 6, 8, 0), d) == "late"
    # A second supplement request counts late whatever the dates (766 item 2.1).
    assert timeliness(at(2026, 3, 4, 10, 0), d, counts_as_late=True) == "late"
    # "Early" compares Vietnam calendar days, whatever zone the moments come in.
    utc = datetime(2026, 3, 4, 18, 0, tzinfo=ZoneInfo("UTC"))  # 01:00 on 05/03 in Hà Nội
    assert timeliness(utc, d) == "on_time"


moments = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 1)).map(lambda d: d.replace(tzinfo=TZ))
durations = st.tuples(st.integers(0, 30), st.sampled_from([0, 0, 2, 4]))


@settings(max_examples=150, deadline=None)
@given(moments, durations, st.integers(0, 200), st.integers(0, 400), st.sampled_from([None, time(15, 0)]))
def test_pause_never_shortens(received, dur, start_h, len_h, cutoff):
    days, hours = dur
    base = due(received, days, hours, cutoff=cutoff)
    p = Pause(received + timedelta(hours=start_h), received + timedelta(hours=start_h + len_h))
    paused = due(received, days, hours, cutoff=cutoff, pauses=(p,), now=p.end)
    assert paused.legal_due >= base.legal_due


@settings(max_examples=150, deadline=None)
@given(moments, durations, st.sampled_from([None, time(15, 0)]))
def test_due_is_a_working_day_and_after_receipt(received, dur, cutoff):
    days, hours = dur
    c = due(received, days, hours, cutoff=cutoff)
    assert CAL.is_working_day(c.legal_due.astimezone(TZ).date())
    assert c.legal_due > received or (days == 0 and hours == 0 and c.legal_due >= received)
    # Exactly the legal working time elapses between the clock start and the due moment
    # (same-day: the rest of the day).
    if days or hours:
        start = CAL.clock_start(received, cutoff)
        assert CAL.working_time_between(start, c.legal_due) == Duration(days, hours).working_time(CAL.day_length)


@settings(max_examples=100, deadline=None)
@given(moments, st.integers(1, 20), st.integers(0, 300))
def test_remaining_decreases_with_time(received, days, later_h):
    c1 = due(received, days, now=received)
    c2 = due(received, days, now=received + timedelta(hours=later_h))
    assert c2.remaining <= c1.remaining
    assert c2.legal_due == c1.legal_due
