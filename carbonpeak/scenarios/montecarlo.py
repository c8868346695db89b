"""Monte Carlo over a scenario: latent draws, chunked model runs, and the summary a user reads.

Map:
    latent(scenario, rng, n)      correlated standard normals, draws x uncertain drivers
    simulate(scenario, z, ...)    run the model in chunks of draws; keep the per-draw series needed
    Collected                     those series (years x draws) and sector means (years x sectors)
    summarise(scenario, coll)     p_peak_by_<year>, peak_year, peak_value, bands, target_probabilities
    target_hits(...)              per-draw booleans for each target

All latent normals are drawn at once (draws x drivers, a few MB), so a result depends on the seed
and the number of draws only, never on the chunk size. Chunks bound the memory of the model's
intermediate arrays (draws x years x sectors).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from carbonpeak.scenarios.drivers import (
    Array,
    Driver,
    correlation_matrix,
    latent_normals,
    uncertain_keys,
)
from carbonpeak.scenarios.history import series_at
from carbonpeak.scenarios.model import Addition, Scenario, Target, Trajectories, project
from carbonpeak.scenarios.peak import peak_index

QUANTILES = (5, 25, 50, 75, 95)
DEFAULT_CHUNK = 10_000


@dataclass
class Collected:
    """Per-draw series (years x draws): CO2 (t), energy (tce), GDP (万元), shares.

    Sector means are years x sectors.
    """

    years: np.ndarray
    co2: Array
    energy: Array
    gdp: Array
    non_fossil_share: Array
    fuel_share: dict[str, Array]
    co2_by_sector_mean: Array
    energy_by_sector_mean: Array


def uncertain(scenario: Scenario, drivers: Mapping[str, Driver] | None = None) -> list[str]:
    return uncertain_keys(scenario.drivers if drivers is None else drivers)


def cholesky(scenario: Scenario, keys: list[str]) -> Array:
    r = correlation_matrix(keys, scenario.correlations)
    return np.asarray(np.linalg.cholesky(r)) if keys else np.zeros((0, 0))


def latent(scenario: Scenario, rng: np.random.Generator, n: int, keys: list[str] | None = None) -> Array:
    """(n x k) correlated standard normals for the scenario's uncertain drivers."""
    keys = uncertain(scenario) if keys is None else keys
    return latent_normals(rng, n, cholesky(scenario, keys))


def default_workers() -> int:
    """Threads for the chunks of a run: CARBONPEAK_THREADS, else the cores (at most 4)."""
    env = os.environ.get("CARBONPEAK_THREADS", "")
    return int(env) if env.isdigit() and int(env) > 0 else min(os.cpu_count() or 1, 4)


