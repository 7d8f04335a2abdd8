"""Schedule specifications and next run times (pure: xaso.core.schedule)."""
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xaso.core import schedule
from xaso.core.schedule import ScheduleError, Spec

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=VN)


@pytest.mark.parametrize(
    "text, spec",
    [
        ("daily 07:00", Spec("daily", at=time(7, 0))),
        ("  Daily   7:30 ", Spec("daily", at=time(7, 30))),
        ("daily 23:59", Spec("daily", at=time(23, 59))),
        ("every 5 minutes", Spec("every", minutes=5)),
        ("every 1 minute", Spec("every", minutes=1)),
        ("every 90 min", Spec("every", minutes=90)),
        ("off", Spec("off")),
        ("OFF", Spec("off")),
    ],
)
def test_parse(text, spec):
    assert schedule.parse(text) == spec
    assert schedule.parse(str(spec)) == spec  # printed back the same


@pytest.mark.parametrize("text", ["", "daily", "daily 24:00", "daily 7", "daily 07:60", "every 0 minutes", "every 1441 minutes", "every five minutes", "hourly", "7:00"])
def test_parse_refuses(text):
    with pytest.raises(ScheduleError):
        schedule.parse(text)


def test_daily_hand_worked():
    spec = schedule.parse("daily 07:00")
    # Before 07:00: today; at or after: tomorrow (a run started at 07:00 is not due again at 07:00).
    assert schedule.next_run(spec, vn(2026, 11, 28, 6, 59), VN) == vn(2026, 11, 28, 7)
    assert schedule.next_run(spec, vn(2026, 11, 28, 7), VN) == vn(2026, 11, 29, 7)
    assert schedule.next_run(spec, vn(2026, 12, 31, 23, 30), VN) == vn(2027, 1, 1, 7)
    # In UTC the same: 07:00 in Vietnam is 00:00 UTC.
    assert schedule.next_run(spec, datetime(2026, 11, 28, 1, tzinfo=timezone.utc), VN) == vn(2026, 11, 29, 7)


def test_missed_days_run_once():
    spec = schedule.parse("daily 07:00")
    last = vn(2026, 11, 20, 7)
    now = vn(2026, 11, 23, 9)  # three mornings missed (the server was off)
    assert schedule.is_due(spec, last, now, VN)
    # the catch-up run at 09:00 makes the next one tomorrow 07:00, not three more now
    assert not schedule.is_due(spec, now, now + timedelta(hours=12), VN)
    assert schedule.next_run(spec, now, VN) == vn(2026, 11, 24, 7)


def test_every_and_off():
    last = vn(2026, 11, 28, 10, 2)
    assert schedule.next_run(schedule.parse("every 5 minutes"), last, VN) == vn(2026, 11, 28, 10, 7)
    assert schedule.next_run(schedule.parse("off"), last, VN) is None
    assert not schedule.is_due(schedule.parse("off"), last, last + timedelta(days=400), VN)
    with pytest.raises(ValueError):
        schedule.next_run(schedule.parse("off"), datetime(2026, 1, 1), VN)


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(timezone.utc))


@given(last=moments, hh=st.integers(0, 23), mm=st.integers(0, 59))
def test_daily_next_run_properties(last, hh, mm):
    spec = Spec("daily", at=time(hh, mm))
    nxt = schedule.next_run(spec, last, VN)
    local = nxt.astimezone(VN)
    assert (local.hour, local.minute, local.second) == (hh, mm, 0)  # at the set local time
    assert last < nxt <= last + timedelta(days=1)  # strictly after, within a day
    assert not schedule.is_due(spec, last, nxt - timedelta(microseconds=1), VN)
    assert schedule.is_due(spec, last, nxt, VN)


@given(last=moments, minutes=st.integers(1, 1440), later=st.integers(0, 3000))
def test_every_is_due_exactly_after_the_interval(last, minutes, later):
    spec = Spec("every", minutes=minutes)
    now = last + timedelta(minutes=later)
    assert schedule.is_due(spec, last, now, VN) == (later >= minutes)
