"""Project impact: a new project added to a scenario, and what it changes.

The project (e.g. a high-energy plant under 两高 review or 节能审查) adds its annual energy use by
fuel (tce; electricity at calorific value), process CO2 and value added from its start year on,
held flat (no efficiency gain assumed: the conservative reading of a review). Both runs share the
same latent draws, so the differences are the project's, not sampling noise:

    Δ peak year  (median and mean over draws), Δ peak value (median, Mt CO2),
    Δ p_peak_by_2030, Δ p_peak_by (the scenario's year), Δ probability of each target.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from carbonpeak import units
from carbonpeak.scenarios.model import Addition, Scenario
from carbonpeak.scenarios.montecarlo import Collected, latent, peak_stats, simulate, target_hits, uncertain


def _stats(scenario: Scenario, coll: Collected) -> dict[str, Any]:
    years, value, by = peak_stats(scenario, coll)
    return {
        "peak_year_median": float(np.median(years)),
        "peak_year_mean": float(years.mean()),
        "peak_value_median": units.convert(float(np.median(value)), "tCO2", "MtCO2"),
        "p_peak_by_2030": float((years <= 2030).mean()),
        "p_peak_by": float(by.mean()),
        "targets": {t.id: float(target_hits(t, coll).mean()) for t in scenario.targets},
    }


def project_impact(
    scenario: Scenario,
    additions: tuple[Addition, ...],
    *,
    draws: int,
    seed: int,
    chunk: int = 10_000,
    workers: int | None = None,
) -> dict[str, Any]:
    """Before/after statistics and their differences (after - before) for `additions` on `scenario`."""
    keys = uncertain(scenario)
    z = latent(scenario, np.random.default_rng(seed), draws, keys)
    before = _stats(scenario, simulate(scenario, z, keys, chunk=chunk, workers=workers))
    after = _stats(
        scenario,
        simulate(
            scenario, z, keys, chunk=chunk, additions=(*scenario.additions, *additions), workers=workers
        ),
    )
    delta = {k: round(after[k] - before[k], 6) for k in before if k != "targets"}
    delta["targets"] = {k: round(after["targets"][k] - before["targets"][k], 6) for k in before["targets"]}
    return {
        "projects": [
            {
                "name": a.name,
                "start_year": a.start_year,
                "sector": a.sector,
                "energy_tce": dict(a.energy),
                "process_emissions_t": a.process_emissions,
                "value_added_wan_yuan": a.value_added,
            }
            for a in additions
        ],
        "before": before,
        "after": after,
        "delta": delta,
        "seed": seed,
        "draws": draws,
    }


__all__ = ["project_impact"]
