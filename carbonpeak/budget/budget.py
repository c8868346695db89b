"""Carbon budgets from the intensity target, their allocation, monthly profile, execution and warning
level (docs/methods/budget.md), pure.

    target_intensity(base, change, base_year, target_year, year)  t/万元 on the geometric path
    annual_budget(intensity, gdp)                                  万tCO2 = t/万元 × 亿元
    allocate(total, rule, emissions, gdp)                          {unit: 万tCO2} by the rule's weights
    monthly_profile(history)                                       12 shares from past seasonality
    execution(budget, profile, ytd, months)                        Execution: year-to-date against budget
    exceed_probability(...) / meet_probability(...)                P(year's CO2 ≤ budget)
    warning_level(execution, probability, thresholds)              Warning: 一级/二级/三级 and its reasons

Units: CO2 in 万tCO2, GDP in 亿元 at the constant prices of the target's base year, intensity in
tCO2/万元 (1 t/万元 × 1 亿元 = 1 万t).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MONTHS = 12


def target_intensity(base: float, change: float, base_year: int, target_year: int, year: int) -> float:
    """The intensity for `year` (t/万元) on the geometric path from `base` in `base_year` to
    base × (1 + change) in `target_year` (change −0.16 for "−16 %"): base × (1 + change)^((year −
    base_year)/(target_year − base_year)). Hangzhou: 0.433 at −16 % over 2025–2030 gives 0.364."""
    if target_year <= base_year:
        raise ValueError("the target year must follow the base year")
    if change <= -1.0:
        raise ValueError("a change of −100 % or less has no intensity path")
    return float(base * (1.0 + change) ** ((year - base_year) / (target_year - base_year)))


def annual_rate(change: float, years: int) -> float:
    """The constant yearly rate that compounds to `change` over `years` years (−16 % over 5 years:
    −3.43 %/yr)."""
    return float((1.0 + change) ** (1.0 / years) - 1.0)


def annual_budget(intensity: float, gdp: float) -> float:
    """B = I_target × GDP: 万tCO2 from t/万元 and 亿元 (1 t/万元 × 1 亿元 = 1 万t)."""
    return intensity * gdp


def allocate(
    total: float,
    weights: Mapping[str, float],
    shares: Mapping[str, Mapping[str, float]],
    adjustments: Mapping[str, float] | None = None,
) -> dict[str, float]:
    """`total` split over the units of `shares` (basis → unit → amount, e.g. "emissions" and
    "gdp"): each unit's share is Σ_basis weight × unit's share of the basis, times its adjustment
    factor (default 1), renormalised so the parts sum to `total`. Weights need not sum to 1 (they
    are normalised); a basis whose amounts sum to zero is left out."""
    units = sorted({u for amounts in shares.values() for u in amounts})
    score = dict.fromkeys(units, 0.0)
    used = 0.0
    for basis, weight in weights.items():
        amounts = shares.get(basis, {})
        s = sum(amounts.values())
        if weight <= 0 or s <= 0:
            continue
        used += weight
        for u in units:
            score[u] += weight * amounts.get(u, 0.0) / s
    if used <= 0:
        raise ValueError("no basis of the allocation rule has any amount")
    adj = adjustments or {}
    raw = {u: score[u] / used * adj.get(u, 1.0) for u in units}
    norm = sum(raw.values())
    return {u: total * v / norm for u, v in raw.items()}


def monthly_profile(history: Sequence[np.ndarray]) -> np.ndarray:
    """The 12 monthly shares (sum 1) of the years in `history` (each 12 monthly values), averaged:
    the mean over the years of each month's share of its year."""
    rows = [np.asarray(h, dtype=np.float64) for h in history if np.isfinite(h).all() and h.sum() > 0]
    if not rows:
        return np.full(MONTHS, 1.0 / MONTHS)
    shares = np.mean([r / r.sum() for r in rows], axis=0)
    return np.asarray(shares / shares.sum())


@dataclass(frozen=True)
class Execution:
    """Year-to-date against budget (万tCO2): months 1…`months` of the year. `ratio` = ytd /
    budget_ytd; `full_year` = the year's CO2 at the year-to-date pace (ytd ÷ the profile's share of
    the months gone); `intensity_annualised` = full_year ÷ GDP (t/万元); `remaining` = budget − ytd."""

    budget: float
    budget_ytd: float
    ytd: float
    months: int
    ratio: float
    full_year: float
    remaining: float
    intensity_annualised: float
    intensity_budget: float


