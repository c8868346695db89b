import numpy as np
import pytest

from carbonpeak.scenarios.load import shipped_scenarios
from carbonpeak.scenarios.montecarlo import latent, quantiles, run, simulate, uncertain

from .shipped import shipped


@pytest.fixture(scope="module")
def plan():
    return shipped("plan")


def test_the_same_seed_gives_identical_results_and_another_seed_does_not(plan):
    _, a = run(plan, draws=300, seed=7)
    _, b = run(plan, draws=300, seed=7)
    _, c = run(plan, draws=300, seed=8)
    assert a == b
    assert a["bands"]["co2"]["p50"] != c["bands"]["co2"]["p50"]
    assert a["seed"] == 7 and a["scenario_hash"] == plan.source_hash and len(a["scenario_hash"]) == 64


def test_results_do_not_depend_on_the_chunk_size(plan):
    keys = uncertain(plan)
    z = latent(plan, np.random.default_rng(2), 257, keys)
    a = simulate(plan, z, keys, chunk=1000)
    b = simulate(plan, z, keys, chunk=10)
    assert np.array_equal(a.co2, b.co2)
    assert np.allclose(a.co2_by_sector_mean, b.co2_by_sector_mean)


def test_results_do_not_depend_on_the_number_of_threads(plan):
    keys = uncertain(plan)
    z = latent(plan, np.random.default_rng(3), 301, keys)
    one = simulate(plan, z, keys, chunk=20, workers=1)
    for workers in (2, 3):
        many = simulate(plan, z, keys, chunk=20, workers=workers)
        assert np.array_equal(one.co2, many.co2)
        assert np.array_equal(one.co2_by_sector_mean, many.co2_by_sector_mean)  # summed in chunk order


def test_summary_has_the_promised_keys_and_ordered_bands(plan):
    _, r = run(plan, draws=400, seed=1)
    for key in ("p_peak_by_2030", "peak_year", "peak_value", "bands", "target_probabilities"):
        assert key in r
    assert 0.0 <= r["p_peak_by_2030"] <= 1.0
    assert sum(r["peak_year"]["distribution"].values()) == pytest.approx(1.0)
    co2 = r["bands"]["co2"]
    for i in range(len(r["bands"]["years"])):
        assert co2["p5"][i] <= co2["p25"][i] <= co2["p50"][i] <= co2["p75"][i] <= co2["p95"][i]
    assert {t["id"] for t in r["target_probabilities"]} >= {
        "non_fossil_share_2030",
        "co2_intensity_2030",
        "gas_share_2030",
        "energy_intensity_2025",
    }


def test_quantiles_equal_numpy_percentile():
    a = np.random.default_rng(0).random((4, 101))
    assert np.allclose(quantiles(a), np.percentile(a, (5, 25, 50, 75, 95), axis=1))


def test_shipped_scenarios_load_and_every_driver_states_its_source():
    assert shipped_scenarios() == ["baseline", "enhanced", "plan"]
    for name in shipped_scenarios():
        sc = shipped(name)
        assert sc.base.year == 2024 and sc.horizon == 2060
        assert all(d.source.strip() for d in sc.drivers.values())


def test_the_plan_scenario_carries_the_plans_numbers(plan):
    pv = plan.drivers["power.pv.capacity"]
    at_2030 = dict(zip([c[0] for c in pv.columns], pv.dists, strict=True))[2030]
    assert at_2030.mode == 5000  # 500万千瓦, the most likely value of a triangular distribution
    assert plan.drivers["power.storage.capacity"].dists[1].value == 1500
    targets = {t.id: t for t in plan.targets}
    assert targets["non_fossil_share_2025"].threshold == 0.07
    assert targets["non_fossil_share_2030"].threshold == 0.12
    assert targets["energy_intensity_2025"].threshold == -0.148
    assert targets["co2_intensity_2030"].threshold == -0.68
    assert targets["gas_share_2030"].threshold == 0.10


def test_the_scenarios_are_ordered_baseline_plan_enhanced():
    p = {name: run(shipped(name), draws=400, seed=3)[1]["p_peak_by_2030"] for name in shipped_scenarios()}
    assert p["baseline"] < p["plan"] <= p["enhanced"]


