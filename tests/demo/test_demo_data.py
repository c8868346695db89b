"""The demo data set: reproducible from its model, valid as an upload, sourced, and consistent."""

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from carbonpeak.accounting.balance import parse_csv, read_balance
from carbonpeak.demo import build, samples
from carbonpeak.plan.load import load_plan

DATA = Path(build.__file__).with_name("data")


def _csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_shipped_balance_is_exactly_what_the_model_builds():
    assert _csv("energy-balance.csv") == build.build_balance_rows()


def test_shipped_raw_material_energy_is_what_its_method_gives_on_the_shipped_balance():
    rows = _csv("assessment.csv")
    assert rows == build.build_assessment_rows(_csv("energy-balance.csv"))
    assert {(r["flag"], r["method"]) for r in rows} == {("estimated", build.RAW_MATERIAL_METHOD)}
    # by hand: 40 % of S22's coal, oil products and gas of 2020 in the shipped balance, in 万tce
    fuels = set(build.assumptions()["raw_material"]["fuels"])
    s22 = [r for r in _csv("energy-balance.csv") if (r["year"], r["sector"]) == ("2020", "S22")]
    tce = sum(build.tce_of(float(r["quantity"]), r["unit"], r["fuel"]) for r in s22 if r["fuel"] in fuels)
    assert {r["fuel"] for r in s22} & fuels == {"raw_coal", "natural_gas"}
    assert float(rows[0]["value"]) == pytest.approx(0.4 * tce / 1e4, abs=0.05)


def test_balance_passes_the_inventory_validation_and_is_flagged_estimated():
    text = (DATA / "energy-balance.csv").read_text(encoding="utf-8")
    balance = read_balance(parse_csv(text))
    assert balance.years == tuple(range(2005, 2025))
    rows = _csv("energy-balance.csv")
    assert {r["flag"] for r in rows} == {"estimated"}
    assert {r["method"] for r in rows} == {build.METHOD}


def test_every_published_row_names_its_source_and_check_state():
    for row in _csv("published.csv"):
        assert row["flag"] == "published"
        assert row["check"] in {"checked", "unchecked"}
        assert len(row["source"]) > 10


def test_comparable_series_keeps_published_values_from_2019_and_links_before():
    obs = {(o.indicator, o.year): o for o in build.comparable_observations()}
    assert obs[("gdp", 2020)].value == pytest.approx(10140.91)
    assert obs[("gdp", 2020)].flag == "published"
    assert obs[("population", 2022)].value == pytest.approx(941.5)
    # before 2019: estimated, and the link makes 2018→2019 nominal growth = real growth + 1.5 % price
    assert obs[("gdp", 2018)].flag == "estimated"
    ratio = obs[("gdp", 2019)].value / obs[("gdp", 2018)].value
    assert ratio == pytest.approx(1.07 * 1.015, rel=1e-3)
    # the old city's growth pattern is kept: 2016/2015 current-price ratio unchanged by the link
    old = {
        int(r["year"]): float(r["value"])
        for r in _csv("published.csv")
        if r["indicator"] == "gdp" and r["region"] == "jinan"
    }
    assert obs[("gdp", 2016)].value / obs[("gdp", 2015)].value == pytest.approx(
        old[2016] / old[2015], rel=1e-3
    )


def test_gdp_index_reproduces_the_published_real_growth_rates():
    index = build.gdp_index()
    growth = {
        int(r["year"]): float(r["value"]) for r in _csv("published.csv") if r["indicator"] == "gdp_growth"
    }
    for year in range(2006, 2025):
        assert (index[year] / index[year - 1] - 1) * 100 == pytest.approx(growth[year], abs=1e-9)
    assert index[2020] == 1.0


def test_districts_sum_to_the_city():
    rows = _csv("districts.csv")
    sums: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        sums[(r["indicator"], r["year"])] += float(r["value"])
    assert sums[("gdp", "2023")] == pytest.approx(12757.4, abs=0.05)
    assert sums[("population", "2023")] == pytest.approx(943.7, abs=0.005)


def test_samples_are_flagged_and_refer_to_the_plan():
    plan = load_plan()
    tasks = {t.code for t in plan.measures()}  # tasks, guarantees, organisation items
    projects = {p.code for p in plan.key_projects}
    progress = _csv("task-progress.csv")
    status = _csv("project-status.csv")
    assert (
        {r["flag"] for r in progress}
        == {"sample"}
        == {r["flag"] for r in status}
        == {r["flag"] for r in _csv("indicators.csv")}
    )
    assert {r["task"] for r in progress} == tasks
    assert {r["project"] for r in status} == projects
    assert progress == samples.task_progress_rows(plan)
    assert status == samples.project_status_rows(plan)
