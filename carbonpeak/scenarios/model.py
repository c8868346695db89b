"""The scenario model: a base year, drivers, and the yearly energy and CO2 they imply, for many draws.

Map:
    Fuel, BaseYear      the base year the projection starts from (from the inventory, or a file block)
    Target, Programme   what a scenario is judged against, and which drivers each programme moves
    Addition            a project added to a scenario (energy by fuel from a start year)
    Scenario            everything a run needs, compiled from a scenario file (scenarios/load.py)
    DrawSeries          yearly series, years x draws (CO2, energy, GDP, shares)
    Trajectories        the model's yearly outputs: DrawSeries plus sector means
    project(...)        the model itself: latent normals -> Trajectories (pure NumPy, vectorised)
    base_year_from_inventory(...)   the hook from the inventory engine to a BaseYear

Equations and their sources: docs/methods/projection.md. Units inside the engine: energy in tce,
electricity in MWh, CO2 in tCO2, GDP in 万元 (constant base-year prices), population in persons.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from carbonpeak.scenarios.drivers import Array, Driver, cumulative_index, driver_paths

FuelKind = Literal["fossil", "electricity", "non_fossil"]
ActivityBasis = Literal["gdp", "population"]
Indicator = Literal[
    "non_fossil_share", "fuel_share", "energy_intensity_change", "co2_intensity_change", "co2_change"
]


@dataclass(frozen=True)
class Fuel:
    """A fuel of the base year's table; `co2_factor` in tCO2/tce (0 for electricity and non-fossil)."""

    name: str
    kind: FuelKind
    co2_factor: float = 0.0


@dataclass(frozen=True)
class LocalFossil:
    """Local fossil generation with one fuel: MWh in the base year and tce of fuel per MWh."""

    fuel: str
    generation_mwh: float
    heat_rate: float
    co2_factor: float | None = None  # tCO2/tce of this fuel in power plants; None: the fuel's factor


@dataclass(frozen=True)
class NonFossilTech:
    """A non-fossil generation technology; `variable` ones (PV, wind) suffer curtailment."""

    name: str
    variable: bool


@dataclass(frozen=True)
class BaseYear:
    """The year a projection starts from.

    energy[s, f]: final energy use of sector s in fuel f, tce (electricity at calorific value,
    `electricity_tce_per_mwh`). `electricity_imported_mwh`: net imports into the city in the base
    year; the gap between it and (demand - local generation) is held constant (losses, own use).
    `co2_factors[s, f]` (tCO2/tce), when given, replaces the fuel's factor cell by cell (an
    inventory's implied factors, so the base year reproduces its CO2 exactly).
    `non_fossil_generation_mwh`, when given, is the observed local non-fossil generation of the base
    year; the capacity drivers then add their change from the base year to it.
    """

    year: int
    population: float
    gdp: float
    sectors: tuple[str, ...]
    activity_basis: tuple[ActivityBasis, ...]
    fuels: tuple[Fuel, ...]
    energy: Array
    electricity_imported_mwh: float
    grid_factor: float
    grid_non_fossil_share: float
    local_fossil: tuple[LocalFossil, ...]
    non_fossil_techs: tuple[NonFossilTech, ...]
    process_emissions: float
    electricity_tce_per_mwh: float = 0.1229
    equivalent_coal_rate: float = 0.3055
    storage_hours: float = 2.0
    storage_cycles: float = 300.0
    storage_efficiency: float = 0.85
    storage_cover_ratio: float = 0.15
    co2_factors: Array | None = None
    non_fossil_generation_mwh: float | None = None

    def fuel_index(self, kind: FuelKind) -> list[int]:
        return [i for i, f in enumerate(self.fuels) if f.kind == kind]


@dataclass(frozen=True)
class Target:
    """A target judged on each draw: `indicator` in `year` compared with `threshold`.

    *_change indicators are fractional changes against `reference_year` (from the trajectory) or
    against `reference_value` (an intensity given outright, e.g. CO2 per GDP in 2005).
    """

    id: str
    indicator: Indicator
    year: int
    threshold: float
    direction: Literal["at_least", "at_most"]
    fuel: str = ""
    reference_year: int | None = None
    reference_value: float | None = None
    label_zh: str = ""
    label_en: str = ""
    source: str = ""


