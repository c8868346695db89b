"""The services and the two CLI commands on the packaged data set (demo files, no database)."""

import json

import pytest
from typer.testing import CliRunner

from carbonpeak.budget.assessment import ledger_test
from carbonpeak.budget.rules import SAMPLE_PROJECT, packaged_offsets
from carbonpeak.cli import build_app
from carbonpeak.demo import monthly
from carbonpeak.services import budget as service

DISTRICTS = set(monthly.DISTRICT_WEIGHTS)


def test_the_shipped_monthly_file_is_the_build():
    assert monthly.OUT.read_text(encoding="utf-8") == monthly.csv_text()


def test_the_backtest_covers_at_least_three_years_within_five_percent():
    view = service.nowcast_view()
    city = [r for r in view["backtest"] if r["sector"] == "city"]
    assert len(city) >= 3
    assert view["backtest_summary"]["city"]["mae"] < 0.05
    # the benchmarked months sum to the inventory in every inventory year
    for y, a in view["annual"].items():
        if a["inventory"] == a["inventory"]:  # not NaN
            assert a["nowcast"] == pytest.approx(a["inventory"], rel=1e-6), y
    assert len(view["band_low"]) == len(view["city"]) == len(view["months"])


def test_budget_cli_json_gives_city_and_every_district():
    result = CliRunner().invoke(build_app(), ["budget", "--year", "2025", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    units = [data["city"], *data["districts"]]
    assert {d["unit"] for d in data["districts"]} == DISTRICTS
    for u in units:
        assert {"budget", "ytd", "level", "probability", "execution_ratio"} <= set(u)
        assert u["level"] in (1, 2, 3) and 0 <= u["probability"] <= 1
    assert sum(d["budget"] for d in data["districts"]) == pytest.approx(data["city"]["budget"], rel=1e-6)
    assert sum(s["budget"] for s in data["sectors"]) == pytest.approx(data["city"]["budget"], rel=1e-6)
    assert data["backtest_summary"]["city"]["years"] >= 3 and data["backtest_summary"]["city"]["mae"] < 0.05
    t = data["target"]
    assert data["city"]["budget"] == pytest.approx(t["intensity"] * t["gdp"], rel=1e-3)


def test_the_demo_year_2026_reaches_every_level():
    report = service.budget_report(2026)
    assert {u["level"] for u in report["districts"] + report["sectors"]} == {1, 2, 3}
    assert report["watch_list"]["districts"][0] == "gangcheng"


def test_a_year_without_data_is_an_input_error():
    result = CliRunner().invoke(build_app(), ["budget", "--year", "2040", "--format", "json"])
    assert result.exit_code != 0


def test_assess_project_cli_gives_each_test_with_its_source():
    result = CliRunner().invoke(
        build_app(), ["assess-project", str(SAMPLE_PROJECT), "--format", "json", "--draws", "200"]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    names = [t["test"] for t in data["tests"]]
    assert names[0] == "energy_co2" and "offsets" in names and "impact" in names
    assert any(n.startswith("benchmark:") for n in names) and any(n.startswith("budget:") for n in names)
    assert all(t["result"] in ("pass", "fail") and t["source"] for t in data["tests"])
    assert "p_peak_by_2030" in data["impact"]["delta"]


def test_an_offset_is_used_once():
    ledger = packaged_offsets()
    ok = ledger_test(10.0, ["OFF-2024-001"], ledger, {}, 1.0, "p", "s")
    assert ok.result == "pass"
    taken = ledger_test(10.0, ["OFF-2024-001"], ledger, {"OFF-2024-001": "other"}, 1.0, "p", "s")
    assert taken.result == "fail" and "other" in taken.detail_en
    twice = ledger_test(10.0, ["OFF-2024-002", "OFF-2024-002"], ledger, {}, 1.0, "p", "s")
    assert twice.result == "fail" and "twice" in twice.detail_en
    already = ledger_test(1.0, ["OFF-2025-004"], ledger, {}, 1.0, "p", "s")  # used_by in the ledger
    assert already.result == "fail"
