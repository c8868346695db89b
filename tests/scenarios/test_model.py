"""The model against a projection computed by hand (toy.py: 2 sectors x 3 fuels, 2020-2023)."""

import numpy as np
import pytest

from carbonpeak.scenarios.drivers import Dist, uncertain_keys
from carbonpeak.scenarios.model import Addition, base_year_from_inventory, project
from carbonpeak.scenarios.montecarlo import latent, simulate

from . import toy


def _drivers() -> list:
    return [
        toy.rate("gdp_growth", Dist("normal", mean=0.05, sd=0.01)),
        toy.rate("population_growth", Dist("triangular", low=0.0, mode=0.01, high=0.02)),
        toy.rate("sectors.industry.intensity_change", Dist("uniform", low=-0.04, high=-0.02)),
        toy.rate("sectors.industry.fuel_shift.electricity", toy.point(0.10)),
        toy.rate("power.coal.generation_change", toy.point(-0.2)),
        toy.rate(
            "power.grid_factor_change",
            Dist("lognormal", median=0.1, sigma=0.3),
            toy.point(-0.1),
            periods=((2021, 2021), (2022, 2023)),
        ),
        toy.level(
            "power.pv.capacity",
            {2020: toy.point(0.01), 2023: Dist("triangular", low=0.03, mode=0.04, high=0.05)},
        ),
        toy.level("power.pv.capacity_factor", {2020: toy.point(0.1)}),
        toy.level("power.curtailment", {2020: toy.point(0.1)}),
        toy.level("power.storage.capacity", {2020: toy.point(0.0), 2023: toy.point(0.006)}),
    ]


def _hand_2022() -> dict[str, float]:
    """2022 by hand: two years of growth; the grid factor rises 10% in 2021 (lognormal median), falls 10%."""
    gdp_idx = 1.05 * 1.05
    pop_idx = 1.01 * 1.01
    e_ind = 112.29 * gdp_idx * 0.97 * 0.97
    w_coal, w_el = 100.0, 12.29 * 1.1 * 1.1
    coal_ind = e_ind * w_coal / (w_coal + w_el)
    el_ind = e_ind * w_el / (w_coal + w_el)
    e_hh = 22.29 * pop_idx
    el_hh, ren_hh = e_hh * 12.29 / 22.29, e_hh * 10.0 / 22.29
    storage = 0.004  # MW, 2/3 of the way to 0.006
    demand = (el_ind + el_hh) / 0.1229 + storage * 2 * 100 * (1 - 0.9)
    pv_cap = 0.03
    curtail = 0.1 * (1 - storage / (0.5 * pv_cap))
    gen_pv = pv_cap * 0.1 * 8760 * (1 - curtail)
    gen_pv0 = 0.01 * 0.1 * 8760 * (1 - 0.1)
    gap = 150.0 - (200.0 - 50.0 - gen_pv0)
    coal_gen = 50.0 * 0.8 * 0.8
    imports = demand - gen_pv - coal_gen + gap
    grid_idx = 1.1 * 0.9
    co2 = coal_ind * 2.0 + coal_gen * 0.3 * 2.0 + imports * 0.5 * grid_idx + 20.0
    energy = coal_ind + coal_gen * 0.3 + ren_hh + (gen_pv + imports) * 0.3
    non_fossil = ren_hh + (gen_pv + imports * (1 - 0.8 * grid_idx)) * 0.3
    return {
        "co2": co2,
        "energy": energy,
        "nfs": non_fossil / energy,
        "gdp": 1_000_000.0 * gdp_idx,
        "coal_share": (coal_ind + coal_gen * 0.3) / energy,
    }


def test_collapsed_distributions_give_the_hand_computed_projection():
    sc = toy.scenario([d.collapsed() for d in _drivers()])
    assert uncertain_keys(sc.drivers) == []
    tr = project(sc, np.zeros((3, 0)), [])
    hand = _hand_2022()
    col = 2
    assert tr.co2[col] == pytest.approx(hand["co2"], rel=1e-12)
    assert tr.energy[col] == pytest.approx(hand["energy"], rel=1e-12)
    assert tr.non_fossil_share[col] == pytest.approx(hand["nfs"], rel=1e-12)
    assert tr.gdp[col] == pytest.approx(hand["gdp"], rel=1e-12)
    assert tr.fuel_share["coal"][col] == pytest.approx(hand["coal_share"], rel=1e-12)


def test_uncertain_drivers_at_their_median_score_equal_the_collapsed_run():
    sc = toy.scenario(_drivers())
    keys = uncertain_keys(sc.drivers)
    tr = project(sc, np.zeros((4, len(keys))), keys)
    assert tr.co2[2] == pytest.approx(_hand_2022()["co2"], rel=1e-12)


def test_base_year_reproduces_the_inventory_totals():
    sc = toy.scenario(_drivers())
    keys = uncertain_keys(sc.drivers)
    tr = project(sc, latent(sc, np.random.default_rng(0), 50, keys), keys)
    # 2020: industry coal 100 x 2 + local coal 50 MWh x 0.3 x 2 + net imports 150 MWh x 0.5 + process 20
    assert np.allclose(tr.co2[0], 200 + 30 + 75 + 20)
    # PV 0.01 MW x 0.1 x 8760 h x (1 - 0.1 curtailment) = 7.884 MWh
    assert np.allclose(tr.energy[0], 100 + 15 + 10 + (7.884 + 150) * 0.3)


def test_sector_co2_with_allocated_electricity_sums_to_the_total():
    sc = toy.scenario(_drivers())
    keys = uncertain_keys(sc.drivers)
    coll = simulate(sc, latent(sc, np.random.default_rng(1), 40, keys), keys, chunk=7)
    assert np.allclose(coll.co2_by_sector_mean.sum(axis=1), coll.co2.mean(axis=1))


def test_an_added_coal_project_adds_its_emissions_from_its_start_year():
    sc = toy.scenario([d.collapsed() for d in _drivers()])
    before = project(sc, np.zeros((1, 0)), [])
    after = project(sc, np.zeros((1, 0)), [], additions=[Addition("plant", 2022, {"coal": 10.0}, 5.0, 100.0)])
    assert np.allclose((after.co2 - before.co2)[:, 0], [0, 0, 25.0, 25.0])
    assert np.allclose((after.gdp - before.gdp)[:, 0], [0, 0, 100.0, 100.0])


def test_base_year_from_inventory_takes_the_energy_table_and_rejects_unknown_codes():
    template = toy.base()
    rows = [
        {"year": 2021, "sector": "industry", "fuel": "coal", "energy_tce": 90.0},
        {"year": 2021, "sector": "households", "fuel": "electricity", "energy_tce": 5.0},
        {"year": 2020, "sector": "industry", "fuel": "coal", "energy_tce": 1e9},
    ]
    b = base_year_from_inventory(rows, year=2021, template=template, gdp=2.0)
    assert b.year == 2021 and b.gdp == 2.0
    assert b.energy.tolist() == [[90.0, 0.0, 0.0], [0.0, 5.0, 0.0]]
    with pytest.raises(KeyError, match="steel"):
        base_year_from_inventory(
            [{"sector": "steel", "fuel": "coal", "energy_tce": 1}], year=2021, template=template
        )
