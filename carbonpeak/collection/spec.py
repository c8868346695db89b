"""What one unit reports in one round: the `TemplateSpec`, and `spec_for_unit` that builds it from a plan.

A spec names the unit (code, Chinese name), the period (year and round code) and the rows the unit
owns: indicators (with unit of measure, range, previous value for year-on-year checks and
parts-of-total relations), tasks (measures it leads or co-leads) and key projects. The template is
built from the spec and an upload is checked against it; the spec is plain data, so the store can
keep it beside a round.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from carbonpeak import i18n, units
from carbonpeak.errors import InputError, NotFound, Problem
from carbonpeak.plan.schema import Capacity, Plan


class StatusLabels(Mapping[str, str]):
    """Stored code → the Chinese label users pick in the template: the catalogue's
    `collection.status.<what>.<code>`, looked up when read (importing this module reads no catalogue)."""

    def __init__(self, what: str, codes: tuple[str, ...]) -> None:
        self.what, self.codes = what, codes

    def __getitem__(self, code: str) -> str:
        if code not in self.codes:
            raise KeyError(code)
        return i18n.t(f"collection.status.{self.what}.{code}", "zh")

    def __iter__(self) -> Iterator[str]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)


# Progress status of a task, and status of a key project
TASK_STATUSES = StatusLabels("task", ("not_started", "in_progress", "completed", "delayed"))
PROJECT_STATUSES = StatusLabels(
    "project", ("planned", "approved", "under_construction", "in_operation", "cancelled")
)

DEFAULT_YOY_THRESHOLD = 0.30  # a change of more than 30 % against the previous year needs a comment
DEFAULT_SUM_TOLERANCE = 0.005  # parts may differ from their total by 0.5 % (rounding in reported figures)


@dataclass(frozen=True)
class Period:
    """A reporting period: the year reported on and the code of the round that asks for it."""

    year: int
    round_code: str

    @property
    def label(self) -> str:
        return f"{self.year} / {self.round_code}"


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator row: its value is reported in `unit` (any convertible unit is accepted and converted).

    `minimum`/`maximum` bound the value in `unit`; `previous` is last year's value in `unit` for the
    year-on-year check; `parts` are codes of indicators of the same spec whose values sum to this one.
    """

    code: str
    name_zh: str
    name_en: str
    unit: str
    required: bool = True
    minimum: float | None = None
    maximum: float | None = None
    previous: float | None = None
    parts: tuple[str, ...] = ()
    yoy_threshold: float | None = None  # None: the spec's threshold


@dataclass(frozen=True)
class TaskSpec:
    """A task (measure) of the plan the unit reports progress on; `role` is `lead` or `co`."""

    code: str
    title_zh: str
    title_en: str
    role: str = "lead"
    required: bool = True


@dataclass(frozen=True)
class ProjectSpec:
    """A key project; `capacity_unit` is the unit its capacity in operation is reported in (None: no
    capacity), `planned_capacity` the capacity the plan names, in that unit (None when unknown)."""

    code: str
    name_zh: str
    capacity_unit: str | None = None
    planned_capacity: float | None = None
    required: bool = True


