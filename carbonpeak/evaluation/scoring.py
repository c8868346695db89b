"""Scores, vetoes, grades, rankings and rectification lists (docs/methods/evaluation.md).

For a unit and a criterion of its audience:

    rate   r ∈ [0, 1]: the criterion's completion rate (see scheme.py for the measures); for tasks
           r = Σ w(role) × on schedule ÷ Σ w(role) — a share, so a unit's rate does not rise by having
           fewer tasks: 2 tasks all on schedule and 38 all on schedule both give 1
    score  s = min(r, 1) × points                       (national pattern: 完成率乘以分值)
    total  S = Σ s × 100 / Σ points of applicable criteria
           (a criterion is not applicable when the unit has no obligation under it, e.g. a
           department that leads no task, and not assessable when its target has no value or the
           unit no observation (annual/cumulative target); the points of both are redistributed in
           proportion and the criterion says which it was)
    veto   a veto criterion with r < veto_below, or an indicator veto without data, forces the lowest
           grade whatever S; a not-assessable target condition never fires (nor counts as met)
    grade  the highest grade whose min_score ≤ round(S, 2)
    skip   a unit is listed in `not_evaluated` with its reason, neither graded nor ranked, when it
           had no reporting obligation in the year and reported nothing (`no_obligation`), or
           has no applicable criterion (`no_criterion`)
    rank   within an audience, ordered by grade then round(S, 2) descending; equal grade and equal
           rounded score share a rank and the next rank is skipped (competition ranking 1, 2, 2, 4)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from carbonpeak.evaluation.inputs import EvaluationInputs, UnitRef, inputs_digest
from carbonpeak.evaluation.scheme import Audience, Criterion, Scheme, scheme_digest
from carbonpeak.indicators.annual import CheckKind, TargetCheck
from carbonpeak.supervision.dispatch import latest_progress

ON_SCHEDULE = frozenset({"completed", "in_progress"})


@dataclass(frozen=True)
class TaskItem:
    """One task behind a task criterion: the unit's role in it, its weight and whether on schedule."""

    task: str
    role: str
    weight: float
    on_schedule: bool


@dataclass(frozen=True)
class CriterionScore:
    code: str
    name_zh: str
    name_en: str
    points: float
    applicable: bool
    rate: float | None  # None: not applicable
    score: float
    veto: bool  # the criterion is a veto criterion
    vetoed: bool  # … and it fired
    basis: str  # the data behind the rate, e.g. "3/4" tasks on schedule
    shortfalls: tuple[str, ...] = ()  # the rows that cost points (task codes, rounds, indicators)
    state: str = "scored"  # scored | not_applicable | not_assessable
    reason_zh: str = ""  # why not assessable
    reason_en: str = ""
    tasks: tuple[TaskItem, ...] = ()  # task criteria: the weighted rows behind the rate
    check: TargetCheck | None = None  # target criteria: the annual or cumulative condition


@dataclass(frozen=True)
class UnitScore:
    unit: str
    name_zh: str
    name_en: str
    kind: str
    audience: str
    score: float  # 0–100 after redistribution of non-applicable points
    raw_points: float  # Σ s, before redistribution
    applicable_points: float
    grade: str
    grade_zh: str
    grade_en: str
    vetoed: bool
    criteria: tuple[CriterionScore, ...]
    rank: int = 0

    @property
    def veto_criteria(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria if c.vetoed)


@dataclass(frozen=True)
class RectificationItem:
    unit: str
    name_zh: str
    criterion: str
    criterion_zh: str
    criterion_en: str
    rate: float
    points_lost: float
    vetoed: bool
    shortfalls: tuple[str, ...]


@dataclass(frozen=True)
class NotEvaluated:
    """A unit of an evaluated kind listed as 未参评, with the reason."""

    unit: str
    name_zh: str
    name_en: str
    reason: str  # no_obligation | no_criterion
    reason_zh: str
    reason_en: str


