"""Use cases of supervision: read the period's rows, build the dispatch list and the project roll-up.

A bundle holds one period's reported rows, never results: an input bundle file (YAML or JSON;
documented in docs/methods/evaluation.md, "Input bundle")

    year, period, as_of, data_version, flags, districts: [{code, name_zh, name_en}],
    task_progress, project_status, reporting, assessed

or the store's approved submissions. Indicator results, the inventory and the projection are the
engines' output for the year and the database (services/results.py); a bundle file that carries
`indicator_results`, `inventory` or `projection` is refused.

The packaged sample for the Jinan plan is `supervision/samples/jinan-2024.yaml` (flag `sample`).
`bundle_from_store(session, plan, year)` builds the task progress, project status and reporting
parts from the store's approved submissions instead, keeping the rest from the sample.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy.orm import Session

from carbonpeak.errors import InputError, Problem
from carbonpeak.evaluation.inputs import AssessedRate, UnitRef
from carbonpeak.plan.schema import Plan
from carbonpeak.supervision.dispatch import DispatchList, dispatch_list, latest_progress
from carbonpeak.supervision.model import ProjectStatus, ReportingRecord, SupervisionInputs, TaskProgress
from carbonpeak.supervision.projects import CapacityRollup, capacity_rollup, status_counts
from carbonpeak.validation import invalid, problem, read_yaml, schema_problems

SAMPLES_DIR = Path(__file__).resolve().parents[1] / "supervision" / "samples"
DEFAULT_BUNDLE = SAMPLES_DIR / "jinan-2024.yaml"
RESULT_KEYS = ("indicator_results", "inventory", "projection")  # results: computed, never read from a bundle


@dataclass(frozen=True)
class Bundle:
    """One period's reported rows, whatever their origin (a file or the store); no results."""

    supervision: SupervisionInputs
    assessed: tuple[AssessedRate, ...] = ()
    districts: tuple[UnitRef, ...] = ()
    year: int | None = None
    period: str | None = None
    as_of: dt.date | None = None
    source: str = ""

    @property
    def flags(self) -> tuple[str, ...]:
        return self.supervision.flags


_ADAPTERS: dict[str, TypeAdapter[Any]] = {
    "task_progress": TypeAdapter(list[TaskProgress]),
    "project_status": TypeAdapter(list[ProjectStatus]),
    "reporting": TypeAdapter(list[ReportingRecord]),
    "assessed": TypeAdapter(list[AssessedRate]),
}


def parse_bundle(data: Any, *, name: str = "<bundle>") -> Bundle:
    """A Bundle from parsed YAML/JSON; InputError listing every faulty row of every section."""
    if not isinstance(data, dict):
        raise InputError(f"{name}: not a mapping", [problem(name, "bundle.mapping")])
    problems: list[Problem] = [
        problem(f"{name}:{key}", "bundle.result", key=key) for key in RESULT_KEYS if key in data
    ]
    parsed: dict[str, list[Any]] = {}
    for key, adapter in _ADAPTERS.items():
        try:
            parsed[key] = adapter.validate_python(data.get(key) or [])
        except ValidationError as exc:
            problems.extend(schema_problems(exc, "bundle", location=name, prefix=(key,)))
    if problems:
        raise invalid("bundle", problems, name)
    as_of = data.get("as_of")
    return Bundle(
        supervision=SupervisionInputs(
            tuple(parsed["task_progress"]),
            tuple(parsed["project_status"]),
            tuple(parsed["reporting"]),
            data_version=data.get("data_version"),
            flags=tuple(data.get("flags") or ()),
        ),
        assessed=tuple(parsed["assessed"]),
        districts=tuple(
            UnitRef(d["code"], d["name_zh"], d["name_en"], "district_government")
            for d in data.get("districts") or []
        ),
        year=data.get("year"),
        period=data.get("period"),
        as_of=dt.date.fromisoformat(str(as_of)) if as_of else None,
        source=name,
    )


STORE = "store"  # `--inputs store`: the bundle from the database's approved submissions


