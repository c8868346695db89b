"""Scenario files (YAML): schema, validation and compilation into a `Scenario`.

A scenario file has five blocks (format documented in docs/methods/projection.md#scenario-files):

    scenario:   name, labels, `extends` (a sibling file whose blocks this one overrides, driver by
                driver), `counterfactual` (the sibling scenario wedges switch programmes back to),
                horizon, peak {by, tolerance}
    base:       the base year (population, GDP, energy by sector x fuel, fuels with CO2 factors,
                electricity, process emissions) — or `from_inventory: <year>` plus the same block
                for what the inventory does not provide
    drivers:    key -> {unit, source | assumption, periods: {"2021-2025": spec} | points: {2030: spec}}
                spec: a number, or {dist: normal|lognormal|triangular|uniform, ...parameters}
    correlations, targets, programmes: optional lists

Every quantity carries `source:` or `assumption:`. Every fault is reported at once, as a Problem
whose location is a path into the file (`drivers.gdp_growth.periods.2021-2025.sd`).
Project files (`projects:` list) for project impact are read by `load_projects`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import ValidationError

from carbonpeak import units, yaml_loader
from carbonpeak.errors import InputError, Problem, ScenarioError
from carbonpeak.scenarios.drivers import Dist, Driver
from carbonpeak.scenarios.history import InventoryHistory, base_year_from_record, series_at
from carbonpeak.scenarios.model import (
    Addition,
    BaseYear,
    Fuel,
    LocalFossil,
    NonFossilTech,
    Programme,
    Scenario,
    Target,
    base_year_from_inventory,
    expected_driver_keys,
)
from carbonpeak.scenarios.peak import horizon_problem
from carbonpeak.scenarios.schema import (
    BaseSpec,
    DistSpec,
    DriverSpec,
    PeakSpec,
    ProjectsFile,
    Quantity,
    ScenarioFile,
    Spec,
)
from carbonpeak.validation import problem

DATA_DIR = Path(__file__).with_name("data")
InventoryRows = Callable[[int], Iterable[Mapping[str, object]]]
Inventory = InventoryRows | InventoryHistory


# --- reading -------------------------------------------------------------------------------------


def _problems(exc: ValidationError, prefix: str = "") -> list[Problem]:
    out = []
    for err in exc.errors():
        if "float" in [str(p) for p in err["loc"]] and isinstance(err.get("input"), dict):
            continue  # a distribution mapping is not a number: the DistSpec branch says what is wrong
        loc = ".".join(
            str(p) for p in err["loc"] if not str(p).startswith(("function-after", "float", "DistSpec"))
        )
        loc = f"{prefix}{loc}" if loc else prefix.rstrip(".") or "(file)"
        msg = err["msg"].removeprefix("Value error, ")
        out.append(
            problem(
                loc,
                f"scenario.{err['type']}",
                str(err.get("input"))[:80],
                text_key="problem.scenario.schema",
                msg=msg,
            )
        )
    return out


def _read_yaml(path: Path) -> tuple[dict[str, Any], bytes]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(
            f"cannot read {path}",
            [problem(str(path), "scenario.file", exc=exc)],
        ) from None
    try:
        data = yaml_loader.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        raise ScenarioError(
            f"{path.name} is not valid YAML",
            [problem(path.name, "scenario.yaml", text_key="problem.scenario.yaml.syntax", exc=exc)],
        ) from None
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{path.name} is not a mapping",
            [problem(path.name, "scenario.yaml")],
        )
    return data, raw


def resolve_scenario_path(name_or_path: str | Path) -> Path:
    """A shipped scenario by name (`plan`) or a path to a file."""
    p = Path(name_or_path)
    if p.suffix in {".yaml", ".yml"} or p.exists():
        return p
    return DATA_DIR / f"{name_or_path}.yaml"


def _merged(path: Path, seen: tuple[Path, ...] = ()) -> tuple[dict[str, Any], list[bytes]]:
    """The file's data with its `extends` chain applied (child wins, driver by driver)."""
    data, raw = _read_yaml(path)
    head = data.get("scenario") if isinstance(data.get("scenario"), dict) else {}
    parent_name = head.get("extends") if isinstance(head, dict) else None
    if not parent_name:
        return data, [raw]
    parent_path = path.with_name(f"{parent_name}.yaml")
    if parent_path.resolve() in seen:
        raise ScenarioError(
            "circular extends",
            [problem("scenario.extends", "scenario.extends", str(parent_name))],
        )
    if not parent_path.exists():
        raise ScenarioError(
            "missing parent",
            [
                problem(
                    "scenario.extends",
                    "scenario.extends",
                    str(parent_name),
                    text_key="problem.scenario.extends.missing",
                    name=parent_path.name,
                )
            ],
        )
    parent, raws = _merged(parent_path, (*seen, path.resolve()))
    merged = dict(parent)
    for key, value in data.items():
        if key == "drivers":
            merged["drivers"] = {**(parent.get("drivers") or {}), **(value or {})}
        elif key == "scenario":
            merged["scenario"] = {k: v for k, v in value.items() if k != "extends"}
        else:
            merged[key] = value
    return merged, [*raws, raw]


