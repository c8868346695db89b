"""Targets by year: the annual and the cumulative target of a five-year reduction target, and the
two veto conditions of the NDRC target-responsibility method (docs/methods/evaluation.md,
"Targets by year").

A reduction target R % below the base year b by the target year T (单位GDP能耗/CO2排放 比2020年降低 R %)
sets, at the plan's pace (an even annual rate over the period):

    annual target      r = 1 − (1 − R/100)^(1/(T − b))              % a year, every year of b+1 … T
    cumulative target  C(y) = 1 − (1 − r)^(y − b) = 1 − (1 − R/100)^((y − b)/(T − b))   by year y

A value the province assigns for a year (an `AssignedTarget`, a published record) replaces the
pace for that year and kind. Observed: the cumulative reduction c(y) (% below the base year, the
indicator engine's `latest`) gives the year's own reduction a(y) = 1 − (1 − c(y))/(1 − c(y−1)).

The two veto conditions of one year (评分细则: 否决性指标):

    annual      a(y) ≥ r(y)     the year's reduction reaches the year's target
    cumulative  c(y) ≥ C(y)     the reduction since the base year reaches the progress due by y

A condition is `not_assessable` — never a completion rate — when the target has no value (the
province has not set it), when its year lies outside b+1 … T, or when an observation it needs is
missing. `rate` = achieved ÷ required (1.0 = met).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

CheckKind = Literal["annual", "cumulative"]
CheckState = Literal["met", "missed", "not_assessable"]
CHECK_KINDS: tuple[CheckKind, ...] = ("annual", "cumulative")


def annual_pace(reduction: float, years: int) -> float:
    """The even annual reduction (%) that compounds to `reduction` (%) over `years` years."""
    if years <= 0:
        raise ValueError("years must be positive")
    return float((1.0 - (1.0 - reduction / 100.0) ** (1.0 / years)) * 100.0)


def cumulative_due(reduction: float, base_year: int, target_year: int, year: int) -> float:
    """The cumulative reduction (% below the base year) due by `year` at the plan's pace."""
    share = (year - base_year) / (target_year - base_year)
    return float((1.0 - (1.0 - reduction / 100.0) ** share) * 100.0)


def year_reduction(cumulative: float, cumulative_before: float) -> float:
    """The year's own reduction (%) from the cumulative reductions (% below the base year) of the
    year and of the year before."""
    return (1.0 - (1.0 - cumulative / 100.0) / (1.0 - cumulative_before / 100.0)) * 100.0


@dataclass(frozen=True)
class AssignedTarget:
    """A value the province assigns (a published record): the `kind` target of `target` in `year`
    for `unit` ("city" or a unit code), in % reduction, with its source."""

    target: str
    unit: str
    year: int
    kind: CheckKind
    value: float
    source: str


@dataclass(frozen=True)
class TargetCheck:
    """One veto condition of one target for one unit and year (reductions in %)."""

    target: str
    unit: str
    year: int
    kind: CheckKind
    state: CheckState
    required: float | None
    achieved: float | None
    basis: str  # "plan_pace" | "assigned: <source>" | why not assessable
    reason_zh: str = ""
    reason_en: str = ""

    @property
    def rate(self) -> float | None:
        """achieved ÷ required (None when not assessable; 1.0 for a required reduction ≤ 0 that is met)."""
        if self.state == "not_assessable" or self.required is None or self.achieved is None:
            return None
        if self.required <= 0.0:
            return 1.0 if self.achieved >= self.required else 0.0
        return max(self.achieved, 0.0) / self.required


def _not_assessable(
    target: str, unit: str, year: int, kind: CheckKind, zh: str, en: str, required: float | None = None
) -> TargetCheck:
    return TargetCheck(target, unit, year, kind, "not_assessable", required, None, en, zh, en)


def target_checks(
    *,
    target: str,
    unit: str,
    year: int,
    base_year: int | None,
    target_year: int,
    reduction: float | None,
    cumulative: Mapping[int, float],
    assigned: Mapping[CheckKind, AssignedTarget] | None = None,
) -> tuple[TargetCheck, TargetCheck]:
    """The annual and the cumulative veto condition of a reduction target for one unit in `year`.

    `cumulative`: the observed cumulative reduction (% below `base_year`) by year; `assigned`: the
    province's values for this year, which replace the plan's pace."""
    assigned = assigned or {}
    out: list[TargetCheck] = []
    for kind in CHECK_KINDS:
        given = assigned.get(kind)
        required: float | None = None
        achieved: float | None = None
        if given is None and (reduction is None or base_year is None):
            why = ("目标值待省下达，不评价完成率", "no target value (left to the province)")
        elif given is None and base_year is not None and not base_year < year <= target_year:
            why = (
                f"{year}年不在目标期{base_year}—{target_year}年内",
                f"{year} is outside the target period {base_year}–{target_year}",
            )
        else:
            if given is not None:
                required, basis = given.value, f"assigned: {given.source}"
            else:
                assert reduction is not None and base_year is not None
                years = target_year - base_year
                required = (
                    annual_pace(reduction, years)
                    if kind == "annual"
                    else cumulative_due(reduction, base_year, target_year, year)
                )
                basis = "plan_pace"
            now, before = cumulative.get(year), cumulative.get(year - 1)
            if year - 1 == base_year:
                before = 0.0
            if kind == "annual":
                achieved = year_reduction(now, before) if now is not None and before is not None else None
            else:
                achieved = now
            if achieved is None:
                missing = year if now is None else year - 1
                why = (f"缺少{missing}年观测数据", f"no observation for {missing}")
        if required is None or achieved is None:
            out.append(_not_assessable(target, unit, year, kind, *why, required))
            continue
        state: CheckState = "met" if achieved >= required - 1e-9 else "missed"
        out.append(TargetCheck(target, unit, year, kind, state, required, achieved, basis))
    return out[0], out[1]
