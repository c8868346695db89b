"""Monthly carbon nowcast from fast data (docs/methods/nowcast.md), pure NumPy.

    MONTHS                                        12
    carbon_coefficients(co2, electricity, upto)   Coefficient per sector: the carbon per kWh of the
                                                  last inventory (`ratio`) or its log-linear trend over
                                                  the inventory years (`trend`), whichever predicted
                                                  the training years better
    seasonal_completion(monthly, known)           the months not yet published, from a regression of
                                                  log consumption on a trend and month dummies
    denton(indicator, annual, years)              Denton proportional first-difference benchmarking of
                                                  a monthly indicator to annual totals
    backtest(co2, electricity, years)             BacktestRow per (year, sector) and for the city: the
                                                  nowcast made without that year's inventory
    nowcast_monthly(co2, electricity, years)      monthly CO2 by sector, benchmarked where an inventory
                                                  exists, extrapolated by the coefficients after it

Units: CO2 in 万tCO2, electricity in 亿kWh, coefficients in 万tCO2 per 亿kWh (= kg per kWh × 10).
Inputs are plain mappings: `co2[sector][year]` (the annual inventory by sector) and
`electricity[sector][year]` (a length-12 array of monthly consumption, NaN where not published).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

MONTHS = 12
TREND_WINDOW = 6  # inventory years the trend model is fitted on (the most recent)
MIN_TREND_YEARS = 3
SELECTION_YEARS = 3  # the last training years on which the two models are compared

Annual = Mapping[str, Mapping[int, float]]
Monthly = Mapping[str, Mapping[int, np.ndarray]]


@dataclass(frozen=True)
class Coefficient:
    """Carbon per electricity of one sector for a year (万tCO2/亿kWh), the model that gave it, the
    inventory years it was calibrated on, and the mean absolute error (fraction) of each model on the
    selection years (NaN when it could not be computed)."""

    sector: str
    year: int
    value: float
    model: str  # "ratio" | "trend"
    calibrated_on: tuple[int, ...]
    error_ratio: float
    error_trend: float


def _ratio(co2: Mapping[int, float], el: Mapping[int, float], years: Sequence[int], year: int) -> float:
    last = max(years)
    return co2[last] / el[last] if el[last] > 0 else math.nan


def _trend(co2: Mapping[int, float], el: Mapping[int, float], years: Sequence[int], year: int) -> float:
    window = [y for y in sorted(years)[-TREND_WINDOW:] if el[y] > 0 and co2[y] > 0]
    if len(window) < MIN_TREND_YEARS:
        return math.nan
    x = np.asarray(window, dtype=np.float64)
    y = np.log([co2[w] / el[w] for w in window])
    slope, intercept = np.polyfit(x - x.mean(), y, 1)
    return float(np.exp(intercept + slope * (year - x.mean())))


_MODELS = {"ratio": _ratio, "trend": _trend}


def _selection_error(
    co2: Mapping[int, float], el: Mapping[int, float], years: Sequence[int], model: str
) -> float:
    """Mean |relative error| of `model` predicting each of the last SELECTION_YEARS of `years` from
    the years before it; NaN when none could be predicted."""
    errors = []
    for target in sorted(years)[-SELECTION_YEARS:]:
        before = [y for y in years if y < target]
        if not before:
            continue
        k = _MODELS[model](co2, el, before, target)
        if math.isfinite(k) and co2[target] > 0:
            errors.append(abs(k * el[target] / co2[target] - 1.0))
    return float(np.mean(errors)) if errors else math.nan


def carbon_coefficients(co2: Annual, electricity: Annual, year: int, *, upto: int) -> dict[str, Coefficient]:
    """Per sector, the coefficient for `year` calibrated on the inventory years ≤ `upto` that have
    both CO2 and electricity: `ratio` unless `trend` had the smaller selection error (a model
    choice made on the training years only, so a backtest stays out of sample)."""
    out: dict[str, Coefficient] = {}
    for sector, by_year in co2.items():
        el = electricity.get(sector, {})
        years = sorted(y for y in by_year if y <= upto and y in el)
        if not years:
            continue
        err = {m: _selection_error(by_year, el, years, m) for m in _MODELS}
        model = "trend" if math.isfinite(err["trend"]) and err["trend"] < err["ratio"] else "ratio"
        value = _MODELS[model](by_year, el, years, year)
        if not math.isfinite(value):
            model, value = "ratio", _ratio(by_year, el, years, year)
        out[sector] = Coefficient(sector, year, value, model, tuple(years), err["ratio"], err["trend"])
    return out


def seasonal_completion(monthly: Mapping[int, np.ndarray], *, window: int = 36) -> dict[int, np.ndarray]:
    """`monthly` (year → 12 values, NaN where not published) with every missing month of the last
    year filled from a least-squares regression of log consumption on a linear trend and month
    dummies over the last `window` published months. Years with no published month stay NaN.
    Returns new arrays; the filled months are those that were NaN."""
    years = sorted(monthly)
    out = {y: np.array(monthly[y], dtype=np.float64) for y in years}
    t, values, month = [], [], []
    for y in years:
        for m in range(MONTHS):
            v = out[y][m]
            if np.isfinite(v) and v > 0:
                t.append(y * MONTHS + m)
                values.append(math.log(v))
                month.append(m)
    if len(t) < MONTHS + 2:
        return out
    t_arr, v_arr, m_arr = (np.asarray(a) for a in (t[-window:], values[-window:], month[-window:]))
    design = np.column_stack([t_arr - t_arr.mean(), np.eye(MONTHS)[m_arr]])
    coef, *_ = np.linalg.lstsq(design, v_arr, rcond=None)
    last = years[-1]
    for m in range(MONTHS):
        if not np.isfinite(out[last][m]) and np.isfinite(out[last]).any():
            row = np.concatenate([[last * MONTHS + m - t_arr.mean()], np.eye(MONTHS)[m]])
            out[last][m] = float(np.exp(row @ coef))
    return out


def denton(indicator: np.ndarray, annual: np.ndarray, n_benchmarked: int) -> np.ndarray:
    """Denton proportional first-difference (PFD) benchmarking: the monthly series x that minimises
    Σ (x_t/i_t − x_{t−1}/i_{t−1})² subject to Σ_{t in year k} x_t = annual[k] for the first
    `n_benchmarked` years; `indicator` holds 12 months per year (all positive). Months after the
    last benchmark year carry its final ratio forward (the PFD solution's extrapolation). Solved as
    one linear system (KKT), in the units of `annual`."""
    i = np.asarray(indicator, dtype=np.float64)
    n = i.size
    k = n_benchmarked
    if k == 0:
        return i.copy()
    d = np.diff(np.eye(n), axis=0)  # (n-1) × n first differences of the ratio r_t = x_t / i_t
    c = np.zeros((k, n))
    for year in range(k):
        c[year, year * MONTHS : (year + 1) * MONTHS] = i[year * MONTHS : (year + 1) * MONTHS]
    kkt = np.block([[2.0 * d.T @ d, c.T], [c, np.zeros((k, k))]])
    rhs = np.concatenate([np.zeros(n), np.asarray(annual, dtype=np.float64)[:k]])
    ratio = np.linalg.solve(kkt, rhs)[:n]
    return np.asarray(ratio * i)


@dataclass(frozen=True)
class BacktestRow:
    """The nowcast of `year` made with the inventories before it, against the inventory: CO2 in
    万tCO2; `error` = nowcast / inventory − 1. `sector` "city" is the sum of the sectors."""

    year: int
    sector: str
    nowcast: float
    inventory: float
    model: str
    error: float


def annual_electricity(electricity: Monthly) -> dict[str, dict[int, float]]:
    """Annual sums of the years with all 12 months published (亿kWh)."""
    return {
        s: {y: float(v.sum()) for y, v in by_year.items() if np.isfinite(v).all()}
        for s, by_year in electricity.items()
    }


def backtest(co2: Annual, electricity: Monthly, years: Sequence[int]) -> list[BacktestRow]:
    """For each of `years` (each with an inventory and 12 months of electricity), every sector's
    nowcast from the coefficients calibrated on the inventories of the years before it, and the
    city's (sum of the sectors)."""
    annual = annual_electricity(electricity)
    rows: list[BacktestRow] = []
    for year in years:
        coeffs = carbon_coefficients(co2, annual, year, upto=year - 1)
        city_now = city_inv = 0.0
        for sector, c in coeffs.items():
            if year not in annual.get(sector, {}) or year not in co2[sector]:
                continue
            now, inv = c.value * annual[sector][year], co2[sector][year]
            city_now, city_inv = city_now + now, city_inv + inv
            rows.append(BacktestRow(year, sector, now, inv, c.model, now / inv - 1.0 if inv else math.nan))
        if city_inv > 0:
            rows.append(BacktestRow(year, "city", city_now, city_inv, "sum", city_now / city_inv - 1.0))
    return rows


def backtest_summary(rows: Sequence[BacktestRow]) -> dict[str, dict[str, float]]:
    """Per sector (and "city"): mean absolute error, root mean square error and the largest absolute
    error over the backtest years (fractions), and the number of years."""
    out: dict[str, dict[str, float]] = {}
    for sector in dict.fromkeys(r.sector for r in rows):
        e = np.asarray([r.error for r in rows if r.sector == sector and math.isfinite(r.error)])
        if e.size:
            out[sector] = {
                "mae": float(np.abs(e).mean()),
                "rmse": float(np.sqrt((e**2).mean())),
                "max_abs": float(np.abs(e).max()),
                "years": float(e.size),
            }
    return out


def nowcast_monthly(
    co2: Annual, electricity: Monthly, years: Sequence[int]
) -> tuple[dict[str, np.ndarray], dict[str, dict[int, Coefficient]]]:
    """Monthly CO2 by sector (万tCO2) for `years` (consecutive, each with 12 months of electricity,
    the last months completed by `seasonal_completion` beforehand): Denton-benchmarked to the
    inventory in the years that have one (the leading run of them), and the sector's coefficient for
    each later year times its monthly electricity. Also the coefficients used for the later years."""
    series: dict[str, np.ndarray] = {}
    used: dict[str, dict[int, Coefficient]] = {}
    annual = annual_electricity(electricity)
    for sector, by_year in co2.items():
        el = electricity.get(sector)
        if el is None or any(y not in el for y in years):
            continue
        indicator = np.concatenate([np.asarray(el[y], dtype=np.float64) for y in years])
        bench: list[float] = []
        for y in years:
            if y not in by_year:
                break
            bench.append(by_year[y])
        x = denton(indicator, np.asarray(bench), len(bench))
        last = years[len(bench) - 1] if bench else min(years) - 1
        used[sector] = {}
        for j, y in enumerate(years[len(bench) :], start=len(bench)):
            c = carbon_coefficients({sector: by_year}, {sector: annual.get(sector, {})}, y, upto=last)[sector]
            used[sector][y] = c
            x[j * MONTHS : (j + 1) * MONTHS] = c.value * indicator[j * MONTHS : (j + 1) * MONTHS]
        series[sector] = x
    return series, used


__all__ = [
    "MONTHS",
    "BacktestRow",
    "Coefficient",
    "annual_electricity",
    "backtest",
    "backtest_summary",
    "carbon_coefficients",
    "denton",
    "nowcast_monthly",
    "seasonal_completion",
]
