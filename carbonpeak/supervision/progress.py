"""A task's progress per reporting period, from its units' reports (pure; docs/methods/pages.md).

Several units report on one task, each once per period. The rule, per period:

1. the figure of the task's lead units (牵头单位, `Measure.lead_units`) that reported in that period:
   their percent (the mean when the plan names several lead units), their status (the most pressing
   when several: delayed > not_started > in_progress > completed);
2. when no lead unit reported in that period: the mean percent of the co-operating units that did,
   with the most pressing of their statuses (`basis = "co_units"`, said on the page).

Periods are never mixed: a 2024 report never averages with a 2023 one, and the figure carries the
period it belongs to. The task's current figure is that of its latest period (period_order).
Within one (unit, period) the latest report wins (reported_at, then version).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from carbonpeak.supervision.model import TaskProgress

STATUS_ORDER = ("delayed", "not_started", "in_progress", "completed")  # most pressing first
_PERIOD = re.compile(r"^(\d{4})(?:[-_ ]?([QqHhMm])?(\d{1,2}))?$")
_MONTHS = {"q": 3, "h": 6, "m": 1}


def period_order(period: str) -> tuple[int, int, str]:
    """Sort key of a period label: `2024Q2` < `2024H2` < `2024` (a whole year ends last) < `2025Q1`;
    a label that is not a period sorts first, by its text."""
    m = _PERIOD.match(period.strip())
    if not m:
        return (0, 0, period)
    year, kind, number = m.groups()
    if number is None:
        return (int(year), 13, period)
    months = _MONTHS.get((kind or "m").lower(), 1) * int(number)
    return (int(year), min(months, 12), period)


@dataclass(frozen=True)
class PeriodProgress:
    """A task's figure for one period and how it was formed."""

    period: str
    status: str
    percent: float
    basis: str  # "lead" (the lead units' own figure) or "co_units" (mean of the co-operating units)
    units: tuple[str, ...]  # the units whose reports formed the figure
    reports: tuple[TaskProgress, ...]  # every unit's report of the period, lead units first


def most_pressing(statuses: Iterable[str]) -> str:
    found = set(statuses)
    if found == {"completed"}:
        return "completed"
    return next(s for s in STATUS_ORDER if s in found and s != "completed")


def _newest(reports: Iterable[TaskProgress]) -> list[TaskProgress]:
    best: dict[tuple[str, str], TaskProgress] = {}
    for r in reports:
        key = (r.unit, r.period)
        cur = best.get(key)
        if cur is None or (r.reported_at or dt.date.min, r.version or "") >= (
            cur.reported_at or dt.date.min,
            cur.version or "",
        ):
            best[key] = r
    return list(best.values())


def progress_by_period(lead_units: Sequence[str], reports: Iterable[TaskProgress]) -> list[PeriodProgress]:
    """The task's figure in each period it was reported, oldest period first (rule above)."""
    by_period: dict[str, list[TaskProgress]] = {}
    for r in _newest(reports):
        by_period.setdefault(r.period, []).append(r)
    out = []
    for period in sorted(by_period, key=period_order):
        rows = by_period[period]
        lead = [r for r in rows if r.unit in lead_units]
        basis, used = ("lead", lead) if lead else ("co_units", rows)
        used.sort(key=lambda r: (lead_units.index(r.unit) if r.unit in lead_units else 0, r.unit))
        others = sorted((r for r in rows if r not in used), key=lambda r: r.unit)
        out.append(
            PeriodProgress(
                period=period,
                status=most_pressing(r.status for r in used),
                percent=round(sum(float(r.percent) for r in used) / len(used), 1),
                basis=basis,
                units=tuple(r.unit for r in used),
                reports=(*used, *others),
            )
        )
    return out


def current_progress(lead_units: Sequence[str], reports: Iterable[TaskProgress]) -> PeriodProgress | None:
    """The task's figure of its latest reported period, or None when nothing was reported."""
    periods = progress_by_period(lead_units, reports)
    return periods[-1] if periods else None


__all__ = [
    "STATUS_ORDER",
    "PeriodProgress",
    "current_progress",
    "most_pressing",
    "period_order",
    "progress_by_period",
]
