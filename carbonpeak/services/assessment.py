"""The figures an office signs beside the statistical ones: the non-fossil share with its crediting
convention named (and the sensitivity to it), energy intensity under the 十四五 assessment rules.

    non_fossil_view(database=None, region=None)           NonFossilView: the convention the indicator
                                                          uses, the import share of every year with
                                                          its source, and the lines no_credit /
                                                          provincial / national (% by year)
    energy_intensity_view(plan, target, …)                IntensityView: statistical and assessment-
                                                          rule intensity, the deducted 万tce, both
                                                          judged against the plan's target, or why
                                                          the assessment cannot be made

Both compute from the data set of `database` (services/dataset.current): the non-fossil lines from
its inventory (services/dataset.current_inventory; indicators.assessment.non_fossil_share_lines on
the coal-equivalent energy mix), the intensities from the indicator engine's observations and the
`assessment` data kind (raw_material_energy, energy_intensity_official, co2_intensity_official).
Formulas and sources: docs/methods/indicators.md#assessment.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, Field

from carbonpeak.accounting import factors
from carbonpeak.indicators.assessment import non_fossil_share_lines
from carbonpeak.indicators.config import load_status_config
from carbonpeak.indicators.derived import NON_FOSSIL_DEDUCTED_FROM
from carbonpeak.indicators.progress import assess_target
from carbonpeak.indicators.series import Observations, Series, weakest_flag
from carbonpeak.plan.schema import Plan, Target

if TYPE_CHECKING:
    from carbonpeak.store.db import Database

LINES = ("no_credit", "provincial", "national")
ASSESSED = "energy_intensity_assessed"
STATISTICAL = "energy_intensity"


class ShareUsed(BaseModel):
    """The non-fossil fraction of generation credited to a year's net imported electricity."""

    year: int
    share: float  # fraction
    grid: str  # CN, a regional grid or a province
    tabulated_year: int  # the row's year (≠ year: the nearest tabulated year stands in)
    source: str
    flag: str = "published"  # estimated when another year's share stands in
    method: str = ""  # how an estimated share was obtained


class NonFossilLine(BaseModel):
    key: str  # no_credit · provincial · national
    grid: str | None = None
    values: list[float | None] = Field(default_factory=list)  # %, one per year
    shares: list[ShareUsed] = Field(default_factory=list)


class NonFossilView(BaseModel):
    """The convention the indicator counts by (`convention`: a key of `lines`) and the sensitivity."""

    region: str
    convention: str
    convention_grid: str
    years: list[int] = Field(default_factory=list)
    lines: list[NonFossilLine] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


def non_fossil_view(database: Database | None = None, region: str | None = None) -> NonFossilView | None:
    """The non-fossil share (%) by year under each crediting convention, from the inventory of the
    data set; `convention` names the one the indicator engine counts (the inventory's default: the
    most specific grid level tabulated for the region, by accounting.energy.import_non_fossil_share).
    None without a balance for `region`."""
    from carbonpeak.services.dataset import current_inventory, region_of

    region = region or region_of(database)
    found = current_inventory(database)
    totals = [t for t in found.result["totals"] if t["region"] == region] if found else []
    if not totals:
        return None
    years = [int(t["year"]) for t in totals]
    local = np.array([t["share_non_fossil_local"] or 0.0 for t in totals])
    imports = np.array([t["share_net_import_electricity"] or 0.0 for t in totals])
    official = _official_grid(region)
    grids = {"provincial": official, "national": "CN"}
    used = {key: _shares(grid, years) for key, grid in grids.items()}
    shares: dict[str, float | np.ndarray] = {"no_credit": 0.0}
    shares.update({key: np.array([u.share for u in used[key]]) for key in grids})
    values = non_fossil_share_lines(local, imports, 1.0, shares)
    lines = [
        NonFossilLine(
            key=key,
            grid=grids.get(key),
            values=[round(100.0 * float(v), 4) for v in np.asarray(values[key]) * np.ones(len(years))],
            shares=used.get(key, []),
        )
        for key in LINES
    ]
    notes = [
        f"{u.grid} {u.year}: not tabulated, {u.tabulated_year} ({u.share:.3f}) used"
        for line in lines
        for u in line.shares
        if u.year != u.tabulated_year
    ]
    return NonFossilView(
        region=region,
        convention="provincial" if official != "CN" else "national",
        convention_grid=official,
        years=years,
        lines=lines,
        notes=notes,
    )


