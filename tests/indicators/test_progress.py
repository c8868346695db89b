"""Target tracking, computed by hand: each metric kind and each status boundary."""

from __future__ import annotations

import math

import numpy as np
import pytest

from carbonpeak.indicators.config import load_status_config
from carbonpeak.indicators.progress import (
    assess_plan,
    assess_target,
    average_change,
    classify,
    peak_status,
    trajectory_value,
    worse,
)
from carbonpeak.plan.schema import Plan
from tests.indicators.helpers import REGION, observations, target

CONFIG = load_status_config()


def level(value: float, year: int = 2025, **kw: object):
    """A level target 0 → 100 万kW, 2020 → 2030 (linear), observed at `value` in `year`."""
    t = target(base_year=2020, base_value=0.0, **kw)
    obs = observations(("x", "万kW", {2020: 0.0, year: value}))
    return assess_target(t, obs, REGION, year, CONFIG)


def test_trajectory_value_linear_and_compound():
    assert trajectory_value(100, 200, 2020, 2030, 2024, "linear") == pytest.approx(140)
    assert trajectory_value(1.0, 0.852, 2020, 2025, 2024, "compound") == pytest.approx(0.852**0.8)
    assert trajectory_value(1.0, 0.5, 2020, 2030, 2019, "compound") == 1.0  # before the base year
    assert trajectory_value(1.0, 0.5, 2020, 2030, 2035, "compound") == 0.5  # after the target year


def test_average_change():
    assert average_change(100, 121, 2, "compound") == pytest.approx(10.0)
    assert average_change(100, 140, 4, "linear") == pytest.approx(10.0)
    assert average_change(100, 140, 0, "linear") is None
    assert average_change(0, 140, 3, "compound") is None


def test_level_target_on_its_trajectory():
    p = level(40.0, year=2024)
    assert p.status == "on_track"
    assert p.progress == pytest.approx(40.0)
    assert p.expected == pytest.approx(40.0)
    assert p.required_rate == pytest.approx((100 - 40) / 6)  # 万kW a year
    assert p.achieved_rate == pytest.approx(40 / 4)
    assert p.rate_kind == "absolute"


@pytest.mark.parametrize(
    ("value", "status"),
    [
        (100.0, "achieved"),  # progress 100
        (99.99, "on_track"),  # ahead of the 50 % expected in 2025
        (50.0, "on_track"),  # exactly on the trajectory: shortfall 0 = on_track_tolerance
        (49.99, "at_risk"),  # shortfall 0.01
        (25.0, "at_risk"),  # shortfall 25 = at_risk_max_shortfall
        (24.99, "off_track"),  # shortfall 25.01
        (0.0, "off_track"),  # no progress at all
        (-5.0, "off_track"),  # moved away
    ],
)
def test_status_boundaries_in_2025(value: float, status: str):
    assert level(value).status == status


def test_about_target_is_achieved_within_tolerance():
    assert level(95.0, direction="about").status == "achieved"  # 100 − about_tolerance (5)
    assert level(94.99, direction="about").status == "on_track"


def test_target_year_passed_without_the_target_is_off_track():
    assert level(99.0, year=2030).status == "off_track"
    assert level(100.0, year=2030).status == "achieved"


def test_classify_needs_some_progress_to_be_at_risk():
    assert classify(0.0, 10.0, CONFIG) == "off_track"
    assert classify(0.001, 10.0, CONFIG) == "at_risk"


def test_reduction_target_compound_on_intensity():
    # 单位GDP能耗比2020年降低14.8%, 2025; intensity 1.0 (2020) → 0.9 (2024)
    t = target(
        indicator="energy_intensity_reduction",
        metric="reduction",
        unit="%",
        base_year=2020,
        target_year=2025,
        target_value=14.8,
    )
    obs = observations(("energy_intensity", "tce/万元", {2020: 1.0, 2021: 0.98, 2024: 0.9}))
    p = assess_target(t, obs, REGION, 2024, CONFIG)
    goal = 0.852
    assert p.series == "energy_intensity"
    assert p.latest == pytest.approx(10.0)  # % below 2020
    assert p.progress == pytest.approx(10.0 / 14.8 * 100)
    assert p.expected == pytest.approx((1 - goal**0.8) * 100)  # 12.03 %
    assert p.expected_progress == pytest.approx((1 - goal**0.8) / 0.148 * 100)
    assert p.required_rate == pytest.approx((goal / 0.9 - 1) * 100)  # −5.33 % in 2025
    assert p.achieved_rate == pytest.approx((0.9**0.25 - 1) * 100)
    assert p.recent_rate == pytest.approx(((0.9 / 0.98) ** (1 / 3) - 1) * 100)  # 2021 → 2024
    assert p.rate_kind == "percent"
    shortfall = p.expected_progress - p.progress  # 81.3 − 67.6 = 13.7 points
    assert 0 < shortfall < 25 and p.status == "at_risk"


