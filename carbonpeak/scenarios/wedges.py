"""Programme wedges: each programme's levers switched off in turn against a scenario.

For programme P with drivers D_P, the counterfactual run replaces every driver in D_P by the
counterfactual scenario's driver of the same key (the baseline, "trends continue"); a key the
counterfactual does not set falls back to 0 (rates) or is dropped (levels). All runs share the same
latent draws (common random numbers), so the differences are not Monte Carlo noise:

    wedge_P(t)   = mean over draws of [CO2_without_P(t) - CO2_scenario(t)]      (Mt CO2/yr)
    delta_p_P    = p_peak(scenario) - p_peak(without P)

Wedges do not add up to the all-off difference (programmes interact through shares and the
electricity balance); the all-off row is reported beside them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from carbonpeak import units
from carbonpeak.scenarios.drivers import Driver, latent_normals, uncertain_keys
from carbonpeak.scenarios.model import Programme, Scenario
from carbonpeak.scenarios.montecarlo import Collected, cholesky, peak_stats, simulate


def switched_off(scenario: Scenario, keys: tuple[str, ...]) -> dict[str, Driver]:
    """The scenario's drivers with `keys` taken from its counterfactual (or removed if it lacks them)."""
    cf = scenario.counterfactual or {}
    out = dict(scenario.drivers)
    for key in keys:
        if key in cf:
            out[key] = cf[key]
        else:
            out.pop(key, None)
    return out


def _sig(x: float) -> float:
    """x to 6 significant figures (a wedge of a small city is still visible)."""
    return float(f"{float(x):.6g}")


def _stats(scenario: Scenario, coll: Collected) -> tuple[float, float]:
    _, value, by = peak_stats(scenario, coll)
    return float(by.mean()), units.convert(float(np.median(value)), "tCO2", "MtCO2")


def wedges(
    scenario: Scenario, *, draws: int, seed: int, chunk: int = 10_000, workers: int | None = None
) -> list[dict[str, Any]]:
    """One row per programme and an `all` row: yearly mean wedge (Mt CO2/yr), Δp_peak, Δ median peak value."""
    if not scenario.programmes:
        return []
    everything = Programme(
        "all", "全部工程", "all programmes", tuple(k for p in scenario.programmes for k in p.drivers)
    )
    variants: list[tuple[Programme, Mapping[str, Driver]]] = [
        (p, switched_off(scenario, p.drivers)) for p in (*scenario.programmes, everything)
    ]
    keys = sorted(set(uncertain_keys(scenario.drivers)).union(*(uncertain_keys(d) for _, d in variants)))
    chol = cholesky(scenario, keys)
    z = latent_normals(np.random.default_rng(seed), draws, chol)
    ref = simulate(scenario, z, keys, chunk=chunk, workers=workers)
    p_ref, v_ref = _stats(scenario, ref)
    rows = []
    for programme, drivers in variants:
        off = simulate(scenario, z, keys, chunk=chunk, drivers=drivers, workers=workers)
        p_off, v_off = _stats(scenario, off)
        wedge = units.convert((off.co2 - ref.co2).mean(axis=1), "tCO2", "MtCO2")
        rows.append(
            {
                "programme": programme.id,
                "name_zh": programme.name_zh,
                "name_en": programme.name_en,
                "plan_ref": programme.plan_ref,
                "drivers": list(programme.drivers),
                "unit": "MtCO2/yr",
                "wedge": [_sig(w) for w in wedge],
                "wedge_at": {str(y): _sig(wedge[i]) for i, y in enumerate(ref.years) if y % 5 == 0},
                "delta_p_peak": round(p_ref - p_off, 6),
                "delta_peak_value": _sig(v_ref - v_off),
            }
        )
    return rows


__all__ = ["switched_off", "wedges"]
