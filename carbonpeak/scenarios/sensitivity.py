"""Which drivers matter: a tornado (one driver at a time) and variance-based Sobol indices.

Both are computed for two outputs: the probability of peaking by the scenario's `peak_by` year
(per draw: the indicator peak_year <= peak_by) and the peak value (per draw, Mt CO2).

tornado(...)  each uncertain driver held at its 5th and then its 95th percentile in every draw,
              the other drivers varying as usual over the same draws (common random numbers);
              reports p_peak and the median peak value at both ends, sorted by the swing of p_peak.
sobol(...)    Saltelli's sampling with Jansen's estimators (Saltelli et al. 2010, Comput. Phys.
              Commun. 181:259-270, Table 2 (b) and (f)):
                  S_i  = mean(f(B)·(f(A_B^i) - f(A))) / V
                  ST_i = mean((f(A) - f(A_B^i))²) / (2V)
              A, B: independent N x k latent normals; A_B^i is A with column i taken from B;
              V = Var of f over A and B together; f is centred on its mean first. N·(k + 2) runs.
              With correlated drivers the
              indices belong to the independent latent factors (before the Cholesky mixing).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from carbonpeak import units
from carbonpeak.scenarios.drivers import Array
from carbonpeak.scenarios.model import Scenario
from carbonpeak.scenarios.montecarlo import cholesky, latent, peak_stats, simulate, uncertain

LOW_Q, HIGH_Q = 0.05, 0.95


def _outputs(
    scenario: Scenario, z: Array, keys: list[str], chunk: int, workers: int | None
) -> tuple[np.ndarray, Array]:
    coll = simulate(scenario, z, keys, chunk=chunk, workers=workers)
    _, value, by = peak_stats(scenario, coll)
    return by.astype(np.float64), units.convert(value, "tCO2", "MtCO2")


def tornado(
    scenario: Scenario, *, draws: int, seed: int, chunk: int = 10_000, workers: int | None = None
) -> list[dict[str, Any]]:
    """One row per uncertain driver: p_peak and median peak value (Mt) with the driver low and high."""
    from scipy.special import ndtri  # here: scipy costs ~0.3 s of start-up

    keys = uncertain(scenario)
    if not keys:
        return []
    z = latent(scenario, np.random.default_rng(seed), draws, keys)
    rows: list[dict[str, Any]] = []
    for i, key in enumerate(keys):
        ends: dict[str, dict[str, float]] = {}
        for name, q in (("low", LOW_Q), ("high", HIGH_Q)):
            zk = z.copy()
            zk[:, i] = float(ndtri(q))
            by, value = _outputs(scenario, zk, keys, chunk, workers)
            first = scenario.drivers[key].dists[0]
            ends[name] = {
                "quantile": q,
                "value_first_column": float(first.ppf_z(np.array([float(ndtri(q))]))[0]),
                "p_peak": float(by.mean()),
                "peak_value_median": round(float(np.median(value)), 4),
            }
        rows.append(
            {
                "driver": key,
                "unit": scenario.drivers[key].unit,
                **ends,
                "swing_p_peak": abs(ends["high"]["p_peak"] - ends["low"]["p_peak"]),
                "swing_peak_value": abs(ends["high"]["peak_value_median"] - ends["low"]["peak_value_median"]),
            }
        )
    rows.sort(key=lambda r: (-r["swing_p_peak"], -r["swing_peak_value"]))
    return rows


def sobol_indices(f_a: Array, f_b: Array, f_ab: Array) -> tuple[Array, Array]:
    """First-order and total indices from f(A), f(B) (N) and f(A_B^i) (k x N); zeros if V = 0."""
    both = np.concatenate([f_a, f_b])
    v = float(np.var(both))
    if v <= 0.0:
        return np.zeros(f_ab.shape[0]), np.zeros(f_ab.shape[0])
    # centring leaves the estimators' expectations unchanged and removes the f0² term from their variance
    mu = float(both.mean())
    f_a, f_b, f_ab = f_a - mu, f_b - mu, f_ab - mu
    first = np.mean(f_b * (f_ab - f_a), axis=1) / v
    total = 0.5 * np.mean((f_a - f_ab) ** 2, axis=1) / v
    return first, total


def sobol(
    scenario: Scenario, *, base_draws: int, seed: int, chunk: int = 10_000, workers: int | None = None
) -> list[dict[str, Any]]:
    """First-order and total Sobol indices of each uncertain driver for p_peak and the peak value."""
    keys = uncertain(scenario)
    k = len(keys)
    if k == 0:
        return []
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((base_draws, k))
    b = rng.standard_normal((base_draws, k))
    blocks = [a, b]
    for i in range(k):
        ab = a.copy()
        ab[:, i] = b[:, i]
        blocks.append(ab)
    chol = cholesky(scenario, keys)
    z = np.concatenate(blocks) @ chol.T
    by, value = _outputs(scenario, z, keys, chunk, workers)
    n = base_draws
    rows: list[dict[str, Any]] = []
    results = {}
    for name, y in (("p_peak", by), ("peak_value", value)):
        f_ab = y[2 * n :].reshape(k, n)
        results[name] = sobol_indices(y[:n], y[n : 2 * n], f_ab)
    for i, key in enumerate(keys):
        rows.append(
            {
                "driver": key,
                "p_peak": {
                    "first": round(float(results["p_peak"][0][i]), 4),
                    "total": round(float(results["p_peak"][1][i]), 4),
                },
                "peak_value": {
                    "first": round(float(results["peak_value"][0][i]), 4),
                    "total": round(float(results["peak_value"][1][i]), 4),
                },
            }
        )
    rows.sort(key=lambda r: -r["p_peak"]["total"])
    return rows


__all__ = ["sobol", "sobol_indices", "tornado"]
