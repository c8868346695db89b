"""Numbers an office can sign (issue: sourced data, assessment rules, odds that say what they assume).

One test per claim the data set and its docs make that the other test files do not already hold:
what `carbonpeak data list --flag estimated` shows after `demo load`, the estimated 原料用能 and what
it does to the assessment-rule intensity, the provincial non-fossil shares that stand in for years
not tabulated, the MEE/NBS grid factors by year, and the GDP-growth readings of docs/methods/dataset.md.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carbonpeak.accounting import factors
from carbonpeak.cli import build_app
from carbonpeak.demo import build
from carbonpeak.indicators.assessment import assessment_intensity
from carbonpeak.indicators.derived import derive
from carbonpeak.services.assessment import non_fossil_view
from carbonpeak.services.dataset import dataset_observations
from carbonpeak.services.statistics import published_rows
from carbonpeak.store.db import Database

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs/methods/dataset.md"


def _data_list(settings, monkeypatch, *args: str) -> list[dict[str, object]]:
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", settings.resolved_database_url())
    result = CliRunner().invoke(build_app(), ["data", "list", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_data_list_flag_estimated_shows_what_is_left_and_every_row_says_where_it_comes_from(
    demo_settings, monkeypatch
):
    estimated = _data_list(demo_settings, monkeypatch, "--flag", "estimated")
    sample = _data_list(demo_settings, monkeypatch, "--flag", "sample")
    left = {(r["kind"], r["year"]) for r in estimated}
    assert {k for k, _ in left} == {"energy_balance", "gdp", "population", "assessment"}
    assert {y for k, y in left if k == "assessment"} == set(range(2020, 2025))  # 原料用能, estimated
    # the plan indicators stay invented samples; so do the demo enterprises' tail and the monthly
    # district electricity (their records' weakest rows: docs/methods/dataset.md)
    assert {r["kind"] for r in sample} == {
        "indicators",
        "enterprises",
        "enterprise_year",
        "enterprise_month",
        "electricity_monthly",
    }
    assert not {("assessment", y) for y in range(2020, 2025)} & {(r["kind"], r["year"]) for r in sample}
    db = Database.from_settings(demo_settings)
    try:
        with db.session() as s:
            rows = published_rows(s)
    finally:
        db.dispose()
    assert rows
    for r in rows:  # every row of the demo set: a source, and an estimate names its method
        assert len(r.source) > 10, (r.kind, r.key, r.year)
        if r.flag == "estimated":
            assert r.method, (r.kind, r.key, r.year)
    raw = [r for r in rows if r.kind == "assessment"]
    assert {r.method for r in raw} == {build.RAW_MATERIAL_METHOD}
    assert all("803号" in r.source for r in raw)


def _intensity_changes() -> tuple[float, float, float]:
    """2020→2024 energy-intensity change (%): statistical, raw material deducted, both rules of 2024."""
    obs = dataset_observations("jinan")
    derived = {s.indicator: s for s in derive(obs, "jinan")}
    g, e = derived["gdp_constant"], obs.get("energy_total", "jinan")
    r, nf = obs.get("raw_material_energy", "jinan"), obs.get("non_fossil_energy", "jinan")
    assert g is not None and e is not None and r is not None and nf is not None
    args = (e.value(2020), g.value(2020), e.value(2024), g.value(2024))
    raw_only = assessment_intensity(*args, raw_material_base=r.value(2020), raw_material=r.value(2024))
    both = assessment_intensity(
        *args,
        raw_material_base=r.value(2020),
        raw_material=r.value(2024),
        non_fossil_base=nf.value(2020),
        non_fossil=nf.value(2024),
    )
    return (
        100 * float(raw_only.statistical_change),
        100 * float(raw_only.assessment_change),
        100 * float(both.assessment_change),
    )


def test_the_estimated_raw_material_deduction_barely_moves_the_figure_the_non_fossil_rule_does():
    """docs/methods/dataset.md: the 原料用能 estimate moves the 2020→2024 fall by < 0.1 point; the
    non-fossil deduction of the 2024 rules is what separates the assessment figure."""
    statistical, raw_only, assessed = _intensity_changes()
    assert abs(raw_only - statistical) < 0.1
    assert assessed < statistical - 1.0  # a larger fall under the 2024 rules
    with (build.DATA_DIR / "assessment.csv").open(encoding="utf-8") as f:
        raw = {int(r["year"]): float(r["value"]) for r in csv.DictReader(f)}
    text = DOCS.read_text(encoding="utf-8")
    assert f"{raw[2020]:.1f}万tce in\n2020 and {raw[2024]:.1f}万tce in 2024" in text


def test_a_provincial_share_standing_in_for_a_year_is_flagged_estimated_with_its_method():
    view = non_fossil_view(None, "jinan")
    assert view is not None and view.convention == "provincial" and view.convention_grid == "山东"
    provincial = next(line for line in view.lines if line.key == "provincial")
    tabulated = {r.year for r in factors.import_non_fossil_shares() if r.grid == "山东"}
    for used in provincial.shares:
        if used.year in tabulated:
            assert (used.flag, used.method, used.tabulated_year) == ("published", "", used.year)
        else:
            assert used.flag == "estimated" and used.tabulated_year in tabulated
            stand_in = f"山东 {used.tabulated_year} ({used.share:.3f}) stands for {used.year}"
            assert used.method == f"nearest_tabulated_year: {stand_in}"
    assert {u.year for u in provincial.shares if u.flag == "estimated"} == set(range(2005, 2023))


def test_grid_factors_2021_to_2023_are_published_nationally_and_for_every_regional_grid():
    rows = factors.grid_factors()
    regions = {"华北", "东北", "华东", "华中", "西北", "南方", "西南"}
    for year in (2021, 2022, 2023):
        national = [
            g for g in rows if (g.region, g.year, g.kind) == ("CN", year, "national_electricity_average")
        ]
        assert len(national) == 1, year
        regional = {g.region for g in rows if g.year == year and g.kind == "regional_electricity_average"}
        assert regional == regions, year
    for g in rows:
        assert "生态环境部" in g.source or "MEE" in g.source, g
    assert factors.grid_factor("华北", 2021, "regional_electricity_average").ef == pytest.approx(0.7120)


def _growth() -> dict[int, float]:
    with (build.DATA_DIR / "published.csv").open(encoding="utf-8") as f:
        return {
            int(r["year"]): float(r["value"])
            for r in csv.DictReader(f)
            if (r["indicator"], r["region"]) == ("gdp_growth", "jinan")
        }


def _avg(years: range, growth: dict[int, float]) -> float:
    product = 1.0
    for y in years:
        product *= 1 + growth[y] / 100
    return 100 * (product ** (1 / len(years)) - 1)


def test_the_gdp_growth_readings_in_the_docs_are_what_the_published_rows_give():
    g = _growth()
    text = DOCS.read_text(encoding="utf-8")
    section = text[text.index("### GDP growth 2021–2024") : text.index("## Decomposition input")]
    table = dict(re.findall(r"^\| [^|]+ \| (\d{4}–\d{4}) \| (\d+\.\d+) %/yr \|$", section, re.M))
    assert table  # the table of readings is there
    assert f"{_avg(range(2021, 2025), g):.2f}" == "5.51" in section  # the data set's own chain
    assert f"{_avg(range(2020, 2025), g):.2f}" == "5.39" and "5.39 %/yr" in section
    assert f"{_avg(range(2021, 2024), g):.2f}" == "5.45" and "5.45 %/yr" in section
    alt = dict(g)
    alt[2024] = 5.24
    assert f"{_avg(range(2021, 2025), alt):.2f}" == "5.40"


@pytest.mark.parametrize(
    "name",
    [
        "published.csv",
        "energy-balance.csv",
        "indicators.csv",
        "assessment.csv",
        "districts.csv",
        "ceads-city-co2.csv",
    ],
)
def test_every_row_of_the_shipped_demo_files_has_a_source_and_an_estimate_its_method(name):
    with (build.DATA_DIR / name).open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for i, r in enumerate(rows, start=2):
        assert r["flag"] in ("published", "estimated", "sample"), (name, i)
        assert len(r["source"].strip()) > 10, (name, i)
        if r["flag"] == "estimated":
            assert r["method"].strip(), (name, i)


def test_years_without_a_published_grid_factor_say_which_year_stands_in():
    """docs/methods/dataset.md#left-to-source: no MEE/NBS average factor before 2021 (2021's is used)
    and none yet for 2024 (2023's is used); the inventory notes every such year."""
    from carbonpeak.services.inventory import compute_inventory, read_balance_file

    notes = compute_inventory(read_balance_file(build.DATA_DIR / "energy-balance.csv"))["notes"]
    stand_in = {
        int(m[1]): int(m[2])
        for n in notes
        if (m := re.match(r"grid factor for (\d{4}) not published; used CN (\d{4})", n))
    }
    assert stand_in == {**{y: 2021 for y in range(2005, 2021)}, 2024: 2023}


def test_the_statuses_docs_methods_indicators_states_for_the_two_intensity_figures():
    from carbonpeak.plan.load import load_plan
    from carbonpeak.services.assessment import energy_intensity_view
    from carbonpeak.services.pages.targets import observations_for

    plan = load_plan()
    target = next(t for t in plan.targets if t.code == "energy_intensity_reduction_2025")
    obs = observations_for("jinan", None)
    assert obs is not None
    view = energy_intensity_view(plan, target, obs, "jinan", 2024)
    assert view.statistical is not None and view.assessment is not None
    assert view.driving == "energy_intensity_assessed"
    assert (view.statistical.reduction, view.statistical.status) == (
        pytest.approx(11.61, abs=0.005),
        "at_risk",
    )
    assert (view.assessment.reduction, view.assessment.status) == (
        pytest.approx(13.95, abs=0.005),
        "on_track",
    )
    assert view.assessment.flag == "estimated"
    text = (ROOT / "docs/methods/indicators.md").read_text(encoding="utf-8")
    assert "falls 11.61 % (at risk" in text and "13.95 % (on track)" in text
