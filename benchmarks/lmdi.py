"""Benchmark: LMDI-I, 47 sectors × 30 fuels × 20 years chained year by year (19 periods).

Measured in one run, on the same random data (seeded):
  1. carbonpeak.decomposition.lmdi.decompose (vectorised NumPy);
  2. the same LMDI-I formulas cell by cell in a Python loop (math.log), the reference for the ratio,
     since `kaya-decomposition` takes one aggregate per region and cannot take sectors × fuels;
  3. on the aggregate (1 sector × 1 fuel, 20 years, 19 periods against the base year):
     `kaya_decomposition.compute_lmdi_cumulative` against our decompose on the same task.
Both comparisons also check that the numbers agree.

Run: .venv/bin/python benchmarks/lmdi.py
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import math
import sys
import time
import types
import warnings
from collections.abc import Callable

import numpy as np

from carbonpeak.decomposition.lmdi import KayaSeries, decompose, kaya_factors

SECTORS, FUELS, YEARS = 47, 30, 20


def make_series(rng: np.random.Generator, sectors: int, fuels: int, years: int) -> KayaSeries:
    energy = rng.uniform(1, 100, (years, sectors, fuels))
    energy[rng.random(energy.shape) < 0.2] = 0.0  # a fifth of the cells unused: exercises the zero rules
    emissions = energy * rng.uniform(0.0, 3.0, (years, 1, fuels))
    return KayaSeries(
        years=tuple(range(2005, 2005 + years)),
        sectors=tuple(f"S{i:02d}" for i in range(sectors)),
        fuels=tuple(f"F{j:02d}" for j in range(fuels)),
        population=rng.uniform(900, 1000, years),
        gdp=np.cumprod(rng.uniform(1.02, 1.10, years)) * 1e4,
        sector_gdp=rng.uniform(10, 500, (years, sectors)),
        energy=energy,
        emissions=emissions,
    )


def per_cell_loop(series: KayaSeries) -> np.ndarray:
    """LMDI-I, one cell and one factor at a time (same zero rules), → additive totals (periods, 6)."""
    x = kaya_factors(series.population, series.gdp, series.sector_gdp, series.energy, series.emissions)
    c = series.emissions
    t, n_i, n_j = c.shape
    out = np.zeros((t - 1, 6))
    for p in range(t - 1):
        for i in range(n_i):
            for j in range(n_j):
                c0, c1 = float(c[p, i, j]), float(c[p + 1, i, j])
                if c0 > 0 and c1 > 0:
                    w = c1 if c0 == c1 else (c1 - c0) / (math.log(c1) - math.log(c0))
                else:
                    w = 0.0
                zero_end = []
                for k in range(6):
                    a, b = float(x[k, p, i, j]), float(x[k, p + 1, i, j])
                    if math.isnan(a):
                        a = 1.0 if math.isnan(b) else b
                    if math.isnan(b):
                        b = a
                    if a > 0 and b > 0:
                        out[p, k] += w * math.log(b / a)
                    elif (a == 0) != (b == 0):
                        zero_end.append(k)
                if w == 0.0 and zero_end:
                    for k in zero_end:
                        out[p, k] += (c1 - c0) / len(zero_end)
    return out


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _stub_class(name: str) -> type:
    if name.startswith("__"):
        raise AttributeError(name)
    return type(name, (), {})


class _Ixmp4Stub(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """pyam imports ixmp4, which fails to import under SQLAlchemy 2.1; an empty stand-in lets pyam load."""

    def find_spec(self, fullname, path=None, target=None):  # type: ignore[no-untyped-def]
        if fullname == "ixmp4" or fullname.startswith("ixmp4."):
            return importlib.machinery.ModuleSpec(fullname, self, is_package=True)
        return None

    def create_module(self, spec):  # type: ignore[no-untyped-def]
        module = types.ModuleType(spec.name)
        module.__path__ = []
        module.__getattr__ = _stub_class  # type: ignore[method-assign]
        return module

    def exec_module(self, module):  # type: ignore[no-untyped-def]
        return None


def kaya_comparison(rng: np.random.Generator) -> tuple[float, float, float]:
    """(kaya seconds, ours seconds, max |difference|) on a 20-year aggregate against the base year."""
    try:
        import ixmp4  # noqa: F401
    except Exception:
        for name in [n for n in sys.modules if n == "ixmp4" or n.startswith("ixmp4.")]:
            del sys.modules[name]
        sys.meta_path.insert(0, _Ixmp4Stub())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pandas as pd
        import pyam
        from kaya_decomposition.lmdi_cumulative import _calc_uncorrected_lmdi_cumulative

    years = list(range(2005, 2005 + YEARS))
    g = np.cumprod(rng.uniform(0.97, 1.06, (6, YEARS)), axis=1)
    pop, gnp_p, fe_gnp, pe_fe, ff_pe, c_ff = (
        1000 * g[0],
        10 * g[1],
        5 * g[2],
        1.2 * g[3],
        0.9 * g[4],
        2 * g[5],
    )
    tfc = pop * gnp_p * fe_gnp * pe_fe * ff_pe * c_ff
    rows = []
    names = ["Population", "GNP/P", "FE/GNP", "PEDEq/FE", "PEFF/PEDEq", "TFC/PEFF", "Total Fossil Carbon"]
    for name, values in zip(names, [pop, gnp_p, fe_gnp, pe_fe, ff_pe, c_ff, tfc], strict=True):
        rows += [["m", "s", "R", name, "1", y, float(v)] for y, v in zip(years, values, strict=True)]
    frame = pyam.IamDataFrame(
        pd.DataFrame(rows, columns=["model", "scenario", "region", "variable", "unit", "year", "value"])
    )

    def theirs() -> object:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return _calc_uncorrected_lmdi_cumulative(frame, 2005)

    def ours() -> np.ndarray:
        out = np.zeros((YEARS - 1, 6))
        for k in range(1, YEARS):
            s = KayaSeries(
                years=(2005, years[k]),
                sectors=("all",),
                fuels=("fossil",),
                population=pop[[0, k]],
                gdp=(pop * gnp_p)[[0, k]],
                sector_gdp=(pop * gnp_p)[[0, k]][:, None],
                energy=(pop * gnp_p * fe_gnp)[[0, k]][:, None, None],
                emissions=tfc[[0, k]][:, None, None],
            )
            out[k - 1] = decompose(s, chained=False).additive[0]
        return out

    t_theirs = best_of(theirs, 3)
    t_ours = best_of(ours, 3)
    data = theirs().data  # type: ignore[attr-defined]
    mine = ours()
    diff = 0.0
    for k, y in enumerate(years[1:]):
        row = data[data["year"] == y].set_index("variable")["value"]
        ref = [
            row["Population"],
            row["Economic Activity per Person"],
            row["Energy Intensity of Economy"],
            row["Energy Supply Loss Factor"]
            + row["Fossil Fuel Fraction"]
            + row["Carbon Intensity of Fossil Energy"],
        ]
        got = [mine[k, 0], mine[k, 1], mine[k, 3], mine[k, 5]]
        diff = max(diff, max(abs(a - b) / max(1.0, abs(a)) for a, b in zip(ref, got, strict=True)))
    return t_theirs, t_ours, diff


def main() -> None:
    rng = np.random.default_rng(20240601)
    series = make_series(rng, SECTORS, FUELS, YEARS)
    result = decompose(series)
    t_vec = best_of(lambda: decompose(series), 5)
    start = time.perf_counter()
    loop = per_cell_loop(series)
    t_loop = time.perf_counter() - start
    agree = float(np.max(np.abs(loop - result.additive)) / max(1.0, float(np.max(np.abs(result.additive)))))
    closure = float(np.max(np.abs(result.additive.sum(axis=1) - (result.end - result.start))))
    print(
        f"LMDI-I chained: {SECTORS} sectors × {FUELS} fuels × {YEARS} years ({YEARS - 1} periods, 6 factors)"
    )
    print(f"  vectorised NumPy (best of 5): {t_vec * 1e3:8.2f} ms")
    print(f"  per-cell Python loop:         {t_loop * 1e3:8.2f} ms   ratio {t_loop / t_vec:,.0f}×")
    print(f"  max relative difference {agree:.1e}; max |Σ effects − ΔC| {closure:.1e}")
    t_kaya, t_ours, diff = kaya_comparison(rng)
    print(f"Aggregate, {YEARS} years against the base year ({YEARS - 1} decompositions):")
    print(f"  kaya-decomposition (uncorrected LMDI, best of 3): {t_kaya * 1e3:8.2f} ms")
    ratio = t_kaya / t_ours
    print(f"  carbonpeak decompose (best of 3):                 {t_ours * 1e3:8.2f} ms   ratio {ratio:,.1f}×")
    print(f"  max relative difference {diff:.1e}")


if __name__ == "__main__":
    main()
