import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from carbonpeak.scenarios.peak import horizon_problem, peak_index, peak_value, peak_year, peaked_by

YEARS = np.arange(2020, 2061)


def test_a_strictly_rising_trajectory_peaks_at_the_horizon():
    e = 100.0 * 1.02 ** np.arange(len(YEARS))
    assert peak_year(e[None, :], YEARS).tolist() == [2060]
    assert peak_year(e[None, :], YEARS, tolerance=0.01).tolist() == [2060]  # rises 2%/yr > 1% band
    assert not peaked_by(e[None, :], YEARS, 2030)[0]


def test_a_plateau_within_the_tolerance_counts_as_the_peak():
    e = np.array([[100.0, 110.0, 110.5, 110.8, 100.0]])
    yrs = np.arange(2026, 2031)
    assert peak_year(e, yrs).tolist() == [2029]  # strict maximum
    assert peak_year(e, yrs, tolerance=0.01).tolist() == [2027]  # 110.8 <= 1.01 x 110
    assert peak_value(e).tolist() == [110.8]


def test_years_along_either_axis_give_the_same_peak():
    e = np.random.default_rng(3).random((7, 12))
    assert (peak_index(e, tolerance=0.02) == peak_index(e.T, tolerance=0.02, axis=0)).all()


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.integers(2, 30), elements=st.floats(1.0, 1000.0)), st.floats(0.0, 0.1))
def test_the_peak_is_the_first_year_no_later_year_exceeds_by_more_than_the_tolerance(e, tol):
    i = int(peak_index(e[None, :], tolerance=tol)[0])
    assert (e[i:] <= e[i] * (1 + tol)).all()
    for j in range(i):
        assert (e[j:] > e[j] * (1 + tol)).any()


def test_a_path_still_rising_at_a_2030_horizon_has_not_peaked_by_2030():
    yrs = np.arange(2020, 2031)
    rising = 100.0 * 1.02 ** np.arange(len(yrs))
    assert peak_year(rising[None, :], yrs).tolist() == [2030]  # the maximum is the last year …
    assert not peaked_by(rising[None, :], yrs, 2030)[0]  # … which is no peak
    falling = rising[::-1].copy()
    assert peaked_by(falling[None, :], yrs, 2030)[0]


def test_the_horizon_must_reach_peak_by_plus_the_plateau_years():
    assert horizon_problem(2035, 2030, 5) is None
    zh, en = horizon_problem(2030, 2030, 5)
    assert "2035" in en and "2035" in zh and "2030" in en
