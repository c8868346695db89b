"""CO2 inventory from a validated Balance: energy activities, industrial processes, net imported electricity.

    co2_energy[r, y, s, f]   = A[r, y, s, f] · w[s] · NCV[y, f] · EF[y, f]         t CO2
    co2_process[r, y, s, p]  = P[r, y, s, p] · EFp[y, p]                            t CO2
    indirect[r, y]           = (A[IMPORT, electricity] − A[EXPORT, electricity]) · EFgrid[y]

w[s] = 1 for final consumption (S01–S47) and for fuels burnt in thermal power and heating (T_POWER,
T_HEAT); w = −1 for NON_ENERGY (feedstock deducted); w = 0 for other transformation inputs (coking,
refining, washing, gas works, briquettes: their products are counted where burnt — transformation
counted once), for LOSS and for supply rows. Only coal, oil and gas kinds carry combustion CO2.
Formulas and sources: docs/methods/inventory.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.accounting.balance import Balance
from carbonpeak.errors import BalanceError, Problem
from carbonpeak.validation import problem

Array = npt.NDArray[np.float64]
GridFallback = Literal["strict", "nearest"]
ROLE_WEIGHT = {"final": 1.0, "transformation_combustion": 1.0, "non_energy": -1.0}
FOSSIL_KINDS = ("coal", "oil", "gas")


@dataclass(frozen=True)
class Inventory:
    """The computed inventory; arrays share the Balance's axes. All CO2 in t."""

    balance: Balance
    factor_set: str
    co2_energy: Array  # (region, year, sector, fuel)
    co2_process: Array  # (region, year, sector, product)
    indirect_electricity: Array  # (region, year)
    net_import_mwh: Array  # (region, year)
    ef_energy: Array  # (year, fuel): t CO2 per unit of the fuel's unit in fuels.csv (0 where no CO2)
    ef_energy_u: Array  # (year, fuel): fractional 95% half-width
    ef_process: Array  # (year, product): t CO2/t
    ef_process_u: Array
    grid_ef: Array  # (year,): t CO2/MWh (NaN when no factor was needed and none exists)
    grid_ef_u: Array
    factor_rows: dict[tuple[int, str], factors.CombustionFactor] = field(default_factory=dict)
    process_rows: dict[tuple[int, str], factors.ProcessFactor] = field(default_factory=dict)
    grid_rows: dict[int, factors.GridFactor] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    grid_ef_region: Array | None = None  # (region, year): the grid factor applied to each region
    grid_rows_region: dict[tuple[str, int], factors.GridFactor] = field(default_factory=dict)

    @property
    def energy_total(self) -> Array:
        """CO2 from energy activities (fuel combustion), (region, year)."""
        return np.asarray(self.co2_energy.sum(axis=(2, 3)))

    @property
    def process_total(self) -> Array:
        return np.asarray(self.co2_process.sum(axis=(2, 3)))

    @property
    def direct_total(self) -> Array:
        """Territorial (scope 1) CO2: energy activities + industrial processes."""
        return self.energy_total + self.process_total

    @property
    def total(self) -> Array:
        """Direct CO2 plus the indirect CO2 of net imported electricity."""
        return self.direct_total + self.indirect_electricity


def sector_weights(sector_codes: tuple[str, ...]) -> Array:
    table = factors.sectors()
    return np.array([ROLE_WEIGHT.get(table[s].role, 0.0) for s in sector_codes])


def fossil_mask(fuel_codes: tuple[str, ...]) -> Array:
    table = factors.fuels()
    return np.array([1.0 if table[f].kind in FOSSIL_KINDS else 0.0 for f in fuel_codes])


def _problem(balance: Balance, k: int, column: str, rule: str, **fields: Any) -> Problem:
    """The Problem of `rule` at row `k`'s cell `column` (texts from the catalogue, with `fields`)."""
    where = f"{balance.location}:{balance.lines[k]}:{column}"
    return problem(where, rule, balance.rows[k].get(column), **fields)