@dataclass(frozen=True)
class Programme:
    """A programme (工程) of the plan and the drivers that are its levers."""

    id: str
    name_zh: str
    name_en: str
    drivers: tuple[str, ...]
    plan_ref: str = ""


@dataclass(frozen=True)
class Addition:
    """A project added to a scenario: yearly energy by fuel (tce) from `start_year`, process CO2 (t),
    value added (万元)."""

    name: str
    start_year: int
    energy: Mapping[str, float]
    process_emissions: float = 0.0
    value_added: float = 0.0
    sector: str = ""


@dataclass(frozen=True)
class Scenario:
    name: str
    base: BaseYear
    horizon: int
    drivers: Mapping[str, Driver]
    correlations: tuple[tuple[str, str, float], ...] = ()
    targets: tuple[Target, ...] = ()
    programmes: tuple[Programme, ...] = ()
    counterfactual: Mapping[str, Driver] | None = None
    tolerance: float = 0.01
    peak_by: int = 2030
    source_hash: str = ""
    label_zh: str = ""
    label_en: str = ""
    additions: tuple[Addition, ...] = ()
    base_flag: str = "sample"  # published | estimated | sample: how far the base year can be trusted
    history: tuple[BaseYear, ...] = ()  # inventory years before the base year, oldest first

    @property
    def years(self) -> np.ndarray:
        """The projected years: base year ... horizon (history years come before, see `all_years`)."""
        return np.arange(self.base.year, self.horizon + 1)

    @property
    def all_years(self) -> np.ndarray:
        """History years (from the inventory) followed by the projected years."""
        first = self.history[0].year if self.history else self.base.year
        return np.arange(first, self.horizon + 1)


@dataclass
class DrawSeries:
    """Yearly series, years x draws: CO2 in tCO2, energy in tce, GDP in 万元, shares of energy."""

    years: np.ndarray
    co2: Array
    energy: Array
    gdp: Array
    non_fossil_share: Array
    fuel_share: dict[str, Array]

    @property
    def co2_intensity(self) -> Array:
        return self.co2 / self.gdp

    @property
    def energy_intensity(self) -> Array:
        return self.energy / self.gdp


@dataclass
class Trajectories(DrawSeries):
    """The model's yearly outputs: the series of the projected years and the sector means."""

    co2_by_sector: Array  # mean over draws, (sectors + process) x years; electricity CO2 allocated by use
    energy_by_sector: Array  # mean over draws, sectors x years, final energy (tce)


def expected_driver_keys(base: BaseYear) -> dict[str, Literal["rate", "level"]]:
    """Every driver key a scenario may set for this base year, with its kind."""
    keys: dict[str, Literal["rate", "level"]] = {
        "population_growth": "rate",
        "gdp_growth": "rate",
        "power.grid_factor_change": "rate",
        "power.curtailment": "level",
        "power.storage.capacity": "level",
        "process.change": "rate",
    }
    for s in base.sectors:
        keys[f"sectors.{s}.activity_change"] = "rate"
        keys[f"sectors.{s}.intensity_change"] = "rate"
        for f in base.fuels:
            keys[f"sectors.{s}.fuel_shift.{f.name}"] = "rate"
    for lf in base.local_fossil:
        keys[f"power.{lf.fuel}.generation_change"] = "rate"
        keys[f"power.{lf.fuel}.heat_rate_change"] = "rate"
    for tech in base.non_fossil_techs:
        keys[f"power.{tech.name}.capacity"] = "level"
        keys[f"power.{tech.name}.capacity_factor"] = "level"
    return keys


