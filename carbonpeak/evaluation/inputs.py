"""The inputs of one evaluation, frozen as one value with a digest.

`EvaluationInputs` holds everything a score depends on — the units and their responsibilities as the
plan stood, the task-progress, reporting and indicator rows and the office's assessed rates — so a
past year's score is reproduced from the inputs alone, even after the plan, the data or the scheme
have changed. `inputs_digest` is the SHA-256 of their canonical JSON; `inputs_to_dict` /
`inputs_from_dict` round-trip them through JSON for the evaluation archive.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from carbonpeak.indicators.annual import TargetCheck
from carbonpeak.plan.schema import Plan
from carbonpeak.supervision.dispatch import Responsibility, responsibilities
from carbonpeak.supervision.model import ReportingRecord, SupervisionInputs, TaskProgress

TargetStatus = Literal["achieved", "on_track", "at_risk", "off_track", "no_data"]
TARGET_STATUSES: tuple[str, ...] = ("achieved", "on_track", "at_risk", "off_track", "no_data")


@dataclass(frozen=True)
class IndicatorResult:
    """A target's result for one unit (a district's own result, or a department's shared one).

    `completion_rate` is progress achieved / progress required by the year (1.0 = the year's target
    met; the national pattern's 目标完成率), None when there is no data. `status` uses the indicator
    engine's vocabulary.
    """

    code: str
    unit: str
    year: int
    status: TargetStatus
    completion_rate: float | None
    value: float | None = None
    target_value: float | None = None
    measure_unit: str | None = None
    version: str | None = None


def completion_rate(progress: float | None, expected_progress: float | None, status: str) -> float | None:
    """Progress covered ÷ progress expected by now (both % of the way from base to target).

    None without data; 1.0 or more for an achieved target or one expected to have made no progress yet.
    """
    if progress is None or status == "no_data":
        return None
    if status == "achieved":
        return max(1.0, progress / 100.0)
    if expected_progress is None or expected_progress <= 0.0:
        return 1.0 if progress >= 0.0 else 0.0
    return max(progress, 0.0) / expected_progress


def indicator_results(
    rows: Iterable[Mapping[str, Any]], *, year: int, shared_by: Mapping[str, Sequence[str]] | None = None
) -> list[IndicatorResult]:
    """IndicatorResults from the indicator engine's rows (services/indicators.track_targets: the rows
    of `carbonpeak indicators --format json` and /api/indicators): one for the city per row, and the
    same result again for every unit `shared_by[code]` names (the target's responsible units, whose
    `indicator` criterion judges the targets in their charge). The one conversion of the engine's
    answer into evaluation inputs."""
    shared_by = shared_by or {}
    out: list[IndicatorResult] = []
    for r in rows:
        status = str(r.get("status") or "no_data")
        if status not in TARGET_STATUSES:
            status = "no_data"
        for unit in ("city", *shared_by.get(str(r["code"]), ())):
            out.append(
                IndicatorResult(
                    code=str(r["code"]),
                    unit=unit,
                    year=year,
                    status=status,  # type: ignore[arg-type]
                    completion_rate=completion_rate(r.get("progress"), r.get("expected_progress"), status),
                    value=r.get("latest"),
                    target_value=r.get("target_value"),
                    measure_unit=r.get("unit"),
                )
            )
    return out


@dataclass(frozen=True)
class AssessedRate:
    """The office's assessed rate (0–1) of one unit on one `assessed` criterion, with its reason."""

    unit: str
    criterion: str
    rate: float
    note: str = ""


@dataclass(frozen=True)
class UnitRef:
    code: str
    name_zh: str
    name_en: str
    kind: str


