"""Projection: /api/projection/scenarios and /api/projection/run (shipped scenarios only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from carbonpeak.api.deps import DatabaseDep

router = APIRouter(prefix="/projection", tags=["projection"])


class ScenarioInfo(BaseModel):
    name: str
    label_zh: str
    label_en: str
    scenario_hash: str


class ProjectionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    scenario: str = "plan"
    draws: int = Field(default=5_000, ge=1, le=20_000)
    seed: int = Field(default=1, ge=0, le=2**32 - 1)
    sensitivity: bool = False
    wedges: bool = True
    analysis_draws: int = Field(default=1_000, ge=1, le=2_000)
    sobol_draws: int = Field(default=256, ge=2, le=512)


class ProjectionResult(BaseModel):
    model_config = ConfigDict(extra="allow")

    scenario: str
    scenario_hash: str
    seed: int
    draws: int
    p_peak_by_2030: float
    peak_year: dict[str, Any]
    peak_value: dict[str, Any]
    bands: dict[str, Any]
    target_probabilities: list[dict[str, Any]]
    sensitivity: dict[str, Any] | None
    wedges: list[dict[str, Any]]


@router.get("/scenarios", response_model=list[ScenarioInfo])
def scenarios() -> list[ScenarioInfo]:
    from carbonpeak.services.projection import list_scenarios

    return [ScenarioInfo(**s) for s in list_scenarios()]


@router.post("/run", response_model=ProjectionResult)
def run(request: ProjectionRequest, db: DatabaseDep) -> ProjectionResult:
    """A projection of a shipped scenario on the data set of the store's current snapshot."""
    from carbonpeak.services.dataset import current
    from carbonpeak.services.projection import run_projection

    result = run_projection(
        request.scenario, shipped_only=True, data=current(db), **request.model_dump(exclude={"scenario"})
    )
    result.pop("scenario_file", None)
    return ProjectionResult(**result)
