"""Monte Carlo over a scenario: latent draws, chunked model runs, and the summary a user reads.

Map:
    latent(scenario, rng, n)      correlated standard normals, draws x uncertain drivers
    simulate(scenario, z, ...)    run the model in chunks of draws; keep the per-draw series needed
    Collected                     those series (years x draws) and sector means (years x sectors)
    summarise(scenario, coll)     p_peak_by_<year>, peak_year, peak_value, bands, target_probabilities
    target_hits(...)              per-draw booleans for each target
    run(scenario, draws, seed)    seeded run: the series (simulate) and their summary
    run_summary(...)              the same summary chunk by chunk, in bounded memory (Summary: per
                                  draw a few bytes; bands by _Percentiles, exact streamed percentiles)

All latent normals are drawn at once (draws x drivers, a few MB), so a result depends on the seed
and the number of draws only, never on the chunk size. Chunks bound the memory of the model's
intermediate arrays (draws x years x sectors); `run_summary` also drops each chunk's series once
summarised.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np

from carbonpeak import units
from carbonpeak.scenarios.drivers import (
    Array,
    Driver,
    correlation_matrix,
    latent_normals,
    uncertain_keys,
)
from carbonpeak.scenarios.history import series_at
from carbonpeak.scenarios.model import Addition, DrawSeries, Scenario, Target, Trajectories, project
from carbonpeak.scenarios.peak import peak_index

QUANTILES = (5, 25, 50, 75, 95)
# 2,000 draws a chunk: the model's intermediate arrays (years x draws, a few hundred kB) are reused
# by the allocator instead of being mapped and faulted in afresh (10,000 spent half the CPU there)
DEFAULT_CHUNK = 2_000
HOLD_BYTES = 320 * 2**20  # band values held at once (100,000 draws of the plan); beyond: streamed
KEEP_VALUES = 2_000_000  # values kept inside the brackets of one band before they narrow
MARGIN = 6.0  # bracket half-width, in standard deviations of a sample quantile's rank


@dataclass
class Collected(DrawSeries):
    """Per-draw series over every year (inventory years first) and sector means (years x sectors)."""

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
    """Threads for the chunks of a run when the caller names none (Settings.threads,
    CARBONPEAK_THREADS, is passed down by the services): the cores, at most 4."""
    return min(os.cpu_count() or 1, 4)


def _history_rows(scenario: Scenario) -> list[Any]:
    return [series_at(b) for b in scenario.history]


def _chunks(
    scenario: Scenario,
    z: Array,
    keys: list[str],
    *,
    chunk: int,
    drivers: Mapping[str, Driver] | None,
    additions: tuple[Addition, ...] | None,
    workers: int | None,
) -> Iterator[tuple[int, int, Trajectories]]:
    """(start, stop, trajectories) of every chunk of draws, in chunk order.

    NumPy releases the GIL in its array loops: chunks run on `workers` threads, at most two per
    thread in flight (a slow reader bounds the memory); results come back in chunk order, so sums
    and answers do not depend on the number of threads."""
    n = z.shape[0]
    bounds = [(start, min(start + chunk, n)) for start in range(0, n, chunk)]

    def one(b: tuple[int, int]) -> Trajectories:
        return project(scenario, z[b[0] : b[1]], keys, drivers=drivers, additions=additions)

    workers = max(1, min(workers if workers is not None else default_workers(), len(bounds)))
    if workers == 1:
        for b in bounds:
            yield b[0], b[1], one(b)
        return
    with ThreadPoolExecutor(max_workers=workers) as pool:
        waiting: deque[tuple[tuple[int, int], Future[Trajectories]]] = deque()
        todo = iter(bounds)
        for b in itertools.islice(todo, 2 * workers):
            waiting.append((b, pool.submit(one, b)))
        while waiting:
            b, future = waiting.popleft()
            result = future.result()
            following = next(todo, None)
            if following is not None:
                waiting.append((following, pool.submit(one, following)))
            yield b[0], b[1], result


def _chunk_collected(scenario: Scenario, past: list[Any], tr: Trajectories, m: int) -> Collected:
    """One chunk's series over every year (the inventory years, the same in every draw, first)."""

    def full(rows: list[float], values: Array) -> Array:
        if not rows:
            return values
        return np.vstack([np.repeat(np.array(rows)[:, None], m, axis=1), values])

    return Collected(
        years=scenario.all_years,
        co2=full([v.co2 for v in past], tr.co2),
        energy=full([v.energy for v in past], tr.energy),
        gdp=full([v.gdp for v in past], tr.gdp),
        non_fossil_share=full([v.non_fossil_share for v in past], tr.non_fossil_share),
        fuel_share={f: full([v.fuel_share[f] for v in past], a) for f, a in tr.fuel_share.items()},
        co2_by_sector_mean=tr.co2_by_sector.T,
        energy_by_sector_mean=tr.energy_by_sector.T,
    )


