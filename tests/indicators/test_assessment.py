"""Non-fossil share with imported electricity credited, and assessment-rule energy intensity (by hand)."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.indicators.assessment import (
    assessed_energy,
    assessment_intensity,
    intensity_change,
    non_fossil_share,
    non_fossil_share_lines,
)


def test_imports_are_credited_at_the_share_of_the_grid_they_come_from():
    # 100 total, 4 local PV, 20 net import at Shandong 2024's 27.5 %: (4 + 5.5) / 100
    assert non_fossil_share(4.0, 20.0, 100.0, 0.275) == pytest.approx(0.095)
    lines = non_fossil_share_lines(
        4.0, 20.0, 100.0, {"no_credit": 0.0, "provincial": 0.275, "national": 0.362}
    )
    assert lines == pytest.approx({"no_credit": 0.04, "provincial": 0.095, "national": 0.1124})


def test_a_net_exporter_gives_up_the_non_fossil_part_of_its_exports():
    assert non_fossil_share(10.0, -8.0, 100.0, 0.25) == pytest.approx(0.08)


def test_an_import_share_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="fraction"):
        non_fossil_share(1.0, 1.0, 10.0, 1.2)


def test_the_assessment_deducts_raw_material_and_non_fossil_energy_in_both_years():
    # base 2020: 5000 total, 400 feedstock, 250 non-fossil, GDP 10000; 2024: 5200, 500, 450, GDP 12000
    r = assessment_intensity(
        5000.0,
        10000.0,
        5200.0,
        12000.0,
        raw_material_base=400.0,
        raw_material=500.0,
        non_fossil_base=250.0,
        non_fossil=450.0,
    )
    assert r.statistical_change == pytest.approx(5200 / 12000 / (5000 / 10000) - 1)  # −13.33 %
    assert r.assessment_change == pytest.approx(4250 / 12000 / (4350 / 10000) - 1)  # −18.58 %
    assert r.deducted_base == pytest.approx(650.0) and r.deducted == pytest.approx(950.0)
    # the assessment figure meets −14.8 % where the statistical one does not
    assert r.assessment_change < -0.148 < r.statistical_change


def test_deductions_larger_than_the_total_are_refused():
    with pytest.raises(ValueError, match="exceed"):
        assessed_energy(100.0, 80.0, 30.0)


@given(st.floats(1, 1e4), st.floats(1, 1e4), st.floats(0.01, 100))
def test_without_deductions_both_figures_agree_and_scaling_gdp_cancels(e0, e1, k):
    r = assessment_intensity(e0, 100.0, e1, 120.0)
    assert r.assessment_change == pytest.approx(r.statistical_change)
    assert intensity_change(e0, 100.0 * k, e1, 120.0 * k) == pytest.approx(r.statistical_change)


def test_arrays_broadcast_year_by_year():
    out = non_fossil_share(
        np.array([1.0, 2.0]), np.array([10.0, 10.0]), np.array([100.0, 100.0]), np.array([0.2, 0.3])
    )
    np.testing.assert_allclose(out, [0.03, 0.05])
