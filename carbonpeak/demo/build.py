"""The demo data model: comparable socio-economic series and an estimated energy balance.

Pure functions over the packaged files; `build_balance_rows()` returns the rows of
data/energy-balance.csv exactly (a test checks the shipped file against it). Method and
assumptions: README.md beside this file and data/assumptions.yaml.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from carbonpeak import units
from carbonpeak.accounting import factors

DATA_DIR = Path(__file__).with_name("data")
METHOD = "demo_structural_model_v1"
SOURCE = "carbonpeak demo model: carbonpeak/demo/data/assumptions.yaml"
BALANCE_COLUMNS = ("region", "year", "sector", "fuel", "quantity", "unit", "flag", "method", "source")


@dataclass(frozen=True)
class Observation:
    indicator: str
    region: str
    year: int
    value: float
    unit: str
    flag: str  # published | estimated | sample
    method: str
    source: str


@cache
def assumptions(folder: Path = DATA_DIR) -> dict[str, Any]:
    """The demo model's assumptions (`assumptions.yaml` of the data set `folder`)."""
    return yaml.safe_load((folder / "assumptions.yaml").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


@cache
def published(folder: Path = DATA_DIR) -> tuple[dict[str, str], ...]:
    """The published figures the model starts from (`published.csv` of the data set `folder`)."""
    with (folder / "published.csv").open(encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def _series(
    indicator: str, region: str = "jinan", folder: Path = DATA_DIR
) -> dict[int, tuple[float, dict[str, str]]]:
    return {
        int(r["year"]): (float(r["value"]), r)
        for r in published(folder)
        if r["indicator"] == indicator and r["region"] == region
    }


def _interpolate_geometric(points: Mapping[int, float], year: int) -> float:
    """Value at `year` on the geometric path between the nearest given years (flat outside)."""
    if year in points:
        return points[year]
    years = sorted(points)
    if year < years[0]:
        return points[years[0]]
    if year > years[-1]:
        return points[years[-1]]
    lo = max(y for y in years if y < year)
    hi = min(y for y in years if y > year)
    w = (year - lo) / (hi - lo)
    return float(points[lo] * (points[hi] / points[lo]) ** w)


def _interpolate_linear(points: Mapping[int, float], year: int) -> float:
    years = sorted(points)
    if year <= years[0]:
        return points[years[0]]
    if year >= years[-1]:
        return points[years[-1]]
    lo = max(y for y in years if y <= year)
    hi = min(y for y in years if y >= year)
    if lo == hi:
        return points[lo]
    return points[lo] + (points[hi] - points[lo]) * (year - lo) / (hi - lo)


def _step(values: Mapping[int, float], year: int) -> float:
    """The value of the latest key ≤ year (a step function)."""
    keys = [k for k in sorted(values) if k <= year]
    return values[keys[-1]] if keys else values[min(values)]


def years(folder: Path = DATA_DIR) -> list[int]:
    first, last = assumptions(folder)["years"]
    return list(range(int(first), int(last) + 1))


def gdp_index(base_year: int = 2020, folder: Path = DATA_DIR) -> dict[int, float]:
    """Constant-price GDP index on the current boundary (base_year = 1), chained from published
    real growth rates: I(t) = I(t-1)·(1 + g(t)/100). Before 2019 the old city's growth is applied
    to the whole of today's city (the Laiwu part is assumed to have grown alike)."""
    growth = {y: v for y, (v, _) in _series("gdp_growth", folder=folder).items()}
    ys = years(folder)
    index = {base_year: 1.0}
    for y in range(base_year + 1, ys[-1] + 1):
        index[y] = index[y - 1] * (1 + growth[y] / 100)
    for y in range(base_year - 1, ys[0] - 1, -1):
        index[y] = index[y + 1] / (1 + growth[y + 1] / 100)
    return index


def comparable_observations(folder: Path = DATA_DIR) -> list[Observation]:
    """GDP (current prices), GDP index and population on today's boundary, 2005–2024.

    From 2019 on: the published figures. Before 2019 (the old boundary, without 莱芜区 and 钢城区):
    the published old-boundary figure × a link factor k that joins the old series to the new one at
    2018/2019: k_gdp = GDP_2019 / (GDP_old_2018 · (1 + g_2019) · (1 + p)), p = 1.5 % price change
    assumed for 2019; k_pop = POP_2019 / (POP_old_2018 · 1.005). Missing old-boundary population
    years are interpolated geometrically. These rows are flagged `estimated`.
    """
    gdp = _series("gdp", folder=folder)
    growth = _series("gdp_growth", folder=folder)
    pop = _series("population", folder=folder)
    out: list[Observation] = []
    k_gdp = gdp[2019][0] / (gdp[2018][0] * (1 + growth[2019][0] / 100) * 1.015)
    pop_old = {y: v for y, (v, r) in pop.items() if r["boundary"] == "pre2019"}
    k_pop = pop[2019][0] / (pop_old[2018] * 1.005)
    index = gdp_index(folder=folder)
    link = "link factor joining the pre-2019 boundary to today's (see carbonpeak/demo/README.md)"
    for y in years(folder):
        if y >= 2019:
            v, r = gdp[y]
            out.append(Observation("gdp", "jinan", y, v, "亿元", "published", "", r["source"]))
            pv, pr = pop[y]
            out.append(Observation("population", "jinan", y, pv, "万人", "published", "", pr["source"]))
        else:
            v, r = gdp[y]
            out.append(
                Observation("gdp", "jinan", y, round(v * k_gdp, 2), "亿元", "estimated", link, r["source"])
            )
            pv = _interpolate_geometric(pop_old, y)
            src = pop[y][1]["source"] if y in pop else "geometric interpolation between published years"
            out.append(
                Observation("population", "jinan", y, round(pv * k_pop, 2), "万人", "estimated", link, src)
            )
        gv, gr = growth[y]
        out.append(Observation("gdp_growth", "jinan", y, gv, "%", "published", "", gr["source"]))
        out.append(
            Observation(
                "gdp_index_2020",
                "jinan",
                y,
                round(index[y] * 100, 4),
                "2020=100",
                "estimated",
                "chained from published real growth rates (上年=100)",
                "carbonpeak/demo/build.py gdp_index",
            )
        )
    return out


def _fuel_amount(tce: float, fuel: str) -> tuple[float, str]:
    """`tce` of `fuel` in the fuel's statistical unit (fuels.csv) via its standard-coal coefficient."""
    coef = factors.standard_coal()[fuel]
    num, _, den = coef.coefficient_unit.partition("/")
    amount_den = units.convert(tce, "tce", num) / coef.coefficient
    unit = factors.fuels()[fuel].unit
    return units.convert(amount_den, den, unit), unit


def _tce_of(amount: float, unit: str, fuel: str) -> float:
    coef = factors.standard_coal()[fuel]
    num, _, den = coef.coefficient_unit.partition("/")
    return units.convert(units.convert(amount, unit, den) * coef.coefficient, num, "tce")


def _mix(table: Mapping[str, Any], sector: str, w: float) -> dict[str, float]:
    spec = table.get(sector) or table["industry_default"]
    first, last = spec["first"], spec["last"]
    fuels = sorted(set(first) | set(last))
    raw = {f: (1 - w) * float(first.get(f, 0.0)) + w * float(last.get(f, 0.0)) for f in fuels}
    total = sum(raw.values())
    return {f: v / total for f, v in raw.items() if v > 0}


def final_energy_tce() -> dict[int, float]:
    """Final energy (tce, calorific-value method) by year: E(t) = E_2020 · GDPidx(t) · J(t), with the
    intensity index J chained from the assumed annual changes (J_2020 = 1)."""
    a = assumptions()
    e2020 = units.convert(float(a["total_final_energy_2020"]["value"]), "万tce", "tce")
    changes = {int(k): float(v) for k, v in a["intensity_change"]["values"].items()}
    ys = years()
    j = {2020: 1.0}
    for y in range(2021, ys[-1] + 1):
        j[y] = j[y - 1] * (1 + _step(changes, y) / 100)
    for y in range(2019, ys[0] - 1, -1):
        j[y] = j[y + 1] / (1 + _step(changes, y + 1) / 100)
    idx = gdp_index()
    return {y: e2020 * idx[y] * j[y] for y in ys}


def build_balance_rows() -> list[dict[str, str]]:
    """The rows of data/energy-balance.csv (deterministic)."""
    a = assumptions()
    region = a["region"]
    ys = years()
    energy = final_energy_tce()
    shares_first = {k: float(v) for k, v in a["sector_shares"]["first"].items()}
    shares_last = {k: float(v) for k, v in a["sector_shares"]["last"].items()}
    el = a["electricity"]
    rows: list[dict[str, str]] = []

    def add(year: int, sector: str, fuel: str, quantity: float, unit: str) -> None:
        rows.append(
            {
                "region": region,
                "year": str(year),
                "sector": sector,
                "fuel": fuel,
                "quantity": f"{quantity:.4f}",
                "unit": unit,
                "flag": "estimated",
                "method": METHOD,
                "source": SOURCE,
            }
        )

    for y in ys:
        w = (y - ys[0]) / (ys[-1] - ys[0])
        sectors = sorted(set(shares_first) | set(shares_last))
        raw = {s: (1 - w) * shares_first.get(s, 0.0) + w * shares_last.get(s, 0.0) for s in sectors}
        total_share = sum(raw.values())
        electricity_kwh = 0.0
        heat_tce = 0.0
        for s in sectors:
            sector_tce = energy[y] * raw[s] / total_share
            for fuel, share in _mix(a["fuel_mix"], s, w).items():
                q, unit = _fuel_amount(sector_tce * share, fuel)
                add(y, s, fuel, q, unit)
                if fuel == "electricity":
                    electricity_kwh += units.convert(q, unit, "kWh")
                elif fuel == "heat":
                    heat_tce += sector_tce * share
        # electricity supply: losses, local thermal (coal, gas from gas_power_from), PV, wind, net import
        supply = electricity_kwh / (1 - float(el["losses_pct"]["value"]) / 100)
        add(y, "LOSS", "electricity", units.convert(supply - electricity_kwh, "kWh", "亿kWh"), "亿kWh")
        thermal_share = (1 - w) * float(el["local_thermal_share"]["first"]) + w * float(
            el["local_thermal_share"]["last"]
        )
        thermal = supply * thermal_share / 100
        gas_from = int(el["gas_power_from"]["year"])
        gas_share = 0.0
        if y >= gas_from:
            gas_share = (
                float(el["gas_power_from"]["share_of_thermal_last"])
                / 100
                * (y - gas_from + 1)
                / (ys[-1] - gas_from + 1)
            )
        rate = (1 - w) * float(el["supply_coal_rate"]["first"]) + w * float(el["supply_coal_rate"]["last"])
        coal_tce = units.convert(thermal * (1 - gas_share) * rate, "gce", "tce")
        q, unit = _fuel_amount(coal_tce, "raw_coal")
        add(y, "T_POWER", "raw_coal", q, unit)
        if gas_share > 0:
            q, unit = _fuel_amount(
                units.convert(thermal * gas_share * 230, "gce", "tce"), "natural_gas"
            )  # CCGT ≈ 230 gce/kWh
            add(y, "T_POWER", "natural_gas", q, unit)
        add(y, "T_POWER", "electricity", -units.convert(thermal, "kWh", "亿kWh"), "亿kWh")
        pv = _interpolate_linear({int(k): float(v) for k, v in el["pv_capacity_gw"]["values"].items()}, y)
        wind = _interpolate_linear({int(k): float(v) for k, v in el["wind_capacity_gw"]["values"].items()}, y)
        renewable = pv * 1e6 * float(el["pv_hours"]["value"]) + wind * 1e6 * float(el["wind_hours"]["value"])
        add(y, "PRODUCTION", "primary_electricity", units.convert(renewable, "kWh", "亿kWh"), "亿kWh")
        imported = supply - thermal - renewable
        if imported < 0:  # a net exporter in this year: record the outflow
            add(y, "EXPORT", "electricity", units.convert(-imported, "kWh", "亿kWh"), "亿kWh")
        else:
            add(y, "IMPORT", "electricity", units.convert(imported, "kWh", "亿kWh"), "亿kWh")
        # heat supply from coal-fired heating plants
        eff = float(a["heat"]["boiler_efficiency"]["value"])
        q, unit = _fuel_amount(heat_tce / eff, "raw_coal")
        add(y, "T_HEAT", "raw_coal", q, unit)
        hq, hunit = _fuel_amount(heat_tce, "heat")
        add(y, "T_HEAT", "heat", -hq, hunit)
        # industrial processes
        for product, spec in a["process"].items():
            if not isinstance(spec, dict):
                continue
            values = {int(k): float(v) for k, v in spec["values"].items()}
            add(y, spec["sector"], product, _interpolate_linear(values, y), spec["unit"])
    return rows


def write_balance(path: Path | None = None) -> Path:
    path = path or DATA_DIR / "energy-balance.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=BALANCE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(build_balance_rows())
    return path


def tce_of(amount: float, unit: str, fuel: str) -> float:
    """tce of an amount of fuel (for checks)."""
    return _tce_of(amount, unit, fuel)


def _isclose(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9)


RAW_MATERIAL_METHOD = "demo_feedstock_share_v1"
ASSESSMENT_COLUMNS = ("indicator", "region", "year", "value", "unit", "flag", "method", "source")


def raw_material_energy(rows: list[dict[str, str]] | None = None) -> dict[int, float]:
    """原料用能 (万tce) by year, estimated from the balance `rows` (default: the shipped model's):

        raw_material(y) = Σ_sector share_sector · Σ_{fuel ∈ fuels} tce(sector, fuel, y)

    over the years, fuels and feedstock shares of assumptions.yaml `raw_material` (method
    demo_feedstock_share_v1; carbonpeak/demo/README.md)."""
    spec = assumptions()["raw_material"]
    first, last = (int(y) for y in spec["years"])
    fuels = set(spec["fuels"])
    shares = {str(k): float(v) / 100 for k, v in spec["feedstock_share"].items()}
    out = {y: 0.0 for y in range(first, last + 1)}
    for r in rows if rows is not None else build_balance_rows():
        y, sector, fuel = int(r["year"]), r["sector"], r["fuel"]
        if y in out and sector in shares and fuel in fuels:
            out[y] += shares[sector] * _tce_of(float(r["quantity"]), r["unit"], fuel)
    return {y: units.convert(v, "tce", "万tce") for y, v in out.items()}


def build_assessment_rows(rows: list[dict[str, str]] | None = None) -> list[dict[str, str]]:
    """The rows of data/assessment.csv (deterministic): raw_material_energy, estimated."""
    spec = assumptions()["raw_material"]
    shares = ", ".join(f"{k} {v} %" for k, v in spec["feedstock_share"].items())
    source = (
        "estimated by carbonpeak/demo/build.raw_material_energy from the demo energy balance: "
        f"feedstock share of the fossil fuel use of {shares} (assumptions.yaml raw_material; "
        "definition 发改环资〔2022〕803号); not a statistic, "
        "to be replaced by the statistics bureau's 原料用能"
    )
    return [
        {
            "indicator": "raw_material_energy",
            "region": assumptions()["region"],
            "year": str(y),
            "value": f"{v:.1f}",
            "unit": "万tce",
            "flag": "estimated",
            "method": RAW_MATERIAL_METHOD,
            "source": source,
        }
        for y, v in sorted(raw_material_energy(rows).items())
    ]


def write_assessment(path: Path | None = None, rows: list[dict[str, str]] | None = None) -> Path:
    path = path or DATA_DIR / "assessment.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=ASSESSMENT_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(build_assessment_rows(rows))
    return path
