"""The decomposition table, service, command and API route."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from carbonpeak.app import create_app
from carbonpeak.cli import build_app
from carbonpeak.decomposition.table import SAMPLE_FILE, parse_kaya_table
from carbonpeak.errors import InputError
from carbonpeak.services.decomposition import decompose_emissions

TABLE = """variable,year,sector,fuel,value,unit
population,2020,,,100,万人
population,2021,,,110,万人
gdp,2020,,,1000,亿元
gdp,2021,,,1320,亿元
value_added,2020,s,,1000,亿元
value_added,2021,s,,1320,亿元
energy,2020,s,coal,5000000,tce
energy,2021,s,coal,528,万tce
emissions,2020,s,coal,1000,万tCO2
emissions,2021,s,coal,1056,万tCO2
"""


def test_table_converts_units_and_decomposes_by_hand():
    series = parse_kaya_table(TABLE)
    assert series.energy[0, 0, 0] == pytest.approx(500.0)  # 5,000,000 tce = 500 万tce
    out = decompose_emissions(series=series)
    effects = {e["factor"]: e for e in out["effects"]}
    assert out["change"] == pytest.approx(56.0)
    assert effects["population"]["multiplicative"] == pytest.approx(1.1)
    assert effects["affluence"]["multiplicative"] == pytest.approx(1.2)
    assert effects["intensity"]["multiplicative"] == pytest.approx(0.8)
    assert sum(e["additive"] for e in out["effects"]) == pytest.approx(56.0)


def test_table_reports_every_problem():
    bad = (
        "variable,year,sector,fuel,value,unit\n"
        "energy,2020,,coal,-1,万tce\n"  # no sector; negative
        "wind,2020,,,1,万tce\n"  # unknown variable
        "gdp,x,,,1,万kW\n"  # bad year; power is not money
    )
    with pytest.raises(InputError) as exc:
        parse_kaya_table(bad, name="k.csv")
    rules = sorted(p.rule for p in exc.value.problems)
    assert rules == ["kaya.sector", "kaya.unit", "kaya.value", "kaya.variable", "kaya.year"]


def test_period_checks():
    with pytest.raises(InputError) as exc:
        decompose_emissions(start=2019, end=2024, input_file=SAMPLE_FILE)  # the sample starts in 2020
    assert exc.value.problems[0].rule == "decomposition.year"
    with pytest.raises(InputError) as exc:
        decompose_emissions(start=2000, end=2024)  # the current data set starts in 2005
    assert exc.value.problems[0].rule == "decomposition.year"
    with pytest.raises(InputError):
        decompose_emissions(start=2024, end=2020)


def test_default_is_the_current_data_set_and_the_sample_stays_available():
    current = decompose_emissions()
    assert (current["input"], current["flag"], current["from"], current["to"]) == (
        "demo",
        "estimated",
        2005,
        2024,
    )
    sample = decompose_emissions(input_file=SAMPLE_FILE)
    assert (sample["input"], sample["flag"], sample["from"]) == ("sample", "sample", 2020)


@pytest.mark.parametrize("input_file", [None, SAMPLE_FILE])
def test_chained_and_single_agree_on_the_total(input_file):
    chained = decompose_emissions(start=2020, end=2024, input_file=input_file)
    single = decompose_emissions(start=2020, end=2024, chained=False, input_file=input_file)
    assert len(chained["by_period"]) == 4 and len(single["by_period"]) == 1
    assert chained["change"] == pytest.approx(single["change"])
    for out in (chained, single):
        assert sum(e["additive"] for e in out["effects"]) == pytest.approx(out["change"], abs=1e-5)
        for by in ("by_sector", "by_fuel"):
            total = sum(e["additive"] for row in out[by] for e in row["effects"])
            assert total == pytest.approx(out["change"], abs=1e-5)


def test_cli_and_api(tmp_path):
    path = tmp_path / "k.csv"
    path.write_text(TABLE, encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(
        build_app(),
        ["decompose", "--from", "2020", "--to", "2021", "--balance", str(path), "--format", "json"],
    )
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["change"] == pytest.approx(56.0)
    res = runner.invoke(build_app(), ["decompose", "--format", "csv", "--lang", "en"])
    assert res.exit_code == 0 and res.output.splitlines()[1].startswith("population,")
    res = runner.invoke(build_app(), ["decompose", "--format", "json"])
    assert res.exit_code == 0 and json.loads(res.output)["input"] == "demo"
    with TestClient(create_app()) as client:
        body = client.get("/api/decomposition", params={"from": 2021, "to": 2023}).json()
        assert body["from"] == 2021 and len(body["by_period"]) == 2
        assert client.get("/api/decomposition", params={"from": 2000}).status_code == 422
