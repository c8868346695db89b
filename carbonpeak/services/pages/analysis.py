"""Projection and decomposition pages: views over services/projection.py and services/decomposition.py
(the decomposition of the current data set, services/decomposition.kaya_series, flagged estimated)."""

from __future__ import annotations

from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from carbonpeak.errors import InputError
from carbonpeak.scenarios.labels import driver_label
from carbonpeak.services import dataset, decomposition, projection
from carbonpeak.services.pages.common import (
    ODDS_SCENARIOS,
    Bar,
    FanPoint,
    Named,
    Odds,
    PageBase,
    Point,
    Series,
    shown_path,
)
from carbonpeak.services.pages.inventory import totals_by_year
from carbonpeak.services.pages.snapshot_cache import per_snapshot
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

DEFAULT_SCENARIO = projection.SHOWN_SCENARIO
DEFAULT_DRAWS = projection.SHOWN_DRAWS  # the draws of projection.peak_probabilities: pages and targets agree
MAX_PAGE_DRAWS = 20_000  # a page run must stay interactive; the CLI and API take more
SEED = projection.SHOWN_SEED
MT_TO_UNIT = 100.0  # MtCO2 → 万tCO2


class TargetOdds(BaseModel):
    id: str
    label_zh: str
    label_en: str
    probability: float


class HypotheticalProject(BaseModel):
    """A project to add to the scenario: one entry of the projection's project file
    (docs/methods/projection.md, "Project impact"); quantities per year from `start_year`."""

    model_config = ConfigDict(frozen=True)

    name: str = "假设项目"
    sector: str
    start_year: int = 2027
    coal: float = 0.0  # 万tce a year
    oil: float = 0.0  # 万tce a year
    gas: float = 0.0  # 万tce a year
    electricity: float = 0.0  # 亿kWh a year
    process_emissions: float = 0.0  # 万tCO2 a year
    value_added: float = 0.0  # 亿元 a year

    def as_file(self) -> dict[str, Any]:
        note = "entered on the projection page (hypothetical)"
        energy = {
            fuel: {"value": value, "unit": unit, "assumption": note}
            for fuel, value, unit in (
                ("coal", self.coal, "万tce"),
                ("oil", self.oil, "万tce"),
                ("gas", self.gas, "万tce"),
                ("electricity", self.electricity, "亿kWh"),
            )
            if value
        }
        return {
            "projects": [
                {
                    "name": self.name,
                    "start_year": self.start_year,
                    "sector": self.sector,
                    "assumption": note,
                    "energy": energy,
                    "process_emissions": {
                        "value": self.process_emissions,
                        "unit": "万tCO2",
                        "assumption": note,
                    },
                    "value_added": {"value": self.value_added, "unit": "亿元", "assumption": note},
                }
            ]
        }


class ProjectEffect(BaseModel):
    project: HypotheticalProject
    before: dict[str, Any] = Field(default_factory=dict)
    after: dict[str, Any] = Field(default_factory=dict)
    delta: dict[str, Any] = Field(default_factory=dict)
    problems: list[dict[str, Any]] = Field(default_factory=list)


class ProjectionPage(PageBase):
    scenarios: list[Named] = Field(default_factory=list)
    scenario: str | None = None
    draws: int | None = None
    seed: int | None = None
    scenario_hash: str | None = None
    unit: str = "万tCO2"
    p_peak_by_2030: float | None = None
    peak_year_median: int | None = None
    history: list[Point] = Field(default_factory=list)
    fan: list[FanPoint] = Field(default_factory=list)
    peak_years: list[Point] = Field(default_factory=list)  # share of draws peaking in each year (0–1)
    probabilities: list[Point] = Field(default_factory=list)  # P(peak no later than the year) (0–1)
    target_odds: list[TargetOdds] = Field(default_factory=list)
    # driver → P(peak by 2030) at its 5th (low) and 95th (high) percentile (0–1)
    tornado: list[Bar] = Field(default_factory=list)
    # programme → avoided emissions per year (万tCO2), aligned with `wedge_years`
    wedges: list[Series] = Field(default_factory=list)
    wedge_years: list[int] = Field(default_factory=list)
    sectors: list[str] = Field(default_factory=list)  # sectors a hypothetical project can join
    effect: ProjectEffect | None = None


@cache
def _scenarios() -> tuple[tuple[str, str, str], ...]:
    return tuple((s["name"], s["label_zh"], s["label_en"]) for s in projection.list_scenarios())