def convention(series: str | None, region: str) -> dict[str, str] | None:
    """How the series a target is judged on is counted, named in zh and en (key: provincial /
    national for the non-fossil share, assessment_rules / statistical for energy intensity); None
    for other series. Shown beside the figure on the indicator rows, pages and the annual report."""
    from carbonpeak.i18n import t

    if series == "non_fossil_share":
        grid = _official_grid(region)
        key = "provincial" if grid != "CN" else "national"
    elif series == ASSESSED:
        key, grid = "assessment_rules", ""
    elif series == STATISTICAL:
        key, grid = "statistical", ""
    else:
        return None

    def named(lang: str) -> str:  # the grid's name in `lang` (grid.* of the catalogue), else its code
        label = t(f"grid.{grid}", lang)
        return grid if label == f"grid.{grid}" else label

    return {
        "key": key,
        **{
            lang: t(f"indicators.convention.{key}", lang, grid=named(lang) if grid else "")
            for lang in ("zh", "en")
        },
    }


def _official_grid(region: str) -> str:
    """The grid level accounting.energy.import_non_fossil_share credits imports at for `region`:
    its province, else its regional grid, else CN — the most specific level with any row."""
    mapped = factors.grid_regions().get(region)
    tabulated = {r.grid for r in factors.import_non_fossil_shares()}
    levels = [mapped.province, mapped.grid, "CN"] if mapped else ["CN"]
    return next((g for g in levels if g in tabulated), "CN")


def _shares(grid: str, years: list[int]) -> list[ShareUsed]:
    """The tabulated share of `grid` for each year (the nearest tabulated year, later on a tie, as
    accounting.energy.import_non_fossil_share picks it)."""
    rows = [r for r in factors.import_non_fossil_shares() if r.grid == grid]
    out = []
    for year in years:
        best = min(rows, key=lambda r: (abs(r.year - year), -r.year))
        stand_in = best.year != year
        out.append(
            ShareUsed(
                year=year,
                share=best.share,
                grid=grid,
                tabulated_year=best.year,
                source=best.source,
                flag="estimated" if stand_in else "published",
                method=f"nearest_tabulated_year: {grid} {best.year} ({best.share:.3f}) stands for {year}"
                if stand_in
                else "",
            )
        )
    return out


# --- energy intensity under the assessment rules --------------------------------------------------


class Deduction(BaseModel):
    """An amount deducted from energy consumption in one year (万tce), with its source."""

    what: str  # raw_material_energy · non_fossil_energy
    year: int
    value: float  # 万tce
    flag: str | None = None
    source: str = ""


class IntensityFigure(BaseModel):
    """One way of counting energy intensity, judged by the indicator engine against the target."""

    series: str  # energy_intensity · energy_intensity_assessed
    base_year: int
    base_value: float | None = None  # tce/万元
    year: int | None = None
    value: float | None = None  # tce/万元
    reduction: float | None = None  # % below the base year (the target's measure)
    status: str | None = None
    progress: float | None = None  # % of the way to the target
    expected_progress: float | None = None
    flag: str | None = None
    source: str = ""