@dataclass(frozen=True)
class EvaluationResult:
    year: int
    scheme_code: str
    scheme_version: int
    scheme_digest: str
    inputs_digest: str
    data_version: str | None
    scores: tuple[UnitScore, ...]
    rectification: tuple[RectificationItem, ...]
    not_evaluated: tuple[NotEvaluated, ...] = ()  # units of an evaluated kind, neither graded nor ranked


# -- rates ----------------------------------------------------------------------------------------


def _rate_indicator(
    c: Criterion, unit: str, inputs: EvaluationInputs
) -> tuple[float | None, str, tuple[str, ...]]:
    rows = [
        r
        for r in inputs.indicator_results
        if r.unit == unit and (c.indicator is None or r.code == c.indicator)
    ]
    if not rows:
        if c.indicator is None:
            return None, "—", ()
        return 0.0, "no data", (c.indicator,)  # a named indicator without a result scores nothing
    rates = [min(max(r.completion_rate, 0.0), 1.0) if r.completion_rate is not None else 0.0 for r in rows]
    short = tuple(r.code for r, x in zip(rows, rates, strict=True) if x < 1.0)
    basis = "; ".join(
        f"{r.code}: {r.completion_rate:.2%}" if r.completion_rate is not None else f"{r.code}: no data"
        for r in rows
    )
    return sum(rates) / len(rates), basis, short


def task_items(c: Criterion, unit: str, inputs: EvaluationInputs) -> tuple[TaskItem, ...]:
    """The unit's tasks under a task criterion, weighted by its role, each on schedule or not."""
    latest = latest_progress(inputs.task_progress, period=inputs.period)
    return tuple(
        TaskItem(
            r.task,
            r.role,
            c.role_weights.get(r.role, 1.0),
            (rep := latest.get((r.task, unit))) is not None and rep.status in ON_SCHEDULE,
        )
        for r in inputs.responsibilities
        if r.unit == unit and r.role in c.roles
    )


def weighted_rate(items: Sequence[TaskItem]) -> float | None:
    """Σ weight × on schedule ÷ Σ weight (None without tasks): homogeneous in the number of tasks."""
    total = sum(i.weight for i in items)
    if not items or total <= 0:
        return None
    return sum(i.weight for i in items if i.on_schedule) / total


def _rate_tasks(
    c: Criterion, unit: str, inputs: EvaluationInputs
) -> tuple[float | None, str, tuple[str, ...]]:
    items = task_items(c, unit, inputs)
    rate = weighted_rate(items)
    if rate is None:
        return None, "—", ()
    parts = []
    for role in ("lead", "co"):
        mine = [i for i in items if i.role == role]
        if mine:
            done = sum(1 for i in mine if i.on_schedule)
            parts.append(f"{role} {done}/{len(mine)} × {mine[0].weight:g}")
    done_w = sum(i.weight for i in items if i.on_schedule)
    total_w = sum(i.weight for i in items)
    basis = f"{'; '.join(parts)} → {done_w:g}/{total_w:g}"
    return rate, basis, tuple(i.task for i in items if not i.on_schedule)


def _target_check(c: Criterion, unit: str, inputs: EvaluationInputs) -> TargetCheck:
    kind: CheckKind = "annual" if c.measure == "annual_target" else "cumulative"
    for chk in inputs.target_checks:
        if chk.unit == unit and chk.target == c.indicator and chk.kind == kind:
            return chk
    return TargetCheck(
        str(c.indicator),
        unit,
        inputs.year,
        kind,
        "not_assessable",
        None,
        None,
        "no statistics of the unit",
        "无本单位统计数据，不评价完成率",
        "no statistics of the unit's own: no completion rate",
    )


def _rate_timeliness(unit: str, inputs: EvaluationInputs) -> tuple[float | None, str, tuple[str, ...]]:
    rows = [r for r in inputs.reporting if r.unit == unit and r.due <= inputs.as_of]
    if not rows:
        return None, "—", ()
    late = tuple(r.round for r in rows if r.submitted_at is None or r.submitted_at > r.due)
    on_time = len(rows) - len(late)
    return on_time / len(rows), f"{on_time}/{len(rows)}", late


