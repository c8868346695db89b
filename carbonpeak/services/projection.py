"""Use case: project a scenario — odds of peaking, bands, targets, sensitivity, wedges, project impact.

run_projection(...) loads the scenario file, runs the seeded Monte Carlo and whichever analyses are
asked for, and returns one JSON-ready dict with the scenario file's hash and the seed; with a
`data_dir` it also stores that dict under <data_dir>/projections/ and says where.

    inventory_history()     the data set's inventory year by year (base year and history of a scenario)
    load_with_inventory(name)   a scenario file loaded on that inventory
    peak_probabilities(plan, scenario="plan", draws, seed, data_dir)
                            {peak-target code: P(peak by its year)} for services/indicators.py
    shown_run(scenario="plan", draws=5 000, seed=1)
                            the seeded run every surface shows (overview, projection page, reports),
                            cached in the process by scenario hash, draws and seed
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from carbonpeak import units
from carbonpeak.accounting import factors, inventory, read_balance, total_energy
from carbonpeak.accounting.energy import consumption, tce_coefficients
from carbonpeak.errors import InputError, NotFound
from carbonpeak.scenarios.history import InventoryHistory, InventoryYear
from carbonpeak.scenarios.impact import project_impact
from carbonpeak.scenarios.load import load_projects, load_scenario, resolve_scenario_path, shipped_scenarios
from carbonpeak.scenarios.model import Scenario
from carbonpeak.scenarios.montecarlo import run, run_summary
from carbonpeak.scenarios.sensitivity import sobol, tornado
from carbonpeak.scenarios.wedges import wedges as programme_wedges
from carbonpeak.services.dataset import current, files_of
from carbonpeak.services.inventory import read_balance_file
from carbonpeak.settings import DEFAULT_REGION
from carbonpeak.validation import problem

if TYPE_CHECKING:
    from carbonpeak.indicators.config import StatusConfig
    from carbonpeak.plan.schema import Plan
    from carbonpeak.services.dataset import DataSet
    from carbonpeak.store.db import Database

MAX_DRAWS = 1_000_000


def list_scenarios() -> list[dict[str, str]]:
    """The shipped scenarios: name and labels."""
    out = []
    for name in shipped_scenarios():
        s = load_with_inventory(name)
        out.append(
            {"name": name, "label_zh": s.label_zh, "label_en": s.label_en, "scenario_hash": s.source_hash}
        )
    return out


def run_projection(
    scenario: str | Path,
    *,
    draws: int = 10_000,
    seed: int = 1,
    sensitivity: bool = True,
    wedges: bool = True,
    analysis_draws: int = 2_000,
    sobol_draws: int = 1_024,
    add_project: str | Path | None = None,
    data_dir: Path | None = None,
    progress: Callable[[int], None] | None = None,
    shipped_only: bool = False,
    data: DataSet | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Run a projection; see the module docstring. `analysis_draws` for tornado, wedges and impact;
    `workers` the threads of the Monte Carlo chunks (Settings.threads; None: the cores, at most 4)."""
    problems = []
    for name, value, low in (
        ("draws", draws, 1),
        ("analysis_draws", analysis_draws, 1),
        ("sobol_draws", sobol_draws, 2),
    ):
        if not low <= value <= MAX_DRAWS:
            problems.append(
                problem(name, "projection.draws", str(value), name=name, low=low, max_draws=MAX_DRAWS)
            )
    if problems:
        raise InputError("invalid projection request", problems)
    if shipped_only and str(scenario) not in shipped_scenarios():
        raise NotFound(f"no shipped scenario {scenario!r}", message_zh=f"没有名为 {scenario} 的情景")
    path = resolve_scenario_path(scenario)
    if not path.exists():
        raise NotFound(
            f"no scenario {scenario!r} (shipped: {', '.join(shipped_scenarios())})",
            message_zh=f"找不到情景 {scenario}",
        )
    sc = load_with_inventory(path, data=data)
    additions = load_projects(add_project, sc) if add_project else ()
    result = run_summary(sc, draws=draws, seed=seed, progress=progress, workers=workers)
    result["scenario_file"] = str(path)
    result["sensitivity"] = (
        {
            "tornado": tornado(sc, draws=analysis_draws, seed=seed, workers=workers),
            "sobol": sobol(sc, base_draws=sobol_draws, seed=seed, workers=workers),
            "tornado_draws": analysis_draws,
            "sobol_base_draws": sobol_draws,
        }
        if sensitivity
        else None
    )
    result["wedges"] = (
        programme_wedges(sc, draws=analysis_draws, seed=seed, workers=workers) if wedges else []
    )
    if additions:
        result["impact"] = project_impact(sc, additions, draws=draws, seed=seed, workers=workers)
    if data_dir is not None:
        folder = Path(data_dir) / "projections"
        folder.mkdir(parents=True, exist_ok=True)
        suffix = "-impact" if additions else ""
        target = folder / f"{sc.name}-{sc.source_hash[:12]}-seed{seed}-n{draws}{suffix}.json"
        result["stored_at"] = str(target)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
        tmp.replace(target)
    return result


