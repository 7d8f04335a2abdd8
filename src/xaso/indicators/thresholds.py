"""Thresholds per year (no Django).

The plan states some thresholds for a year ("tối thiểu 70% vào năm 2027 và … 80% vào năm
2030") and others for the whole period ("đạt tối thiểu 97%"). :func:`yearly_thresholds`
spreads them over the plan's years: a value for the whole period applies to every year; the
years between two stated years are interpolated linearly; years before the first stated year
are left for a person to set.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

PLAN = "plan"
INTERPOLATED = "interpolated"


def yearly_thresholds(points: dict, first_year: int, last_year: int, *, whole_period=None) -> dict[int, tuple[Decimal, str]]:
    result: dict[int, tuple[Decimal, str]] = {}
    if whole_period is not None:
        for year in range(first_year, last_year + 1):
            result[year] = (Decimal(str(whole_period)), PLAN)
    stated = sorted((int(y), Decimal(str(v))) for y, v in points.items())
    for year, value in stated:
        if first_year <= year <= last_year:
            result[year] = (value, PLAN)
    for (y0, v0), (y1, v1) in zip(stated, stated[1:]):
        for year in range(y0 + 1, y1):
            if first_year <= year <= last_year and year not in result:
                value = v0 + (v1 - v0) * Decimal(year - y0) / Decimal(y1 - y0)
                result[year] = (value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), INTERPOLATED)
    if stated and whole_period is None:
        last_stated_year, last_value = stated[-1]
        for year in range(last_stated_year + 1, last_year + 1):
            result.setdefault(year, (last_value, PLAN))  # "by 2030 at least…" keeps holding
    return dict(sorted(result.items()))


def is_met(value, threshold, comparison: str) -> bool | None:
    """None when either side is unknown."""
    if value is None or threshold is None:
        return None
    value, threshold = Decimal(str(value)), Decimal(str(threshold))
    if comparison == "gte":
        return value >= threshold
    if comparison == "gt":
        return value > threshold
    if comparison == "lte":
        return value <= threshold
    raise ValueError(comparison)
