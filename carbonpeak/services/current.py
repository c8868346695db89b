"""Current values: for each (unit, kind, key, year) the rows of the most recently approved version
that holds that key (approved and published versions count; `published_only` for the public), and
their history. Read by the workflow (services/submissions.py), the templates (services/rounds.py),
the data set (services/dataset.py) and the pages; it reads the store only.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services.users import REPORTING_ROLES, require_unit_access
from carbonpeak.store.models import Round, Submission, SubmissionRow, Unit, User

STATUSES = ("draft", "submitted", "approved", "returned", "published")
CURRENT_STATUSES = ("approved", "published")  # what the office and the unit itself work from
PUBLIC_STATUSES = ("published",)  # what public pages, the engines and the reports read


# -- current values and history ------------------------------------------------------------------


def value_rows(
    session: Session,
    *,
    kind: str,
    statuses: Iterable[str],
    unit_code: str | None = None,
    key: str | None = None,
    year: int | None = None,
) -> list[tuple[SubmissionRow, Submission, Round]]:
    query = (
        select(SubmissionRow, Submission, Round)
        .join(Submission, SubmissionRow.submission_id == Submission.id)
        .join(Round, Submission.round_id == Round.id)
        .where(SubmissionRow.kind == kind, Submission.status.in_(list(statuses)))
    )
    if unit_code is not None:
        query = query.where(Submission.unit_code == unit_code)
    if key is not None:
        query = query.where(SubmissionRow.key == key)
    if year is not None:
        query = query.where(SubmissionRow.year == year)
    query = query.order_by(Submission.reviewed_at, Submission.id, SubmissionRow.seq)
    return [(r, s, rd) for r, s, rd in session.execute(query).all()]


def newest_rows(
    rows: list[tuple[SubmissionRow, Submission, Round]],
) -> dict[tuple[str, str, int | None], list[Any]]:
    """Rows of the newest approved version per (unit, key, year), in field order."""
    newest: dict[tuple[str, str, int | None], int] = {}
    for r, s, _ in rows:
        newest[(s.unit_code, r.key, r.year)] = s.id  # rows are in approval order: the last wins
    out: dict[tuple[str, str, int | None], list[Any]] = {}
    for r, s, rd in rows:
        k = (s.unit_code, r.key, r.year)
        if newest[k] == s.id:
            out.setdefault(k, []).append((r, s, rd))
    return out


def _provenance(s: Submission, rd: Round) -> dict[str, Any]:
    return {
        "submission_id": s.id,
        "version": s.version,
        "round_id": rd.id,
        "period": rd.period,
        "submission_status": s.status,
        "approved_at": s.reviewed_at,
        "filename": s.filename,
    }


def current_observations(
    session: Session,
    *,
    unit_code: str | None = None,
    indicator: str | None = None,
    year: int | None = None,
    published_only: bool = False,
) -> list[dict[str, Any]]:
    """Approved indicator values, one per (indicator, unit, year): the observations the indicator
    engine and the inventory read, in the columns of its long table (indicator, region, year, value,
    unit, source, flag) plus unit_code, comment and the provenance (submission_id, version, round_id,
    period, submission_status, approved_at, filename).

    `region` is the reporting unit's code for a district government, else the city's region code
    (the plan's `city_en` in lower case with `_` for spaces, e.g. `jinan`); `flag` is `published`
    (a reported figure with its source); `source` names the submission, version and file.
    """
    statuses = ("published",) if published_only else CURRENT_STATUSES
    regions = _regions(session)
    rows = value_rows(
        session, kind="indicator", statuses=statuses, unit_code=unit_code, key=indicator, year=year
    )
    out = []
    for (unit, key, yr), group in sorted(
        newest_rows(rows).items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2] or 0)
    ):
        value_row = next((r for r, _, _ in group if r.field == "value"), group[0][0])
        _, s, rd = group[0]
        out.append(
            {
                "indicator": key,
                "region": regions.get(unit, regions[""]),
                "year": yr,
                "value": value_row.value,
                "unit": value_row.unit,
                "source": f"submission {s.id} v{s.version} of {unit} ({s.filename}), round {rd.period}",
                "flag": "published",
                "unit_code": unit,
                "comment": value_row.comment,
                **_provenance(s, rd),
            }
        )
    return out


def _regions(session: Session) -> dict[str, str]:
    """unit code → region code for district governments; "" → the city's region code."""
    from carbonpeak.services.init import current_plan_version

    city = json.loads(current_plan_version(session).plan_json)["city_en"]
    regions = {"": "_".join(str(city).lower().split())}
    for code in session.execute(select(Unit.code).where(Unit.kind == "district_government")).scalars():
        regions[code] = code
    return regions


def current_task_progress(
    session: Session,
    *,
    unit_code: str | None = None,
    task: str | None = None,
    year: int | None = None,
    published_only: bool = False,
) -> list[dict[str, Any]]:
    """Approved task progress, one row per (task, unit, year) with the fields reported in the template
    (status, percent, narrative, next_steps, evidence … as the collection parser names them), plus
    comment and provenance."""
    return _pivot(
        session, "task", "task", unit_code=unit_code, key=task, year=year, published_only=published_only
    )


def current_project_status(
    session: Session,
    *,
    unit_code: str | None = None,
    project: str | None = None,
    year: int | None = None,
    published_only: bool = False,
) -> list[dict[str, Any]]:
    """Approved key-project status, one row per (project, unit, year); fields as in current_task_progress."""
    return _pivot(
        session,
        "project",
        "project",
        unit_code=unit_code,
        key=project,
        year=year,
        published_only=published_only,
    )


def _pivot(
    session: Session,
    kind: str,
    name: str,
    *,
    unit_code: str | None,
    key: str | None,
    year: int | None,
    published_only: bool,
) -> list[dict[str, Any]]:
    statuses = ("published",) if published_only else CURRENT_STATUSES
    rows = value_rows(session, kind=kind, statuses=statuses, unit_code=unit_code, key=key, year=year)
    out = []
    for (unit, k, yr), group in sorted(
        newest_rows(rows).items(), key=lambda kv: (kv[0][1], kv[0][0], kv[0][2] or 0)
    ):
        _, s, rd = group[0]
        record: dict[str, Any] = {name: k, "unit_code": unit, "year": yr}
        for r, _, _ in group:
            record[r.field] = r.value if r.value is not None else r.text
            if r.unit:  # the unit a number was stored in (after conversion), e.g. capacity_in_operation_unit
                record[f"{r.field}_unit"] = r.unit
        record["comment"] = group[0][0].comment
        record.update(_provenance(s, rd))
        out.append(record)
    return out


def value_history(
    session: Session,
    actor: User,
    *,
    kind: str,
    key: str,
    unit_code: str | None = None,
) -> list[dict[str, Any]]:
    """Every version of every value of `key`: who uploaded it, when, from which file and version, and
    what became of it. Office: all units; reporting roles: their own; viewers: published only."""
    statuses: tuple[str, ...] = STATUSES
    if actor.role in REPORTING_ROLES:
        if unit_code is not None:
            require_unit_access(actor, unit_code)
        unit_code = actor.unit_code
    elif actor.role == "viewer":
        statuses = ("published",)
    query = (
        select(SubmissionRow, Submission, User.username)
        .join(Submission, SubmissionRow.submission_id == Submission.id)
        .join(User, Submission.uploaded_by == User.id)
        .where(SubmissionRow.kind == kind, SubmissionRow.key == key, Submission.status.in_(statuses))
        .order_by(Submission.uploaded_at, Submission.id, SubmissionRow.seq)
    )
    if unit_code is not None:
        query = query.where(Submission.unit_code == unit_code)
    return [
        {
            "kind": r.kind,
            "key": r.key,
            "field": r.field,
            "year": r.year,
            "value": r.value,
            "text": r.text,
            "unit": r.unit,
            "comment": r.comment,
            "location": r.location,
            "unit_code": s.unit_code,
            "submission_id": s.id,
            "round_id": s.round_id,
            "version": s.version,
            "status": s.status,
            "filename": s.filename,
            "file_sha256": s.file_sha256,
            "uploaded_by": username,
            "uploaded_at": s.uploaded_at,
        }
        for r, s, username in session.execute(query).all()
    ]


def visible_current(
    session: Session,
    actor: User,
    kind: str,
    *,
    key: str | None = None,
    unit_code: str | None = None,
    year: int | None = None,
) -> list[dict[str, Any]]:
    """Current values as `actor` may see them: the office all approved ones; a reporting unit its own
    approved ones and the published ones of others; a viewer the published ones."""
    readers: dict[str, Callable[..., list[dict[str, Any]]]] = {
        "indicator": current_observations,
        "task": current_task_progress,
        "project": current_project_status,
    }
    reader = readers[kind]
    args: dict[str, Any] = {kind: key, "unit_code": unit_code, "year": year}
    if actor.role == "office":
        return reader(session, **args)
    if actor.role in REPORTING_ROLES and unit_code in (None, actor.unit_code):
        own = reader(session, **{**args, "unit_code": actor.unit_code})
        if unit_code is not None:
            return own
        others = [
            r for r in reader(session, **args, published_only=True) if r["unit_code"] != actor.unit_code
        ]
        return own + others
    return reader(session, **args, published_only=True)