@dataclass(frozen=True)
class TemplateSpec:
    """Identity of a template (unit, period) and the rows it holds. Validated on construction."""

    unit_code: str
    unit_name_zh: str
    period: Period
    indicators: tuple[IndicatorSpec, ...] = ()
    tasks: tuple[TaskSpec, ...] = ()
    projects: tuple[ProjectSpec, ...] = ()
    yoy_threshold: float = DEFAULT_YOY_THRESHOLD
    sum_tolerance: float = DEFAULT_SUM_TOLERANCE
    plan_code: str | None = None
    due: str | None = None  # due date shown on the instructions sheet (ISO text)
    # `kind:code` (kind: indicator, task, project) → the input fields of the row as last approved
    # (see prefill_key); None: a blank template where every required row must be filled. With a
    # mapping (even empty) the template is pre-filled and an upload may change only some rows: a
    # row left as pre-filled, or left blank, is not reported again (it keeps its approved value).
    prefilled: Mapping[str, Mapping[str, Any]] | None = field(default=None, compare=False)
    _by_code: dict[str, IndicatorSpec] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problems = spec_problems(self)
        if problems:
            raise InputError(f"invalid template spec for {self.unit_code}", problems)
        object.__setattr__(self, "_by_code", {i.code: i for i in self.indicators})

    def indicator(self, code: str) -> IndicatorSpec:
        return self._by_code[code]

    def totals(self) -> tuple[IndicatorSpec, ...]:
        """Indicators that are the sum of other indicators (have `parts`)."""
        return tuple(i for i in self.indicators if i.parts)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data (the store keeps it beside a round); `from_dict` reads it back."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.init}
        data["period"] = asdict(self.period)
        for key in ("indicators", "tasks", "projects"):
            data[key] = [asdict(row) for row in data[key]]
        for row in data["indicators"]:
            row["parts"] = list(row["parts"])
        if self.prefilled is not None:
            data["prefilled"] = {k: dict(v) for k, v in self.prefilled.items()}
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> TemplateSpec:
        return cls(
            **{
                **data,
                "period": Period(**data["period"]),
                "indicators": tuple(
                    IndicatorSpec(**{**i, "parts": tuple(i.get("parts", ()))})
                    for i in data.get("indicators", ())
                ),
                "tasks": tuple(TaskSpec(**t) for t in data.get("tasks", ())),
                "projects": tuple(ProjectSpec(**p) for p in data.get("projects", ())),
            }
        )


def prefill_key(kind: str, code: str) -> str:
    """The key of a row in TemplateSpec.prefilled: `task:P1.T1`."""
    return f"{kind}:{code}"


