"""Golden tests: published factor tables and worked checks (tests/golden/inventory/README.md)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from carbonpeak import units
from carbonpeak.accounting import factors, inventory, parse_csv, read_balance, total_energy

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "inventory"


def _csv(name: str) -> list[dict[str, str]]:
    with (GOLDEN / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_ipcc_worked_check_one_gg_of_diesel_gives_3186_3_t():
    balance = read_balance(parse_csv((GOLDEN / "ipcc_diesel.csv").read_text(encoding="utf-8")))
    inv = inventory(balance, "ipcc2006")
    assert inv.energy_total[0, 0] == pytest.approx(3186.3, abs=0.05)


@pytest.mark.parametrize("case", _csv("guideline_products.csv"), ids=lambda c: c["fuel"])
def test_guideline_factor_products_match_the_cited_values(case):
    fac = factors.combustion_factor("guideline", case["fuel"], 2020)
    assert fac is not None
    per_unit_t = fac.ncv_tj_per(case["per_unit"]) * fac.ef_t_per_tj  # t CO2 per unit
    kg = per_unit_t * 1000.0
    assert abs(kg - float(case["value"])) <= 0.5 * 10 ** -int(case["decimals"])


def test_guideline_product_is_ncv_times_carbon_content_times_oxidation_times_44_over_12():
    # 原煤: 20,908 kJ/kg × 26.37 tC/TJ × 0.94 × 44/12, by hand: 20.908e-3 TJ/t × 26.37 × 0.94 × 3.6667
    fac = factors.combustion_factor("guideline", "raw_coal", 2015)
    assert fac is not None
    by_hand = 20.908e-3 * 26.37 * 0.94 * 44 / 12
    assert fac.ncv_tj_per("t") * fac.ef_t_per_tj == pytest.approx(by_hand, rel=1e-12)


@pytest.mark.parametrize("case", _csv("standard_coal.csv"), ids=lambda c: c["fuel"])
def test_standard_coal_coefficients_reproduce_gb_t_2589(case):
    fuel = factors.fuels()[case["fuel"]]
    qty = units.convert(float(case["quantity"]), case["unit"], fuel.unit)
    text = f"region,year,sector,fuel,quantity,unit\nX,2020,S45,{case['fuel']},{qty!r},{fuel.unit}\n"
    tce = total_energy(read_balance(parse_csv(text)), "calorific")[0, 0]
    assert abs(tce - float(case["tce"])) <= 0.5 * 10 ** -int(case["decimals"])


IPCC_NAME = {
    "raw_coal": "bituminous_coal",
    "cleaned_coal": "coking_coal",
    "kerosene": "jet_kerosene",
    "lng": "natural_gas",
}


def test_library_agrees_with_the_shared_reference_tables():
    """tests/golden/inventory/reference/ holds copies of the shared reference files (IPCC Tables 1.2/1.4,
    GB/T 2589 coefficients); every library row marked matches_reference_file must equal them."""
    ipcc = {r["fuel_en"]: r for r in _csv("reference/ipcc2006-stationary-defaults.csv")}
    checked = 0
    for fac in factors.combustion_factors():
        if fac.factor_set != "ipcc2006" or fac.check_status != "matches_reference_file":
            continue
        ref = ipcc[IPCC_NAME.get(fac.fuel, fac.fuel)]
        assert fac.co2_ef == float(ref["co2_ef_kg_per_tj"]), fac.fuel
        if fac.ncv_unit == "TJ/Gg":
            assert fac.ncv == float(ref["ncv_tj_per_gg"]), fac.fuel
        checked += 1
    china = {r["fuel_zh"]: r for r in _csv("reference/china-standard-coal-coefficients.csv")}
    names = {f.name_zh: f.code for f in factors.fuels().values()}
    names["电力(当量值)"] = "electricity"
    for zh, ref in china.items():
        sc = factors.standard_coal()[names[zh]]
        assert sc.coefficient == float(ref["tce_coefficient"]), zh
        fac = factors.combustion_factor("guideline", names[zh], 2020)
        if fac is not None and ref["ncv"]:
            assert fac.ncv == float(ref["ncv"]), zh
        checked += 1
    assert checked >= 30


def test_sector_list_is_the_ceads_47_sectors_in_order():
    published = _csv("ceads_sectors.csv")
    ours = [s for s in factors.sectors().values() if s.role == "final"]
    assert len(published) == len(ours) == 47
    for row, sector in zip(published, ours, strict=True):
        assert sector.ceads_no == row["ceads_no"]
        assert sector.name_en.lower() == row["name_en"].lower(), sector.code


CEADS_FUEL = {
    "Diesel Oil": "diesel",
    "LPG": "lpg",
    "Other Gas": "other_gas",
    "Coke Oven Gas": "coke_oven_gas",
}


def test_every_ceads_fuel_has_a_code_and_a_guideline_factor():
    by_name = {f.name_en.lower(): f.code for f in factors.fuels().values()}
    for row in _csv("ceads_fuels.csv"):
        code = CEADS_FUEL.get(row["name_en"]) or by_name[row["name_en"].lower()]
        assert factors.combustion_factor("guideline", code, 2015) is not None, code


def test_ceads_process_totals_are_reproduced_from_cement_output():
    """tests/golden/inventory/ceads_cement/README.md: CEADs' published Process column (Mt CO2) from
    cement output × CEADs' stated 0.2906 t CO2/t, within the rounding of the printed activity."""
    text = (GOLDEN / "ceads_cement" / "inputs.csv").read_text(encoding="utf-8")
    rows = parse_csv(text)
    inv = inventory(read_balance(rows), "ceads")
    expected = _csv("ceads_cement/expected.csv")
    assert len(expected) == 8
    decimals = {(r["region"], int(r["year"])): len(r["quantity"].partition(".")[2]) for r in rows}
    for case in expected:
        key = (case["region"], int(case["year"]))
        r = inv.balance.regions.index(case["region"])
        y = inv.balance.years.index(int(case["year"]))
        got_mt = inv.process_total[r, y] / 1e6
        tolerance_mt = 0.5 * 10 ** -decimals[key] * 1e4 * 0.2906 / 1e6
        assert abs(got_mt - float(case["process_mt_co2"])) <= tolerance_mt, key
        assert inv.energy_total[r, y] == 0


def test_ceads_set_has_no_combustion_factors_yet_so_fuel_rows_are_errors():
    from carbonpeak.errors import BalanceError

    text = "region,year,sector,fuel,quantity,unit\nA,2015,S01,diesel,1,万t\n"
    with pytest.raises(BalanceError) as err:
        inventory(read_balance(parse_csv(text)), "ceads")
    assert [p.rule for p in err.value.problems] == ["factor.missing"]
