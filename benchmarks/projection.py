"""Benchmark: Monte Carlo draws of the plan scenario over 2021-2060 (2021-2024: inventory).

Two sides, timed interleaved in one run (median and spread of wall and CPU time; CPU counts every
thread):
  - the engine: `montecarlo.run_summary` (the model in chunks of draws on threads, each chunk
    summarised and dropped; percentiles by partition while the bands fit in a fixed budget, streamed
    by exact brackets beyond);
  - plain NumPy: what a competent engineer would write with the same model — `model.project` on all
    draws at once, `np.percentile` for the bands, `peak_year` for the peaks. Its bands and peak
    odds must equal the engine's (checked).
A per-draw Python loop over the same equations checks the model on a few hundred draws (a second
implementation, not a speed baseline). Peak memory of 1,000,000 draws is measured in a child process
(its VmHWM). Goals (issue 24): 100,000 draws < 2 s CPU; 1,000,000 draws < 1 GB.
Run: `.venv/bin/python benchmarks/projection.py [--draws N] [--repeat R] [--big-draws M]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from carbonpeak.scenarios.history import series_at
from carbonpeak.scenarios.model import Scenario, project
from carbonpeak.scenarios.montecarlo import (
    QUANTILES,
    default_workers,
    latent,
    run_summary,
    simulate,
    uncertain,
)
from carbonpeak.scenarios.peak import peak_year
from carbonpeak.services.projection import load_with_inventory
from carbonpeak.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import Row, interleaved, record


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


def plain_numpy(sc: Scenario, draws: int, seed: int) -> dict[str, np.ndarray | float]:
    """The same model and summary in plain vectorised NumPy: all draws in one array, np.percentile."""
    keys = uncertain(sc)
    z = latent(sc, np.random.default_rng(seed), draws, keys)
    tr = project(sc, z, keys)
    past = [series_at(b) for b in sc.history]

    def full(values: np.ndarray, history: list[float]) -> np.ndarray:
        return (
            np.vstack([np.repeat(np.array(history)[:, None], draws, axis=1), values]) if history else values
        )

    co2 = full(tr.co2, [v.co2 for v in past])
    energy = full(tr.energy, [v.energy for v in past])
    gdp = full(tr.gdp, [v.gdp for v in past])
    nfs = full(tr.non_fossil_share, [v.non_fossil_share for v in past])
    shares = {f: full(a, [v.fuel_share[f] for v in past]) for f, a in tr.fuel_share.items()}
    bands = {
        "co2": np.percentile(co2, QUANTILES, axis=1),
        "energy": np.percentile(energy, QUANTILES, axis=1),
        "non_fossil_share": np.percentile(nfs, QUANTILES, axis=1),
        "co2_intensity": np.percentile(co2 / gdp, QUANTILES, axis=1),
        "energy_intensity": np.percentile(energy / gdp, QUANTILES, axis=1),
        **{f"{f}_share": np.percentile(a, QUANTILES, axis=1) for f, a in shares.items()},
    }
    years = peak_year(co2.T, sc.all_years, tolerance=sc.tolerance)
    horizon = int(sc.all_years[-1])
    return {"p_peak_by_2030": float(((years <= 2030) & (years < horizon)).mean()), **bands}


def peak_rss_mb(draws: int, seed: int) -> float:
    """Peak resident memory (MB) of a fresh process running `draws` draws through the engine: its
    own VmHWM (ru_maxrss is not used: Linux carries the forking parent's high-water mark, the
    interleaved runs above, across exec into the child's)."""
    code = (
        "from carbonpeak.services.projection import load_with_inventory\n"
        "from carbonpeak.scenarios.montecarlo import run_summary\n"
        f"run_summary(load_with_inventory('plan'), draws={draws}, seed={seed})\n"
        "from pathlib import Path\n"
        "status = Path('/proc/self/status').read_text().splitlines()\n"
        "print(next(line for line in status if line.startswith('VmHWM:')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise SystemExit(f"the {draws}-draw run failed: {out.stderr[-2000:]}")
    return int(out.stdout.split()[-2]) / 1024  # "VmHWM:  663552 kB"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--big-draws", type=int, default=1_000_000)
    parser.add_argument("--loop-draws", type=int, default=200)
    parser.add_argument("--seed", type=int, default=2023)
    args = parser.parse_args()
    sc = load_with_inventory("plan")
    draws, seed = args.draws, args.seed
    threads = Settings().threads or default_workers()  # CARBONPEAK_THREADS, as the services pass it
    print(
        f"scenario plan ({sc.source_hash[:12]}), {draws:,} draws, years {sc.all_years[0]}-{sc.horizon}, "
        f"{threads} threads, load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores"
    )
    run_summary(sc, draws=1000, seed=seed, workers=threads)  # warm-up (imports, caches)

    # the model checked against a second implementation (a per-draw loop), then the summary against
    # plain NumPy's
    keys = uncertain(sc)
    z = latent(sc, np.random.default_rng(seed), args.loop_draws, keys)
    past = [series_at(b).co2 for b in sc.history]
    loop = [_loop_co2(sc, z[i], keys) for i in range(args.loop_draws)]
    vec = simulate(sc, z, keys, workers=threads)
    assert np.allclose(np.array(loop).T, vec.co2[len(past) :], rtol=1e-9), "the loop and the engine disagree"
    assert [_loop_peak(past + e, sc.tolerance) for e in loop] == [
        int(p) - int(sc.all_years[0]) for p in peak_year(vec.co2.T, sc.all_years, tolerance=sc.tolerance)
    ], "peak years disagree"
    summary = run_summary(sc, draws=draws, seed=seed, workers=threads)
    plain = plain_numpy(sc, draws, seed)
    assert summary["p_peak_by_2030"] == plain["p_peak_by_2030"]
    for name in ("co2", "energy", "co2_intensity"):
        scale = 1e-6 if name in ("co2", "energy") else 1.0
        ours = np.array([summary["bands"][name][f"p{q}"] for q in QUANTILES])
        assert np.allclose(ours, np.round(np.asarray(plain[name]) * scale, 4), atol=1e-4), name

    t = interleaved(
        {
            "engine": lambda: run_summary(sc, draws=draws, seed=seed, workers=threads),
            "plain NumPy": lambda: plain_numpy(sc, draws, seed),
        },
        args.repeat,
    )
    for name, timing in t.items():
        print(f"  {name:12} {timing.text(1.0, 's')}")
    rss = peak_rss_mb(args.big_draws, seed)
    print(f"  {args.big_draws:,} draws: peak RSS {rss:,.0f} MB")
    e, p = t["engine"], t["plain NumPy"]
    record(
        "projection",
        [
            Row(
                "projection",
                f"{draws:,} draws, engine: CPU",
                e.cpu_median,
                "s",
                "< 2 s CPU",
                e.cpu_median < 2,
                f"wall {e.wall_median:.2f} s",
            ),
            Row(
                "projection",
                f"{draws:,} draws, plain NumPy (same model): CPU",
                p.cpu_median,
                "s",
                "",
                None,
                f"wall {p.wall_median:.2f} s; engine/plain CPU {e.cpu_median / p.cpu_median:.2f}",
            ),
            Row(
                "projection",
                f"{args.big_draws:,} draws, engine: peak RSS",
                rss,
                "MB",
                "< 1024 MB",
                rss < 1024,
            ),
        ],
    )


def _loop_peak(e: list[float], tol: float) -> int:
    for i in range(len(e)):
        if max(e[i:]) <= e[i] * (1 + tol):
            return i
    return len(e) - 1


if __name__ == "__main__":
    main()
