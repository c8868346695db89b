"""Benchmark: the inventory of 20 years × 47 sectors × 30 fuels, vectorised vs a per-cell Python loop.

Run: `.venv/bin/python benchmarks/inventory.py`. Prints, measured in the same run:
  - the kernel (CO2 of every cell and the totals) vectorised vs the same arithmetic as a per-cell loop;
  - the whole `inventory()` call (factor resolution, missing-factor checks, grid term, kernel) vs the
    loop plus the same factor resolution done per cell, the way a straightforward implementation would.
Goal (issue 3): at least 50× and under 20 ms.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from carbonpeak.accounting import Balance, factors, inventory
from carbonpeak.accounting.inventory import co2_cells, sector_weights

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


def loop_kernel(balance: Balance, w: np.ndarray, ef: np.ndarray) -> dict[tuple[int, int], float]:
    totals: dict[tuple[int, int], float] = {}
    e = balance.energy.tolist()
    wl, efl = w.tolist(), ef.tolist()
    for r in range(len(balance.regions)):
        for y in range(len(balance.years)):
            acc = 0.0
            for s in range(len(balance.sectors)):
                for f in range(len(balance.fuels)):
                    acc += e[r][y][s][f] * wl[s] * efl[y][f]
            totals[(r, y)] = acc
    return totals


def loop_full(balance: Balance) -> dict[tuple[int, int], float]:
    """Per cell: look the factor up, convert its NCV to the fuel's unit, multiply, add."""
    table, stable = factors.fuels(), factors.sectors()
    totals: dict[tuple[int, int], float] = {}
    for r in range(len(balance.regions)):
        for y, year in enumerate(balance.years):
            acc = 0.0
            for s, sector in enumerate(balance.sectors):
                weight = {"final": 1.0, "transformation_combustion": 1.0, "non_energy": -1.0}.get(
                    stable[sector].role, 0.0
                )
                for f, fuel in enumerate(balance.fuels):
                    q = balance.energy[r, y, s, f]
                    if q == 0.0 or weight == 0.0 or table[fuel].kind not in ("coal", "oil", "gas"):
                        continue
                    fac = factors.combustion_factor("guideline", fuel, year)
                    assert fac is not None
                    acc += q * weight * fac.ncv_tj_per(table[fuel].unit) * fac.ef_t_per_tj
            totals[(r, y)] = acc
    return totals


def best_of(fn: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    balance = synthetic_balance(np.random.default_rng(2023))
    inv = inventory(balance, "guideline")  # warm caches (factor files) before timing
    w = sector_weights(balance.sectors)
    ef = inv.ef_energy
    loop_totals = loop_kernel(balance, w, ef)
    full_totals = loop_full(balance)
    for y in range(len(YEARS)):  # same answers before timing anything
        assert np.isclose(loop_totals[(0, y)], inv.energy_total[0, y], rtol=1e-9)
        assert np.isclose(full_totals[(0, y)], inv.energy_total[0, y], rtol=1e-9)

    t_kernel = best_of(lambda: co2_cells(balance.energy, w, ef).sum(axis=(2, 3)), 50)
    t_loop_kernel = best_of(lambda: loop_kernel(balance, w, ef), 3)
    t_inv = best_of(lambda: inventory(balance, "guideline").energy_total, 20)
    t_loop_full = best_of(lambda: loop_full(balance), 3)
    cells = len(YEARS) * 47 * 30
    print(f"inventory benchmark: {len(YEARS)} years × 47 sectors × 30 fuels = {cells} cells")
    print(
        f"kernel     vectorised {t_kernel * 1e3:8.3f} ms   per-cell loop {t_loop_kernel * 1e3:8.2f} ms   "
        f"ratio {t_loop_kernel / t_kernel:7.1f}×"
    )
    print(
        f"inventory  vectorised {t_inv * 1e3:8.3f} ms   per-cell loop {t_loop_full * 1e3:8.2f} ms   "
        f"ratio {t_loop_full / t_inv:7.1f}×"
    )
    ok = t_inv < 0.020 and t_loop_full / t_inv >= 50
    print(f"goal (≥ 50× and < 20 ms for the whole inventory call): {'met' if ok else 'NOT met'}")


if __name__ == "__main__":
    main()
