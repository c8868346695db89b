"""Peak of an emissions trajectory, with a plateau tolerance.

peak_index(e, tol): for each row (draw) of e (draws x years), the first year t such that no later
year exceeds e[t]·(1 + tol):  t* = min{ t : max_{s >= t} e[s] <= (1 + tol)·e[t] }.
With tol = 0 this is the first year of the maximum; a trajectory still rising (by more than tol)
in its last year peaks at the horizon, i.e. it has not peaked within the projection: `peaked_by`
never counts a peak in the last year. A peak in year Y is seen only against the years after it, so a
scenario's horizon must reach `peak.by + plateau_years` (`horizon_problem`, checked when a scenario
is loaded).
Definition and its reasoning: docs/methods/projection.md#peak.
"""

from __future__ import annotations

import numpy as np

from carbonpeak.i18n import t
from carbonpeak.scenarios.drivers import Array


def peak_index(emissions: Array, *, tolerance: float = 0.0, axis: int = 1) -> np.ndarray:
    """Index of the peak year for each trajectory; years run along `axis` (default: draws x years)."""
    e = np.moveaxis(np.atleast_2d(emissions), axis, 0)
    later_max = np.maximum.accumulate(e[::-1], axis=0)[::-1]
    ok = later_max <= e * (1.0 + tolerance)
    return np.asarray(np.argmax(ok, axis=0))


def peak_year(emissions: Array, years: np.ndarray, *, tolerance: float = 0.0) -> np.ndarray:
    """Peak year of each trajectory (rows: draws, columns: years)."""
    out: np.ndarray = np.asarray(years)[peak_index(emissions, tolerance=tolerance)]
    return out


def peak_value(emissions: Array) -> Array:
    """Highest value of each trajectory over the projection (same unit as `emissions`)."""
    return np.asarray(np.atleast_2d(emissions).max(axis=1), dtype=np.float64)


def peaked_by(emissions: Array, years: np.ndarray, year: int, *, tolerance: float = 0.0) -> np.ndarray:
    """Boolean per draw: the peak year is `year` or earlier and before the horizon (a trajectory whose
    peak is its last year is still rising: it has not peaked)."""
    peak = peak_year(emissions, years, tolerance=tolerance)
    return np.asarray((peak <= year) & (peak < np.asarray(years)[-1]))


def horizon_problem(horizon: int, by: int, plateau_years: int) -> tuple[str, str] | None:
    """(zh, en) message (from the catalogue) when a projection to `horizon` cannot show a peak by
    `by` followed by `plateau_years` years that stay below it (horizon < by + plateau_years); None
    when it can."""
    need = by + plateau_years
    if horizon >= need:
        return None
    fields = {"horizon": horizon, "by": by, "need": need, "plateau_years": plateau_years}
    return t("problem.scenario.peak_horizon", "zh", **fields), t(
        "problem.scenario.peak_horizon", "en", **fields
    )


__all__ = ["horizon_problem", "peak_index", "peak_value", "peak_year", "peaked_by"]
