"""Submissions: upload (one immutable version per upload), the review workflow, current values, history.

    draft ──submit──▶ submitted ──approve──▶ approved ──publish──▶ published
                              └──return (comment)──▶ returned   (the unit uploads a new version)

Any other transition raises Conflict (409). Separation of duties: whoever uploaded or submitted a
version cannot approve it (PermissionDenied) unless the caller passes `allow_self_approval` — the
adapters pass the setting CARBONPEAK_ALLOW_SELF_APPROVAL, for a one-person office — and then the
approval is audited as `submission.self_approve`. Publishing needs an approved version.
An upload is parsed and checked by carbonpeak.collection.parse_upload first, outside any
transaction; a file with errors raises UploadError and stores nothing. A valid file is stored in
ONE short transaction — the submission row, its bytes and every value row, and the audit entry —
so a process killed mid-import leaves the whole version or none of it. Version
numbers per (round, unit) are given under a lock on the round row (PostgreSQL) or the database
write lock (SQLite), so two uploads at once become versions n and n+1.

Current values (the newest approved or published value of each unit, key and year) are read in
services/current.py, below this module: the templates (services/rounds.py) read them too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import Conflict, InputError, NotFound, PermissionDenied, Problem
from carbonpeak.services import audit
from carbonpeak.services.current import CURRENT_STATUSES, newest_rows, value_rows
from carbonpeak.services.users import REPORTING_ROLES, require_office, require_unit_access
from carbonpeak.store.models import (
    Round,
    Submission,
    SubmissionFile,
    SubmissionRow,
    User,
    utcnow,
)
from carbonpeak.validation import problem

KIND_OF_SECTION = {"indicators": "indicator", "tasks": "task", "projects": "project"}


# -- upload ---------------------------------------------------------------------------------------


def import_submission(
    session: Session,
    actor: User,
    *,
    round_id: int,
    unit_code: str,
    filename: str,
    data: bytes,
    max_bytes: int | None = None,
) -> Submission:
    """Check and store an uploaded template as a new draft version; UploadError stores nothing.
    A file identical to the unit's latest version of the round (same bytes, not returned) makes no
    new version: that version is returned (upload_submission says which happened). A retried API
    upload is recognised by its Idempotency-Key (carbonpeak/api/idempotency.py)."""
    sub, _ = upload_submission(
        session,
        actor,
        round_id=round_id,
        unit_code=unit_code,
        filename=filename,
        data=data,
        max_bytes=max_bytes,
    )
    return sub


def upload_submission(
    session: Session,
    actor: User,
    *,
    round_id: int,
    unit_code: str,
    filename: str,
    data: bytes,
    max_bytes: int | None = None,
) -> tuple[Submission, bool]:
    """import_submission, and whether a new version was made (False: the same file again).

    The template is pre-filled (rounds.template_spec): only the rows the file changes are stored;
    a file that changes nothing is an InputError (`upload.unchanged`)."""
    from carbonpeak.collection.parse import parse_upload
    from carbonpeak.services.rounds import template_spec

    require_unit_access(actor, unit_code)
    rnd = session.get(Round, round_id)
    if rnd is None:
        raise NotFound(f"round {round_id} not found", message_zh=f"填报轮次 {round_id} 不存在")
    if rnd.status != "open":
        raise Conflict(f"round {round_id} is closed", message_zh=f"填报轮次 {round_id} 已关闭")
    spec = template_spec(session, rnd, unit_code)
    same = _same_file(session, round_id, unit_code, hashlib.sha256(data).hexdigest())
    if same is not None:
        return same, False
    session.commit()  # end the reads: parsing (up to seconds) runs outside any transaction and lock
    parsed = parse_upload(data, filename, spec, max_bytes=max_bytes)
    rows = list(rows_of(parsed))
    rows += carried_rows(session, spec, parsed, {(r["kind"], r["key"]) for r in rows}, year=rnd.year)
    session.commit()
    if not rows:
        raise InputError(
            f"{filename}: every row is as pre-filled (the last approved values); nothing to report",
            [problem(filename, "upload.unchanged")],
            message_zh=f"{filename}：没有任何变化，未保存",
        )
    uncommented = {(w.location, w.rule) for w in parsed.uncommented_warnings}
    warnings = [
        {**w.as_dict(), "commented": (w.location, w.rule) not in uncommented} for w in parsed.warnings
    ]

    # the lock that orders concurrent uploads of one round (SQLite: already the write lock); the
    # round may have closed while the file was parsed
    status = session.execute(select(Round.status).where(Round.id == round_id).with_for_update()).scalar_one()
    if status != "open":
        raise Conflict(f"round {round_id} is closed", message_zh=f"填报轮次 {round_id} 已关闭")
    last = session.execute(
        select(func.max(Submission.version)).where(
            Submission.round_id == round_id, Submission.unit_code == unit_code
        )
    ).scalar_one()
    sub = Submission(
        round_id=round_id,
        unit_code=unit_code,
        version=(last or 0) + 1,
        status="draft",
        filename=filename[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        file_size=len(data),
        warnings=json.dumps(warnings, ensure_ascii=False),
        uploaded_by=actor.id,
        uploaded_at=utcnow(),
    )
    session.add(sub)
    session.flush()
    session.add(SubmissionFile(submission_id=sub.id, content=data))
    for seq, row in enumerate(rows, start=1):
        session.add(SubmissionRow(submission_id=sub.id, seq=seq, year=rnd.year, **row))
    audit.record(
        session,
        username=actor.username,
        action="submission.upload",
        object_type="submission",
        object_id=sub.id,
        detail={
            "round": round_id,
            "unit": unit_code,
            "version": sub.version,
            "file": sub.filename,
            "sha256": sub.file_sha256,
            "rows": len(rows),
        },
    )
    session.flush()
    session.commit()
    return sub, True


def carried_rows(
    session: Session, spec: Any, parsed: Any, reported: set[tuple[str, str]], *, year: int
) -> list[dict[str, Any]]:
    """The task and project rows of the sheets the file covers that it left as pre-filled from an
    EARLIER year: confirmed for this year, so stored again with this version (the values of their
    last approved version, no comment). A row pre-filled from this same year is not stored again
    (the newer version simply does not hold it; the older one stays current)."""
    from carbonpeak.collection import layout as L

    out: list[dict[str, Any]] = []
    for kind, sheet, codes in (
        ("task", L.TASKS, [t.code for t in spec.tasks]),
        ("project", L.PROJECTS, [p.code for p in spec.projects]),
    ):
        if sheet not in parsed.sheets:
            continue
        wanted = [c for c in codes if (kind, c) not in reported]
        for key, record in previous_values(session, spec.unit_code, kind, wanted, year=year).items():
            if record["_year"] is None or record["_year"] >= year:
                continue
            for field, got in record.items():
                if field.startswith("_") or field.endswith("_unit"):
                    continue
                value, text = (got, None) if isinstance(got, float) else (None, got)
                out.append(
                    {
                        "kind": kind,
                        "key": key,
                        "field": field,
                        "value": value,
                        "text": text,
                        "unit": record.get(f"{field}_unit"),
                        "comment": None,
                        "location": f"{record['_period']}"[:100],
                    }
                )
    return out


def _same_file(session: Session, round_id: int, unit_code: str, sha256: str) -> Submission | None:
    """The unit's latest version of the round when it holds exactly these bytes and was not returned
    (a returned version may be sent again as a new version, with a comment)."""
    latest = session.execute(
        select(Submission)
        .where(Submission.round_id == round_id, Submission.unit_code == unit_code)
        .order_by(Submission.version.desc())
        .limit(1)
    ).scalar_one_or_none()
    if latest is not None and latest.file_sha256 == sha256 and latest.status != "returned":
        return latest
    return None


# the unit of a numeric field is held by another field of the same record
_UNIT_FIELD = {
    ("indicator", "value"): "unit",
    ("indicator", "reported_value"): "reported_unit",
    ("project", "capacity_in_operation"): "capacity_unit",
    ("project", "reported_capacity"): "reported_unit",
}
_FIXED_UNIT = {("task", "percent"): "%"}
_SKIP = {"code", "comment", "location", "unit", "reported_unit", "capacity_unit"}


def rows_of(parsed: Any) -> Iterator[dict[str, Any]]:
    """Flatten a ParsedUpload into generic value rows (kind, key, field, value | text, unit, comment).

    Each parsed record (IndicatorValue, TaskProgress, ProjectReport) gives one row per field; numbers
    go to `value` with their unit, everything else to `text` (dates as ISO text). An indicator's
    converted value is field `value`; what the user typed is field `reported_value`.
    """
    for section, kind in KIND_OF_SECTION.items():
        for record in getattr(parsed, section, ()) or ():
            data = dataclasses.asdict(record)
            for field, raw in data.items():
                if field in _SKIP:
                    continue
                value, text = _split(raw)
                unit_field = _UNIT_FIELD.get((kind, field))
                unit = data.get(unit_field) if unit_field else _FIXED_UNIT.get((kind, field))
                yield {
                    "kind": kind,
                    "key": str(data["code"]),
                    "field": field,
                    "value": value,
                    "text": text,
                    "unit": unit,
                    "comment": data.get("comment") or None,
                    "location": str(data.get("location") or "")[:100] or None,
                }


def _split(raw: Any) -> tuple[float | None, str | None]:
    if raw is None:
        return None, None
    if isinstance(raw, bool | int | float):
        return float(raw), None
    if isinstance(raw, dt.date):
        return None, raw.isoformat()
    return None, str(raw)


# -- workflow ------------------------------------------------------------------------------------


def get_submission(session: Session, actor: User, submission_id: int) -> Submission:
    sub = session.get(Submission, submission_id)
    if sub is None:
        raise NotFound(f"submission {submission_id} not found", message_zh=f"报送 {submission_id} 不存在")
    if actor.role == "viewer":
        if sub.status != "published":
            raise PermissionDenied("viewers read published data only", message_zh="访客仅可查看已发布数据")
    else:
        require_unit_access(actor, sub.unit_code)
    return sub


def submission_rows(session: Session, submission_id: int) -> list[SubmissionRow]:
    return list(
        session.execute(
            select(SubmissionRow)
            .where(SubmissionRow.submission_id == submission_id)
            .order_by(SubmissionRow.seq)
        ).scalars()
    )


def submission_file(session: Session, actor: User, submission_id: int) -> tuple[str, bytes]:
    sub = get_submission(session, actor, submission_id)
    content = session.get(SubmissionFile, sub.id)
    assert content is not None
    return sub.filename, content.content


def list_submissions(
    session: Session,
    actor: User,
    *,
    round_id: int | None = None,
    unit_code: str | None = None,
    status: str | None = None,
) -> list[Submission]:
    """Office: all; reporting roles: their unit's; viewers: published ones."""
    query = select(Submission).order_by(Submission.id)
    if actor.role in REPORTING_ROLES:
        query = query.where(Submission.unit_code == actor.unit_code)
    elif actor.role == "viewer":
        query = query.where(Submission.status == "published")
    if round_id is not None:
        query = query.where(Submission.round_id == round_id)
    if unit_code is not None:
        query = query.where(Submission.unit_code == unit_code)
    if status is not None:
        query = query.where(Submission.status == status)
    return list(session.execute(query).scalars())


