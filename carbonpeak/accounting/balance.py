"""Reading and validating an energy balance (format: docs/methods/inventory.md, "Energy-balance input").

`read_balance(rows)` takes the CSV's rows (dicts, as csv.DictReader gives them) and returns a
`Balance`: dense arrays on labelled axes, quantities converted to the unit of each fuel in
fuels.csv (process products to t). Every bad row is reported at once as a BalanceError with one
Problem per fault (location `balance.csv:<line>:<column>`); nothing is dropped or zeroed silently.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.errors import BalanceError, InputError, Problem
from carbonpeak.validation import finite_number, problem

REQUIRED = ("region", "year", "sector", "fuel", "quantity", "unit")
FLAGS = ("published", "estimated", "sample")
# Activity-data uncertainty (half-width of the 95% interval, fraction) by flag: platform assumptions
# within the ranges of IPCC 2006 GL Vol.2 ch.2 section 2.4.2 (Table 2.15); see docs/methods/inventory.md.
ACTIVITY_UNCERTAINTY = {"published": 0.05, "estimated": 0.10, "sample": 0.20}
MAX_QUANTITY = 1e12  # in the fuel's unit (万t, 亿m3 …): far beyond any real balance, below float overflow
SIGNED_ROLES = ("transformation", "transformation_combustion")  # negative = output of the process
Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Balance:
    """An energy balance on axes (region, year, sector, fuel) plus process activity (…, product).

    `energy[r, y, s, f]` is in the unit of fuel f in fuels.csv; `process[r, y, s, p]` in t.
    `energy_u`/`process_u` hold the absolute 95% half-width of each cell (same units).
    `cells` maps (region, year, sector, fuel-or-product) to the indices of `rows` summed into it.
    """

    regions: tuple[str, ...]
    years: tuple[int, ...]
    sectors: tuple[str, ...]
    fuels: tuple[str, ...]
    products: tuple[str, ...]
    energy: Array
    energy_u: Array
    process: Array
    process_u: Array
    rows: tuple[Mapping[str, str], ...]
    lines: tuple[int, ...]
    cells: dict[tuple[str, int, str, str], list[int]] = field(default_factory=dict)
    location: str = "balance.csv"  # the file's name in problems: `<location>:<line>:<column>`

    def index(self, region: str, year: int, sector: str) -> tuple[int, int, int]:
        return self.regions.index(region), self.years.index(year), self.sectors.index(sector)


def parse_csv(text: str) -> list[dict[str, str]]:
    """Rows of a balance CSV given as text (BOM tolerated)."""
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


# rule → the column the checks of one row point at; the texts are the catalogue's `problem.<rule>`
# (inventory.yaml), formatted with the row's cells (`target`: the unit its fuel is counted in)
RULES: dict[str, str] = {
    "balance.region": "region",
    "balance.year": "year",
    "balance.sector.known": "sector",
    "balance.fuel.known": "fuel",
    "balance.quantity.number": "quantity",
    "balance.unit.convertible": "unit",
    "balance.quantity.range": "quantity",
    "balance.quantity.non_negative": "quantity",
    "balance.process.sector": "sector",
    "balance.flag": "flag",
}


@dataclass(frozen=True)
class _Codes:
    """The code lists a row is checked against: fuels, sectors (accounting/data) and process products."""

    fuels: Mapping[str, factors.Fuel]
    sectors: Mapping[str, factors.Sector]
    products: tuple[str, ...]


@dataclass
class _Faults:
    """The problems of one row, located `<location>:<line>:<column>`, texts from the catalogue."""

    location: str
    line: int
    problems: list[Problem]
    text: Mapping[str, str | None]
    count: int = 0

    def __call__(self, rule: str, value: str | None = None) -> None:
        where = f"{self.location}:{self.line}:{RULES[rule]}"
        cells: dict[str, Any] = dict(self.text)
        self.problems.append(problem(where, rule, value, **cells))
        self.count += 1


# a checked row: region, year, sector, fuel or product, quantity (fuel's unit or t), relative
# uncertainty, whether it is a process product
Row = tuple[str, int, str, str, float, float, bool]


def read_balance(
    rows: Iterable[Mapping[str, str]], *, first_line: int = 2, location: str = "balance.csv"
) -> Balance:
    """Validate rows and build the Balance; BalanceError listing every problem otherwise, located
    `<location>:<line>:<column>` (location: the file's name)."""
    table = [dict(r) for r in rows]
    _check_columns(table, location)
    fuels = factors.fuels()
    codes = _Codes(fuels, factors.sectors(), tuple(sorted(factors.process_products())))
    problems: list[Problem] = []
    parsed: list[tuple[int, Row]] = []
    for k, row in enumerate(table):
        text: dict[str, str | None] = {c: (row.get(c) or "").strip() for c in (*REQUIRED, "flag")}
        text["flag"] = text["flag"] or "published"
        checked = _checked_row(text, codes, _Faults(location, first_line + k, problems, text))
        if checked is not None:
            parsed.append((k, checked))
    if problems:
        raise BalanceError(
            f"the energy balance has {len(problems)} problem(s)",
            problems,
            message_zh=f"能源平衡表有 {len(problems)} 处问题",
        )
    if not parsed:
        raise BalanceError(
            "the energy balance has no rows",
            [problem(location, "balance.empty")],
        )
    return _assembled(parsed, table, codes, first_line, location)


def _check_columns(rows: list[dict[str, str]], location: str) -> None:
    """BalanceError naming each required column the rows lack."""
    missing = [c for c in REQUIRED if rows and c not in rows[0]]
    if missing:
        raise BalanceError(
            "the energy balance lacks required columns",
            [problem(f"{location}:1:{c}", "balance.column", c=c) for c in missing],
            message_zh="能源平衡表缺少必需列",
        )


def _year(text: str) -> int | None:
    y = finite_number(text)
    return int(y) if y is not None and y == int(y) and 1900 <= y <= 2100 else None


def _checked_row(text: dict[str, str | None], codes: _Codes, fault: _Faults) -> Row | None:
    """One row checked against every rule (each fault reported), or None when any fails."""
    region, sector, fuel, unit, flag = (str(text[c]) for c in ("region", "sector", "fuel", "unit", "flag"))
    if not region:
        fault("balance.region")
    year = _year(str(text["year"]))
    if year is None:
        fault("balance.year", text["year"])
    if sector not in codes.sectors:
        fault("balance.sector.known", sector)
    is_product = fuel in codes.products
    if fuel not in codes.fuels and not is_product:
        fault("balance.fuel.known", fuel)
    quantity = finite_number(str(text["quantity"]))
    if quantity is None:
        fault("balance.quantity.number", text["quantity"])
    q = quantity or 0.0
    conv = 1.0
    text["target"] = "t" if is_product else (codes.fuels[fuel].unit if fuel in codes.fuels else None)
    if text["target"] is not None:
        try:
            conv = units.factor(unit, text["target"])
        except InputError:
            fault("balance.unit.convertible", unit)
    if abs(q * conv) > MAX_QUANTITY:
        fault("balance.quantity.range", text["quantity"])
    if sector in codes.sectors and q < 0:
        role = codes.sectors[sector].role
        if not (role in SIGNED_ROLES or sector == "STOCK_CHANGE") or is_product:
            fault("balance.quantity.non_negative", text["quantity"])
    if is_product and sector in codes.sectors and codes.sectors[sector].role != "final":
        fault("balance.process.sector", sector)
    if flag not in FLAGS:
        fault("balance.flag", flag)
    if fault.count or year is None:
        return None
    return region, year, sector, fuel, q * conv, ACTIVITY_UNCERTAINTY[flag], is_product


def _assembled(
    parsed: list[tuple[int, Row]], rows: list[dict[str, str]], codes: _Codes, first_line: int, location: str
) -> Balance:
    """The checked rows summed into the Balance's dense arrays (variances added in quadrature)."""
    products = list(codes.products)
    sector_list, fuel_list = codes.sectors, codes.fuels
    regions = tuple(sorted({p[0] for _, p in parsed}))
    years = tuple(sorted({p[1] for _, p in parsed}))
    sector_codes, fuel_codes = tuple(sector_list), tuple(fuel_list)
    shape_e = (len(regions), len(years), len(sector_codes), len(fuel_codes))
    shape_p = (len(regions), len(years), len(sector_codes), len(products))
    energy, energy_var = np.zeros(shape_e), np.zeros(shape_e)
    process, process_var = np.zeros(shape_p), np.zeros(shape_p)
    cells: dict[tuple[str, int, str, str], list[int]] = {}
    r_ix = {r: i for i, r in enumerate(regions)}
    y_ix = {y: i for i, y in enumerate(years)}
    s_ix = {s: i for i, s in enumerate(sector_codes)}
    f_ix = {f: i for i, f in enumerate(fuel_codes)}
    p_ix = {p: i for i, p in enumerate(products)}
    for k, (region, year, sector, fuel, q, u, is_product) in parsed:
        if is_product:
            at = (r_ix[region], y_ix[year], s_ix[sector], p_ix[fuel])
            process[at] += q
            process_var[at] += (q * u) ** 2
        else:
            at = (r_ix[region], y_ix[year], s_ix[sector], f_ix[fuel])
            energy[at] += q
            energy_var[at] += (q * u) ** 2
        cells.setdefault((region, year, sector, fuel), []).append(k)
    return Balance(
        regions,
        years,
        sector_codes,
        fuel_codes,
        tuple(products),
        energy,
        np.sqrt(energy_var),
        process,
        np.sqrt(process_var),
        tuple(rows),
        tuple(first_line + k for k in range(len(rows))),
        cells,
        location,
    )


__all__ = ["ACTIVITY_UNCERTAINTY", "FLAGS", "REQUIRED", "RULES", "Balance", "parse_csv", "read_balance"]