SHOWN_SCENARIO = "plan"
SHOWN_DRAWS = 5_000  # the draws of peak_probabilities, so pages, reports and the target tracker agree
SHOWN_SEED = 1


def shown_run(
    scenario: str = SHOWN_SCENARIO,
    draws: int = SHOWN_DRAWS,
    seed: int = SHOWN_SEED,
    *,
    database: Database | None = None,
) -> dict[str, Any]:
    """run_projection of a shipped scenario with tornado and wedges on min(draws, 1 000) draws: the
    run the overview, the projection page and the reports show. Cached in the process by the
    scenario's hash (its file and the inventory it starts from), draws and seed, so every surface
    shows the same P(peak by 2030) as `peak_probabilities` (the same draws and seed)."""
    if str(scenario) not in shipped_scenarios():
        raise NotFound(f"no shipped scenario {scenario!r}", message_zh=f"没有名为 {scenario} 的情景")
    data = current(database)
    key = (scenario, load_with_inventory(scenario, data=data).source_hash, draws, seed)
    found = _SHOWN.get(key)
    if found is None:
        found = run_projection(
            scenario,
            draws=draws,
            seed=seed,
            analysis_draws=min(draws, 1_000),
            sobol_draws=8,
            shipped_only=True,
            data=data,
        )
        found["dataset"] = data.id
        if len(_SHOWN) >= 8:
            _SHOWN.clear()
        _SHOWN[key] = found
    return found


# runs by (scenario, scenario hash — its file and the inventory it starts from —, draws, seed)
_SHOWN: dict[tuple[str, str, int, int], dict[str, Any]] = {}


def load_with_inventory(
    name_or_path: str | Path, history: InventoryHistory | None = None, *, data: DataSet | None = None
) -> Scenario:
    """A scenario file loaded on the inventory of the data set `data` (`inventory_history(data=…)`
    unless `history` is given; None: `current()`, the files of the settings' data set folder). Cached
    per scenario file (path and modification time) and data set when `history` is not given."""
    if history is not None:
        return load_scenario(name_or_path, inventory=history)
    path = resolve_scenario_path(name_or_path)
    try:
        stamp = path.stat().st_mtime_ns
    except OSError:  # load_scenario says what is wrong with the name
        return load_scenario(name_or_path, inventory=inventory_history(data=data))
    # a scenario may extend others in its folder: any change there reloads it
    stamp = hash((*(p.stat().st_mtime_ns for p in sorted(path.parent.glob("*.y*ml"))), stamp))
    key = (str(path.resolve()), stamp, (data or current()).id)
    found = _SCENARIOS.get(key)
    if found is None:
        found = load_scenario(name_or_path, inventory=inventory_history(data=data))
        if len(_SCENARIOS) >= 16:
            _SCENARIOS.clear()
        _SCENARIOS[key] = found
    return found


