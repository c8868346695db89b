"""Projection: /api/projection/scenarios and /api/projection/run (shipped scenarios only).

A run costs seconds of CPU (20,000 draws: about 3 s), so /run answers from the app's ResultCache
(the newest RUN_CACHE_SIZE runs by request) when it can; anonymous requests are answered from that
cache only (401 on a miss: sign in to run a new projection), and a signed-in user's new runs are
limited to RUNS_PER_MINUTE (429 with Retry-After)."""

from __future__ import annotations

import threading
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field

from carbonpeak.api.deps import DatabaseDep, OptionalUser
from carbonpeak.errors import NotAuthenticated
from carbonpeak.services.limits import RateLimit, ResultCache

router = APIRouter(prefix="/projection", tags=["projection"])
RUNS_PER_MINUTE = 4
RUN_CACHE_SIZE = 32
_setup = threading.Lock()


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
def run(body: ProjectionRequest, request: Request, user: OptionalUser, db: DatabaseDep) -> ProjectionResult:
    """Run a shipped scenario on the data set of the store's current snapshot, or answer the same
    request's cached result on that data set (anonymous: cached only)."""
    from carbonpeak.services.dataset import current
    from carbonpeak.services.projection import run_projection

    cache, limit = _cache_and_limit(request)
    data = current(db)
    key = f"{data.id}|{body.model_dump_json()}"
    cached = cache.get(key)
    if cached is not None:
        return ProjectionResult(**cached)
    if user is None:
        raise NotAuthenticated(
            "anonymous projection requests are answered from the cache only: sign in to run a new one",
            message_zh="未登录用户仅可获取已缓存的模拟结果：请登录后运行新的模拟",
        )
    limit.take(f"user:{user.id}")
    result = run_projection(
        body.scenario,
        shipped_only=True,
        data=data,
        workers=request.app.state.settings.threads,
        **body.model_dump(exclude={"scenario"}),
    )
    result.pop("scenario_file", None)
    cache.put(key, result)
    return ProjectionResult(**result)


def _cache_and_limit(request: Request) -> tuple[ResultCache, RateLimit]:
    state = request.app.state
    with _setup:
        if getattr(state, "projection_cache", None) is None:
            state.projection_cache = ResultCache(RUN_CACHE_SIZE)
            state.projection_limit = RateLimit(RUNS_PER_MINUTE, burst=2, what=("projection runs", "模拟运行"))
    return state.projection_cache, state.projection_limit
