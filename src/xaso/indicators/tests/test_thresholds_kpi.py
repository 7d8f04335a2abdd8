from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from xaso.indicators import kpi, thresholds


def test_online_payment_thresholds_interpolated():
    result = thresholds.yearly_thresholds({"2027": 70, "2030": 80}, 2026, 2030)
    assert 2026 not in result  # set by a person
    assert result[2027] == (Decimal(70), "plan")
    assert result[2028] == (Decimal("73.33"), "interpolated")
    assert result[2029] == (Decimal("76.67"), "interpolated")
    assert result[2030] == (Decimal(80), "plan")


def test_whole_period_threshold():
    result = thresholds.yearly_thresholds({}, 2026, 2030, whole_period=97)
    assert set(result) == set(range(2026, 2031)) and all(v == (Decimal(97), "plan") for v in result.values())


def test_is_met():
    assert thresholds.is_met(Decimal("98.5"), 98, "gt") is True
    assert thresholds.is_met(98, 98, "gt") is False
    assert thresholds.is_met(98, 98, "gte") is True
    assert thresholds.is_met(None, 98, "gte") is None


@given(st.integers(0, 100), st.integers(0, 100), st.integers(2026, 2029), st.integers(1, 4))
def test_interpolation_between_ends(a, b, y0, gap):
    y1 = y0 + gap
    result = thresholds.yearly_thresholds({y0: a, y1: b}, 2026, 2035)
    for year in range(y0, y1 + 1):
        assert min(a, b) - Decimal("0.01") <= result[year][0] <= max(a, b) + Decimal("0.01")


# --- KPI: hand-worked cases (docs/kpi.md) ----------------------------------------------


def test_hand_worked_example():
    # 45 dossiers (norm 60 → volume 0.75), 44 on time, 20 rated of which 19 satisfied;
    # 4 plan reports, 3 on time, 2 accepted. Default weights 0.15/0.30/0.15/0.20/0.20.
    result = kpi.compute(kpi.DossierStats(45, 44, 20, 19), kpi.TaskStats(4, 3, 2))
    # 0.15·0.75 + 0.30·44/45 + 0.15·0.95 + 0.20·0.75 + 0.20·0.5 = 0.7977 → 79.8
    assert result.score == Decimal("79.8")


def test_no_dossiers_is_no_data_not_zero():
    result = kpi.compute(None, kpi.TaskStats(2, 2, 2))
    assert result.components["on_time"] is None and result.components["volume"] is None
    assert result.score == Decimal("100.0")
    assert kpi.compute(kpi.DossierStats(0, 0), kpi.TaskStats(0, 0, 0)).score is None
    assert kpi.compute(None, None).no_data


def test_weights_are_configurable():
    only_tasks = kpi.Weights(volume=0, on_time=0, rating=0, tasks_on_time=1, tasks_accepted=0)
    assert kpi.compute(kpi.DossierStats(10, 0), kpi.TaskStats(4, 1, 4), only_tasks).score == Decimal("25.0")


def test_bad_counts_refused():
    with pytest.raises(ValueError):
        kpi.compute(kpi.DossierStats(5, 6), None)


dossier_stats = st.integers(0, 500).flatmap(
    lambda h: st.tuples(st.just(h), st.integers(0, h), st.integers(0, h)).flatmap(
        lambda t: st.builds(kpi.DossierStats, st.just(t[0]), st.just(t[1]), st.just(t[2]), st.integers(0, t[2]))
    )
)
task_stats = st.integers(0, 50).flatmap(lambda n: st.builds(kpi.TaskStats, st.just(n), st.integers(0, n), st.integers(0, n)))
weight = st.decimals(min_value=0, max_value=5, places=2)
weights = st.builds(kpi.Weights, weight, weight, weight, weight, weight, st.integers(1, 200))


@given(st.none() | dossier_stats, st.none() | task_stats, weights)
def test_score_bounds_and_no_data(d, t, w):
    result = kpi.compute(d, t, w)
    usable = [n for n, share in result.components.items() if share is not None and getattr(w, n) > 0]
    if usable:
        assert Decimal(0) <= result.score <= Decimal(100)
    else:
        assert result.score is None


@given(st.none() | dossier_stats, st.none() | task_stats, weights, st.integers(2, 9))
def test_scaling_weights_changes_nothing(d, t, w, k):
    scaled = kpi.Weights(w.volume * k, w.on_time * k, w.rating * k, w.tasks_on_time * k, w.tasks_accepted * k, w.volume_norm)
    assert kpi.compute(d, t, w).score == kpi.compute(d, t, scaled).score


@given(dossier_stats, st.none() | task_stats, weights)
def test_more_on_time_never_lowers_the_score(d, t, w):
    assume(d.on_time < d.handled)
    better = kpi.DossierStats(d.handled, d.on_time + 1, d.rated, d.satisfied)
    before, after = kpi.compute(d, t, w).score, kpi.compute(better, t, w).score
    if before is None:
        assert after is None
    else:
        assert after >= before
