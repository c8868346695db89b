"""IPCC Approach 1 and Approach 2 on hand-checkable cases."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import balance_of

from carbonpeak.accounting import approach1, approach2, inventory

HEAD = "region,year,sector,fuel,quantity,unit,flag\n"


def test_approach1_single_product_is_root_sum_of_squares():
    inv = inventory(balance_of(HEAD + "A,2020,S01,diesel,10,万t,published\n"), "ipcc2006")
    _, u = approach1(inv)
    ef_u = (74100 - 72600) / 74100  # IPCC Table 1.4 range 72,600-74,800: the lower side is the wider
    assert u[0, 0] == pytest.approx(np.hypot(0.05, ef_u))


def test_approach1_factor_errors_are_shared_across_sectors_activity_errors_are_not():
    one = inventory(balance_of(HEAD + "A,2020,S01,diesel,10,万t,published\n"), "guideline")
    two = inventory(
        balance_of(HEAD + "A,2020,S01,diesel,5,万t,published\n" + "A,2020,S43,diesel,5,万t,published\n"),
        "guideline",
    )
    _, u1 = approach1(one)
    _, u2 = approach1(two)
    assert u1[0, 0] == pytest.approx(np.hypot(0.05, 0.05))
    assert u2[0, 0] == pytest.approx(np.hypot(0.05 / np.sqrt(2), 0.05))


def test_approach2_same_seed_same_draws_and_agrees_with_approach1():
    inv = inventory(
        balance_of(HEAD + "A,2020,S01,diesel,10,万t,published\n" + "A,2020,S28,coke,10,万t,estimated\n"),
        "guideline",
    )
    a = approach2(inv, 20_000, np.random.default_rng(7), seed=7)
    b = approach2(inv, 20_000, np.random.default_rng(7), seed=7)
    np.testing.assert_array_equal(a.draws, b.draws)
    total, u = approach1(inv)
    assert a.mean[0, 0] == pytest.approx(total[0, 0], rel=0.005)
    lo, hi = a.interval()
    assert (hi[0, 0] - lo[0, 0]) / 2 / total[0, 0] == pytest.approx(u[0, 0], rel=0.05)


def test_indirect_term_widens_the_interval():
    text = HEAD + "A,2022,S01,diesel,1,万t,published\nA,2022,IMPORT,electricity,10,亿kWh,published\n"
    inv = inventory(balance_of(text), "guideline")
    t0, u0 = approach1(inv)
    t1, u1 = approach1(inv, include_indirect=True)
    assert t1[0, 0] > t0[0, 0]
    assert u1[0, 0] * t1[0, 0] > u0[0, 0] * t0[0, 0]  # absolute half-width grows
    mc = approach2(inv, 5000, np.random.default_rng(1), include_indirect=True)
    assert mc.mean[0, 0] == pytest.approx(t1[0, 0], rel=0.01)