def _move(session: Session, sub: Submission, to: str, allowed_from: str) -> None:
    if sub.status != allowed_from:
        raise Conflict(
            f"submission {sub.id} is {sub.status}; only a {allowed_from} one can become {to}",
            message_zh=f"报送 {sub.id} 当前为“{sub.status}”，只有“{allowed_from}”状态可转为“{to}”",
        )
    sub.status = to


def submit_submission(
    session: Session, actor: User, submission_id: int, *, comment: str | None = None
) -> Submission:
    """draft → submitted, by its unit or the office. Warnings without a comment on their row in the
    file need `comment` here (InputError listing them otherwise)."""
    sub = get_submission(session, actor, submission_id)
    if actor.role == "viewer":
        raise PermissionDenied("viewers cannot submit", message_zh="访客不能报送")
    warnings = [w for w in json.loads(sub.warnings) if not w.get("commented")]
    if sub.status == "draft" and warnings and not (comment or "").strip():
        problems = [
            Problem(
                w["location"],
                w["rule"],
                w["message_zh"],
                w.get("message_en") or "",
                w.get("value"),
                "warning",
            )
            for w in warnings
        ]
        raise InputError(
            "the warnings of this version need a comment", problems, message_zh="存在警告，需填写说明后报送"
        )
    _move(session, sub, "submitted", "draft")
    sub.submitted_by, sub.submitted_at, sub.submit_comment = actor.id, utcnow(), (comment or None)
    _audit(session, actor, sub, "submission.submit", comment)
    return sub


