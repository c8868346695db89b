"""Total energy in tce and the primary-energy mix, as China's energy statistics compute them.

    consumption[r, y, f] = Σ_s c[s] · A[r, y, s, f]       c = 1 for final, transformation (signed:
                                                          input +, output −) and LOSS; 0 for supply rows
    total_tce[r, y]      = Σ_f consumption[r, y, f] · k[y, f]

k is the standard-coal coefficient of the fuel (GB/T 2589). Method "calorific" values electricity at
its heat content (0.1229 kgce/kWh, 当量值); method "coal_equivalent" values it at the year's
generation coal rate (发电煤耗计算法). Because thermal-power output enters with a minus sign, the
electricity term nets to local non-fossil generation plus net imports, which is what the two
methods value differently. NON_ENERGY is part of energy consumption (it is deducted for CO2 only).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import numpy.typing as npt

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.accounting.balance import Balance

Array = npt.NDArray[np.float64]
Method = Literal["calorific", "coal_equivalent"]
CONSUMPTION_ROLES = ("final", "transformation", "transformation_combustion", "loss")
ELECTRIC = ("electricity", "primary_electricity")


def tce_coefficients(balance: Balance, method: Method = "calorific") -> tuple[Array, list[str]]:
    """(year, fuel) tce per unit of each fuel's unit in fuels.csv, and notes on substituted years."""
    fuel_table, sc = factors.fuels(), factors.standard_coal()
    k = np.zeros((len(balance.years), len(balance.fuels)))
    notes: list[str] = []
    for j, fuel in enumerate(balance.fuels):
        if fuel in sc:
            k[:, j] = sc[fuel].tce_per(fuel_table[fuel].unit)
    if method == "coal_equivalent":
        kwh_per_unit = {f: _kwh_per(fuel_table[f].unit) for f in ELECTRIC}
        for i, year in enumerate(balance.years):
            rate = factors.coal_rate(year)
            if rate is None:
                raise ValueError("generation_coal_rate.csv is empty")
            if rate.year != year:
                notes.append(
                    f"generation coal rate for {year} not tabulated; used {rate.year} ({rate.rate} gce/kWh)"
                )
            for f in ELECTRIC:
                k[i, balance.fuels.index(f)] = rate.rate * units.factor("gce", "tce") * kwh_per_unit[f]
    return k, notes


def _kwh_per(unit: str) -> float:
    from carbonpeak import units

    return units.factor(unit, "kWh")


def consumption(balance: Balance) -> Array:
    """(region, year, fuel) consumption in each fuel's unit (signed sum over consumption rows)."""
    table = factors.sectors()
    c = np.array([1.0 if table[s].role in CONSUMPTION_ROLES else 0.0 for s in balance.sectors])
    return np.asarray(np.einsum("ryst,s->ryt", balance.energy, c))


def total_energy(balance: Balance, method: Method = "calorific") -> Array:
    """Total energy consumption, (region, year), tce."""
    k, _ = tce_coefficients(balance, method)
    return np.asarray((consumption(balance) * k[None, :, :]).sum(axis=2))


ImportConvention = Literal["origin", "separate"]
MIX_PARTS = ("coal", "oil", "gas", "non_fossil_local", "net_import_electricity", "statistical_difference")


def import_non_fossil_share(
    balance: Balance, share: float | Mapping[int, float] | None = None
) -> tuple[Array, list[str]]:
    """(region, year) non-fossil fraction of net imported electricity, and notes on substitutions.

    `share` given: that fraction (one number, or one per year). Otherwise data/import_non_fossil_share.csv
    for the balance region's province, else its regional grid (data/grid_regions.csv), else the
    national rows (CN): the most specific level that has any row, so one series is not stitched from
    several levels; a year that level does not tabulate takes its nearest tabulated year. Every
    substitution is noted.
    """
    out = np.zeros((len(balance.regions), len(balance.years)))
    notes: list[str] = []
    if share is not None:
        for j, year in enumerate(balance.years):
            value = share if isinstance(share, (int, float)) else share.get(year)
            if value is None:
                raise ValueError(f"import_non_fossil_share has no value for {year}")
            if not 0.0 <= float(value) <= 1.0:
                raise ValueError(f"import_non_fossil_share {value} for {year} is not a fraction")
            out[:, j] = float(value)
        return out, notes
    table = factors.import_non_fossil_shares()
    for i, region in enumerate(balance.regions):
        mapped = factors.grid_regions().get(region)
        grids = [mapped.province, mapped.grid, "CN"] if mapped else ["CN"]
        rows = next(([r for r in table if r.grid == g] for g in grids if any(r.grid == g for r in table)), [])
        if not rows:
            raise ValueError("import_non_fossil_share.csv has no row for the region's grid nor for CN")
        if mapped is None or rows[0].grid != mapped.province:
            notes.append(f"non-fossil share of imported electricity for {region}: {rows[0].grid} rows used")
        for j, year in enumerate(balance.years):
            best = min(rows, key=lambda r: (abs(r.year - year), -r.year))
            if best.year != year:
                notes.append(
                    f"non-fossil share of imported electricity for {year} not tabulated; "
                    f"used {best.year} ({best.share})"
                )
            out[i, j] = best.share
    return out, notes