def execution(budget: float, profile: np.ndarray, ytd: float, months: int, gdp: float) -> Execution:
    """Execution after `months` months (1–12) of a year whose budget is `budget` with monthly
    `profile`; `gdp` the year's GDP (亿元, the budget's prices)."""
    if not 1 <= months <= MONTHS:
        raise ValueError("months must lie in 1..12")
    share = float(np.asarray(profile)[:months].sum())
    budget_ytd = budget * share
    full_year = ytd / share if share > 0 else math.nan
    return Execution(
        budget=budget,
        budget_ytd=budget_ytd,
        ytd=ytd,
        months=months,
        ratio=ytd / budget_ytd if budget_ytd > 0 else math.inf,
        full_year=full_year,
        remaining=budget - ytd,
        intensity_annualised=full_year / gdp if gdp > 0 else math.nan,
        intensity_budget=budget / gdp if gdp > 0 else math.nan,
    )


def meet_probability(
    ytd: float,
    expected_rest: float,
    budget: float,
    spread: np.ndarray,
    nowcast_error: np.ndarray,
) -> float:
    """P(year's CO2 ≤ budget) over the draws: year = ytd × (1 + nowcast_error_d) + expected_rest ×
    spread_d, where `spread` is each Monte Carlo draw's CO2 intensity of the year over the draws'
    median (the projection's uncertainty of the months to come) and `nowcast_error` a draw of the
    nowcast's error (from the backtest) for the months already nowcast. Both arrays have one value
    per draw."""
    total = ytd * (1.0 + np.asarray(nowcast_error)) + expected_rest * np.asarray(spread)
    return float(np.mean(total <= budget))


@dataclass(frozen=True)
class Thresholds:
    """Warning thresholds (warning-levels.yaml): level 1 when the year-to-date ratio exceeds
    `level1_ratio` or the probability of keeping to the budget is below `level1_probability`;
    level 2 likewise with the level-2 values; otherwise level 3."""

    level1_ratio: float
    level1_probability: float
    level2_ratio: float
    level2_probability: float


@dataclass(frozen=True)
class Warning:
    """A warning level (1, 2, 3), its barometer name (一级 十分严峻 …) and the reasons (zh, en) — the
    conditions that set it; empty for level 3."""

    level: int
    name_zh: str
    name_en: str
    colour: str
    reasons: tuple[tuple[str, str], ...]


LEVEL_NAMES = {
    1: ("一级（十分严峻）", "Level 1 (very severe)", "red"),
    2: ("二级（比较严峻）", "Level 2 (fairly severe)", "orange"),
    3: ("三级（基本顺利）", "Level 3 (broadly on track)", "green"),
}


def warning_level(ratio: float, probability: float, t: Thresholds) -> Warning:
    """The level of a unit with year-to-date ratio `ratio` (ytd / budget_ytd) and probability of
    keeping to its budget `probability` under thresholds `t`, with the reasons that set it."""
    for level, r_max, p_min in (
        (1, t.level1_ratio, t.level1_probability),
        (2, t.level2_ratio, t.level2_probability),
    ):
        reasons: list[tuple[str, str]] = []
        if ratio > r_max:
            reasons.append(
                (
                    f"累计排放为进度预算的{ratio:.1%}，超过{r_max:.0%}",
                    f"year-to-date emissions are {ratio:.1%} of the budget to date, above {r_max:.0%}",
                )
            )
        if probability < p_min:
            reasons.append(
                (
                    f"完成年度预算的概率{probability:.1%}，低于{p_min:.0%}",
                    f"the probability of keeping to the annual budget is {probability:.1%}, "
                    f"below {p_min:.0%}",
                )
            )
        if reasons:
            zh, en, colour = LEVEL_NAMES[level]
            return Warning(level, zh, en, colour, tuple(reasons))
    zh, en, colour = LEVEL_NAMES[3]
    return Warning(3, zh, en, colour, ())


__all__ = [
    "LEVEL_NAMES",
    "Execution",
    "Thresholds",
    "Warning",
    "allocate",
    "annual_budget",
    "annual_rate",
    "execution",
    "meet_probability",
    "monthly_profile",
    "target_intensity",
    "warning_level",
]