_SCENARIOS: dict[tuple[str, int, str], Scenario] = {}


def _stored(data_dir: Path | None, sc: Scenario, seed: int, draws: int) -> dict[str, Any] | None:
    if data_dir is None:
        return None
    path = Path(data_dir) / "projections" / f"{sc.name}-{sc.source_hash[:12]}-seed{seed}-n{draws}.json"
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = found.get("scenario_hash") == sc.source_hash and found.get("seed") == seed
    return found if ok and "p_peak_by" in found else None


def peak_probabilities(
    plan: Plan,
    scenario: str = "plan",
    *,
    draws: int = 5_000,
    seed: int = 1,
    data_dir: Path | None = None,
    config: StatusConfig | None = None,
    database: Database | None = None,
) -> dict[str, float]:
    """{peak-target code: P(CO2 peaks in or before the target's year)} for `track_targets`.

    The plan's peak targets measured on total CO2 (metric `peak`, series `co2_total` through the
    tracking configuration) take their probability from a projection of `scenario` with `draws`
    and `seed`. The projection is cached in the process by scenario hash and seed, and on disk under
    <data_dir>/projections/ (a projection already stored there with the same hash, seed and draws is
    reused; a new one is stored). Other peak targets are left out (the engine projects total CO2).
    """
    from carbonpeak.indicators.config import load_status_config

    config = config or load_status_config()
    wanted = [
        t for t in plan.targets if t.metric == "peak" and "co2_total" in config.series_candidates(t.indicator)
    ]
    if not wanted:
        return {}
    data = current(database)
    sc = load_with_inventory(scenario, data=data)
    found = _stored(data_dir, sc, seed, draws)
    if found is None and data_dir is not None:
        found = run_projection(
            scenario, draws=draws, seed=seed, sensitivity=False, wedges=False, data_dir=data_dir, data=data
        )
    elif found is None:
        found = _peak_run(sc, draws, seed)
    return {t.code: _p_peak_by(found, t.target_year) for t in wanted}


def _p_peak_by(result: Mapping[str, Any], year: int) -> float:
    """P(peak year <= year): exact for the scenario's own `peak.by` year, else from the distribution
    (whose shares are rounded to 1e-6)."""
    if int(result["p_peak_by"]["year"]) == year:
        return float(result["p_peak_by"]["probability"])
    dist = {int(y): float(p) for y, p in result["peak_year"]["distribution"].items()}
    return min(1.0, sum(p for y, p in dist.items() if y <= year))


def _peak_run(sc: Scenario, draws: int, seed: int) -> dict[str, Any]:
    """Peak-year distribution of a run, cached per scenario hash (file and inventory), draws and seed."""
    key = (sc.source_hash, draws, seed)
    if key not in _PEAK_RUNS:
        result = run_summary(sc, draws=draws, seed=seed)
        if len(_PEAK_RUNS) >= 16:
            _PEAK_RUNS.clear()
        _PEAK_RUNS[key] = {
            "scenario_hash": sc.source_hash,
            "seed": seed,
            "p_peak_by": result["p_peak_by"],
            "peak_year": result["peak_year"],
        }
    return _PEAK_RUNS[key]


_PEAK_RUNS: dict[tuple[str, int, int], dict[str, Any]] = {}