def tabulated_share(grid: str, years: list[int] | tuple[int, ...]) -> tuple[Array, list[str]]:
    """(year,) non-fossil share of `grid`'s generation (CN, a regional grid or a province) from
    data/import_non_fossil_share.csv, a year not tabulated taking the nearest tabulated year (noted).
    For the sensitivity lines of the non-fossil share (e.g. the national line: grid="CN")."""
    rows = [r for r in factors.import_non_fossil_shares() if r.grid == grid]
    if not rows:
        raise ValueError(f"import_non_fossil_share.csv has no row for {grid}")
    out = np.zeros(len(years))
    notes: list[str] = []
    for j, year in enumerate(years):
        best = min(rows, key=lambda r: (abs(r.year - year), -r.year))
        if best.year != year:
            notes.append(
                f"non-fossil share of {grid} for {year} not tabulated; used {best.year} ({best.share})"
            )
        out[j] = best.share
    return out, notes


def energy_mix(
    balance: Balance,
    method: Method = "coal_equivalent",
    *,
    convention: ImportConvention = "origin",
    import_share: Array | float | None = None,
) -> dict[str, Array]:
    """Shares of total energy consumption, (region, year) each.

    coal / oil / gas: consumption of the fuels of that kind (products traced to their kind: coke and
    coke-oven gas are coal, gasoline is oil), including what was burnt to make electricity and heat.
    net_import_electricity: electricity imported minus exported. non_fossil_local: what is left (local
    primary electricity, other energy, heat not from transformation), never negative: a negative rest
    means the balance supplies more electricity or heat than it uses and is reported as
    statistical_difference (平衡差额). The six parts in MIX_PARTS sum to 1.

    non_fossil, by `convention`:
      "origin" (default; China's provincial and city statistics): local non-fossil plus the non-fossil
          part of net imported electricity (外来电中的非化石能源电量), i.e. non_fossil_local +
          net_import_non_fossil, where net_import_non_fossil = net_import_electricity · s and s is
          `import_share` ((region, year) array or one number) or, if None, import_non_fossil_share().
      "separate" (the earlier behaviour): non_fossil_local only; imports stay in net_import_electricity.
    """
    k, _ = tce_coefficients(balance, method)
    cons = consumption(balance) * k[None, :, :]
    total = cons.sum(axis=2)
    table = factors.fuels()
    kinds = np.array([table[f].kind for f in balance.fuels])
    e = balance.fuels.index("electricity")
    net_import = (
        balance.energy[:, :, balance.sectors.index("IMPORT"), e]
        - balance.energy[:, :, balance.sectors.index("EXPORT"), e]
    ) * k[None, :, e]
    parts = {kind: cons[:, :, kinds == kind].sum(axis=2) for kind in ("coal", "oil", "gas")}
    parts["net_import_electricity"] = net_import
    rest = total - parts["coal"] - parts["oil"] - parts["gas"] - net_import
    parts["non_fossil_local"] = np.maximum(rest, 0.0)
    parts["statistical_difference"] = np.minimum(rest, 0.0)
    if convention == "origin":
        s = import_non_fossil_share(balance)[0] if import_share is None else import_share
        share = np.broadcast_to(np.asarray(s, dtype=float), net_import.shape)
        parts["net_import_non_fossil"] = net_import * share
        parts["non_fossil"] = parts["non_fossil_local"] + parts["net_import_non_fossil"]
    elif convention == "separate":
        parts["net_import_non_fossil"] = np.zeros_like(net_import)
        parts["non_fossil"] = parts["non_fossil_local"]
    else:
        raise ValueError(f"unknown convention {convention!r}: use origin or separate")
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            name: np.where(total != 0, v / np.where(total != 0, total, 1.0), np.nan)
            for name, v in parts.items()
        }


__all__ = [
    "MIX_PARTS",
    "consumption",
    "energy_mix",
    "import_non_fossil_share",
    "tabulated_share",
    "tce_coefficients",
    "total_energy",
]
