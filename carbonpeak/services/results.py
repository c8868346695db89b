"""The engines' results for one year and one database: what reports and evaluation show as results.

    year_results(plan, year, database=…)   YearResults: the indicator engine's rows of every target
                                           (services/indicators.track_targets), the inventory of the
                                           year by scope (services/dataset.current_inventory) and
                                           the projection of the `plan` and `baseline` scenarios
                                           (services/projection.shown_run, the overview's run)
    require_initialised(database)          NotInitialised unless `carbonpeak init` has run on it
    database_or_settings(database)         `database`, or the settings' one for a block (CLI commands)

No result comes from a file of figures: the supervision bundle holds reported rows only (task
progress, project status, reporting, assessed rates), and a report or an evaluation takes its
targets, inventory and projection from here, for the year it is for and the database it reads.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import inspect

from carbonpeak.errors import InputError, NotInitialised
from carbonpeak.evaluation.inputs import IndicatorResult, indicator_results
from carbonpeak.indicators.annual import TargetCheck, target_checks
from carbonpeak.plan.schema import Plan
from carbonpeak.services import projection
from carbonpeak.services.assessment import NonFossilView, non_fossil_view
from carbonpeak.services.dataset import current_inventory
from carbonpeak.services.indicators import Tracking, track_targets
from carbonpeak.settings import current
from carbonpeak.store.db import Database

UNIT = "万tCO2"
TONNES_PER_UNIT = 1e4
MT_TO_UNIT = 100.0  # MtCO2 → 万tCO2
SCENARIOS = ("plan", "baseline")  # shown side by side; `plan` is the one the target tracker uses
VERSION_TABLE = "alembic_version"  # written by the first migration (`carbonpeak init`)


@dataclass(frozen=True)
class YearInventory:
    """The inventory of one year by scope (万tCO2): direct energy, industrial processes and the
    indirect CO2 of net imported electricity, whose sum is `total` (the total CO2 of the indicators).
    Sinks are not part of the total; `sinks` is None while the inventory accounts none."""

    region: str
    year: int
    energy: float
    process: float
    indirect_electricity: float
    total: float
    sinks: float | None
    factor_set: str
    flag: str
    source: str
    unit: str = UNIT


@dataclass(frozen=True)
class ProjectionSummary:
    """One scenario's seeded projection: P(CO2 peaks in or before 2030), the median peak year and
    the median peak value (万tCO2), with the run's scenario hash, draws, seed and base year."""

    scenario: str
    label_zh: str
    label_en: str
    p_peak_by_2030: float
    median_peak_year: int | None
    peak_value_median: float | None
    base_year: int
    draws: int
    seed: int
    scenario_hash: str
    unit: str = UNIT


@dataclass(frozen=True)
class YearResults:
    year: int
    tracking: Tracking
    indicator_results: tuple[IndicatorResult, ...]
    inventory: YearInventory | None
    projections: tuple[ProjectionSummary, ...] = field(default_factory=tuple)
    target_checks: tuple[TargetCheck, ...] = field(default_factory=tuple)
    # the non-fossil share under each crediting convention (services/assessment.non_fossil_view)
    non_fossil: NonFossilView | None = None


@contextmanager
def database_or_settings(database: Database | None) -> Iterator[Database]:
    """`database`, or the database of the settings (CARBONPEAK_DATABASE_URL) for the block."""
    if database is not None:
        yield database
        return
    db = Database.initialised(current())  # NotInitialised before any file is created
    try:
        yield db
    finally:
        db.dispose()


def require_initialised(database: Database) -> None:
    """NotInitialised (503; zh and en: run `carbonpeak init`) unless the database has been migrated."""
    if VERSION_TABLE not in inspect(database.engine).get_table_names():
        raise NotInitialised()


def year_results(
    plan: Plan, year: int, *, database: Database | None, scenarios: Sequence[str] = SCENARIOS
) -> YearResults:
    """Every target's row for `year` (track_targets on the current data set of `database`), their
    IndicatorResults (the city's, shared by each target's responsible units), the inventory of
    `year` by scope, and the shown projection run of each of `scenarios`."""
    try:
        tracking = track_targets(plan=plan, year=year, database=database)
    except InputError as exc:
        # a report for a year whose statistics are not out yet (the 2025 assessment in 2026) judges by
        # the latest observed year; `tracking.year` says which
        if not any(p.rule == "indicators.year" for p in exc.problems):
            raise
        tracking = track_targets(plan=plan, database=database)
        if tracking.year > year:
            raise
    # indicator credit goes to the target's lead unit(s) only (Plan.target_leads), not to co-units
    shared = {t.code: plan.target_leads(t) for t in plan.targets}
    return YearResults(
        year=year,
        tracking=tracking,
        indicator_results=tuple(indicator_results(tracking.rows, year=year, shared_by=shared)),
        inventory=year_inventory(tracking.region, tracking.year, database=database),  # the judged year
        projections=tuple(projection_summary(s, database=database) for s in scenarios),
        target_checks=tuple(year_target_checks(plan, tracking, database=database)),
        non_fossil=non_fossil_view(database, tracking.region),
    )