def approve_submission(
    session: Session,
    actor: User,
    submission_id: int,
    *,
    comment: str | None = None,
    allow_self_approval: bool = False,
) -> Submission:
    """submitted → approved, by an office user other than its uploader and submitter; with
    `allow_self_approval` (a one-person office) by them too, audited as `submission.self_approve`."""
    require_office(actor)
    sub = get_submission(session, actor, submission_id)
    own = actor.id in (sub.uploaded_by, sub.submitted_by)
    if own and not allow_self_approval:
        raise PermissionDenied(
            f"submission {sub.id}: you uploaded or submitted it, so another office user must approve it "
            "(separation of duties; a one-person office sets CARBONPEAK_ALLOW_SELF_APPROVAL)",
            message_zh=f"报送 {sub.id} 由您本人上传或报送，须由双碳办其他人员审核通过（职责分离；"
            "单人办公室可设置 CARBONPEAK_ALLOW_SELF_APPROVAL）",
        )
    _move(session, sub, "approved", "submitted")
    sub.reviewed_by, sub.reviewed_at, sub.review_comment = actor.id, utcnow(), comment or None
    _audit(session, actor, sub, "submission.self_approve" if own else "submission.approve", comment)
    return sub


def return_submission(session: Session, actor: User, submission_id: int, *, comment: str) -> Submission:
    require_office(actor)
    sub = get_submission(session, actor, submission_id)
    if not (comment or "").strip():
        raise InputError(
            "a returned submission needs a comment",
            [problem("comment", "review.comment")],
        )
    _move(session, sub, "returned", "submitted")
    sub.reviewed_by, sub.reviewed_at, sub.review_comment = actor.id, utcnow(), comment
    _audit(session, actor, sub, "submission.return", comment)
    return sub


