"""Benchmark: the inventory of 20 years × 47 sectors × 30 fuels (28,200 cells) — `inventory()` against
what a competent engineer would write instead, every side timed interleaved in one run (median and
spread of wall and CPU time), all giving the same totals (checked):
  - a Python loop with the lookups hoisted: factors resolved once per (year, fuel), sector weights
    once per sector, then one multiply-add per non-zero cell;
  - pandas: the balance as a long table (as it arrives), merged with a (year, fuel) factor table and
    a sector-weight table, multiplied, grouped by year and summed.
Both alternatives resolve the factors through the same library calls as `inventory()` inside the
timing. Goal (issue 3): the whole `inventory()` call under 20 ms.
Run: `.venv/bin/python benchmarks/inventory.py [--repeat N]`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from carbonpeak.accounting import Balance, factors, inventory
from carbonpeak.accounting.inventory import sector_weights

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, interleaved, record

YEARS = tuple(range(2005, 2025))


def synthetic_balance(rng: np.random.Generator) -> Balance:
    sectors = tuple(factors.sectors())
    fuels = tuple(factors.fuels())
    final = [i for i, s in enumerate(sectors) if factors.sectors()[s].role == "final"]  # the 47 sectors
    used = [j for j, f in enumerate(fuels) if f != "gangue"]  # 30 fuels (gangue has no guideline factor)
    energy = np.zeros((1, len(YEARS), len(sectors), len(fuels)))
    block = rng.uniform(0.0, 100.0, (1, len(YEARS), len(final), len(used)))
    energy[np.ix_([0], range(len(YEARS)), final, used)] = block
    zeros_p = np.zeros((1, len(YEARS), len(sectors), len(factors.process_products())))
    return Balance(
        ("X",),
        YEARS,
        sectors,
        fuels,
        tuple(sorted(factors.process_products())),
        energy,
        energy * 0.05,
        zeros_p,
        zeros_p.copy(),
        (),
        (),
        {},
    )


def factor_table(balance: Balance) -> np.ndarray:
    """t CO2 per unit of each fuel in each year (years × fuels; 0 for a fuel that is not fossil or
    has no guideline factor)."""
    table = factors.fuels()
    ef = np.zeros((len(balance.years), len(balance.fuels)))
    for y, year in enumerate(balance.years):
        for f, fuel in enumerate(balance.fuels):
            if table[fuel].kind in ("coal", "oil", "gas"):
                fac = factors.combustion_factor("guideline", fuel, year)
                if fac is not None:  # a fuel without a guideline factor is never used here (gangue)
                    ef[y, f] = fac.ncv_tj_per(table[fuel].unit) * fac.ef_t_per_tj
    return ef


def hoisted_loop(balance: Balance, cells: list[tuple[int, int, int, float]]) -> dict[int, float]:
    """Lookups hoisted out of the cell loop; `cells` the non-zero (year, sector, fuel, quantity)."""
    ef = factor_table(balance).tolist()
    w = sector_weights(balance.sectors).tolist()
    totals = dict.fromkeys(range(len(balance.years)), 0.0)
    for y, s, f, q in cells:
        totals[y] += q * w[s] * ef[y][f]
    return totals


def pandas_groupby(balance: Balance, long: pd.DataFrame) -> pd.Series:
    ef = factor_table(balance)
    factors_long = pd.DataFrame(
        {
            "year": np.repeat(np.arange(len(balance.years)), len(balance.fuels)),
            "fuel": np.tile(np.arange(len(balance.fuels)), len(balance.years)),
            "ef": ef.ravel(),
        }
    )
    weights = pd.DataFrame({"sector": np.arange(len(balance.sectors)), "w": sector_weights(balance.sectors)})
    t = long.merge(factors_long, on=["year", "fuel"]).merge(weights, on="sector")
    return (t["quantity"] * t["w"] * t["ef"]).groupby(t["year"]).sum()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    balance = synthetic_balance(np.random.default_rng(2023))
    inv = inventory(balance, "guideline")  # warm caches (factor files) before timing
    _, ys, ss, fs = np.nonzero(balance.energy)
    qs = balance.energy[0, ys, ss, fs]
    cells = list(zip(ys.tolist(), ss.tolist(), fs.tolist(), qs.tolist(), strict=True))
    long = pd.DataFrame({"year": ys, "sector": ss, "fuel": fs, "quantity": qs})
    loop_totals = hoisted_loop(balance, cells)
    frame_totals = pandas_groupby(balance, long)
    for y in range(len(YEARS)):  # same answers before timing anything
        assert np.isclose(loop_totals[y], inv.energy_total[0, y], rtol=1e-9)
        assert np.isclose(frame_totals[y], inv.energy_total[0, y], rtol=1e-9)
    t = interleaved(
        {
            "inventory()": lambda: inventory(balance, "guideline").energy_total,
            "hoisted loop": lambda: hoisted_loop(balance, cells),
            "pandas groupby": lambda: pandas_groupby(balance, long),
        },
        args.repeat,
    )
    print(f"inventory: {len(YEARS)} years × 47 sectors × 30 fuels ({len(cells):,} non-zero cells)")
    for name, timing in t.items():
        print(f"  {name:16} {timing.text()}")
    ours = t["inventory()"]
    rows = [
        Row(
            "inventory",
            "inventory() of 28,200 cells: wall",
            ours.wall_median * 1e3,
            "ms",
            "< 20 ms",
            ours.wall_median < 0.020,
            f"CPU {ours.cpu_median * 1e3:.2f} ms",
        )
    ]
    for name in ("hoisted loop", "pandas groupby"):
        rows.append(
            Row(
                "inventory",
                f"{name}: wall",
                t[name].wall_median * 1e3,
                "ms",
                "",
                None,
                f"{t[name].wall_median / ours.wall_median:.1f}x inventory()'s time",
            )
        )
    record("inventory", rows)


if __name__ == "__main__":
    main()
