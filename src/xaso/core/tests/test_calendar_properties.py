"""Property-based tests (hypothesis) of the working-day calendar."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from xaso.core.calendar import DayDecision, Duration, WorkCalendar

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CAL = WorkCalendar()
EXTRA = WorkCalendar(extra_holidays=True)

received_st = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2029, 6, 30), timezones=st.sampled_from([VN, timezone.utc])
)
duration_st = st.builds(Duration, st.integers(0, 40), st.integers(0, 64).map(lambda q: q / 4))
cutoff_st = st.none() | st.times(min_value=time(6), max_value=time(18)).map(lambda t: t.replace(second=0, microsecond=0))
pause_st = st.tuples(st.integers(-3 * 24 * 60, 40 * 24 * 60), st.integers(1, 20 * 24 * 60))
calendar_st = st.sampled_from([CAL, EXTRA])

PROPS = settings(max_examples=300, deadline=None)


def inside_working_hours(cal, moment):
    local = moment.astimezone(cal.tz)
    if local.tzinfo is not cal.tz and local.utcoffset() != timedelta(hours=7):
        return False
    if not cal.is_working_day(local.date()):
        return False
    t = local.time().replace(tzinfo=None)
    return any(start <= t <= end for start, end in cal.hours.sessions)


def make_pauses(received, raw):
    return [(received + timedelta(minutes=a), received + timedelta(minutes=a + b)) for a, b in raw]


@PROPS
@given(calendar_st, received_st, duration_st, cutoff_st)
def test_due_is_inside_working_hours_of_a_working_day(cal, received, duration, cutoff):
    due = cal.due_at(received, duration, cutoff=cutoff)
    start = cal.clock_start(received, cutoff)
    assert received <= start < due
    assert inside_working_hours(cal, due)
    assert due.utcoffset() == timedelta(hours=7)
    # Exactly the legal working time lies between the clock start and the due moment.
    if duration.same_day:
        assert due.astimezone(VN).date() == start.astimezone(VN).date()
        assert due.astimezone(VN).time() == cal.hours.closing
    else:
        assert cal.working_time_between(start, due) == duration.working_time(cal.day_length)


@PROPS
@given(calendar_st, received_st, st.integers(0, 60), st.integers(0, 32).map(lambda q: q / 4), cutoff_st)
def test_due_is_monotonic_in_the_number_of_days(cal, received, days, hours, cutoff):
    a = cal.due_at(received, Duration(days, hours), cutoff=cutoff)
    b = cal.due_at(received, Duration(days + 1, hours), cutoff=cutoff)
    c = cal.due_at(received, Duration(days, hours + 0.25), cutoff=cutoff)
    if days == 0 and hours == 0:
        # Same day: due at the close of the clock-start day, never later than one day.
        assert a <= b
    else:
        assert a < b and a < c
        assert cal.working_days_between(a, b) == 1.0


@PROPS
@given(calendar_st, received_st, duration_st, cutoff_st, st.lists(pause_st, max_size=3))
def test_a_pause_never_makes_the_due_date_earlier(cal, received, duration, cutoff, raw):
    pauses = make_pauses(received, raw)
    plain = cal.due_at(received, duration, cutoff=cutoff)
    paused = cal.due_at(received, duration, cutoff=cutoff, pauses=pauses)
    assert paused >= plain
    assert inside_working_hours(cal, paused)
    # Adding one more pause never moves it earlier either.
    if pauses:
        fewer = cal.due_at(received, duration, cutoff=cutoff, pauses=pauses[:-1])
        assert paused >= fewer
    # The working time outside the pauses is exactly the legal time.
    if not duration.same_day:
        start = cal.clock_start(received, cutoff)
        assert cal.working_time_between(start, paused, pauses) == duration.working_time(cal.day_length)


@PROPS
@given(received_st, duration_st, st.integers(-600, 30 * 24 * 60))
def test_open_pause(received, duration, offset):
    pause_start = received + timedelta(minutes=offset)
    plain = CAL.due_at(received, duration)
    result = CAL.due_at(received, duration, pauses=[(pause_start, None)])
    if pause_start >= plain:
        assert result == plain
    else:
        assert result is None


@PROPS
# The end stays inside the calendar's range (to 2100): 400 working days is under two years.
@given(st.dates(min_value=date(1901, 1, 1), max_value=date(2098, 6, 30)), st.integers(1, 400))
def test_add_working_days(d, n):
    result = CAL.add_working_days(d, n)
    assert CAL.is_working_day(result)
    assert CAL.working_days_in(d, result) == n
    if n <= 40:
        count, day = 0, d
        while day < result:
            day += timedelta(days=1)
            count += CAL.is_working_day(day)
        assert count == n


@PROPS
@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2090, 12, 31)),
    st.sampled_from(["day_off", "working_day"]),
    st.integers(-3, 3),
)
def test_overrides_win_over_the_library(d, kind, delta):
    cal = WorkCalendar([DayDecision(d, kind, "test", "QĐ test")])
    assert cal.is_working_day(d) == (kind == "working_day")
    neighbour = d + timedelta(days=delta)
    if delta:
        assert cal.is_working_day(neighbour) == CAL.is_working_day(neighbour)
    special = {s.date: s for s in cal.special_days(d.year)}
    weekend = d.weekday() >= 5
    if kind == "day_off" and not weekend:
        assert special[d].basis == "QĐ test" and not special[d].working
    if kind == "working_day" and weekend:
        assert special[d].working
    if (kind == "working_day") != weekend:
        assert d not in special


@PROPS
@given(received_st, st.integers(0, 20 * 24 * 60), st.integers(0, 20 * 24 * 60))
def test_working_time_is_additive_and_antisymmetric(a, x, y):
    b = a + timedelta(minutes=x)
    c = b + timedelta(minutes=y)
    assert CAL.working_time_between(a, c) == CAL.working_time_between(a, b) + CAL.working_time_between(b, c)
    assert CAL.working_time_between(c, a) == -CAL.working_time_between(a, c)


@PROPS
@given(received_st, cutoff_st)
def test_clock_start_is_in_working_hours_and_stable(received, cutoff):
    start = CAL.clock_start(received, cutoff)
    assert inside_working_hours(CAL, start)
    assume(cutoff is None)
    assert CAL.clock_start(start, None) == start
