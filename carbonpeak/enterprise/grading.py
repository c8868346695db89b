"""Carbon-efficiency grading (碳效评价), vectorised over enterprises × periods (pure NumPy).

    intensity(co2_t, value_added)                     L = CO2 ÷ value added, t CO2/万元 (NaN when VA ≤ 0)
    level_index(L, bounds)                            0 … len(bounds): the level L falls in
    grade_of(K, bounds)                               1 … len(bounds)+1: the grade K falls in
    grade(co2_t, value_added, industry, scheme, flags) Grading: L, level, industry mean, population, K,
                                                      grade, why not graded, the flag each rests on,
                                                      and the CO2 cut that moves it up one grade

Rules (docs/methods/enterprise.md#grading): bounds are inclusive upper bounds (L = 0.6 is 低碳; K = 0.8
is grade 2); L and K are compared after rounding to 1e-9 t/万元 so a value equal to a bound in exact
arithmetic is not pushed across it by floating-point division. The industry average of a period is
Σ CO2 ÷ Σ value added of the industry's enterprises with a usable record in that period; an industry
with fewer than `scheme.min_population` of them is not graded (reason SMALL_POPULATION), nor is an
enterprise without a positive value added (NO_VALUE_ADDED). Flags 0 published, 1 estimated, 2 sample:
a grade carries the weakest flag of the enterprise's own record and of every record in its
industry's average, so a grade resting on an estimated or sample figure says so.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carbonpeak.enterprise.scheme import GradingScheme

FLAG_CODES = ("published", "estimated", "sample")
GRADED, NO_VALUE_ADDED, SMALL_POPULATION = 0, 1, 2
REASONS = ("graded", "no_value_added", "small_population")
DECIMALS = 9


def intensity(co2_t: np.ndarray, value_added: np.ndarray) -> np.ndarray:
    """L, t CO2 per 万元 of value added; NaN where value added ≤ 0 or either is not finite."""
    co2 = np.asarray(co2_t, dtype=np.float64)
    va = np.asarray(value_added, dtype=np.float64)
    ok = np.isfinite(co2) & np.isfinite(va) & (va > 0)
    out = np.full(np.broadcast(co2, va).shape, np.nan)
    np.divide(co2, va, out=out, where=ok)
    return out


def level_index(L: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Index of the level of each L (0 = the first, lowest-carbon level); −1 where L is NaN."""
    L = np.round(np.asarray(L, dtype=np.float64), DECIMALS)
    idx = np.searchsorted(bounds, L, side="left")
    return np.where(np.isnan(L), -1, idx)


def grade_of(K: np.ndarray, bounds: np.ndarray) -> np.ndarray:
    """Grade 1 … len(bounds)+1 of each K; 0 where K is NaN."""
    K = np.round(np.asarray(K, dtype=np.float64), DECIMALS)
    g = np.searchsorted(bounds, K, side="left") + 1
    return np.where(np.isnan(K), 0, g)


@dataclass(frozen=True)
class Grading:
    """Arrays of shape (enterprises, periods) unless noted. `industry_mean` (t/万元) and `population`
    are those of the enterprise's industry in the period; `k` NaN and `grade` 0 where not graded,
    `reason` saying why (REASONS); `flag` 0/1/2 (FLAG_CODES); `cut_to_next_t` the CO2 (t) the
    enterprise would have to cut, everything else equal, to reach the next better grade (its own
    cut lowers its industry's average too; NaN for grade 1, ungraded, or unreachable)."""

    intensity: np.ndarray
    level: np.ndarray
    industry_mean: np.ndarray
    population: np.ndarray
    k: np.ndarray
    grade: np.ndarray
    reason: np.ndarray
    flag: np.ndarray
    cut_to_next_t: np.ndarray


def grade(
    co2_t: np.ndarray,
    value_added: np.ndarray,
    industry: np.ndarray,
    scheme: GradingScheme,
    flags: np.ndarray | None = None,
) -> Grading:
    """Grade every enterprise (rows) in every period (columns).

    co2_t (t CO2) and value_added (万元): shape (n, p); industry: shape (n,), integer codes 0 … g−1
    (one per industry of `scheme.industry_level`); flags: shape (n, p) of 0/1/2 (default published)."""
    co2 = np.atleast_2d(np.asarray(co2_t, dtype=np.float64))
    va = np.atleast_2d(np.asarray(value_added, dtype=np.float64))
    ind = np.asarray(industry, dtype=np.int64)
    n, p = co2.shape
    fl = np.zeros((n, p), dtype=np.int8) if flags is None else np.atleast_2d(np.asarray(flags, dtype=np.int8))
    L = intensity(co2, va)
    usable = ~np.isnan(L)
    g = int(ind.max()) + 1 if n else 0
    cell = (ind[:, None] * p + np.arange(p)[None, :]).ravel()
    u = usable.ravel()
    sum_c = np.bincount(cell[u], weights=co2.ravel()[u], minlength=g * p)
    sum_v = np.bincount(cell[u], weights=va.ravel()[u], minlength=g * p)
    count = np.bincount(cell[u], minlength=g * p)
    mean_flag = np.zeros(g * p, dtype=np.int8)
    np.maximum.at(mean_flag, cell[u], fl.ravel()[u])
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = np.where(sum_v > 0, sum_c / np.where(sum_v > 0, sum_v, 1.0), np.nan)
    pop = count[cell].reshape(n, p)
    m = mean[cell].reshape(n, p)
    big_enough = pop >= scheme.min_population
    graded = usable & big_enough & (m > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        K = np.where(graded, L / np.where(graded, m, 1.0), np.nan)
    grades = grade_of(K, scheme.grade_bounds)
    reason = np.where(~usable, NO_VALUE_ADDED, np.where(graded, GRADED, SMALL_POPULATION)).astype(np.int8)
    flag = np.where(graded, np.maximum(fl, mean_flag[cell].reshape(n, p)), fl).astype(np.int8)
    # the next better grade's bound b: (c − Δ)/v ≤ b (S_c − Δ)/S_v  ⇔  Δ ≥ (c − b v S_c/S_v) / (1 − b v/S_v)
    bounds = np.concatenate([[np.nan], scheme.grade_bounds, [np.nan]])
    b = bounds[np.clip(grades - 1, 0, len(bounds) - 1)]
    sv = sum_v[cell].reshape(n, p)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1.0 - b * va / sv
        cut = (co2 - b * va * m) / denom
    cut = np.where(graded & (grades > 1) & (denom > 0), np.maximum(cut, 0.0), np.nan)
    return Grading(
        intensity=L,
        level=level_index(L, scheme.level_bounds),
        industry_mean=np.where(usable, m, np.nan),
        population=pop,
        k=K,
        grade=grades,
        reason=reason,
        flag=flag,
        cut_to_next_t=cut,
    )


__all__ = [
    "FLAG_CODES",
    "GRADED",
    "NO_VALUE_ADDED",
    "REASONS",
    "SMALL_POPULATION",
    "Grading",
    "grade",
    "grade_of",
    "intensity",
    "level_index",
]