def load_bundle(path: Path | str | None = None, *, year: int | None = None) -> Bundle:
    """Read an input bundle (default: the packaged sample); `store` reads the database's approved
    submissions of `year` (default: the latest year with a round) through bundle_from_store."""
    if path is not None and str(path) == STORE:
        return store_bundle(year)
    file = Path(path) if path else DEFAULT_BUNDLE
    return parse_bundle(read_yaml(file, "bundle"), name=file.name)


def latest_reports(bundle: Bundle) -> list[TaskProgress]:
    """The latest task-progress report per (task, unit) of the bundle's round."""
    return list(latest_progress(bundle.supervision.task_progress, period=bundle.period).values())


def dispatch(
    plan: Plan, bundle: Bundle, *, as_of: dt.date | None = None, stale_days: int = 90
) -> DispatchList:
    """The dispatch list of the bundle's round (collective units' tasks are listed per member district;
    a collective unit is never listed, not even as a unit that failed to report)."""
    groups = collectives(plan, bundle)
    return dispatch_list(
        expand_collectives(plan, bundle),
        bundle.supervision.task_progress,
        bundle.supervision.project_status,
        tuple(r for r in bundle.supervision.reporting if r.unit not in groups),
        as_of=as_of or bundle.as_of or dt.date.today(),
        period=bundle.period,
        stale_days=stale_days,
    )


def project_rollup(plan: Plan, bundle: Bundle) -> tuple[list[CapacityRollup], dict[str, dict[str, int]]]:
    """Capacity against targets, and project counts per category and status."""
    statuses = bundle.supervision.project_status
    return capacity_rollup(plan, statuses), status_counts(plan, statuses)


def collectives(plan: Plan, bundle: Bundle) -> dict[str, list[str]]:
    """Collective units of the plan → their members.

    The plan's own membership (`member_of`: "各区县政府" → the 12 区县 and the functional zones)
    comes first; every other unit marked `collective` (e.g. "市有关部门单位") has no member. For a plan
    without membership, the bundle's districts stand for every district_government unit of the plan
    that is not itself one of them (the older rule).
    """
    groups: dict[str, list[str]] = plan.members()
    groups.update({u.code: [] for u in plan.units if u.collective and u.code not in groups})
    codes = [d.code for d in bundle.districts]
    if not codes or plan.members():
        return groups
    groups.update(
        {u.code: codes for u in plan.units if u.kind == "district_government" and u.code not in codes}
    )
    return groups


def expand_collectives(plan: Plan, bundle: Bundle) -> Plan:
    """A copy of the plan whose measures name each district instead of the collective unit."""
    groups = collectives(plan, bundle)
    if not groups:
        return plan

    def expand(codes: list[str]) -> list[str]:
        out: list[str] = []
        for c in codes:
            out.extend(groups.get(c, [c]))
        return out

    def measure(m: Any) -> Any:
        lead = list(dict.fromkeys(expand(m.lead_units)))
        co = [u for u in dict.fromkeys(expand(m.co_units)) if u not in lead]
        return m.model_copy(update={"lead_units": lead, "co_units": co})

    return plan.model_copy(
        update={
            "programmes": [
                p.model_copy(update={"tasks": [measure(t) for t in p.tasks]}) for p in plan.programmes
            ],
            "guarantees": [measure(m) for m in plan.guarantees],
            "organisation": [measure(m) for m in plan.organisation],
        }
    )


# -- entry points of the adapters (CLI, API): load, then compute ------------------------------------


def dispatch_for(
    *, plan_file: Path | str | None = None, inputs: Path | str | None = None, as_of: dt.date | None = None
) -> DispatchList:
    """The dispatch list from a plan file and an input bundle (defaults: the settings' plan, the sample)."""
    from carbonpeak.services.plan import current_plan

    if as_of is None and str(inputs) == STORE:
        as_of = dt.date.today()
    return dispatch(current_plan(plan_file), load_bundle(inputs), as_of=as_of)