def simulate(
    scenario: Scenario,
    z: Array,
    keys: list[str],
    *,
    chunk: int = DEFAULT_CHUNK,
    drivers: Mapping[str, Driver] | None = None,
    additions: Iterable[Addition] | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Collected:
    """Run the model for every row of `z`, `chunk` draws at a time on `workers` threads (default:
    CARBONPEAK_THREADS, else the number of cores, at most 4); `progress(done)` after each chunk."""
    n = z.shape[0]
    years = scenario.all_years
    h = len(scenario.history)  # inventory years before the base year: the same in every draw
    adds = None if additions is None else tuple(additions)
    shape = (len(years), n)
    co2, energy, gdp, nfs = (np.empty(shape) for _ in range(4))
    fuel_share: dict[str, Array] = {}
    sums_co2: Array | None = None
    sums_energy: Array | None = None
    bounds = [(start, min(start + chunk, n)) for start in range(0, n, chunk)]

    def one(b: tuple[int, int]) -> Trajectories:
        return project(scenario, z[b[0] : b[1]], keys, drivers=drivers, additions=adds)

    # NumPy releases the GIL in its array loops: chunks run on `workers` threads; results are
    # collected in chunk order, so sums and answers do not depend on the number of threads
    workers = max(1, min(workers if workers is not None else default_workers(), len(bounds)))
    pool = ThreadPoolExecutor(max_workers=workers) if workers > 1 else None
    results = pool.map(one, bounds) if pool is not None else map(one, bounds)
    for (start, stop), tr in zip(bounds, results, strict=True):
        m = stop - start
        co2[h:, start:stop] = tr.co2
        energy[h:, start:stop] = tr.energy
        gdp[h:, start:stop] = tr.gdp
        nfs[h:, start:stop] = tr.non_fossil_share
        for fuel, share in tr.fuel_share.items():
            fuel_share.setdefault(fuel, np.empty(shape))[h:, start:stop] = share
        c = tr.co2_by_sector.T * m
        e = tr.energy_by_sector.T * m
        sums_co2 = c if sums_co2 is None else sums_co2 + c
        sums_energy = e if sums_energy is None else sums_energy + e
        if progress is not None:
            progress(stop)
    if pool is not None:
        pool.shutdown()
    assert sums_co2 is not None and sums_energy is not None
    co2_mean, energy_mean = sums_co2 / n, sums_energy / n
    if h:
        past = [series_at(b) for b in scenario.history]
        co2[:h] = np.array([v.co2 for v in past])[:, None]
        energy[:h] = np.array([v.energy for v in past])[:, None]
        gdp[:h] = np.array([v.gdp for v in past])[:, None]
        nfs[:h] = np.array([v.non_fossil_share for v in past])[:, None]
        for fuel, share in fuel_share.items():
            share[:h] = np.array([v.fuel_share[fuel] for v in past])[:, None]
        co2_mean = np.vstack([np.array([v.co2_by_sector for v in past]), co2_mean])
        energy_mean = np.vstack([np.array([v.energy_by_sector for v in past]), energy_mean])
    return Collected(
        years=years,
        co2=co2,
        energy=energy,
        gdp=gdp,
        non_fossil_share=nfs,
        fuel_share=fuel_share,
        co2_by_sector_mean=co2_mean,
        energy_by_sector_mean=energy_mean,
    )


def target_hits(target: Target, coll: Collected) -> np.ndarray:
    """Boolean per draw: the target is met in its year."""
    col = _col(coll.years, target.year)
    if target.indicator == "non_fossil_share":
        value = coll.non_fossil_share[col]
    elif target.indicator == "fuel_share":
        value = coll.fuel_share[target.fuel][col]
    else:
        # only the two years compared are divided (the same numbers as dividing every year)
        def series(i: int) -> Array:
            if target.indicator == "energy_intensity_change":
                return np.asarray(coll.energy[i] / coll.gdp[i])
            if target.indicator == "co2_intensity_change":
                return np.asarray(coll.co2[i] / coll.gdp[i])
            if target.indicator == "co2_change":
                return np.asarray(coll.co2[i])
            raise KeyError(target.indicator)

        if target.reference_value is not None:
            ref: Array | float = target.reference_value
        else:
            ref = series(_col(coll.years, int(target.reference_year or coll.years[0])))
        value = series(col) / ref - 1.0
    return np.asarray(
        value >= target.threshold if target.direction == "at_least" else value <= target.threshold
    )


def _col(years: np.ndarray, year: int) -> int:
    return int(np.clip(year - int(years[0]), 0, len(years) - 1))


def peak_stats(scenario: Scenario, coll: Collected) -> tuple[np.ndarray, Array, np.ndarray]:
    """Per draw: peak year, peak value (t CO2), and whether the peak is in or before `peak_by` (a peak
    in the last year is a path still rising at the horizon: not peaked)."""
    idx = peak_index(coll.co2, tolerance=scenario.tolerance, axis=0)
    years = coll.years[idx]
    return years, coll.co2.max(axis=0), (years <= scenario.peak_by) & (years < coll.years[-1])


def quantiles(a: Array, qs: tuple[int, ...] = QUANTILES) -> Array:
    """Percentiles `qs` of each row (years x draws), linear interpolation (NumPy's default method).

    Only the order statistics the interpolation reads are placed (np.partition, O(draws) per row),
    not a full sort, and only in rows that vary (the inventory years before the base year are the
    same in every draw); the interpolation formula is the one the sorted version used, so the values
    are identical to the last bit.
    """
    n = a.shape[1]
    pos = np.asarray(qs, dtype=np.float64) / 100.0 * (n - 1)
    lo = np.floor(pos).astype(int)
    hi = np.minimum(lo + 1, n - 1)
    kth = np.unique(np.concatenate([lo, hi]))
    varying = a.min(axis=1) != a.max(axis=1)
    at_lo = np.repeat(a[:, :1], len(qs), axis=1)  # a constant row: every order statistic is its value
    at_hi = at_lo.copy()
    if varying.any():
        placed = np.partition(a if varying.all() else a[varying], kth, axis=1)
        at_lo[varying], at_hi[varying] = placed[:, lo], placed[:, hi]
    frac = pos - lo
    return np.asarray((at_lo * (1.0 - frac) + at_hi * frac).T)


def _band(a: Array, scale: float = 1.0, digits: int = 4) -> dict[str, list[float]]:
    q = quantiles(a) * scale
    return {f"p{p}": [round(float(v), digits) for v in q[i]] for i, p in enumerate(QUANTILES)}


def summarise(scenario: Scenario, coll: Collected) -> dict[str, Any]:
    """The user-facing summary of a run (JSON-ready; CO2 in Mt, energy in Mtce, shares as fractions)."""
    years, values, by = peak_stats(scenario, coll)
    uniq, counts = np.unique(years, return_counts=True)
    n = len(years)
    horizon = int(coll.years[-1])
    pq = np.percentile(years, QUANTILES)
    vq = np.percentile(values / 1e6, QUANTILES)
    bands: dict[str, Any] = {
        "years": [int(y) for y in coll.years],
        "co2": {"unit": "MtCO2", **_band(coll.co2, 1e-6)},
        "energy": {"unit": "Mtce", **_band(coll.energy, 1e-6)},
        "non_fossil_share": {"unit": "1", **_band(coll.non_fossil_share)},
        "co2_intensity": {"unit": "tCO2/万元", **_band(coll.co2 / coll.gdp)},
        "energy_intensity": {"unit": "tce/万元", **_band(coll.energy / coll.gdp)},
    }
    for fuel, share in coll.fuel_share.items():
        bands[f"{fuel}_share"] = {"unit": "1", **_band(share)}
    sector_names = [*scenario.base.sectors, "process"]
    return {
        "p_peak_by_2030": float(((years <= 2030) & (years < horizon)).mean()),
        "p_peak_by": {"year": scenario.peak_by, "probability": float(by.mean())},
        "peak_year": {
            "distribution": {str(int(y)): round(c / n, 6) for y, c in zip(uniq, counts, strict=True)},
            "quantiles": {f"p{p}": int(v) for p, v in zip(QUANTILES, pq, strict=True)},
            "p_not_peaked_by_horizon": float((years >= horizon).mean()),
        },
        "peak_value": {
            "unit": "MtCO2",
            "mean": round(float(values.mean() / 1e6), 4),
            "quantiles": {f"p{p}": round(float(v), 4) for p, v in zip(QUANTILES, vq, strict=True)},
        },
        "bands": bands,
        "co2_by_sector_mean": {
            "unit": "MtCO2",
            "sectors": {
                s: [round(float(v) / 1e6, 4) for v in coll.co2_by_sector_mean[:, i]]
                for i, s in enumerate(sector_names)
            },
        },
        "energy_by_sector_mean": {
            "unit": "Mtce",
            "sectors": {
                s: [round(float(v) / 1e6, 4) for v in coll.energy_by_sector_mean[:, i]]
                for i, s in enumerate(scenario.base.sectors)
            },
        },
        "target_probabilities": [
            {
                "id": t.id,
                "indicator": t.indicator,
                "year": t.year,
                "threshold": t.threshold,
                "direction": t.direction,
                "label_zh": t.label_zh,
                "label_en": t.label_en,
                "probability": float(target_hits(t, coll).mean()),
            }
            for t in scenario.targets
        ],
    }


def run(
    scenario: Scenario,
    *,
    draws: int,
    seed: int,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
) -> tuple[Collected, dict[str, Any]]:
    """A seeded run: the collected series and their summary, with the seed and scenario hash recorded."""
    rng = np.random.default_rng(seed)
    keys = uncertain(scenario)
    z = latent(scenario, rng, draws, keys)
    coll = simulate(scenario, z, keys, chunk=chunk, progress=progress)
    summary = {
        "scenario": scenario.name,
        "scenario_hash": scenario.source_hash,
        "seed": seed,
        "draws": draws,
        "base_year": int(scenario.base.year),
        "first_projected_year": int(scenario.base.year) + 1,
        "history_years": [int(b.year) for b in scenario.history] + [int(scenario.base.year)],
        "base_flag": scenario.base_flag,
        "tolerance": scenario.tolerance,
        "peak_by": scenario.peak_by,
        "uncertain_drivers": keys,
        **summarise(scenario, coll),
    }
    return coll, summary


__all__ = [
    "QUANTILES",
    "Collected",
    "latent",
    "peak_stats",
    "quantiles",
    "run",
    "simulate",
    "summarise",
    "target_hits",
]
