"""Reading and validating an energy balance (format: docs/methods/inventory.md, "Energy-balance input").

`read_balance(rows)` takes the CSV's rows (dicts, as csv.DictReader gives them) and returns a
`Balance`: dense arrays on labelled axes, quantities converted to the unit of each fuel in
fuels.csv (process products to t). Every bad row is reported at once as a BalanceError with one
Problem per fault (location `balance.csv:<line>:<column>`); nothing is dropped or zeroed silently.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.errors import BalanceError, InputError, Problem

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

    def index(self, region: str, year: int, sector: str) -> tuple[int, int, int]:
        return self.regions.index(region), self.years.index(year), self.sectors.index(sector)


def parse_csv(text: str) -> list[dict[str, str]]:
    """Rows of a balance CSV given as text (BOM tolerated)."""
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def _p(line: int, column: str, rule: str, zh: str, en: str, value: object = None) -> Problem:
    return Problem(f"balance.csv:{line}:{column}", rule, zh, en, value=None if value is None else str(value))


def read_balance(rows: Iterable[Mapping[str, str]], *, first_line: int = 2) -> Balance:
    """Validate rows and build the Balance; BalanceError listing every problem otherwise."""
    rows = [dict(r) for r in rows]
    problems: list[Problem] = []
    if rows:
        missing = [c for c in REQUIRED if c not in rows[0]]
        for c in missing:
            problems.append(
                _p(1, c, "balance.column", f"缺少必需列“{c}”", f"required column {c!r} is missing")
            )
        if missing:
            raise BalanceError(
                "the energy balance lacks required columns", problems, message_zh="能源平衡表缺少必需列"
            )
    fuel_list, sector_list = factors.fuels(), factors.sectors()
    products = sorted(factors.process_products())
    parsed: list[tuple[int, str, int, str, str, float, float, bool]] = []
    for k, row in enumerate(rows):
        line = first_line + k
        ok = True
        region = (row.get("region") or "").strip()
        if not region:
            problems.append(_p(line, "region", "balance.region", "地区为空", "region is empty"))
            ok = False
        year_text = (row.get("year") or "").strip()
        try:
            year = int(float(year_text))
            if year != float(year_text) or not 1900 <= year <= 2100:
                raise ValueError
        except ValueError:
            problems.append(
                _p(
                    line,
                    "year",
                    "balance.year",
                    f"年份“{year_text}”无效",
                    f"year {year_text!r} is not a year",
                    year_text,
                )
            )
            ok, year = False, 0
        sector = (row.get("sector") or "").strip()
        if sector not in sector_list:
            problems.append(
                _p(
                    line,
                    "sector",
                    "balance.sector.known",
                    f"未知部门代码“{sector}”(见 sectors.csv)",
                    f"unknown sector code {sector!r} (see sectors.csv)",
                    sector,
                )
            )
            ok = False
        fuel = (row.get("fuel") or "").strip()
        is_product = fuel in products
        if fuel not in fuel_list and not is_product:
            problems.append(
                _p(
                    line,
                    "fuel",
                    "balance.fuel.known",
                    f"未知能源品种或产品代码“{fuel}”(见 fuels.csv、process_factors.csv)",
                    f"unknown fuel or product code {fuel!r} (see fuels.csv, process_factors.csv)",
                    fuel,
                )
            )
            ok = False
        q_text = (row.get("quantity") or "").strip()
        try:
            quantity = float(q_text)
            if not math.isfinite(quantity):
                raise ValueError
        except ValueError:
            problems.append(
                _p(
                    line,
                    "quantity",
                    "balance.quantity.number",
                    f"数量“{q_text}”不是数字",
                    f"quantity {q_text!r} is not a number",
                    q_text,
                )
            )
            ok, quantity = False, 0.0
        unit = (row.get("unit") or "").strip()
        conv = 1.0
        if ok or fuel in fuel_list or is_product:
            target = "t" if is_product else (fuel_list[fuel].unit if fuel in fuel_list else None)
            if target is not None:
                try:
                    conv = units.factor(unit, target)
                except InputError:
                    problems.append(
                        _p(
                            line,
                            "unit",
                            "balance.unit.convertible",
                            f"计量单位“{unit}”不能换算为“{target}”",
                            f"unit {unit!r} cannot convert to {target!r} (the unit of {fuel})",
                            unit,
                        )
                    )
                    ok = False
        if abs(quantity * conv) > MAX_QUANTITY:
            problems.append(
                _p(
                    line,
                    "quantity",
                    "balance.quantity.range",
                    f"数量“{q_text}”{unit}超出合理范围",
                    f"quantity {q_text} {unit} is beyond any city's balance (> 1e12 in the fuel's unit)",
                    q_text,
                )
            )
            ok = False
        if sector in sector_list and quantity < 0:
            role = sector_list[sector].role
            if not (role in SIGNED_ROLES or sector == "STOCK_CHANGE") or is_product:
                problems.append(
                    _p(
                        line,
                        "quantity",
                        "balance.quantity.non_negative",
                        f"部门“{sector}”的数量不能为负",
                        f"quantity cannot be negative for sector {sector!r}",
                        q_text,
                    )
                )
                ok = False
        if is_product and sector in sector_list and sector_list[sector].role != "final":
            problems.append(
                _p(
                    line,
                    "sector",
                    "balance.process.sector",
                    "工业过程产品须记在 S01–S47 部门",
                    "process products belong to a sector S01–S47",
                    sector,
                )
            )
            ok = False
        flag = (row.get("flag") or "published").strip() or "published"
        if flag not in FLAGS:
            problems.append(
                _p(
                    line,
                    "flag",
                    "balance.flag",
                    f"标记“{flag}”应为 published/estimated/sample",
                    f"flag {flag!r} must be published, estimated or sample",
                    flag,
                )
            )
            ok = False
        if ok:
            parsed.append(
                (k, region, year, sector, fuel, quantity * conv, ACTIVITY_UNCERTAINTY[flag], is_product)
            )
    if problems:
        raise BalanceError(
            f"the energy balance has {len(problems)} problem(s)",
            problems,
            message_zh=f"能源平衡表有 {len(problems)} 处问题",
        )
    if not parsed:
        raise BalanceError(
            "the energy balance has no rows",
            [
                Problem(
                    "balance.csv", "balance.empty", "能源平衡表没有数据行", "the energy balance has no rows"
                )
            ],
        )
    regions = tuple(sorted({p[1] for p in parsed}))
    years = tuple(sorted({p[2] for p in parsed}))
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
    for k, region, year, sector, fuel, q, u, is_product in parsed:
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
    )


__all__ = ["ACTIVITY_UNCERTAINTY", "FLAGS", "REQUIRED", "Balance", "parse_csv", "read_balance"]
