"""Benchmark: 100,000 Monte Carlo draws of the plan scenario over 2021-2060 (2021-2024: inventory).

Prints the wall and CPU time of the vectorised engine (model + bands + peak + targets), its peak
memory (tracemalloc, in a second run), and the ratio against a per-draw Python loop over the same
equations, measured in the same run on a subset of draws — whose CO2 trajectories must equal the
engine's (a second implementation of the model, checked here).
The engine runs its chunks on threads (CARBONPEAK_THREADS, default: the cores, at most 4), so wall
time is below CPU time; the ratio is printed on both. Goal (issue 5): >= 100x, < 2 s, < 2 GB.
Run: `.venv/bin/python benchmarks/projection.py [draws] [loop_draws]`.
"""

from __future__ import annotations

import os
import sys
import time
import tracemalloc

import numpy as np

from carbonpeak.scenarios.history import series_at
from carbonpeak.scenarios.model import Scenario
from carbonpeak.scenarios.montecarlo import default_workers, latent, run, simulate, uncertain
from carbonpeak.services.projection import load_with_inventory


def _loop_co2(sc: Scenario, zrow: np.ndarray, keys: list[str]) -> list[float]:
    """CO2 trajectory of one draw, year by year, sector by sector, in plain Python floats."""
    b = sc.base
    years = list(range(b.year, sc.horizon + 1))
    col = {k: i for i, k in enumerate(keys)}

    def path(key: str) -> list[float] | None:
        d = sc.drivers.get(key)
        if d is None:
            return None
        vals = [float(x.ppf_z(np.array([zrow[col[key]]]))[0]) if key in col else x.central() for x in d.dists]
        out = []
        for t, y in enumerate(years):
            if d.kind == "rate":
                v = 0.0
                if t > 0:
                    for (first, last), x in zip(d.columns, vals, strict=True):
                        if first <= y <= last:
                            v = x
                out.append(v)
            else:
                pts = [c[0] for c in d.columns]
                if y <= pts[0]:
                    out.append(vals[0])
                elif y >= pts[-1]:
                    out.append(vals[-1])
                else:
                    for j in range(len(pts) - 1):
                        if pts[j] <= y <= pts[j + 1]:
                            w = (y - pts[j]) / (pts[j + 1] - pts[j])
                            out.append(vals[j] * (1 - w) + vals[j + 1] * w)
                            break
        return out

    def level(key: str) -> list[float]:
        return path(key) or [0.0] * len(years)

    def index(key: str) -> list[float]:
        p = path(key)
        acc, out = 1.0, []
        for t in range(len(years)):
            acc *= 1.0 + (p[t] if p else 0.0)
            out.append(acc)
        return out

    fuels = [f.name for f in b.fuels]
    gdp, pop = index("gdp_growth"), index("population_growth")
    sector_idx = {
        s: (
            index(f"sectors.{s}.activity_change"),
            index(f"sectors.{s}.intensity_change"),
            {f: index(f"sectors.{s}.fuel_shift.{f}") for f in fuels},
        )
        for s in b.sectors
    }
    caps = {
        t.name: (level(f"power.{t.name}.capacity"), level(f"power.{t.name}.capacity_factor"), t.variable)
        for t in b.non_fossil_techs
    }
    storage, curt = level("power.storage.capacity"), level("power.curtailment")
    lf_idx = {
        lf.fuel: (index(f"power.{lf.fuel}.generation_change"), index(f"power.{lf.fuel}.heat_rate_change"))
        for lf in b.local_fossil
    }
    grid, proc = index("power.grid_factor_change"), index("process.change")
    out, gap = [], 0.0
    for t in range(len(years)):
        direct, el = 0.0, 0.0
        for si, s in enumerate(b.sectors):
            e0 = b.energy[si]
            tot0 = float(e0.sum())
            if tot0 <= 0:
                continue
            act, inten, shift = sector_idx[s]
            e = tot0 * (gdp[t] if b.activity_basis[si] == "gdp" else pop[t]) * act[t] * inten[t]
            w = [float(e0[fi]) / tot0 * shift[f][t] for fi, f in enumerate(fuels)]
            norm = sum(w)
            for fi, fuel in enumerate(b.fuels):
                q = e * w[fi] / norm
                if fuel.kind == "fossil":
                    ef = fuel.co2_factor if b.co2_factors is None else float(b.co2_factors[si, fi])
                    direct += q * ef
                elif fuel.kind == "electricity":
                    el += q
        demand = el / b.electricity_tce_per_mwh + storage[t] * b.storage_hours * b.storage_cycles * (
            1 - b.storage_efficiency
        )
        var_cap = sum(c[0][t] for c in caps.values() if c[2])
        need = b.storage_cover_ratio * var_cap
        cover = storage[t] / need if need > 0 else 1.0
        c = curt[t] * min(max(1.0 - cover, 0.0), 1.0)
        gen_nf = sum(cp[t] * cf[t] * 8760.0 * ((1 - c) if v else 1.0) for cp, cf, v in caps.values())
        if t == 0:
            gen_nf0 = gen_nf
        if b.non_fossil_generation_mwh is not None:  # observed base year plus the modelled change
            gen_nf = b.non_fossil_generation_mwh + gen_nf - gen_nf0
        local_gen, local_co2 = 0.0, 0.0
        for lf in b.local_fossil:
            g = lf.generation_mwh * lf_idx[lf.fuel][0][t]
            local_gen += g
            ef = b.fuels[fuels.index(lf.fuel)].co2_factor if lf.co2_factor is None else lf.co2_factor
            local_co2 += g * lf.heat_rate * lf_idx[lf.fuel][1][t] * ef
        if t == 0:
            gap = b.electricity_imported_mwh - (demand - gen_nf - local_gen)
        imports = demand - gen_nf - local_gen + gap
        out.append(direct + local_co2 + imports * b.grid_factor * grid[t] + b.process_emissions * proc[t])
    return out


