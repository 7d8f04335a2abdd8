"""Reporting periods and progress roll-up (no Django).

Periods: quarter (Q1–Q4), six months (H1) and year. By default a period follows the calendar;
``cutoff_day`` moves its end to that day of the period's last month and its start to the day
after the previous cut-off, the data cut-off of periodic reports under Decree 09/2019/NĐ-CP
(Article 12: "từ ngày 15 của tháng trước kỳ báo cáo đến ngày 14 của tháng cuối kỳ") — set
``XASO_PLAN_PERIOD_CUTOFF_DAY = 14`` to use it. The report is due ``due_days`` after the end.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

QUARTER = "quarter"
HALF = "half"
YEAR = "year"


@dataclass(frozen=True)
class PeriodSpec:
    kind: str
    year: int
    number: int  # quarter 1–4, half 1 (6 months), year 1
    start: date
    end: date
    due: date


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _bounds(year: int, first_month: int, last_month: int, cutoff_day: int | None) -> tuple[date, date]:
    if not cutoff_day:
        return date(year, first_month, 1), _month_end(year, last_month)
    end = date(year, last_month, min(cutoff_day, calendar.monthrange(year, last_month)[1]))
    prev_month, prev_year = (first_month - 1, year) if first_month > 1 else (12, year - 1)
    start = date(prev_year, prev_month, min(cutoff_day, calendar.monthrange(prev_year, prev_month)[1])) + timedelta(days=1)
    return start, end


def period_spec(kind: str, year: int, number: int, *, cutoff_day: int | None = None, due_days: int = 5) -> PeriodSpec:
    if kind == QUARTER:
        if number not in (1, 2, 3, 4):
            raise ValueError("quarter must be 1-4")
        first, last = number * 3 - 2, number * 3
    elif kind == HALF:
        if number != 1:
            raise ValueError("only the first six months are a separate period")
        first, last = 1, 6
    elif kind == YEAR:
        first, last, number = 1, 12, 1
    else:
        raise ValueError(kind)
    start, end = _bounds(year, first, last, cutoff_day)
    return PeriodSpec(kind, year, number, start, end, end + timedelta(days=due_days))


def plan_periods(first_year: int, last_year: int, *, cutoff_day: int | None = None, due_days: int = 5) -> list[PeriodSpec]:
    specs = []
    for year in range(first_year, last_year + 1):
        for q in (1, 2):
            specs.append(period_spec(QUARTER, year, q, cutoff_day=cutoff_day, due_days=due_days))
        specs.append(period_spec(HALF, year, 1, cutoff_day=cutoff_day, due_days=due_days))
        for q in (3, 4):
            specs.append(period_spec(QUARTER, year, q, cutoff_day=cutoff_day, due_days=due_days))
        specs.append(period_spec(YEAR, year, 1, cutoff_day=cutoff_day, due_days=due_days))
    return specs


def weighted_progress(items) -> Decimal | None:
    """Weighted mean of ``(progress, weight)`` pairs; progress None (never reported) counts as
    0; items of weight 0 are ignored. None when the total weight is 0."""
    total_weight = Decimal(0)
    total = Decimal(0)
    for progress, weight in items:
        weight = Decimal(weight)
        if weight <= 0:
            continue
        total_weight += weight
        total += Decimal(progress or 0) * weight
    if total_weight == 0:
        return None
    return (total / total_weight).quantize(Decimal("0.1"))
