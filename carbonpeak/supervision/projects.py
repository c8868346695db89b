"""Key projects (专栏 1–4): status counts and the capacity roll-up against the targets they serve.

Roll-up rule (docs/methods/evaluation.md, "Capacity roll-up"): for a target with a unit, every
project that lists the target in `serves_targets` contributes its capacities whose unit has the
target unit's dimension (power to a 万kW target, a count to a 个 target …), converted through
units.csv. `planned` sums value × count of the plan's capacities of projects not cancelled;
`in_operation` sums the capacities reported in operation; a project reported `in_operation`
without a capacity of that dimension counts its planned capacity (the plan's figure is then the
best figure there is). Projects with no capacity of the dimension are counted as `unquantified`.
Targets measured as a share (%) are left out: capacities do not add up to a percentage.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from carbonpeak import units
from carbonpeak.errors import InputError
from carbonpeak.plan.schema import KeyProject, Plan
from carbonpeak.supervision.model import PROJECT_STATES, ProjectStatus

NON_ADDITIVE_DIMENSIONS = frozenset({"share"})  # a project's capacity does not add up to a percentage


@dataclass(frozen=True)
class CapacityRollup:
    target: str
    name_zh: str
    name_en: str
    target_year: int
    target_value: float | None
    unit: str
    planned: float
    in_operation: float
    projects: int
    projects_in_operation: int
    projects_unquantified: int

    @property
    def share_in_operation(self) -> float | None:
        """Capacity in operation as a fraction of the target value (None without a target value)."""
        return self.in_operation / self.target_value if self.target_value else None

    @property
    def share_planned(self) -> float | None:
        return self.planned / self.target_value if self.target_value else None


def _dimension(unit: str | None) -> str | None:
    if not unit:
        return None
    try:
        return units.lookup(unit).dimension
    except InputError:
        return None


def _convert(value: float, from_unit: str, to_unit: str, dimension: str) -> float | None:
    if _dimension(from_unit) != dimension:
        return None
    return float(units.convert(value, from_unit, to_unit))


def _planned(project: KeyProject, unit: str, dimension: str) -> float | None:
    total: float | None = None
    for c in project.capacities:
        v = _convert(c.value * c.count, c.unit, unit, dimension)
        if v is not None:
            total = (total or 0.0) + v
    return total


def _operating(status: ProjectStatus, unit: str, dimension: str) -> float | None:
    total: float | None = None
    for c in status.capacity_in_operation:
        v = _convert(c.value, c.unit, unit, dimension)
        if v is not None:
            total = (total or 0.0) + v
    return total


def capacity_rollup(plan: Plan, statuses: Iterable[ProjectStatus]) -> list[CapacityRollup]:
    """One row per target served by at least one key project and measured in a known unit."""
    by_code = {s.project: s for s in statuses}
    out: list[CapacityRollup] = []
    for target in plan.targets:
        serving = [p for p in plan.key_projects if target.code in p.serves_targets]
        dimension = _dimension(target.unit)
        if not serving or dimension is None or dimension in NON_ADDITIVE_DIMENSIONS or target.unit is None:
            continue
        planned = operating = 0.0
        n_op = n_unq = 0
        for p in serving:
            status = by_code.get(p.code)
            state = status.status if status else "planned"
            plan_cap = _planned(p, target.unit, dimension)
            op_cap = _operating(status, target.unit, dimension) if status else None
            if plan_cap is None and op_cap is None:
                n_unq += 1
            if state != "cancelled" and plan_cap is not None:
                planned += plan_cap
            if state == "in_operation":
                n_op += 1
                if op_cap is None:
                    op_cap = plan_cap
            if op_cap is not None:
                operating += op_cap
        out.append(
            CapacityRollup(
                target=target.code,
                name_zh=target.name_zh,
                name_en=target.name_en,
                target_year=target.target_year,
                target_value=target.target_value,
                unit=target.unit,
                planned=planned,
                in_operation=operating,
                projects=len(serving),
                projects_in_operation=n_op,
                projects_unquantified=n_unq,
            )
        )
    return out


def status_counts(plan: Plan, statuses: Iterable[ProjectStatus]) -> dict[str, dict[str, int]]:
    """Number of key projects per category and status; a project without a report counts as planned."""
    by_code = {s.project: s.status for s in statuses}
    out: dict[str, dict[str, int]] = {}
    for p in plan.key_projects:
        row = out.setdefault(p.category, dict.fromkeys(PROJECT_STATES, 0))
        row[by_code.get(p.code, "planned")] += 1
    return out
