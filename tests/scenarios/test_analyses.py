"""Sensitivity (tornado, Sobol), programme wedges and project impact."""

import numpy as np
import pytest

from carbonpeak.scenarios.drivers import Dist
from carbonpeak.scenarios.impact import project_impact
from carbonpeak.scenarios.model import Addition, Programme, Scenario
from carbonpeak.scenarios.sensitivity import sobol, sobol_indices, tornado
from carbonpeak.scenarios.wedges import wedges

from . import toy


def _linear_parts(f, n=20_000, k=3, seed=0):
    rng = np.random.default_rng(seed)
    a, b = rng.standard_normal((n, k)), rng.standard_normal((n, k))
    ab = []
    for i in range(k):
        m = a.copy()
        m[:, i] = b[:, i]
        ab.append(f(m))
    return f(a), f(b), np.array(ab)


def test_sobol_estimators_recover_analytic_indices():
    # y = 3 x1 + x2 (+ 100 offset): S = ST = (0.9, 0.1, 0)
    first, total = sobol_indices(*_linear_parts(lambda x: 100 + 3 * x[:, 0] + x[:, 1]))
    assert first == pytest.approx([0.9, 0.1, 0.0], abs=0.03)
    assert total == pytest.approx([0.9, 0.1, 0.0], abs=0.03)
    # y = x1 x2: no first-order effect, all of it interaction
    first, total = sobol_indices(*_linear_parts(lambda x: x[:, 0] * x[:, 1]))
    assert first == pytest.approx([0.0, 0.0, 0.0], abs=0.05)
    assert total == pytest.approx([1.0, 1.0, 0.0], abs=0.05)


def _rising_toy(**kw):
    drivers = [
        toy.rate("gdp_growth", Dist("normal", mean=0.03, sd=0.02), periods=((2021, 2040),)),
        toy.rate(
            "sectors.industry.intensity_change", Dist("normal", mean=-0.03, sd=0.002), periods=((2021, 2040),)
        ),
    ]
    sc = toy.scenario(drivers, horizon=2040, peak_by=2030, tolerance=0.0)
    return Scenario(**{**sc.__dict__, **kw})


def test_tornado_and_sobol_rank_the_driver_that_moves_the_peak_first():
    sc = _rising_toy()
    rows = tornado(sc, draws=300, seed=1)
    assert [r["driver"] for r in rows] == ["gdp_growth", "sectors.industry.intensity_change"]
    g = rows[0]
    assert g["high"]["peak_value_median"] > g["low"]["peak_value_median"]
    assert g["high"]["p_peak"] <= g["low"]["p_peak"]
    s = {r["driver"]: r for r in sobol(sc, base_draws=512, seed=2)}
    assert (
        s["gdp_growth"]["peak_value"]["total"]
        > 5 * s["sectors.industry.intensity_change"]["peak_value"]["total"]
    )


def test_wedges_are_zero_for_a_programme_equal_to_the_counterfactual_and_positive_for_a_real_one():
    weak = _rising_toy()
    strong_drivers = dict(weak.drivers)
    strong_drivers["sectors.industry.intensity_change"] = toy.rate(
        "sectors.industry.intensity_change", Dist("normal", mean=-0.06, sd=0.002), periods=((2021, 2040),)
    )
    sc = _rising_toy(
        drivers=strong_drivers,
        counterfactual=weak.drivers,
        programmes=(
            Programme("same", "同", "same", ("gdp_growth",)),
            Programme("eff", "效", "efficiency", ("sectors.industry.intensity_change",)),
        ),
    )
    rows = {r["programme"]: r for r in wedges(sc, draws=200, seed=4)}
    assert rows["same"]["wedge"] == [0.0] * 21 and rows["same"]["delta_p_peak"] == 0
    assert rows["eff"]["wedge"][0] == 0.0
    assert all(w > 0 for w in rows["eff"]["wedge"][1:])
    assert rows["eff"]["delta_p_peak"] >= 0
    assert rows["all"]["wedge"] == rows["eff"]["wedge"]


def test_a_coal_plant_raises_the_peak_and_never_raises_the_odds_of_peaking():
    # holds with tolerance 0 (a step added from a year on cannot move a peak earlier); see methods
    sc = _rising_toy()
    out = project_impact(
        sc, (Addition("plant", 2028, {"coal": 50.0}, 10.0, 0.0, "industry"),), draws=300, seed=5
    )
    assert out["delta"]["peak_value_median"] > 0
    assert out["delta"]["p_peak_by_2030"] <= 0
    assert out["before"]["p_peak_by_2030"] - out["after"]["p_peak_by_2030"] == pytest.approx(
        -out["delta"]["p_peak_by_2030"], abs=1e-6
    )