def test_progress_is_reported_after_every_chunk(plan):
    keys = uncertain(plan)
    seen: list[int] = []
    simulate(plan, latent(plan, np.random.default_rng(0), 25, keys), keys, chunk=10, progress=seen.append)
    assert seen == [10, 20, 25]


def test_the_shipped_example_project_raises_the_plan_peak():
    from carbonpeak.scenarios.impact import project_impact
    from carbonpeak.scenarios.load import DATA_DIR, load_projects

    plan = shipped("plan")
    adds = load_projects(DATA_DIR / "projects" / "example-chemicals-plant.yaml", plan)
    out = project_impact(plan, adds, draws=300, seed=1)
    # 50万tce coal x 2.7725 + 10万tce gas x 1.6442 + 20万t process ≈ 1.75 Mt, plus imported electricity
    assert 1.7 < out["delta"]["peak_value_median"] < 2.6
    assert out["delta"]["peak_year_mean"] > 0


def test_a_path_rising_at_its_horizon_counts_as_not_peaked_in_the_odds():
    from carbonpeak.scenarios.drivers import Dist

    from . import toy

    # GDP +5 %/yr, intensity −1 %/yr: CO2 rises every year to a 2030 horizon, the peak.by year
    drivers = [
        toy.rate("gdp_growth", Dist("point", value=0.05), periods=((2021, 2030),)),
        toy.rate("sectors.industry.intensity_change", Dist("point", value=-0.01), periods=((2021, 2030),)),
    ]
    sc = toy.scenario(drivers, horizon=2030, peak_by=2030)
    _, r = run(sc, draws=20, seed=0)
    assert r["peak_year"]["p_not_peaked_by_horizon"] == 1.0
    assert r["p_peak_by"]["probability"] == 0.0 and r["p_peak_by_2030"] == 0.0


def _percentiles_of(a, chunk, **kw):
    from carbonpeak.scenarios.montecarlo import _Percentiles

    acc = _Percentiles(a.shape[1], a.shape[0], **kw)
    for i in range(0, a.shape[1], chunk):
        acc.add(a[:, i : i + chunk])
    return acc.result(lambda: (a[:, i : i + chunk] for i in range(0, a.shape[1], chunk)))


@pytest.mark.parametrize(
    ("hold", "keep", "margin"),
    [
        (10_000, 10**6, 6.0),  # everything held: partition
        (300, 10**6, 6.0),  # streamed in brackets that never narrow
        (300, 2_000, 6.0),  # brackets narrowed as the columns come
        (300, 2_000, 0.0),  # brackets too narrow: most miss and their rows are replayed
        (50, 40, 1.0),  # brackets dropped for piling up, replayed
    ],
)
def test_streamed_percentiles_are_the_exact_percentiles_to_the_last_bit(hold, keep, margin):
    rng = np.random.default_rng(4)
    a = np.vstack(
        [
            rng.normal(size=(3, 5_000)),
            np.full((1, 5_000), 0.1),  # one value in every draw
            rng.integers(0, 4, size=(1, 5_000)).astype(float),  # piled on four values
            np.where(rng.random(5_000) < 0.3, 0.0, rng.lognormal(size=5_000))[None, :],  # 30 % at 0
        ]
    )
    want = quantiles(a)
    for chunk in (1, 333, 5_000):
        if chunk == 1 and hold > 300:
            continue
        got = _percentiles_of(a, chunk, hold=hold, keep=keep, margin=margin)
        assert np.array_equal(got, want), (chunk, hold, keep, margin)
    assert np.allclose(want, np.percentile(a, (5, 25, 50, 75, 95), axis=1))


def test_run_summary_is_runs_summary_whatever_the_memory_bounds_and_threads(plan):
    from carbonpeak.scenarios.montecarlo import run_summary

    _, want = run(plan, draws=2_500, seed=11, chunk=400)
    assert run_summary(plan, draws=2_500, seed=11, chunk=400) == want
    for hold, keep, margin, workers in ((100_000, 50_000, 6.0, 1), (8_000, 30_000, 0.5, 2)):
        got = run_summary(
            plan, draws=2_500, seed=11, chunk=400, workers=workers, hold_bytes=hold, keep=keep, margin=margin
        )
        assert got == want