def load_scenario(name_or_path: str | Path, *, inventory: Inventory | None = None) -> Scenario:
    """Read, validate and compile a scenario file (and its counterfactual); ScenarioError lists every fault.

    For `base: {from_inventory: year}`, `inventory` is an InventoryHistory (the data set's inventory
    by year: base year, history years and reference years come from it; see scenarios/history.py)
    or, the older hook, a function `inventory(year)` giving final-energy rows
    (model.base_year_from_inventory). Without it such a file is an error.
    """
    path = resolve_scenario_path(name_or_path)
    data, raws = _merged(path)
    spec = _validated(data, path)
    problems: list[Problem] = []
    if spec.base is None:
        problems.append(problem("base", "scenario.base"))
        raise ScenarioError(f"{path.name}: invalid scenario", problems)
    compiled = _compile_base(spec.base, problems, inventory)
    if compiled is None:
        raise ScenarioError(f"{path.name}: invalid scenario", problems)
    base, history = compiled
    first_year = history[0].year if history else base.year
    horizon = spec.scenario.horizon
    drivers = _compile_drivers(spec.drivers, base, horizon, problems)
    counterfactual = _counterfactual(spec, path, inventory, problems)
    correlations = _correlations(spec, drivers, problems)
    targets = _targets(spec, base, (first_year, horizon), inventory, problems)
    programmes = _programmes(spec, set(expected_driver_keys(base)), problems)
    if programmes and counterfactual is None:
        problems.append(problem("scenario.counterfactual", "scenario.counterfactual"))
    peak = spec.scenario.peak or PeakSpec(assumption="default")
    short = horizon_problem(horizon, peak.by, peak.plateau_years)
    if short is not None:
        problems.append(Problem("scenario.horizon", "scenario.peak_horizon", *short, str(horizon)))
    if problems:
        raise ScenarioError(f"{path.name}: invalid scenario", problems)
    return Scenario(
        name=spec.scenario.name,
        base=base,
        horizon=horizon,
        drivers=drivers,
        correlations=tuple(correlations),
        targets=tuple(targets),
        programmes=tuple(programmes),
        counterfactual=counterfactual,
        tolerance=peak.tolerance,
        peak_by=peak.by,
        source_hash=hashlib.sha256(b"".join(raws) + _fingerprint(inventory)).hexdigest(),
        label_zh=spec.scenario.label_zh,
        label_en=spec.scenario.label_en,
        base_flag="estimated" if spec.base.from_inventory is not None else spec.base.flag,
        history=history,
    )


def _validated(data: dict[str, Any], path: Path) -> ScenarioFile:
    """The file's data as a ScenarioFile; ScenarioError listing every schema fault otherwise."""
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as exc:
        found = _problems(exc)
        # pydantic skips a record's provenance check when one of its fields fails: check drivers here
        seen = {p.location for p in found}
        for key, d in (data.get("drivers") or {}).items():
            loc = f"drivers.{key}"
            if isinstance(d, dict) and not (d.get("source") or d.get("assumption")) and loc not in seen:
                found.append(problem(loc, "scenario.value_error", text_key="problem.scenario.provenance"))
        raise ScenarioError(f"{path.name}: the scenario file breaks the schema", found) from None
    return spec