def intensity_spread(
    year: int,
    *,
    scenario: str = SHOWN_SCENARIO,
    draws: int = 2_000,
    seed: int = SHOWN_SEED,
    database: Database | None = None,
) -> tuple[Any, dict[str, Any]]:
    """Each Monte Carlo draw's CO2 intensity (CO2 ÷ GDP) in `year` divided by the draws' median — the
    projection's relative uncertainty of that year, for the carbon budget's probability
    (services/budget.py) — and what it came from (scenario, hash, seed, draws, year used). A year
    before the first projected year gives ones (no uncertainty left); one beyond the horizon the
    horizon's. From a seeded run of montecarlo.run on the data set of `database`, cached."""
    import numpy as np

    data = current(database)
    sc = load_with_inventory(scenario, data=data)
    key = (sc.source_hash, draws, seed, year)
    found = _SPREADS.get(key)
    if found is None:
        coll, _ = run(sc, draws=draws, seed=seed)
        years = np.asarray(coll.years)
        if year <= int(sc.base.year):
            spread = np.ones(draws)
        else:
            col = int(np.clip(year - int(years[0]), 0, len(years) - 1))
            x = np.asarray(coll.co2[col]) / np.asarray(coll.gdp[col])
            spread = x / float(np.median(x))
        meta = {
            "scenario": sc.name,
            "scenario_hash": sc.source_hash,
            "seed": seed,
            "draws": draws,
            "year": year,
        }
        if len(_SPREADS) >= 8:
            _SPREADS.clear()
        found = _SPREADS[key] = (spread, meta)
    return found


_SPREADS: dict[tuple[str, int, int, int], tuple[Any, dict[str, Any]]] = {}


# --- the inventory the shipped scenarios start from ---------------------------------------------
# The balance file of a data set folder (DataSetFiles, services/dataset.py) and the demo
# observations (carbonpeak/demo/build.py) are read here directly; services/dataset.py builds the
# indicators' current data set from the same files.

_POWER, _HEAT = "T_POWER", "T_HEAT"


def inventory_history(
    balance_file: Path | None = None,
    *,
    population: Mapping[int, float] | None = None,
    gdp_index: Mapping[int, float] | None = None,
    gdp_current: Mapping[int, float] | None = None,
    region: str | None = None,
    data: DataSet | None = None,
) -> InventoryHistory:
    """The inventory of a balance, year by year, as the projection reads it (see scenarios/history.py).

    Default: the data set `data` (services/dataset.current; None: the files of the settings' data set
    folder) — its energy balance (of the store, or the balance file of its folder) with its
    population (persons) and GDP (万元 at constant prices of the latest year: current-price GDP of
    that year x the chained real index). `balance_file`: that file instead.
    """
    if balance_file is None and data is not None and data.origin == "store":
        if population is None and gdp_index is None and gdp_current is None:
            population, gdp_index, gdp_current = _store_observations(data, region or DEFAULT_REGION)
        key = (data.id, _frozen(population), _frozen(gdp_index), _frozen(gdp_current), region)
        found = _STORE_HISTORY.get(key)
        if found is None:
            rows = [dict(r) for r in data.balance]
            found = _history_of(rows, f"snapshot:{data.id}".encode(), f"snapshot {data.id}", *key[1:])
            if len(_STORE_HISTORY) >= 4:
                _STORE_HISTORY.clear()
            _STORE_HISTORY[key] = found
        return found
    files = (data and data.files) or files_of(None)
    path = Path(balance_file) if balance_file else files.balance
    if population is None and gdp_index is None and gdp_current is None:
        population, gdp_index, gdp_current = _demo_observations(files.folder)
    return _history(
        str(path.resolve()),
        path.stat().st_mtime_ns,
        _frozen(population),
        _frozen(gdp_index),
        _frozen(gdp_current),
        region,
    )


_STORE_HISTORY: dict[tuple[Any, ...], InventoryHistory] = {}


def _store_observations(
    data: DataSet, region: str
) -> tuple[dict[int, float], dict[int, float], dict[int, float]]:
    """Population (persons), the real GDP index (2020 = 1, chained from 上年=100) and GDP at current
    prices (万元) of `region` from the data set's published series."""
    pop: dict[int, float] = {}
    prev: dict[int, float] = {}
    cur: dict[int, float] = {}
    for r in data.records:
        if r.region != region:
            continue
        if r.key == "population":
            pop[r.year] = float(units.convert(r.value, r.unit, "人"))
        elif r.key == "gdp_current":
            cur[r.year] = float(units.convert(r.value, r.unit, "万元"))
        elif r.key == "gdp_index":
            prev[r.year] = r.value / 100.0
    idx: dict[int, float] = {}
    if prev:
        base = 2020 if 2020 in prev else min(prev)
        idx[base] = 1.0
        y = base
        while y + 1 in prev:
            idx[y + 1] = idx[y] * prev[y + 1]
            y += 1
        y = base
        while y in prev and y - 1 >= min(prev):  # the growth of year y links y - 1 to y
            idx[y - 1] = idx[y] / prev[y]
            y -= 1
    return pop, idx, cur


