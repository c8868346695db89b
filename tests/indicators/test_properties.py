"""Properties of target tracking: on the trajectory is on track; moving away never improves the status."""

from __future__ import annotations

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from carbonpeak.indicators.config import load_status_config
from carbonpeak.indicators.progress import assess_target, trajectory_value
from tests.indicators.helpers import REGION, observations, target

CONFIG = load_status_config()
RANK = {"achieved": 0, "on_track": 1, "at_risk": 2, "off_track": 3}


@st.composite
def level_case(draw: st.DrawFn):
    base_year = draw(st.integers(2000, 2025))
    target_year = base_year + draw(st.integers(1, 30))
    base = draw(st.floats(0, 1e5))
    goal = draw(st.floats(0, 1e5))
    assume(abs(goal - base) > 1e-3 * max(1.0, base))
    direction = "at_least" if goal > base else "at_most"
    return base_year, target_year, base, goal, direction


@st.composite
def reduction_case(draw: st.DrawFn):
    base_year = draw(st.integers(2000, 2025))
    target_year = base_year + draw(st.integers(1, 30))
    base = draw(st.floats(0.01, 100))
    reduction = draw(st.floats(0.5, 95))
    return base_year, target_year, base, reduction


def assess_level(case, year: int, value: float) -> str:
    base_year, target_year, base, goal, direction = case
    t = target(
        base_year=base_year, base_value=base, target_year=target_year, target_value=goal, direction=direction
    )
    points = {base_year: base, year: value} if year != base_year else {year: value}
    return assess_target(t, observations(("x", "万kW", points)), REGION, year, CONFIG).status


def assess_reduction(case, year: int, value: float) -> str:
    base_year, target_year, base, reduction = case
    t = target(
        indicator="x_reduction",
        metric="reduction",
        unit="%",
        base_year=base_year,
        target_year=target_year,
        target_value=reduction,
    )
    points = {base_year: base, year: value} if year != base_year else {year: base}
    return assess_target(t, observations(("x", "tce/万元", points)), REGION, year, CONFIG).status


@settings(max_examples=200, deadline=None)
@given(level_case(), st.floats(0, 1))
def test_level_on_trajectory_is_on_track(case, f):
    base_year, target_year, base, goal, _ = case
    year = base_year + int(f * (target_year - base_year - 1))
    value = trajectory_value(base, goal, base_year, target_year, year, "linear")
    assert assess_level(case, year, value) == "on_track"


@settings(max_examples=200, deadline=None)
@given(reduction_case(), st.floats(0, 1))
def test_reduction_on_trajectory_is_on_track(case, f):
    base_year, target_year, base, reduction = case
    year = base_year + int(f * (target_year - base_year - 1))
    value = trajectory_value(base, base * (1 - reduction / 100), base_year, target_year, year, "compound")
    assert assess_reduction(case, year, value) == "on_track"


@settings(max_examples=300, deadline=None)
@given(level_case(), st.floats(0, 1), st.floats(-1, 2), st.floats(0, 1))
def test_level_moving_away_never_improves(case, f, position, step):
    base_year, target_year, base, goal, _ = case
    year = base_year + 1 + int(f * (target_year - base_year))  # may reach the target year
    value = base + position * (goal - base)
    farther = value - step * (goal - base)  # away from the target
    assert RANK[assess_level(case, year, farther)] >= RANK[assess_level(case, year, value)]


@settings(max_examples=300, deadline=None)
@given(reduction_case(), st.floats(0, 1), st.floats(0.05, 2), st.floats(0, 1))
def test_reduction_moving_away_never_improves(case, f, ratio, step):
    base_year, target_year, base, _ = case
    year = base_year + 1 + int(f * (target_year - base_year))
    value = base * ratio
    farther = value * (1 + step)  # a higher intensity is farther from a reduction target
    assert RANK[assess_reduction(case, year, farther)] >= RANK[assess_reduction(case, year, value)]
