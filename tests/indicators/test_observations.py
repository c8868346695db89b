"""The observations CSV contract: every fault at once, nothing half-read."""

from __future__ import annotations

import pytest

from carbonpeak.errors import InputError
from carbonpeak.indicators.observations import SAMPLE_FILE, parse_observations, read_observations


def test_sample_loads_and_is_flagged_sample():
    obs = read_observations(SAMPLE_FILE)
    assert obs.regions() == ["jinan"]
    assert {f for s in obs for f in s.flags} == {"sample"}
    assert obs.get("gdp_index", "jinan").unit == "上年=100"


def test_parse_valid_rows_and_units():
    obs = parse_observations(
        "indicator,region,year,value,unit,source\n"
        'energy_total,a,2021,"3,960.5",万吨标准煤,统计公报\n'
        "energy_total,a,2020,3800,万tce,统计公报\n"
    )
    s = obs.get("energy_total", "a")
    assert s.years.tolist() == [2020, 2021] and s.values.tolist() == [3800.0, 3960.5]
    assert s.unit == "万tce" and s.flags == ("published", "published")


def test_every_problem_is_reported():
    text = (
        "indicator,region,year,value,unit,source,flag\n"
        "x,a,20x1,1,万tce,s,published\n"  # bad year
        "x,a,2021,abc,万tce,s,published\n"  # bad value
        "x,a,2022,1,furlongs,s,published\n"  # unknown unit
        "x,a,2023,1,万tce,s,guessed\n"  # bad flag
        "x,a,2024,1,万tce,,published\n"  # empty source
        "y,a,2024,1,万tce,s,published\n"
        "y,a,2024,2,万tce,s,published\n"  # duplicate
        "y,a,2025,2,万t,s,published\n"  # unit changes
    )
    with pytest.raises(InputError) as exc:
        parse_observations(text, name="obs.csv")
    rules = [(p.location, p.rule) for p in exc.value.problems]
    assert rules == [
        ("obs.csv:2:year", "observations.year"),
        ("obs.csv:3:value", "observations.number"),
        ("obs.csv:4:unit", "unit.known"),
        ("obs.csv:5:flag", "observations.flag"),
        ("obs.csv:6:source", "observations.required"),
        ("obs.csv:8:year", "observations.duplicate"),
        ("obs.csv:9:unit", "observations.unit_consistent"),
    ]


def test_missing_and_unknown_columns():
    with pytest.raises(InputError) as exc:
        parse_observations("indicator,region,year,value,units\n")
    assert sorted(p.rule for p in exc.value.problems) == [
        "observations.column_missing",
        "observations.column_missing",
        "observations.column_unknown",
    ]


def test_status_config_faults_are_listed(tmp_path):
    from carbonpeak.indicators.config import load_status_config

    bad = tmp_path / "status.yaml"
    bad.write_text("source: x\nrecent_years: 0\nstatus: {on_track_tolerance: 5, at_risk_max_shortfall: 1}\n")
    with pytest.raises(InputError) as exc:
        load_status_config(bad)
    assert len(exc.value.problems) == 2
    assert load_status_config().status.at_risk_max_shortfall == 25.0
