"""The CEADs cross-check: the shipped reference rows, the merger, and the residual table in the docs."""

import re
from pathlib import Path

import pytest

from carbonpeak.demo.ceads import ceads_rows, ceads_series, residuals
from carbonpeak.services.inventory import compute_inventory, read_balance_file

ROOT = Path(__file__).resolve().parents[2]


def test_ceads_rows_carry_the_workbook_values_and_their_source():
    rows = {(r["region"], int(r["year"])): r for r in ceads_rows()}
    # CEADs 290-city workbook, sheet 'emission vector': 山东济南2005 56.0901 Mt, 山东莱芜2005 44.9769 Mt,
    # 山东济南2019 103.7151 Mt (merged city)
    assert float(rows["jinan", 2005]["value"]) == pytest.approx(5609.01)
    assert float(rows["laiwu", 2005]["value"]) == pytest.approx(4497.69)
    assert float(rows["jinan", 2019]["value"]) == pytest.approx(10371.51)
    assert rows["jinan", 2019]["boundary"] == "current" and rows["laiwu", 2017]["boundary"] == "pre2019"
    for r in ceads_rows():
        assert r["unit"] == "万tCO2" and "ceads.net" in r["source"] and "emission vector" in r["source"]


def test_today_boundary_adds_laiwu_before_the_merger_and_skips_a_year_without_it():
    series = ceads_series()
    assert series[2005] == pytest.approx(5609.01 + 4497.69)
    assert series[2019] == pytest.approx(10371.51)  # CEADs' 济南 row is already the merged city
    assert 2018 not in series  # no 莱芜 row for 2018
    assert ceads_series(parts=("jinan",))[2018] == pytest.approx(4339.06)


def test_residuals_are_relative_to_ceads():
    out = residuals({2005: 90.0, 2006: 1.0}, {2005: 100.0, 2007: 1.0})
    assert list(out) == [2005] and out[2005] == pytest.approx((90.0, 100.0, -0.1))


def _docs_table() -> dict[int, float]:
    text = (ROOT / "docs/methods/dataset.md").read_text(encoding="utf-8")
    section = text[text.index("## Cross-check against CEADs") :]
    return {
        int(m[1]): float(m[2])
        for m in re.finditer(r"^\| (\d{4}) \| [\d,]+ \| [\d,]+ \| ([+-]?\d+\.\d) % \|$", section, re.M)
    }


def test_the_residual_table_in_the_docs_is_what_the_shipped_balance_gives():
    result = compute_inventory(read_balance_file(ROOT / "carbonpeak/demo/data/energy-balance.csv"))
    ours = {t["year"]: t["direct_t"] / 1e4 for t in result["totals"]}
    computed = {y: 100 * r for y, (_, _, r) in residuals(ours, ceads_series()).items()}
    documented = _docs_table()
    assert set(documented) == set(computed)
    for year, value in computed.items():
        assert documented[year] == pytest.approx(value, abs=0.1), year
