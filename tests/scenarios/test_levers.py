"""Strengthening a lever never lowers the probability of peaking by 2030."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak.scenarios.drivers import Dist, uncertain_keys
from carbonpeak.scenarios.model import Scenario
from carbonpeak.scenarios.montecarlo import latent, peak_stats, simulate

from . import toy
from .shipped import shipped


def _p(sc: Scenario, z: np.ndarray) -> float:
    keys = uncertain_keys(sc.drivers)
    return float(peak_stats(sc, simulate(sc, z, keys))[2].mean())


@settings(max_examples=40, deadline=None)
@given(
    growth=st.floats(-0.02, 0.08),
    intensity=st.floats(-0.08, 0.02),
    sd=st.floats(0.0, 0.03),
    stronger=st.floats(0.0, 0.05),
    tol=st.sampled_from([0.0, 0.01]),
)
def test_a_stronger_intensity_lever_never_lowers_p_peak(growth, intensity, sd, stronger, tol):
    # one fossil sector and nothing else: the lever scales emissions by a non-increasing factor
    base = toy.base(
        energy=np.array([[100.0, 0.0, 0.0], [0.0, 0.0, 0.0]]),
        electricity_imported_mwh=0.0,
        local_fossil=(),
        non_fossil_techs=(),
        process_emissions=0.0,
    )

    def scen(i: float) -> Scenario:
        drivers = [
            toy.rate("gdp_growth", Dist("normal", mean=growth, sd=0.02), periods=((2021, 2040),)),
            toy.rate(
                "sectors.industry.intensity_change", Dist("normal", mean=i, sd=sd), periods=((2021, 2040),)
            ),
        ]
        return toy.scenario(drivers, base=base, horizon=2040, tolerance=tol)

    weak, strong = scen(intensity), scen(intensity - stronger)
    z = latent(weak, np.random.default_rng(0), 200, uncertain_keys(weak.drivers))
    assert _p(strong, z) >= _p(weak, z)


def test_strengthening_plan_levers_does_not_lower_p_peak():
    plan = shipped("plan")
    keys = uncertain_keys(plan.drivers)
    z = latent(plan, np.random.default_rng(11), 1000, keys)
    p0 = _p(plan, z)
    for key in ("sectors.steel.intensity_change", "sectors.other_industry.intensity_change"):
        d = plan.drivers[key]
        stronger = type(d)(
            d.key, d.kind, d.columns, tuple(Dist("normal", mean=x.mean - 0.01, sd=x.sd) for x in d.dists)
        )
        p1 = _p(Scenario(**{**plan.__dict__, "drivers": {**plan.drivers, key: stronger}}), z)
        assert p1 >= p0, key
