"""The nowcast engine: Denton benchmarking, seasonal completion, coefficients and the backtest."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.budget import nowcast as nc


def test_denton_meets_the_benchmarks_and_keeps_a_proportional_indicator():
    rng = np.random.default_rng(3)
    indicator = rng.uniform(5, 10, size=36)
    annual = np.array([100.0, 120.0])
    x = nc.denton(indicator, annual, 2)
    assert x[:12].sum() == pytest.approx(100.0)
    assert x[12:24].sum() == pytest.approx(120.0)
    # after the last benchmark the ratio of its December is carried forward
    assert x[24:] / indicator[24:] == pytest.approx(np.full(12, x[23] / indicator[23]))
    # an indicator already proportional to the benchmarks is returned scaled, unchanged in shape
    same = nc.denton(indicator[:24], np.array([indicator[:12].sum() * 2, indicator[12:24].sum() * 2]), 2)
    assert same == pytest.approx(indicator[:24] * 2)


def test_seasonal_completion_recovers_a_seasonal_pattern():
    season = np.array([1.0, 0.8, 0.9, 0.9, 1.0, 1.1, 1.3, 1.3, 1.0, 0.9, 0.9, 1.1])
    data = {y: 10 * season * 1.05 ** (y - 2020) for y in range(2020, 2024)}
    data[2023] = data[2023].copy()
    truth = data[2023][9:].copy()
    data[2023][9:] = np.nan
    filled = nc.seasonal_completion(data)
    # a constant yearly growth is a trend in log terms: the regression recovers the months closely
    assert filled[2023][9:] == pytest.approx(truth, rel=0.01)
    assert np.isnan(data[2023][9:]).all()  # the input is left as it was


def test_the_trend_model_is_chosen_where_it_predicted_better():
    years = range(2015, 2025)
    el = {"s": {y: 100.0 for y in years}}
    falling = {"s": {y: 100.0 * 0.97 ** (y - 2015) for y in years}}
    c = nc.carbon_coefficients(falling, el, 2025, upto=2024)["s"]
    assert c.model == "trend"
    assert c.value == pytest.approx(0.97**10, rel=1e-6)
    # a level shift (a plant closed in 2021): the last year's ratio is right, a trend is not
    shifted = {"s": {y: 100.0 if y < 2021 else 80.0 for y in years}}
    c = nc.carbon_coefficients(shifted, el, 2025, upto=2024)["s"]
    assert (c.model, c.value) == ("ratio", 0.8)


def test_the_backtest_is_out_of_sample():
    years = list(range(2015, 2025))
    el = {"s": {y: np.full(12, 10.0 * 1.02 ** (y - 2015)) for y in years}}
    co2 = {"s": {y: 50.0 * 1.01 ** (y - 2015) for y in years}}
    rows = nc.backtest(co2, el, years[1:])
    city = [r for r in rows if r.sector == "city"]
    assert len(city) == 9
    # the year's own inventory would give zero error; the ratio of the year before misses by ~1 %
    assert city[0].model == "sum"
    assert city[0].error == pytest.approx(1.02 / 1.01 - 1, rel=1e-6)
    summary = nc.backtest_summary(rows)
    assert summary["city"]["years"] == 9


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0.5, 50.0), min_size=24, max_size=24),
    st.floats(10.0, 1_000.0),
    st.floats(10.0, 1_000.0),
)
def test_denton_always_meets_its_benchmarks(indicator, first, second):
    x = nc.denton(np.asarray(indicator), np.asarray([first, second]), 2)
    assert x[:12].sum() == pytest.approx(first, rel=1e-9)
    assert x[12:].sum() == pytest.approx(second, rel=1e-9)