def publish_submission(session: Session, actor: User, submission_id: int) -> Submission:
    require_office(actor)
    sub = get_submission(session, actor, submission_id)
    _move(session, sub, "published", "approved")
    sub.published_by, sub.published_at = actor.id, utcnow()
    _audit(session, actor, sub, "submission.publish", None)
    return sub


def unpublish_submission(session: Session, actor: User, submission_id: int, *, comment: str) -> Submission:
    """published → approved, by the office with a reason (audited): the version leaves the public
    pages at once and may be published again."""
    require_office(actor)
    sub = get_submission(session, actor, submission_id)
    if not (comment or "").strip():
        raise InputError(
            "unpublishing needs a reason",
            [problem("comment", "review.comment", text_key="problem.review.comment.2")],
            message_zh="撤回发布须填写原因",
        )
    _move(session, sub, "approved", "published")
    sub.published_by, sub.published_at = None, None
    _audit(session, actor, sub, "submission.unpublish", comment)
    return sub


# fields a change list leaves out: the value as typed before conversion (the converted one is shown)
_NOT_COMPARED = {"reported_value", "reported_capacity"}


def previous_values(
    session: Session, unit_code: str, kind: str, keys: Iterable[str], *, year: int, before: int | None = None
) -> dict[str, dict[str, Any]]:
    """key → {field: value, ..., "_period": round period, "_year": year, "_submission_id": id} of the
    unit's last approved (or published) version of each key for a year up to `year`, among
    submissions older than `before` (a submission id) when given."""
    wanted = set(keys)
    rows = value_rows(session, kind=kind, statuses=CURRENT_STATUSES, unit_code=unit_code)
    rows = [
        (r, s, rd)
        for r, s, rd in rows
        if r.key in wanted and (r.year or 0) <= year and (before is None or s.id < before)
    ]
    out: dict[str, dict[str, Any]] = {}
    for (_, key, yr), group in sorted(newest_rows(rows).items(), key=lambda kv: kv[0][2] or 0):
        _, s, rd = group[0]
        record: dict[str, Any] = {"_period": rd.period, "_year": yr, "_submission_id": s.id}
        for r, _, _ in group:
            record[r.field] = r.value if r.value is not None else r.text
            record[f"{r.field}_unit"] = r.unit
        out[key] = record  # sorted by year: the latest year wins
    return out