def _counterfactual(
    spec: ScenarioFile, path: Path, inventory: Inventory | None, problems: list[Problem]
) -> Mapping[str, Driver] | None:
    """The drivers of the counterfactual scenario the file names (beside it), or None."""
    counterfactual = None
    if spec.scenario.counterfactual:
        cf_path = path.with_name(f"{spec.scenario.counterfactual}.yaml")
        if not cf_path.exists():
            problems.append(
                problem(
                    "scenario.counterfactual",
                    "scenario.counterfactual",
                    text_key="problem.scenario.counterfactual.missing",
                    name=cf_path.name,
                )
            )
        else:
            counterfactual = load_scenario(cf_path, inventory=inventory).drivers
    return counterfactual


def _correlations(
    spec: ScenarioFile, drivers: Mapping[str, Driver], problems: list[Problem]
) -> list[tuple[str, str, float]]:
    """The correlations between set drivers; their matrix must be positive definite."""
    correlations = []
    for i, c in enumerate(spec.correlations):
        for j, k in enumerate(c.between):
            if k not in drivers:
                problems.append(
                    problem(
                        f"correlations[{i}].between[{j}]",
                        "scenario.driver_known",
                        k,
                        text_key="problem.scenario.driver_known.correlation",
                        k=k,
                    )
                )
        correlations.append((c.between[0], c.between[1], c.rho))
    if correlations and not problems:
        names = sorted({k for a, b, _ in correlations for k in (a, b)})
        r = np.eye(len(names))
        for a, b, rho in correlations:
            r[names.index(a), names.index(b)] = r[names.index(b), names.index(a)] = rho
        if np.linalg.eigvalsh(r).min() <= 0:
            problems.append(problem("correlations", "scenario.correlation_pd"))
    return correlations


def _targets(
    spec: ScenarioFile,
    base: BaseYear,
    years: tuple[int, int],
    inventory: Inventory | None,
    problems: list[Problem],
) -> list[Target]:
    """The targets, each within the years `years` (first, horizon) and on a known fuel; a reference
    year before them is taken from the inventory."""
    first_year, horizon = years
    assert spec.base is not None  # load_scenario refuses a file without one before this
    fuels = {f.name for f in base.fuels}
    targets = []
    for i, t in enumerate(spec.targets):
        if t.indicator == "fuel_share" and t.fuel not in fuels:
            problems.append(_unknown_fuel(f"targets[{i}].fuel", t.fuel))
        if not first_year <= t.year <= horizon:
            problems.append(problem(f"targets[{i}].year", "scenario.target_year", str(t.year)))
        reference = t.reference_value.value if t.reference_value else None
        if t.reference_year is not None and t.reference_year < first_year:
            reference = _reference(
                t.indicator, t.reference_year, spec.base, base, inventory, f"targets[{i}]", problems
            )
        targets.append(t.target(reference))
    return targets


def _programmes(spec: ScenarioFile, keys: set[str], problems: list[Problem]) -> list[Programme]:
    """The programmes, each lever a known driver of at most one programme."""
    programmes = []
    owner: dict[str, str] = {}
    for i, p in enumerate(spec.programmes):
        for j, k in enumerate(p.drivers):
            loc = f"programmes[{i}].drivers[{j}]"
            if k not in keys:
                problems.append(problem(loc, "scenario.driver_known", k, key=k))
            elif k in owner:
                problems.append(problem(loc, "scenario.lever_once", k, k=k, owner=owner[k]))
            owner.setdefault(k, p.id)
        programmes.append(Programme(p.id, p.name_zh, p.name_en, tuple(p.drivers), p.plan_ref))
    return programmes


def _fingerprint(inventory: Inventory | None) -> bytes:
    return inventory.fingerprint.encode() if isinstance(inventory, InventoryHistory) else b""


