"""Bad scenario and project files: an InputError naming every fault by its path in the file."""

from pathlib import Path

import pytest
import yaml

from carbonpeak.errors import InputError
from carbonpeak.scenarios.history import InventoryHistory
from carbonpeak.scenarios.load import DATA_DIR, load_projects, load_scenario

from .shipped import history, shipped


def _write(tmp_path: Path, name: str, data: dict) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _baseline() -> dict:
    return yaml.safe_load((DATA_DIR / "baseline.yaml").read_text(encoding="utf-8"))


def _locations(exc: pytest.ExceptionInfo[InputError]) -> set[str]:
    return {p.location for p in exc.value.problems}


def test_schema_faults_are_all_reported_with_their_paths(tmp_path):
    data = _baseline()
    data["drivers"]["population_growth"].pop("assumption")
    data["drivers"]["gdp_growth"].pop("assumption")  # masked inside pydantic by the bad period below
    data["drivers"]["gdp_growth"]["periods"]["2021-2025"] = {"dist": "normal", "mean": 0.05}
    data["drivers"]["sectors.steel.intensity_change"]["periods"] = {
        "2021-2060": {"dist": "triangular", "low": 1, "mode": 0, "high": 2}
    }
    data["base"]["electricity"]["grid_non_fossil_share"].pop("assumption")
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, "bad", data), inventory=history())
    locs = _locations(exc)
    assert "drivers.population_growth" in locs
    assert "drivers.gdp_growth" in locs
    assert any(loc.startswith("drivers.gdp_growth.periods.2021-2025") for loc in locs)
    assert any(loc.startswith("drivers.sectors.steel.intensity_change.periods.2021-2060") for loc in locs)
    assert "base.electricity.grid_non_fossil_share" in locs
    assert all(p.message_zh and p.message_en for p in exc.value.problems)


def test_rule_faults_are_all_reported_with_their_paths(tmp_path):
    data = _baseline()
    data["drivers"]["sectors.steel.magic"] = {"unit": "1", "assumption": "x", "periods": {"2021-2060": 0.1}}
    data["drivers"]["gdp_growth"]["periods"].pop("2026-2030")
    data["drivers"]["power.pv.capacity"] = {"unit": "MW", "assumption": "x", "periods": {"2021-2060": 0.1}}
    data["targets"][4]["fuel"] = "hydrogen"
    data["correlations"].append({"between": ["gdp_growth", "not_a_driver"], "rho": 0.2, "assumption": "x"})
    data["base"]["electricity"]["local_fossil"]["renewables"] = {}
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, "bad", data), inventory=history())
    rules = {(p.location, p.rule) for p in exc.value.problems}
    assert ("drivers.sectors.steel.magic", "scenario.driver_known") in rules
    assert ("drivers.gdp_growth.periods", "scenario.period_cover") in rules
    assert ("drivers.power.pv.capacity", "scenario.driver_kind") in rules
    assert ("targets[4].fuel", "scenario.fuel_known") in rules
    assert ("correlations[1].between[1]", "scenario.driver_known") in rules
    assert ("base.electricity.local_fossil.renewables", "scenario.fuel_known") in rules


def test_programmes_need_known_drivers_each_owned_once(tmp_path):
    (tmp_path / "baseline.yaml").write_text(
        (DATA_DIR / "baseline.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    data = {
        "scenario": {"name": "p", "extends": "baseline", "counterfactual": "baseline"},
        "programmes": [
            {"id": "a", "name_zh": "甲", "name_en": "A", "drivers": ["gdp_growth", "nope"]},
            {"id": "b", "name_zh": "乙", "name_en": "B", "drivers": ["gdp_growth"]},
        ],
    }
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, "p", data), inventory=history())
    rules = {(p.location, p.rule) for p in exc.value.problems}
    assert rules == {
        ("programmes[0].drivers[1]", "scenario.driver_known"),
        ("programmes[1].drivers[0]", "scenario.lever_once"),
    }


