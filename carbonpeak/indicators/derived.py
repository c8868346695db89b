"""Derived indicators: computed from observation series, never typed in.

    chain_index(years, index, base_year)        volume index (base year = 1) from 上年=100 indices
    gdp_constant(gdp_current, gdp_index, …)     GDP at comparable prices of one price year
    ratio(num, den, …)                          num/den on common years, in a target unit
    reduction(series, base_year)                (1 − x_t / x_base) × 100, % below the base year
    assessed_energy_intensity(…)                energy intensity under the 十四五 assessment rules
    derive(observations, region, …)             every derived series the inputs allow

Formulas (docs/methods/indicators.md gives them with their sources):

    GDP at comparable prices of price year b:  G_t = G_b^current · Π_{s=b+1..t} (I_s / 100)   (t > b)
                                               G_t = G_b^current / Π_{s=t+1..b} (I_s / 100)   (t < b)
    where I_s is 地区生产总值指数 (上年=100), the volume index of year s on year s−1 that the
    statistics bureaus publish (国家统计局, 《中国统计年鉴》 主要统计指标解释). The ratio of two
    years' constant-price GDP, hence every intensity reduction, does not depend on b.

    energy_intensity = energy_total / gdp_constant           tce/万元
    co2_intensity    = co2_total / gdp_constant              tCO2/万元
    non_fossil_share = non_fossil_energy / energy_total·100  %
    energy_intensity_assessed = (energy_total − raw_material_energy − non_fossil_energy·[Y ≥ 2024])
                                / gdp_constant               tce/万元, Y the latest year with
                                                             raw_material_energy (docs/methods/
                                                             indicators.md#assessment)
    gas_share        = gas_energy / energy_total · 100       %
    *_per_capita     = x / population                        per resident
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from carbonpeak.indicators.assessment import assessed_energy
from carbonpeak.indicators.series import FloatArray, IntArray, Observations, Series, weakest_flag
from carbonpeak.units import convert


def chain_index(years: IntArray, index: FloatArray, base_year: int) -> FloatArray:
    """Volume of each year relative to `base_year` (= 1) from chain indices (previous year = 100).

    `years` ascending; the value of year t needs the indices of every year between t and the
    base year; a gap gives NaN. The base year's own index is not used.
    """
    out = np.full(years.shape, np.nan)
    lookup = {int(y): float(v) for y, v in zip(years, index, strict=True)}
    for k, year in enumerate(years.tolist()):
        if year == base_year:
            out[k] = 1.0
            continue
        lo, hi = (base_year, year) if year > base_year else (year, base_year)
        steps = [lookup.get(s) for s in range(lo + 1, hi + 1)]
        if any(s is None or not np.isfinite(s) or s <= 0 for s in steps):
            continue
        growth = float(np.prod(np.asarray(steps, dtype=np.float64) / 100.0))
        out[k] = growth if year > base_year else 1.0 / growth
    return out


def gdp_constant(gdp_current: Series, gdp_index: Series, price_year: int, unit: str = "亿元") -> Series:
    """GDP at comparable prices of `price_year`, in `unit`, for every year the chain reaches."""
    base = gdp_current.value(price_year)
    if base is None:
        return _empty("gdp_constant", gdp_current.region, unit)
    # every year the chain can reach: indexed years, the year before the first index, current-price years
    extra = [price_year, *gdp_current.years.tolist()] + (
        [int(gdp_index.years[0]) - 1] if len(gdp_index) else []
    )
    years = np.union1d(gdp_index.years, np.asarray(extra, dtype=np.int64))
    index = np.asarray([_value_or_nan(gdp_index, int(y)) for y in years], dtype=np.float64)
    volume = chain_index(years, index, price_year)
    keep = np.isfinite(volume)
    values = convert(base, gdp_current.unit, unit) * volume[keep]
    flags = [gdp_current.flags[int(np.flatnonzero(gdp_current.years == price_year)[0])], *gdp_index.flags]
    source = f"derived: gdp_current[{price_year}] × chained gdp_index (上年=100), prices of {price_year}"
    kept_years = years[keep]
    return Series(
        "gdp_constant",
        gdp_current.region,
        unit,
        kept_years.astype(np.int64),
        values,
        tuple(source for _ in kept_years),
        tuple(weakest_flag(flags) for _ in kept_years),
    )


def ratio(
    indicator: str, num: Series, den: Series, unit: str, num_unit: str, den_unit: str, scale: float = 1.0
) -> Series:
    """`scale · num/den` on the years both series hold, with num in `num_unit` and den in `den_unit`."""
    years, i, j = np.intersect1d(num.years, den.years, return_indices=True)
    n = convert(num.values[i], num.unit, num_unit)
    d = convert(den.values[j], den.unit, den_unit)
    ok = d > 0
    source = f"derived: {num.indicator} / {den.indicator}" + (f" × {scale:g}" if scale != 1.0 else "")
    flags = [weakest_flag([num.flags[a], den.flags[b]]) for a, b in zip(i[ok], j[ok], strict=True)]
    return Series(
        indicator,
        num.region,
        unit,
        years[ok].astype(np.int64),
        scale * n[ok] / d[ok],
        tuple(source for _ in flags),
        tuple(flags),
    )


def reduction(series: Series, base_year: int, indicator: str | None = None) -> Series:
    """Percentage below the base year: (1 − x_t / x_base) × 100 (negative when x rose)."""
    base = series.value(base_year)
    name = indicator or f"{series.indicator}_reduction"
    if base is None or base <= 0:
        return _empty(name, series.region, "%")
    source = f"derived: (1 − {series.indicator}_t / {series.indicator}_{base_year}) × 100"
    return Series(
        name,
        series.region,
        "%",
        series.years.copy(),
        (1.0 - series.values / base) * 100.0,
        tuple(source for _ in series.years),
        series.flags,
    )


# 发改环资〔2024〕113号: non-fossil energy is deducted in the assessment from this year on
NON_FOSSIL_DEDUCTED_FROM = 2024


def assessed_energy_intensity(
    energy: Series, raw_material: Series, non_fossil: Series, gdp: Series, *, base_year: int
) -> Series:
    """Energy intensity under the 十四五 assessment rules, tce/万元, on the years all inputs hold.

    E_assessed = energy − raw_material (原料用能, 发改环资〔2022〕803号) − non_fossil when the latest
    year of `raw_material` is NON_FOSSIL_DEDUCTED_FROM or later (发改环资〔2024〕113号); the same
    deductions in every year, base year included, so the series' ratios are the assessment's
    changes. Empty unless the years include `base_year` (an assessment without its base is none).
    """
    years = np.intersect1d(np.intersect1d(energy.years, raw_material.years), gdp.years)
    latest = int(raw_material.years.max()) if len(raw_material) else 0
    deduct_nf = latest >= NON_FOSSIL_DEDUCTED_FROM
    if deduct_nf:
        years = np.intersect1d(years, non_fossil.years)
    if base_year not in years.tolist():
        return _empty("energy_intensity_assessed", energy.region, "tce/万元")

    def at(s: Series, unit: str) -> FloatArray:
        idx = np.searchsorted(s.years, years)
        return np.asarray(convert(s.values[idx], s.unit, unit), dtype=np.float64)

    nf = at(non_fossil, "tce") if deduct_nf else np.zeros(len(years))
    e = np.asarray(assessed_energy(at(energy, "tce"), at(raw_material, "tce"), nf), dtype=np.float64)
    values = e / at(gdp, "万元")
    deducted = "raw_material_energy" + (" − non_fossil_energy" if deduct_nf else "")
    source = (
        f"derived: (energy_total − {deducted}) / gdp_constant, 十四五 assessment rules "
        f"(rules of {latest}; docs/methods/indicators.md#assessment)"
    )
    flags = []
    for y in years.tolist():
        inputs = [energy, raw_material, gdp] + ([non_fossil] if deduct_nf else [])
        flags.append(weakest_flag([s.flags[int(np.flatnonzero(s.years == y)[0])] for s in inputs]))
    return Series(
        "energy_intensity_assessed",
        energy.region,
        "tce/万元",
        years.astype(np.int64),
        values,
        tuple(source for _ in flags),
        tuple(flags),
    )


def derive(
    observations: Observations, region: str, *, price_year: int = 2020, base_year: int = 2020
) -> list[Series]:
    """Every derived series the observations of `region` allow (inputs missing → series left out);
    `base_year`: the year the assessment-rule intensity must hold to be derived."""
    get = observations.get
    out: list[Series] = []
    gdp_cur, gdp_idx = get("gdp_current", region), get("gdp_index", region)
    gdp = get("gdp_constant", region)
    if gdp is None and gdp_cur is not None and gdp_idx is not None:
        gdp = gdp_constant(gdp_cur, gdp_idx, price_year)
        if len(gdp):
            out.append(gdp)
    energy, co2 = get("energy_total", region), get("co2_total", region)
    population = get("population", region)

    def add(
        indicator: str, num: Series | None, den: Series | None, units: Sequence[str], scale: float = 1
    ) -> None:
        if num is not None and den is not None and get(indicator, region) is None:
            s = ratio(indicator, num, den, units[0], units[1], units[2], scale)
            if len(s):
                out.append(s)

    add("energy_intensity", energy, gdp, ("tce/万元", "tce", "万元"))
    add("co2_intensity", co2, gdp, ("tCO2/万元", "tCO2", "万元"))
    raw, non_fossil = get("raw_material_energy", region), get("non_fossil_energy", region)
    inputs = (energy, raw, non_fossil, gdp)
    if all(x is not None for x in inputs) and get("energy_intensity_assessed", region) is None:
        assert energy is not None and raw is not None and non_fossil is not None and gdp is not None
        s = assessed_energy_intensity(energy, raw, non_fossil, gdp, base_year=base_year)
        if len(s):
            out.append(s)
    add("non_fossil_share", get("non_fossil_energy", region), energy, ("%", "tce", "tce"), 100.0)
    add("gas_share", get("gas_energy", region), energy, ("%", "tce", "tce"), 100.0)
    add("energy_per_capita", energy, population, ("tce/人", "tce", "人"))
    add("co2_per_capita", co2, population, ("tCO2/人", "tCO2", "人"))
    if gdp_cur is not None:
        add("gdp_per_capita", gdp_cur, population, ("元/人", "元", "人"))
    return out


def _value_or_nan(series: Series, year: int) -> float:
    v = series.value(year)
    return np.nan if v is None else v


def _empty(indicator: str, region: str, unit: str) -> Series:
    return Series(indicator, region, unit, np.zeros(0, dtype=np.int64), np.zeros(0), (), ())


__all__ = [
    "NON_FOSSIL_DEDUCTED_FROM",
    "assessed_energy_intensity",
    "chain_index",
    "derive",
    "gdp_constant",
    "ratio",
    "reduction",
]