def test_reduction_from_a_reduction_series():
    # observations that already give the % reduction against the same base year
    t = target(
        indicator="co2_intensity_reduction",
        metric="reduction",
        unit="%",
        base_year=2005,
        target_year=2030,
        target_value=68.0,
    )
    obs = observations(("co2_intensity_reduction", "%", {2020: 48.0, 2024: 56.0}))
    p = assess_target(t, obs, REGION, 2024, CONFIG)
    assert p.latest == pytest.approx(56.0)
    assert p.expected == pytest.approx((1 - 0.32 ** (19 / 25)) * 100)
    assert p.status == "at_risk"  # 82.4 % covered vs 85.2 % expected


def test_share_target_takes_its_base_from_the_default_base_year():
    t = target(indicator="non_fossil_share", metric="share", unit="%", target_year=2025, target_value=7.0)
    obs = observations(("non_fossil_share", "%", {2019: 3.0, 2020: 4.0, 2024: 6.0}))
    p = assess_target(t, obs, REGION, 2024, CONFIG)
    assert p.base_year == 2020 and p.base_value == 4.0
    assert p.progress == pytest.approx(2 / 3 * 100)
    assert p.expected == pytest.approx(4.0 + 3.0 * 0.8)
    assert p.required_rate == pytest.approx(1.0)  # percentage points a year
    assert p.status == "at_risk"  # 66.7 % vs 80 %


def test_count_target_converts_units():
    t = target(
        indicator="chargers",
        metric="count",
        unit="万个",
        base_year=2020,
        base_value=1.0,
        target_year=2025,
        target_value=8.0,
    )
    obs = observations(("chargers", "个", {2024: 80_000.0}))
    p = assess_target(t, obs, REGION, 2024, CONFIG)
    assert p.latest == pytest.approx(8.0)
    assert p.status == "achieved"


def test_pending_qualitative_and_missing():
    pending = target(
        metric="reduction", unit="%", target_value=None, value_pending=True, indicator="x_reduction"
    )
    obs = observations(("x", "tce/万元", {2020: 1.0, 2024: 0.8}))
    p = assess_target(pending, obs, REGION, 2024, CONFIG)
    assert p.status == "no_data" and p.latest == pytest.approx(20.0)
    assert p.explanation[0].key == "indicators.explain.pending"
    q = assess_target(target(metric="qualitative", target_value=None), obs, REGION, 2024, CONFIG)
    assert q.status == "no_data" and q.explanation[0].key == "indicators.explain.qualitative"
    missing = assess_target(target(indicator="nothing"), obs, REGION, 2024, CONFIG)
    assert missing.status == "no_data" and missing.explanation[0].key == "indicators.explain.no_series"


def test_observations_after_the_year_judged_are_ignored():
    t = target(base_year=2020, base_value=0.0)
    obs = observations(("x", "万kW", {2020: 0.0, 2022: 20.0, 2026: 100.0}))
    p = assess_target(t, obs, REGION, 2023, CONFIG)
    assert p.latest_year == 2022 and p.status == "on_track"


def test_peak_from_trend():
    years = np.array([2020, 2021, 2022, 2023])
    rising = np.array([100.0, 101.0, 102.0, 103.0])
    status, rate, peak = peak_status(years, rising, 2030, CONFIG)
    assert status == "at_risk" and rate == pytest.approx((1.03 ** (1 / 3) - 1) * 100) and peak == 2023
    fast = np.array([100.0, 104.0, 108.0, 112.0])
    assert peak_status(years, fast, 2030, CONFIG)[0] == "off_track"  # 3.8 %/yr > 2
    falling = np.array([100.0, 103.0, 102.0, 99.0])  # −0.3 %/yr over 2020–2023
    assert peak_status(years, falling, 2030, CONFIG)[0] == "on_track"
    # after the target year: peaked in 2021 and fell since → achieved
    assert peak_status(years, falling, 2022, CONFIG)[0] == "achieved"
    assert peak_status(years, rising, 2022, CONFIG)[0] == "off_track"