def inventory(
    balance: Balance,
    factor_set: str = "guideline",
    *,
    grid_region: str = "CN",
    grid_fallback: GridFallback = "strict",
    grid_kind: str = "national_electricity_average",
) -> Inventory:
    """CO2 by region × year × sector × fuel with the factors of `factor_set` (guideline | ipcc2006).

    A fuel, product or grid factor missing for a year where the balance needs it is an error naming
    every input row concerned. With grid_fallback="nearest", a year without a published grid factor
    takes the nearest published year's factor and the substitution is listed in `notes`. `grid_kind`
    picks the series of grid_factors.csv (national_electricity_average | national_grid_average_reporting).
    grid_region="auto" chooses, for each balance region, the provincial factor, else the regional-grid
    factor, else the national one (`grid_kind`), by data/grid_regions.csv; a region not in that file, or
    a year without a provincial or regional factor, falls back to the next level with a note.
    """
    if factor_set not in factors.FACTOR_SETS:
        raise BalanceError(
            f"unknown factor set {factor_set!r}",
            [
                problem(
                    "factors",
                    "factors.set",
                    factor_set,
                    factor_set=factor_set,
                    factor_sets_list=", ".join(factors.FACTOR_SETS),
                )
            ],
        )
    fuel_table = factors.fuels()
    years, fuel_codes, products = balance.years, balance.fuels, balance.products
    w = sector_weights(balance.sectors)
    fossil = fossil_mask(fuel_codes)
    counted = np.abs(balance.energy * w[None, None, :, None]).sum(axis=(0, 2)) > 0  # (year, fuel)
    ef = np.zeros((len(years), len(fuel_codes)))
    ef_u = np.zeros_like(ef)
    rows: dict[tuple[int, str], factors.CombustionFactor] = {}
    problems: list[Problem] = []
    missing: set[tuple[int, str]] = set()
    per_unit: dict[int, float] = {}  # t CO2 per unit of the fuel, by factor row
    for j, fuel in enumerate(fuel_codes):
        if not fossil[j]:
            continue
        for i, year in enumerate(years):
            fac = factors.combustion_factor(factor_set, fuel, year)
            if fac is None:
                if counted[i, j]:
                    missing.add((year, fuel))
                continue
            if fac.row not in per_unit:
                per_unit[fac.row] = fac.ncv_tj_per(fuel_table[fuel].unit) * fac.ef_t_per_tj
            ef[i, j] = per_unit[fac.row]
            ef_u[i, j] = fac.ef_uncertainty
            rows[(year, fuel)] = fac
    ef_p = np.zeros((len(years), len(products)))
    ef_p_u = np.zeros_like(ef_p)
    p_rows: dict[tuple[int, str], factors.ProcessFactor] = {}
    used_p = balance.process.sum(axis=(0, 2)) > 0
    for j, product in enumerate(products):
        for i, year in enumerate(years):
            pf = factors.process_factor(factor_set, product, year)
            if pf is None:
                if used_p[i, j]:
                    missing.add((year, product))
                continue
            ef_p[i, j], ef_p_u[i, j] = pf.ef, pf.uncertainty_pct / 100.0
            p_rows[(year, product)] = pf
    w_by_code = dict(zip(balance.sectors, w, strict=True))
    for (_region, year, sector, code), ks in balance.cells.items():
        if (year, code) in missing and (code in products or w_by_code[sector] != 0):
            for k in ks:
                problems.append(
                    _problem(
                        balance,
                        k,
                        "fuel",
                        "factor.missing",
                        factor_set=factor_set,
                        year=year,
                        code=code,
                    )
                )
    e = fuel_codes.index("electricity")
    net_import = (
        balance.energy[:, :, balance.sectors.index("IMPORT"), e]
        - balance.energy[:, :, balance.sectors.index("EXPORT"), e]
    ) * units.factor(fuel_table["electricity"].unit, "MWh")
    grid = np.full(len(years), np.nan)
    grid_u = np.zeros(len(years))
    g_rows: dict[int, factors.GridFactor] = {}
    grid_by_region = np.full((len(balance.regions), len(years)), np.nan)
    g_rows_region: dict[tuple[str, int], factors.GridFactor] = {}
    notes: list[str] = []
    for r_i, region in enumerate(balance.regions):
        chain = factors.grid_chain(region, grid_kind) if grid_region == "auto" else [(grid_region, grid_kind)]
        for i, year in enumerate(years):
            if net_import[r_i, i] == 0:
                continue
            g, note = _pick_grid_factor(chain, year, grid_fallback)
            if note:
                notes.append(f"{region}: {note}" if grid_region == "auto" else note)
            if g is None:
                where = chain[0][0]
                for (r, y, s, f), ks in balance.cells.items():
                    if r == region and y == year and f == "electricity" and s in ("IMPORT", "EXPORT"):
                        problems.extend(
                            _problem(
                                balance,
                                k,
                                "year",
                                "factor.grid.missing",
                                region=where,
                                year=year,
                            )
                            for k in ks
                        )
                continue
            grid_by_region[r_i, i] = g.ef
            g_rows_region[(region, year)] = g
            if np.isnan(grid[i]):  # the per-year view: the first region's factor
                grid[i], grid_u[i] = g.ef, g.uncertainty_pct / 100.0
                g_rows[year] = g
    if problems:
        raise BalanceError(
            f"{len(problems)} row(s) need a factor that is missing",
            problems,
            message_zh=f"{len(problems)} 行缺少排放因子",
        )
    co2_energy = co2_cells(balance.energy, w, ef)
    co2_process = balance.process * ef_p[None, :, None, :]
    indirect = net_import * np.nan_to_num(grid_by_region)
    return Inventory(
        balance,
        factor_set,
        co2_energy,
        co2_process,
        indirect,
        net_import,
        ef,
        ef_u,
        ef_p,
        ef_p_u,
        grid,
        grid_u,
        rows,
        p_rows,
        g_rows,
        tuple(dict.fromkeys(notes)),
        grid_by_region,
        g_rows_region,
    )