class _SectorSums:
    """Sector means over the draws: chunk means weighted by chunk size, summed in chunk order."""

    def __init__(self) -> None:
        self.co2: Array | None = None
        self.energy: Array | None = None

    def add(self, tr: Trajectories, m: int) -> None:
        c, e = tr.co2_by_sector.T * m, tr.energy_by_sector.T * m
        self.co2 = c if self.co2 is None else self.co2 + c
        self.energy = e if self.energy is None else self.energy + e

    def means(self, past: list[Any], n: int) -> tuple[Array, Array]:
        assert self.co2 is not None and self.energy is not None
        co2_mean, energy_mean = self.co2 / n, self.energy / n
        if past:
            co2_mean = np.vstack([np.array([v.co2_by_sector for v in past]), co2_mean])
            energy_mean = np.vstack([np.array([v.energy_by_sector for v in past]), energy_mean])
        return co2_mean, energy_mean


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
    the number of cores, at most 4; the services pass Settings.threads), keeping every draw's series (years x
    draws: memory grows with the draws; `run_summary` keeps only what the summary needs);
    `progress(done)` after each chunk."""
    n = z.shape[0]
    years = scenario.all_years
    h = len(scenario.history)  # inventory years before the base year: the same in every draw
    adds = None if additions is None else tuple(additions)
    shape = (len(years), n)
    co2, energy, gdp, nfs = (np.empty(shape) for _ in range(4))
    fuel_share: dict[str, Array] = {}
    sums = _SectorSums()
    for start, stop, tr in _chunks(
        scenario, z, keys, chunk=chunk, drivers=drivers, additions=adds, workers=workers
    ):
        co2[h:, start:stop] = tr.co2
        energy[h:, start:stop] = tr.energy
        gdp[h:, start:stop] = tr.gdp
        nfs[h:, start:stop] = tr.non_fossil_share
        for fuel, share in tr.fuel_share.items():
            fuel_share.setdefault(fuel, np.empty(shape))[h:, start:stop] = share
        sums.add(tr, stop - start)
        if progress is not None:
            progress(stop)
    past = _history_rows(scenario) if h else []
    co2_mean, energy_mean = sums.means(past, n)
    if h:
        co2[:h] = np.array([v.co2 for v in past])[:, None]
        energy[:h] = np.array([v.energy for v in past])[:, None]
        gdp[:h] = np.array([v.gdp for v in past])[:, None]
        nfs[:h] = np.array([v.non_fossil_share for v in past])[:, None]
        for fuel, share in fuel_share.items():
            share[:h] = np.array([v.fuel_share[fuel] for v in past])[:, None]
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


class _Percentiles:
    """Exact percentiles QUANTILES of each row of a stream of (rows x m) chunks, `n` columns in all.

    Up to `hold` columns are held; when all `n` fit, `quantiles` answers from them. Beyond, the
    held columns set a bracket [L, U] per row and percentile around each order statistic the
    interpolation reads (MARGIN standard deviations of a sample quantile's rank either side), and
    every column (the held ones first) adds to exact counts — how many values lie below L and up
    to U — while only the values inside a bracket are kept. When the kept values pass `keep`, the
    brackets narrow to the same margin around the answer the counts so far give (those values are
    counted below or above instead). At the end each order statistic is read from the kept values
    of its bracket at its rank less the count below; one whose rank falls outside its bracket (a
    bracket that missed: odds of about 1e-9 per bracket) is recomputed exactly from its full row,
    obtained by `replay`, a few rows at a time. Memory: the held columns and the kept values, both
    bounded, whatever `n`; the answers are the order statistics themselves, so they equal
    `quantiles` of the whole array to the last bit.
    """

    def __init__(self, n: int, rows: int, *, hold: int, keep: int, margin: float) -> None:
        self.n, self.rows, self.keep_limit, self.margin = n, rows, keep, margin
        pos = np.asarray(QUANTILES, dtype=np.float64) / 100.0 * (n - 1)
        self.lo = np.floor(pos).astype(np.int64)
        self.hi = np.minimum(self.lo + 1, n - 1)
        self.frac = pos - self.lo
        self.p = pos / (n - 1) if n > 1 else np.zeros_like(pos)
        self.hold = max(hold * rows, 1)  # values held at once
        self.held = np.empty((rows, min(n, max(hold, 1))))
        self.filled = 0
        self.streaming = False
        self.seen = 0  # columns counted (streaming)
        self._exact_rows: dict[int, Array] = {}

    def add(self, chunk: Array) -> None:
        if self.filled == 0 and chunk.shape[1] == self.n:  # all at once: no copy
            self.held, self.filled = chunk, self.n
            return
        if not self.streaming:
            m = min(chunk.shape[1], self.held.shape[1] - self.filled)
            self.held[:, self.filled : self.filled + m] = chunk[:, :m]
            self.filled += m
            if self.filled == self.held.shape[1] and self.filled < self.n:
                self._start()
            chunk = chunk[:, m:]
        if self.streaming and chunk.shape[1]:
            self._count(chunk)

    def _ranks(self, d: int) -> tuple[np.ndarray, np.ndarray]:
        """Ranks, in a sample of d columns, bracketing each percentile's two order statistics."""
        half = self.margin * np.sqrt(d * self.p * (1.0 - self.p)) + 2.0
        centre = self.p * (d - 1)
        r_lo = np.clip(np.floor(centre - half), 0, d - 1).astype(np.int64)
        r_hi = np.clip(np.ceil(centre + 1.0 + half), 0, d - 1).astype(np.int64)
        return r_lo, r_hi

    def _start(self) -> None:
        d = self.filled
        r_lo, r_hi = self._ranks(d)
        placed = np.partition(self.held, np.unique(np.concatenate([r_lo, r_hi])), axis=1)
        self.low, self.high = placed[:, r_lo], placed[:, r_hi]  # rows x quantiles
        self.below = np.zeros(self.low.shape, dtype=np.int64)  # values < low
        self.upto = np.zeros(self.low.shape, dtype=np.int64)  # values <= high
        self.failed = np.zeros(self.low.shape, dtype=bool)
        self.kept: list[tuple[np.ndarray, Array]] = []  # (bracket id row * 5 + q, value)
        self.kept_count = 0
        self.limit = self.keep_limit
        self.streaming = True
        held, self.held = self.held, np.empty((0, 0))
        for first in range(0, d, DEFAULT_CHUNK * 5):  # in slices: the comparisons' masks stay small
            self._count(held[:, first : first + DEFAULT_CHUNK * 5])

    def _count(self, v: Array) -> None:
        lt = v[:, None, :] < self.low[:, :, None]
        le = v[:, None, :] <= self.high[:, :, None]
        self.below += lt.sum(axis=2)
        self.upto += le.sum(axis=2)
        inside = le & ~lt
        inside &= ((self.low < self.high) & ~self.failed)[:, :, None]  # a point bracket: counts only
        r, q, k = np.nonzero(inside)
        if len(r):
            self.kept.append(((r * len(QUANTILES) + q).astype(np.int32), v[r, k]))
            self.kept_count += len(r)
        self.seen += v.shape[1]
        if self.kept_count > self.limit:
            self._narrow()

    def _groups(self) -> tuple[Array, np.ndarray]:
        """The kept values sorted by bracket (stable), and each bracket's start offset."""
        ids = np.concatenate([k[0] for k in self.kept]) if self.kept else np.zeros(0, np.int32)
        vals = np.concatenate([k[1] for k in self.kept]) if self.kept else np.zeros(0)
        order = np.argsort(ids, kind="stable")
        ids, vals = ids[order], vals[order]
        starts = np.searchsorted(ids, np.arange(self.rows * len(QUANTILES) + 1))
        return vals, starts

    def _narrow(self) -> None:
        r_lo, r_hi = self._ranks(self.seen)
        vals, starts = self._groups()
        keep_ids, keep_vals = [], []
        nq = len(QUANTILES)
        for g in range(self.rows * nq):
            a, b = starts[g], starts[g + 1]
            if a == b:
                continue
            row, q = divmod(g, nq)
            group = vals[a:b]
            i, j = r_lo[q] - self.below[row, q], r_hi[q] - self.below[row, q]
            if 0 <= i <= j < len(group):
                placed = np.partition(group, [i, j])
                lo, hi = placed[i], placed[j]
                self.below[row, q] += int(np.count_nonzero(group < lo))
                self.upto[row, q] -= int(np.count_nonzero(group > hi))
                self.low[row, q], self.high[row, q] = lo, hi
                group = group[(group >= lo) & (group <= hi)] if lo < hi else group[:0]
            keep_ids.append(np.full(len(group), g, dtype=np.int32))
            keep_vals.append(group)
        self.kept = [(i, v) for i, v in zip(keep_ids, keep_vals, strict=True) if len(v)]
        # a bracket that cannot narrow (its values piled on a few numbers) is dropped, to be
        # recomputed from its full row at the end
        for i, v in self.kept:
            if len(v) > self.keep_limit // 4:
                self.failed[divmod(int(i[0]), nq)] = True
        self.kept = [(i, v) for i, v in self.kept if not self.failed[divmod(int(i[0]), nq)]]
        self.kept_count = sum(len(v) for _, v in self.kept)
        # the brackets' width grows as the square root of the columns seen: narrow again when
        # the kept values have doubled
        self.limit = max(self.keep_limit, 2 * self.kept_count)

    def result(self, replay: Callable[[], Iterable[Array]] | None) -> Array:
        """(quantiles x rows) percentiles; `replay()` yields the chunks again (needed only when
        a bracket missed)."""
        if not self.streaming:
            return quantiles(self.held[:, : self.filled])
        assert self.seen == self.n, "fewer columns than announced"
        nq = len(QUANTILES)
        at_lo, at_hi = np.empty((self.rows, nq)), np.empty((self.rows, nq))
        vals, starts = self._groups()
        missed = self.failed.copy()
        for row in range(self.rows):
            for q in range(nq):
                below, upto = self.below[row, q], self.upto[row, q]
                lo, hi = self.lo[q], self.hi[q]
                if missed[row, q] or not (below <= lo and hi < upto):
                    missed[row, q] = True
                elif self.low[row, q] == self.high[row, q]:
                    at_lo[row, q] = at_hi[row, q] = self.low[row, q]
                else:
                    g = row * nq + q
                    placed = np.partition(vals[starts[g] : starts[g + 1]], [lo - below, hi - below])
                    at_lo[row, q], at_hi[row, q] = placed[lo - below], placed[hi - below]
        redo = np.flatnonzero(missed.any(axis=1))
        if len(redo):
            if replay is None:
                raise RuntimeError("a percentile bracket missed and the chunks cannot be replayed")
            per_pass = max(1, self.hold // self.n)  # rows of n values at a time
            for first in range(0, len(redo), per_pass):
                rows = redo[first : first + per_pass]
                full = np.concatenate([c[rows] for c in replay()], axis=1)
                exact = quantiles(full).T  # rows x quantiles, already interpolated
                for i, row in enumerate(rows):
                    self._exact_rows[int(row)] = exact[i]
        out = np.asarray((at_lo * (1.0 - self.frac) + at_hi * self.frac).T)
        for row, values in self._exact_rows.items():
            out[:, row] = values
        return out


def _band_series(coll: Collected) -> dict[str, Array]:
    """The series whose percentiles the summary shows, by band name (years x draws)."""
    out = {
        "co2": coll.co2,
        "energy": coll.energy,
        "non_fossil_share": coll.non_fossil_share,
        "co2_intensity": coll.co2_intensity,
        "energy_intensity": coll.energy_intensity,
    }
    for fuel, share in coll.fuel_share.items():
        out[f"{fuel}_share"] = share
    return out


BAND_UNITS = {
    "co2": ("MtCO2", units.factor("tCO2", "MtCO2")),
    "energy": ("Mtce", units.factor("tce", "Mtce")),
    "non_fossil_share": ("1", 1.0),
    "co2_intensity": ("tCO2/万元", 1.0),
    "energy_intensity": ("tce/万元", 1.0),
}


class Summary:
    """What the summary of a run needs, gathered chunk by chunk (`add` in draw order, `result` at
    the end): per draw the peak year, peak value and each target's verdict (a few bytes), and the
    percentiles of every band by `_Percentiles` (bounded memory). `hold_bytes` bounds the band
    values held at once: beyond it, percentiles stream."""

    def __init__(
        self,
        scenario: Scenario,
        n: int,
        *,
        hold_bytes: int = HOLD_BYTES,
        keep: int = KEEP_VALUES,
        margin: float = MARGIN,
    ) -> None:
        self.scenario, self.n = scenario, n
        self.peak_years = np.empty(n, dtype=np.int64)
        self.peak_values = np.empty(n)
        self.peaked_by = np.empty(n, dtype=bool)
        self.hits = np.empty((len(scenario.targets), n), dtype=bool)
        self.bands: dict[str, _Percentiles] = {}
        self.hold_bytes, self.keep, self.margin = hold_bytes, keep, margin
        self.done = 0

    def add(self, coll: Collected) -> None:
        """The next chunk of draws (every year, the inventory years included)."""
        start, stop = self.done, self.done + coll.co2.shape[1]
        years, values, by = peak_stats(self.scenario, coll)
        self.peak_years[start:stop], self.peak_values[start:stop], self.peaked_by[start:stop] = (
            years,
            values,
            by,
        )
        for i, t in enumerate(self.scenario.targets):
            self.hits[i, start:stop] = target_hits(t, coll)
        series = _band_series(coll)
        if not self.bands:
            rows = len(coll.years)
            hold = self.hold_bytes // (8 * rows * len(series))
            self.bands = {
                name: _Percentiles(self.n, rows, hold=hold, keep=self.keep, margin=self.margin)
                for name in series
            }
        for name, a in series.items():
            self.bands[name].add(a)
        self.done = stop

    def result(
        self,
        co2_by_sector_mean: Array,
        energy_by_sector_mean: Array,
        replay: Callable[[], Iterable[Collected]] | None = None,
    ) -> dict[str, Any]:
        """The user-facing summary (JSON-ready; CO2 in Mt, energy in Mtce, shares as fractions)."""
        scenario, years, values, n = self.scenario, self.peak_years, self.peak_values, self.n
        all_years = scenario.all_years
        uniq, counts = np.unique(years, return_counts=True)
        horizon = int(all_years[-1])
        pq = np.percentile(years, QUANTILES)
        vq = np.percentile(units.convert(values, "tCO2", "MtCO2"), QUANTILES)
        bands: dict[str, Any] = {"years": [int(y) for y in all_years]}
        for name, acc in self.bands.items():
            unit, scale = BAND_UNITS.get(name, ("1", 1.0))

            def again(name: str = name) -> Iterator[Array]:
                assert replay is not None
                return (_band_series(c)[name] for c in replay())

            q = acc.result(again if replay is not None else None) * scale
            bands[name] = {
                "unit": unit,
                **{f"p{p}": [round(float(v), 4) for v in q[i]] for i, p in enumerate(QUANTILES)},
            }
        sector_names = [*scenario.base.sectors, "process"]
        return {
            "p_peak_by_2030": float(((years <= 2030) & (years < horizon)).mean()),
            "p_peak_by": {"year": scenario.peak_by, "probability": float(self.peaked_by.mean())},
            "peak_year": {
                "distribution": {str(int(y)): round(c / n, 6) for y, c in zip(uniq, counts, strict=True)},
                "quantiles": {f"p{p}": int(v) for p, v in zip(QUANTILES, pq, strict=True)},
                "p_not_peaked_by_horizon": float((years >= horizon).mean()),
            },
            "peak_value": {
                "unit": "MtCO2",
                "mean": round(float(units.convert(values.mean(), "tCO2", "MtCO2")), 4),
                "quantiles": {f"p{p}": round(float(v), 4) for p, v in zip(QUANTILES, vq, strict=True)},
            },
            "bands": bands,
            "co2_by_sector_mean": {
                "unit": "MtCO2",
                "sectors": {
                    s: [round(float(v), 4) for v in units.convert(co2_by_sector_mean[:, i], "tCO2", "MtCO2")]
                    for i, s in enumerate(sector_names)
                },
            },
            "energy_by_sector_mean": {
                "unit": "Mtce",
                "sectors": {
                    s: [round(float(v), 4) for v in units.convert(energy_by_sector_mean[:, i], "tce", "Mtce")]
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
                    "probability": float(self.hits[i].mean()),
                }
                for i, t in enumerate(scenario.targets)
            ],
        }


def summarise(scenario: Scenario, coll: Collected) -> dict[str, Any]:
    """The user-facing summary of collected series (JSON-ready; CO2 in Mt, energy in Mtce, shares as
    fractions): p_peak_by_<year>, peak year and value, bands, target probabilities."""
    # every band is held: the series are in memory already
    acc = Summary(scenario, coll.co2.shape[1], hold_bytes=coll.co2.nbytes * (5 + len(coll.fuel_share)))
    acc.add(coll)
    return acc.result(coll.co2_by_sector_mean, coll.energy_by_sector_mean)


def _header(scenario: Scenario, draws: int, seed: int, keys: list[str]) -> dict[str, Any]:
    return {
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
    }


def run(
    scenario: Scenario,
    *,
    draws: int,
    seed: int,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> tuple[Collected, dict[str, Any]]:
    """A seeded run keeping every draw's series (for analyses that need them: memory grows with the
    draws) and their summary, with the seed and scenario hash recorded. The summary is
    `run_summary`'s for the same arguments, to the last bit."""
    rng = np.random.default_rng(seed)
    keys = uncertain(scenario)
    z = latent(scenario, rng, draws, keys)
    coll = simulate(scenario, z, keys, chunk=chunk, progress=progress, workers=workers)
    return coll, {**_header(scenario, draws, seed, keys), **summarise(scenario, coll)}


def run_summary(
    scenario: Scenario,
    *,
    draws: int,
    seed: int,
    chunk: int = DEFAULT_CHUNK,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
    hold_bytes: int = HOLD_BYTES,
    keep: int = KEEP_VALUES,
    margin: float = MARGIN,
) -> dict[str, Any]:
    """A seeded run's summary (what `run` returns beside the series), computed chunk by chunk: the
    series of a chunk are summarised and dropped, so memory beyond the latent draws (draws x
    uncertain drivers) and a few bytes a draw is bounded by `hold_bytes` and `keep`, whatever the
    number of draws. The result depends on the seed and the draws only (not on `workers`,
    `hold_bytes`, `keep` or `margin`; `chunk` moves the sector means in their last bits)."""
    rng = np.random.default_rng(seed)
    keys = uncertain(scenario)
    z = latent(scenario, rng, draws, keys)
    past = _history_rows(scenario)
    acc = Summary(scenario, draws, hold_bytes=hold_bytes, keep=keep, margin=margin)
    sums = _SectorSums()

    def chunks() -> Iterator[tuple[int, Trajectories, Collected]]:
        for start, stop, tr in _chunks(
            scenario, z, keys, chunk=chunk, drivers=None, additions=None, workers=workers
        ):
            yield stop, tr, _chunk_collected(scenario, past, tr, stop - start)

    for stop, tr, coll in chunks():
        acc.add(coll)
        sums.add(tr, coll.co2.shape[1])
        if progress is not None:
            progress(stop)
    co2_mean, energy_mean = sums.means(past, draws)
    summary = acc.result(co2_mean, energy_mean, replay=lambda: (c for _, _, c in chunks()))
    return {**_header(scenario, draws, seed, keys), **summary}


__all__ = [
    "QUANTILES",
    "Collected",
    "Summary",
    "latent",
    "peak_stats",
    "quantiles",
    "run",
    "run_summary",
    "simulate",
    "summarise",
    "target_hits",
]
