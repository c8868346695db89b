"""Targets → progress, pace and status (the maths of target tracking; no I/O).

    trajectory_value(...)     the value expected in a year on the way from base to target
    average_change(...)       average annual change: compound (% a year) or linear (unit a year)
    progress_percent(...)     share of the way from base to target that is covered (%)
    classify(...)             achieved / on_track / at_risk / off_track from progress and thresholds
    peak_status(...)          status of a peak target from the trend, or from P(peak) when given
    assess_target(...)        one Target against the observations → TargetProgress
    assess_plan(...)          every target of a plan, milestones judged with their final targets

Formulas and their sources are in docs/methods/indicators.md. Rates are per year; a compound
rate is in % a year of the measured series (an intensity falling 4.1 % a year has rate −4.1);
a linear rate is in the target's unit a year (percentage points a year for shares).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

import numpy as np

from carbonpeak.indicators.config import StatusConfig, Trajectory
from carbonpeak.indicators.series import Observations, Series, weakest_flag
from carbonpeak.plan.schema import Plan, Target
from carbonpeak.units import convert, convertible

Status = Literal["achieved", "on_track", "at_risk", "off_track", "no_data"]
STATUSES: tuple[Status, ...] = ("achieved", "on_track", "at_risk", "off_track", "no_data")
# Rank for "worse than": no_data never worsens another status.
_RANK = {"achieved": 0, "on_track": 1, "at_risk": 2, "off_track": 3}
_EPS = 1e-9


@dataclass(frozen=True)
class Explanation:
    """One clause of an explanation: a catalogue key (indicators.explain.*) and its values."""

    key: str
    values: Mapping[str, float | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class TargetProgress:
    """Where one target stands. `latest` and `expected` are in the target's unit (a reduction target:
    % below its base year); `progress` and `expected_progress` in % of the way from base to target."""

    code: str
    indicator: str
    metric: str
    direction: str
    unit: str | None
    target_year: int
    target_value: float | None
    status: Status
    own_status: Status
    series: str | None = None
    latest: float | None = None
    latest_year: int | None = None
    base_year: int | None = None
    base_value: float | None = None
    progress: float | None = None
    expected: float | None = None
    expected_progress: float | None = None
    achieved_rate: float | None = None
    recent_rate: float | None = None
    recent_years: int | None = None
    required_rate: float | None = None
    rate_kind: Literal["percent", "absolute"] | None = None
    flag: str | None = None
    peak_probability: float | None = None
    judged_against: tuple[str, ...] = ()
    explanation: tuple[Explanation, ...] = ()


# -- pure formulas ---------------------------------------------------------------------------------


def trajectory_value(
    base: float, goal: float, base_year: int, target_year: int, year: int, kind: Trajectory
) -> float:
    """Expected value in `year` on the path base → goal (before the base year: base; after: goal)."""
    if target_year <= base_year:
        return goal
    f = min(max((year - base_year) / (target_year - base_year), 0.0), 1.0)
    if kind == "compound" and base > 0 and goal > 0:
        return float(base * (goal / base) ** f)
    return float(base + (goal - base) * f)


def average_change(start: float, end: float, years: int, kind: Trajectory) -> float | None:
    """Average annual change over `years`: compound in % a year, linear in units a year."""
    if years <= 0:
        return None
    if kind == "compound":
        if start <= 0 or end <= 0:
            return None
        return float(((end / start) ** (1.0 / years) - 1.0) * 100.0)
    return (end - start) / years


def progress_percent(base: float, goal: float, value: float) -> float | None:
    """(value − base)/(goal − base)·100; None when the target asks for no change."""
    if abs(goal - base) <= _EPS * max(1.0, abs(base)):
        return None
    return (value - base) / (goal - base) * 100.0


def classify(
    progress: float,
    expected_progress: float,
    config: StatusConfig,
    *,
    about: bool = False,
    past_due: bool = False,
) -> Status:
    """Status from the progress covered and the progress expected now (both %).

    achieved when progress ≥ 100 (100 − about_tolerance for "about" targets); a target whose year
    has passed unachieved is off track; otherwise on track when the shortfall (expected − progress)
    is within `on_track_tolerance`, at risk when within `at_risk_max_shortfall` and some progress has
    been made, off track otherwise. Monotone: less progress never gives a better status.
    """
    t = config.status
    if progress >= 100.0 - (t.about_tolerance if about else 0.0) - _EPS:
        return "achieved"
    if past_due:
        return "off_track"
    shortfall = expected_progress - progress
    if shortfall <= t.on_track_tolerance + _EPS:
        return "on_track"
    if shortfall <= t.at_risk_max_shortfall + _EPS and progress > _EPS:
        return "at_risk"
    return "off_track"


def peak_status(
    years: np.ndarray,
    values: np.ndarray,
    target_year: int,
    config: StatusConfig,
    *,
    probability: float | None = None,
) -> tuple[Status, float | None, int | None]:
    """(status, recent average annual change in %, year of the highest value so far) of a peak target.

    With `probability` (P(peak by target_year) from the projection engine) the status follows the
    probability thresholds. Without it: once the target year has passed, achieved if the highest value
    came no later than the target year and values fell after it; before, the recent trend decides.
    """
    p = config.peak
    if years.size == 0:
        return "no_data", None, None
    peak_year = int(years[int(np.argmax(values))])
    recent = _recent_change(years, values, config.recent_years, "compound")
    rate = recent[0] if recent else None
    if probability is not None:
        if probability >= p.probability_on_track:
            return "on_track", rate, peak_year
        return ("at_risk" if probability >= p.probability_at_risk else "off_track"), rate, peak_year
    if years.size < 2 or rate is None:
        return "no_data", rate, peak_year
    if int(years[-1]) >= target_year:
        declined = peak_year <= target_year and peak_year < int(years[-1])
        return ("achieved" if declined else "off_track"), rate, peak_year
    if rate <= p.on_track_max_growth + _EPS:
        return "on_track", rate, peak_year
    return ("at_risk" if rate <= p.at_risk_max_growth + _EPS else "off_track"), rate, peak_year


def worse(a: Status, b: Status) -> Status:
    """The worse of two statuses; no_data never worsens a known status."""
    if a == "no_data":
        return b
    if b == "no_data":
        return a
    return a if _RANK[a] >= _RANK[b] else b


def _recent_change(
    years: np.ndarray, values: np.ndarray, window: int, kind: Trajectory
) -> tuple[float, int] | None:
    """Average annual change over the last `window` years (or as many as observed): (rate, years)."""
    if years.size < 2:
        return None
    last = int(years[-1])
    inside = np.flatnonzero(years >= last - window)
    first = int(inside[0])
    n = last - int(years[first])
    if n <= 0:
        return None
    rate = average_change(float(values[first]), float(values[-1]), n, kind)
    return (rate, n) if rate is not None else None


# -- one target ------------------------------------------------------------------------------------


def _find_series(
    target: Target, observations: Observations, region: str, config: StatusConfig
) -> Series | None:
    for name in config.series_candidates(target.indicator):
        s = observations.get(name, region)
        if s is not None and len(s):
            return s
    return None


def assess_target(
    target: Target,
    observations: Observations,
    region: str,
    year: int,
    config: StatusConfig,
    *,
    peak_probability: float | None = None,
) -> TargetProgress:
    """Progress of one target in `year`, from the observations of `region` up to that year."""
    head = TargetProgress(
        code=target.code,
        indicator=target.indicator,
        metric=target.metric,
        direction=target.direction,
        unit=target.unit,
        target_year=target.target_year,
        target_value=target.target_value,
        status="no_data",
        own_status="no_data",
    )
    if target.metric == "qualitative":
        return replace(head, explanation=(Explanation("indicators.explain.qualitative"),))
    found = _find_series(target, observations, region, config)
    series = found.upto(year) if found is not None else None
    if series is None or not len(series):
        return replace(head, explanation=(Explanation("indicators.explain.no_series", {"year": year}),))
    head = replace(head, series=series.indicator, flag=weakest_flag(series.flags))
    if target.metric == "peak":
        return _assess_peak(head, series, target, config, peak_probability)
    if target.metric == "reduction":
        return _assess_reduction(head, series, target, config)
    return _assess_level(head, series, target, config)


def _assess_peak(
    head: TargetProgress, series: Series, target: Target, config: StatusConfig, probability: float | None
) -> TargetProgress:
    status, rate, peak_year = peak_status(
        series.years, series.values, target.target_year, config, probability=probability
    )
    latest = series.latest()
    assert latest is not None
    parts: list[Explanation] = []
    window = _recent_change(series.years, series.values, config.recent_years, "compound")
    if rate is not None and window is not None:
        parts.append(Explanation("indicators.explain.peak_trend", {"rate": rate, "k": window[1]}))
    if peak_year is not None:
        parts.append(Explanation("indicators.explain.peak_highest", {"peak_year": peak_year}))
    if probability is not None:
        parts.append(
            Explanation(
                "indicators.explain.peak_probability",
                {"p": probability * 100, "target_year": target.target_year},
            )
        )
    return replace(
        head,
        status=status,
        own_status=status,
        latest=latest[1],
        latest_year=latest[0],
        unit=head.unit or series.unit,
        recent_rate=rate,
        recent_years=window[1] if window else None,
        achieved_rate=rate,
        rate_kind="percent",
        peak_probability=probability,
        explanation=tuple(parts) or (Explanation("indicators.explain.no_series", {"year": latest[0]}),),
    )


def _pending(
    head: TargetProgress, latest_year: int, latest: float | None, unit: str | None
) -> TargetProgress:
    return replace(
        head,
        latest=latest,
        latest_year=latest_year,
        explanation=(
            Explanation(
                "indicators.explain.pending",
                {"latest": "—" if latest is None else latest, "year": latest_year, "unit": unit or ""},
            ),
        ),
    )


def _assess_reduction(
    head: TargetProgress, series: Series, target: Target, config: StatusConfig
) -> TargetProgress:
    """A reduction target: measured on the intensity (or on a reduction series of the same base year)."""
    base_year = target.base_year or config.default_base_year
    years, values = series.years, series.values
    if series.indicator == target.indicator or series.unit == "%":
        # the series holds reductions (%) against the target's base year: turn them into an index
        values = 1.0 - values / 100.0
        base: float | None = 1.0
    else:
        base = series.value(base_year)
    latest_year, latest_value = int(years[-1]), float(values[-1])
    reduction = None if base is None or base <= 0 else (1.0 - latest_value / base) * 100.0
    if target.value_pending or target.target_value is None:
        return _pending(head, latest_year, reduction, "%")
    if base is None or base <= 0:
        return replace(
            head,
            latest_year=latest_year,
            explanation=(Explanation("indicators.explain.no_base", {"base_year": base_year}),),
        )
    goal = base * (1.0 - target.target_value / 100.0)
    return _finish(
        head, config, target, years, values, base, goal, base_year, lambda v: (1.0 - v / base) * 100.0
    )


def _assess_level(
    head: TargetProgress, series: Series, target: Target, config: StatusConfig
) -> TargetProgress:
    """A level, count or share target: measured on the series itself, in the target's unit."""
    values = series.values
    unit = target.unit or series.unit
    if target.unit and series.unit != target.unit:
        if not convertible(series.unit, target.unit):
            return replace(
                head,
                explanation=(
                    Explanation(
                        "indicators.explain.unit_mismatch", {"unit": series.unit, "target_unit": target.unit}
                    ),
                ),
            )
        values = convert(values, series.unit, target.unit)
    years = series.years
    latest_year, latest_value = int(years[-1]), float(values[-1])
    if target.value_pending or target.target_value is None:
        return _pending(head, latest_year, latest_value, unit)
    goal = float(target.target_value)
    base_year = target.base_year or config.default_base_year
    base = target.base_value
    if base is None:
        hit = np.flatnonzero(years == base_year)
        if hit.size:
            base = float(values[hit[0]])
        elif target.base_year is None and years.size and int(years[0]) < latest_year:
            # the plan states no base: the first observation serves (documented)
            base_year, base = int(years[0]), float(values[0])
    if base is None:
        met = _meets(latest_value, goal, target.direction)
        return replace(
            head,
            status="achieved" if met else "no_data",
            own_status="achieved" if met else "no_data",
            latest=latest_value,
            latest_year=latest_year,
            explanation=(
                Explanation(
                    "indicators.explain.achieved", {"latest": latest_value, "target": goal, "unit": unit}
                )
                if met
                else Explanation("indicators.explain.no_base", {"base_year": base_year}),
            ),
        )
    return _finish(head, config, target, years, values, base, goal, base_year, lambda v: v)


