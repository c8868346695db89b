"""LMDI-I: hand-checkable cases, zero handling, and the perfect-decomposition properties."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from carbonpeak.decomposition.lmdi import FACTORS, KayaSeries, decompose, lmdi_additive, log_mean
from carbonpeak.errors import InputError


def series(pop, gdp, sgdp, energy, emissions, years=None) -> KayaSeries:
    energy = np.asarray(energy, dtype=float)
    t, i, j = energy.shape
    return KayaSeries(
        years=tuple(years or range(2020, 2020 + t)),
        sectors=tuple(f"s{k}" for k in range(i)),
        fuels=tuple(f"f{k}" for k in range(j)),
        population=np.asarray(pop, dtype=float),
        gdp=np.asarray(gdp, dtype=float),
        sector_gdp=np.asarray(sgdp, dtype=float),
        energy=energy,
        emissions=np.asarray(emissions, dtype=float),
    )


def test_log_mean_values_and_limits():
    assert log_mean(2.0, 1.0) == pytest.approx(1.0 / math.log(2.0))
    assert log_mean(3.0, 3.0) == pytest.approx(3.0)
    assert log_mean(3.0, 3.0 * (1 + 1e-9)) == pytest.approx(3.0 * (1 + 0.5e-9), rel=1e-14)
    assert log_mean(0.0, 5.0) == 0.0 and log_mean(5.0, 0.0) == 0.0 and log_mean(0.0, 0.0) == 0.0
    # symmetric
    assert log_mean(7.0, 2.0) == pytest.approx(log_mean(2.0, 7.0))


def test_one_sector_one_fuel_by_hand():
    # P 100 → 110, G 1000 → 1320 (G/P 10 → 12), E 500 → 528 (E/G 0.5 → 0.4), C/E = 2: C 1000 → 1056
    d = decompose(
        series([100, 110], [1000, 1320], [[1000], [1320]], [[[500]], [[528]]], [[[1000]], [[1056]]])
    )
    w = (1056 - 1000) / math.log(1056 / 1000)
    expected = [w * math.log(1.1), w * math.log(1.2), 0.0, w * math.log(0.8), 0.0, 0.0]
    assert d.additive[0] == pytest.approx(expected, rel=1e-12, abs=1e-9)
    assert d.multiplicative[0] == pytest.approx([1.1, 1.2, 1.0, 0.8, 1.0, 1.0], rel=1e-12)


def test_new_fuel_is_a_fuel_mix_effect_of_its_whole_emissions():
    # Sector uses coal only in 2020, coal + gas in 2021: the gas cell appears (E, C = 0 → 10, 20).
    e = [[[100, 0]], [[100, 10]]]
    c = [[[250, 0]], [[250, 20]]]
    d = decompose(series([1, 1], [100, 100], [[100], [100]], e, c))
    gas = d.cells[0, :, 0, 1]
    assert gas[FACTORS.index("fuel_mix")] == pytest.approx(20.0)
    assert np.delete(gas, FACTORS.index("fuel_mix")) == pytest.approx(np.zeros(5))
    assert d.additive[0].sum() == pytest.approx(20.0)


def test_vanishing_sector_gives_its_emissions_to_structure():
    # Sector 2 closes (value added and energy to zero): its emissions leave through the structure effect.
    d = decompose(
        series(
            [1, 1],
            [200, 200],
            [[100, 100], [200, 0]],
            [[[10]], [[20]]] and [[[10], [5]], [[20], [0]]],
            [[[30], [15]], [[60], [0]]],
        )
    )
    s2 = d.cells[0, :, 1, 0]
    assert s2[FACTORS.index("structure")] == pytest.approx(-15.0)
    assert np.delete(s2, FACTORS.index("structure")) == pytest.approx(np.zeros(5))


def test_equal_split_matches_small_value_strategy():
    # Two factors zero at the start: the limit of δ-substitution gives each half the change.
    c0, ct = np.array([0.0]), np.array([6.0])
    x0 = np.array([[0.0], [0.0], [2.0]])
    xt = np.array([[1.0], [2.0], [3.0]])
    eff = lmdi_additive(c0, ct, x0, xt)[:, 0]
    delta = 1e-100
    x0d = np.array([[delta], [delta], [2.0]])
    c0d = np.array([delta * delta * 2.0])
    eff_d = lmdi_additive(c0d, ct, x0d, xt)[:, 0]
    assert eff == pytest.approx([3.0, 3.0, 0.0])
    assert eff_d == pytest.approx(eff, abs=0.05)


def test_bad_inputs_list_every_problem():
    bad = series([1, 0], [100, 100], [[0], [100]], [[[5]], [[0]]], [[[1]], [[2]]])
    with pytest.raises(InputError) as exc:
        decompose(bad)
    rules = sorted(p.rule for p in exc.value.problems)
    assert rules == ["lmdi.activity", "lmdi.emissions_without_energy", "lmdi.positive"]


def test_chained_vs_single_period_both_sum_to_change():
    rng = np.random.default_rng(7)
    e = rng.uniform(1, 10, (5, 3, 4))
    c = e * rng.uniform(1, 3, (5, 3, 4))
    s = series(rng.uniform(1, 2, 5), rng.uniform(10, 20, 5), rng.uniform(1, 5, (5, 3)), e, c)
    chained, single = decompose(s, chained=True), decompose(s, chained=False)
    change = c[-1].sum() - c[0].sum()
    assert chained.total_additive().sum() == pytest.approx(change)
    assert single.additive[0].sum() == pytest.approx(change)
    assert chained.total_multiplicative().prod() == pytest.approx(c[-1].sum() / c[0].sum())
    assert chained.by_sector().sum(axis=2) == pytest.approx(chained.additive)
    assert chained.by_fuel().sum(axis=2) == pytest.approx(chained.additive)


# -- properties -----------------------------------------------------------------------------------

values = st.one_of(st.just(0.0), st.floats(min_value=1e-3, max_value=1e6))


@st.composite
def kaya_series(draw: st.DrawFn) -> KayaSeries:
    t = draw(st.integers(2, 4))
    i = draw(st.integers(1, 3))
    j = draw(st.integers(1, 3))
    pos = st.floats(min_value=1e-3, max_value=1e6)
    energy = draw(arrays(np.float64, (t, i, j), elements=values))
    # emission factors ≥ 0, zero allowed (non-fossil fuels); no emissions without energy
    ef = draw(arrays(np.float64, (t, i, j), elements=st.one_of(st.just(0.0), st.floats(1e-3, 5.0))))
    sgdp = draw(arrays(np.float64, (t, i), elements=pos))
    # sectors without energy may have zero value added
    sgdp = np.where((energy.sum(axis=2) == 0) & draw(arrays(np.bool_, (t, i))), 0.0, sgdp)
    return series(
        draw(arrays(np.float64, (t,), elements=pos)),
        draw(arrays(np.float64, (t,), elements=pos)),
        sgdp,
        energy,
        energy * ef,
    )


@settings(max_examples=150, deadline=None)
@given(kaya_series())
def test_additive_effects_sum_to_change(s: KayaSeries):
    for chained in (True, False):
        d = decompose(s, chained=chained)
        change = d.end - d.start
        assert np.all(np.isfinite(d.cells))
        np.testing.assert_allclose(d.additive.sum(axis=1), change, rtol=1e-9, atol=1e-6 * (1 + d.start.max()))


@settings(max_examples=150, deadline=None)
@given(kaya_series())
def test_multiplicative_effects_multiply_to_ratio(s: KayaSeries):
    d = decompose(s)
    ok = (d.start > 0) & (d.end > 0)
    ratio = np.divide(d.end, d.start, out=np.ones_like(d.end), where=ok)
    np.testing.assert_allclose(d.multiplicative.prod(axis=1)[ok], ratio[ok], rtol=1e-8)
