"""Benchmark: LMDI-I on a sector × fuel table against kaya-decomposition, and a chained 47 × 30 table
against a per-cell loop.

1. Against kaya-decomposition (PyPI `kaya-decomposition`, the LMDI of the IPCC-style Kaya identity,
   read offline from the locked environment). It takes one aggregate per (model, scenario, region),
   so on a sector × fuel table (KAYA_SECTORS × KAYA_FUELS cells, KAYA_YEARS years, every cell
   positive) a competent user gives it each cell as its own series — the six factors of that cell
   (population, GDP per person, the sector's GDP share, the sector's energy intensity, the fuel's
   share of the sector's energy, the fuel's emission factor) and the cell's emissions — calls its
   LMDI-I against the base year (`_calc_uncorrected_lmdi_cumulative`: L(C_t, C_0)·ln(x_t/x_0) per
   factor, before its non-negativity correction) for every cell and sums the cells. carbonpeak's
   `decompose` runs on the whole table, base year against each later year. The two must agree
   (checked, relative difference printed).
2. The same LMDI-I formulas cell by cell in a Python loop (math.log) on 47 sectors × 30 fuels × 20
   years chained (a fifth of the cells zero: the zero rules), against `decompose`: a second
   implementation that checks the numbers, timed beside it.
Both sides of each comparison are timed interleaved in one run (benchmarks/_common.interleaved),
repeated, median and spread of wall and CPU time printed; results in benchmarks/results/lmdi.json.

Run: .venv/bin/python benchmarks/lmdi.py [--repeat R]
"""

from __future__ import annotations

import argparse
import importlib.abc
import importlib.machinery
import math
import sys
import types
import warnings
from pathlib import Path

import numpy as np

from carbonpeak.decomposition.lmdi import KayaSeries, decompose, kaya_factors

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, interleaved, record

SECTORS, FUELS, YEARS = 47, 30, 20
KAYA_SECTORS, KAYA_FUELS, KAYA_YEARS = 8, 5, 11


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


def _load_kaya() -> tuple[object, object, object]:
    """pandas, pyam and kaya-decomposition's LMDI-I (pyam's ixmp4 import replaced by a stub when it
    fails under SQLAlchemy 2.1)."""
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
    return pd, pyam, _calc_uncorrected_lmdi_cumulative


KAYA_NAMES = ["Population", "GNP/P", "FE/GNP", "PEDEq/FE", "PEFF/PEDEq", "TFC/PEFF", "Total Fossil Carbon"]
KAYA_OUT = [
    "Population",
    "Economic Activity per Person",
    "Energy Intensity of Economy",
    "Energy Supply Loss Factor",
    "Fossil Fuel Fraction",
    "Carbon Intensity of Fossil Energy",
]


def kaya_table(series: KayaSeries) -> tuple[list[object], object]:
    """(one pyam frame per cell, kaya's LMDI-I against the base year) for a sector × fuel series."""
    pd, pyam, lmdi = _load_kaya()
    x = kaya_factors(series.population, series.gdp, series.sector_gdp, series.energy, series.emissions)
    years = list(series.years)
    frames = []
    for i in range(len(series.sectors)):
        for j in range(len(series.fuels)):
            values = [x[k, :, i, j] for k in range(6)] + [series.emissions[:, i, j]]
            rows = [
                ["m", "s", f"{i}-{j}", name, "1", y, float(v)]
                for name, vals in zip(KAYA_NAMES, values, strict=True)
                for y, v in zip(years, vals, strict=True)
            ]
            frames.append(
                pyam.IamDataFrame(
                    pd.DataFrame(
                        rows, columns=["model", "scenario", "region", "variable", "unit", "year", "value"]
                    )  # type: ignore[attr-defined]
                )
            )
    return frames, lmdi


def kaya_effects(frames: list[object], lmdi: object, years: list[int]) -> np.ndarray:
    """kaya-decomposition cell by cell, summed: (later years, 6) effects against the base year."""
    out = np.zeros((len(years) - 1, 6))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for frame in frames:
            data = lmdi(frame, years[0]).data  # type: ignore[operator]
            table = data.pivot_table(index="year", columns="variable", values="value")
            out += table.loc[years[1:], KAYA_OUT].to_numpy()
    return out


