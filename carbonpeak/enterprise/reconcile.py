"""Top-down vs bottom-up: the sum of enterprise accounts against the city inventory by sector (pure).

    reconcile(inventory_t, enterprise_t, enterprises) -> list[SectorCheck]

Both sides are direct CO2 (combustion + processes; t CO2) of one year, keyed by the reconciliation
sector (an industry division of data/industries.csv and the inventory sector codes it covers).
coverage = enterprises ÷ inventory; residual = inventory − enterprises (the emissions of units
outside the register, plus differences of method and boundary). A sector with enterprise CO2 but
no inventory CO2 gets coverage None. docs/methods/enterprise.md#reconciliation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class SectorCheck:
    sector: str
    inventory_t: float
    enterprises_t: float
    coverage: float | None
    residual_t: float
    enterprises: int


def reconcile(
    inventory_t: Mapping[str, float], enterprise_t: Mapping[str, float], enterprises: Mapping[str, int]
) -> list[SectorCheck]:
    """One row per sector on either side, ordered by inventory CO2 (largest first)."""
    out = []
    for s in set(inventory_t) | set(enterprise_t):
        inv = float(inventory_t.get(s, 0.0))
        ent = float(enterprise_t.get(s, 0.0))
        out.append(
            SectorCheck(s, inv, ent, ent / inv if inv > 0 else None, inv - ent, int(enterprises.get(s, 0)))
        )
    return sorted(out, key=lambda r: (-r.inventory_t, r.sector))


__all__ = ["SectorCheck", "reconcile"]
