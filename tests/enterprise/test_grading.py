"""Carbon-efficiency grading (Huzhou scheme): golden tests at every bound, populations, flags."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.enterprise.grading import (
    GRADED,
    NO_VALUE_ADDED,
    SMALL_POPULATION,
    grade,
    grade_of,
    intensity,
    level_index,
)
from carbonpeak.enterprise.scheme import load_scheme

SCHEME = load_scheme("huzhou-2021")


def test_the_scheme_file_holds_the_huzhou_bounds_and_a_source():
    assert list(SCHEME.level_bounds) == [0.6, 2.0]
    assert list(SCHEME.grade_bounds) == [0.6, 0.8, 1.2, 2.0]
    assert [lv.name_zh for lv in SCHEME.levels] == ["低碳", "中碳", "高碳"]
    assert "yzwku.com/doc/493133" in SCHEME.source
    assert SCHEME.min_population >= 2


# K exactly at a bound belongs to the better grade; just above it, to the next one
@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (0.0, 1),
        (0.6, 1),
        (0.6000001, 2),
        (0.8, 2),
        (0.8000001, 3),
        (1.0, 3),
        (1.2, 3),
        (1.2000001, 4),
        (2.0, 4),
        (2.0000001, 5),
        (7.5, 5),
    ],
)
def test_grade_bounds(k, expected):
    assert grade_of(np.asarray([k]), SCHEME.grade_bounds)[0] == expected


@pytest.mark.parametrize(
    ("L", "level"),
    [(0.0, "low"), (0.6, "low"), (0.6000001, "medium"), (2.0, "medium"), (2.0000001, "high"), (11.0, "high")],
)
def test_level_bounds(L, level):
    idx = level_index(np.asarray([L]), SCHEME.level_bounds)[0]
    assert SCHEME.levels[idx].code == level


def _population(ks: list[float]) -> tuple[np.ndarray, np.ndarray]:
    """CO2 and value added of enterprises whose K are `ks` in an industry whose mean is exactly 1
    t/万元: each has value added 10 万元 and CO2 10·K; one more balances the sums."""
    co2 = [10 * k for k in ks]
    va = [10.0] * len(ks)
    rest = 10.0 * len(ks) + 50.0 - sum(co2)  # the balancing member: VA 50, CO2 to make Σ CO2 = Σ VA
    assert rest > 0
    return np.asarray([*co2, rest])[:, None], np.asarray([*va, 50.0])[:, None]


@pytest.mark.parametrize(
    ("k", "expected"),
    [(0.6, 1), (0.61, 2), (0.8, 2), (0.81, 3), (1.2, 3), (1.21, 4), (2.0, 4), (2.01, 5)],
)
def test_grade_through_the_industry_average(k, expected):
    co2, va = _population([k, 1.0, 1.0, 1.0])
    g = grade(co2, va, np.zeros(len(co2), dtype=int), SCHEME)
    assert g.industry_mean[0, 0] == pytest.approx(1.0)
    assert g.k[0, 0] == pytest.approx(k)
    assert g.grade[0, 0] == expected


def test_a_hand_checked_industry():
    # CO2 6, 8, 12, 20, 14 t; VA 10, 10, 10, 10, 20 万元: mean 60/60 = 1 t/万元
    co2 = np.asarray([[6.0], [8.0], [12.0], [20.0], [14.0]])
    va = np.asarray([[10.0], [10.0], [10.0], [10.0], [20.0]])
    g = grade(co2, va, np.zeros(5, dtype=int), SCHEME)
    assert list(g.grade[:, 0]) == [1, 2, 3, 4, 2]
    assert list(g.level[:, 0]) == [0, 1, 1, 1, 1]  # L 0.6 is low-carbon, 0.8 medium
    # grade 2 → 1 needs K ≤ 0.6: (8 − Δ)/10 = 0.6 (60 − Δ)/60 → Δ = 2/0.9
    assert g.cut_to_next_t[1, 0] == pytest.approx(2 / 0.9)
    assert np.isnan(g.cut_to_next_t[0, 0])  # grade 1 has nothing above it


def test_the_cut_reaches_the_next_grade_exactly():
    rng = np.random.default_rng(3)
    co2 = rng.uniform(1, 30, (12, 1))
    va = rng.uniform(5, 15, (12, 1))
    ind = np.zeros(12, dtype=int)
    g = grade(co2, va, ind, SCHEME)
    for i in np.flatnonzero(~np.isnan(g.cut_to_next_t[:, 0])):
        cut = co2.copy()
        cut[i, 0] -= g.cut_to_next_t[i, 0]
        assert grade(cut, va, ind, SCHEME).grade[i, 0] == g.grade[i, 0] - 1


def test_small_population_is_not_graded_and_says_so():
    n = SCHEME.min_population - 1
    co2 = np.ones((n, 1))
    va = np.ones((n, 1))
    g = grade(co2, va, np.zeros(n, dtype=int), SCHEME)
    assert (g.grade == 0).all() and np.isnan(g.k).all()
    assert (g.reason == SMALL_POPULATION).all()
    assert (g.population == n).all()
    assert not np.isnan(g.intensity).any()  # L is still computed and shown


def test_no_value_added_is_not_graded_nor_counted_in_the_average():
    co2 = np.asarray([[1.0], [1.0], [1.0], [1.0], [1.0], [5.0]])
    va = np.asarray([[1.0], [1.0], [1.0], [1.0], [1.0], [0.0]])
    g = grade(co2, va, np.zeros(6, dtype=int), SCHEME)
    assert g.reason[5, 0] == NO_VALUE_ADDED and g.grade[5, 0] == 0
    assert g.industry_mean[0, 0] == pytest.approx(1.0)
    assert (g.reason[:5, 0] == GRADED).all()


def test_a_grade_carries_the_flag_of_its_own_record_and_of_its_industry_average():
    co2, va = _population([1.0, 1.0, 1.0, 1.0])
    flags = np.zeros_like(co2, dtype=np.int8)
    flags[4, 0] = 2  # one sample record in the industry
    g = grade(co2, va, np.zeros(len(co2), dtype=int), SCHEME, flags)
    assert (g.flag[:, 0] == 2).all()  # every grade rests on the sample record through the mean
    flags[:] = 0
    flags[0, 0] = 1
    g = grade(co2, va, np.zeros(len(co2), dtype=int), SCHEME, flags)
    assert (g.flag[:, 0] == 1).all()


def test_industries_and_periods_are_separate():
    co2 = np.asarray([[1.0, 2.0]] * 5 + [[10.0, 10.0]] * 5)
    va = np.ones((10, 2))
    ind = np.asarray([0] * 5 + [1] * 5)
    g = grade(co2, va, ind, SCHEME)
    assert g.industry_mean[0, 0] == 1.0 and g.industry_mean[0, 1] == 2.0
    assert g.industry_mean[9, 0] == 10.0
    assert (g.k == 1.0).all()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.tuples(st.floats(0.1, 100), st.floats(0.1, 100), st.integers(0, 2)), min_size=1, max_size=40)
)
def test_vectorised_grades_equal_a_per_row_computation(rows):
    co2 = np.asarray([[r[0]] for r in rows])
    va = np.asarray([[r[1]] for r in rows])
    ind = np.asarray([r[2] for r in rows])
    g = grade(co2, va, ind, SCHEME)
    for i, (c, v, d) in enumerate(rows):
        members = [r for r in rows if r[2] == d]
        mean = sum(r[0] for r in members) / sum(r[1] for r in members)
        if len(members) < SCHEME.min_population:
            assert g.grade[i, 0] == 0
            continue
        k = round(c / v / mean, 9)
        expected = 1 + sum(k > b for b in (0.6, 0.8, 1.2, 2.0))
        assert g.grade[i, 0] == expected


def test_intensity_is_nan_without_positive_value_added():
    L = intensity(np.asarray([1.0, 1.0, 1.0]), np.asarray([2.0, 0.0, -1.0]))
    assert L[0] == 0.5 and np.isnan(L[1:]).all()
