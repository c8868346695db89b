"""Statistics as data in the store: import a file of a data kind as versioned records, list them,
export them, read the published ones, and the snapshot every engine computes from.

    import_records(session, actor, kind, filename, data, year=…)   one draft submission per year
    list_records(session, kind=…, year=…, flag=…)                   RecordInfo rows, newest first
    published_rows(session), current_snapshot(session)             the published records and their
                                                                   snapshot (services/published.py)
    export_rows(session, kind, year)                               the rows of the newest published version

A record is a Submission with `round_id` None and `dataset` = the kind: it goes through the same
submit → approve → publish workflow (services/submissions.py) and audit log as progress reports.
Nothing is overwritten: a year already published gets a new version. Docs: docs/methods/dataset.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carbonpeak.errors import PermissionDenied
from carbonpeak.services import audit
from carbonpeak.services.published import PublishedRow, Snapshot, current_snapshot, published_rows
from carbonpeak.statistics import FLAGS, StatRow, kind_of, parse_records
from carbonpeak.store.models import Submission, SubmissionFile, SubmissionRow, User, utcnow

DATA_ROLES = ("office", "department")  # the statistics bureau reports as a department


@dataclass(frozen=True)
class RecordInfo:
    submission_id: int
    kind: str
    year: int
    version: int
    status: str
    flag: str
    rows: int
    filename: str
    source: str
    unit_code: str


def target_indicators(session: Session) -> dict[str, str]:
    """indicator code → unit of every series the plan's targets read (kinds `any_target_indicator`):
    the target's unit for a level, count or share target (the series is that quantity); "" (any
    known unit) for the others, whose observed series is not the target's quantity."""
    from carbonpeak.services.init import current_plan_version

    plan = json.loads(current_plan_version(session).plan_json)
    out: dict[str, str] = {}
    for t in plan.get("targets", []):
        same = t.get("metric") in ("level", "count", "share")
        out.setdefault(t["indicator"], (t.get("unit") or "") if same else "")
    return out


def city_region(session: Session) -> str:
    from carbonpeak.services.init import current_plan_version

    city = json.loads(current_plan_version(session).plan_json)["city_en"]
    return "_".join(str(city).lower().split())


def import_records(
    session: Session,
    actor: User,
    *,
    kind: str,
    filename: str,
    data: bytes,
    year: int | None = None,
    flag: str = "published",
    source: str = "",
    max_bytes: int = 20_000_000,
) -> list[Submission]:
    """Check a file of `kind` and store one draft version per year it holds, in ONE transaction
    (InputError stores nothing). Each version is numbered per (kind, year). The file is parsed
    outside any transaction (on SQLite a transaction open that long would hold up every writer)."""
    if actor.role not in DATA_ROLES:
        raise PermissionDenied(
            "only the office and departments import statistics", message_zh="仅双碳办和部门可导入统计数据"
        )
    spec = kind_of(kind)
    region, targets = city_region(session), target_indicators(session)
    context = None
    if spec.layout == "enterprise":  # the register and metering a report is checked against
        from carbonpeak.services.enterprise import report_context

        context = report_context(session, spec)
    session.commit()  # end the reads before parsing
    parsed = parse_records(
        spec,
        filename,
        data,
        year=year,
        region=region,
        target_indicators=targets,
        default_flag=flag,
        default_source=source,
        max_bytes=max_bytes,
        context=context,
    )
    subs: list[Submission] = []
    for yr, rows in parsed.by_year.items():
        last = session.execute(
            select(func.max(Submission.version)).where(
                Submission.round_id.is_(None), Submission.dataset == kind, Submission.year == yr
            )
        ).scalar_one()
        flags = {r.flag for r in rows}
        sub = Submission(
            round_id=None,
            dataset=kind,
            year=yr,
            flag=next(f for f in reversed(FLAGS) if f in flags),  # the weakest flag of its rows
            source=source or _common_source(rows),
            unit_code=actor.unit_code,
            version=(last or 0) + 1,
            status="draft",
            filename=filename[:255],
            file_sha256=parsed.sha256,
            file_size=len(data),
            warnings="[]",
            uploaded_by=actor.id,
            uploaded_at=utcnow(),
        )
        session.add(sub)
        session.flush()
        session.add(SubmissionFile(submission_id=sub.id, content=data))
        session.add_all(
            SubmissionRow(
                submission_id=sub.id,
                seq=seq,
                kind=kind,
                key=r.key,
                field=r.field,
                year=r.year,
                value=r.value,
                text=r.text or None,
                unit=r.unit,
                region=r.region,
                flag=r.flag,
                source=r.source,
                comment=r.method or None,
                location=r.location[:100],
            )
            for seq, r in enumerate(rows, start=1)
        )
        audit.record(
            session,
            username=actor.username,
            action="data.import",
            object_type="submission",
            object_id=sub.id,
            detail={
                "kind": kind,
                "year": yr,
                "version": sub.version,
                "file": sub.filename,
                "sha256": sub.file_sha256,
                "rows": len(rows),
                "flag": sub.flag,
            },
        )
        subs.append(sub)
    session.flush()
    session.commit()
    return subs


