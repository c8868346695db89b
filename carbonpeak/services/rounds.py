"""Reporting rounds: the office opens a round (period, templates, due date, units); each unit
downloads its own template for it.

A round's `period` is its code: `2024` (annual), `2025H1`, `2025Q3`, `2025M07`; the year reported
is its first four digits. The template of a unit is built by carbonpeak.collection from the plan
version the round was opened under, with last year's approved values as the year-on-year baseline.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError, NotFound, PermissionDenied, Problem
from carbonpeak.services import audit
from carbonpeak.services.init import current_plan_version, stored_plan
from carbonpeak.services.users import REPORTING_ROLES, require_office, require_unit_access
from carbonpeak.store.models import Round, RoundUnit, Unit, User
from carbonpeak.validation import problem

if TYPE_CHECKING:
    from carbonpeak.collection.spec import TemplateSpec

TEMPLATE_KINDS = ("indicator", "task", "project")
PERIOD_PATTERN = re.compile(r"^(\d{4})(H[12]|Q[1-4]|M(0[1-9]|1[0-2]))?$")


def open_round(
    session: Session,
    actor: User,
    *,
    period: str,
    title: str,
    due_date: dt.date,
    unit_codes: list[str] | None = None,
    templates: list[str] | None = None,
) -> Round:
    """Open a round for `unit_codes` (default: every unit of the current plan). Office only."""
    require_office(actor)
    pv = current_plan_version(session)
    kinds = list(dict.fromkeys(templates or TEMPLATE_KINDS))
    active = {
        u.code for u in session.execute(select(Unit).where(Unit.last_plan_version == pv.version)).scalars()
    }
    codes = list(dict.fromkeys(unit_codes)) if unit_codes else sorted(active)
    problems: list[Problem] = []
    match = PERIOD_PATTERN.match(period or "")
    if match is None:
        problems.append(problem("period", "round.period", period))
    if not title.strip():
        problems.append(problem("title", "round.title"))
    for kind in kinds:
        if kind not in TEMPLATE_KINDS:
            problems.append(problem("templates", "round.templates", kind, template_kinds=TEMPLATE_KINDS))
    for code in codes:
        if code not in active:
            problems.append(problem("unit_codes", "round.unit", code))
    if problems:
        raise InputError("invalid round", problems, message_zh="填报轮次信息有误")
    assert match is not None
    if session.execute(select(Round.id).where(Round.period == period)).first() is not None:
        raise Conflict(f"a round for period {period} exists", message_zh=f"期间 {period} 的填报轮次已存在")
    rnd = Round(
        period=period,
        year=int(match.group(1)),
        title=title.strip(),
        due_date=due_date,
        status="open",
        templates=json.dumps(kinds),
        plan_version_id=pv.id,
        created_by=actor.id,
    )
    session.add(rnd)
    session.flush()
    for code in codes:
        session.add(RoundUnit(round_id=rnd.id, unit_code=code))
    audit.record(
        session,
        username=actor.username,
        action="round.open",
        object_type="round",
        object_id=rnd.id,
        detail={"period": period, "due_date": due_date.isoformat(), "units": codes, "templates": kinds},
    )
    session.commit()
    return rnd


# groups of units a round may be opened for (the office's console): plan unit kinds per group
UNIT_GROUPS: dict[str, tuple[str, ...] | None] = {
    "all": None,
    "districts": ("district_government",),
    "enterprises": ("state_owned_enterprise",),
}


def units_of_group(session: Session, group: str) -> list[str] | None:
    """Codes of the current plan's units in `group` (UNIT_GROUPS; `departments`: every other
    kind); None for `all` (open_round's default: every unit)."""
    if group == "all":
        return None
    pv = current_plan_version(session)
    units = session.execute(select(Unit.code, Unit.kind).where(Unit.last_plan_version == pv.version)).all()
    grouped = {k for kinds in UNIT_GROUPS.values() if kinds for k in kinds}
    if group == "departments":
        return sorted(code for code, kind in units if kind not in grouped)
    kinds = UNIT_GROUPS.get(group)
    if kinds is None:
        raise InputError(
            f"unknown unit group {group!r}",
            [problem("units", "round.units", group)],
            message_zh="参加单位范围无效",
        )
    return sorted(code for code, kind in units if kind in kinds)


def close_round(session: Session, actor: User, round_id: int) -> Round:
    require_office(actor)
    rnd = _round(session, round_id)
    if rnd.status != "open":
        raise Conflict(f"round {round_id} is {rnd.status}", message_zh=f"轮次 {round_id} 已关闭")
    rnd.status = "closed"
    audit.record(
        session, username=actor.username, action="round.close", object_type="round", object_id=rnd.id
    )
    session.commit()
    return rnd


def round_units(session: Session, round_id: int) -> list[str]:
    return list(
        session.execute(
            select(RoundUnit.unit_code).where(RoundUnit.round_id == round_id).order_by(RoundUnit.unit_code)
        ).scalars()
    )


def list_rounds(session: Session, actor: User | None) -> list[Round]:
    """Office and viewers (and the machine's operator: `actor` None, the CLI): every round.
    Reporting roles: the rounds their unit is invited to."""
    query = select(Round).order_by(Round.id)
    if actor is not None and actor.role in REPORTING_ROLES:
        query = query.join(RoundUnit, RoundUnit.round_id == Round.id).where(
            RoundUnit.unit_code == actor.unit_code
        )
    return list(session.execute(query).scalars())


def get_round(session: Session, actor: User, round_id: int) -> Round:
    rnd = _round(session, round_id)
    if actor.role in REPORTING_ROLES and actor.unit_code not in round_units(session, round_id):
        raise PermissionDenied(
            f"unit {actor.unit_code} is not in round {round_id}", message_zh="本单位不在该填报轮次中"
        )
    return rnd


def template_spec(session: Session, rnd: Round, unit_code: str) -> TemplateSpec:
    """The TemplateSpec of `unit_code` in `rnd`, with last year's approved values as `previous`."""
    from carbonpeak.collection.spec import Period, spec_for_unit
    from carbonpeak.services.current import current_observations

    if unit_code not in round_units(session, rnd.id):
        raise NotFound(
            f"unit {unit_code} is not in round {rnd.id}", message_zh=f"单位 {unit_code} 不在该轮次中"
        )
    plan = stored_plan(session, rnd.plan_version_id)
    previous = {
        o["indicator"]: o["value"]
        for o in current_observations(session, unit_code=unit_code, year=rnd.year - 1)
        if o["value"] is not None
    }
    kinds = json.loads(rnd.templates)
    spec = spec_for_unit(
        plan,
        unit_code,
        Period(rnd.year, rnd.period),
        indicators=None if "indicator" in kinds else [],
        projects=None if "project" in kinds else [],
        previous=previous,
        due=rnd.due_date.isoformat(),
    )
    if "task" not in kinds:
        spec = replace(spec, tasks=())
    return replace(spec, prefilled=prefill(session, rnd, unit_code))


def prefill(session: Session, rnd: Round, unit_code: str) -> dict[str, dict[str, object]]:
    """The unit's last approved values, as the template pre-fills them (collection.spec.prefill_key →
    the row's input fields): task progress and project status of the latest year up to the round's
    year; indicator values of the round's own year only (a value of another year is a different
    figure: last year's is shown beside the input as `previous` instead)."""
    from carbonpeak.collection.spec import prefill_key
    from carbonpeak.services.current import (
        current_observations,
        current_project_status,
        current_task_progress,
    )

    out: dict[str, dict[str, object]] = {}
    for o in current_observations(session, unit_code=unit_code, year=rnd.year):
        if o["value"] is not None:
            out[prefill_key("indicator", o["indicator"])] = {"value": o["value"], "unit": o["unit"]}
    for r in current_task_progress(session, unit_code=unit_code):  # sorted by task, then year
        if (r["year"] or 0) <= rnd.year:
            out[prefill_key("task", r["task"])] = {
                k: r.get(k) for k in ("status", "percent", "narrative", "next_steps", "evidence")
            }
    for r in current_project_status(session, unit_code=unit_code):
        if (r["year"] or 0) <= rnd.year:
            out[prefill_key("project", r["project"])] = {
                "status": r.get("status"),
                "capacity": r.get("reported_capacity"),
                "capacity_unit": r.get("reported_unit"),
                "start_date": r.get("start_date"),
                "operation_date": r.get("operation_date"),
            }
    return out


def extend_round(session: Session, actor: User, round_id: int, due_date: dt.date) -> Round:
    """Move an open round's due date later (office; audited with the old and new date)."""
    require_office(actor)
    rnd = _round(session, round_id)
    if rnd.status != "open":
        raise Conflict(f"round {round_id} is {rnd.status}", message_zh=f"轮次 {round_id} 已关闭")
    if due_date < rnd.due_date:
        raise InputError(
            "a due date can only move later",
            [problem("due_date", "round.extend", due_date.isoformat(), isoformat=rnd.due_date.isoformat())],
            message_zh="截止日期只能延后",
        )
    old = rnd.due_date
    rnd.due_date = due_date
    audit.record(
        session,
        username=actor.username,
        action="round.extend",
        object_type="round",
        object_id=rnd.id,
        detail={"from": old.isoformat(), "to": due_date.isoformat()},
    )
    session.commit()
    return rnd


REPORTED = ("submitted", "approved", "published")


def coverage(
    session: Session, actor: User, round_id: int, *, today: dt.date | None = None
) -> list[dict[str, object]]:
    """Per unit of the round: its latest version and status, when it submitted, and whether it is
    late (not submitted by the due date, or submitted after it) or returned (its latest version
    was returned and not yet replaced). Office only."""
    from carbonpeak.store.models import Submission

    require_office(actor)
    rnd = _round(session, round_id)
    today = today or dt.date.today()
    names = {code: name for code, name in session.execute(select(Unit.code, Unit.name_zh)).all()}
    latest: dict[str, Submission] = {}
    first_submitted: dict[str, dt.datetime] = {}
    for version in session.execute(
        select(Submission).where(Submission.round_id == round_id).order_by(Submission.version)
    ).scalars():
        latest[version.unit_code] = version
        if version.submitted_at is not None and version.unit_code not in first_submitted:
            first_submitted[version.unit_code] = version.submitted_at
    out: list[dict[str, object]] = []
    for code in round_units(session, round_id):
        sub = latest.get(code)
        when = first_submitted.get(code)
        reported = sub is not None and sub.status in REPORTED
        late = (when is None and today > rnd.due_date) or (when is not None and when.date() > rnd.due_date)
        out.append(
            {
                "unit_code": code,
                "unit_name": names.get(code, code),
                "version": sub.version if sub else None,
                "status": sub.status if sub else "none",
                "submission_id": sub.id if sub else None,
                "submitted_at": when.isoformat(timespec="minutes") if when else None,
                "reported": reported,
                "late": late,
                "returned": sub is not None and sub.status == "returned",
            }
        )
    return out


def remind_round(session: Session, actor: User, round_id: int) -> list[str]:
    """Record a reminder to every unit of an open round that has not reported (no version submitted,
    approved or published); returns their codes. The platform sends no mail: the reminder is an
    audit entry the office can point to, and the units see it on their reporting page."""
    require_office(actor)
    rnd = _round(session, round_id)
    if rnd.status != "open":
        raise Conflict(f"round {round_id} is {rnd.status}", message_zh=f"轮次 {round_id} 已关闭")
    waiting = [str(c["unit_code"]) for c in coverage(session, actor, round_id) if not c["reported"]]
    audit.record(
        session,
        username=actor.username,
        action="round.remind",
        object_type="round",
        object_id=rnd.id,
        detail={"units": waiting, "due_date": rnd.due_date.isoformat()},
    )
    session.commit()
    return waiting


def reminders(session: Session, round_id: int, unit_code: str) -> list[str]:
    """When (ISO UTC text) the office reminded `unit_code` about round `round_id`, newest first."""
    from carbonpeak.store.models import AuditEntry

    out = []
    for entry in session.execute(
        select(AuditEntry)
        .where(
            AuditEntry.action == "round.remind",
            AuditEntry.object_type == "round",
            AuditEntry.object_id == str(round_id),
        )
        .order_by(AuditEntry.seq.desc())
    ).scalars():
        if unit_code in json.loads(entry.detail or "{}").get("units", []):
            out.append(entry.at)
    return out


def download_template(session: Session, actor: User, round_id: int, unit_code: str) -> tuple[str, bytes]:
    """(file name, xlsx bytes) of the template of `unit_code` for round `round_id`."""
    from carbonpeak.collection.templates import build_template

    require_unit_access(actor, unit_code)
    rnd = _round(session, round_id)
    spec = template_spec(session, rnd, unit_code)
    if not (spec.indicators or spec.tasks or spec.projects):
        raise NotFound(
            f"the plan names unit {unit_code} for no row of round {rnd.period}: nothing to report",
            message_zh=f"方案未指定单位 {unit_code} 负责轮次 {rnd.period} 模板中的任何行，无需填报",
        )
    return f"{rnd.period}-{unit_code}.xlsx", build_template(spec)


def _round(session: Session, round_id: int) -> Round:
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise NotFound(f"round {round_id} not found", message_zh=f"填报轮次 {round_id} 不存在")
    return rnd
