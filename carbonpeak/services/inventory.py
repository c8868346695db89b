"""Use cases of the inventory: compute it from a balance (file or rows), export the factor library.

`compute_inventory(rows, factor_set)` is the one call behind `carbonpeak inventory` and
POST /api/inventory/compute; it returns plain rows (JSON-ready): per-cell CO2, per region-year
totals with energy in tce by both methods, primary-energy shares and the Approach 1 uncertainty.

The inventory of the current data set's energy balance, the one computation the inventory and
overview pages and the reports show, is services/dataset.current_inventory (it calls compute_inventory).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from carbonpeak import units
from carbonpeak.accounting import (
    approach1,
    energy_mix,
    factors,
    intensity,
    inventory,
    lineage,
    parse_csv,
    read_balance,
)
from carbonpeak.accounting.energy import import_non_fossil_share, tce_coefficients, total_energy
from carbonpeak.errors import BalanceError
from carbonpeak.validation import problem

CELL_COLUMNS = ("region", "year", "sector", "fuel", "scope", "co2_t")
TOTAL_COLUMNS = (
    "region",
    "year",
    "energy_t",
    "process_t",
    "direct_t",
    "indirect_electricity_t",
    "total_t",
    "u95_direct",
    "energy_tce_calorific",
    "energy_tce_coal_equivalent",
    "share_coal",
    "share_oil",
    "share_gas",
    "share_non_fossil",
    "share_net_import_electricity",
    "share_non_fossil_local",
    "share_net_import_non_fossil",
    "share_statistical_difference",
    "co2_per_capita_t",
    "co2_per_10k_yuan_t",
)
# the readable summary of `carbonpeak inventory --format table` (summary_rows); json/csv keep TOTAL_COLUMNS
# (key, header): CO2 in 万t, energy in 万tce (coal-equivalent method), shares in % of total energy
SUMMARY_COLUMNS = (
    ("year", "year"),
    ("total_10kt", "total"),
    ("energy_10kt", "energy"),
    ("process_10kt", "process"),
    ("indirect_10kt", "indirect"),
    ("energy_10ktce", "万tce"),
    ("coal_pct", "coal%"),
    ("oil_pct", "oil%"),
    ("gas_pct", "gas%"),
    ("non_fossil_pct", "nonfos%"),
)


def read_balance_file(path: Path) -> list[dict[str, str]]:
    """Rows of a balance CSV file; a BalanceError if it cannot be read."""
    try:
        return parse_csv(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise BalanceError(
            f"cannot read {path}: {exc}",
            [problem(str(path), "balance.file", exc=exc)],
        ) from exc


def compute_inventory(
    rows: Iterable[Mapping[str, str]],
    factor_set: str = "guideline",
    *,
    population: Mapping[tuple[str, int], float] | None = None,
    gdp_10k_yuan: Mapping[tuple[str, int], float] | None = None,
    grid_fallback: str = "nearest",
    grid: str = "national",
    import_convention: str = "origin",
    import_share: float | None = None,
    location: str = "balance.csv",
) -> dict[str, Any]:
    """The inventory of a balance as JSON-ready rows: `cells`, `totals`, `notes`.

    grid: "national" (the national average factor) or "regional" (provincial, else regional grid,
    else national, by data/grid_regions.csv). import_convention: "origin" counts the non-fossil part
    of net imported electricity in share_non_fossil (China's statistics), "separate" does not.
    import_share: the non-fossil fraction of imported electricity (default: the tabulated grid share).
    location: the file's name in the balance's problems (`<location>:<line>:<column>`).
    """
    balance = read_balance(rows, location=location)
    _check_choice("grid", grid, ("national", "regional"))
    _check_choice("import_convention", import_convention, ("origin", "separate"))
    inv = inventory(
        balance,
        factor_set,
        grid_fallback="nearest" if grid_fallback == "nearest" else "strict",
        grid_region="auto" if grid == "regional" else "CN",
    )
    _, u1 = approach1(inv)
    tce_cv = total_energy(balance, "calorific")
    tce_ce = total_energy(balance, "coal_equivalent")
    share_notes: list[str] = []
    share: Any = import_share
    if import_convention == "origin":
        try:
            share, share_notes = import_non_fossil_share(balance, import_share)
        except ValueError as exc:
            raise BalanceError(
                str(exc),
                [problem("import_share", "energy.import_share", error=exc)],
            ) from exc
    mix = energy_mix(
        balance,
        "coal_equivalent",
        convention="origin" if import_convention == "origin" else "separate",
        import_share=share,
    )
    _, rate_notes = tce_coefficients(balance, "coal_equivalent")
    shape = inv.total.shape
    pop = np.full(shape, np.nan)
    gdp = np.full(shape, np.nan)
    for i, region in enumerate(balance.regions):
        for j, year in enumerate(balance.years):
            if population and (region, year) in population:
                pop[i, j] = population[(region, year)]
            if gdp_10k_yuan and (region, year) in gdp_10k_yuan:
                gdp[i, j] = gdp_10k_yuan[(region, year)]
    per_capita = intensity(inv.total, np.nan_to_num(pop))
    per_gdp = intensity(inv.total, np.nan_to_num(gdp))
    cells: list[dict[str, Any]] = []
    for arr, scope in ((inv.co2_energy, "energy"), (inv.co2_process, "process")):
        names = balance.fuels if scope == "energy" else balance.products
        for ri, yi, si, fi in zip(*np.nonzero(arr), strict=True):
            cells.append(
                {
                    "region": balance.regions[ri],
                    "year": balance.years[yi],
                    "sector": balance.sectors[si],
                    "fuel": names[fi],
                    "scope": scope,
                    "co2_t": float(arr[ri, yi, si, fi]),
                }
            )
    totals: list[dict[str, Any]] = []
    for i, region in enumerate(balance.regions):
        for j, year in enumerate(balance.years):
            if inv.indirect_electricity[i, j] != 0:
                cells.append(
                    {
                        "region": region,
                        "year": year,
                        "sector": "IMPORT-EXPORT",
                        "fuel": "electricity",
                        "scope": "indirect",
                        "co2_t": float(inv.indirect_electricity[i, j]),
                    }
                )
            totals.append(
                {
                    "region": region,
                    "year": year,
                    "energy_t": float(inv.energy_total[i, j]),
                    "process_t": float(inv.process_total[i, j]),
                    "direct_t": float(inv.direct_total[i, j]),
                    "indirect_electricity_t": float(inv.indirect_electricity[i, j]),
                    "total_t": float(inv.total[i, j]),
                    "u95_direct": float(u1[i, j]),
                    "energy_tce_calorific": float(tce_cv[i, j]),
                    "energy_tce_coal_equivalent": float(tce_ce[i, j]),
                    **{f"share_{k}": _num(v[i, j]) for k, v in mix.items()},
                    "co2_per_capita_t": _num(per_capita[i, j]),
                    "co2_per_10k_yuan_t": _num(per_gdp[i, j]),
                }
            )
    return {
        "factor_set": factor_set,
        "regions": list(balance.regions),
        "years": list(balance.years),
        "cells": cells,
        "totals": totals,
        "grid": grid,
        "import_convention": import_convention,
        "notes": list(dict.fromkeys([*inv.notes, *rate_notes, *share_notes])),
    }


def _check_choice(name: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise BalanceError(
            f"unknown {name} {value!r}",
            [
                problem(
                    name,
                    f"inventory.{name}",
                    value,
                    text_key="problem.inventory.choice",
                    name=name,
                    shown=value,
                    allowed_list=" or ".join(allowed),
                )
            ],
        )


def summary_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A readable summary of `totals` (SUMMARY_COLUMNS, plus region when there are several):
    CO2 in 万t, energy in 万tce (coal-equivalent method), shares in %; values as display strings."""
    several = len(result.get("regions", [])) > 1
    out: list[dict[str, Any]] = []
    for t in result["totals"]:
        row: dict[str, Any] = {"region": t["region"]} if several else {}
        row["year"] = t["year"]
        for key, col, unit in (
            ("total_t", "total_10kt", "tCO2"),
            ("energy_t", "energy_10kt", "tCO2"),
            ("process_t", "process_10kt", "tCO2"),
            ("indirect_electricity_t", "indirect_10kt", "tCO2"),
            ("energy_tce_coal_equivalent", "energy_10ktce", "tce"),
        ):
            row[col] = f"{units.convert(t[key], unit, '万' + unit):.1f}"
        for kind in ("coal", "oil", "gas", "non_fossil"):
            v = t[f"share_{kind}"]
            row[f"{kind}_pct"] = "" if v is None else f"{100 * v:.1f}"
        out.append(row)
    return out


def _num(v: float) -> float | None:
    return None if np.isnan(v) else float(v)


def inventory_from_file(path: Path, factor_set: str = "guideline", **options: Any) -> dict[str, Any]:
    """`compute_inventory` of a CSV file (keyword options passed on: grid, import_convention,
    import_share); problems are located in that file (`<name>:<line>:<column>`)."""
    return compute_inventory(read_balance_file(path), factor_set, location=path.name, **options)


def cell_lineage(
    rows: Iterable[Mapping[str, str]],
    factor_set: str,
    region: str,
    year: int,
    sector: str,
    fuel: str,
) -> dict[str, Any]:
    """Input rows and factor rows behind one cell of the inventory (JSON-ready)."""
    inv = inventory(read_balance(rows), factor_set, grid_fallback="nearest")
    try:
        found = lineage(inv, region, year, sector, fuel)
    except ValueError as exc:  # a region, year or sector not on the balance's axes
        raise BalanceError(
            f"no such cell: {region} {year} {sector} {fuel}",
            [problem("cell", "lineage.cell", exc=exc)],
        ) from exc
    return {
        "cell": found.cell,
        "co2_t": found.value_t,
        "input_rows": found.input_rows,
        "factor_rows": found.factor_rows,
    }


def factor_library() -> dict[str, list[dict[str, object]]]:
    """The whole factor library with sources (for export and the API)."""
    return factors.export_factors()


__all__ = [
    "CELL_COLUMNS",
    "SUMMARY_COLUMNS",
    "TOTAL_COLUMNS",
    "cell_lineage",
    "compute_inventory",
    "factor_library",
    "inventory_from_file",
    "summary_rows",
]