def _rate_quality(unit: str, inputs: EvaluationInputs) -> tuple[float | None, str, tuple[str, ...]]:
    rows = [r for r in inputs.reporting if r.unit == unit and r.due <= inputs.as_of]
    if not rows:
        return None, "—", ()
    bad = tuple(r.round for r in rows if r.submitted_at is None or r.problems > 0)
    clean = len(rows) - len(bad)
    return clean / len(rows), f"{clean}/{len(rows)}", bad


def _rate_assessed(
    c: Criterion, unit: str, inputs: EvaluationInputs
) -> tuple[float | None, str, tuple[str, ...]]:
    for a in inputs.assessed:
        if a.unit == unit and a.criterion == c.code:
            rate = min(max(a.rate, 0.0), 1.0)
            return rate, a.note or f"{rate:.2%}", ((a.note or c.code),) if rate < 1.0 else ()
    return 0.0, "no data", (c.code,)


def criterion_rate(
    c: Criterion, unit: str, inputs: EvaluationInputs
) -> tuple[float | None, str, tuple[str, ...]]:
    """(rate or None when not applicable, basis text, shortfall rows) of one criterion for one unit."""
    if c.measure == "indicator":
        return _rate_indicator(c, unit, inputs)
    if c.measure == "task_completion":
        return _rate_tasks(c, unit, inputs)
    if c.measure == "reporting_timeliness":
        return _rate_timeliness(unit, inputs)
    if c.measure == "data_quality":
        return _rate_quality(unit, inputs)
    return _rate_assessed(c, unit, inputs)


# -- scores ---------------------------------------------------------------------------------------


def score_criterion(c: Criterion, unit: str, inputs: EvaluationInputs) -> CriterionScore:
    if c.measure in ("annual_target", "cumulative_target"):
        chk = _target_check(c, unit, inputs)
        rate = chk.rate
        if rate is None:
            return CriterionScore(
                c.code, c.name_zh, c.name_en, c.points, False, None, 0.0, c.veto, False,
                chk.reason_en, (), "not_assessable", chk.reason_zh, chk.reason_en, (), chk,
            )  # fmt: skip
        basis = f"{chk.achieved:.2f}% / {chk.required:.2f}% ({chk.basis})"
        vetoed = c.veto and rate < c.veto_below
        lost: tuple[str, ...] = (f"{chk.target}:{chk.kind}",) if rate < 1.0 else ()
        return CriterionScore(
            c.code, c.name_zh, c.name_en, c.points, True, rate, min(rate, 1.0) * c.points, c.veto, vetoed,
            basis, lost, "scored", "", "", (), chk,
        )  # fmt: skip
    rate, basis, short = criterion_rate(c, unit, inputs)
    applicable = rate is not None
    score = min(rate, 1.0) * c.points if rate is not None else 0.0
    # a veto fires on a rate below the line; a veto criterion without any data fires too
    vetoed = c.veto and (rate is None or rate < c.veto_below)
    items = task_items(c, unit, inputs) if c.measure == "task_completion" else ()
    return CriterionScore(
        c.code, c.name_zh, c.name_en, c.points, applicable, rate, score, c.veto, vetoed, basis, short,
        "scored" if applicable else "not_applicable", "", "", items,
    )  # fmt: skip


def score_unit(scheme: Scheme, audience: Audience, unit: UnitRef, inputs: EvaluationInputs) -> UnitScore:
    crits = tuple(score_criterion(c, unit.code, inputs) for c in audience.criteria)
    applicable = sum(c.points for c in crits if c.applicable)
    raw = sum(c.score for c in crits)
    total = raw * 100.0 / applicable if applicable > 0 else 0.0
    vetoed = any(c.vetoed for c in crits)
    grade = scheme.lowest_grade if vetoed else scheme.grade_for(total)
    return UnitScore(
        unit.code,
        unit.name_zh,
        unit.name_en,
        unit.kind,
        audience.code,
        total,
        raw,
        applicable,
        grade.code,
        grade.name_zh,
        grade.name_en,
        vetoed,
        crits,
    )


