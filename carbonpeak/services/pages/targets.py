"""The targets of the plan with their progress, pace and status (the indicator engine's answer).

Status, latest value, pace and flag come from services/indicators.track_targets on the current data
set (services/dataset.py); the observed series behind a target comes from the same observations,
and the trajectory from the engine's own formula (indicators.progress.trajectory_value) between the
base-year value and the goal. The goal on the series' scale is recovered from the engine's progress
percentage (see `_trajectory`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from carbonpeak.errors import NotFound
from carbonpeak.indicators.config import load_status_config
from carbonpeak.indicators.derived import derive
from carbonpeak.indicators.progress import trajectory_value
from carbonpeak.indicators.series import Observations
from carbonpeak.plan.schema import Plan, Target
from carbonpeak.services import dataset
from carbonpeak.services.assessment import (
    IntensityView,
    NonFossilView,
    energy_intensity_view,
    non_fossil_view,
)
from carbonpeak.services.indicators import track_targets
from carbonpeak.services.pages.common import (
    Named,
    Odds,
    PageBase,
    Point,
    SourceRef,
    load_plan_for,
    target_or_none,
    unit_ref,
    weakest,
)
from carbonpeak.services.pages.snapshot_cache import per_snapshot
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database


class TargetRow(BaseModel):
    code: str
    indicator: str
    name_zh: str
    name_en: str
    metric: str
    unit: str | None
    base_year: int | None
    base_value: float | None
    target_year: int
    target_value: float | None
    value_pending: bool
    direction: str
    responsible_units: list[Named]
    status: str | None = None  # achieved · on_track · at_risk · off_track · no_data
    latest_year: int | None = None
    latest_value: float | None = None  # in `series_unit` (the judged series), not always `unit`
    series: str | None = None
    series_unit: str | None = None
    judged_base_year: int | None = None  # the base year the engine judged progress from
    progress: float | None = None  # % of the way from base to goal
    expected_progress: float | None = None  # % of the way the trajectory expects by latest_year
    required_rate: float | None = None
    achieved_rate: float | None = None
    rate_kind: str | None = None  # percent (compound % a year) · absolute (series units a year)
    explanation_zh: str | None = None
    explanation_en: str | None = None
    # how the judged series is counted (non-fossil crediting, energy intensity's rules), or None
    convention: str | None = None  # key: provincial · national · assessment_rules · statistical
    convention_zh: str | None = None
    convention_en: str | None = None
    flag: str | None = None
    source: SourceRef


def target_row(plan: Plan, tg: Target, tracked: dict[str, Any] | None = None) -> TargetRow:
    row = TargetRow(
        **tg.model_dump(exclude={"responsible_units", "source", "programme", "task", "notes"}),
        responsible_units=[unit_ref(plan, c) for c in tg.responsible_units],
        source=SourceRef(**tg.source.model_dump()),
    )
    if tracked:
        explanation = tracked.get("explanation") or {}
        convention = tracked.get("convention") or {}
        row = row.model_copy(
            update={
                "status": tracked.get("status"),
                "latest_year": tracked.get("latest_year"),
                "latest_value": tracked.get("latest"),
                "series": tracked.get("series"),
                "series_unit": tracked.get("unit"),
                "judged_base_year": tracked.get("base_year"),
                "progress": tracked.get("progress"),
                "expected_progress": tracked.get("expected_progress"),
                "required_rate": tracked.get("required_rate"),
                "achieved_rate": tracked.get("achieved_rate"),
                "rate_kind": tracked.get("rate_kind"),
                "explanation_zh": explanation.get("zh"),
                "explanation_en": explanation.get("en"),
                "convention": convention.get("key"),
                "convention_zh": convention.get("zh"),
                "convention_en": convention.get("en"),
                "flag": tracked.get("flag"),
            }
        )
    return row


class Tracked(BaseModel):
    rows: dict[str, dict[str, Any]] = Field(default_factory=dict)
    region: str | None = None
    year: int | None = None
    source: str | None = None


def tracking(plan: Plan, db: Database | None = None) -> Tracked:
    """The indicator engine's rows by target code, on the current data set of `db` (the app's
    database; None: the data set without the store); computed once per snapshot."""
    key = (plan.code, plan.model_dump_json().__hash__(), dataset.cache_key(db))
    found = _TRACKED.get(key)
    if found is None:
        result = track_targets(plan=plan, database=db)
        found = Tracked(
            rows={r["code"]: r for r in result.rows},
            region=result.region,
            year=result.year,
            source=result.observations,
        )
        if len(_TRACKED) >= 8:
            _TRACKED.clear()
        _TRACKED[key] = found
    return found.model_copy(deep=True)


_TRACKED: dict[tuple[str, int, str], Tracked] = {}


class IndicatorsPage(PageBase):
    targets: list[TargetRow] = Field(default_factory=list)  # the targets shown (after the filters)
    total: int = 0
    region: str | None = None
    year: int | None = None
    status_counts: dict[str, int] = Field(default_factory=dict)  # of the targets shown
    units: list[Named] = Field(default_factory=list)  # units responsible for some target
    years: list[int] = Field(default_factory=list)  # the target years of the plan
    filters: dict[str, str | None] = Field(default_factory=dict)


TARGET_SORTS = ("code", "name", "status", "progress", "year")
_STATUS_ORDER = ("off_track", "at_risk", "on_track", "achieved")


def indicators_page(
    settings: Settings,
    *,
    status: str | None = None,
    unit: str | None = None,
    year: int | None = None,
    q: str | None = None,
    sort: str | None = None,
    db: Database | None = None,
) -> IndicatorsPage:
    """Every target of the plan: base, target, latest value, pace and status. Filters: `status`
    (`no_data` for none), responsible `unit`, target `year`, text `q`; `sort` by code (the plan's
    order) · name · status (most pressing first) · progress · year. Built once per snapshot and
    filter values (snapshot_cache)."""
    filters = (status, unit, year, q, sort)
    return per_snapshot(
        "indicators", settings, db, filters, lambda: _indicators_page(settings, *filters, db=db)
    )


def _indicators_page(
    settings: Settings,
    status: str | None,
    unit: str | None,
    year: int | None,
    q: str | None,
    sort: str | None,
    *,
    db: Database | None,
) -> IndicatorsPage:
    plan = load_plan_for(settings)
    if plan is None:
        return IndicatorsPage(missing=["plan"])
    tracked = tracking(plan, db)
    every = [target_row(plan, tg, tracked.rows.get(tg.code)) for tg in plan.targets]
    needle = q.strip().lower() if q else None
    rows = [
        r
        for r in every
        if (not status or (r.status or "no_data") == status)
        and (not unit or any(u.code == unit for u in r.responsible_units))
        and (year is None or r.target_year == year)
        and (not needle or needle in f"{r.code} {r.name_zh} {r.name_en}".lower())
    ]
    if sort == "name":
        rows.sort(key=lambda r: r.name_zh)
    elif sort == "status":
        rows.sort(key=lambda r: _STATUS_ORDER.index(r.status) if r.status in _STATUS_ORDER else 9)
    elif sort == "progress":
        rows.sort(key=lambda r: (r.progress is None, r.progress or 0.0))
    elif sort == "year":
        rows.sort(key=lambda r: r.target_year)
    seen: dict[str, Named] = {}
    for r in every:
        for u in r.responsible_units:
            seen.setdefault(u.code, u)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status or "no_data"] = counts.get(r.status or "no_data", 0) + 1
    return IndicatorsPage(
        missing=[] if tracked.rows else ["indicators"],
        flag=weakest([r.flag for r in rows]),
        data_source=tracked.source,
        targets=rows,
        total=len(every),
        region=tracked.region,
        year=tracked.year,
        status_counts=counts,
        units=list(seen.values()),
        years=sorted({r.target_year for r in every}),
        filters={
            "status": status,
            "unit": unit,
            "year": str(year) if year is not None else None,
            "q": q,
            "sort": sort if sort in TARGET_SORTS else None,
        },
    )


class Milestone(BaseModel):
    code: str
    target_year: int
    target_value: float | None
    value_pending: bool
    status: str | None = None


class Observation(BaseModel):
    year: int
    value: float
    unit: str | None = None
    source: str | None = None
    flag: str | None = None


class IndicatorPage(PageBase):
    target: TargetRow
    milestones: list[Milestone] = Field(default_factory=list)
    observations: list[Observation] = Field(default_factory=list)
    # the engine's path from the base-year value to the goal (series unit)
    trajectory: list[Point] = Field(default_factory=list)
    quote: str = ""
    # the non-fossil share's crediting convention and its sensitivity (non-fossil targets)
    non_fossil: NonFossilView | None = None
    # statistical and assessment-rule energy intensity (energy-intensity targets)
    intensity: IntensityView | None = None
    # P(peak by 2030) of the plan and the baseline scenario side by side (the 2030 peak target)
    odds: list[Odds] = Field(default_factory=list)


def find_target(settings: Settings, code: str) -> tuple[Plan, Target]:
    plan = load_plan_for(settings)
    tg = target_or_none(plan, code) if plan else None
    if plan is None or tg is None:
        raise NotFound(f"no target {code!r} in the plan", message_zh=f"工作方案中没有目标“{code}”")
    return plan, tg


def indicator_page(settings: Settings, code: str, *, db: Database | None = None) -> IndicatorPage:
    """One target: milestones, the observed series with its sources, the trajectory, pace and status;
    built once per snapshot (snapshot_cache)."""
    return per_snapshot("indicator", settings, db, (code,), lambda: _indicator_page(settings, code, db))


def _indicator_page(settings: Settings, code: str, db: Database | None) -> IndicatorPage:
    plan, tg = find_target(settings, code)
    tracked = tracking(plan, db)
    row = target_row(plan, tg, tracked.rows.get(tg.code))
    milestones = [
        Milestone(
            code=m.code,
            target_year=m.target_year,
            target_value=m.target_value,
            value_pending=m.value_pending,
            status=(tracked.rows.get(m.code) or {}).get("status"),
        )
        for m in plan.targets
        if m.indicator == tg.indicator
    ]
    observations = _observations(row.series, tracked.region, db) if row.series else []
    non_fossil = intensity = None
    if tracked.region is not None and row.series == "non_fossil_share":
        non_fossil = non_fossil_view(db, tracked.region)
    if tracked.region is not None and tracked.year is not None and row.series in INTENSITY_SERIES:
        obs = observations_for(tracked.region, db)
        assert obs is not None
        intensity = energy_intensity_view(plan, tg, obs, tracked.region, tracked.year)
    odds: list[Odds] = []
    if tg.metric == "peak" and tg.target_year == 2030 and row.series == "co2_total":
        from carbonpeak.services.pages import analysis  # here: the projection stack only for this page

        odds = analysis.peak_odds(db=db)
    return IndicatorPage(
        missing=[] if tracked.rows else ["indicators"],
        flag=weakest([o.flag for o in observations]) or row.flag,
        data_source=tracked.source,
        target=row,
        milestones=sorted(milestones, key=lambda m: m.target_year),
        observations=observations,
        trajectory=_trajectory(row, observations),
        quote=tg.source.quote,
        non_fossil=non_fossil,
        intensity=intensity,
        odds=odds,
    )


INTENSITY_SERIES = ("energy_intensity", "energy_intensity_assessed")


def observations_for(region: str | None, db: Database | None = None) -> Observations | None:
    """The observations the indicator engine judges by default (the current data set of `db`,
    services/dataset.py) with its derived series; None without a region."""
    if region is None:
        return None
    observations = dataset.dataset_observations(region, database=db)
    config = load_status_config()
    return observations.with_series(
        derive(observations, region, price_year=config.price_year, base_year=config.default_base_year)
    )


def _observations(series: str, region: str | None, db: Database | None = None) -> list[Observation]:
    """The observed (or derived) series the engine judged the target on."""
    observations = observations_for(region, db)
    s = observations.get(series, region) if observations is not None and region is not None else None
    if s is None:
        return []
    return [
        Observation(year=int(y), value=float(v), unit=s.unit, source=src, flag=flag)
        for y, v, src, flag in zip(s.years, s.values, s.sources, s.flags, strict=True)
    ]


def _trajectory(row: TargetRow, observations: list[Observation]) -> list[Point]:
    """The engine's path base → goal, year by year, for level, share and count targets (the goal on
    the series' scale follows from the engine's progress = (latest − base)/(goal − base)·100), and for
    reduction targets the judged series' path to base × (1 − r/100)."""
    by_year = {o.year: o.value for o in observations}
    base_year = row.judged_base_year or row.base_year
    if base_year is None or base_year not in by_year or row.latest_value is None:
        return []
    if row.target_year <= base_year:
        return []
    if row.metric == "reduction" and row.unit == "%" and row.target_value is not None:
        # a reduction of r % by the target year, judged on the series (an intensity): the series'
        # path from its base-year value to base × (1 − r/100), compound (docs/methods/indicators.md)
        start = by_year[base_year]
        end = start * (1.0 - row.target_value / 100.0)
        return [
            Point(
                year=y,
                value=round(trajectory_value(start, end, base_year, row.target_year, y, "compound"), 6),
            )
            for y in range(base_year, row.target_year + 1)
        ]
    if not row.progress:
        return []
    if row.metric not in ("level", "share", "count"):
        # a reduction or peak target is judged on a derived quantity, not on the series shown
        return []
    base = by_year[base_year]
    goal = base + (row.latest_value - base) / (row.progress / 100.0)
    kind: Literal["compound", "linear"] = "compound" if row.rate_kind == "percent" else "linear"
    return [
        Point(year=y, value=round(trajectory_value(base, goal, base_year, row.target_year, y, kind), 6))
        for y in range(base_year, row.target_year + 1)
    ]
