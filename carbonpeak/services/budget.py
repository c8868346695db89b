"""Use cases of the monthly nowcast, the carbon budget and the project assessment (docs/methods/nowcast.md,
docs/methods/budget.md).

    fast_data(database)                  the published monthly electricity (data kind electricity_monthly)
                                         by region, sector and year — or the data set folder's file
                                         (DataSetFiles.electricity_monthly) read through the same parser
                                         when nothing is published
    nowcast(database)                    monthly CO2 of the city (by sector) and of every district, the
                                         coefficients, the backtest and its summary
    budget_report(year, database, rules) budget, allocation, profile, execution, probability and warning of
                                         the city, every district and sector; watch-lists
    assess_project(text, name, …)        every test of a project file with its result and source
    current_rules(data_dir) / set_rules(session, actor, text, data_dir)   the office's rule file (audited)
    record_decision(session, actor, …)   a decision on an assessed project and its reason (audited)

The city is the region of `database` (Settings.region: services/dataset.region_of); the districts are
the other regions of the monthly rows.

Seam: a published `metered_energy` kind (the key units' metered energy, another area) is
listed in `inputs` when the registry has it; the nowcast does not depend on it.
"""

from __future__ import annotations

import hashlib
import json
import math
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from carbonpeak import units
from carbonpeak.budget import assessment as checks
from carbonpeak.budget import budget as engine
from carbonpeak.budget import nowcast as nc
from carbonpeak.budget import rules as rulefiles
from carbonpeak.errors import InputError, NotFound, PermissionDenied
from carbonpeak.services.dataset import cache_key, current, dataset_observations, files_of, region_of
from carbonpeak.services.decomposition import kaya_series
from carbonpeak.validation import problem

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from carbonpeak.store.db import Database
    from carbonpeak.store.models import User

KIND = "electricity_monthly"
METERED_KIND = "metered_energy"  # published by `carbonpeak metering publish`
SECTORS = ("primary", "secondary", "tertiary", "residential")
KAYA_SECTOR = {
    "primary": "primary",
    "industry": "secondary",
    "services": "tertiary",
    "households": "residential",
}
RULES_NAME = "budget-rules.yaml"
DECISIONS = ("approve", "approve_with_conditions", "reject")


# --- fast data ------------------------------------------------------------------------------------


def _rows(database: Database | None) -> tuple[str, tuple[Any, ...]]:
    """(origin, rows of the electricity_monthly kind): the store's published rows, or the data set
    folder's file parsed by statistics.parse_records (the check every import passes) when none is
    published."""
    data = current(database)
    rows = tuple(r for r in data.monthly if r.kind == KIND)
    if rows:
        return "store", rows
    path = files_of(database).electricity_monthly
    return "files", _demo_rows(path, path.stat().st_mtime_ns, region_of(database))


@lru_cache(maxsize=2)
def _demo_rows(path: Path, _mtime: int, region: str) -> tuple[Any, ...]:
    from carbonpeak.statistics import kind_of, parse_records

    parsed = parse_records(kind_of(KIND), path.name, path.read_bytes(), region=region)
    return tuple(r for rows in parsed.by_year.values() for r in rows)


def fast_data(database: Database | None = None) -> dict[str, Any]:
    """{"electricity": region → sector → year → 12 monthly values (亿kWh, NaN where not published),
    "published_months": region → year → months published, "flags": the flags met, "origin",
    "inputs": the kinds read}."""
    origin, rows = _rows(database)
    el: dict[str, dict[str, dict[int, np.ndarray]]] = {}
    months: dict[str, dict[int, int]] = {}
    flags: set[str] = set()
    for r in rows:
        sector = r.key.removeprefix("electricity_")
        if sector not in SECTORS:
            continue
        m = int(r.field[1:]) - 1
        value = float(units.convert(r.value, units.lookup(r.unit).name, "亿kWh"))
        arr = (
            el.setdefault(r.region, {}).setdefault(sector, {}).setdefault(r.year, np.full(nc.MONTHS, np.nan))
        )
        arr[m] = value
        months.setdefault(r.region, {})[r.year] = max(months.get(r.region, {}).get(r.year, 0), m + 1)
        flags.add(r.flag)
    from carbonpeak.statistics import data_kinds

    inputs = [KIND] + ([METERED_KIND] if METERED_KIND in data_kinds() else [])
    return {
        "electricity": el,
        "published_months": months,
        "flags": sorted(flags),
        "origin": origin,
        "inputs": inputs,
    }


