"""Total energy by the calorific-value and coal-equivalent methods, and the primary-energy mix."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import balance_of

from carbonpeak.accounting import energy_mix, total_energy

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
    total = sum(v for v in mix.values())
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
