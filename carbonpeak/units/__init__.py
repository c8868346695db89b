"""Units of measure: one table (units.csv), one conversion function.

Every quantity in carbonpeak carries an explicit unit string. `convert(value, "万千瓦", "MW")`
goes through the table; two units convert only if they share a dimension. Chinese names and
common aliases (万吨标准煤, 万千瓦, 亿千瓦时, 度 …) resolve to the same canonical unit.
Values may be floats or NumPy arrays: the conversion is a single multiplication.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from carbonpeak.errors import InputError
from carbonpeak.validation import problem

UNITS_FILE = Path(__file__).with_name("units.csv")

V = TypeVar("V", float, npt.NDArray[np.float64])


@dataclass(frozen=True)
class Unit:
    """A unit of the table: `to_base` multiplies a value in this unit into the dimension's base unit."""

    name: str
    dimension: str
    to_base: float
    base: str
    description: str
    source: str


@cache
def unit_table() -> dict[str, Unit]:
    """Canonical name and every alias → Unit."""
    table: dict[str, Unit] = {}
    with UNITS_FILE.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            unit = Unit(
                name=row["unit"],
                dimension=row["dimension"],
                to_base=float(row["to_base"]),
                base=row["base"],
                description=row["description"],
                source=row["source"],
            )
            for key in [row["unit"], *[a for a in row["aliases"].split("|") if a]]:
                table[_key(key)] = unit
    return table


def _key(name: str) -> str:
    return name.strip().replace("³", "3").replace("²", "2").replace(" ", "")


def lookup(name: str) -> Unit:
    """The Unit called `name` (canonical or alias); InputError naming the unit if unknown."""
    try:
        return unit_table()[_key(name)]
    except KeyError:
        raise InputError(
            f"unknown unit {name!r}",
            [problem("unit", "unit.known", name, unit=name)],
        ) from None


def canonical(name: str) -> str:
    """The canonical spelling of a unit (`万千瓦` → `万kW`)."""
    return lookup(name).name


def factor(from_unit: str, to_unit: str) -> float:
    """The number to multiply a value in `from_unit` by to express it in `to_unit`."""
    a, b = lookup(from_unit), lookup(to_unit)
    if a.dimension != b.dimension:
        raise InputError(
            f"cannot convert {from_unit} to {to_unit}",
            [
                problem(
                    "unit",
                    "unit.convertible",
                    from_unit,
                    from_unit=from_unit,
                    from_dimension=a.dimension,
                    to_unit=to_unit,
                    to_dimension=b.dimension,
                )
            ],
        )
    return a.to_base / b.to_base


def convert(value: V, from_unit: str, to_unit: str) -> V:
    """`value` in `from_unit` expressed in `to_unit` (works on floats and arrays)."""
    return value * factor(from_unit, to_unit)


def convertible(from_unit: str, to_unit: str) -> bool:
    try:
        return lookup(from_unit).dimension == lookup(to_unit).dimension
    except InputError:
        return False


_EN_WORDS = {"个": "items", "人": "persons", "元": "yuan", "亩": "mu"}
_EN_PREFIX = {"万": "10⁴ ", "亿": "10⁸ "}


def english_name(unit: str) -> str:
    """A unit as an English reader reads it: 万 and 亿 as 10⁴ and 10⁸, Chinese unit words in English
    (万kW → 10⁴ kW, tce/万元 → tce/10⁴ yuan, 万个 → 10⁴ items), CO₂, m², m³."""

    def part(p: str) -> str:
        if p[:1] in _EN_PREFIX:
            return _EN_PREFIX[p[0]] + _EN_WORDS.get(p[1:], p[1:])
        return _EN_WORDS.get(p, p)

    text = "/".join(part(p) for p in unit.split("/"))
    return text.replace("CO2", "CO₂").replace("m3", "m³").replace("m2", "m²")


def table_quantity(value: object, unit: str | None, lang: str = "zh") -> tuple[object, str]:
    """A table's number and its unit column in `lang`. Emissions (any unit of dimension co2) by the
    display rule of the pages (docs/methods/pages.md): 万吨二氧化碳 in Chinese with the number in 万t,
    Mt CO₂ in English with the number in Mt — one unit, never a scaled number under a scaled unit;
    any other unit and a non-number as they are. Used by the reports and the CLI tables."""
    try:
        u = lookup(unit) if unit else None
    except InputError:
        u = None
    if u is None or u.dimension != "co2":
        return value, unit or ""
    scale, label = (1e4, "万吨二氧化碳") if lang == "zh" else (1e6, "Mt CO₂")
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value * u.to_base / scale, label
    return value, label


__all__ = [
    "Unit",
    "canonical",
    "convert",
    "convertible",
    "english_name",
    "factor",
    "lookup",
    "table_quantity",
    "unit_table",
]