def project(
    scenario: Scenario,
    z: Array,
    keys: Sequence[str],
    *,
    drivers: Mapping[str, Driver] | None = None,
    additions: Iterable[Addition] | None = None,
) -> Trajectories:
    """Yearly trajectories for each row of `z` (latent normals, one column per key in `keys`).

    Arrays are years x draws (draws contiguous: the running products over years vectorise across
    draws). Sector outputs are means over the draws.

    `drivers` replaces the scenario's drivers (wedges); `additions` replaces its added projects.
    A driver the scenario does not set is 0 (rates) — levels it does not set are 0 too.
    """
    base = scenario.base
    years = scenario.years
    n_years = len(years)
    n = max(z.shape[0], 1)
    paths = driver_paths(drivers if drivers is not None else scenario.drivers, years, keys, z)
    zero = np.zeros((n_years, 1))

    def path(key: str) -> Array:
        return paths.get(key, zero)

    def index(key: str) -> Array:
        return cumulative_index(path(key)) if key in paths else np.ones((n_years, 1))

    pop_idx = index("population_growth")
    gdp_idx = index("gdp_growth")
    gdp = base.gdp * gdp_idx * np.ones((1, n))

    fossil = base.fuel_index("fossil")
    elec = base.fuel_index("electricity")
    nonfossil = base.fuel_index("non_fossil")
    factors = np.array([f.co2_factor for f in base.fuels])
    n_s = len(base.sectors)

    # sector-major layout (sector, year, draw): each sector's slice is contiguous
    direct_total = np.zeros((n_years, n))
    direct_mean = np.zeros((n_s, n_years))
    energy_mean = np.zeros((n_s, n_years))
    elec_use = np.zeros((n_s, n_years, n))
    fuel_total = {base.fuels[i].name: np.zeros((n_years, n)) for i in fossil}
    renew_direct = np.zeros((n_years, n))

    for s, sector in enumerate(base.sectors):
        e0 = base.energy[s]
        total0 = float(e0.sum())
        if total0 <= 0:
            continue
        basis = gdp_idx if base.activity_basis[s] == "gdp" else pop_idx
        # multiply the small (years x 1) factors first, the per-draw ones last
        factors_s = sorted(
            (basis, index(f"sectors.{sector}.activity_change"), index(f"sectors.{sector}.intensity_change")),
            key=lambda a: a.shape[0],
        )
        e_s = total0 * factors_s[0] * factors_s[1] * factors_s[2]
        present = [
            f
            for f in range(len(base.fuels))
            if e0[f] > 0 or f"sectors.{sector}.fuel_shift.{base.fuels[f].name}" in paths
        ]
        weights = {
            f: e0[f] / total0 * index(f"sectors.{sector}.fuel_shift.{base.fuels[f].name}") for f in present
        }
        norm = sum(weights.values())
        scaled = e_s / norm
        energy_mean[s] = e_s.mean(axis=1)
        ef_s = factors if base.co2_factors is None else base.co2_factors[s]
        fossil_w = sum((weights[i] * ef_s[i] for i in fossil if i in weights), zero)
        direct_s = scaled * fossil_w
        direct_total += direct_s
        direct_mean[s] = direct_s.mean(axis=1)
        for i in fossil:
            if i in weights:
                fuel_total[base.fuels[i].name] += scaled * weights[i]
        for i in elec:
            if i in weights:
                elec_use[s] += scaled * weights[i]
        for i in nonfossil:
            if i in weights:
                renew_direct += scaled * weights[i]

    # projects added to the scenario: fixed yearly energy from their start year
    names = [f.name for f in base.fuels]
    extra_process = np.zeros((n_years, 1))
    for add in scenario.additions if additions is None else additions:
        on = (years >= add.start_year).astype(np.float64)[:, None]
        s_add = base.sectors.index(add.sector) if add.sector in base.sectors else 0
        for fuel_name, qty in add.energy.items():
            i = names.index(fuel_name)
            kind = base.fuels[i].kind
            if kind == "fossil":
                fuel_total[fuel_name] = fuel_total[fuel_name] + qty * on
                direct_total = direct_total + qty * factors[i] * on
                direct_mean[s_add] += qty * factors[i] * on[:, 0]
            elif kind == "electricity":
                elec_use[s_add] += qty * on
            else:
                renew_direct = renew_direct + qty * on
        extra_process = extra_process + add.process_emissions * on
        gdp = gdp + add.value_added * on

    # electricity supply
    total_use = elec_use.sum(axis=0)
    demand_mwh = total_use / base.electricity_tce_per_mwh
    storage = path("power.storage.capacity")
    demand_mwh = demand_mwh + storage * base.storage_hours * base.storage_cycles * (
        1 - base.storage_efficiency
    )
    vre_cap = sum((path(f"power.{t.name}.capacity") for t in base.non_fossil_techs if t.variable), zero)
    need = base.storage_cover_ratio * vre_cap * np.ones_like(storage)
    cover = np.divide(storage * np.ones_like(need), need, out=np.ones_like(need), where=need > 0)
    curtail = path("power.curtailment") * np.clip(1.0 - cover, 0.0, 1.0)
    gen_nf = zero
    for t in base.non_fossil_techs:
        out = path(f"power.{t.name}.capacity") * path(f"power.{t.name}.capacity_factor") * 8760.0
        gen_nf = gen_nf + (out * (1.0 - curtail) if t.variable else out)
    if base.non_fossil_generation_mwh is not None:  # observed base year plus the modelled change
        gen_nf = base.non_fossil_generation_mwh + (gen_nf - gen_nf[:1])

    local_co2 = zero
    local_gen = zero
    for lf in base.local_fossil:
        gen = lf.generation_mwh * index(f"power.{lf.fuel}.generation_change")
        fuel_in = gen * lf.heat_rate * index(f"power.{lf.fuel}.heat_rate_change")
        local_gen = local_gen + gen
        ef = factors[names.index(lf.fuel)] if lf.co2_factor is None else lf.co2_factor
        local_co2 = local_co2 + fuel_in * ef
        fuel_total[lf.fuel] = fuel_total[lf.fuel] + fuel_in

    local0 = local_gen[:1] + gen_nf[:1]
    gap = base.electricity_imported_mwh - (demand_mwh[:1] - local0)
    imports = demand_mwh - gen_nf - local_gen + gap
    grid_idx = index("power.grid_factor_change")
    grid_factor = base.grid_factor * grid_idx
    grid_nf = 1.0 - (1.0 - base.grid_non_fossil_share) * grid_idx
    power_co2 = local_co2 + imports * grid_factor
    process = base.process_emissions * index("process.change") + extra_process

    co2 = direct_total + power_co2 + process
    ceq = base.equivalent_coal_rate
    energy = sum(fuel_total.values(), renew_direct) + (gen_nf + imports) * ceq
    non_fossil = renew_direct + (gen_nf + imports * grid_nf) * ceq

    # power-sector CO2 allocated to sectors by electricity use (average factor of supply)
    el_factor = np.divide(power_co2, total_use, out=np.zeros_like(total_use), where=total_use > 0)
    elec_mean = np.einsum("stn,tn->st", elec_use, el_factor * np.ones((1, n))) / n
    by_sector = np.vstack([direct_mean + elec_mean, (process * np.ones((1, n))).mean(axis=1)[None, :]])
    return Trajectories(
        years=years,
        co2=co2,
        energy=energy,
        gdp=gdp,
        non_fossil_share=non_fossil / energy,
        fuel_share={k: v / energy for k, v in fuel_total.items()},
        co2_by_sector=by_sector,
        energy_by_sector=energy_mean,
    )


