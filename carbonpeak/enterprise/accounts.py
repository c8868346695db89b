"""Enterprise carbon accounts: CO2 of reported energy, processes and electricity, with the city's
factor library (accounting/factors.py) — pure, vectorised over enterprises × periods × items.

    ITEMS / item(code)             what an enterprise report may hold: fuels (fuels.csv codes), electricity,
                                   heat, green and own zero-carbon electricity, process products
                                   (process_factors.csv), value added, gross output, ETS and 两高 figures
    factor_vector(items, year, scheme)   Factors: tCO2 per canonical unit of each item, its scope and source
    co2(quantities, factors)       (direct, indirect) t CO2 per enterprise and period

Units: every item has one canonical unit (t, 万m3, MWh, GJ, tce, 万元, tCO2); the parser converts
reported units to it. Direct = combustion (NCV × carbon content × oxidation × 44/12 of the
`guideline` set) + processes (the `guideline` process factor); indirect = (electricity − green
electricity, when the scheme deducts it, never below zero) × the grid factor of the scheme's kind for
the year (the nearest published year when the year has none, said in `Factors.notes`) + heat × the
scheme's heat factor. Own zero-carbon generation used on site is not purchased electricity: it adds
nothing and is shown for information. docs/methods/enterprise.md#accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from carbonpeak import units
from carbonpeak.accounting import factors
from carbonpeak.enterprise.scheme import GradingScheme

FACTOR_SET = "guideline"
# the canonical unit of a fuel at enterprise scale, by the fuel's unit in fuels.csv
ENTERPRISE_UNIT = {"万t": "t", "亿m3": "万m3", "亿kWh": "MWh", "万GJ": "GJ", "万tce": "tce"}
GREEN, OWN = "green_electricity", "own_zero_carbon_electricity"
VALUE_ADDED, OUTPUT = "value_added", "gross_output"
ETS_ITEMS = ("ets_allocated", "ets_verified", "ets_surrendered")


@dataclass(frozen=True)
class Item:
    code: str
    name_zh: str
    name_en: str
    unit: str  # canonical unit
    role: str  # fuel | electricity | heat | green | own | process | value_added | output | ets | efficiency


@cache
def items() -> dict[str, Item]:
    """Every item code an enterprise report may use, with its canonical unit and role."""
    out: dict[str, Item] = {}
    for f in factors.fuels().values():
        if f.code in ("electricity", "heat"):
            out[f.code] = Item(f.code, f.name_zh, f.name_en, ENTERPRISE_UNIT[f.unit], f.code)
        elif f.code == "primary_electricity":
            continue
        elif factors.combustion_factor(FACTOR_SET, f.code, 2020) is not None:
            out[f.code] = Item(f.code, f.name_zh, f.name_en, ENTERPRISE_UNIT.get(f.unit, f.unit), "fuel")
    out[GREEN] = Item(GREEN, "外购绿电", "purchased green electricity", "MWh", "green")
    out[OWN] = Item(OWN, "自发自用零碳电力", "own zero-carbon generation used on site", "MWh", "own")
    for p in factors.process_factors():
        if p.factor_set == FACTOR_SET:
            code = f"process:{p.product}"
            out[code] = Item(code, f"{p.name_zh}产量", f"{p.name_en} produced", "t", "process")
    out[VALUE_ADDED] = Item(
        VALUE_ADDED, "工业增加值（收入法）", "value added (income method)", "万元", "value_added"
    )
    out[OUTPUT] = Item(OUTPUT, "工业总产值", "gross industrial output", "万元", "output")
    names = {
        "ets_allocated": ("配额分配量", "allowances allocated"),
        "ets_verified": ("核查排放量", "verified emissions"),
        "ets_surrendered": ("清缴配额量", "allowances surrendered"),
    }
    for code in ETS_ITEMS:
        out[code] = Item(code, *names[code], "tCO2", "ets")
    from carbonpeak.enterprise.efficiency import levels

    for lv in levels().values():
        code = f"sec:{lv.product}"
        out[code] = Item(
            code,
            f"{lv.name_zh}{lv.indicator_zh}",
            f"{lv.name_en}: specific energy use",
            lv.unit,
            "efficiency",
        )
    return out


def item(code: str) -> Item | None:
    return items().get(code)


ENERGY_ROLES = ("fuel", "electricity", "heat", "green", "own")


@dataclass(frozen=True)
class Factors:
    """For the items (in order): t CO2 per canonical unit, scope (direct | indirect | deduct | none),
    tce per canonical unit (calorific value; 0 when not energy), and the source of each factor."""

    items: tuple[str, ...]
    co2_per_unit: np.ndarray
    scope: tuple[str, ...]
    tce_per_unit: np.ndarray
    sources: tuple[str, ...]
    notes: tuple[str, ...]


def _grid(year: int, kind: str) -> tuple[float, str, str | None]:
    found = factors.grid_factor("CN", year, kind)
    note = None
    if found is None:
        rows = [g for g in factors.grid_factors() if g.region == "CN" and g.kind == kind]
        found = min(rows, key=lambda g: (abs(g.year - year), -g.year))
        note = f"grid factor of {found.year} used for {year} (nearest published year, kind {kind})"
    return found.ef, f"{found.source} (grid_factors.csv row {found.row})", note


def factor_vector(codes: tuple[str, ...], year: int, scheme: GradingScheme) -> Factors:
    """The factor of each item code for `year` (see the module docstring for the rules)."""
    ef = np.zeros(len(codes))
    tce = np.zeros(len(codes))
    scope: list[str] = []
    sources: list[str] = []
    notes: list[str] = []
    grid_ef, grid_src, note = _grid(year, scheme.electricity_factor_kind)
    if note:
        notes.append(note)
    coal = factors.standard_coal()
    for k, code in enumerate(codes):
        it = items()[code]
        if it.role in ("electricity", "heat", "fuel", "green", "own"):
            sc = coal.get("electricity" if it.role in ("green", "own") else code)
            if sc is not None:
                fuel_unit = "MWh" if it.role in ("green", "own") else it.unit
                tce[k] = sc.tce_per(_fuel_unit(sc.coefficient_unit, fuel_unit))
        if it.role == "fuel":
            f = factors.combustion_factor(FACTOR_SET, code, year)
            assert f is not None  # items() admits only fuels with a factor
            ef[k] = f.ncv_tj_per(it.unit) * f.ef_t_per_tj
            scope.append("direct")
            sources.append(f"{f.source} (combustion_factors.csv row {f.row})")
        elif it.role == "process":
            p = factors.process_factor(FACTOR_SET, code.split(":", 1)[1], year)
            ef[k] = p.ef if p is not None else 0.0
            scope.append("direct")
            sources.append(f"{p.source} (process_factors.csv row {p.row})" if p else "no factor")
        elif it.role == "electricity":
            ef[k] = grid_ef
            scope.append("indirect")
            sources.append(grid_src)
        elif it.role == "green":
            ef[k] = -grid_ef if scheme.deduct_green_electricity else 0.0
            scope.append("deduct" if scheme.deduct_green_electricity else "none")
            sources.append(f"deducted at the grid factor ({scheme.code}: deduct_green_electricity)")
        elif it.role == "heat":
            ef[k] = scheme.heat_factor
            scope.append("indirect")
            sources.append(scheme.heat_factor_source)
        else:
            scope.append("none")
            sources.append("")
    return Factors(codes, ef, tuple(scope), tce, tuple(sources), tuple(notes))


def _fuel_unit(coefficient_unit: str, unit: str) -> str:
    """`unit` itself (StandardCoal.tce_per converts through the units table)."""
    del coefficient_unit
    return unit


def co2(quantities: np.ndarray, f: Factors) -> tuple[np.ndarray, np.ndarray]:
    """(direct, indirect) t CO2 of `quantities` (…, items) in canonical units. Indirect is the
    electricity and heat CO2 less the green-electricity deduction, floored at zero (green electricity
    cannot make purchased electricity negative)."""
    q = np.asarray(quantities, dtype=np.float64)
    direct_mask = np.asarray([s == "direct" for s in f.scope])
    indirect_mask = np.asarray([s in ("indirect", "deduct") for s in f.scope])
    direct = (
        q[..., direct_mask] @ f.co2_per_unit[direct_mask] if direct_mask.any() else np.zeros(q.shape[:-1])
    )
    indirect = (
        q[..., indirect_mask] @ f.co2_per_unit[indirect_mask]
        if indirect_mask.any()
        else np.zeros(q.shape[:-1])
    )
    return direct, np.maximum(indirect, 0.0)


def energy_tce(quantities: np.ndarray, f: Factors) -> np.ndarray:
    """Energy used, tce (calorific value), of fuels, electricity and heat (not the green or own
    electricity lines, which are parts of or beside purchased electricity)."""
    mask = np.asarray([s in ("direct", "indirect") for s in f.scope]) & (f.tce_per_unit > 0)
    q = np.asarray(quantities, dtype=np.float64)
    return q[..., mask] @ f.tce_per_unit[mask] if mask.any() else np.zeros(q.shape[:-1])


def canonical_value(value: float, unit: str, code: str) -> float:
    """`value` in `unit` converted to the canonical unit of item `code` (KeyError/ValueError if not)."""
    target = items()[code].unit
    if unit == target:
        return value
    return float(units.convert(value, units.lookup(unit).name, units.lookup(target).name))


__all__ = [
    "ENERGY_ROLES",
    "ETS_ITEMS",
    "GREEN",
    "OUTPUT",
    "OWN",
    "VALUE_ADDED",
    "Factors",
    "Item",
    "canonical_value",
    "co2",
    "energy_tce",
    "factor_vector",
    "item",
    "items",
]