def _dupes(codes: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    dupes: list[str] = []
    for code in codes:
        if code in seen:
            dupes.append(code)
        seen.add(code)
    return dupes


def known_unit(name: str) -> bool:
    """Whether `name` is in the unit table (canonical or alias)."""
    try:
        units.lookup(name)
    except InputError:
        return False
    return True


def spec_problems(spec: TemplateSpec) -> list[Problem]:
    """Faults of a spec: duplicate codes, unknown units, bad ranges, parts that do not resolve."""
    out: list[Problem] = []

    def bad(location: str, zh: str, en: str, value: str | None = None) -> None:
        out.append(Problem(location, "spec.invalid", zh, en, value=value))

    for kind, codes in (
        ("indicators", [i.code for i in spec.indicators]),
        ("tasks", [t.code for t in spec.tasks]),
        ("projects", [p.code for p in spec.projects]),
    ):
        for code in _dupes(codes):
            bad(f"spec.{kind}", f"代码“{code}”重复", f"code {code!r} appears twice", code)
    unit_of = {i.code: i.unit for i in spec.indicators}
    for n, ind in enumerate(spec.indicators):
        loc = f"spec.indicators[{n}]"
        if not known_unit(ind.unit):
            bad(loc, f"未知计量单位“{ind.unit}”", f"unknown unit {ind.unit!r}", ind.unit)
            continue
        if ind.minimum is not None and ind.maximum is not None and ind.minimum > ind.maximum:
            bad(loc, "下限大于上限", "minimum above maximum", f"{ind.minimum}>{ind.maximum}")
        for part in ind.parts:
            if part not in unit_of or part == ind.code:
                bad(loc, f"分项“{part}”不是本模板的其他指标", f"part {part!r} is not another indicator", part)
            elif not units.convertible(unit_of[part], ind.unit):
                bad(loc, f"分项“{part}”的单位不能换算", f"part {part!r} has an inconvertible unit", part)
    for n, prj in enumerate(spec.projects):
        if prj.capacity_unit is not None and not known_unit(prj.capacity_unit):
            bad(
                f"spec.projects[{n}]",
                f"未知计量单位“{prj.capacity_unit}”",
                f"unknown unit {prj.capacity_unit!r}",
                prj.capacity_unit,
            )
    if not (spec.yoy_threshold > 0 and math.isfinite(spec.yoy_threshold)):
        bad("spec.yoy_threshold", "同比阈值须为正数", "the year-on-year threshold must be positive")
    return out


def indicators_from_targets(plan: Plan, unit_code: str) -> tuple[IndicatorSpec, ...]:
    """One indicator per quantified target indicator the unit is responsible for.

    The unit is the target's own unit; shares and reductions in % are bounded to 0–100; counts and
    levels to ≥ 0. Qualitative targets and targets without a unit are left out.
    """
    seen: dict[str, IndicatorSpec] = {}
    for target in plan.targets:
        if unit_code not in target.responsible_units or target.metric == "qualitative" or not target.unit:
            continue
        if target.indicator in seen or not known_unit(target.unit):
            continue
        share = target.metric == "share" and units.canonical(target.unit) == "%"
        seen[target.indicator] = IndicatorSpec(
            code=target.indicator,
            name_zh=target.name_zh,
            name_en=target.name_en,
            unit=target.unit,
            # a reduction may be negative (the quantity grew); levels, counts, peaks and shares may not
            minimum=None if target.metric == "reduction" else 0.0,
            maximum=100.0 if share else None,
        )
    return tuple(seen.values())


def _project_capacity(capacities: Sequence[Capacity]) -> tuple[str | None, float | None]:
    """Unit and planned size of a project: its first power capacity, else its first capacity."""
    usable = [c for c in capacities if known_unit(c.unit)]
    if not usable:
        return None, None
    chosen = next((c for c in usable if c.quantity == "power"), usable[0])
    return chosen.unit, chosen.value * chosen.count


def spec_for_unit(
    plan: Plan,
    unit_code: str,
    period: Period | int,
    *,
    indicators: Sequence[IndicatorSpec] | None = None,
    previous: Mapping[str, float] | None = None,
    projects: Sequence[str] | None = None,
    yoy_threshold: float = DEFAULT_YOY_THRESHOLD,
    due: str | None = None,
) -> TemplateSpec:
    """The template spec of `unit_code` for `period` from `plan`.

    Tasks: every measure (programme task, guarantee, organisation item) the unit leads or co-leads,
    itself or as a member of a collective unit the measure names (a district government for 各区县政府).
    Projects: the codes in `projects` if given; otherwise the key projects the unit reports on by
    Plan.project_units (responsible for a target the project serves; for a project serving no
    target, a lead unit of its column's programme — the plan names no unit per project).
    Indicators: `indicators` if given, else `indicators_from_targets`. `previous` maps an indicator
    code to last year's value in the indicator's unit.
    """
    try:
        unit = plan.unit(unit_code)
    except KeyError:
        raise NotFound(
            f"unit {unit_code!r} is not in plan {plan.code}",
            message_zh=f"方案{plan.code}中没有单位“{unit_code}”",
        ) from None
    if isinstance(period, int):
        period = Period(period, str(period))
    # the unit answers for a measure named to it, or to the collective it belongs to (各区县政府
    # for each district government: `member_of`)
    answers = {unit_code, *([unit.member_of] if unit.member_of else [])}
    tasks = tuple(
        TaskSpec(m.code, m.title_zh, m.title_en, role="lead" if answers & set(m.lead_units) else "co")
        for m in plan.measures()
        if answers & {*m.lead_units, *m.co_units}
    )
    if projects is None:
        chosen = [p for p in plan.key_projects if unit_code in plan.project_units(p)]
    else:
        wanted = set(projects)
        chosen = [p for p in plan.key_projects if p.code in wanted]
    project_specs = []
    for p in chosen:
        cap_unit, planned = _project_capacity(p.capacities)
        project_specs.append(ProjectSpec(p.code, p.name_zh, cap_unit, planned))
    inds = tuple(indicators) if indicators is not None else indicators_from_targets(plan, unit_code)
    prev = dict(previous or {})
    inds = tuple(replace(i, previous=prev[i.code]) if i.code in prev else i for i in inds)
    return TemplateSpec(
        unit_code=unit.code,
        unit_name_zh=unit.name_zh,
        period=period,
        indicators=inds,
        tasks=tasks,
        projects=tuple(project_specs),
        yoy_threshold=yoy_threshold,
        plan_code=plan.code,
        due=due,
    )


__all__ = [
    "DEFAULT_SUM_TOLERANCE",
    "DEFAULT_YOY_THRESHOLD",
    "PROJECT_STATUSES",
    "TASK_STATUSES",
    "IndicatorSpec",
    "Period",
    "ProjectSpec",
    "TaskSpec",
    "TemplateSpec",
    "indicators_from_targets",
    "known_unit",
    "prefill_key",
    "spec_for_unit",
]