def _meets(value: float, goal: float, direction: str) -> bool:
    if direction == "at_most":
        return value <= goal + _EPS
    return value >= goal - _EPS


def _finish(
    head: TargetProgress,
    config: StatusConfig,
    target: Target,
    years: np.ndarray,
    values: np.ndarray,
    base: float,
    goal: float,
    base_year: int,
    to_target: Callable[[float], float],
) -> TargetProgress:
    """Progress, rates, expected value and status once base and goal are known (series space);
    `to_target` turns a value of the series into the target's unit (the latest one shown)."""
    kind = config.trajectory_of(target.metric)
    latest_year, latest = int(years[-1]), float(values[-1])
    latest_out = float(to_target(latest))
    t_year = target.target_year
    expected = trajectory_value(base, goal, base_year, t_year, latest_year, kind)
    progress = progress_percent(base, goal, latest)
    expected_progress = progress_percent(base, goal, expected)
    achieved_rate = average_change(base, latest, latest_year - base_year, kind)
    required_rate = average_change(latest, goal, t_year - latest_year, kind)
    recent = _recent_change(years, values, config.recent_years, kind)
    about = target.direction == "about"
    met = _meets(float(to_target(latest)), float(to_target(goal)), target.direction)
    # a base already meeting the goal makes progress meaningless: the goal met or lost is what counts
    strict = target.direction != "about"
    base_met = strict and _meets(float(to_target(base)), float(to_target(goal)), target.direction)
    if base_met:  # progress from a base beyond the goal is a meaningless (negative) share
        progress = expected_progress = None
    if progress is None or expected_progress is None or (met and strict):
        status: Status = "achieved" if met else "off_track"
    else:
        status = classify(progress, expected_progress, config, about=about, past_due=latest_year >= t_year)
    target_value = float(target.target_value) if target.target_value is not None else float(to_target(goal))
    parts = [_pace_explanation(status, kind, required_rate, recent, latest_out, target_value, head.unit)]
    return replace(
        head,
        status=status,
        own_status=status,
        latest=latest_out,
        latest_year=latest_year,
        base_year=base_year,
        base_value=base,
        progress=progress,
        expected=float(to_target(expected)),
        expected_progress=expected_progress,
        achieved_rate=achieved_rate,
        recent_rate=recent[0] if recent else None,
        recent_years=recent[1] if recent else None,
        required_rate=required_rate,
        rate_kind="percent" if kind == "compound" else "absolute",
        explanation=tuple(parts),
    )