def _frozen(m: Mapping[int, float] | None) -> tuple[tuple[int, float], ...]:
    return tuple(sorted((m or {}).items()))


def _demo_observations(folder: Path) -> tuple[dict[int, float], dict[int, float], dict[int, float]]:
    """Population (persons), the GDP index (2020 = 1) and current GDP (万元) of the demo model
    (carbonpeak/demo/build.py) from the data set `folder`."""
    from carbonpeak.demo.build import comparable_observations

    pop: dict[int, float] = {}
    idx: dict[int, float] = {}
    cur: dict[int, float] = {}
    for o in comparable_observations(folder):
        if o.indicator == "population":
            pop[o.year] = float(units.convert(o.value, o.unit, "人"))
        elif o.indicator == "gdp_index_2020":
            idx[o.year] = o.value / 100.0
        elif o.indicator == "gdp":
            cur[o.year] = float(units.convert(o.value, o.unit, "万元"))
    return pop, idx, cur


@lru_cache(maxsize=4)
def _history(
    path: str,
    mtime: int,
    population: tuple[tuple[int, float], ...],
    gdp_index: tuple[tuple[int, float], ...],
    gdp_current: tuple[tuple[int, float], ...],
    region: str | None,
) -> InventoryHistory:
    raw = Path(path).read_bytes()
    return _history_of(read_balance_file(Path(path)), raw, path, population, gdp_index, gdp_current, region)