def _pick_grid_factor(
    chain: list[tuple[str, str]], year: int, fallback: GridFallback
) -> tuple[factors.GridFactor | None, str]:
    """The factor of the most specific (region, kind) published for `year`; else, with fallback
    "nearest", the nearest published year of the most specific level that has any. A note says
    what was substituted (a less specific level, another year)."""
    for level, (where, kind) in enumerate(chain):
        g = factors.grid_factor(where, year, kind)
        if g is not None:
            first = chain[0]
            note = f"no {first[1]} factor for {first[0]} in {year}; used {where} ({g.ef})" if level else ""
            return g, note
    if fallback != "nearest":
        return None, ""
    for where, kind in chain:
        published = sorted({g.year for g in factors.grid_factors() if g.region == where and g.kind == kind})
        if published:
            near = min(published, key=lambda y: (abs(y - year), -y))
            g = factors.grid_factor(where, near, kind)
            if g is not None:
                return g, f"grid factor for {year} not published; used {where} {near} ({g.source})"
    return None, ""


def co2_cells(energy: Array, weights: Array, ef: Array) -> Array:
    """The kernel: CO2 (t) of every (region, year, sector, fuel) cell = A · w[sector] · EF[year, fuel]."""
    return np.asarray(energy * weights[None, None, :, None] * ef[None, :, None, :])


