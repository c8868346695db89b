"""The assessment-rule energy intensity and the non-fossil share's convention on the data set
(services/assessment.py, indicators/derived.assessed_energy_intensity): hand-checked on tiny series,
and equal to what the indicator engine judges on the demo data set."""

import numpy as np
import pytest

from carbonpeak.indicators.assessment import assessment_intensity
from carbonpeak.indicators.derived import assessed_energy_intensity
from carbonpeak.indicators.series import Observations, Series
from carbonpeak.services.assessment import energy_intensity_view, non_fossil_view
from carbonpeak.services.dataset import dataset_observations
from carbonpeak.services.indicators import track_targets
from carbonpeak.services.pages.targets import observations_for
from carbonpeak.services.plan import current_plan

REGION = "jinan"


def _s(code: str, unit: str, by_year: dict[int, float], flag: str = "published") -> Series:
    years = sorted(by_year)
    return Series(
        code,
        "r",
        unit,
        np.asarray(years, dtype=np.int64),
        np.asarray([by_year[y] for y in years], dtype=np.float64),
        tuple(f"src {code}" for _ in years),
        tuple(flag for _ in years),
    )


def test_assessed_intensity_deducts_raw_material_and_from_2024_non_fossil_in_both_years():
    energy = _s("energy_total", "万tce", {2020: 100.0, 2023: 104.0, 2024: 106.0})
    non_fossil = _s("non_fossil_energy", "万tce", {2020: 6.0, 2023: 8.0, 2024: 10.0})
    gdp = _s("gdp_constant", "亿元", {2020: 10.0, 2023: 11.5, 2024: 12.0})
    # rules of 2023: raw material only — (100 − 5) 万tce / 10 亿元 = 95e4 tce / 10e4 万元 = 9.5 tce/万元
    raw = _s("raw_material_energy", "万tce", {2020: 5.0, 2023: 6.0}, flag="sample")
    s = assessed_energy_intensity(energy, raw, non_fossil, gdp, base_year=2020)
    assert s.years.tolist() == [2020, 2023]
    assert s.values == pytest.approx([9.5, 98.0 / 11.5])
    assert s.flags == ("sample", "sample")
    # rules of 2024: non-fossil deducted too, in the base year as well: (100 − 5 − 6) / 10 = 8.9
    raw = _s("raw_material_energy", "万tce", {2020: 5.0, 2023: 6.0, 2024: 6.0})
    s = assessed_energy_intensity(energy, raw, non_fossil, gdp, base_year=2020)
    assert s.values.tolist() == pytest.approx([8.9, 90.0 / 11.5, 90.0 / 12.0])
    expected = assessment_intensity(
        100.0, 10.0, 106.0, 12.0, raw_material_base=5, raw_material=6, non_fossil_base=6, non_fossil=10
    )
    assert s.values[-1] / s.values[0] - 1 == pytest.approx(expected.assessment_change)
    # no base year among the raw-material years: no assessment series
    raw = _s("raw_material_energy", "万tce", {2023: 6.0, 2024: 6.0})
    assert len(assessed_energy_intensity(energy, raw, non_fossil, gdp, base_year=2020)) == 0


def _energy_target():
    plan = current_plan(None)
    return plan, next(t for t in plan.targets if t.code == "energy_intensity_reduction_2025")


def test_the_assessment_figure_drives_the_status_and_shows_what_it_deducted():
    plan, target = _energy_target()
    tracked = track_targets(plan=plan)
    row = next(r for r in tracked.rows if r["code"] == target.code)
    obs = observations_for(tracked.region)
    view = energy_intensity_view(plan, target, obs, tracked.region, tracked.year)
    assert view.driving == row["series"] == "energy_intensity_assessed"
    assert view.assessment is not None and view.statistical is not None
    assert view.assessment.status == row["status"]
    assert view.assessment.reduction == pytest.approx(row["latest"], abs=1e-3)
    # by hand from the inputs the view names
    get = lambda code: obs.get(code, REGION)  # noqa: E731
    e, g, raw, nf = (
        get("energy_total"),
        get("gdp_constant"),
        get("raw_material_energy"),
        get("non_fossil_energy"),
    )
    y0, y1 = 2020, view.assessment.year
    hand = assessment_intensity(
        e.value(y0),
        g.value(y0),
        e.value(y1),
        g.value(y1),
        raw_material_base=raw.value(y0),
        raw_material=raw.value(y1),
        non_fossil_base=nf.value(y0),
        non_fossil=nf.value(y1),
    )
    assert view.assessment.reduction == pytest.approx(-100 * hand.assessment_change, abs=1e-3)
    assert view.statistical.reduction == pytest.approx(-100 * hand.statistical_change, abs=1e-3)
    deducted = {(d.what, d.year): d.value for d in view.deductions}
    assert deducted[("raw_material_energy", y1)] + deducted[("non_fossil_energy", y1)] == pytest.approx(
        hand.deducted, abs=0.02
    )
    assert all(d.source for d in view.deductions)


def test_without_raw_material_energy_the_statistical_figure_drives_and_the_page_says_why():
    plan, target = _energy_target()
    full = dataset_observations(REGION)
    obs = Observations({k: s for k, s in full.series.items() if k[0] != "raw_material_energy"})
    tracked = track_targets(plan=plan, observations=obs, peak_probabilities={})
    row = next(r for r in tracked.rows if r["code"] == target.code)
    assert row["series"] == "energy_intensity"
    from carbonpeak.indicators.derived import derive

    with_derived = obs.with_series(derive(obs, REGION))
    view = energy_intensity_view(plan, target, with_derived, REGION, tracked.year)
    assert view.assessment is None and view.driving == "energy_intensity"
    assert view.missing == ["raw_material_energy"]
    assert view.statistical is not None and view.statistical.status == row["status"]


def test_the_named_convention_is_the_one_the_indicator_counts_and_the_lines_differ_by_the_credit():
    view = non_fossil_view(None, REGION)
    assert view is not None and view.convention == "provincial" and view.convention_grid == "山东"
    lines = {line.key: line for line in view.lines}
    series = dataset_observations(REGION).get("non_fossil_share", REGION) or observations_for(REGION).get(
        "non_fossil_share", REGION
    )
    assert lines["provincial"].values == pytest.approx(series.values.tolist(), abs=1e-3)
    # a year's credit: shares used are the tabulated ones, substitutions noted
    y = view.years.index(2024)
    assert (
        lines["provincial"].shares[y].share == 0.275 and lines["provincial"].shares[y].tabulated_year == 2024
    )
    assert lines["national"].shares[y].grid == "CN" and lines["national"].shares[y].tabulated_year == 2022
    assert any("CN 2024: not tabulated, 2022" in n for n in view.notes)
    for i in range(len(view.years)):
        assert lines["no_credit"].values[i] <= lines["provincial"].values[i] <= lines["national"].values[i]