def _common_source(rows: tuple[StatRow, ...]) -> str:
    sources = {r.source for r in rows if r.source}
    return sources.pop() if len(sources) == 1 else ""


def list_records(
    session: Session, *, kind: str | None = None, year: int | None = None, flag: str | None = None
) -> list[RecordInfo]:
    counts = (
        select(SubmissionRow.submission_id, func.count().label("n"))
        .group_by(SubmissionRow.submission_id)
        .subquery()
    )
    query = (
        select(Submission, counts.c.n)
        .join(counts, counts.c.submission_id == Submission.id)
        .where(Submission.round_id.is_(None), Submission.dataset.is_not(None))
        .order_by(Submission.dataset, Submission.year, Submission.version.desc())
    )
    if kind is not None:
        kind_of(kind)
        query = query.where(Submission.dataset == kind)
    if year is not None:
        query = query.where(Submission.year == year)
    if flag is not None:
        query = query.where(Submission.flag == flag)
    return [
        RecordInfo(
            submission_id=s.id,
            kind=str(s.dataset),
            year=int(s.year or 0),
            version=s.version,
            status=s.status,
            flag=s.flag or "",
            rows=int(n),
            filename=s.filename,
            source=s.source or "",
            unit_code=s.unit_code,
        )
        for s, n in session.execute(query).all()
    ]


def export_rows(session: Session, kind: str, year: int | None = None) -> list[dict[str, Any]]:
    """The rows of the newest published version of `kind` (one year or all), in its long layout."""
    spec = kind_of(kind)
    if spec.layout in ("register", "enterprise"):
        from carbonpeak.services.enterprise import export_layout

        return export_layout(spec, published_rows(session, kind=kind), year)
    out = []
    for r in published_rows(session, kind=kind):
        if year is not None and r.year != year:
            continue
        if spec.layout == "unit_month":
            energy_kind, month = r.field.split(":", 1)
            out.append(
                {
                    "uscc": r.key,
                    "energy_kind": energy_kind,
                    "month": month,
                    "quantity": r.value,
                    "unit": r.unit,
                    "completeness": float(r.text or 0),
                    "flag": r.flag,
                    "method": r.method,
                    "source": r.source,
                }
            )
            continue
        if spec.layout == "meters":
            from carbonpeak.metering.register import meter_of, register_rows

            row: dict[str, Any] = register_rows([meter_of(r.key, r.value, r.unit, r.region, r.text)], r.year)[
                0
            ]
            out.append({**row, "flag": r.flag, "source": r.source})
            continue
        head: dict[str, Any] = (
            {"region": r.region, "year": r.year, "sector": r.key, "fuel": r.field, "quantity": r.value}
            if spec.layout == "balance"
            else {"indicator": r.key, "region": r.region, "year": r.year, "value": r.value}
        )
        if spec.layout == "monthly":  # field m01 … m12
            head = {**head, "month": int(r.field[1:]), "value": r.value}
        out.append({**head, "unit": r.unit, "flag": r.flag, "method": r.method, "source": r.source})
    return out


__all__ = [
    "PublishedRow",
    "RecordInfo",
    "Snapshot",
    "current_snapshot",
    "export_rows",
    "import_records",
    "list_records",
    "published_rows",
]
