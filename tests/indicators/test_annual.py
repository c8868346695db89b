"""Targets by year and the two veto conditions (indicators/annual.py), hand-checked."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.indicators.annual import (
    AssignedTarget,
    annual_pace,
    cumulative_due,
    target_checks,
    year_reduction,
)


def test_pace_of_14_8_percent_over_five_years() -> None:
    # (1 − 0.148)^(1/5) = 0.968474 → 3.1526 % a year; by 2024 (4 of 5 years) 1 − 0.852^0.8 = 12.027 %
    assert annual_pace(14.8, 5) == pytest.approx(3.1526, abs=1e-4)
    assert cumulative_due(14.8, 2020, 2025, 2024) == pytest.approx(12.0265, abs=1e-4)
    assert cumulative_due(14.8, 2020, 2025, 2025) == pytest.approx(14.8)
    # 10 % below base in 2023, 12 % in 2024: the year's own reduction is 1 − 0.88/0.90 = 2.222 %
    assert year_reduction(12.0, 10.0) == pytest.approx(2.2222, abs=1e-4)


@given(st.floats(0.1, 60), st.integers(1, 10))
def test_pace_compounds_to_the_target(reduction: float, years: int) -> None:
    r = annual_pace(reduction, years) / 100
    assert (1 - (1 - r) ** years) * 100 == pytest.approx(reduction, rel=1e-9)


def test_both_conditions_met_missed_and_which() -> None:
    annual, cumulative = target_checks(
        target="ei",
        unit="city",
        year=2024,
        base_year=2020,
        target_year=2025,
        reduction=14.8,
        cumulative={2023: 10.0, 2024: 12.0},
    )
    # annual: 2.22 % < 3.15 % → missed; cumulative: 12.0 % < 12.03 % → missed by a hair
    assert (annual.state, cumulative.state) == ("missed", "missed")
    assert annual.rate == pytest.approx(2.2222 / 3.1526, abs=1e-4)
    annual, cumulative = target_checks(
        target="ei",
        unit="city",
        year=2024,
        base_year=2020,
        target_year=2025,
        reduction=14.8,
        cumulative={2023: 8.0, 2024: 12.1},
    )
    assert (annual.state, cumulative.state) == ("met", "met")


def test_a_target_without_value_is_not_assessable_never_a_rate() -> None:
    checks = target_checks(
        target="co2",
        unit="city",
        year=2024,
        base_year=2020,
        target_year=2025,
        reduction=None,
        cumulative={2023: 10.0, 2024: 12.0},
    )
    assert [c.state for c in checks] == ["not_assessable", "not_assessable"]
    assert [c.rate for c in checks] == [None, None]
    assert "待省下达" in checks[0].reason_zh


def test_assigned_value_replaces_the_pace_and_a_missing_year_is_not_assessable() -> None:
    given_ = AssignedTarget("co2", "city", 2024, "annual", 2.0, "省下达2024年度目标（测试）")
    annual, cumulative = target_checks(
        target="co2",
        unit="city",
        year=2024,
        base_year=2020,
        target_year=2025,
        reduction=None,
        cumulative={2023: 10.0, 2024: 12.0},
        assigned={"annual": given_},
    )
    assert annual.state == "met" and annual.required == 2.0 and annual.basis.startswith("assigned")
    assert cumulative.state == "not_assessable"  # no cumulative value assigned, none in the plan
    annual, _ = target_checks(
        target="ei",
        unit="city",
        year=2024,
        base_year=2020,
        target_year=2025,
        reduction=14.8,
        cumulative={2024: 12.0},
    )
    assert annual.state == "not_assessable" and "2023" in annual.reason_zh