def _reference(
    indicator: str,
    year: int,
    b: BaseSpec,
    base: BaseYear,
    inventory: Inventory | None,
    loc: str,
    problems: list[Problem],
) -> float | None:
    """A target's reference-year value from the inventory (intensity at the base year's prices)."""
    record = inventory.records.get(year) if isinstance(inventory, InventoryHistory) else None
    if record is None or record.gdp is None or b.inventory_sectors is None:
        problems.append(problem(f"{loc}.reference_year", "scenario.reference_year", str(year), year=year))
        return None
    sector_map = {s: tuple(v.codes) for s, v in b.inventory_sectors.items()}
    rates = {f: lf.heat_rate.value for f, lf in b.electricity.local_fossil.items() if lf.heat_rate}
    v = series_at(base_year_from_record(record, template=base, sector_map=sector_map, heat_rates=rates))
    return {"co2_intensity_change": v.co2 / v.gdp, "energy_intensity_change": v.energy / v.gdp}.get(
        indicator, v.co2
    )


def _q(q: Quantity | None, to: str | None, loc: str, problems: list[Problem], default: float = 0.0) -> float:
    if q is None:
        return default
    if to is None or q.unit == to:
        return q.value
    try:
        return float(units.convert(q.value, q.unit, to))
    except InputError as exc:
        problems.extend(
            Problem(f"{loc}.unit", p.rule, p.message_zh, p.message_en, p.value) for p in exc.problems
        )
        return q.value


def _compile_base(
    b: BaseSpec, problems: list[Problem], inventory: Inventory | None
) -> tuple[BaseYear, tuple[BaseYear, ...]] | None:
    """The base year and, with an inventory, the history years before it (oldest first)."""
    fuels = tuple(Fuel(name, f.kind, f.co2_factor) for name, f in b.fuels.items())
    fuel_names = [f.name for f in fuels]
    if b.energy is not None:
        sectors = tuple(b.energy.sectors)
        basis = tuple(r.activity for r in b.energy.sectors.values())
    else:
        assert b.inventory_sectors is not None
        sectors = tuple(b.inventory_sectors)
        basis = tuple(r.activity for r in b.inventory_sectors.values())
    energy = np.zeros((len(sectors), len(fuels)))
    for i, (s, row) in enumerate((b.energy.sectors if b.energy else {}).items()):
        for fuel, qty in row.fuels.items():
            if fuel not in fuel_names:
                problems.append(_unknown_fuel(f"base.energy.sectors.{s}.fuels.{fuel}", fuel))
                continue
            if qty < 0:
                problems.append(
                    problem(f"base.energy.sectors.{s}.fuels.{fuel}", "scenario.non_negative", str(qty))
                )
            assert b.energy is not None
            energy[i, fuel_names.index(fuel)] = _q(
                Quantity(value=qty, unit=b.energy.unit, source="-"), "tce", "base.energy", problems
            )
    if len([f for f in fuels if f.kind == "electricity"]) != 1:
        problems.append(problem("base.fuels", "scenario.one_electricity"))
    el = b.electricity
    local = []
    for fuel, lf in el.local_fossil.items():
        if fuel not in fuel_names or b.fuels[fuel].kind != "fossil":
            problems.append(
                problem(
                    f"base.electricity.local_fossil.{fuel}",
                    "scenario.fuel_known",
                    fuel,
                    text_key="problem.scenario.fuel_known.fossil",
                    fuel=fuel,
                )
            )
            continue
        local.append(
            LocalFossil(
                fuel,
                _q(lf.generation, "MWh", f"base.electricity.local_fossil.{fuel}.generation", problems),
                lf.heat_rate.value if lf.heat_rate else 0.0,
            )
        )
    year = b.year if b.year is not None else b.from_inventory
    if year is None:
        problems.append(problem("base.year", "scenario.base_year"))
        return None
    el_loc = "base.electricity"
    st = {
        k: getattr(el, k)
        for k in ("storage_hours", "storage_cycles", "storage_efficiency", "storage_cover_ratio")
    }
    base = BaseYear(
        year=year,
        population=b.population.value if b.population else 0.0,
        gdp=_q(b.gdp, "万元", "base.gdp", problems),
        sectors=sectors,
        activity_basis=basis,
        fuels=fuels,
        energy=energy,
        electricity_imported_mwh=_q(el.imported, "MWh", f"{el_loc}.imported", problems),
        grid_factor=el.grid_factor.value if el.grid_factor else 0.0,
        grid_non_fossil_share=el.grid_non_fossil_share.value,
        local_fossil=tuple(local),
        non_fossil_techs=tuple(NonFossilTech(n, t.variable) for n, t in el.non_fossil_techs.items()),
        process_emissions=_q(b.process_emissions, "tCO2", "base.process_emissions", problems),
        electricity_tce_per_mwh=el.calorific_tce_per_mwh.value if el.calorific_tce_per_mwh else 0.1229,
        equivalent_coal_rate=el.equivalent_coal_rate.value if el.equivalent_coal_rate else 0.3055,
        **{k: v.value for k, v in st.items() if v is not None},
    )
    if b.from_inventory is None:
        return base, ()
    if inventory is None:
        problems.append(problem("base.from_inventory", "scenario.inventory", str(b.from_inventory)))
        return None
    if not isinstance(inventory, InventoryHistory):  # a function of the year giving final-energy rows
        try:
            return base_year_from_inventory(
                inventory(b.from_inventory), year=b.from_inventory, template=base
            ), ()
        except KeyError as exc:
            problems.append(
                problem(
                    "base.from_inventory",
                    "scenario.inventory",
                    text_key="problem.scenario.inventory.codes",
                    error=exc,
                )
            )
            return None
    return _from_history(b, base, inventory, problems)