class IntensityView(BaseModel):
    """Statistical and assessment-rule energy intensity of one target, which one drives the status
    (`driving`), the deductions, the official base values when entered, or why the assessment-rule
    figure is missing (`missing`: the inputs it needs)."""

    target: str
    target_value: float | None  # % reduction
    target_year: int
    base_year: int
    statistical: IntensityFigure | None = None
    assessment: IntensityFigure | None = None
    driving: str = STATISTICAL
    deductions: list[Deduction] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)
    official: dict[str, Deduction] = Field(default_factory=dict)  # official base values as entered


def energy_intensity_view(
    plan: Plan, target: Target, observations: Observations, region: str, year: int
) -> IntensityView:
    """The target `target` (an energy-intensity reduction) judged in `year` on the statistical and on
    the assessment-rule series of `observations` (with derived series), each by
    indicators.progress.assess_target with the target's series set to it."""
    config = load_status_config()
    base_year = target.base_year or config.default_base_year
    view = IntensityView(
        target=target.code,
        target_value=target.target_value,
        target_year=target.target_year,
        base_year=base_year,
    )
    figures: dict[str, IntensityFigure] = {}
    for name in (STATISTICAL, ASSESSED):
        s = observations.get(name, region)
        if s is None or not len(s) or s.value(base_year) is None:
            continue
        cfg = config.model_copy(update={"series": {**config.series, target.indicator: name}})
        p = assess_target(target, observations, region, year, cfg)
        latest_year = p.latest_year
        value = s.value(latest_year) if latest_year is not None else None
        base = s.value(base_year)
        figures[name] = IntensityFigure(
            series=name,
            base_year=base_year,
            base_value=_r(base),
            year=latest_year,
            value=_r(value),
            reduction=_r((1 - value / base) * 100) if value is not None and base else None,
            status=p.status,
            progress=_r(p.progress),
            expected_progress=_r(p.expected_progress),
            flag=weakest_flag(list(s.flags)),
            source=s.sources[-1],
        )
    view.statistical = figures.get(STATISTICAL)
    view.assessment = figures.get(ASSESSED)
    if view.assessment is not None:
        view.driving = ASSESSED
        view.deductions = _deductions(observations, region, view.assessment)
    else:
        raw = observations.get("raw_material_energy", region)
        if raw is None or raw.value(base_year) is None:
            view.missing.append("raw_material_energy")
    for code in ("energy_intensity_official", "co2_intensity_official"):
        s = observations.get(code, region)
        if s is not None and len(s):
            y, v = int(s.years[0]), float(s.values[0])
            view.official[code] = Deduction(what=code, year=y, value=v, flag=s.flags[0], source=s.sources[0])
    return view


def _deductions(observations: Observations, region: str, figure: IntensityFigure) -> list[Deduction]:
    """What the assessment figure deducts in its base year and its latest year (万tce)."""
    raw = observations.get("raw_material_energy", region)
    non_fossil = observations.get("non_fossil_energy", region)
    latest_raw = int(raw.years.max()) if raw is not None and len(raw) else 0
    out: list[Deduction] = []
    for year in dict.fromkeys(y for y in (figure.base_year, figure.year) if y is not None):
        for s in (raw, non_fossil if latest_raw >= NON_FOSSIL_DEDUCTED_FROM else None):
            if s is None or s.value(year) is None:
                continue
            i = int(np.flatnonzero(s.years == year)[0])
            out.append(
                Deduction(
                    what=s.indicator,
                    year=year,
                    value=round(_wan_tce(s, i), 2),
                    flag=s.flags[i],
                    source=s.sources[i],
                )
            )
    return out


def _wan_tce(s: Series, i: int) -> float:
    from carbonpeak.units import convert

    return float(convert(float(s.values[i]), s.unit, "万tce"))


def _r(x: float | None, digits: int = 4) -> float | None:
    return None if x is None else round(float(x), digits)


__all__ = [
    "Deduction",
    "IntensityFigure",
    "IntensityView",
    "NonFossilLine",
    "NonFossilView",
    "ShareUsed",
    "convention",
    "energy_intensity_view",
    "non_fossil_view",
]
