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

from typing import Literal

import numpy as np
import numpy.typing as npt

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
                k[i, balance.fuels.index(f)] = rate.rate * 1e-6 * kwh_per_unit[f]
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


def energy_mix(balance: Balance, method: Method = "coal_equivalent") -> dict[str, Array]:
    """Shares of total energy consumption, (region, year) each, summing to 1.

    coal / oil / gas: consumption of the fuels of that kind (products traced to their kind: coke and
    coke-oven gas are coal, gasoline is oil), including what was burnt to make electricity and heat;
    non_fossil: local primary electricity, other energy and residual heat; net_import_electricity:
    electricity imported minus exported. Provincial yearbooks report the last two together as
    "一次电力及其他能源" (primary electricity and other energy).
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
    parts["non_fossil"] = total - parts["coal"] - parts["oil"] - parts["gas"] - net_import
    with np.errstate(divide="ignore", invalid="ignore"):
        return {
            name: np.where(total != 0, v / np.where(total != 0, total, 1.0), np.nan)
            for name, v in parts.items()
        }


__all__ = ["consumption", "energy_mix", "tce_coefficients", "total_energy"]
