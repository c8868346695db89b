"""The budget engine: Hangzhou's arithmetic, allocation, profile, execution, probability and each
warning level reached by a constructed case."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carbonpeak.budget import budget as b
from carbonpeak.budget.rules import packaged_rules, parse_rules, thresholds

T = b.Thresholds(level1_ratio=1.05, level1_probability=0.2, level2_ratio=1.0, level2_probability=0.5)


def test_hangzhou_intensity_path_through_the_budget_engine():
    # Hangzhou 2025: 0.433 t/万元 (−4.7 % on 2024), −16 % over the 15th plan gives 0.364 in 2030
    assert round(b.target_intensity(0.433, -0.16, 2025, 2030, 2030), 3) == 0.364
    assert b.target_intensity(0.433, -0.16, 2025, 2030, 2025) == pytest.approx(0.433)
    # the path compounds a constant rate: −3.43 %/yr, each year's budget intensity on it
    rate = b.annual_rate(-0.16, 5)
    assert rate == pytest.approx(-0.03427, abs=1e-5)
    assert b.target_intensity(0.433, -0.16, 2025, 2030, 2027) == pytest.approx(0.433 * (1 + rate) ** 2)
    # 2024 from the −4.7 %: 0.433 / 0.953
    assert round(b.target_intensity(0.433 / 0.953, -0.047, 2024, 2025, 2025), 3) == 0.433
    # B = I × GDP: t/万元 × 亿元 = 万t
    assert b.annual_budget(0.364, 25_000.0) == pytest.approx(9_100.0)


def test_the_path_refuses_a_target_before_its_base():
    with pytest.raises(ValueError):
        b.target_intensity(1.0, -0.1, 2025, 2025, 2025)


def test_allocation_sums_to_the_total_and_follows_the_weights():
    shares = {"emissions": {"a": 300.0, "b": 100.0}, "gdp": {"a": 100.0, "b": 100.0}}
    out = b.allocate(1000.0, {"emissions": 0.5, "gdp": 0.5}, shares)
    assert sum(out.values()) == pytest.approx(1000.0)
    assert out["a"] == pytest.approx(1000 * (0.5 * 0.75 + 0.5 * 0.5))
    adjusted = b.allocate(1000.0, {"emissions": 1.0}, shares, {"a": 0.9})
    assert sum(adjusted.values()) == pytest.approx(1000.0)
    assert adjusted["a"] / adjusted["b"] == pytest.approx(3 * 0.9)
    # a basis with no amounts is left out
    assert b.allocate(
        10.0, {"emissions": 0.7, "gdp": 0.3}, {"emissions": {"a": 1.0, "b": 1.0}, "gdp": {}}
    ) == {
        "a": 5.0,
        "b": 5.0,
    }


def test_profile_and_execution():
    year = np.array([2.0] * 6 + [1.0] * 6)
    prof = b.monthly_profile([year, year * 3])
    assert prof.sum() == pytest.approx(1.0)
    assert prof[0] == pytest.approx(2 / 18)
    ex = b.execution(180.0, prof, ytd=130.0, months=6, gdp=100.0)
    assert ex.budget_ytd == pytest.approx(120.0)
    assert ex.ratio == pytest.approx(130 / 120)
    assert ex.full_year == pytest.approx(130 / (12 / 18))
    assert ex.intensity_budget == pytest.approx(1.8)


def test_probability_counts_the_draws_within_budget():
    spread = np.array([0.9, 1.0, 1.1, 1.2])
    assert b.meet_probability(50.0, 50.0, 102.0, spread, np.zeros(4)) == pytest.approx(0.5)
    assert b.meet_probability(100.0, 0.0, 105.0, spread, np.array([0.0, 0.1, -0.1, 0.0])) == pytest.approx(
        0.75
    )


@pytest.mark.parametrize(
    ("ytd", "probability", "level", "name"),
    [
        (110.0, 0.9, 1, "一级（十分严峻）"),  # 110 % of the budget to date
        (100.0, 0.1, 1, "一级（十分严峻）"),  # on budget, but little chance of keeping to it
        (103.0, 0.9, 2, "二级（比较严峻）"),
        (98.0, 0.4, 2, "二级（比较严峻）"),
        (95.0, 0.8, 3, "三级（基本顺利）"),
    ],
)
def test_each_warning_level_is_reached(ytd, probability, level, name):
    ex = b.execution(1200.0, np.full(12, 1 / 12), ytd=ytd, months=1, gdp=1000.0)
    w = b.warning_level(ex.ratio, probability, T)
    assert (w.level, w.name_zh) == (level, name)
    assert bool(w.reasons) == (level != 3)


def test_the_packaged_thresholds_and_rules_load():
    t = thresholds()
    assert t.level1_ratio > t.level2_ratio and t.level1_probability < t.level2_probability
    rules = packaged_rules()
    assert rules.period_of(2026).base_year == 2025
    assert rules.period_of(2025).base_year == 2020
    assert rules.period_of(2040) is None


def test_a_broken_rule_file_names_every_fault():
    from carbonpeak.errors import InputError

    text = (
        "periods: [{base_year: 2025, target_year: 2020, change: -0.1, source: x}]\n"
        "allocation: {districts: {weights: {votes: 1}, source: x},\n"
        "  sectors: {weights: {emissions: 1}, source: x}}\n"
        "project: {replacement_ratio: 1, replacement_source: x}\n"
    )
    with pytest.raises(InputError) as info:
        parse_rules(text, "office.yaml")
    rules = {p.rule for p in info.value.problems}
    assert rules == {"budget.period", "budget.weights"}
    assert all(p.message_zh and p.message_en for p in info.value.problems)


amounts = st.dictionaries(st.sampled_from("abcdef"), st.floats(0.1, 1e4), min_size=1)


@given(st.floats(1.0, 1e5), amounts, amounts, st.floats(0.0, 1.0))
def test_allocation_always_sums_to_the_budget(total, emissions, gdp, w):
    out = b.allocate(total, {"emissions": w + 0.01, "gdp": 1.0 - w}, {"emissions": emissions, "gdp": gdp})
    assert sum(out.values()) == pytest.approx(total, rel=1e-9)
    assert all(v >= 0 for v in out.values())
