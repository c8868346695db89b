"""The inventory as the projection reads it: one record per year, and the base year built from it.

Map:
    InventoryYear        one year of the inventory, on the inventory's own sector codes and fuel groups
    InventoryHistory     the records of a data set, with a fingerprint of its inputs
    base_year_from_record(record, template, sector_map, heat_rates)
                         the BaseYear that reproduces that year's CO2 and energy exactly
    series_at(base)      CO2, energy, GDP and shares of a BaseYear's own year (history rows, references)

Fuel groups: `coal`, `oil`, `gas` (the inventory's fuel kinds), `electricity` (calorific value,
tce) and `non_fossil` (other energy used directly). Heat is not a carrier of the projection: the
fuel burnt in heating plants is allocated to the sectors in proportion to their heat use (the
adapter does this). Method: docs/methods/projection.md#base-year-from-the-inventory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from carbonpeak.scenarios.model import BaseYear, LocalFossil, Scenario, project

GROUP_OF_KIND = {"fossil": None, "electricity": "electricity", "non_fossil": "non_fossil"}


@dataclass(frozen=True)
class InventoryYear:
    """One inventory year. Energy in tce (electricity at calorific value), CO2 in t, electricity in MWh.

    `energy` and `co2` are keyed by (inventory sector code, fuel group) and hold final use plus the
    allocated input of heating plants; `power_input` and `power_co2` the fuel burnt for local
    electricity by fuel group. `total_co2` and `energy_coal_equivalent` are the inventory's own
    totals (the base year must reproduce them). `gdp` in 万元 at constant prices of the base year.
    """

    year: int
    energy: Mapping[tuple[str, str], float]
    co2: Mapping[tuple[str, str], float]
    power_input: Mapping[str, float]
    power_co2: Mapping[str, float]
    thermal_generation_mwh: float
    non_fossil_generation_mwh: float
    net_import_mwh: float
    indirect_co2: float
    process_co2: float
    equivalent_coal_rate: float
    calorific_tce_per_mwh: float
    total_co2: float
    energy_coal_equivalent: float
    import_non_fossil_share: float | None = None  # non-fossil fraction of imported electricity
    population: float | None = None
    gdp: float | None = None


@dataclass(frozen=True)
class InventoryHistory:
    """The inventory records of a data set and a fingerprint of its inputs (part of a run's hash)."""

    records: Mapping[int, InventoryYear]
    fingerprint: str = ""
    source: str = ""

    @property
    def years(self) -> list[int]:
        return sorted(self.records)


def base_year_from_record(
    record: InventoryYear,
    *,
    template: BaseYear,
    sector_map: Mapping[str, Sequence[str]],
    heat_rates: Mapping[str, float] | None = None,
) -> BaseYear:
    """The BaseYear of an inventory year; `template` keeps what the inventory cannot supply.

    `sector_map`: scenario sector -> inventory sector codes (every code with energy must be mapped
    exactly once). Fuels: a scenario fuel of kind electricity takes group `electricity`, one of kind
    non_fossil takes `non_fossil`, a fossil fuel takes the group of its own name (coal, oil, gas).
    CO2 factors are the inventory's implied factors per cell (CO2 / tce); a cell without energy keeps
    the fuel's factor. Local generation by fuel: a fuel listed in `heat_rates` (tce/MWh) generates
    input / heat rate; the one fuel not listed takes the rest of the thermal generation.
    Unknown or unmapped codes raise KeyError naming them.
    """
    fuels = [f.name for f in template.fuels]
    group_to_fuel = {}
    for f in template.fuels:
        group_to_fuel[GROUP_OF_KIND[f.kind] or f.name] = f.name
    sector_of = {}
    for s, codes in sector_map.items():
        if s not in template.sectors:
            raise KeyError(f"sector {s!r} of the inventory map is not a sector of the scenario")
        for c in codes:
            if c in sector_of:
                raise KeyError(f"inventory sector {c!r} is mapped twice")
            sector_of[c] = s
    energy = np.zeros((len(template.sectors), len(fuels)))
    co2 = np.zeros_like(energy)
    for (code, group), tce in record.energy.items():
        if code not in sector_of:
            raise KeyError(f"inventory sector {code!r} is not mapped to a scenario sector")
        if group not in group_to_fuel:
            raise KeyError(f"inventory fuel group {group!r} has no fuel in the scenario")
        i, j = template.sectors.index(sector_of[code]), fuels.index(group_to_fuel[group])
        energy[i, j] += tce
        co2[i, j] += record.co2.get((code, group), 0.0)
    default = np.array([f.co2_factor for f in template.fuels])[None, :] * np.ones_like(energy)
    factors = np.divide(co2, energy, out=default, where=energy > 0)
    local = _local_fossil(record, group_to_fuel, dict(heat_rates or {}))
    return replace(
        template,
        year=record.year,
        population=template.population if record.population is None else record.population,
        gdp=template.gdp if record.gdp is None else record.gdp,
        energy=energy,
        co2_factors=factors,
        electricity_imported_mwh=record.net_import_mwh,
        grid_factor=record.indirect_co2 / record.net_import_mwh
        if record.net_import_mwh
        else template.grid_factor,
        local_fossil=local,
        process_emissions=record.process_co2,
        electricity_tce_per_mwh=record.calorific_tce_per_mwh,
        equivalent_coal_rate=record.equivalent_coal_rate,
        non_fossil_generation_mwh=record.non_fossil_generation_mwh,
        grid_non_fossil_share=template.grid_non_fossil_share
        if record.import_non_fossil_share is None
        else record.import_non_fossil_share,
    )


def _local_fossil(
    record: InventoryYear, group_to_fuel: Mapping[str, str], heat_rates: dict[str, float]
) -> tuple[LocalFossil, ...]:
    burnt = {g: v for g, v in record.power_input.items() if v > 0}
    for g in burnt:
        if g not in group_to_fuel:
            raise KeyError(f"power-plant fuel group {g!r} has no fuel in the scenario")
    fixed = {g: burnt[g] / heat_rates[g] for g in burnt if g in heat_rates}
    rest = [g for g in burnt if g not in heat_rates]
    if len(rest) > 1:
        gen = {g: record.thermal_generation_mwh * v / sum(burnt.values()) for g, v in burnt.items()}
    else:
        gen = dict(fixed)
        if rest:
            gen[rest[0]] = record.thermal_generation_mwh - sum(fixed.values())
    out = []
    for g, v in burnt.items():
        if gen[g] <= 0:
            raise KeyError(f"power-plant fuel {g!r}: the heat rates leave it no generation")
        out.append(LocalFossil(group_to_fuel[g], gen[g], v / gen[g], record.power_co2.get(g, 0.0) / v))
    return tuple(out)


@dataclass(frozen=True)
class YearValues:
    """A base year's own CO2 (t), total energy (tce, coal-equivalent), GDP (万元) and shares."""

    year: int
    co2: float
    energy: float
    gdp: float
    non_fossil_share: float
    fuel_share: Mapping[str, float]
    co2_by_sector: np.ndarray  # (sectors + process,)
    energy_by_sector: np.ndarray  # (sectors,)


def series_at(base: BaseYear) -> YearValues:
    """The model's outputs in the base year itself (no driver moves anything in year 0)."""
    sc = Scenario(name="history", base=base, horizon=base.year, drivers={})
    tr = project(sc, np.zeros((1, 0)), [], drivers={}, additions=())
    return YearValues(
        year=base.year,
        co2=float(tr.co2[0, 0]),
        energy=float(tr.energy[0, 0]),
        gdp=float(tr.gdp[0, 0]),
        non_fossil_share=float(tr.non_fossil_share[0, 0]),
        fuel_share={k: float(v[0, 0]) for k, v in tr.fuel_share.items()},
        co2_by_sector=tr.co2_by_sector[:, 0],
        energy_by_sector=tr.energy_by_sector[:, 0],
    )


__all__ = [
    "InventoryHistory",
    "InventoryYear",
    "YearValues",
    "base_year_from_record",
    "series_at",
]