FIVE_YEARS = 5  # the annual and cumulative conditions are those of five-year targets


def year_target_checks(plan: Plan, tracking: Tracking, *, database: Database | None) -> list[TargetCheck]:
    """The annual and cumulative condition of every five-year reduction target in `tracking.year`,
    for the city and the target's lead unit(s) (indicators/annual.py): the cumulative reductions are
    the indicator engine's `latest` of the year and of the year before (a second track_targets)."""
    year = tracking.year
    five_year = [
        t
        for t in plan.targets
        if t.metric == "reduction" and t.base_year and 0 < t.target_year - t.base_year <= FIVE_YEARS
    ]
    if not five_year:
        return []
    cumulative: dict[str, dict[int, float]] = {t.code: {} for t in five_year}
    for tr in (tracking, _tracking_before(plan, year, database)):
        if tr is None:
            continue
        for r in tr.rows:
            if r["code"] in cumulative and r.get("latest") is not None and r.get("latest_year") == tr.year:
                cumulative[r["code"]][tr.year] = float(r["latest"])
    out: list[TargetCheck] = []
    for t in five_year:
        for unit in ("city", *plan.target_leads(t)):
            out.extend(
                target_checks(
                    target=t.code,
                    unit=unit,
                    year=year,
                    base_year=t.base_year,
                    target_year=t.target_year,
                    reduction=t.target_value,
                    cumulative=cumulative[t.code],
                )
            )
    return out


def _tracking_before(plan: Plan, year: int, database: Database | None) -> Tracking | None:
    try:
        return track_targets(plan=plan, year=year - 1, database=database)
    except InputError:
        return None  # no observations of the year before: the annual condition is not assessable


def year_inventory(region: str, year: int, *, database: Database | None = None) -> YearInventory | None:
    """The current data set's inventory of `region` in `year` by scope; None when it has no such year."""
    found = current_inventory(database)
    if found is None:
        return None
    row = next((t for t in found.result["totals"] if t["region"] == region and int(t["year"]) == year), None)
    if row is None:
        return None
    flags = {
        r.get("flag") or "published" for r in found.rows if r["region"] == region and int(r["year"]) == year
    }
    flag = next((f for f in ("sample", "estimated", "published") if f in flags), "published")
    return YearInventory(
        region=region,
        year=year,
        energy=row["energy_t"] / TONNES_PER_UNIT,
        process=row["process_t"] / TONNES_PER_UNIT,
        indirect_electricity=row["indirect_electricity_t"] / TONNES_PER_UNIT,
        total=row["total_t"] / TONNES_PER_UNIT,
        sinks=None,
        factor_set=str(found.result["factor_set"]),
        flag=flag,
        source=f"inventory ({found.result['factor_set']} factors) of {found.source}",
    )


def projection_summary(scenario: str, *, database: Database | None = None) -> ProjectionSummary:
    """The shown run of a shipped scenario (services/projection.shown_run: 5 000 draws, seed 1),
    the same cached run as the overview and the projection page."""
    run = projection.shown_run(scenario, database=database)
    labels = {s["name"]: s for s in projection.list_scenarios()}.get(scenario, {})
    peak = run.get("peak_value") or {}
    scale = MT_TO_UNIT if peak.get("unit") == "MtCO2" else 1.0
    median = (peak.get("quantiles") or {}).get("p50")
    return ProjectionSummary(
        scenario=scenario,
        label_zh=labels.get("label_zh", scenario),
        label_en=labels.get("label_en", scenario),
        p_peak_by_2030=float(run["p_peak_by_2030"]),
        median_peak_year=(run["peak_year"].get("quantiles") or {}).get("p50"),
        peak_value_median=float(median) * scale if median is not None else None,
        base_year=int(run["base_year"]),
        draws=int(run["draws"]),
        seed=int(run["seed"]),
        scenario_hash=str(run["scenario_hash"]),
    )


__all__ = [
    "ProjectionSummary",
    "YearInventory",
    "YearResults",
    "database_or_settings",
    "projection_summary",
    "require_initialised",
    "year_inventory",
    "year_results",
]
