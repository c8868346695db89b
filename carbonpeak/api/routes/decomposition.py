"""Drivers of change: GET /api/decomposition — LMDI-I effects on the change in CO2 emissions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from carbonpeak.api.deps import DatabaseDep
from carbonpeak.services.decomposition import decompose_emissions

router = APIRouter(prefix="/decomposition", tags=["decomposition"])


@router.get("")
def decomposition(
    db: DatabaseDep,
    start: Annotated[int | None, Query(alias="from", description="first year")] = None,
    end: Annotated[int | None, Query(alias="to", description="last year")] = None,
    chained: Annotated[bool, Query(description="chain year by year (else one period)")] = True,
) -> dict[str, Any]:
    """Additive (万tCO2) and multiplicative effects of population, affluence, structure, intensity, fuel mix
    and emission factors; by period, sector and fuel, on the current data set (`input`: demo,
    `flag`: estimated)."""
    return decompose_emissions(start=start, end=end, chained=chained, database=db)