def inventory_by_sector(database: Database | None = None) -> dict[str, dict[int, float]]:
    """The inventory's CO2 (万tCO2) by the electricity statistics' four sectors and year: the
    decomposition's sector emissions (services/decomposition.kaya_series: power plants' CO2 and
    imported electricity allocated by electricity use) and process CO2 (co2_total − their sum) in
    the secondary sector."""
    city = region_of(database)
    k = kaya_series(city, database=database)
    total = dataset_observations(city, database=database).get("co2_total", city)
    out: dict[str, dict[int, float]] = {s: {} for s in SECTORS}
    by_sector = k.emissions.sum(axis=2)
    for t, year in enumerate(k.years):
        for i, ks in enumerate(k.sectors):
            out[KAYA_SECTOR[ks]][year] = float(by_sector[t, i])
        if total is not None and total.value(year) is not None:
            out["secondary"][year] += float(total.value(year) or 0.0) - float(by_sector[t].sum())
    return out


# --- nowcast --------------------------------------------------------------------------------------


def nowcast(database: Database | None = None) -> dict[str, Any]:
    """The monthly nowcast (cached per data set); see the module docstring."""
    key = f"{region_of(database)}|{cache_key(database)}"
    found = _NOWCASTS.get(key)
    if found is None:
        found = _nowcast(database)
        found["dataset"] = current(database).id
        if len(_NOWCASTS) >= 4:
            _NOWCASTS.clear()
        _NOWCASTS[key] = found
    return found


_NOWCASTS: dict[str, dict[str, Any]] = {}


def _complete(
    by_sector: dict[str, dict[int, np.ndarray]], years: list[int]
) -> dict[str, dict[int, np.ndarray]]:
    out = {}
    for s, by_year in by_sector.items():
        filled = nc.seasonal_completion({y: by_year.get(y, np.full(nc.MONTHS, np.nan)) for y in years})
        out[s] = filled
    return out


def _nowcast(database: Database | None) -> dict[str, Any]:
    fast = fast_data(database)
    city_code = region_of(database)
    el_city = fast["electricity"].get(city_code, {})
    if not el_city:
        raise NotFound("no monthly electricity is published", message_zh="尚未发布月度用电量数据")
    co2 = inventory_by_sector(database)
    years = sorted({y for by in el_city.values() for y in by})
    completed = _complete(el_city, years)
    series, used = nc.nowcast_monthly(co2, completed, years)
    bt_years = [y for y in years if y in co2["secondary"] and y - 1 in co2["secondary"] and y - 1 in years]
    bt = nc.backtest(
        co2, {s: {y: el_city[s][y] for y in years if y in el_city[s]} for s in el_city}, bt_years
    )
    summary = nc.backtest_summary(bt)
    city = sum(series[s] for s in SECTORS if s in series)
    ratio = {s: np.divide(series[s], np.concatenate([completed[s][y] for y in years])) for s in series}
    districts: dict[str, dict[str, np.ndarray]] = {}
    for region, by_sector in sorted(fast["electricity"].items()):
        if region == city_code:
            continue
        filled = _complete(by_sector, years)
        districts[region] = {
            s: np.concatenate([filled[s].get(y, np.full(nc.MONTHS, np.nan)) for y in years]) * ratio[s]
            for s in filled
            if s in ratio
        }
    months = fast["published_months"].get(city_code, {})
    return {
        "years": years,
        "published_months": {y: months.get(y, 0) for y in years},
        "sectors": {s: series[s] for s in SECTORS if s in series},
        "city": city,
        "districts": districts,
        "inventory": co2,
        "coefficients": [
            {
                "sector": c.sector,
                "year": c.year,
                "value": c.value,
                "model": c.model,
                "calibrated_on": list(c.calibrated_on),
                "error_ratio": c.error_ratio,
                "error_trend": c.error_trend,
            }
            for by_year in used.values()
            for c in by_year.values()
        ],
        "backtest": [r.__dict__ for r in bt],
        "backtest_summary": summary,
        "flags": fast["flags"],
        "origin": fast["origin"],
        "inputs": fast["inputs"],
    }