def _from_history(
    b: BaseSpec, template: BaseYear, history: InventoryHistory, problems: list[Problem]
) -> tuple[BaseYear, tuple[BaseYear, ...]] | None:
    assert b.from_inventory is not None and b.inventory_sectors is not None
    first = b.history_from if b.history_from is not None else b.from_inventory
    missing = [y for y in range(first, b.from_inventory + 1) if y not in history.records]
    if missing or first > b.from_inventory:
        problems.append(
            problem(
                "base.from_inventory",
                "scenario.inventory_year",
                str(b.from_inventory),
                missing=missing,
                first=history.years[:1],
                last=history.years[-1:],
            )
        )
        return None
    sector_map = {s: tuple(v.codes) for s, v in b.inventory_sectors.items()}
    rates = {f: lf.heat_rate.value for f, lf in b.electricity.local_fossil.items() if lf.heat_rate}
    out = []
    for y in range(first, b.from_inventory + 1):
        record = history.records[y]
        try:
            base = base_year_from_record(record, template=template, sector_map=sector_map, heat_rates=rates)
        except KeyError as exc:
            problems.append(
                problem(
                    "base.inventory_sectors",
                    "scenario.inventory",
                    text_key="problem.scenario.inventory.codes",
                    error=exc,
                )
            )
            return None
        if record.population is None or record.gdp is None:
            problems.append(problem("base.from_inventory", "scenario.inventory_observations", str(y), y=y))
            return None
        out.append(base)
    return out[-1], tuple(out[:-1])


def _period(text: str) -> tuple[int, int] | None:
    parts = str(text).split("-")
    try:
        first, last = (int(parts[0]), int(parts[-1]))
    except ValueError:
        return None
    return (first, last) if len(parts) <= 2 and first <= last else None


def _dist(spec: Spec) -> Dist:
    return spec.to_dist() if isinstance(spec, DistSpec) else Dist("point", value=float(spec))


