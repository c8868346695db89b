"""Derived indicators: constant-price GDP from chained indices, intensities, shares, reductions."""

from __future__ import annotations

import numpy as np
import pytest

from carbonpeak.indicators.derived import chain_index, derive, gdp_constant, reduction
from carbonpeak.indicators.series import Series
from tests.indicators.helpers import REGION, observations


def test_chain_index_forwards_and_backwards():
    years = np.array([2019, 2020, 2021, 2022])
    index = np.array([106.0, 104.0, 110.0, 105.0])  # 上年=100
    got = chain_index(years, index, 2020)
    assert got == pytest.approx([1 / 1.04, 1.0, 1.10, 1.10 * 1.05])


def test_chain_index_gap_gives_nan():
    got = chain_index(np.array([2020, 2022]), np.array([100.0, 105.0]), 2020)
    assert got[0] == 1.0 and np.isnan(got[1])  # 2021's index is missing


def test_gdp_constant_in_prices_of_the_price_year():
    cur = Series.of("gdp_current", REGION, "亿元", {2020: 100.0, 2021: 120.0, 2022: 130.0})
    idx = Series.of("gdp_index", REGION, "上年=100", {2021: 110.0, 2022: 105.0})
    g = gdp_constant(cur, idx, 2020)
    assert g.years.tolist() == [2020, 2021, 2022]
    assert g.values == pytest.approx([100.0, 110.0, 115.5])  # not the current-price 120, 130
    assert "chained" in g.sources[0] and g.flags[0] == "sample"


def test_intensity_reduction_does_not_depend_on_the_price_year():
    obs = observations(
        ("gdp_current", "亿元", {2020: 100.0, 2021: 120.0, 2022: 130.0}),
        ("gdp_index", "上年=100", {2021: 110.0, 2022: 105.0}),
        ("energy_total", "万tce", {2020: 50.0, 2022: 55.0}),
    )
    a = {s.indicator: s for s in derive(obs, REGION, price_year=2020)}
    b = {s.indicator: s for s in derive(obs, REGION, price_year=2022)}
    ra, rb = reduction(a["energy_intensity"], 2020), reduction(b["energy_intensity"], 2020)
    assert ra.values == pytest.approx(rb.values)
    # 万tce / 亿元 = 1 tce/万元: 50/100 = 0.5 → 55/115.5
    assert a["energy_intensity"].values == pytest.approx([0.5, 55 / 115.5])
    assert ra.values[-1] == pytest.approx((1 - (55 / 115.5) / 0.5) * 100)


def test_shares_and_per_capita():
    obs = observations(
        ("energy_total", "万tce", {2024: 400.0}),
        ("non_fossil_energy", "万tce", {2024: 28.0}),
        ("gas_energy", "tce", {2024: 240_000.0}),
        ("co2_total", "万tCO2", {2024: 900.0}),
        ("population", "万人", {2024: 900.0}),
    )
    d = {s.indicator: s for s in derive(obs, REGION)}
    assert d["non_fossil_share"].values[0] == pytest.approx(7.0)
    assert d["gas_share"].values[0] == pytest.approx(6.0)
    assert d["co2_per_capita"].values[0] == pytest.approx(1.0)  # tCO2 per resident
    assert d["energy_per_capita"].unit == "tce/人"


def test_observed_series_is_not_replaced_by_a_derived_one():
    obs = observations(
        ("energy_total", "万tce", {2024: 400.0}),
        ("non_fossil_energy", "万tce", {2024: 28.0}),
        ("non_fossil_share", "%", {2024: 7.5}),
    )
    merged = obs.with_series(derive(obs, REGION))
    assert merged.get("non_fossil_share", REGION).values[0] == 7.5