def rank(scores: Sequence[UnitScore], scheme: Scheme) -> list[UnitScore]:
    """Competition ranking within each audience (see module rule); returns the scores in rank order."""
    order = {g.code: i for i, g in enumerate(scheme.grades)}
    out: list[UnitScore] = []
    for audience in scheme.audiences:
        group = sorted(
            (s for s in scores if s.audience == audience.code),
            key=lambda s: (order[s.grade], -round(s.score, 2), s.unit),
        )
        prev: tuple[int, float] | None = None
        current = 0
        for i, s in enumerate(group, start=1):
            key = (order[s.grade], round(s.score, 2))
            if key != prev:
                current, prev = i, key
            out.append(replace(s, rank=current))
    return out


def rectification(scores: Iterable[UnitScore], scheme: Scheme) -> list[RectificationItem]:
    """A row per unit and criterion it fails: a rate below the criterion's `rectify_below`, or a veto."""
    limits = {(a.code, c.code): c.rectify_below for a in scheme.audiences for c in a.criteria}
    out: list[RectificationItem] = []
    for s in scores:
        for c in s.criteria:
            if c.rate is None:
                continue
            if c.vetoed or c.rate < limits[(s.audience, c.code)]:
                out.append(
                    RectificationItem(
                        s.unit,
                        s.name_zh,
                        c.code,
                        c.name_zh,
                        c.name_en,
                        c.rate,
                        c.points - c.score,
                        c.vetoed,
                        c.shortfalls,
                    )
                )
    return out


def evaluate(scheme: Scheme, inputs: EvaluationInputs) -> EvaluationResult:
    """Score, grade and rank every unit whose kind the scheme evaluates; list what each must rectify."""
    if inputs.year not in scheme.years:
        from carbonpeak.errors import InputError
        from carbonpeak.validation import problem

        raise InputError(
            f"scheme {scheme.code} v{scheme.version} does not cover {inputs.year}",
            [
                problem(
                    "year",
                    "evaluation.scheme_year",
                    str(inputs.year),
                    code=scheme.code,
                    year=inputs.year,
                    years=scheme.years,
                )
            ],
        )
    scores = []
    skipped: list[NotEvaluated] = []
    active = {r.unit for r in inputs.reporting} | {p.unit for p in inputs.task_progress}
    for unit in inputs.units:
        audience = scheme.audience_for(unit.kind)
        if audience is None:
            continue
        if unit.code not in active:
            skipped.append(
                NotEvaluated(
                    unit.code,
                    unit.name_zh,
                    unit.name_en,
                    "no_obligation",
                    f"未纳入{inputs.year}年度调度填报，无报送记录",
                    f"not in any reporting round of {inputs.year} and reported nothing",
                )
            )
            continue
        score = score_unit(scheme, audience, unit, inputs)
        if score.applicable_points > 0:
            scores.append(score)
        else:
            skipped.append(
                NotEvaluated(
                    unit.code,
                    unit.name_zh,
                    unit.name_en,
                    "no_criterion",
                    "评价方案中没有适用于本单位的指标",
                    "no criterion of the scheme applies to the unit",
                )
            )
    ranked = rank(scores, scheme)
    return EvaluationResult(
        year=inputs.year,
        scheme_code=scheme.code,
        scheme_version=scheme.version,
        scheme_digest=scheme_digest(scheme),
        inputs_digest=inputs_digest(inputs),
        data_version=inputs.data_version,
        scores=tuple(ranked),
        rectification=tuple(rectification(ranked, scheme)),
        not_evaluated=tuple(skipped),
    )