def _history_of(
    rows: list[dict[str, str]],
    raw: bytes,
    source: str,
    population: tuple[tuple[int, float], ...],
    gdp_index: tuple[tuple[int, float], ...],
    gdp_current: tuple[tuple[int, float], ...],
    region: str | None,
) -> InventoryHistory:
    balance = read_balance(rows)
    inv = inventory(balance, "guideline", grid_fallback="nearest")
    r = balance.regions.index(region) if region else 0
    k_cal, _ = tce_coefficients(balance, "calorific")
    k_ce, _ = tce_coefficients(balance, "coal_equivalent")
    tec_ce = total_energy(balance, "coal_equivalent")
    cons = consumption(balance)
    import_nf = _import_non_fossil_share(balance)
    fuel_table, sector_table = factors.fuels(), factors.sectors()
    kinds = [fuel_table[f].kind for f in balance.fuels]
    el = balance.fuels.index("electricity")
    pop, idx, cur = dict(population), dict(gdp_index), dict(gdp_current)
    last = max(balance.years)
    price = cur.get(last, 0.0) / idx[last] if last in idx and last in cur else None
    records = {}
    for y, year in enumerate(balance.years):
        q = balance.energy[r, y]  # sector x fuel, physical units
        tce = q * k_cal[y][None, :]
        co2 = inv.co2_energy[r, y]
        energy: dict[tuple[str, str], float] = {}
        cells: dict[tuple[str, str], float] = {}
        power_in: dict[str, float] = {}
        power_co2: dict[str, float] = {}
        heat_in: dict[str, float] = {}
        heat_co2: dict[str, float] = {}
        heat_use: dict[str, float] = {}
        for s, code in enumerate(balance.sectors):
            role = sector_table[code].role
            for f, fuel in enumerate(balance.fuels):
                if q[s, f] == 0:
                    continue
                group = _group(fuel, kinds[f])
                if code == _POWER and group not in ("electricity", "heat"):
                    power_in[group] = power_in.get(group, 0.0) + tce[s, f]
                    power_co2[group] = power_co2.get(group, 0.0) + co2[s, f]
                elif code == _HEAT and group not in ("electricity", "heat"):
                    heat_in[group] = heat_in.get(group, 0.0) + tce[s, f]
                    heat_co2[group] = heat_co2.get(group, 0.0) + co2[s, f]
                elif role == "final" and group == "heat":
                    heat_use[code] = heat_use.get(code, 0.0) + q[s, f]
                elif role == "final":
                    energy[(code, group)] = energy.get((code, group), 0.0) + tce[s, f]
                    cells[(code, group)] = cells.get((code, group), 0.0) + co2[s, f]
        used = sum(heat_use.values())
        # heat used but not from the heating plants (the balance's rounding): counted with their fuel
        if "heat" in balance.fuels and heat_in:
            h_res = float(cons[r, y, balance.fuels.index("heat")] * k_cal[y, balance.fuels.index("heat")])
            heat_in = {g: v + h_res * v / sum(heat_in.values()) for g, v in heat_in.items()}
        for code, h in heat_use.items():  # heating plants' fuel, allocated by heat use
            for group, v in heat_in.items():
                energy[(code, group)] = energy.get((code, group), 0.0) + v * h / used
                cells[(code, group)] = cells.get((code, group), 0.0) + heat_co2[group] * h / used
        mwh = units.factor(fuel_table["electricity"].unit, "MWh")
        prim = balance.fuels.index("primary_electricity") if "primary_electricity" in balance.fuels else None
        records[year] = InventoryYear(
            year=year,
            energy=energy,
            co2=cells,
            power_input=power_in,
            power_co2=power_co2,
            thermal_generation_mwh=-_cell(balance.sectors, q, _POWER, el) * mwh,
            # local non-fossil output as the inventory's energy total counts it: electricity consumed
            # (final + losses - thermal output) not covered by net imports (= primary production
            # when the balance closes; differs by its rounding otherwise)
            non_fossil_generation_mwh=float(cons[r, y, el]) * mwh
            + (
                float(cons[r, y, prim]) * units.factor(fuel_table["primary_electricity"].unit, "MWh")
                if prim is not None
                else 0.0
            )
            - float(inv.net_import_mwh[r, y]),
            net_import_mwh=float(inv.net_import_mwh[r, y]),
            indirect_co2=float(inv.indirect_electricity[r, y]),
            process_co2=float(inv.process_total[r, y]),
            equivalent_coal_rate=float(k_ce[y, el]) / mwh,
            calorific_tce_per_mwh=float(k_cal[y, el]) / mwh,
            total_co2=float(inv.total[r, y]),
            energy_coal_equivalent=float(tec_ce[r, y]),
            import_non_fossil_share=None if import_nf is None else float(import_nf[r, y]),
            population=pop.get(year),
            gdp=price * idx[year] if price is not None and year in idx else None,
        )
    digest = hashlib.sha256(raw + repr((population, gdp_index, gdp_current, region)).encode()).hexdigest()
    return InventoryHistory(records=records, fingerprint=digest, source=source)


def _import_non_fossil_share(balance: Any) -> Any:
    """The inventory's non-fossil fraction of imported electricity by (region, year), if it has one."""
    from carbonpeak.accounting import energy

    fn = getattr(energy, "import_non_fossil_share", None)
    return None if fn is None else fn(balance)[0]


def _cell(sectors: tuple[str, ...], q: Any, code: str, f: int | None) -> float:
    return float(q[sectors.index(code), f]) if f is not None and code in sectors else 0.0


def _group(fuel: str, kind: str) -> str:
    if fuel == "electricity":
        return "electricity"
    if fuel == "heat":
        return "heat"
    if kind in ("coal", "oil", "gas"):
        return kind
    if fuel == "primary_electricity":
        return "primary_electricity"
    return "non_fossil"


__all__ = [
    "MAX_DRAWS",
    "inventory_history",
    "list_scenarios",
    "load_with_inventory",
    "peak_probabilities",
    "run_projection",
]
