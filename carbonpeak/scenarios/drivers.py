"""Drivers of a projection: values or distributions, sampled for many draws at once.

Map:
    Dist               one distribution (point, normal, lognormal, triangular, uniform) with `ppf_z`
    Driver             a named driver: `rate` (one Dist per period, applied every year of the period)
                       or `level` (one Dist per point year, linear in between, flat outside)
    path_matrix(...)   the fixed (years x columns) matrix turning a driver's columns into a yearly path
    latent_normals(..) correlated standard normals (draws x uncertain drivers), Gaussian copula
    driver_paths(...)  every driver's yearly path, years x (draws or 1)

One latent normal z per uncertain driver and draw: each of the driver's columns takes the value
at the same quantile Φ(z) of its own distribution (a driver optimistic in one period stays
optimistic later). Point drivers come back with one column and broadcast over draws.
Pure NumPy plus scipy.special for Φ and Φ⁻¹.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
DistKind = Literal["point", "normal", "lognormal", "triangular", "uniform"]
DriverKind = Literal["rate", "level"]


@dataclass(frozen=True)
class Dist:
    """A distribution of one driver column.

    point: value · normal: mean, sd · lognormal: median, sigma (of ln x) ·
    triangular: low, mode, high · uniform: low, high.
    """

    kind: DistKind
    value: float = 0.0
    mean: float = 0.0
    sd: float = 0.0
    median: float = 1.0
    sigma: float = 0.0
    low: float = 0.0
    mode: float = 0.0
    high: float = 0.0

    @property
    def is_point(self) -> bool:
        return self.kind == "point"

    def central(self) -> float:
        """The median of the distribution (the value a collapsed driver takes)."""
        return float(self.ppf_z(np.zeros(1))[0])

    def ppf_z(self, z: Array) -> Array:
        """Values at the standard-normal scores `z` (quantile Φ(z)), same shape as z."""
        if self.kind == "point":
            return np.full_like(z, self.value, dtype=np.float64)
        if self.kind == "normal":
            return self.mean + self.sd * z
        if self.kind == "lognormal":
            return np.asarray(self.median * np.exp(self.sigma * z), dtype=np.float64)
        from scipy.special import ndtr  # here: scipy costs ~0.3 s of start-up and few runs need Φ

        u = np.asarray(ndtr(z), dtype=np.float64)
        if self.kind == "uniform":
            return self.low + (self.high - self.low) * u
        # triangular: inverse CDF, piecewise
        a, c, b = self.low, self.mode, self.high
        if b <= a:
            return np.full_like(z, a, dtype=np.float64)
        fc = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < fc, left, right)


@dataclass(frozen=True)
class Driver:
    """A driver: `columns` are periods (first, last year) for a rate or point years for a level."""

    key: str
    kind: DriverKind
    columns: tuple[tuple[int, int], ...]
    dists: tuple[Dist, ...]
    unit: str = ""
    source: str = ""
    meta: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_point(self) -> bool:
        return all(d.is_point for d in self.dists)

    def collapsed(self) -> Driver:
        """The same driver with every distribution replaced by its median."""
        return Driver(
            self.key,
            self.kind,
            self.columns,
            tuple(Dist("point", value=d.central()) for d in self.dists),
            self.unit,
            self.source,
            self.meta,
        )


def point_rate(key: str, years: Sequence[int], value: float = 0.0) -> Driver:
    """A rate driver with one value over every projected year (a missing driver defaults to 0)."""
    return Driver(key, "rate", ((int(years[1]), int(years[-1])),), (Dist("point", value=value),))


def point_level(key: str, year: int, value: float) -> Driver:
    return Driver(key, "level", ((year, year),), (Dist("point", value=value),))


def path_matrix(driver: Driver, years: Sequence[int] | np.ndarray) -> Array:
    """(years x columns) matrix M with path = columns @ M.T.

    rate: M[t, j] = 1 if year t lies in period j (the base year, row 0, gets no rate);
    level: linear interpolation weights between point years, flat before the first and after the last.
    """
    yrs = np.asarray(years, dtype=np.float64)
    m = np.zeros((len(yrs), len(driver.columns)))
    if driver.kind == "rate":
        for j, (first, last) in enumerate(driver.columns):
            m[1:, j] = (yrs[1:] >= first) & (yrs[1:] <= last)
        return m
    points = np.array([c[0] for c in driver.columns], dtype=np.float64)
    for j in range(len(points)):
        e = np.zeros(len(points))
        e[j] = 1.0
        m[:, j] = np.interp(yrs, points, e)
    return m


def uncertain_keys(drivers: Mapping[str, Driver]) -> list[str]:
    """Keys of the drivers with at least one non-point distribution, in a stable order."""
    return sorted(k for k, d in drivers.items() if not d.is_point)


def correlation_matrix(keys: Sequence[str], pairs: Sequence[tuple[str, str, float]]) -> Array:
    """Correlation matrix of the latent normals; pairs naming a point driver are ignored."""
    index = {k: i for i, k in enumerate(keys)}
    r = np.eye(len(keys))
    for a, b, rho in pairs:
        if a in index and b in index:
            r[index[a], index[b]] = r[index[b], index[a]] = rho
    return r


def latent_normals(rng: np.random.Generator, n: int, chol: Array) -> Array:
    """(n x k) standard normals with correlation L·Lᵀ (Gaussian copula via Cholesky)."""
    k = chol.shape[0]
    z = rng.standard_normal((n, k))
    return z if k == 0 else z @ chol.T


def driver_paths(
    drivers: Mapping[str, Driver], years: Sequence[int] | np.ndarray, keys: Sequence[str], z: Array
) -> dict[str, Array]:
    """Yearly path of every driver: (years x n) for uncertain drivers (z column per key), (years x 1) else."""
    out: dict[str, Array] = {}
    col = {k: i for i, k in enumerate(keys)}
    for key, driver in drivers.items():
        if key in col:
            zk = z[:, col[key]]
            values = np.stack([d.ppf_z(zk) for d in driver.dists])
        else:
            values = np.array([[d.value if d.is_point else d.central()] for d in driver.dists])
        out[key] = _expand(path_matrix(driver, years), values)
    return out


def _expand(m: Array, values: Array) -> Array:
    """m @ values for a path matrix with at most two non-zero weights per row, without BLAS.

    (A BLAS product with an inner dimension of a few columns is slower than two gathers, and a
    threaded BLAS spins on a shared machine.)
    """
    order = np.argsort(-m, axis=1, kind="stable")
    lo, hi = order[:, 0], order[:, 1] if m.shape[1] > 1 else order[:, 0]
    rows = np.arange(m.shape[0])
    w_lo, w_hi = m[rows, lo][:, None], (m[rows, hi][:, None] if m.shape[1] > 1 else 0.0)
    out = values[lo] * w_lo
    if m.shape[1] > 1 and np.any(w_hi):
        out += values[hi] * w_hi
    return np.asarray(out)


def cumulative_index(rate: Array) -> Array:
    """Index (base year = 1) of a yearly rate path (years x draws): Π(1 + r) over the years so far."""
    return np.asarray(np.cumprod(1.0 + rate, axis=0), dtype=np.float64)


__all__ = [
    "Dist",
    "Driver",
    "correlation_matrix",
    "cumulative_index",
    "driver_paths",
    "latent_normals",
    "path_matrix",
    "point_level",
    "point_rate",
    "uncertain_keys",
]
