"""The current data set (services/dataset.py): what it reproduces, what it derives, what it flags."""

from __future__ import annotations

import csv
import datetime as dt

import numpy as np
import pytest

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.demo import build
from carbonpeak.indicators.series import Observations, Series
from carbonpeak.plan.load import load_plan
from carbonpeak.services import dataset, decomposition
from carbonpeak.services.decomposition import decompose_emissions
from carbonpeak.services.indicators import track_targets
from carbonpeak.services.inventory import compute_inventory, read_balance_file

REGION = "jinan"


@pytest.fixture(scope="module")
def obs() -> Observations:
    return dataset.dataset_observations(REGION)


@pytest.fixture(scope="module")
def inventory() -> dict[int, dict[str, float]]:
    result = compute_inventory(read_balance_file(dataset.DataSetFiles.of().balance))
    return {int(t["year"]): t for t in result["totals"] if t["region"] == REGION}


def _series(obs: Observations, code: str) -> Series:
    s = obs.get(code, REGION)
    assert s is not None, code
    return s


def _published(indicator: str) -> dict[int, dict[str, str]]:
    with (build.DATA_DIR / "published.csv").open(encoding="utf-8") as f:
        return {
            int(r["year"]): r
            for r in csv.DictReader(f)
            if r["indicator"] == indicator and r["region"] == REGION and r["boundary"] == "current"
        }


@pytest.mark.parametrize(("code", "indicator"), [("gdp_current", "gdp"), ("population", "population")])
def test_published_totals_are_reproduced_exactly(obs, code, indicator):
    s = _series(obs, code)
    published = _published(indicator)
    assert published and set(published) <= set(s.years.tolist())
    for year, row in published.items():
        k = int(np.flatnonzero(s.years == year)[0])
        assert s.values[k] == float(row["value"])  # exactly, no rounding on the way
        assert s.flags[k] == "published" and s.sources[k].startswith(row["source"])
    # before 2019 the link factor joins the old boundary: estimated, never published
    assert {f for y, f in zip(s.years, s.flags, strict=True) if y < min(published)} == {"estimated"}


def test_gdp_index_follows_the_contract_and_the_demo_chain(obs):
    idx = _series(obs, "gdp_index")
    assert idx.unit == "上年=100"
    growth = _published("gdp_growth")
    for year, row in growth.items():
        assert idx.value(year) == pytest.approx(100.0 + float(row["value"]))
        assert idx.flags[int(np.flatnonzero(idx.years == year)[0])] == "published"
    assert idx.flags[0] == "estimated"  # the old city's growth standing for today's city
    chain = build.gdp_index()
    from carbonpeak.indicators.derived import gdp_constant

    g = gdp_constant(_series(obs, "gdp_current"), idx, 2020)
    for year in (2005, 2015, 2024):
        assert g.value(year) / g.value(2020) == pytest.approx(chain[year], rel=1e-12)


def test_energy_total_2020_is_the_demo_assumption_on_the_coal_equivalent_method(obs):
    """The demo assumes final energy E(2020) = 4 000万tce on the calorific-value method. 能源消费总量
    (coal-equivalent method) adds what the transformation sectors burn and values the electricity not
    generated from local fuel (local PV and wind, net imports) at the generation coal rate instead of
    0.1229 kgce/kWh: E_ce = E_final − electricity_final·0.1229 − heat_final + fuel of power and heating
    plants + (electricity_final + losses − thermal output)·rate. Every term from the balance's rows."""
    e2020 = units.convert(float(build.assumptions()["total_final_energy_2020"]["value"]), "万tce", "tce")
    sectors = factors.sectors()
    coal = factors.standard_coal()
    final = el_final_kwh = heat_final = plants = el_net_kwh = 0.0
    with dataset.DataSetFiles.of().balance.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if int(r["year"]) != 2020 or r["fuel"] not in coal:
                continue
            q, unit, fuel, sector = float(r["quantity"]), r["unit"], r["fuel"], r["sector"]
            role = sectors[sector].role
            if role == "final":
                final += build.tce_of(q, unit, fuel)
                if fuel == "electricity":
                    el_final_kwh += units.convert(q, unit, "kWh")
                elif fuel == "heat":
                    heat_final += build.tce_of(q, unit, fuel)
            if fuel == "electricity" and (sector in ("LOSS", "T_POWER") or role == "final"):
                el_net_kwh += units.convert(q, unit, "kWh")
            if sector in ("T_POWER", "T_HEAT") and fuel not in ("electricity", "heat"):
                plants += build.tce_of(q, unit, fuel)
    # the balance's final use is the assumed E(2020) (its rows are rounded to 4 decimals)
    assert final == pytest.approx(e2020, rel=1e-5)
    rate = factors.coal_rate(2020)
    assert rate is not None and rate.year == 2020
    expected = (
        e2020
        - build.tce_of(el_final_kwh, "kWh", "electricity")
        - heat_final
        + plants
        + el_net_kwh * rate.rate * 1e-6  # gce/kWh → tce/kWh
    )
    got = units.convert(_series(obs, "energy_total").value(2020), "万tce", "tce")
    assert got == pytest.approx(expected, rel=1e-4)
    assert got > e2020 * 1.2  # coal-equivalent total, not the calorific final energy


