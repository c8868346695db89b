"""The reporting page: rounds open to the user's unit, their templates, the unit's submissions with
their warnings, and for the office the queue of submitted versions to approve or return.

Reads and writes go through services/rounds.py and services/submissions.py with the signed-in user
as actor, so the roles they enforce are the roles of the page: a reporting unit sees its own unit's
rounds and submissions; the office sees all and reviews; a viewer sees published ones only.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, Field

from carbonpeak.services.pages.common import PageBase


class RoundRow(BaseModel):
    id: int
    period: str
    title: str
    status: str
    due_date: str
    template_url: str | None = None  # for a reporting unit: its own template of this round
    form_url: str | None = None  # for a reporting unit: the web form for a small update
    reminded: list[str] = Field(default_factory=list)  # for a reporting unit: when the office reminded it
    nothing_to_report: bool = False  # for a reporting unit: the plan names it for no row of the round
    units: int = 0  # for the office: units invited
    reported: int = 0  # for the office: units that submitted (or further)


class SubmissionOut(BaseModel):
    id: int
    round_id: int | None  # None: a data record (statistics) of `kind` and `year`
    kind: str = "report"  # report, or the data kind of a data record (statistics/kinds.yaml)
    year: int | None = None
    flag: str | None = None
    file_url: str = ""
    unit_code: str
    version: int
    status: str
    filename: str
    uploaded_at: str | None = None
    warnings: list[dict[str, Any]] = Field(default_factory=list)
    submit_comment: str | None = None
    review_comment: str | None = None
    detail_url: str = ""
    period: str | None = None
    changes: list[dict[str, Any]] = Field(default_factory=list)  # against the previous approved values


class DataKindOut(BaseModel):
    code: str
    name_zh: str
    name_en: str


class ReportingPage(PageBase):
    user: str
    role: str
    unit: str
    can_upload: bool = False
    can_review: bool = False
    can_import: bool = False  # statistics records (office and departments)
    data_kinds: list[DataKindOut] = Field(default_factory=list)
    publish_queue: list[SubmissionOut] = Field(default_factory=list)  # approved, not yet published
    rounds: list[RoundRow] = Field(default_factory=list)
    submissions: list[SubmissionOut] = Field(default_factory=list)
    review_queue: list[SubmissionOut] = Field(default_factory=list)
    # of the last upload or action that failed, row by row
    problems: list[dict[str, Any]] = Field(default_factory=list)
    problem_title: str | None = None
    message: str | None = None  # of the last action that succeeded
    no_rounds: str | None = None  # for a reporting unit in no round: the catalogue key of why
    published: list[SubmissionOut] = Field(default_factory=list)  # office: published, may be unpublished
    report_kinds: list[str] = Field(default_factory=list)  # office: reports the console generates
    report_years: list[int] = Field(default_factory=list)
    report_jobs: list[dict[str, Any]] = Field(default_factory=list)


def submission_out(s: Any) -> SubmissionOut:
    return SubmissionOut(
        id=s.id,
        round_id=s.round_id,
        kind=s.dataset or "report",
        year=s.year,
        flag=s.flag,
        file_url=f"/reporting/submissions/{s.id}/file",
        unit_code=s.unit_code,
        version=s.version,
        status=s.status,
        filename=s.filename,
        uploaded_at=s.uploaded_at.isoformat(timespec="seconds") if s.uploaded_at else None,
        warnings=json.loads(s.warnings or "[]"),
        submit_comment=s.submit_comment,
        review_comment=s.review_comment,
        detail_url=f"/reporting/submissions/{s.id}",
    )


def reporting_page(
    session: Any,
    actor: Any,
    *,
    problems: list[dict[str, Any]] | None = None,
    problem_title: str | None = None,
    message: str | None = None,
    report_jobs: list[dict[str, Any]] | None = None,
) -> ReportingPage:
    """What `actor` may see and do in reporting (a database session and the signed-in user row)."""
    from carbonpeak.services import rounds, submissions
    from carbonpeak.services.users import REPORTING_ROLES

    reporting = actor.role in REPORTING_ROLES
    office = actor.role == "office"
    round_rows = []
    for r in rounds.list_rounds(session, actor):
        row = RoundRow(
            id=r.id,
            period=r.period,
            title=r.title,
            status=r.status,
            due_date=r.due_date.isoformat(),
        )
        if reporting:
            spec = rounds.template_spec(session, r, actor.unit_code)
            row.nothing_to_report = not (spec.indicators or spec.tasks or spec.projects)
            if not row.nothing_to_report:
                row.template_url = f"/reporting/rounds/{r.id}/template"
                row.form_url = f"/reporting/rounds/{r.id}/form" if r.status == "open" else None
            row.reminded = [at[:10] for at in rounds.reminders(session, r.id, actor.unit_code)]
        if office:
            cover = rounds.coverage(session, actor, r.id)
            row.units, row.reported = len(cover), sum(bool(c["reported"]) for c in cover)
        round_rows.append(row)
    subs = [submission_out(s) for s in submissions.list_submissions(session, actor)]
    from carbonpeak.services.statistics import DATA_ROLES
    from carbonpeak.statistics import data_kinds

    queue = []
    if office:
        periods = {r.id: r.period for r in rounds.list_rounds(session, actor)}
        for s in submissions.list_submissions(session, actor, status="submitted"):
            out = submission_out(s)
            out.period = periods.get(s.round_id) if s.round_id else None
            if s.round_id is not None:
                out.changes = submissions.submission_changes(session, s)
            queue.append(out)
    to_publish = (
        [submission_out(s) for s in submissions.list_submissions(session, actor, status="approved")]
        if office
        else []
    )
    published = (
        [submission_out(s) for s in submissions.list_submissions(session, actor, status="published")][-20:]
        if office
        else []
    )
    no_rounds = None
    if reporting and not round_rows:
        no_rounds = f"web.console.no_rounds.{actor.role}"
    return ReportingPage(
        user=actor.display_name or actor.username,
        role=actor.role,
        unit=actor.unit_code,
        can_upload=reporting,
        can_review=office,
        can_import=actor.role in DATA_ROLES,
        data_kinds=[
            DataKindOut(code=k.code, name_zh=k.name_zh, name_en=k.name_en) for k in data_kinds().values()
        ],
        publish_queue=to_publish,
        rounds=round_rows,
        submissions=sorted(subs, key=lambda s: -s.id),
        review_queue=queue,
        problems=problems or [],
        problem_title=problem_title,
        message=message,
        no_rounds=no_rounds,
        published=sorted(published, key=lambda s: -s.id),
        report_kinds=["annual", "dispatch", "assessment"] if office else [],
        report_years=sorted({r.year for r in rounds.list_rounds(session, actor)} | {2024, 2025}, reverse=True)
        if office
        else [],
        report_jobs=report_jobs or [],
    )


class ValueRow(BaseModel):
    """One stored record of a version (a task, project or indicator) with its fields."""

    kind: str
    key: str
    fields: dict[str, Any]
    location: str | None = None
    comment: str | None = None
    shown: list[dict[str, Any]] = Field(default_factory=list)  # field, value, unit (as listed)


class SubmissionPage(PageBase):
    submission: SubmissionOut
    round_title: str = ""
    unit_name: str = ""
    values: list[ValueRow] = Field(default_factory=list)
    can_submit: bool = False
    can_review: bool = False
    can_publish: bool = False
    can_unpublish: bool = False
    problems: list[dict[str, Any]] = Field(default_factory=list)
    problem_title: str | None = None
    message: str | None = None


def submission_page(
    session: Any,
    actor: Any,
    submission_id: int,
    *,
    problems: list[dict[str, Any]] | None = None,
    problem_title: str | None = None,
    message: str | None = None,
) -> SubmissionPage:
    """One version as its unit checks it before submitting and the office reviews it: what it
    changes against the previous approved values, every value it stores, its warnings, its file."""
    from carbonpeak.services import submissions
    from carbonpeak.services.users import REPORTING_ROLES
    from carbonpeak.store.models import Round, Unit

    sub = submissions.get_submission(session, actor, submission_id)
    out = submission_out(sub)
    rnd = session.get(Round, sub.round_id) if sub.round_id is not None else None
    out.period = rnd.period if rnd is not None else None
    if rnd is not None:
        out.changes = submissions.submission_changes(session, sub)
    unit = session.get(Unit, sub.unit_code)
    values: dict[tuple[str, str], ValueRow] = {}
    for r in submissions.submission_rows(session, sub.id):
        row = values.setdefault(
            (r.kind, r.key),
            ValueRow(kind=r.kind, key=r.key, fields={}, location=r.location, comment=r.comment),
        )
        row.fields[r.field] = r.value if r.value is not None else r.text
        if r.unit:
            row.fields[f"{r.field}_unit"] = r.unit
    for v in values.values():
        v.shown = [
            {"field": f, "value": x, "unit": v.fields.get(f"{f}_unit")}
            for f, x in v.fields.items()
            if not f.endswith("_unit") and f not in ("reported_value", "reported_capacity")
        ]
    office = actor.role == "office"
    return SubmissionPage(
        submission=out,
        round_title=f"{rnd.period} {rnd.title}" if rnd is not None else "",
        unit_name=unit.name_zh if unit is not None else sub.unit_code,
        values=list(values.values()),
        can_submit=sub.status == "draft" and (actor.role in REPORTING_ROLES or office),
        can_review=office and sub.status == "submitted",
        can_publish=office and sub.status == "approved",
        can_unpublish=office and sub.status == "published",
        problems=problems or [],
        problem_title=problem_title,
        message=message,
    )


class CoveragePage(PageBase):
    round: RoundRow
    units: list[dict[str, Any]] = Field(default_factory=list)


def coverage_page(session: Any, actor: Any, round_id: int) -> CoveragePage:
    """Who has and has not reported in a round, who is late, who was returned (office)."""
    from carbonpeak.services import rounds

    rnd = rounds.get_round(session, actor, round_id)
    units = rounds.coverage(session, actor, round_id)
    for u in units:
        u["reminded"] = [at[:10] for at in rounds.reminders(session, round_id, str(u["unit_code"]))]
    return CoveragePage(
        round=RoundRow(
            id=rnd.id,
            period=rnd.period,
            title=rnd.title,
            status=rnd.status,
            due_date=rnd.due_date.isoformat(),
            units=len(units),
            reported=sum(bool(u["reported"]) for u in units),
        ),
        units=units,
    )


class FormRow(BaseModel):
    value: str  # kind:code
    label: str


class FormField(BaseModel):
    key: str
    value: str = ""
    choices: list[str] = Field(default_factory=list)  # a drop-down (statuses, units) when given
    kind: str = "text"  # text, number, date, textarea


class FormPage(PageBase):
    round: RoundRow
    rows: list[FormRow] = Field(default_factory=list)
    row: str | None = None  # the chosen row (kind:code)
    row_label: str = ""
    fields: list[FormField] = Field(default_factory=list)
    problems: list[dict[str, Any]] = Field(default_factory=list)
    problem_title: str | None = None


def form_page(
    session: Any,
    actor: Any,
    round_id: int,
    row: str | None,
    *,
    problems: list[dict[str, Any]] | None = None,
    problem_title: str | None = None,
) -> FormPage:
    """The web form of a small update: pick one row of the unit's template (a task, project or
    indicator), see its pre-filled values, change them (services/submissions.form_upload)."""
    from carbonpeak.collection import layout as L
    from carbonpeak.collection.spec import PROJECT_STATUSES, TASK_STATUSES
    from carbonpeak.collection.templates import row_inputs, unit_choices
    from carbonpeak.services import rounds
    from carbonpeak.services.submissions import FORM_FIELDS
    from carbonpeak.services.users import require_unit_access

    require_unit_access(actor, actor.unit_code)
    rnd = rounds.get_round(session, actor, round_id)
    spec = rounds.template_spec(session, rnd, actor.unit_code)
    rows = [FormRow(value=f"task:{t.code}", label=f"{t.code} {t.title_zh}") for t in spec.tasks]
    rows += [FormRow(value=f"project:{p.code}", label=f"{p.code} {p.name_zh}") for p in spec.projects]
    rows += [FormRow(value=f"indicator:{i.code}", label=f"{i.name_zh}（{i.code}）") for i in spec.indicators]
    chosen = row if row in {r.value for r in rows} else None
    fields: list[FormField] = []
    label = ""
    if chosen is not None:
        kind, _, code = chosen.partition(":")
        sheet = {"task": L.TASKS, "project": L.PROJECTS, "indicator": L.INDICATORS}[kind]
        label = next(r.label for r in rows if r.value == chosen)
        written = row_inputs(spec, sheet, code)
        for key in FORM_FIELDS[kind]:
            value = written.get(key)
            text = (
                ""
                if value is None
                else (
                    value.isoformat()
                    if hasattr(value, "isoformat")
                    else f"{value:g}"
                    if isinstance(value, float)
                    else str(value)
                )
            )
            field = FormField(key=key, value=text)
            if key == "status":
                field.choices = list((TASK_STATUSES if kind == "task" else PROJECT_STATUSES).values())
            elif key == "unit":
                field.choices = unit_choices(spec.indicator(code).unit)
            elif key == "capacity_unit":
                unit = next((p.capacity_unit for p in spec.projects if p.code == code), None)
                field.choices = unit_choices(unit) if unit else []
            elif key in ("percent", "capacity", "value"):
                field.kind = "number"
            elif key in ("start_date", "operation_date"):
                field.kind = "date"
            elif key in ("narrative", "next_steps", "comment"):
                field.kind = "textarea"
            fields.append(field)
    return FormPage(
        round=RoundRow(
            id=rnd.id,
            period=rnd.period,
            title=rnd.title,
            status=rnd.status,
            due_date=rnd.due_date.isoformat(),
        ),
        rows=rows,
        row=chosen,
        row_label=label,
        fields=fields,
        problems=problems or [],
        problem_title=problem_title,
    )