def annual(series: np.ndarray, years: list[int], year: int, months: int = nc.MONTHS) -> float:
    """The sum of the first `months` months of `year` in a monthly series over `years`."""
    j = years.index(year)
    return float(np.nansum(series[j * nc.MONTHS : j * nc.MONTHS + months]))


def nowcast_view(database: Database | None = None) -> dict[str, Any]:
    """JSON-ready: the city's monthly nowcast (万tCO2) with the backtest band (± the city's backtest
    RMSE), the annual inventory, the backtest rows and summary, the coefficients."""
    n = nowcast(database)
    years: list[int] = n["years"]
    rmse = n["backtest_summary"].get("city", {}).get("rmse", math.nan)
    labels = [f"{y}-{m + 1:02d}" for y in years for m in range(nc.MONTHS)]
    last = years[-1]
    keep = len(labels) - (nc.MONTHS - n["published_months"][last])
    city = [round(float(v), 2) for v in n["city"][:keep]]
    return {
        "dataset": n["dataset"],
        "origin": n["origin"],
        "flags": n["flags"],
        "inputs": n["inputs"],
        "unit": "万tCO2",
        "months": labels[:keep],
        "city": city,
        "band_low": [round(v * (1 - rmse), 2) for v in city],
        "band_high": [round(v * (1 + rmse), 2) for v in city],
        "sectors": {s: [round(float(v), 2) for v in arr[:keep]] for s, arr in n["sectors"].items()},
        "annual": {
            str(y): {
                "nowcast": round(annual(n["city"], years, y, n["published_months"][y]), 1),
                "months": n["published_months"][y],
                "inventory": round(sum(n["inventory"][s].get(y, math.nan) for s in SECTORS), 1),
            }
            for y in years
        },
        "backtest": [
            {k: (round(v, 4) if isinstance(v, float) else v) for k, v in r.items()} for r in n["backtest"]
        ],
        "backtest_summary": {
            s: {k: round(v, 4) for k, v in d.items()} for s, d in n["backtest_summary"].items()
        },
        "backtest_band": rmse,
        "coefficients": n["coefficients"],
        "method": "docs/methods/nowcast.md",
    }


# --- rules ----------------------------------------------------------------------------------------


def current_rules(data_dir: Path | None = None) -> tuple[rulefiles.BudgetRules, str]:
    """The office's rule file under <data_dir>/budget/ when one was set, else the packaged proposal;
    and where it came from."""
    if data_dir is not None:
        path = Path(data_dir) / "budget" / RULES_NAME
        if path.exists():
            return rulefiles.parse_rules(path.read_text(encoding="utf-8"), RULES_NAME), str(path)
    return rulefiles.packaged_rules(), "carbonpeak/budget/data/rules.yaml (proposal)"