def base_year_from_inventory(
    rows: Iterable[Mapping[str, object]],
    *,
    year: int,
    template: BaseYear,
    population: float | None = None,
    gdp: float | None = None,
) -> BaseYear:
    """A BaseYear whose energy table (and, if given, population and GDP) come from an inventory.

    The hook for `base: {from_inventory: <year>}`: `rows` is the inventory's long table of final
    energy use, one row per `sector, fuel` with `energy_tce` (tce; electricity at calorific value),
    as carbonpeak.accounting produces it. Rows of other years are skipped; sector and fuel codes
    must be those of `template` (the scenario's own base block, which keeps the power-sector and
    process settings until the inventory provides them). Unknown codes raise KeyError naming them.
    """
    sectors = list(template.sectors)
    fuels = [f.name for f in template.fuels]
    energy = np.zeros((len(sectors), len(fuels)))
    for row in rows:
        if int(str(row.get("year", year))) != year:
            continue
        s, f = str(row["sector"]), str(row["fuel"])
        if s not in sectors or f not in fuels:
            raise KeyError(f"inventory row with sector {s!r}, fuel {f!r} is not in the scenario's code lists")
        energy[sectors.index(s), fuels.index(f)] += float(str(row["energy_tce"]))
    return BaseYear(
        **{
            **template.__dict__,
            "year": year,
            "energy": energy,
            "population": template.population if population is None else population,
            "gdp": template.gdp if gdp is None else gdp,
        }
    )


__all__ = [
    "Addition",
    "BaseYear",
    "DrawSeries",
    "Fuel",
    "LocalFossil",
    "NonFossilTech",
    "Programme",
    "Scenario",
    "Target",
    "Trajectories",
    "base_year_from_inventory",
    "expected_driver_keys",
    "project",
]