def test_a_missing_parent_or_unreadable_yaml_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, "orphan", {"scenario": {"name": "o", "extends": "nowhere"}}))
    assert _locations(exc) == {"scenario.extends"}
    bad = tmp_path / "broken.yaml"
    bad.write_text("scenario: [unclosed", encoding="utf-8")
    with pytest.raises(InputError):
        load_scenario(bad)


def test_from_inventory_needs_an_inventory_holding_the_base_and_history_years(tmp_path):
    path = _write(tmp_path, "inv", _baseline())
    with pytest.raises(InputError) as exc:
        load_scenario(path)
    assert _locations(exc) == {"base.from_inventory"}
    full = history()
    sc = load_scenario(path, inventory=full)
    assert sc.base.year == 2024 and [b.year for b in sc.history] == [2021, 2022, 2023]
    short = InventoryHistory({y: r for y, r in full.records.items() if y != 2022}, "x")
    with pytest.raises(InputError) as exc:
        load_scenario(path, inventory=short)
    assert {(p.location, p.rule) for p in exc.value.problems} == {
        ("base.from_inventory", "scenario.inventory_year")
    }


def test_a_base_without_inventory_must_state_every_number(tmp_path):
    data = _baseline()
    data["base"]["year"] = data["base"].pop("from_inventory")
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, "noinv", data))
    (problem,) = exc.value.problems
    assert (
        problem.location == "base" and "population" in problem.message_en and "energy" in problem.message_en
    )


def test_an_unmapped_inventory_sector_is_named(tmp_path):
    data = _baseline()
    data["base"]["inventory_sectors"]["other_industry"]["codes"].remove("S39")
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, "unmapped", data), inventory=history())
    (problem,) = exc.value.problems
    assert problem.location == "base.inventory_sectors" and "S39" in problem.message_en


def test_project_files_are_checked_and_converted(tmp_path):
    plan = shipped("plan")
    good = _write(
        tmp_path,
        "proj",
        {
            "projects": [
                {
                    "name": "new plant",
                    "start_year": 2026,
                    "sector": "chemicals",
                    "source": "节能审查 application",
                    "energy": {
                        "coal": {"value": 30, "unit": "万tce", "source": "x"},
                        "electricity": {"value": 5, "unit": "亿kWh", "source": "x"},
                    },
                }
            ]
        },
    )
    (add,) = load_projects(good, plan)
    assert add.energy["coal"] == 300_000
    assert add.energy["electricity"] == pytest.approx(500_000 * 0.1229)
    bad = _write(
        tmp_path,
        "bad",
        {
            "projects": [
                {
                    "name": "x",
                    "start_year": 1999,
                    "sector": "mining",
                    "assumption": "y",
                    "energy": {"plutonium": {"value": 1, "unit": "tce", "source": "x"}},
                }
            ]
        },
    )
    with pytest.raises(InputError) as exc:
        load_projects(bad, plan)
    assert _locations(exc) == {"projects[0].energy.plutonium", "projects[0].sector", "projects[0].start_year"}


def test_a_reference_year_before_the_data_set_is_named(tmp_path):
    data = _baseline()
    data["targets"][3]["reference_year"] = 1990
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, "ref", data), inventory=history())
    assert {(p.location, p.rule) for p in exc.value.problems} == {
        ("targets[3].reference_year", "scenario.reference_year")
    }


def test_a_horizon_that_does_not_reach_past_peak_by_and_its_plateau_is_refused(tmp_path):
    data = _baseline()
    data["scenario"]["horizon"] = 2030  # peak.by 2030 needs 2030 + 5 plateau years
    data["targets"] = [t for t in data["targets"] if t["year"] <= 2030]
    with pytest.raises(InputError) as exc:
        load_scenario(_write(tmp_path, "short", data), inventory=history())
    (problem,) = [p for p in exc.value.problems if p.rule == "scenario.peak_horizon"]
    assert problem.location == "scenario.horizon" and problem.value == "2030"
    assert "2035" in problem.message_en and "2035" in problem.message_zh
    data["scenario"]["horizon"] = 2035  # exactly by + plateau_years: accepted
    assert load_scenario(_write(tmp_path, "enough", data), inventory=history()).horizon == 2035
