"""The inventory API: GET /api/inventory/factors (read-only library), POST /api/inventory/compute."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from carbonpeak.services.inventory import compute_inventory, factor_library

router = APIRouter(prefix="/inventory", tags=["inventory"])

Table = Literal[
    "fuels",
    "sectors",
    "combustion",
    "standard_coal",
    "grid",
    "generation_coal_rate",
    "process",
    "grid_regions",
    "import_non_fossil_share",
]


class BalanceRow(BaseModel):
    region: str
    year: int
    sector: str
    fuel: str
    quantity: float
    unit: str
    flag: str = "published"
    method: str = ""
    source: str = ""


class ComputeRequest(BaseModel):
    rows: list[BalanceRow] = Field(min_length=1, max_length=20_000)
    factor_set: Literal["guideline", "ipcc2006", "ceads"] = "guideline"
    grid: Literal["national", "regional"] = "national"
    import_convention: Literal["origin", "separate"] = "origin"
    import_share: float | None = Field(default=None, ge=0.0, le=1.0)


@router.get("/factors")
def factors(table: Annotated[Table | None, Query(description="only this table")] = None) -> dict[str, Any]:
    """The factor library: every table, each row with its source, check status and validity years."""
    library = factor_library()
    return {table: library[table]} if table else dict(library)


@router.post("/compute")
def compute(body: ComputeRequest) -> dict[str, Any]:
    """CO2 inventory of a small balance: cells, totals (t CO2, tce, shares) and notes; 422 lists bad rows."""
    rows = [{k: str(v) for k, v in r.model_dump().items()} for r in body.rows]
    return compute_inventory(
        rows,
        body.factor_set,
        grid=body.grid,
        import_convention=body.import_convention,
        import_share=body.import_share,
    )