def projection_run(
    scenario: str | None = None, draws: int | None = None, *, db: Database | None = None
) -> dict[str, Any]:
    """The projection service's shown run of a shipped scenario on the data set of `db` (default:
    plan, 5 000 draws, seed 1; draws kept between 100 and MAX_PAGE_DRAWS)."""
    draws = min(max(draws or DEFAULT_DRAWS, 100), MAX_PAGE_DRAWS)
    return projection.shown_run(scenario or DEFAULT_SCENARIO, draws, SEED, database=db)


def peak_odds(plan_run: dict[str, Any] | None = None, db: Database | None = None) -> list[Odds]:
    """P(peak by 2030) of the plan's shown run beside the baseline's, each with its scenario's labels
    (the overview and the peak targets' indicator pages: "if the plan is delivered in full: …; on
    current trends: …"). `plan_run`: the plan run when the caller has it already."""
    plan_run = plan_run or projection_run(db=db)
    names = {sc["name"]: sc for sc in projection.list_scenarios()}
    out = []
    for scenario in ODDS_SCENARIOS:
        run = plan_run if scenario == plan_run.get("scenario") else projection_run(scenario, db=db)
        p = run.get("p_peak_by_2030")
        labels = names.get(scenario, {})
        out.append(
            Odds(
                scenario=scenario,
                value=None if p is None else round(100.0 * p, 1),
                label_zh=str(labels.get("label_zh", scenario)),
                label_en=str(labels.get("label_en", scenario)),
                source=f"projection: {scenario}, {run['draws']} draws, seed {run['seed']}",
            )
        )
    return out


def fan_points(result: dict[str, Any]) -> list[FanPoint]:
    bands = result["bands"]
    co2 = bands["co2"]
    scale = MT_TO_UNIT if co2["unit"] == "MtCO2" else 1.0
    return [
        FanPoint(year=int(y), **{q: round(co2[q][i] * scale, 2) for q in ("p5", "p25", "p50", "p75", "p95")})
        for i, y in enumerate(bands["years"])
    ]


@lru_cache(maxsize=8)
def _sectors(scenario: str, _scenario_hash: str | None) -> tuple[str, ...]:
    """The sectors of the scenario's base year (loading a scenario takes a while: once per version)."""
    return tuple(projection.load_with_inventory(scenario).base.sectors)


def _impact(scenario: str, draws: int, project: HypotheticalProject, db: Database | None) -> dict[str, Any]:
    data = dataset.current(db)
    key = (scenario, draws, project, data.id)
    if key not in _IMPACTS:
        if len(_IMPACTS) >= 8:
            _IMPACTS.clear()
        _IMPACTS[key] = _impact_run(scenario, draws, project, data)
    return _IMPACTS[key]


_IMPACTS: dict[tuple[Any, ...], dict[str, Any]] = {}


def _impact_run(scenario: str, draws: int, project: HypotheticalProject, data: Any) -> dict[str, Any]:
    import tempfile

    import yaml

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "project.yaml"
        path.write_text(yaml.safe_dump(project.as_file(), allow_unicode=True), encoding="utf-8")
        result: dict[str, Any] = projection.run_projection(
            scenario,
            draws=draws,
            seed=SEED,
            sensitivity=False,
            wedges=False,
            add_project=path,
            shipped_only=True,
            data=data,
        )
    return dict(result["impact"])


def project_effect(
    scenario: str, draws: int, project: HypotheticalProject, db: Database | None = None
) -> ProjectEffect:
    """Before/after of adding `project` to the scenario on the same draws (the projection's impact run)."""
    try:
        impact = _impact(scenario, draws, project, db)
    except InputError as exc:
        return ProjectEffect(project=project, problems=[p.as_dict() for p in exc.problems])
    keys = ("p_peak_by_2030", "peak_year_median", "peak_value_median")
    return ProjectEffect(
        project=project,
        before={k: impact["before"][k] for k in keys},
        after={k: impact["after"][k] for k in keys},
        delta={k: impact["delta"][k] for k in keys},
    )


def projection_page(
    settings: Settings,
    *,
    scenario: str | None = None,
    draws: int | None = None,
    project: HypotheticalProject | None = None,
    db: Database | None = None,
) -> ProjectionPage:
    """A seeded projection run of the chosen scenario: fan, peak-year histogram, probabilities,
    target odds, tornado (P(peak by 2030) at each driver's 5th and 95th percentile) and wedges; built
    once per snapshot, scenario and draws when no hypothetical project is added (snapshot_cache)."""
    if project is None:
        return per_snapshot(
            "projection",
            settings,
            db,
            (scenario, draws),
            lambda: _projection_page(settings, scenario, draws, None, db),
        )
    return _projection_page(settings, scenario, draws, project, db)