def ceads_view(inv: Inventory) -> tuple[tuple[str, ...], Array]:
    """Energy CO2 on the 47 CEADs sectors, (region, year, sector, fuel), t.

    Rows of transformation go to the CEADs sector of their `ceads_no` (T_POWER and T_HEAT to S39);
    the non-energy deduction, which the balance does not split by sector, stays a last row
    `NON_ENERGY`, so the view sums to `energy_total`.
    """
    table = factors.sectors()
    codes = tuple(c for c, s in table.items() if s.role == "final")
    by_no = {table[c].ceads_no: i for i, c in enumerate(codes)}
    target = np.full(len(inv.balance.sectors), -1)
    for j, code in enumerate(inv.balance.sectors):
        if code == "NON_ENERGY":
            target[j] = len(codes)
        elif table[code].ceads_no in by_no:
            target[j] = by_no[table[code].ceads_no]
    m = np.zeros((len(inv.balance.sectors), len(codes) + 1))
    m[np.nonzero(target >= 0)[0], target[target >= 0]] = 1.0
    return (*codes, "NON_ENERGY"), np.asarray(np.einsum("ryst,sk->rykt", inv.co2_energy, m))


def intensity(total_t: Array, denominator: Array) -> Array:
    """Emissions per unit of `denominator` (e.g. t CO2 per person, t CO2 per 万元 of GDP); NaN where 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(denominator > 0, total_t / np.where(denominator > 0, denominator, 1.0), np.nan)


@dataclass(frozen=True)
class Lineage:
    """Where one output cell comes from: input rows (with their CSV line) and factor rows."""

    cell: dict[str, object]
    value_t: float
    input_rows: list[dict[str, object]]
    factor_rows: list[dict[str, object]]


def lineage(inv: Inventory, region: str, year: int, sector: str, fuel: str) -> Lineage:
    """The input rows and factor rows behind co2 of (region, year, sector, fuel-or-product).

    For the indirect emissions of electricity, ask for sector "IMPORT" or "EXPORT" and fuel "electricity".
    """
    b = inv.balance
    r, y, s = b.index(region, year, sector)
    ks = b.cells.get((region, year, sector, fuel), [])
    inputs = [{"line": b.lines[k], **b.rows[k]} for k in ks]
    fac_rows: list[dict[str, object]] = []
    if fuel in b.products:
        value = float(inv.co2_process[r, y, s, b.products.index(fuel)])
        pf = inv.process_rows.get((year, fuel))
        if pf is not None:
            fac_rows.append({"file": "process_factors.csv", "line": pf.row, "ef": pf.ef, "source": pf.source})
    elif fuel == "electricity" and sector in ("IMPORT", "EXPORT"):
        sign = 1.0 if sector == "IMPORT" else -1.0
        value = (
            sign
            * float(b.energy[r, y, s, b.fuels.index(fuel)])
            * units.factor(factors.fuels()[fuel].unit, "MWh")
            * float(np.nan_to_num(inv.grid_ef[y] if inv.grid_ef_region is None else inv.grid_ef_region[r, y]))
        )
        g = inv.grid_rows_region.get((region, year), inv.grid_rows.get(year))
        if g is not None:
            fac_rows.append(
                {
                    "file": "grid_factors.csv",
                    "line": g.row,
                    "ef": g.ef,
                    "region": g.region,
                    "kind": g.kind,
                    "year": g.year,
                    "source": g.source,
                }
            )
    else:
        value = float(inv.co2_energy[r, y, s, b.fuels.index(fuel)])
        cf = inv.factor_rows.get((year, fuel))
        if cf is not None and value != 0:
            fac_rows.append(
                {
                    "file": "combustion_factors.csv",
                    "line": cf.row,
                    "ncv": cf.ncv,
                    "ncv_unit": cf.ncv_unit,
                    "carbon_content": cf.carbon_content,
                    "co2_ef": cf.co2_ef,
                    "oxidation": cf.oxidation,
                    "source": cf.source,
                }
            )
    cell: dict[str, object] = {"region": region, "year": year, "sector": sector, "fuel": fuel}
    return Lineage(cell, value, inputs, fac_rows)


__all__ = [
    "Inventory",
    "Lineage",
    "ceads_view",
    "co2_cells",
    "intensity",
    "inventory",
    "lineage",
    "sector_weights",
]
