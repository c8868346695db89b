"""Inventory on a hand-checkable balance: transformation counted once, processes, net imported electricity."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import TINY, balance_of

from carbonpeak.accounting import intensity, inventory, lineage

RAW_COAL_T_PER_WAN_T = 20.908e-3 * 26.37 * 0.94 * 44 / 12 * 1e4  # t CO2 per 万t (guideline)
COKE_T_PER_WAN_T = 28.435e-3 * 29.5 * 0.93 * 44 / 12 * 1e4
DIESEL_T_PER_WAN_T = 42.652e-3 * 20.2 * 0.98 * 44 / 12 * 1e4


def test_tiny_balance_by_hand(tiny):
    inv = inventory(tiny, "guideline", grid_fallback="nearest")
    # power plant coal + coke burnt in steel + diesel; the coking input (10 万t coal) is not burnt
    expected_energy = 100 * RAW_COAL_T_PER_WAN_T + 7 * COKE_T_PER_WAN_T + 1 * DIESEL_T_PER_WAN_T
    assert inv.energy_total[0, 0] == pytest.approx(expected_energy, rel=1e-12)
    assert inv.process_total[0, 0] == pytest.approx(100e4 * 0.538)
    # 5 亿kWh = 500,000 MWh at the 2021 national average (nearest published year to 2020)
    assert inv.indirect_electricity[0, 0] == pytest.approx(5e5 * 0.5568)
    assert any("2020" in n and "2021" in n for n in inv.notes)
    assert inv.total[0, 0] == pytest.approx(expected_energy + 100e4 * 0.538 + 5e5 * 0.5568)


def test_transformation_inputs_other_than_power_and_heat_carry_no_co2(tiny):
    inv = inventory(tiny, "guideline", grid_fallback="nearest")
    s = tiny.sectors.index("T_COKING")
    assert np.all(inv.co2_energy[:, :, s, :] == 0)


def test_non_energy_use_is_deducted():
    head = "region,year,sector,fuel,quantity,unit\n"
    inv = inventory(
        balance_of(head + "A,2020,S22,naphtha,10,万t\nA,2020,NON_ENERGY,naphtha,4,万t\n"), "guideline"
    )
    one = inventory(balance_of(head + "A,2020,S22,naphtha,6,万t\n"), "guideline")
    assert inv.energy_total[0, 0] == pytest.approx(one.energy_total[0, 0])


def test_net_export_of_electricity_is_a_negative_indirect_term():
    text = (
        "region,year,sector,fuel,quantity,unit\nA,2022,IMPORT,electricity,2,亿kWh\n"
        "A,2022,EXPORT,electricity,5,亿kWh\n"
    )
    inv = inventory(balance_of(text), "guideline")
    assert inv.indirect_electricity[0, 0] == pytest.approx(-3e5 * 0.5366)


def test_grid_factor_series_can_be_chosen():
    text = "region,year,sector,fuel,quantity,unit\nA,2022,IMPORT,electricity,1,亿kWh\n"
    inv = inventory(balance_of(text), "guideline", grid_kind="national_grid_average_reporting")
    assert inv.indirect_electricity[0, 0] == pytest.approx(1e5 * 0.5703)


def test_ipcc_set_differs_from_guideline_set(tiny):
    a = inventory(tiny, "guideline", grid_fallback="nearest").energy_total[0, 0]
    b = inventory(tiny, "ipcc2006", grid_fallback="nearest").energy_total[0, 0]
    assert a != pytest.approx(b, rel=1e-3)


def test_intensities_per_capita_and_per_gdp():
    total = np.array([[9.0e6, 0.0]])
    assert intensity(total, np.array([[9.0e6, 1.0]]))[0, 0] == pytest.approx(1.0)
    assert np.isnan(intensity(total, np.array([[0.0, 0.0]]))[0, 0])


def test_lineage_lists_input_rows_and_factor_rows():
    text = TINY + "A,2020,T_POWER,raw_coal,1,万t,estimated\n"
    inv = inventory(balance_of(text), "guideline", grid_fallback="nearest")
    lin = lineage(inv, "A", 2020, "T_POWER", "raw_coal")
    assert [r["line"] for r in lin.input_rows] == [3, 11]
    assert lin.factor_rows[0]["file"] == "combustion_factors.csv"
    assert lin.factor_rows[0]["line"] == 2  # the guideline raw-coal row
    assert lin.value_t == pytest.approx(101 * RAW_COAL_T_PER_WAN_T)
    grid = lineage(inv, "A", 2020, "IMPORT", "electricity")
    assert grid.factor_rows[0]["file"] == "grid_factors.csv" and grid.value_t == pytest.approx(5e5 * 0.5568)
    clinker = lineage(inv, "A", 2020, "S27", "clinker")
    assert clinker.factor_rows[0]["file"] == "process_factors.csv" and clinker.input_rows[0]["line"] == 10


def test_ceads_view_puts_power_and_heat_in_s39_and_sums_to_the_total(tiny):
    from carbonpeak.accounting.inventory import ceads_view

    inv = inventory(tiny, "guideline", grid_fallback="nearest")
    codes, co2 = ceads_view(inv)
    assert len(codes) == 48 and codes[38] == "S39" and codes[-1] == "NON_ENERGY"
    assert co2[0, 0, 38].sum() == pytest.approx(100 * RAW_COAL_T_PER_WAN_T)
    assert co2.sum() == pytest.approx(inv.energy_total.sum())
