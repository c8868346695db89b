"""Total energy by the calorific-value and coal-equivalent methods, and the primary-energy mix."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import balance_of

from carbonpeak.accounting import energy_mix, total_energy
from carbonpeak.accounting.energy import MIX_PARTS, import_non_fossil_share

HEAD = "region,year,sector,fuel,quantity,unit\n"


def test_calorific_total_by_hand(tiny):
    # 万tce: power coal 100 × 0.7143 + electricity (25 − 20) × 1.229 + coking (10 × 0.7143 − 7 × 0.9714)
    #        + coke 7 × 0.9714 + diesel 1 × 1.4571
    expected = (100 * 0.7143 + 5 * 1.229 + (10 * 0.7143 - 7 * 0.9714) + 7 * 0.9714 + 1.4571) * 1e4
    assert total_energy(tiny, "calorific")[0, 0] == pytest.approx(expected)


def test_coal_equivalent_values_net_electricity_at_the_generation_coal_rate():
    text = HEAD + "A,2020,S46,electricity,10,亿kWh\nA,2020,IMPORT,electricity,10,亿kWh\n"
    b = balance_of(text)
    assert total_energy(b, "calorific")[0, 0] == pytest.approx(10 * 1.229e4)
    assert total_energy(b, "coal_equivalent")[0, 0] == pytest.approx(1e9 * 287e-6)  # 287 gce/kWh (2020)


def test_mix_shares_sum_to_one_and_trace_products_to_their_kind(tiny):
    mix = energy_mix(tiny, "coal_equivalent")
    total = sum(mix[k] for k in MIX_PARTS)
    np.testing.assert_allclose(total, 1.0)
    assert mix["gas"][0, 0] == 0
    # coke burnt in steel counts as coal; only diesel is oil
    oil = 1.4571e4 / total_energy(tiny, "coal_equivalent")[0, 0]
    assert mix["oil"][0, 0] == pytest.approx(oil)


def test_local_non_fossil_generation_is_the_non_fossil_share():
    # 4 亿kWh consumed, 1 produced from coal: the other 3 are local hydro/wind/solar
    text = HEAD + (
        "A,2020,S46,electricity,4,亿kWh\nA,2020,T_POWER,electricity,-1,亿kWh\nA,2020,T_POWER,raw_coal,0.5,万t\n"
    )
    mix = energy_mix(balance_of(text), "coal_equivalent")
    ne = 3e8 * 287e-6  # tce
    coal = 0.5e4 * 0.7143
    assert mix["non_fossil"][0, 0] == pytest.approx(ne / (ne + coal))
    assert mix["net_import_electricity"][0, 0] == 0


# 5 亿kWh imported, 10 亿kWh used, 5 from a coal plant burning 2 万t raw coal (2020: 287 gce/kWh)
IMPORTS = HEAD + (
    "A,2020,S46,electricity,10,亿kWh\nA,2020,T_POWER,electricity,-5,亿kWh\n"
    "A,2020,T_POWER,raw_coal,2,万t\nA,2020,IMPORT,electricity,5,亿kWh\n"
)


def test_origin_convention_counts_the_non_fossil_part_of_imported_electricity():
    b = balance_of(IMPORTS)
    imp = 5e8 * 287e-6  # tce
    coal = 2e4 * 0.7143
    mix = energy_mix(b, "coal_equivalent", import_share=0.25)
    assert mix["non_fossil"][0, 0] == pytest.approx(0.25 * imp / (imp + coal))
    assert mix["net_import_non_fossil"][0, 0] == pytest.approx(0.25 * imp / (imp + coal))
    assert mix["net_import_electricity"][0, 0] == pytest.approx(imp / (imp + coal))
    old = energy_mix(b, "coal_equivalent", convention="separate")
    assert old["non_fossil"][0, 0] == pytest.approx(0.0, abs=1e-12)
    # the partition is the same under both conventions
    for k in MIX_PARTS:
        np.testing.assert_allclose(old[k], mix[k])


def test_import_share_defaults_to_the_tabulated_national_share_with_a_note():
    b = balance_of(IMPORTS)
    share, notes = import_non_fossil_share(b)
    assert share[0, 0] == pytest.approx(0.339)  # CEC 2020 全口径非化石能源发电量占比 33.9%
    assert any("A" in n for n in notes)  # region A is not in grid_regions.csv: national rows, noted
    mix = energy_mix(b, "coal_equivalent")
    assert mix["non_fossil"][0, 0] == pytest.approx(0.339 * mix["net_import_electricity"][0, 0])
    # 2023 not tabulated for CN: the nearest year, 2022 (CEC 36.2 %), noted
    later, notes = import_non_fossil_share(balance_of(IMPORTS.replace("2020", "2023")))
    assert later[0, 0] == pytest.approx(0.362) and any("2023" in n for n in notes)


def test_import_share_uses_the_province_before_the_regional_grid_and_the_nation():
    # 济南市 → 山东 (grid_regions.csv); 山东 2024: 27.5 % (Shandong statistics bureau, 2024 review)
    imports = IMPORTS.replace("A,", "济南市,").replace("2020", "2024")
    share, notes = import_non_fossil_share(balance_of(imports))
    assert share[0, 0] == pytest.approx(0.275) and notes == []
    # 2021 is not tabulated for 山东: its nearest Shandong year (2023, 24.3 %), not the national 34.5 %
    share, notes = import_non_fossil_share(balance_of(imports.replace("2024", "2021")))
    assert share[0, 0] == pytest.approx(0.243) and any("2021" in n for n in notes)


def test_import_share_must_be_a_fraction():
    with pytest.raises(ValueError, match="fraction"):
        import_non_fossil_share(balance_of(IMPORTS), 1.5)


def test_a_small_oversupply_is_a_statistical_difference_not_negative_non_fossil():
    # 10.00002 亿kWh supplied (5 local coal + 5.00002 imported) for 10 used: a rounding surplus
    text = IMPORTS.replace("IMPORT,electricity,5,", "IMPORT,electricity,5.00002,")
    mix = energy_mix(balance_of(text), "coal_equivalent", convention="separate")
    assert mix["non_fossil"][0, 0] == 0.0 and mix["non_fossil_local"][0, 0] == 0.0
    assert mix["statistical_difference"][0, 0] < 0
    np.testing.assert_allclose(sum(mix[k] for k in MIX_PARTS), 1.0)


def test_tabulated_share_of_a_named_grid_by_year_with_substitutions_noted():
    from carbonpeak.accounting.energy import tabulated_share

    # CEC national shares: 2020 33.9 %, 2022 36.2 %; 2024 not tabulated → 2022, noted
    share, notes = tabulated_share("CN", [2020, 2022, 2024])
    assert share.tolist() == pytest.approx([0.339, 0.362, 0.362])
    assert len(notes) == 1 and "2024" in notes[0]
    with pytest.raises(ValueError, match="no row"):
        tabulated_share("Atlantis", [2020])