def submission_changes(session: Session, sub: Submission) -> list[dict[str, Any]]:
    """What a version changes against the unit's previous approved values: one entry per changed
    field (kind, key, field, old, new, unit, old_period). A version stores only the rows its file
    changed (the template is pre-filled), so every row of it appears here with at least one field."""
    rows = submission_rows(session, sub.id)
    year = rows[0].year if rows and rows[0].year is not None else 0
    out: list[dict[str, Any]] = []
    for kind in ("indicator", "task", "project"):
        mine = [r for r in rows if r.kind == kind]
        if not mine:
            continue
        before = previous_values(
            session, sub.unit_code, kind, {r.key for r in mine}, year=year, before=sub.id
        )
        for r in mine:
            if r.field in _NOT_COMPARED:
                continue
            new = r.value if r.value is not None else r.text
            old_record = before.get(r.key, {})
            old = old_record.get(r.field)
            if old == new:
                continue
            out.append(
                {
                    "kind": kind,
                    "key": r.key,
                    "field": r.field,
                    "old": old,
                    "new": new,
                    "unit": r.unit,
                    "old_period": old_record.get("_period"),
                }
            )
    return out


def _audit(session: Session, actor: User, sub: Submission, action: str, comment: str | None) -> None:
    audit.record(
        session,
        username=actor.username,
        action=action,
        object_type="submission",
        object_id=sub.id,
        detail={
            "round": sub.round_id,
            "unit": sub.unit_code,
            "version": sub.version,
            "status": sub.status,
            "comment": comment,
        },
    )
    session.commit()


# -- the web form: one row through the same template, parser and workflow -------------------------

FORM_FIELDS = {
    "task": ("status", "percent", "narrative", "next_steps", "evidence", "comment"),
    "project": ("status", "capacity", "capacity_unit", "start_date", "operation_date", "comment"),
    "indicator": ("value", "unit", "comment"),
}


def form_upload(
    session: Session,
    actor: User,
    *,
    round_id: int,
    kind: str,
    code: str,
    values: dict[str, str],
) -> tuple[Submission, bool]:
    """A small update from the web form (one task, project or indicator row): the unit's pre-filled
    template of the round with that row's cells set to `values` (column key → text as typed), then
    upload_submission — the same parser, rules, change list and workflow as a file. The stored
    file is that workbook, named `form-<round>-<unit>-<code>.xlsx`."""
    import io

    from openpyxl import load_workbook

    from carbonpeak.collection import layout as L
    from carbonpeak.collection.templates import KIND_OF_SHEET
    from carbonpeak.services.rounds import download_template

    sheet = {v: k for k, v in KIND_OF_SHEET.items()}.get(kind)
    if sheet is None:
        raise NotFound(f"no row kind {kind!r}", message_zh=f"没有“{kind}”类的行")
    name, xlsx = download_template(session, actor, round_id, actor.unit_code)
    book = load_workbook(io.BytesIO(xlsx))
    if sheet not in book.sheetnames:
        raise NotFound(f"the template has no {kind} rows", message_zh="本单位本轮次的模板中没有这类行")
    ws = book[sheet]
    row = next(
        (r[0].row for r in ws.iter_rows(min_row=L.FIRST_DATA_ROW) if str(r[0].value) == code),
        None,
    )
    if row is None:
        raise NotFound(f"{code} is not in your template", message_zh=f"本单位的模板中没有“{code}”")
    for key in FORM_FIELDS[kind]:
        if key in values:
            text = values[key].strip()
            ws.cell(row, L.column_index(sheet, key) + 1, text or None)
    out = io.BytesIO()
    book.save(out)
    return upload_submission(
        session,
        actor,
        round_id=round_id,
        unit_code=actor.unit_code,
        filename=f"form-{name[:-5]}-{code}.xlsx",
        data=out.getvalue(),
    )
