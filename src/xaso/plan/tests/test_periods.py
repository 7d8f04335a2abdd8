from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from xaso.plan import periods


def test_calendar_periods():
    q1 = periods.period_spec("quarter", 2026, 1)
    assert (q1.start, q1.end, q1.due) == (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 5))
    h1 = periods.period_spec("half", 2026, 1)
    assert (h1.start, h1.end) == (date(2026, 1, 1), date(2026, 6, 30))


def test_decree_09_cutoff():
    q1 = periods.period_spec("quarter", 2026, 1, cutoff_day=14, due_days=3)
    assert (q1.start, q1.end, q1.due) == (date(2025, 12, 15), date(2026, 3, 14), date(2026, 3, 17))


def test_plan_periods_count():
    assert len(periods.plan_periods(2026, 2030)) == 5 * 6


def test_weighted_progress():
    assert periods.weighted_progress([(100, 1), (0, 1)]) == Decimal("50.0")
    assert periods.weighted_progress([(100, 3), (0, 1)]) == Decimal("75.0")
    assert periods.weighted_progress([(None, 1), (50, 1)]) == Decimal("25.0")
    assert periods.weighted_progress([(80, 0)]) is None


@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 10)), max_size=20))
def test_weighted_progress_bounds(items):
    result = periods.weighted_progress(items)
    if sum(w for _, w in items) == 0:
        assert result is None
    else:
        assert Decimal(min(p for p, w in items if w)) - Decimal("0.05") <= result <= Decimal(max(p for p, w in items if w)) + Decimal("0.05")
