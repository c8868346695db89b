"""Property tests: totals are sums of parts; scaling activity scales emissions; unit round-trips."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carbonpeak import units
from carbonpeak.accounting import factors, inventory, read_balance, total_energy

FUELS = [c for c, f in factors.fuels().items() if factors.combustion_factor("guideline", c, 2020) is not None]
FINAL = [s for s, v in factors.sectors().items() if v.role == "final"]

rows = st.lists(
    st.tuples(
        st.sampled_from(["A", "B"]),
        st.sampled_from([2021, 2022]),
        st.sampled_from([*FINAL[:6], "T_POWER", "T_HEAT", "S46"]),
        st.sampled_from(FUELS),
        st.floats(min_value=0.0, max_value=1e4, allow_nan=False),
    ),
    min_size=1,
    max_size=25,
)


def _balance(data, scale=1.0, to_base=False):
    table = factors.fuels()
    out = []
    for r, y, s, f, q in data:
        unit = table[f].unit
        if to_base:  # the same quantity written in the base unit of its dimension (t, m3)
            base = units.lookup(unit).base
            q, unit = units.convert(q, unit, base), base
        row = {"region": r, "year": str(y), "sector": s, "fuel": f}
        out.append({**row, "quantity": repr(q * scale), "unit": unit})
    return read_balance(out)


@settings(max_examples=40, deadline=None)
@given(rows)
def test_totals_equal_the_sums_of_their_parts(data):
    inv = inventory(_balance(data), "guideline")
    np.testing.assert_allclose(inv.energy_total, inv.co2_energy.sum(axis=(2, 3)))
    by_sector = inv.co2_energy.sum(axis=3)
    by_fuel = inv.co2_energy.sum(axis=2)
    np.testing.assert_allclose(by_sector.sum(axis=2), by_fuel.sum(axis=2), rtol=1e-12, atol=1e-6)
    np.testing.assert_allclose(inv.total, inv.energy_total + inv.process_total + inv.indirect_electricity)


@settings(max_examples=40, deadline=None)
@given(rows, st.floats(min_value=0.01, max_value=100.0))
def test_scaling_all_activity_scales_emissions_and_energy(data, k):
    a, b = _balance(data), _balance(data, scale=k)
    np.testing.assert_allclose(inventory(b).co2_energy, k * inventory(a).co2_energy, rtol=1e-9, atol=1e-6)
    np.testing.assert_allclose(total_energy(b), k * total_energy(a), rtol=1e-9, atol=1e-6)


@settings(max_examples=30, deadline=None)
@given(rows)
def test_the_same_balance_in_other_units_gives_the_same_inventory(data):
    a, b = _balance(data), _balance(data, to_base=True)
    np.testing.assert_allclose(inventory(b).co2_energy, inventory(a).co2_energy, rtol=1e-9, atol=1e-6)


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False),
    st.sampled_from(sorted({f.unit for f in factors.fuels().values()})),
)
def test_unit_round_trips_of_fuel_units_are_identities(x, unit):
    base = units.lookup(unit).base
    assert units.convert(units.convert(x, unit, base), base, unit) == pytest.approx(x, rel=1e-12, abs=1e-9)


def test_every_fuel_unit_is_in_the_unit_table_with_the_right_size():
    # GB 3101: 万 = 1e4, 亿 = 1e8
    expected = {
        "万t": ("t", 1e4),
        "亿m3": ("m3", 1e8),
        "亿kWh": ("kWh", 1e8),
        "万GJ": ("GJ", 1e4),
        "万tce": ("tce", 1e4),
    }
    for fuel in factors.fuels().values():
        small, size = expected[fuel.unit]
        assert units.convert(1.0, fuel.unit, small) == pytest.approx(size), fuel.code