def _loop_peak(e: list[float], tol: float) -> int:
    for i in range(len(e)):
        if max(e[i:]) <= e[i] * (1 + tol):
            return i
    return len(e) - 1


def main(draws: int = 100_000, loop_draws: int = 300, seed: int = 2023) -> None:
    sc = load_with_inventory("plan")
    print(
        f"scenario plan ({sc.source_hash[:12]}), {draws:,} draws, years {sc.all_years[0]}-{sc.horizon} "
        f"(inventory to {sc.base.year}), "
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    run(sc, draws=1000, seed=seed)  # warm-up (imports, caches)

    t0, c0 = time.perf_counter(), time.process_time()
    _, summary = run(sc, draws=draws, seed=seed)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"vectorised: {wall:.3f} s wall, {cpu:.3f} s CPU  (p_peak_by_2030 = {summary['p_peak_by_2030']:.4f})"
    )

    tracemalloc.start()
    run(sc, draws=draws, seed=seed)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak traced memory: {peak / 2**20:.0f} MiB")

    keys = uncertain(sc)
    z = latent(sc, np.random.default_rng(seed), draws, keys)
    t0 = time.perf_counter()
    past = [series_at(b).co2 for b in sc.history]  # the inventory's years before the base year
    loop = [_loop_co2(sc, z[i], keys) for i in range(loop_draws)]
    peaks = [_loop_peak(past + e, sc.tolerance) for e in loop]
    per_loop = (time.perf_counter() - t0) / loop_draws
    vec = simulate(sc, z[:loop_draws], keys)
    assert np.allclose(np.array(loop).T, vec.co2[len(past) :], rtol=1e-9), "the loop and the engine disagree"
    vec_peaks = [int(p) - int(sc.all_years[0]) for p in summary_peaks(sc, vec.co2)]
    assert peaks == vec_peaks, "peak years disagree"
    per_vec = wall / draws
    print(
        f"per-draw Python loop: {per_loop * 1e3:.2f} ms/draw on {loop_draws} draws (same CO2 and peak years)"
    )
    print(f"vectorised: {per_vec * 1e6:.2f} µs/draw  ->  ratio {per_loop / per_vec:,.0f}x (wall)")
    print(
        f"on CPU time (all {default_workers()} threads counted, the loop uses one): "
        f"ratio {per_loop / (cpu / draws):,.0f}x"
    )
    print(
        f"goal: >= 100x {'met' if per_loop / per_vec >= 100 else 'MISSED'}, "
        f"< 2 s {'met' if wall < 2 else 'MISSED'} (CPU {'met' if cpu < 2 else 'MISSED'}), "
        f"< 2 GB {'met' if peak < 2 * 2**30 else 'MISSED'}"
    )


def summary_peaks(sc: Scenario, co2: np.ndarray) -> np.ndarray:
    from carbonpeak.scenarios.peak import peak_year

    return peak_year(co2.T, sc.all_years, tolerance=sc.tolerance)


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
