"""The shipped scenarios start from the data set's inventory: base year, history and references."""

import json

import numpy as np
import pytest
import yaml

from carbonpeak.demo.build import comparable_observations
from carbonpeak.scenarios.history import series_at
from carbonpeak.scenarios.load import DATA_DIR, shipped_scenarios
from carbonpeak.scenarios.model import project
from carbonpeak.scenarios.montecarlo import run
from carbonpeak.services.dataset import DataSetFiles
from carbonpeak.services.inventory import inventory_from_file
from carbonpeak.services.projection import _PEAK_RUNS, peak_probabilities

from .shipped import shipped


@pytest.fixture(scope="module")
def totals() -> dict[int, dict]:
    # computed through the inventory service, independently of the projection's adapter
    return {t["year"]: t for t in inventory_from_file(DataSetFiles.of().balance)["totals"]}


@pytest.mark.parametrize("name", ["baseline", "plan", "enhanced"])
def test_the_base_and_history_years_equal_the_inventory_totals(name, totals):
    sc = shipped(name)
    assert sc.base.year == max(totals) == 2024
    for base in (*sc.history, sc.base):
        v = series_at(base)
        inv = totals[base.year]
        assert v.co2 == pytest.approx(inv["total_t"], rel=1e-9)
        assert v.energy == pytest.approx(inv["energy_tce_coal_equivalent"], rel=1e-9)
        assert v.fuel_share["gas"] == pytest.approx(inv["share_gas"], rel=1e-9)
        assert v.co2_by_sector.sum() == pytest.approx(inv["total_t"], rel=1e-9)


def test_the_trajectory_is_the_inventorys_to_2024_and_the_projection_continues_after(totals):
    sc = shipped("plan")
    coll, summary = run(sc, draws=50, seed=2)
    assert summary["first_projected_year"] == 2025 and summary["history_years"] == [2021, 2022, 2023, 2024]
    assert [int(y) for y in coll.years[:5]] == [2021, 2022, 2023, 2024, 2025]
    for i, year in enumerate(range(2021, 2025)):
        assert np.allclose(coll.co2[i], totals[year]["total_t"], rtol=1e-9, atol=0)  # every draw
    assert np.ptp(coll.co2[4]) > 0  # 2025 is projected: draws differ
    # with every driver at zero the first projected year repeats the inventory's last year exactly
    flat = project(sc, np.zeros((1, 0)), [], drivers={})
    assert flat.co2[1, 0] == pytest.approx(totals[2024]["total_t"], rel=1e-12)
    assert flat.energy[1, 0] == pytest.approx(totals[2024]["energy_tce_coal_equivalent"], rel=1e-9)


def test_population_gdp_and_the_2005_reference_come_from_the_data_set(totals):
    sc = shipped("plan")
    obs = {(o.indicator, o.year): o.value for o in comparable_observations()}
    assert sc.base.population == pytest.approx(obs[("population", 2024)] * 1e4)
    assert sc.base.gdp == pytest.approx(obs[("gdp", 2024)] * 1e4)  # 万元 at 2024 prices
    gdp_2005 = obs[("gdp", 2024)] * 1e4 * obs[("gdp_index_2020", 2005)] / obs[("gdp_index_2020", 2024)]
    ref = {t.id: t for t in sc.targets}["co2_intensity_2030"]
    assert ref.reference_year == 2005
    assert ref.reference_value == pytest.approx(totals[2005]["total_t"] / gdp_2005, rel=1e-9)


@pytest.mark.parametrize("path", sorted(DATA_DIR.glob("*.yaml")), ids=lambda p: p.stem)
def test_scenario_files_carry_no_sample_base(path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = data.get("base")
    if base is None:  # extends a sibling that holds the base block
        assert data["scenario"]["extends"] in shipped_scenarios()
        return
    assert base.get("flag", "") != "sample" and "from_inventory" in base
    invented = {"year", "population", "gdp", "energy", "process_emissions"} & set(base)
    assert not invented
    el = base["electricity"]
    assert not {"imported", "grid_factor", "equivalent_coal_rate"} & set(el)
    assert all("generation" not in lf for lf in el["local_fossil"].values())
    assert "illustrative" not in yaml.safe_dump(base, allow_unicode=True)
    assert shipped(path.stem).base_flag == "estimated"


def test_peak_probabilities_are_deterministic_for_a_seed_and_reuse_a_stored_projection(tmp_path):
    from carbonpeak.services.plan import current_plan

    plan = current_plan()
    _PEAK_RUNS.clear()
    a = peak_probabilities(plan, "plan", draws=300, seed=4)
    _PEAK_RUNS.clear()
    b = peak_probabilities(plan, "plan", draws=300, seed=4)
    assert a == b and set(a) == {"co2_peak_2030"}
    _, direct = run(shipped("plan"), draws=300, seed=4)
    assert a["co2_peak_2030"] == pytest.approx(direct["p_peak_by_2030"], abs=1e-12)
    stored = peak_probabilities(plan, "plan", draws=300, seed=4, data_dir=tmp_path)
    (file,) = (tmp_path / "projections").glob("plan-*-seed4-n300.json")
    assert stored == a
    # a projection already stored is reused: doctor it and see the doctored figure come back
    data = json.loads(file.read_text(encoding="utf-8"))
    data["p_peak_by"]["probability"] = 0.125
    file.write_text(json.dumps(data), encoding="utf-8")
    assert peak_probabilities(plan, "plan", draws=300, seed=4, data_dir=tmp_path) == {"co2_peak_2030": 0.125}
