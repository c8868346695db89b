"""Bad input: every fault reported with row, column and rule; never a silent zero."""

from __future__ import annotations

import pytest
from conftest import balance_of

from carbonpeak.accounting import inventory
from carbonpeak.errors import BalanceError

HEAD = "region,year,sector,fuel,quantity,unit\n"


def _problems(text: str) -> list[tuple[str, str]]:
    with pytest.raises(BalanceError) as info:
        balance_of(text)
    return [(p.location, p.rule) for p in info.value.problems]


def test_every_bad_row_is_reported_at_once():
    text = HEAD + (
        "A,2020,S99,diesel,1,万t\n"  # unknown sector
        "A,2020,S01,coal,1,万t\n"  # unknown fuel
        "A,2020,S01,diesel,1,MW\n"  # unit of another dimension
        "A,2020,S01,diesel,-1,万t\n"  # negative final consumption
        "A,20x,S01,diesel,1,万t\n"  # bad year
        "A,2020,S01,diesel,abc,万t\n"  # not a number
        "A,2020,S01,diesel,1,furlong\n"  # unknown unit
    )
    assert _problems(text) == [
        ("balance.csv:2:sector", "balance.sector.known"),
        ("balance.csv:3:fuel", "balance.fuel.known"),
        ("balance.csv:4:unit", "balance.unit.convertible"),
        ("balance.csv:5:quantity", "balance.quantity.non_negative"),
        ("balance.csv:6:year", "balance.year"),
        ("balance.csv:7:quantity", "balance.quantity.number"),
        ("balance.csv:8:unit", "balance.unit.convertible"),
    ]


def test_missing_columns_are_named():
    assert _problems("region,year,sector,fuel,amount\nA,2020,S01,diesel,1\n") == [
        ("balance.csv:1:quantity", "balance.column"),
        ("balance.csv:1:unit", "balance.column"),
    ]


def test_negative_quantities_are_allowed_only_for_transformation_outputs_and_stock_change():
    ok = balance_of(HEAD + "A,2020,T_POWER,electricity,-1,亿kWh\nA,2020,STOCK_CHANGE,raw_coal,-3,万t\n")
    assert ok.energy.min() < 0
    assert _problems(HEAD + "A,2020,IMPORT,raw_coal,-3,万t\n") == [
        ("balance.csv:2:quantity", "balance.quantity.non_negative")
    ]


def test_absurd_quantities_are_rejected_before_they_overflow():
    assert _problems(HEAD + "A,2020,S01,diesel,1e300,万t\n") == [
        ("balance.csv:2:quantity", "balance.quantity.range")
    ]


def test_bad_flag_and_empty_balance():
    assert _problems("region,year,sector,fuel,quantity,unit,flag\nA,2020,S01,diesel,1,万t,guess\n") == [
        ("balance.csv:2:flag", "balance.flag")
    ]
    assert _problems(HEAD) == [("balance.csv", "balance.empty")]


def test_missing_factor_for_a_year_names_the_rows():
    # gangue has no guideline factor; 1985 is before every factor's active_from (1990)
    balance = balance_of(HEAD + "A,2020,S01,gangue,1,万t\nA,1985,S01,diesel,1,万t\nA,2020,S01,diesel,1,万t\n")
    with pytest.raises(BalanceError) as info:
        inventory(balance, "guideline")
    got = sorted((p.location, p.rule) for p in info.value.problems)
    assert got == [("balance.csv:2:fuel", "factor.missing"), ("balance.csv:3:fuel", "factor.missing")]


def test_a_transformation_input_without_co2_needs_no_factor():
    balance = balance_of(HEAD + "A,2020,T_COKING,gangue,1,万t\n")
    assert inventory(balance, "guideline").energy_total[0, 0] == 0


def test_missing_grid_factor_is_an_error_unless_fallback_is_asked_for():
    balance = balance_of(HEAD + "A,2015,IMPORT,electricity,1,亿kWh\n")
    with pytest.raises(BalanceError) as info:
        inventory(balance, "guideline")
    got = [(p.location, p.rule) for p in info.value.problems]
    assert got == [("balance.csv:2:year", "factor.grid.missing")]
    assert inventory(balance, "guideline", grid_fallback="nearest").indirect_electricity[0, 0] > 0


def test_missing_process_factor_and_unknown_factor_set():
    balance = balance_of(HEAD + "A,2020,S28,bof_steel,1,万t\n")
    with pytest.raises(BalanceError) as info:
        inventory(balance, "guideline")
    assert info.value.problems[0].rule == "factor.missing"
    with pytest.raises(BalanceError):
        inventory(balance, "ipcc1996")


def test_a_file_read_from_disk_names_itself_in_every_problem(tmp_path):
    """Balance checks and inventory checks (a missing factor) both say the file's own name."""
    from carbonpeak.services.inventory import inventory_from_file

    path = tmp_path / "jinan-2024.csv"
    path.write_text(HEAD + "A,2020,S99,diesel,1,万t\nA,2020,S01,diesel,1,万t,\n", encoding="utf-8")
    with pytest.raises(BalanceError) as info:
        inventory_from_file(path)
    assert [(p.location, p.rule) for p in info.value.problems] == [
        ("jinan-2024.csv:2:sector", "balance.sector.known")
    ]
    path.write_text(HEAD + "A,1950,S01,diesel,1,万t\n", encoding="utf-8")
    with pytest.raises(BalanceError) as info:
        inventory_from_file(path)
    assert {p.location.split(":")[0] for p in info.value.problems} == {"jinan-2024.csv"}
