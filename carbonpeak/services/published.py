"""The published data records of the store and the snapshot they make: what the data set
(services/dataset.py), the enterprise accounts and the metering services read. It imports no other
service that reads the data set, so all of them can stand on it.

    published_rows(session, kind=None)   PublishedRow of the newest published version of every
                                         (kind, year), in file order
    current_snapshot(session)            Snapshot: id = hash of the record versions it holds and the
                                         published progress reports

Importing, listing and exporting records: services/statistics.py. Docs: docs/methods/dataset.md.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from carbonpeak.services.current import PUBLIC_STATUSES
from carbonpeak.statistics.rows import StatRow
from carbonpeak.store.models import PlanVersion, Submission, SubmissionRow

SNAPSHOT_STATUSES = ("published",)


@dataclass(frozen=True, kw_only=True)
class PublishedRow(StatRow):
    """One value of a published record, with its lineage: the row as parsed (StatRow) and the
    record it is in (kind, submission, version, file)."""

    kind: str
    submission_id: int
    version: int
    filename: str

    @property
    def lineage(self) -> str:
        """`source [submission N vV, file cell]`: the row's source and where it is stored."""
        record = f"submission {self.submission_id} v{self.version}"
        return f"{self.source} [{record}, {self.filename} {self.location}]"


@dataclass(frozen=True)
class Snapshot:
    """The published record versions at a moment: `id` (16 hex digits of SHA-256 over the plan
    version and every record's submission id and file hash) names it on every output."""

    id: str
    records: tuple[tuple[int, str, int, int], ...]  # (submission id, kind, year, version)
    reports: int  # approved or published progress-report versions in it

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "records": len(self.records), "reports": self.reports}


@dataclass(frozen=True)
class _Version:
    """The columns of a record version the snapshot and the readers need (no ORM object)."""

    id: int
    dataset: str
    year: int
    version: int
    file_sha256: str
    flag: str | None
    source: str | None
    filename: str


def _newest_published(session: Session) -> list[_Version]:
    """The newest published version of every (kind, year), read as plain columns."""
    rows = session.execute(
        select(
            Submission.id,
            Submission.dataset,
            Submission.year,
            Submission.version,
            Submission.file_sha256,
            Submission.flag,
            Submission.source,
            Submission.filename,
        )
        .where(
            Submission.round_id.is_(None),
            Submission.dataset.is_not(None),
            Submission.status.in_(SNAPSHOT_STATUSES),
        )
        .order_by(Submission.dataset, Submission.year, Submission.version)
    ).all()
    newest: dict[tuple[str, int], _Version] = {}
    for r in rows:  # ordered by version: the last wins
        newest[(str(r.dataset), int(r.year or 0))] = _Version(
            r.id, str(r.dataset), int(r.year or 0), r.version, r.file_sha256, r.flag, r.source, r.filename
        )
    return list(newest.values())


def published_rows(session: Session, *, kind: str | None = None) -> list[PublishedRow]:
    """Every value of the newest published version of each (kind, year), in file order."""
    subs = {s.id: s for s in _newest_published(session) if kind is None or s.dataset == kind}
    if not subs:
        return []
    out: list[PublishedRow] = []
    rows = session.execute(
        select(SubmissionRow)
        .where(SubmissionRow.submission_id.in_(list(subs)))
        .order_by(SubmissionRow.submission_id, SubmissionRow.seq)
    ).scalars()
    for r in rows:
        s = subs[r.submission_id]
        out.append(
            PublishedRow(
                kind=str(s.dataset),
                key=r.key,
                field=r.field,
                region=r.region or "",
                year=int(r.year or 0),
                value=float(r.value or 0.0),
                unit=r.unit or "",
                flag=r.flag or s.flag or "published",
                source=r.source or s.source or "",
                method=r.comment or "",
                submission_id=s.id,
                version=s.version,
                filename=s.filename,
                location=r.location or "",
                text=r.text or "",
            )
        )
    return out


def current_snapshot(session: Session) -> Snapshot:
    """The snapshot of the store now: the newest published version of every data record and the
    published progress reports (current.PUBLIC_STATUSES): an approved report reaches the public
    pages only once the office publishes it."""
    records = sorted((s.id, s.dataset, s.year, s.version, s.file_sha256) for s in _newest_published(session))
    reports = session.execute(
        select(Submission.id, Submission.file_sha256, Submission.status)
        .where(Submission.round_id.is_not(None), Submission.status.in_(list(PUBLIC_STATUSES)))
        .order_by(Submission.id)
    ).all()
    plan = session.execute(select(PlanVersion.sha256).order_by(PlanVersion.version.desc()).limit(1)).scalar()
    digest = hashlib.sha256()
    digest.update(f"plan:{plan or ''}\n".encode())
    for rec in records:
        digest.update(("rec:" + ":".join(map(str, rec)) + "\n").encode())
    for sid, sha, status in reports:
        digest.update(f"rep:{sid}:{sha}:{status}\n".encode())
    return Snapshot(
        id=digest.hexdigest()[:16],
        records=tuple((sid, k, y, v) for sid, k, y, v, _ in records),
        reports=len(reports),
    )


__all__ = ["SNAPSHOT_STATUSES", "PublishedRow", "Snapshot", "current_snapshot", "published_rows"]
