"""Region-specific grid factors: balance region → province → regional grid → national (grid_regions.csv)."""

from __future__ import annotations

import pytest
from conftest import balance_of

from carbonpeak.accounting import factors, inventory, lineage
from carbonpeak.errors import BalanceError

HEAD = "region,year,sector,fuel,quantity,unit\n"


def _imports(region: str, year: int, qty: float = 10) -> str:
    rows = (f"{region},{year},{sector},electricity,{qty},亿kWh\n" for sector in ("S46", "IMPORT"))
    return HEAD + "".join(rows)


def test_a_shandong_city_takes_the_provincial_factor():
    inv = inventory(balance_of(_imports("济南市", 2022)), "guideline", grid_region="auto")
    assert inv.indirect_electricity[0, 0] == pytest.approx(1e6 * 0.6410)  # 10 亿kWh = 1e6 MWh
    assert inv.notes == ()
    found = lineage(inv, "济南市", 2022, "IMPORT", "electricity")
    assert found.factor_rows[0]["region"] == "山东" and found.value_t == pytest.approx(1e6 * 0.6410)


def test_a_province_without_its_own_factor_takes_its_regional_grid_with_a_note():
    inv = inventory(balance_of(_imports("河北省", 2022)), "guideline", grid_region="auto")
    assert inv.indirect_electricity[0, 0] == pytest.approx(1e6 * 0.6776)  # 华北 2022
    assert any("华北" in n for n in inv.notes)


def test_an_unmapped_region_falls_back_to_the_national_factor():
    inv = inventory(balance_of(_imports("X", 2022)), "guideline", grid_region="auto")
    assert inv.indirect_electricity[0, 0] == pytest.approx(1e6 * 0.5366)


def test_regions_of_one_balance_get_their_own_factors():
    text = _imports("济南市", 2022) + _imports("广东省", 2022).split("\n", 1)[1]
    inv = inventory(balance_of(text), "guideline", grid_region="auto")
    got = dict(zip(inv.balance.regions, inv.indirect_electricity[:, 0], strict=True))
    assert got["济南市"] == pytest.approx(1e6 * 0.6410)
    assert got["广东省"] == pytest.approx(1e6 * 0.3869)  # 南方 2022, no 广东 row in the library


def test_default_stays_national():
    inv = inventory(balance_of(_imports("济南市", 2022)), "guideline")
    assert inv.indirect_electricity[0, 0] == pytest.approx(1e6 * 0.5366)


def test_auto_without_any_factor_for_the_year_is_an_error_naming_the_rows():
    with pytest.raises(BalanceError) as err:
        inventory(balance_of(_imports("济南市", 2005)), "guideline", grid_region="auto")
    assert [p.rule for p in err.value.problems] == ["factor.grid.missing"]
    inv = inventory(
        balance_of(_imports("济南市", 2005)), "guideline", grid_region="auto", grid_fallback="nearest"
    )
    assert inv.indirect_electricity[0, 0] == pytest.approx(1e6 * 0.6838)  # 山东 2021, the nearest year
    assert any("2005" in n and "山东" in n for n in inv.notes)


def test_every_mapped_grid_has_a_regional_factor_and_every_row_a_source():
    grids = {g.grid for g in factors.grid_regions().values()}
    have = {g.region for g in factors.grid_factors() if g.kind == "regional_electricity_average"}
    assert grids <= have
    assert all(g.source and g.check_status for g in factors.grid_regions().values())
    assert all(g.source and g.check_status for g in factors.grid_factors())