def our_effects(series: KayaSeries) -> np.ndarray:
    """carbonpeak's decompose on the whole table, base year against each later year."""
    out = np.zeros((len(series.years) - 1, 6))
    for k in range(1, len(series.years)):
        pick = [0, k]
        s = KayaSeries(
            years=(series.years[0], series.years[k]),
            sectors=series.sectors,
            fuels=series.fuels,
            population=series.population[pick],
            gdp=series.gdp[pick],
            sector_gdp=series.sector_gdp[pick],
            energy=series.energy[pick],
            emissions=series.emissions[pick],
        )
        out[k - 1] = decompose(s, chained=False).additive[0]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(20240601)

    # 1. sector × fuel table against kaya-decomposition
    table = make_series(rng, KAYA_SECTORS, KAYA_FUELS, KAYA_YEARS)
    table = KayaSeries(**{**table.__dict__, "energy": table.energy + 1.0, "emissions": table.emissions + 1.0})
    frames, lmdi = kaya_table(table)
    years = list(table.years)
    theirs, ours = kaya_effects(frames, lmdi, years), our_effects(table)
    kaya_diff = float(np.max(np.abs(theirs - ours)) / np.max(np.abs(ours)))
    assert kaya_diff < 1e-9, kaya_diff
    cells = KAYA_SECTORS * KAYA_FUELS
    print(
        f"LMDI-I, {KAYA_SECTORS} sectors × {KAYA_FUELS} fuels ({cells} cells), {KAYA_YEARS} years: "
        f"base year against each of the {KAYA_YEARS - 1} later ones; max relative difference {kaya_diff:.1e}"
    )
    t = interleaved(
        {
            "carbonpeak decompose": lambda: our_effects(table),
            "kaya-decomposition": lambda: kaya_effects(frames, lmdi, years),
        },
        args.repeat,
    )
    for name, timing in t.items():
        print(f"  {name:22} {timing.text()}")
    k_ours, k_theirs = t["carbonpeak decompose"], t["kaya-decomposition"]

    # 2. chained 47 × 30 × 20 against a per-cell loop
    series = make_series(rng, SECTORS, FUELS, YEARS)
    result = decompose(series)
    loop = per_cell_loop(series)
    agree = float(np.max(np.abs(loop - result.additive)) / max(1.0, float(np.max(np.abs(result.additive)))))
    closure = float(np.max(np.abs(result.additive.sum(axis=1) - (result.end - result.start))))
    assert agree < 1e-9 and closure < 1e-6 * float(np.max(np.abs(result.end))), (agree, closure)
    print(
        f"LMDI-I chained: {SECTORS} sectors × {FUELS} fuels × {YEARS} years "
        f"({YEARS - 1} periods, 6 factors); "
        f"max relative difference {agree:.1e}, max |Σ effects − ΔC| {closure:.1e}"
    )
    c = interleaved(
        {"carbonpeak decompose": lambda: decompose(series), "per-cell loop": lambda: per_cell_loop(series)},
        args.repeat,
    )
    for name, timing in c.items():
        print(f"  {name:22} {timing.text()}")
    c_ours, c_loop = c["carbonpeak decompose"], c["per-cell loop"]
    record(
        "lmdi",
        [
            Row(
                "lmdi",
                f"{cells}-cell sector × fuel table, {KAYA_YEARS - 1} years vs base: decompose, wall",
                k_ours.wall_median * 1e3,
                "ms",
                detail=f"CPU {k_ours.cpu_median * 1e3:.1f} ms",
            ),
            Row(
                "lmdi",
                "same table: kaya-decomposition cell by cell, wall",
                k_theirs.wall_median * 1e3,
                "ms",
                detail=f"CPU {k_theirs.cpu_median * 1e3:.1f} ms; "
                f"{k_theirs.cpu_median / k_ours.cpu_median:,.0f}x decompose's CPU; "
                f"max relative difference {kaya_diff:.1e}",
            ),
            Row(
                "lmdi",
                f"{SECTORS} × {FUELS} × {YEARS} chained: decompose, wall",
                c_ours.wall_median * 1e3,
                "ms",
                detail=f"CPU {c_ours.cpu_median * 1e3:.1f} ms",
            ),
            Row(
                "lmdi",
                "same table: per-cell Python loop (a check, not a rival), wall",
                c_loop.wall_median * 1e3,
                "ms",
                detail=f"CPU {c_loop.cpu_median * 1e3:.0f} ms; max relative difference {agree:.1e}",
            ),
        ],
    )


if __name__ == "__main__":
    main()
