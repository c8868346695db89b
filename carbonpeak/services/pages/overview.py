"""The overview: every target as a card, the headline figures, emissions history joined to the fan.

Headline figures and where each comes from:
- total CO2 (万tCO2): the inventory's latest year (pages/inventory.py);
- fall in CO2 intensity since 2005 (%): (1 − I_latest / I_2005) × 100 on the indicator engine's
  `co2_intensity` series of the current data set (tCO2/万元 at constant prices), a reduction as the
  plan's co2_intensity_reduction target states it (下降 64.2% / down 64.2%); docs/methods/pages.md;
- non-fossil share (%): the indicator engine's latest `non_fossil_share`;
- probability of peaking by 2030 and the fan: the projection engine's seeded run of the `plan`
  scenario (pages/analysis.py: 5 000 draws, seed 1, as the target tracker), named as such; `odds`
  gives it beside the `baseline` run ("if the plan is delivered in full: …; on current trends: …");
- online monitoring coverage (units online, completeness): the quality engine over the store's
  readings (pages/metering.coverage, at most 5 minutes old; readings do not change the snapshot).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from carbonpeak.indicators.series import Observations
from carbonpeak.services import dataset
from carbonpeak.services.pages import analysis
from carbonpeak.services.pages import inventory as inventory_pages
from carbonpeak.services.pages import metering as metering_pages
from carbonpeak.services.pages import targets as target_pages
from carbonpeak.services.pages.common import FanPoint, Odds, PageBase, Point, load_plan_for, weakest
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

HEADLINE_KEYS = ("total_co2", "co2_intensity_reduction", "non_fossil_share", "peak_probability")


class Headline(BaseModel):
    key: str  # total_co2 · co2_intensity_reduction · non_fossil_share · peak_probability
    value: float | None = None
    unit: str | None = None
    year: int | None = None
    flag: str | None = None
    source: str | None = None
    scenario: str | None = None  # the scenario a probability assumes


class OverviewPage(PageBase):
    plan_title_zh: str = ""
    plan_title_en: str = ""
    counts: dict[str, int] = Field(default_factory=dict)
    headline: list[Headline] = Field(default_factory=list)
    targets: list[target_pages.TargetRow] = Field(default_factory=list)
    sparklines: dict[str, list[Point]] = Field(default_factory=dict)
    emissions_unit: str = inventory_pages.UNIT
    history: list[Point] = Field(default_factory=list)
    fan: list[FanPoint] = Field(default_factory=list)
    odds: list[Odds] = Field(default_factory=list)
    monitoring: metering_pages.Coverage | None = None


def overview_page(settings: Settings, *, db: Database | None = None) -> OverviewPage:
    """Every target as a card with status, the headline figures and the emissions history, on the
    current data set of `db` (the app's database); built once per snapshot (the model is
    language-neutral and rendering does not change it)."""
    key = (str(settings.plan_file), dataset.cache_key(db))
    found = _PAGES.get(key)
    if found is None:
        found = _overview_page(settings, db)
        if len(_PAGES) >= 4:
            _PAGES.clear()
        _PAGES[key] = found
    monitoring = metering_pages.coverage(settings, db)
    if monitoring is None:
        return found
    # the same object while neither changes: the rendered HTML is reused for the very model object
    # (web/context.render)
    base, seen, page = _MONITORED.get(key, (None, None, None))
    if base is not found or seen is not monitoring or page is None:
        page = found.model_copy(update={"monitoring": monitoring})
        _MONITORED.clear()
        _MONITORED[key] = (found, monitoring, page)
    return page


_PAGES: dict[tuple[str, str], OverviewPage] = {}
_MONITORED: dict[tuple[str, str], tuple[OverviewPage, metering_pages.Coverage, OverviewPage]] = {}


def _overview_page(settings: Settings, db: Database | None) -> OverviewPage:
    plan = load_plan_for(settings)
    if plan is None:
        return OverviewPage(missing=["plan"], headline=[Headline(key=k) for k in HEADLINE_KEYS])
    tracked = target_pages.tracking(plan, db)
    rows = [target_pages.target_row(plan, tg, tracked.rows.get(tg.code)) for tg in plan.targets]
    observations = target_pages.observations_for(tracked.region, db)
    sparklines: dict[str, list[Point]] = {}
    if observations is not None and tracked.region is not None:
        for r in rows:
            s = observations.get(r.series, tracked.region) if r.series else None
            if s is not None and len(s) >= 2:
                sparklines[r.code] = [
                    Point(year=int(y), value=float(v)) for y, v in zip(s.years, s.values, strict=True)
                ]
    history = inventory_pages.totals_by_year(db)
    run = analysis.projection_run(db=db)
    headline = [
        _total(history, db),
        _intensity_reduction(observations, tracked.region),
        _non_fossil(rows),
        _peak(run),
    ]
    missing = [
        name
        for name, ok in (("inventory", history), ("indicators", tracked.rows), ("projection", run))
        if not ok
    ]
    return OverviewPage(
        snapshot=dataset.current(db).id,
        factor_library=dataset.versions()["factor_library"],
        methods=dataset.versions()["methods"],
        missing=missing,
        flag=weakest([h.flag for h in headline] + [r.flag for r in rows]),  # cards count too
        plan_title_zh=plan.title_zh,
        plan_title_en=plan.title_en,
        counts={"targets": len(plan.targets), "tasks": len(plan.tasks()), "projects": len(plan.key_projects)},
        headline=headline,
        targets=rows,
        sparklines=sparklines,
        history=[Point(year=y, value=round(v, 4)) for y, v in sorted(history.items())],
        fan=analysis.fan_points(run) if run else [],
        odds=analysis.peak_odds(run, db) if run else [],
    )


def _peak(run: dict[str, Any] | None) -> Headline:
    if not run or run.get("p_peak_by_2030") is None:
        return Headline(key="peak_probability")
    return Headline(
        key="peak_probability",
        value=round(100.0 * run["p_peak_by_2030"], 1),
        unit="%",
        year=2030,
        flag="estimated",
        source=f"projection: {run['scenario']}, {run['draws']} draws, seed {run['seed']}",
        scenario=str(run["scenario"]),
    )


def _total(history: dict[int, float], db: Database | None) -> Headline:
    if not history:
        return Headline(key="total_co2")
    year = max(history)
    found = inventory_pages.city_inventory(db)
    flag = weakest([r.get("flag") for r in found[2]]) if found else None
    return Headline(
        key="total_co2",
        value=round(history[year], 2),
        unit=inventory_pages.UNIT,
        year=year,
        flag=flag,
        source="inventory",
    )


def _intensity_reduction(observations: Observations | None, region: str | None) -> Headline:
    """% fall of CO2 per unit of GDP since 2005 (negative if it rose), as the plan's target counts it."""
    s = observations.get("co2_intensity", region) if observations is not None and region is not None else None
    base = s.value(2005) if s is not None else None
    latest = s.latest() if s is not None else None
    if s is None or base is None or latest is None or base <= 0:
        return Headline(key="co2_intensity_reduction")
    year, value = latest
    return Headline(
        key="co2_intensity_reduction",
        value=round((1.0 - value / base) * 100.0, 2),
        unit="%",
        year=year,
        flag=weakest(list(s.flags)),
        source="indicators: co2_intensity (current data set)",
    )


def _non_fossil(rows: list[target_pages.TargetRow]) -> Headline:
    for r in rows:
        if r.series == "non_fossil_share" and r.latest_value is not None:
            return Headline(
                key="non_fossil_share",
                value=round(r.latest_value, 2),
                unit="%",
                year=r.latest_year,
                flag=r.flag,
                source="indicators: non_fossil_share",
            )
    return Headline(key="non_fossil_share")