def test_inventory_series_equal_the_inventory(obs, inventory):
    co2, energy = _series(obs, "co2_total"), _series(obs, "energy_total")
    nf, gas = _series(obs, "non_fossil_energy"), _series(obs, "gas_energy")
    assert list(co2.years) == list(range(2005, 2025)) and co2.unit == "万tCO2" and energy.unit == "万tce"
    for year, t in inventory.items():
        assert co2.value(year) == pytest.approx(t["total_t"] / 1e4, rel=1e-12)
        assert energy.value(year) == pytest.approx(t["energy_tce_coal_equivalent"] / 1e4, rel=1e-12)
        assert nf.value(year) / energy.value(year) == pytest.approx(t["share_non_fossil"], rel=1e-9)
        assert gas.value(year) / energy.value(year) == pytest.approx(t["share_gas"], rel=1e-9)
    for s in (co2, energy, nf, gas):
        assert set(s.flags) == {"estimated"} and all("inventory" in src for src in s.sources)


def test_non_fossil_energy_counts_imported_non_fossil_electricity(obs):
    separate = compute_inventory(
        read_balance_file(dataset.DataSetFiles.of().balance), import_convention="separate"
    )
    local = {int(t["year"]): t["share_non_fossil"] for t in separate["totals"]}
    nf, energy = _series(obs, "non_fossil_energy"), _series(obs, "energy_total")
    for year in (2005, 2020, 2024):
        assert nf.value(year) / energy.value(year) > local[year] + 0.005  # imports add to the local part


def test_plan_indicators_keep_their_sample_flag_and_source(obs):
    pv = _series(obs, "pv_capacity")
    with (build.DATA_DIR / "indicators.csv").open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["indicator"] == "pv_capacity"]
    assert [pv.value(int(r["year"])) for r in rows] == [float(r["value"]) for r in rows]
    assert set(pv.flags) == {"sample"} and pv.unit == "万kW"


def test_tracking_on_the_current_data_set_judges_the_intensity_targets(obs):
    plan = load_plan()
    result = track_targets(plan=plan, peak_probabilities={})
    assert result.observations == "demo" and result.year == 2024
    rows = {r["code"]: r for r in result.rows}
    for code in ("energy_intensity_reduction_2025", "co2_intensity_reduction_2030"):
        assert rows[code]["status"] in ("achieved", "on_track", "at_risk", "off_track"), code
    assert rows["co2_intensity_reduction_2030"]["flag"] == "estimated"
    # judged on the assessment-rule intensity over the estimated 原料用能 (tests/services/test_assessment.py)
    assert rows["energy_intensity_reduction_2025"]["flag"] == "estimated"
    # the statistical energy-intensity reduction 2020 → 2024 by hand: energy / constant-price GDP
    from carbonpeak.services.assessment import energy_intensity_view
    from carbonpeak.services.pages.targets import observations_for

    e = _series(obs, "energy_total")
    chain = build.gdp_index()
    by_hand = (1 - (e.value(2024) / chain[2024]) / (e.value(2020) / chain[2020])) * 100
    target = next(t for t in plan.targets if t.code == "energy_intensity_reduction_2025")
    view = energy_intensity_view(plan, target, observations_for("jinan"), "jinan", 2024)
    assert view.statistical is not None and view.statistical.reduction == pytest.approx(by_hand, abs=1e-3)
    # a share already beyond its goal is achieved, not off track (base 2020 above the 7 % goal)
    share = rows["non_fossil_share_2025"]
    assert share["latest"] >= 7.0 and share["status"] == "achieved"


def test_kaya_series_sums_to_the_inventory_energy_co2(inventory):
    k = decomposition.kaya_series()
    assert k.years == tuple(range(2005, 2025)) and k.problems() == []
    assert k.sectors == decomposition.KAYA_SECTORS and "electricity" in k.fuels
    for n, year in enumerate(k.years):
        t = inventory[year]
        # energy CO2 incl. the indirect CO2 of net imports (processes are not energy use)
        assert k.emissions[n].sum() * 1e4 == pytest.approx(t["total_t"] - t["process_t"], rel=1e-9)
        shares = k.sector_gdp[n, :3] / k.gdp[n]
        assert shares.sum() == pytest.approx(1.0)
        assert k.sector_gdp[n, 3] == k.gdp[n]  # households: activity = GDP
    assert k.population[-1] == 951.5  # 万人, published 2024
    assert k.gdp[list(k.years).index(2020)] == pytest.approx(10140.91)  # 2020 prices: current GDP