def _compile_drivers(
    specs: Mapping[str, DriverSpec], base: BaseYear, horizon: int, problems: list[Problem]
) -> dict[str, Driver]:
    expected = expected_driver_keys(base)
    out: dict[str, Driver] = {}
    for key, d in specs.items():
        loc = f"drivers.{key}"
        if key not in expected:
            problems.append(problem(loc, "scenario.driver_known", key, key=key))
            continue
        kind = "rate" if d.periods is not None else "level"
        if kind != expected[key]:
            want = "periods" if expected[key] == "rate" else "points"
            problems.append(problem(loc, "scenario.driver_kind", key, want=want, expected=expected[key]))
            continue
        source = d.source or f"assumption: {d.assumption}"
        if d.periods is not None:
            cols, dists, covered = [], [], np.zeros(horizon - base.year, dtype=int)
            for label, spec in d.periods.items():
                span = _period(label)
                if span is None:
                    problems.append(problem(f"{loc}.periods.{label}", "scenario.period", label))
                    continue
                lo, hi = max(span[0], base.year + 1), min(span[1], horizon)
                if lo <= hi:
                    covered[lo - base.year - 1 : hi - base.year] += 1
                cols.append(span)
                dists.append(_dist(spec))
            gaps = [base.year + 1 + i for i, c in enumerate(covered) if c != 1]
            if gaps:
                problems.append(
                    problem(
                        f"{loc}.periods",
                        "scenario.period_cover",
                        start=base.year + 1,
                        horizon=horizon,
                        gaps=gaps[:5],
                    )
                )
            out[key] = Driver(key, "rate", tuple(cols), tuple(dists), d.unit, source)
        else:
            assert d.points is not None
            pts = sorted(d.points.items())
            out[key] = Driver(
                key, "level", tuple((y, y) for y, _ in pts), tuple(_dist(s) for _, s in pts), d.unit, source
            )
    return out


def load_projects(path: str | Path, scenario: Scenario) -> tuple[Addition, ...]:
    """Projects to add to `scenario`, from a YAML file (`projects:` list); ScenarioError lists every fault."""
    p = Path(path)
    data, _ = _read_yaml(p)
    return projects_of(data, scenario, p.name)


def projects_of(data: object, scenario: Scenario, name: str) -> tuple[Addition, ...]:
    """Projects to add to `scenario` from the parsed content of a project file (`projects:` list);
    `name` names the file in errors. ScenarioError lists every fault."""
    try:
        spec = ProjectsFile.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{name}: the project file breaks the schema", _problems(exc)) from None
    problems: list[Problem] = []
    base = scenario.base
    fuels = {f.name: f for f in base.fuels}
    out = []
    for i, pr in enumerate(spec.projects):
        loc = f"projects[{i}]"
        energy: dict[str, float] = {}
        for fuel, q in pr.energy.items():
            if fuel not in fuels:
                problems.append(_unknown_fuel(f"{loc}.energy.{fuel}", fuel))
                continue
            if fuels[fuel].kind == "electricity" and units.convertible(q.unit, "MWh"):
                energy[fuel] = _q(q, "MWh", f"{loc}.energy.{fuel}", problems) * base.electricity_tce_per_mwh
            else:
                energy[fuel] = _q(q, "tce", f"{loc}.energy.{fuel}", problems)
        if pr.sector and pr.sector not in base.sectors:
            problems.append(problem(f"{loc}.sector", "scenario.sector_known", pr.sector, sector=pr.sector))
        if not base.year < pr.start_year <= scenario.horizon:
            problems.append(problem(f"{loc}.start_year", "scenario.start_year", str(pr.start_year)))
        out.append(
            Addition(
                pr.name,
                pr.start_year,
                energy,
                _q(pr.process_emissions, "tCO2", f"{loc}.process_emissions", problems),
                _q(pr.value_added, "万元", f"{loc}.value_added", problems),
                pr.sector,
            )
        )
    if problems:
        raise ScenarioError(f"{name}: invalid project file", problems)
    return tuple(out)


def shipped_scenarios() -> list[str]:
    return sorted(p.stem for p in DATA_DIR.glob("*.yaml"))


def _unknown_fuel(location: str, fuel: str) -> Problem:
    return problem(location, "scenario.fuel_known", fuel, fuel=fuel)


__all__ = [
    "DATA_DIR",
    "ScenarioError",
    "load_projects",
    "load_scenario",
    "projects_of",
    "resolve_scenario_path",
    "shipped_scenarios",
]