def _pace_explanation(
    status: Status,
    kind: Trajectory,
    required: float | None,
    recent: tuple[float, int] | None,
    latest: float,
    target_value: float,
    unit: str | None,
) -> Explanation:
    values: dict[str, float | int | str] = {"latest": latest, "target": target_value, "unit": unit or ""}
    if status == "achieved":
        return Explanation("indicators.explain.achieved", values)
    if required is None:
        return Explanation("indicators.explain.missed", values)
    values["required"] = required
    values["kind"] = kind
    if recent is None:
        return Explanation("indicators.explain.required", values)
    values["recent"], values["k"] = recent
    return Explanation("indicators.explain.pace", values)


# -- a plan ---------------------------------------------------------------------------------------


def assess_plan(
    plan: Plan,
    observations: Observations,
    region: str,
    year: int,
    config: StatusConfig,
    *,
    peak_probabilities: Mapping[str, float] | None = None,
) -> list[TargetProgress]:
    """Every target of `plan` in `year`. A target with earlier milestones (targets of the same
    indicator with an earlier year not yet past) is judged against them too: its status is the worse
    of its own and theirs. `peak_probabilities` maps peak-target codes to P(peak by target year) —
    the hook for the projection engine (carbonpeak.scenarios)."""
    odds = peak_probabilities or {}
    own = [
        assess_target(t, observations, region, year, config, peak_probability=odds.get(t.code))
        for t in plan.targets
    ]
    by_indicator: dict[str, list[TargetProgress]] = {}
    for p in own:
        by_indicator.setdefault(p.indicator, []).append(p)
    out = []
    for p in own:
        milestones = [
            m for m in by_indicator[p.indicator] if m.target_year < p.target_year and m.target_year >= year
        ]
        out.append(_judge_with_milestones(p, milestones))
    return out


def _judge_with_milestones(p: TargetProgress, milestones: Sequence[TargetProgress]) -> TargetProgress:
    if not milestones:
        return p
    status = p.own_status
    parts = list(p.explanation)
    for m in milestones:
        combined = worse(status, m.own_status)
        if combined != status or m.own_status not in ("no_data",):
            parts.append(
                Explanation(
                    "indicators.explain.milestone",
                    {"code": m.code, "year": m.target_year, "status": m.own_status},
                )
            )
        status = combined
    return replace(
        p, status=status, judged_against=tuple(m.code for m in milestones), explanation=tuple(parts)
    )


__all__ = [
    "STATUSES",
    "Explanation",
    "Status",
    "TargetProgress",
    "assess_plan",
    "assess_target",
    "average_change",
    "classify",
    "peak_status",
    "progress_percent",
    "trajectory_value",
    "worse",
]