def _projection_page(
    settings: Settings,
    scenario: str | None,
    draws: int | None,
    project: HypotheticalProject | None,
    db: Database | None,
) -> ProjectionPage:
    result = projection_run(scenario, draws, db=db)
    dist = {int(y): float(p) for y, p in result["peak_year"]["distribution"].items()}
    years = list(range(min(dist), max(dist) + 1)) if dist else []
    cumulative, running = [], 0.0
    for y in years:
        running += dist.get(y, 0.0)
        cumulative.append(Point(year=y, value=round(min(running, 1.0), 6)))
    band_years = [int(y) for y in result["bands"]["years"]]
    wedges = [
        Series(
            key=w["programme"],
            label_zh=w["name_zh"],
            label_en=w["name_en"],
            values=[round(v * (MT_TO_UNIT if w["unit"].startswith("MtCO2") else 1.0), 2) for v in w["wedge"]],
        )
        for w in result.get("wedges") or []
    ]
    tornado = [
        Bar(
            key=t["driver"],
            label_zh=driver_label(t["driver"], "zh"),
            label_en=driver_label(t["driver"], "en"),
            low=t["low"]["p_peak"],
            high=t["high"]["p_peak"],
            value=t["swing_p_peak"],
        )
        for t in ((result.get("sensitivity") or {}).get("tornado") or [])
    ]
    history = totals_by_year(db)
    return ProjectionPage(
        flag="estimated",
        data_source=shown_path(result.get("scenario_file")),
        scenarios=[Named(code=n, name_zh=zh, name_en=en) for n, zh, en in _scenarios()],
        scenario=result["scenario"],
        draws=result["draws"],
        seed=result["seed"],
        scenario_hash=result.get("scenario_hash"),
        p_peak_by_2030=result.get("p_peak_by_2030"),
        peak_year_median=(result["peak_year"].get("quantiles") or {}).get("p50"),
        history=[Point(year=y, value=round(v, 2)) for y, v in sorted(history.items()) if y <= band_years[0]],
        fan=fan_points(result),
        peak_years=[Point(year=y, value=dist.get(y, 0.0)) for y in years],
        probabilities=cumulative,
        target_odds=[
            TargetOdds(**{k: o[k] for k in ("id", "label_zh", "label_en", "probability")})
            for o in result.get("target_probabilities") or []
        ],
        tornado=sorted(tornado, key=lambda b: -(b.value or 0.0)),
        wedges=wedges,
        wedge_years=band_years,
        sectors=list(_sectors(result["scenario"], result.get("scenario_hash"))),
        effect=project_effect(result["scenario"], result["draws"], project, db) if project else None,
    )


class DecompositionPage(PageBase):
    years: list[int] = Field(default_factory=list)
    start: int | None = None
    end: int | None = None
    unit: str = "万tCO2"
    start_value: float | None = None
    end_value: float | None = None
    effects: list[Bar] = Field(default_factory=list)
    method: str | None = None
    scope_zh: str | None = None
    scope_en: str | None = None
    problems: list[dict[str, Any]] = Field(default_factory=list)


def decomposition_page(
    settings: Settings, *, start: int | None = None, end: int | None = None, db: Database | None = None
) -> DecompositionPage:
    """Additive LMDI effects of the chosen period (chained year by year), start → end emissions;
    built once per snapshot and period (snapshot_cache)."""
    return per_snapshot(
        "decomposition", settings, db, (start, end), lambda: _decomposition_page(start, end, db)
    )


def _decomposition_page(start: int | None, end: int | None, db: Database | None) -> DecompositionPage:
    years = [int(y) for y in decomposition.kaya_series(database=db).years]
    try:
        d = decomposition.decompose_emissions(start=start, end=end, database=db)
    except InputError as exc:  # a period the data cannot chain: say why, show the whole span instead
        d = decomposition.decompose_emissions(database=db)
        problems = [p.as_dict() for p in exc.problems]
    else:
        problems = []
    return DecompositionPage(
        flag=d.get("flag"),
        data_source=d["input"],
        years=years,
        start=d["from"],
        end=d["to"],
        unit=d["unit"],
        start_value=d["start_emissions"],
        end_value=d["end_emissions"],
        effects=[
            Bar(key=e["factor"], label_zh=e["label_zh"], label_en=e["label_en"], value=e["additive"])
            for e in d["effects"]
        ],
        method=d["method"],
        scope_zh=d.get("scope_zh"),
        scope_en=d.get("scope_en"),
        problems=problems,
    )
