"""The service, the command and the API route on the packaged plan: the current data set (the
default) and the packaged sample observations (given explicitly)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carbonpeak.app import create_app
from carbonpeak.cli import build_app
from carbonpeak.errors import InputError
from carbonpeak.indicators.observations import SAMPLE_FILE
from carbonpeak.plan.load import load_plan
from carbonpeak.services.indicators import track_targets
from carbonpeak.settings import Settings

KEYS = {"code", "status", "latest", "progress", "required_rate", "achieved_rate", "explanation"}


def test_every_target_of_the_plan_is_listed():
    plan = load_plan()
    result = track_targets(plan=plan)
    assert [r["code"] for r in result.rows] == [t.code for t in plan.targets]
    assert all(r.keys() >= KEYS for r in result.rows)
    assert all(r["explanation"]["zh"] and r["explanation"]["en"] for r in result.rows)
    assert result.region == "jinan" and result.year == 2024 and result.observations == "demo"
    sample = track_targets(plan=plan, observations_file=SAMPLE_FILE)
    assert sample.observations == "sample"


def test_rows_carry_the_weakest_flag_of_their_data():
    rows = {r["code"]: r for r in track_targets(peak_probabilities={}).rows}
    # inventory-derived intensities over partly published GDP, and the assessment-rule energy intensity
    # (over the demo's estimated 原料用能): estimated; the demo plan indicators: sample
    assert rows["co2_intensity_reduction_2030"]["flag"] == "estimated"
    assert rows["energy_intensity_reduction_2025"]["flag"] == "estimated"
    assert rows["co2_peak_2030"]["flag"] == "estimated"
    assert rows["pv_capacity_2030"]["flag"] == "sample"
    assert all(
        r["flag"] in ("published", "estimated", "sample") for r in rows.values() if r["latest"] is not None
    )
    assert all(r["flag"] is None for r in rows.values() if r["status"] == "no_data" and r["latest"] is None)


def test_peak_probability_defaults_to_the_projection_on_the_current_data():
    from carbonpeak.services.projection import peak_probabilities

    plan = load_plan()
    rows = {r["code"]: r for r in track_targets(plan=plan).rows}
    expected = peak_probabilities(plan)["co2_peak_2030"]
    assert rows["co2_peak_2030"]["peak_probability"] == pytest.approx(expected)
    # an earlier year, given observations or {} are judged from the trend
    for kw in ({"year": 2023}, {"peak_probabilities": {}}, {"observations_file": SAMPLE_FILE}):
        again = {r["code"]: r for r in track_targets(plan=plan, **kw).rows}
        assert again["co2_peak_2030"]["peak_probability"] is None, kw


def test_sample_statuses_follow_from_the_data():
    rows = {r["code"]: r for r in track_targets(observations_file=SAMPLE_FILE).rows}
    ei = rows["energy_intensity_reduction_2025"]
    # sample: energy 3800 → 4235.1 万tce, GDP chained ×1.07200·1.031·1.061·1.056 → −9.999 %
    assert ei["latest"] == pytest.approx(10.0, abs=0.01)
    assert ei["status"] == "at_risk"
    assert ei["explanation"]["zh"].startswith("需年均下降5.3%，近3年年均下降")
    assert rows["charging_stations_2025"]["status"] == "achieved"
    assert rows["co2_intensity_reduction_2025"]["status"] == "no_data"  # left to the province
    assert rows["non_fossil_share_2030"]["judged_against"] == ["non_fossil_share_2025"]


def test_peak_probability_hook():
    rows = {
        r["code"]: r
        for r in track_targets(observations_file=SAMPLE_FILE, peak_probabilities={"co2_peak_2030": 0.9}).rows
    }
    assert rows["co2_peak_2030"]["status"] == "on_track"
    assert "90.0%" in rows["co2_peak_2030"]["explanation"]["zh"]


def test_unknown_region_is_an_input_error():
    with pytest.raises(InputError) as exc:
        track_targets(region="nowhere")
    assert exc.value.problems[0].rule == "indicators.region"


def test_cli_json_and_observations_file(tmp_path):
    obs = tmp_path / "obs.csv"
    obs.write_text(
        "indicator,region,year,value,unit,source,flag\n"
        "pv_capacity,r1,2020,100,万kW,test,sample\n"
        "pv_capacity,r1,2024,300,万kW,test,sample\n",
        encoding="utf-8",
    )
    runner = CliRunner()
    out = runner.invoke(
        build_app(), ["indicators", "--observations", str(obs), "--year", "2024", "--format", "json"]
    )
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    rows = {r["code"]: r for r in data["targets"]}
    assert rows["pv_capacity_2030"]["progress"] == pytest.approx(50.0)  # 100 → 300 of 100 → 500
    assert rows["pv_capacity_2030"]["status"] == "on_track"  # 50 % vs 40 % expected
    default = runner.invoke(build_app(), ["indicators", "--format", "json"])
    assert default.exit_code == 0 and json.loads(default.output)["observations"] == "demo"
    csv_out = runner.invoke(
        build_app(), ["indicators", "--observations", str(obs), "--lang", "en", "--format", "csv"]
    )
    assert csv_out.exit_code == 0 and "pv_capacity_2030,on track,300.0,万kW," in csv_out.output
    table = runner.invoke(build_app(), ["indicators", "--observations", str(obs)], env={"COLUMNS": "250"})
    assert table.exit_code == 0 and "进展顺利" in table.output


def test_api_route(demo_settings):
    with TestClient(create_app(demo_settings)) as client:
        r = client.get("/api/indicators", params={"year": 2023})
        assert r.status_code == 200
        body = r.json()
        assert body["year"] == 2023 and all(t.keys() >= KEYS for t in body["targets"])
        assert client.get("/api/indicators", params={"region": "nowhere"}).status_code == 422


def test_a_year_without_observations_is_a_user_error_not_another_years_answer(tmp_path, capsys):
    from carbonpeak.cli import main

    obs = tmp_path / "obs.csv"
    obs.write_text(
        "indicator,region,year,value,unit,source,flag\n"
        "pv_capacity,r1,2020,100,万kW,test,sample\n"
        "pv_capacity,r1,2024,300,万kW,test,sample\n",
        encoding="utf-8",
    )
    for year in (2019, 2025):
        with pytest.raises(InputError) as caught:
            track_targets(observations_file=obs, year=year)
        (problem,) = caught.value.problems
        assert problem.rule == "indicators.year" and problem.value == str(year)
        assert "2020–2024" in problem.message_zh and "2020–2024" in problem.message_en
    assert track_targets(observations_file=obs, year=2022).year == 2022  # inside the observed span
    with pytest.raises(SystemExit) as stop:
        main(["indicators", "--year", "2099"])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "2099 年没有观测数据" in err and "no observations in 2099" in err and "Traceback" not in err
    with TestClient(create_app(Settings(data_dir=tmp_path))) as client:
        r = client.get("/api/indicators", params={"year": 2099})
        assert r.status_code == 422 and r.json()["problems"][0]["rule"] == "indicators.year"