def set_rules(session: Session, actor: User, text: str, data_dir: Path) -> dict[str, Any]:
    """Check `text` as budget rules and make it the office's rule file (office only), with an audit
    entry holding its SHA-256 and the one it replaced. InputError stores nothing."""
    from carbonpeak.services import audit

    if actor.role != "office":
        raise PermissionDenied("only the office sets the budget rules", message_zh="仅双碳办可设定碳预算规则")
    rulefiles.parse_rules(text, RULES_NAME)
    path = Path(data_dir) / "budget" / RULES_NAME
    old = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""
    new = hashlib.sha256(text.encode("utf-8")).hexdigest()
    audit.record(
        session,
        username=actor.username,
        action="budget.rules",
        object_type="budget_rules",
        object_id=RULES_NAME,
        detail={"sha256": new, "replaced": old},
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    session.flush()
    tmp.replace(path)
    session.commit()
    return {"path": str(path), "sha256": new, "replaced": old}


# --- budget ---------------------------------------------------------------------------------------


def _gdp(
    database: Database | None, rules: rulefiles.BudgetRules
) -> tuple[dict[int, float], int, dict[int, str]]:
    """GDP at constant prices (亿元) of the latest year with current-price GDP, by year, extended by
    the rules' growth forecast; the price year; the source of each year."""
    from carbonpeak.indicators.derived import gdp_constant

    city = region_of(database)
    obs = dataset_observations(city, database=database)
    cur, idx = obs.get("gdp_current", city), obs.get("gdp_index", city)
    if cur is None or idx is None:
        raise NotFound("the data set has no GDP", message_zh="数据集中没有地区生产总值")
    price = int(cur.years[-1])
    s = gdp_constant(cur, idx, price)
    out = {int(y): float(v) for y, v in zip(s.years, s.values, strict=True)}
    source = {y: f"data set: gdp_current × gdp_index, prices of {price}" for y in out}
    y = max(out)
    while y + 1 in rules.gdp_growth:
        g = rules.gdp_growth[y + 1]
        out[y + 1] = out[y] * (1 + g.value / 100)
        source[y + 1] = f"forecast: {g.value:g} % real growth ({g.source})"
        y += 1
    return out, price, source


def budget_report(
    year: int,
    database: Database | None = None,
    *,
    rules: rulefiles.BudgetRules | None = None,
    rules_origin: str = "",
) -> dict[str, Any]:
    """The budget of `year` for the city, every sector and district (docs/methods/budget.md)."""
    if rules is None:
        rules, rules_origin = current_rules(None)
    n = nowcast(database)
    years: list[int] = n["years"]
    if year not in years or n["published_months"].get(year, 0) == 0:
        raise InputError(
            f"no monthly electricity published for {year}",
            [problem("--year", "budget.year", str(year), year=year)],
        )
    period = rules.period_of(year)
    if period is None:
        raise InputError(
            f"no intensity target covers {year}",
            [problem("--year", "budget.period", str(year), text_key="problem.budget.period.2", year=year)],
        )
    gdp, price_year, gdp_source = _gdp(database, rules)
    if year not in gdp or period.base_year not in gdp:
        raise InputError(
            f"no GDP for {year}",
            [problem("--year", "budget.gdp", str(year), year=year)],
        )
    inv_total = {y: sum(n["inventory"][s].get(y, math.nan) for s in SECTORS) for y in years}
    base_co2 = inv_total.get(period.base_year)
    base_flag = "inventory"
    if base_co2 is None or not math.isfinite(base_co2):
        base_co2 = annual(n["city"], years, period.base_year)
        base_flag = "nowcast"
    base_intensity = base_co2 / gdp[period.base_year]
    intensity = engine.target_intensity(
        base_intensity, period.change, period.base_year, period.target_year, year
    )
    budget = engine.annual_budget(intensity, gdp[year])
    months = n["published_months"][year]
    t = rulefiles.thresholds()
    prob = rules.probability
    spread, mc = _spread(year, prob.scenario, prob.draws, prob.seed, database)
    rmse = n["backtest_summary"].get("city", {}).get("rmse", 0.0)
    error = np.random.default_rng(prob.seed).normal(0.0, rmse, size=spread.size)
    history = [y for y in years if y < year and n["published_months"][y] == nc.MONTHS][-3:]

    def unit_view(
        code: str, series: np.ndarray, unit_budget: float, unit_gdp: float | None
    ) -> dict[str, Any]:
        prof = engine.monthly_profile(
            [series[years.index(y) * 12 : years.index(y) * 12 + 12] for y in history]
        )
        ytd = annual(series, years, year, months)
        ex = engine.execution(unit_budget, prof, ytd, months, unit_gdp or math.nan)
        p = engine.meet_probability(ytd, ex.full_year - ytd, unit_budget, spread, error)
        w = engine.warning_level(ex.ratio, p, t)
        return {
            "unit": code,
            "budget": round(unit_budget, 2),
            "budget_ytd": round(ex.budget_ytd, 2),
            "ytd": round(ytd, 2),
            "months": months,
            "execution_ratio": round(ex.ratio, 4),
            "full_year_at_pace": round(ex.full_year, 2),
            "remaining": round(ex.remaining, 2),
            "headroom": round(unit_budget - ex.full_year, 2),
            "intensity_annualised": None if unit_gdp is None else round(ex.intensity_annualised, 4),
            "intensity_budget": None if unit_gdp is None else round(ex.intensity_budget, 4),
            "probability": round(p, 4),
            "level": w.level,
            "level_zh": w.name_zh,
            "level_en": w.name_en,
            "colour": w.colour,
            "reasons": [{"zh": zh, "en": en} for zh, en in w.reasons],
            "profile": [round(float(v), 5) for v in prof],
            "monthly": [
                round(float(v), 3) for v in series[years.index(year) * 12 : years.index(year) * 12 + months]
            ],
        }

    city = unit_view(region_of(database), n["city"], budget, gdp[year])
    prev = year - 1
    sec_rule = rules.allocation.sectors
    sector_share = {s: annual(n["sectors"][s], years, prev) for s in n["sectors"]} if prev in years else {}
    sector_budget = engine.allocate(
        budget, sec_rule.weights, {"emissions": sector_share, "gdp": {}}, sec_rule.adjustments
    )
    sectors = [unit_view(s, n["sectors"][s], sector_budget[s], None) for s in SECTORS if s in sector_budget]
    d_rule = rules.allocation.districts
    d_series = {d: sum(by.values()) for d, by in n["districts"].items()}
    d_emis = {d: annual(v, years, prev) for d, v in d_series.items()} if prev in years else {}
    d_gdp = _district_gdp(database, set(d_series))
    d_budget = engine.allocate(
        budget, d_rule.weights, {"emissions": d_emis, "gdp": d_gdp}, d_rule.adjustments
    )
    districts = [unit_view(d, d_series[d], d_budget[d], None) for d in sorted(d_budget)]
    watch = rulefiles.watch_ratio()
    return {
        "year": year,
        "dataset": n["dataset"],
        "flags": n["flags"],
        "rules": rules_origin,
        "target": {
            "base_year": period.base_year,
            "target_year": period.target_year,
            "change": period.change,
            "source": period.source,
            "base_intensity": round(base_intensity, 4),
            "base_co2_from": base_flag,
            "intensity": round(intensity, 4),
            "intensity_unit": f"tCO2/万元 (GDP at {price_year} prices)",
            "gdp": round(gdp[year], 1),
            "gdp_source": gdp_source[year],
            "formula": "B = I_target × GDP; I_target = I_base × (1 + change)^((year − base)/(target − base))",
        },
        "unit": "万tCO2",
        "city": city,
        "sectors": sectors,
        "districts": districts,
        "allocation": {
            "sectors": {
                "weights": sec_rule.weights,
                "adjustments": sec_rule.adjustments,
                "source": sec_rule.source,
            },
            "districts": {
                "weights": d_rule.weights,
                "adjustments": d_rule.adjustments,
                "source": d_rule.source,
                "gdp_basis": "left out: no district GDP in the data set"
                if not d_gdp
                else f"{len(d_gdp)} districts",
            },
        },
        "probability": {
            **mc,
            "nowcast_error_rmse": round(rmse, 4),
            "method": "P(ytd × (1 + e) + rest × spread ≤ budget), docs/methods/budget.md#probability",
        },
        "thresholds": t.__dict__,
        "backtest_summary": {
            sector: {k: round(v, 4) for k, v in d.items()} for sector, d in n["backtest_summary"].items()
        },
        "watch_list": {
            "sectors": [
                s["unit"]
                for s in sorted(sectors, key=lambda s: -s["execution_ratio"])
                if s["execution_ratio"] > watch
            ],
            "districts": [
                d["unit"]
                for d in sorted(districts, key=lambda d: -d["execution_ratio"])
                if d["execution_ratio"] > watch
            ],
            "enterprises": [],
            "enterprises_note": f"listed once the key units' metered energy ({METERED_KIND}) is published",
            "ratio": watch,
        },
    }


def _district_gdp(database: Database | None, districts: set[str]) -> dict[str, float]:
    """Each district's newest published GDP at current prices (亿元) in the data set's records (none
    before a district's GDP is published: the allocation then leaves the GDP basis out). Read from
    the records, not per-district observations, to keep the observation caches for the city."""
    newest: dict[str, tuple[int, float]] = {}
    for r in current(database).records:
        if r.key == "gdp_current" and r.region in districts:
            value = float(units.convert(r.value, units.lookup(r.unit).name, "亿元"))
            if r.year >= newest.get(r.region, (0, 0.0))[0]:
                newest[r.region] = (r.year, value)
    return {d: v for d, (_, v) in newest.items()}


def _spread(
    year: int, scenario: str, draws: int, seed: int, database: Database | None
) -> tuple[np.ndarray, dict[str, Any]]:
    from carbonpeak.services.projection import intensity_spread

    spread, meta = intensity_spread(year, scenario=scenario, draws=draws, seed=seed, database=database)
    return np.asarray(spread), meta


# --- project assessment ---------------------------------------------------------------------------


def used_offsets(session: Session | None) -> dict[str, str]:
    """Offset id → the project an approving decision used it for (from the audit log)."""
    if session is None:
        return {}
    from sqlalchemy import select

    from carbonpeak.store.models import AuditEntry

    out: dict[str, str] = {}
    entries = session.execute(
        select(AuditEntry).where(AuditEntry.action == "budget.project_decision").order_by(AuditEntry.seq)
    ).scalars()
    for e in entries:
        detail = json.loads(e.detail or "{}") if isinstance(e.detail, str) else (e.detail or {})
        if detail.get("decision") in ("approve", "approve_with_conditions"):
            for oid in detail.get("offsets", []):
                out.setdefault(oid, str(detail.get("project", "")))
    return out


def assess_project(
    text: str,
    name: str,
    database: Database | None = None,
    *,
    rules: rulefiles.BudgetRules | None = None,
    rules_origin: str = "",
    used: dict[str, str] | None = None,
    draws: int = 2_000,
    seed: int = 1,
) -> dict[str, Any]:
    """Every test of the project file `text` (energy and CO2, budget headroom of its district and
    sector, benchmarks, 减量替代 ledger) and its effect on P(peak) and the targets from the
    project-impact engine; each with its result and source."""
    from carbonpeak.accounting import factors
    from carbonpeak.scenarios.impact import project_impact
    from carbonpeak.scenarios.load import projects_of
    from carbonpeak.services.projection import load_with_inventory

    if rules is None:
        rules, rules_origin = current_rules(None)
    spec = rulefiles.parse_project(text, name)
    sc = load_with_inventory(rules.probability.scenario, data=current(database))
    (addition,) = projects_of({"projects": [spec.project]}, sc, name)
    fuels = {f.name: f for f in sc.base.fuels}
    el_tce = sum(q for f, q in addition.energy.items() if fuels[f].kind == "electricity")
    el_mwh = el_tce / sc.base.electricity_tce_per_mwh if el_tce else 0.0
    # the newest national grid factor published for the start year or before
    grid = next(
        (g for y in range(addition.start_year, 1999, -1) if (g := factors.grid_factor("CN", y)) is not None),
        None,
    )
    grid_value = grid.ef if grid is not None else 0.0
    fossil = {f: q for f, q in addition.energy.items() if fuels[f].kind != "electricity"}
    co2_t = checks.project_co2(
        fossil, {f: fuels[f].co2_factor for f in fossil}, el_mwh, grid_value, addition.process_emissions
    )
    co2 = units.convert(co2_t, "tCO2", "万tCO2")
    energy = units.convert(sum(addition.energy.values()), "tce", "万tce")
    a = spec.assessment
    tests: list[checks.Test] = [
        checks.Test(
            "energy_co2",
            "pass",
            f"综合能耗{energy:,.2f}万吨标准煤（当量值），年排放{co2:,.2f}万吨CO2",
            f"energy {energy:,.2f} 万tce (calorific), CO2 {co2:,.2f} 万t a year",
            f"fuel factors of scenario {sc.name} (scenarios/data/baseline.yaml); grid "
            f"{grid_value} tCO2/MWh: {grid.source if grid is not None else 'none'}",
            {"energy_tce": dict(addition.energy), "electricity_mwh": el_mwh, "co2_t": co2_t},
        )
    ]
    year = a.budget_year
    report = None
    try:
        n = nowcast(database)
        year = year or max(y for y in n["years"] if n["published_months"][y])
        report = budget_report(year, database, rules=rules, rules_origin=rules_origin)
    except (InputError, NotFound) as exc:
        tests.append(
            checks.Test(
                "budget",
                "fail",
                f"无法计算{year}年碳预算：{exc.message_zh}",
                f"no budget for {year}: {exc}",
                "docs/methods/budget.md",
            )
        )
    if report is not None:
        units_ = {u["unit"]: u for u in report["districts"] + report["sectors"]}
        for code in (a.district, a.sector):
            u = units_.get(code)
            if u is None:
                tests.append(
                    checks.Test(
                        f"budget:{code}",
                        "fail",
                        f"预算中没有“{code}”",
                        f"no budget unit {code!r}",
                        "docs/methods/budget.md",
                    )
                )
                continue
            tests.append(
                checks.budget_test(
                    co2,
                    u["headroom"],
                    code,
                    f"carbon budget {year} (B = I_target × GDP, {report['rules']}): "
                    "budget − full year at pace",
                )
            )
    tests += checks.benchmark_tests(a.products, rulefiles.benchmarks())
    taken = {**(used or {})}
    tests.append(
        checks.ledger_test(
            co2,
            a.offsets,
            rulefiles.packaged_offsets(),
            taken,
            rules.project.replacement_ratio,
            addition.name,
            rules.project.replacement_source + "; ledger carbonpeak/budget/data/offsets.csv (sample)",
        )
    )
    impact = project_impact(sc, (addition,), draws=draws, seed=seed)
    # the intensity targets of the scenario (CO2 and energy per GDP): the project's effect on them
    intensity_targets = {
        t.id: impact["delta"]["targets"][t.id] for t in sc.targets if t.indicator.endswith("intensity_change")
    }
    tests.append(
        checks.Test(
            "impact",
            "pass" if impact["delta"]["p_peak_by_2030"] > -0.05 else "fail",
            f"对2030年前达峰概率的影响{impact['delta']['p_peak_by_2030']:+.2%}"
            + "".join(f"；{k}达标概率{v:+.2%}" for k, v in intensity_targets.items()),
            f"effect on P(peak by 2030): {impact['delta']['p_peak_by_2030']:+.2%}"
            + "".join(f"; P({k} met) {v:+.2%}" for k, v in intensity_targets.items()),
            f"project-impact engine (scenarios/impact.py), scenario {sc.name}, draws {draws}, seed {seed}; "
            "fails beyond −5 points (proposal)",
            {"delta": impact["delta"]},
        )
    )
    return {
        "project": addition.name,
        "file": name,
        "district": a.district,
        "sector": a.sector,
        "budget_year": year,
        "co2": round(co2, 3),
        "unit": "万tCO2/yr",
        "result": "pass" if all(t.result == "pass" for t in tests) else "fail",
        "tests": [t.__dict__ | {"figures": dict(t.figures)} for t in tests],
        "impact": {"before": impact["before"], "after": impact["after"], "delta": impact["delta"]},
        "dataset": current(database).id,
    }


def record_decision(
    session: Session,
    actor: User,
    *,
    project: str,
    decision: str,
    reason: str,
    offsets: list[str],
    assessment_sha: str,
) -> dict[str, Any]:
    """Record the office's decision on an assessed project, with its reason and the offsets it
    uses (an approval marks them used: `used_offsets`), in the audit log."""
    from carbonpeak.services import audit

    if actor.role != "office":
        raise PermissionDenied("only the office records decisions", message_zh="仅双碳办可记录审查结论")
    problems = []
    if decision not in DECISIONS:
        problems.append(problem("decision", "budget.decision", decision, decisions_list=", ".join(DECISIONS)))
    if not reason.strip():
        problems.append(problem("reason", "budget.reason"))
    taken = used_offsets(session)
    clash = [o for o in offsets if taken.get(o, project) != project]
    if clash and decision != "reject":
        problems.append(problem("offsets", "budget.offset_used", clash_list=", ".join(clash)))
    if problems:
        raise InputError("invalid decision", problems)
    entry = audit.record(
        session,
        username=actor.username,
        action="budget.project_decision",
        object_type="project",
        object_id=project,
        detail={
            "project": project,
            "decision": decision,
            "reason": reason,
            "offsets": offsets,
            "assessment": assessment_sha,
        },
    )
    session.commit()
    return {"project": project, "decision": decision, "audit_seq": entry.seq}


__all__ = [
    "assess_project",
    "budget_report",
    "current_rules",
    "fast_data",
    "inventory_by_sector",
    "nowcast",
    "nowcast_view",
    "record_decision",
    "set_rules",
    "used_offsets",
]