@dataclass(frozen=True)
class EvaluationInputs:
    year: int
    as_of: dt.date
    units: tuple[UnitRef, ...]
    responsibilities: tuple[Responsibility, ...] = ()
    task_progress: tuple[TaskProgress, ...] = ()
    reporting: tuple[ReportingRecord, ...] = ()
    indicator_results: tuple[IndicatorResult, ...] = ()
    assessed: tuple[AssessedRate, ...] = ()
    period: str | None = None  # the round whose task progress counts; None = latest of any round
    data_version: str | None = None
    target_checks: tuple[TargetCheck, ...] = ()  # annual and cumulative conditions (indicators/annual.py)


def evaluation_inputs(
    plan: Plan,
    *,
    year: int,
    as_of: dt.date,
    supervision: SupervisionInputs,
    indicator_results: Iterable[IndicatorResult] = (),
    assessed: Iterable[AssessedRate] = (),
    period: str | None = None,
    extra_units: Sequence[UnitRef] = (),
    collectives: Mapping[str, Sequence[str]] | None = None,
    target_checks: Iterable[TargetCheck] = (),
) -> EvaluationInputs:
    """Freeze the plan's units and responsibilities with the year's rows into one EvaluationInputs.

    `extra_units` adds units the plan does not list (the districts of district plans when the plan
    names only "all district governments"). `collectives` maps such a collective unit to its
    members: its responsibilities pass to every member and the collective itself is not evaluated
    (a collective with no members, e.g. "市有关部门单位", passes its responsibilities to no one).
    """
    collectives = collectives or {}
    resp: dict[tuple[str, str], Responsibility] = {}  # (task, unit) once: the first role listed wins
    for r in responsibilities(plan.measures()):
        for member in collectives.get(r.unit, [r.unit]):
            resp.setdefault((r.task, member), Responsibility(r.task, member, r.role))
    plan_units = [
        UnitRef(u.code, u.name_zh, u.name_en, u.kind) for u in plan.units if u.code not in collectives
    ]
    return EvaluationInputs(
        year=year,
        as_of=as_of,
        units=tuple(plan_units + [u for u in extra_units if u.code not in {p.code for p in plan_units}]),
        responsibilities=tuple(resp.values()),
        task_progress=supervision.task_progress,
        reporting=supervision.reporting,
        indicator_results=tuple(indicator_results),
        assessed=tuple(assessed),
        period=period,
        data_version=supervision.data_version,
        target_checks=tuple(target_checks),
    )


# -- canonical JSON --------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def inputs_to_dict(inputs: EvaluationInputs) -> dict[str, Any]:
    out = _plain(inputs)
    assert isinstance(out, dict)
    return out


def inputs_digest(inputs: EvaluationInputs) -> str:
    """SHA-256 (hex) of the inputs' canonical JSON."""
    text = json.dumps(inputs_to_dict(inputs), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _date(v: Any) -> dt.date | None:
    return dt.date.fromisoformat(v) if v else None


def inputs_from_dict(data: Mapping[str, Any]) -> EvaluationInputs:
    """The inverse of `inputs_to_dict`."""
    return EvaluationInputs(
        year=int(data["year"]),
        as_of=dt.date.fromisoformat(data["as_of"]),
        units=tuple(UnitRef(**u) for u in data["units"]),
        responsibilities=tuple(Responsibility(**r) for r in data.get("responsibilities", [])),
        task_progress=tuple(
            TaskProgress(
                **{**r, "evidence": tuple(r.get("evidence", ())), "reported_at": _date(r.get("reported_at"))}
            )
            for r in data.get("task_progress", [])
        ),
        reporting=tuple(
            ReportingRecord(
                **{**r, "due": dt.date.fromisoformat(r["due"]), "submitted_at": _date(r.get("submitted_at"))}
            )
            for r in data.get("reporting", [])
        ),
        indicator_results=tuple(IndicatorResult(**r) for r in data.get("indicator_results", [])),
        assessed=tuple(AssessedRate(**r) for r in data.get("assessed", [])),
        period=data.get("period"),
        data_version=data.get("data_version"),
        target_checks=tuple(TargetCheck(**r) for r in data.get("target_checks", [])),
    )
