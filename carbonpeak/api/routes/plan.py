"""The work plan, read-only: /api/plan and its /targets, /tasks, /projects and /units.

The plan file is the application's (`settings.plan_file`); each route calls one service.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request

from carbonpeak.plan.schema import KeyProject, Measure, Plan, ResponsibleUnit, Target
from carbonpeak.services.plan import current_plan, plan_export, projects_of, targets_of, tasks_of

router = APIRouter(prefix="/plan", tags=["plan"])


def _plan(request: Request) -> Plan:
    return current_plan(request.app.state.settings.plan_file)


@router.get("")
def plan(request: Request) -> dict[str, Any]:
    """The whole plan: targets, programmes (with tasks), guarantees, organisation, key_projects, units."""
    return plan_export(_plan(request))


@router.get("/targets", response_model=list[Target])
def targets(
    request: Request, indicator: Annotated[str | None, Query(description="only this indicator")] = None
) -> list[Target]:
    """Quantified targets, one per indicator and target year."""
    return targets_of(_plan(request), indicator)


@router.get("/tasks", response_model=list[Measure])
def tasks(
    request: Request,
    unit: Annotated[str | None, Query(description="unit code: tasks it leads or shares")] = None,
) -> list[Measure]:
    """The numbered tasks of every programme (code `P<programme>.T<task>`)."""
    return tasks_of(_plan(request), unit)


@router.get("/projects", response_model=list[KeyProject])
def projects(
    request: Request, column: Annotated[int | None, Query(description="only this column (专栏)")] = None
) -> list[KeyProject]:
    """Key projects of the plan's columns, with capacities parsed from their names."""
    return projects_of(_plan(request), column)


@router.get("/units", response_model=list[ResponsibleUnit])
def units(request: Request) -> list[ResponsibleUnit]:
    """Responsible units, the normalised list every reference of the plan resolves to."""
    return _plan(request).units