def test_peak_probability_hook_overrides_the_trend():
    years, rising = np.array([2020, 2021, 2022]), np.array([100.0, 104.0, 108.0])
    assert peak_status(years, rising, 2030, CONFIG, probability=0.85)[0] == "on_track"
    assert peak_status(years, rising, 2030, CONFIG, probability=0.6)[0] == "at_risk"
    assert peak_status(years, rising, 2030, CONFIG, probability=0.3)[0] == "off_track"


def test_worse():
    assert worse("on_track", "at_risk") == "at_risk"
    assert worse("off_track", "achieved") == "off_track"
    assert worse("no_data", "on_track") == "on_track"


def _plan(*targets) -> Plan:
    return Plan(
        code="test",
        city_zh="某市",
        city_en="A city",
        title_zh="方案",
        title_en="plan",
        source_note="test",
        units=[],
        targets=list(targets),
        programmes=[],
        guarantees=[],
        organisation=[],
        key_projects=[],
    )


def test_milestone_and_final_target_are_both_judged():
    # non-fossil share 4 % (2020) → 7 % (2025 milestone) → 12 % (2030)
    m2025 = target("share_2025", "share", metric="share", unit="%", target_year=2025, target_value=7.0)
    t2030 = target("share_2030", "share", metric="share", unit="%", target_year=2030, target_value=12.0)
    obs = observations(("share", "%", {2020: 4.0, 2024: 6.0}))
    rows = {p.code: p for p in assess_plan(_plan(m2025, t2030), obs, REGION, 2024, CONFIG)}
    # 2030 on its own: 25 % covered vs 40 % expected → at risk; the 2025 milestone: 66.7 % vs 80 % → at risk
    assert rows["share_2030"].own_status == "at_risk"
    assert rows["share_2030"].judged_against == ("share_2025",)
    # the milestone is worse when the final target is comfortably on track:
    obs = observations(("share", "%", {2020: 4.0, 2024: 5.4}))
    t2030_low = target("share_2030", "share", metric="share", unit="%", target_year=2030, target_value=6.0)
    rows = {p.code: p for p in assess_plan(_plan(m2025, t2030_low), obs, REGION, 2024, CONFIG)}
    assert rows["share_2030"].own_status == "on_track"  # 70 % vs 40 %
    assert rows["share_2025"].own_status == "off_track"  # 46.7 % vs 80 %: shortfall 33
    assert rows["share_2030"].status == "off_track"
    # once the milestone year has passed, the final target stands on its own
    rows = {p.code: p for p in assess_plan(_plan(m2025, t2030_low), obs, REGION, 2026, CONFIG)}
    assert rows["share_2030"].judged_against == ()


def test_no_nan_in_results():
    p = level(40.0, year=2024)
    for v in (p.progress, p.expected, p.required_rate, p.achieved_rate):
        assert v is not None and math.isfinite(v)


@pytest.mark.parametrize(
    ("direction", "base", "latest", "status"),
    [
        ("at_least", 7.6, 9.6, "achieved"),
        ("at_least", 7.6, 6.9, "off_track"),
        ("at_most", 5.0, 4.0, "achieved"),
    ],
)
def test_base_already_beyond_the_goal(direction: str, base: float, latest: float, status: str):
    """A share whose base year already beats the goal (progress negative by the formula) is achieved
    while the goal is met, and off track once it is lost."""
    t = target(
        metric="share",
        unit="%",
        target_year=2025,
        target_value=7.0 if direction == "at_least" else 6.0,
        direction=direction,
    )
    obs = observations(("x", "%", {2020: base, 2024: latest}))
    p = assess_target(t, obs, REGION, 2024, CONFIG)
    assert p.status == status
    assert p.progress is None and p.expected_progress is None  # no negative "progress" shown