@pytest.mark.parametrize("chained", [True, False])
def test_additive_effects_sum_to_the_change(chained, inventory):
    out = decompose_emissions(chained=chained)
    assert (out["input"], out["flag"]) == ("demo", "estimated")
    first, last = inventory[2005], inventory[2024]
    change = (last["total_t"] - last["process_t"] - first["total_t"] + first["process_t"]) / 1e4
    assert out["change"] == pytest.approx(change, rel=1e-9)
    assert sum(e["additive"] for e in out["effects"]) == pytest.approx(change, abs=1e-4)
    ratio = np.prod([e["multiplicative"] for e in out["effects"]])
    assert ratio == pytest.approx(out["ratio"], rel=1e-6)


def test_value_added_shares_are_interpolated():
    assert decomposition.value_added_shares(2005)["industry"] == pytest.approx(0.46)
    mid = decomposition.value_added_shares(2014)
    assert decomposition.value_added_shares(2024)["services"] > mid["services"] > 0.48
    assert sum(mid.values()) == pytest.approx(1.0)


def test_overlay_lets_approved_values_win(obs):
    rows = [
        {
            "indicator": "pv_capacity",
            "region": REGION,
            "year": 2024,
            "value": 3400.0,
            "unit": "MW",
            "source": "submission 7 v2",
            "flag": "published",
        },
        {
            "indicator": "pv_capacity",
            "region": REGION,
            "year": 2025,
            "value": 4000.0,
            "unit": "MW",
            "source": "submission 8 v1",
            "flag": "published",
        },
        {
            "indicator": "new_thing",
            "region": REGION,
            "year": 2024,
            "value": 5.0,
            "unit": "%",
            "source": "submission 9 v1",
            "flag": "published",
        },
    ]
    merged = dataset.overlay(obs, rows)
    pv = merged.get("pv_capacity", REGION)
    assert pv is not None and pv.unit == "万kW"
    assert pv.value(2024) == pytest.approx(340.0) and pv.value(2025) == pytest.approx(400.0)
    assert pv.value(2023) == _series(obs, "pv_capacity").value(2023)  # untouched years stay
    k = int(np.flatnonzero(pv.years == 2024)[0])
    assert (pv.flags[k], pv.sources[k]) == ("published", "submission 7 v2")
    assert merged.get("new_thing", REGION) is not None
    assert _series(obs, "pv_capacity").value(2024) == 320.0  # the cached data set is not changed


def test_database_overlay_reads_the_published_submissions(db_url, tiny_plan, fill):
    from carbonpeak.services import submissions as svc
    from carbonpeak.services.init import init_database
    from carbonpeak.services.rounds import download_template, open_round
    from carbonpeak.services.users import create_user
    from carbonpeak.store.db import Database

    db = Database(db_url)
    try:
        init_database(db, tiny_plan, source_file="tiny.yaml")
        with db.session() as s:
            office = create_user(
                s, username="o", password="correct horse 1", role="office", unit_code="office"
            )
            dept = create_user(
                s, username="d", password="correct horse 1", role="department", unit_code="dept_a"
            )
            rnd = open_round(s, office, period="2024", title="2024", due_date=dt.date(2025, 3, 31))
            _, xlsx = download_template(s, dept, rnd.id, "dept_a")
            sub = svc.import_submission(
                s,
                dept,
                round_id=rnd.id,
                unit_code="dept_a",
                filename="a.xlsx",
                data=fill(xlsx, {"pv_capacity": "120 万千瓦"}),
            )
            svc.submit_submission(s, dept, sub.id)
            svc.approve_submission(s, office, sub.id)
        # approved is not enough: only what the office publishes reaches the engines and the pages
        approved_only = dataset.dataset_observations("some_city", database=db)
        assert approved_only.get("pv_capacity", "some_city") is None
        with db.session() as s:
            svc.publish_submission(s, s.merge(office), sub.id)
        merged = dataset.dataset_observations("some_city", database=db)  # the tiny plan's city
        pv = merged.get("pv_capacity", "some_city")
        assert pv is not None and pv.value(2024) == pytest.approx(1200.0) and pv.flags == ("published",)
        # no data record published yet: Jinan is still judged by the packaged demo files
        assert dataset.dataset_observations(REGION, database=db).get("pv_capacity", REGION) is not None
    finally:
        db.dispose()


def test_cached_until_a_file_changes(obs, monkeypatch):
    assert dataset.dataset_observations(REGION) is obs
    files = dataset.DataSetFiles.of()
    assert len(files.stamp()) == len(files.read) and all(files.stamp())
    # as if a file had been replaced
    monkeypatch.setattr(dataset.DataSetFiles, "stamp", lambda self: (0, 0, 0, 0))
    again = dataset.dataset_observations(REGION)
    assert again is not obs and again.get("co2_total", REGION) is not None
