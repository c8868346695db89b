"""Derived indicators: computed from observation series, never typed in.

    chain_index(years, index, base_year)        volume index (base year = 1) from 上年=100 indices
    gdp_constant(gdp_current, gdp_index, …)     GDP at comparable prices of one price year
    ratio(num, den, …)                          num/den on common years, in a target unit
    reduction(series, base_year)                (1 − x_t / x_base) × 100, % below the base year
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
    gas_share        = gas_energy / energy_total · 100       %
    *_per_capita     = x / population                        per resident
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

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


def derive(observations: Observations, region: str, *, price_year: int = 2020) -> list[Series]:
    """Every derived series the observations of `region` allow (inputs missing → series left out)."""
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


__all__ = ["chain_index", "derive", "gdp_constant", "ratio", "reduction"]
