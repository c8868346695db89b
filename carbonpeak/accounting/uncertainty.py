"""Uncertainty of inventory totals: IPCC Approach 1 (error propagation) and Approach 2 (Monte Carlo).

Both work per (region, year) on the direct total (energy + processes) plus, when asked, the indirect
electricity term. Uncertainties are half-widths of 95% intervals as fractions (IPCC 2006 Vol.1 ch.3).

Grouping: one factor is used for a fuel in every sector, so factor errors are fully correlated
across sectors and independent across fuels; activity errors are independent across input rows.
The terms propagated are therefore one per fuel (and per product, and the grid term):

    U_A,f  = sqrt(Σ_s (w_s · u_s · A_s)²) / |Σ_s w_s · A_s|          (activity, eq. 3.1 for sums)
    U_f    = sqrt(U_A,f² + U_EF,f²)                                  (product, eq. 3.2)
    U_tot  = sqrt(Σ_f (U_f · E_f)²) / |Σ_f E_f|                       (sum, eq. 3.1)

Approach 2 draws the fuel-level activity sum as Normal(Σ w A, sqrt(Σ (w u A / 1.96)²)) — exact for
independent normal row errors — and each factor as Normal(EF, EF · U_EF / 1.96), shared by sectors
and regions. Randomness comes from the `rng` passed in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from carbonpeak.accounting.inventory import Inventory, sector_weights

Array = npt.NDArray[np.float64]
Z95 = 1.959963984540054


def _fuel_terms(inv: Inventory) -> tuple[Array, Array, Array, Array]:
    """Fuel-level activity (r, y, f), its absolute half-width, and the matching EF and EF half-width."""
    b = inv.balance
    w = sector_weights(b.sectors)
    act = np.einsum("ryst,s->ryt", b.energy, w)
    act_u = np.sqrt(np.einsum("ryst,s->ryt", b.energy_u**2, w**2))
    return act, act_u, inv.ef_energy, inv.ef_energy_u


def approach1(inv: Inventory, *, include_indirect: bool = False) -> tuple[Array, Array]:
    """(total t CO2, U as fraction), each (region, year)."""
    act, act_u, ef, ef_u = _fuel_terms(inv)
    e = act * ef[None]
    with np.errstate(divide="ignore", invalid="ignore"):
        ua = np.where(act != 0, act_u / np.abs(np.where(act != 0, act, 1.0)), 0.0)
    var = ((ua**2 + ef_u[None] ** 2) * e**2).sum(axis=2)
    b = inv.balance
    pa = b.process.sum(axis=2)
    pa_u = np.sqrt((b.process_u**2).sum(axis=2))
    pe = pa * inv.ef_process[None]
    with np.errstate(divide="ignore", invalid="ignore"):
        pua = np.where(pa != 0, pa_u / np.where(pa != 0, pa, 1.0), 0.0)
    var = var + ((pua**2 + inv.ef_process_u[None] ** 2) * pe**2).sum(axis=2)
    total = e.sum(axis=2) + pe.sum(axis=2)
    if include_indirect:
        # the net import is one published figure per year: 5% activity uncertainty (platform assumption)
        var = var + (0.05**2 + inv.grid_ef_u[None] ** 2) * inv.indirect_electricity**2
        total = total + inv.indirect_electricity
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(total != 0, np.sqrt(var) / np.abs(np.where(total != 0, total, 1.0)), 0.0)
    return total, u


@dataclass(frozen=True)
class MonteCarlo:
    """Approach 2 result: draws (n, region, year) in t CO2 and their summary."""

    draws: Array
    seed: int | None

    @property
    def mean(self) -> Array:
        return np.asarray(self.draws.mean(axis=0))

    def interval(self, level: float = 0.95) -> tuple[Array, Array]:
        lo, hi = np.quantile(self.draws, [(1 - level) / 2, (1 + level) / 2], axis=0)
        return np.asarray(lo), np.asarray(hi)


def approach2(
    inv: Inventory,
    n: int,
    rng: np.random.Generator,
    *,
    include_indirect: bool = False,
    seed: int | None = None,
) -> MonteCarlo:
    """Monte Carlo over `n` draws, vectorised over draws, regions, years and fuels."""
    act, act_u, ef, ef_u = _fuel_terms(inv)
    r, y, f = act.shape
    a = act[None] + rng.standard_normal((n, r, y, f)) * (act_u / Z95)[None]
    k = ef[None] * (1.0 + rng.standard_normal((n, y, f)) * (ef_u / Z95)[None])
    draws = np.einsum("nryf,nyf->nry", a, k)
    b = inv.balance
    pa = b.process.sum(axis=2)
    pa_u = np.sqrt((b.process_u**2).sum(axis=2))
    p = pa.shape[2]
    pd = pa[None] + rng.standard_normal((n, r, y, p)) * (pa_u / Z95)[None]
    pk = inv.ef_process[None] * (1.0 + rng.standard_normal((n, y, p)) * (inv.ef_process_u / Z95)[None])
    draws = draws + np.einsum("nryp,nyp->nry", pd, pk)
    if include_indirect:
        g = 1.0 + rng.standard_normal((n, 1, y)) * (inv.grid_ef_u / Z95)[None, None]
        m = 1.0 + rng.standard_normal((n, r, y)) * (0.05 / Z95)
        draws = draws + inv.indirect_electricity[None] * g * m
    return MonteCarlo(draws, seed)


__all__ = ["MonteCarlo", "approach1", "approach2"]