def capacity_for(
    *, plan_file: Path | str | None = None, inputs: Path | str | None = None
) -> list[CapacityRollup]:
    """The capacity roll-up from a plan file and an input bundle."""
    from carbonpeak.services.plan import current_plan

    return project_rollup(current_plan(plan_file), load_bundle(inputs))[0]


# -- the store as the source of a bundle ------------------------------------------------------------


def bundle_from_store(
    session: Session,
    plan: Plan,
    year: int,
    *,
    as_of: dt.date | None = None,
    rest: Bundle | None = None,
) -> Bundle:
    """A Bundle of `year` whose task progress, project status and reporting come from the store.

    - task_progress and project_status: services/approved.supervision_records of the approved and
      published reports of `year` (the conversion and "newest approved" rule the pages use too): one
      row per (task, unit), `period` the round's, `reported_at` the approval date, `version` the
      submission id, rows without a status or percent left out; one row per project (when several
      units report a project, the most recently approved report), capacity in its stored unit.
    - reporting: one record per unit invited to a round of `year`: due date, date of its first
      submission (None while nothing was submitted) and that version's id. `problems` is 0: an
      upload with errors stores nothing, so the store cannot count them.
    - assessed rates and districts from `rest` (default: the packaged sample bundle), so the bundle
      keeps the flag `sample`.

    The bundle's period is the period of the year's round with the latest due date (None if none).
    """
    from sqlalchemy import select

    from carbonpeak.services.approved import approved_reports, supervision_records
    from carbonpeak.store.models import Round, RoundUnit, Submission

    base = rest if rest is not None else load_bundle()
    as_of = as_of or dt.date.today()

    def day(value: Any) -> dt.date | None:
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        return dt.date.fromisoformat(str(value)[:10])

    records = supervision_records(approved_reports(session, year=year))
    tasks, projects = list(records.progress), list(records.projects)

    rounds = list(
        session.execute(select(Round).where(Round.year == year).order_by(Round.due_date, Round.id)).scalars()
    )
    reporting: list[ReportingRecord] = []
    for rnd in rounds:
        first: dict[str, Submission] = {}
        for sub in session.execute(
            select(Submission)
            .where(Submission.round_id == rnd.id, Submission.submitted_at.is_not(None))
            .order_by(Submission.submitted_at, Submission.id)
        ).scalars():
            first.setdefault(sub.unit_code, sub)
        for unit in session.execute(
            select(RoundUnit.unit_code).where(RoundUnit.round_id == rnd.id).order_by(RoundUnit.unit_code)
        ).scalars():
            came = first.get(unit)
            reporting.append(
                ReportingRecord(
                    unit=unit,
                    round=rnd.period,
                    due=rnd.due_date,
                    submitted_at=day(came.submitted_at) if came else None,
                    version=str(came.id) if came else None,
                )
            )

    return Bundle(
        supervision=SupervisionInputs(
            tuple(tasks),
            tuple(projects),
            tuple(reporting),
            data_version=f"store-{as_of.isoformat()}",
            flags=tuple(dict.fromkeys((*base.flags, "sample"))),
        ),
        assessed=base.assessed,
        districts=base.districts,
        year=year,
        period=rounds[-1].period if rounds else None,
        as_of=as_of,
        source=f"store: approved submissions of {year} ({plan.code}); the rest: {base.source} (sample)",
    )


def store_bundle(year: int | None = None) -> Bundle:
    """bundle_from_store on the database of the settings, for `year` (default: the latest round's)."""
    from sqlalchemy import func, select

    from carbonpeak.errors import NotFound
    from carbonpeak.services.init import stored_plan
    from carbonpeak.store.db import open_session
    from carbonpeak.store.models import Round

    with open_session() as session:
        if year is None:
            year = session.execute(select(func.max(Round.year))).scalar_one()
        if year is None:
            raise NotFound(
                "the database holds no reporting round: open one, or load the demo (carbonpeak demo load)",
                message_zh="数据库中没有填报轮次：请先开启填报轮次或加载示例数据（carbonpeak demo load）",
            )
        return bundle_from_store(session, stored_plan(session), int(year))
