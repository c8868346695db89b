"""Reading the decomposition input table (the edge of the decomposition package).

A long CSV, one value per row:

    variable, year, sector, fuel, value, unit[, source, flag]

    variable      sector  fuel   meaning                                   unit (dimension)
    population    —       —      resident population                       人 / 万人
    gdp           —       —      GDP at comparable prices                  元 / 万元 / 亿元
    value_added   sector  —      value added at comparable prices          元 / 万元 / 亿元
    energy        sector  fuel   final energy use                          tce / 万tce (energy_tce)
    emissions     sector  fuel   CO2 from that use                         tCO2 / 万tCO2 / t

This is what the inventory produces from the energy balance (energy in tce and CO2 by sector ×
fuel) joined with GDP and population; a missing (sector, fuel) cell is zero. Units are converted
to 万人, 亿元, 万tce and 万tCO2. Every fault is reported at once (InputError).

    read_kaya_table(path) / parse_kaya_table(text) → KayaSeries
    SAMPLE_FILE: the packaged sample (flag `sample`)
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from carbonpeak.decomposition.lmdi import KayaSeries
from carbonpeak.errors import InputError
from carbonpeak.units import convert, lookup
from carbonpeak.validation import csv_rows, problem, read_text

SAMPLE_FILE = Path(__file__).with_name("data") / "sample-kaya.csv"
COLUMNS = ("variable", "year", "sector", "fuel", "value", "unit")
OPTIONAL = ("source", "flag")
# variable → (needs sector, needs fuel, unit the values are converted to)
VARIABLES = {
    "population": (False, False, "万人"),
    "gdp": (False, False, "亿元"),
    "value_added": (True, False, "亿元"),
    "energy": (True, True, "万tce"),
    "emissions": (True, True, "万tCO2"),
}
UNITS = {"population": "万人", "gdp": "亿元", "energy": "万tce", "emissions": "万tCO2"}


def read_kaya_table(path: Path | str) -> KayaSeries:
    path = Path(path)
    return parse_kaya_table(read_text(path, "kaya", rule="file.read"), name=path.name)


def parse_kaya_table(text: str, *, name: str = "kaya.csv") -> KayaSeries:
    header, rows = csv_rows(text)
    problems = [problem(f"{name}:1:{c}", "kaya.column_missing", c=c) for c in COLUMNS if c not in header]
    if problems:
        raise InputError(f"{name} does not follow the decomposition table", problems)
    cells: dict[tuple[str, int, str, str], float] = {}
    for line, row in rows:
        where = f"{name}:{line}"
        var = row["variable"]
        if var not in VARIABLES:
            problems.append(
                problem(
                    f"{where}:variable", "kaya.variable", var, var=var, variables_list=", ".join(VARIABLES)
                )
            )
            continue
        needs_sector, needs_fuel, unit_to = VARIABLES[var]
        bad = len(problems)
        if needs_sector != bool(row["sector"]):
            problems.append(
                problem(
                    f"{where}:sector", "kaya.sector", var=var, needs="needs" if needs_sector else "takes no"
                )
            )
        if needs_fuel != bool(row["fuel"]):
            problems.append(
                problem(f"{where}:fuel", "kaya.fuel", var=var, needs="needs" if needs_fuel else "takes no")
            )
        year = int(row["year"]) if row["year"].isdigit() else None
        if year is None:
            problems.append(problem(f"{where}:year", "kaya.year", row["year"]))
        try:
            value = float(row["value"].replace(",", ""))
            if not math.isfinite(value) or value < 0:
                raise ValueError
        except ValueError:
            problems.append(problem(f"{where}:value", "kaya.value", row["value"]))
            continue
        try:
            if lookup(row["unit"]).dimension != lookup(unit_to).dimension:
                raise InputError("dimension")
            value = convert(value, row["unit"], unit_to)
        except InputError:
            problems.append(
                problem(f"{where}:unit", "kaya.unit", row["unit"], unit=row["unit"], var=var, unit_to=unit_to)
            )
        if len(problems) > bad or year is None:
            continue
        key = (var, year, row["sector"], row["fuel"])
        if key in cells:
            problems.append(
                problem(
                    f"{where}", "kaya.duplicate", var=var, year=year, sector=row["sector"], fuel=row["fuel"]
                )
            )
            continue
        cells[key] = value
    if problems:
        raise InputError(f"{name} has {len(problems)} problem(s)", problems, message_zh=f"{name} 存在错误")
    return _series(cells, name)


def _series(cells: dict[tuple[str, int, str, str], float], name: str) -> KayaSeries:
    years = sorted({y for _, y, _, _ in cells})
    sectors = sorted({s for v, _, s, _ in cells if v in ("value_added", "energy", "emissions")})
    fuels = sorted({f for v, _, _, f in cells if v in ("energy", "emissions")})
    problems = []
    for var in ("population", "gdp"):
        for y in years:
            if (var, y, "", "") not in cells:
                problems.append(problem(f"{name}", "kaya.missing", str(y), year=y, var=var))
    for y in years:
        for s in sectors:
            if ("value_added", y, s, "") not in cells:
                problems.append(
                    problem(
                        f"{name}",
                        "kaya.missing",
                        s,
                        text_key="problem.kaya.missing.value_added",
                        year=y,
                        sector=s,
                    )
                )
    if problems:
        raise InputError(f"{name} is incomplete", problems, message_zh=f"{name} 数据不完整")
    t, i, j = len(years), len(sectors), len(fuels)
    yi = {y: k for k, y in enumerate(years)}
    si = {s: k for k, s in enumerate(sectors)}
    fi = {f: k for k, f in enumerate(fuels)}
    energy, emissions = np.zeros((t, i, j)), np.zeros((t, i, j))
    sector_gdp = np.zeros((t, i))
    for (var, y, s, f), value in cells.items():
        if var == "energy":
            energy[yi[y], si[s], fi[f]] = value
        elif var == "emissions":
            emissions[yi[y], si[s], fi[f]] = value
        elif var == "value_added":
            sector_gdp[yi[y], si[s]] = value
    return KayaSeries(
        years=tuple(years),
        sectors=tuple(sectors),
        fuels=tuple(fuels),
        population=np.asarray([cells[("population", y, "", "")] for y in years]),
        gdp=np.asarray([cells[("gdp", y, "", "")] for y in years]),
        sector_gdp=sector_gdp,
        energy=energy,
        emissions=emissions,
    )


__all__ = ["SAMPLE_FILE", "UNITS", "VARIABLES", "parse_kaya_table", "read_kaya_table"]
