"""Tables of the application database (SQLAlchemy 2, declarative, typed).

    plan_versions ─┬─ plan_items (targets, tasks, projects of one plan version, JSON payload)
                   └─ plan_item_units (unit → item, role lead | co | responsible)
    units ── users ── api_tokens (API tokens and web sessions, stored as SHA-256 of the secret)
    rounds ── round_units (units invited)
          └── submissions (one row per upload = one immutable version; workflow status): a round's
                │          progress report, or a data record (round None; dataset, year, flag, source)
                ├── submission_files (the uploaded bytes)
                └── submission_rows (kind indicator | task | project | a data kind, key, field, year,
                                     value …; data rows also region, flag, source)
    idempotency_keys (user, Idempotency-Key → the request's SHA-256, whether it was applied, its answer)
    login_failures (failed log-ins per account and per address: back-off and lock, all processes)
    report_summaries (the office's text of a report section, zh and en; append-only, newest shown)
    audit_log (append-only, hash-chained) + audit_head (seq and hash of the last entry)

Every timestamp is a `UTCDateTime`: stored in UTC, read back timezone-aware on SQLite too (whose
DATETIME keeps no offset), so the API never serves a naive time.

Nothing is overwritten: a plan change is a new plan version, a correction a new submission
version; units removed from a plan stay (retired) so that users and history keep their unit.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """DateTime(timezone=True) that stores UTC and always reads back an aware datetime (UTC). A naive
    value given to it is taken as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    pass


class Stamped:
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class PlanVersion(Base, Stamped):
    __tablename__ = "plan_versions"
    __table_args__ = (UniqueConstraint("plan_code", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_code: Mapped[str] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    source_file: Mapped[str | None] = mapped_column(String(500))
    plan_json: Mapped[str] = mapped_column(Text)


class Unit(Base, Stamped):
    __tablename__ = "units"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(40))
    first_plan_version: Mapped[int] = mapped_column(Integer)
    last_plan_version: Mapped[int] = mapped_column(Integer)  # < current version: retired from the plan


class PlanItem(Base):
    __tablename__ = "plan_items"
    __table_args__ = (UniqueConstraint("plan_version_id", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # target | task | project
    code: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)  # the plan record as JSON


class PlanItemUnit(Base):
    __tablename__ = "plan_item_units"
    __table_args__ = (Index("ix_plan_item_units_unit", "plan_version_id", "unit_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    role: Mapped[str] = mapped_column(String(16))  # lead | co | responsible


class User(Base, Stamped):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))  # office | department | district | enterprise | viewer
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ApiToken(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # api | session
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()


class Round(Base, Stamped):
    __tablename__ = "rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(16), unique=True)  # "2024", "2025H1", "2025Q3": the round code
    year: Mapped[int] = mapped_column(Integer)  # the year reported
    title: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    templates: Mapped[str] = mapped_column(Text)  # JSON list of kinds: indicator, task, project
    plan_version_id: Mapped[int] = mapped_column(ForeignKey("plan_versions.id"))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))


class RoundUnit(Base):
    __tablename__ = "round_units"

    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id"), primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), primary_key=True)


class Submission(Base):
    """One upload: an immutable version of one unit's data for one round, with its workflow status."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("round_id", "unit_code", "version"),
        Index("ix_submissions_dataset_year", "dataset", "year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # a round's progress report, or (round_id None) a data record of `dataset` for `year`
    round_id: Mapped[int | None] = mapped_column(ForeignKey("rounds.id"), index=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    version: Mapped[int] = mapped_column(Integer)  # per (round, unit), or per (dataset, year)
    dataset: Mapped[str | None] = mapped_column(String(32))  # data kind (statistics/kinds.yaml)
    year: Mapped[int | None] = mapped_column(Integer)
    flag: Mapped[str | None] = mapped_column(String(16))  # published | estimated | sample
    source: Mapped[str | None] = mapped_column(Text)  # the document the record transcribes
    status: Mapped[str] = mapped_column(String(16))  # draft | submitted | approved | returned | published
    filename: Mapped[str] = mapped_column(String(255))
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_size: Mapped[int] = mapped_column(Integer)
    warnings: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of Problem dicts
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    submitted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    submit_comment: Mapped[str | None] = mapped_column(Text)  # explains the warnings, when there are any
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    review_comment: Mapped[str | None] = mapped_column(Text)
    published_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class SubmissionFile(Base):
    __tablename__ = "submission_files"

    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), primary_key=True)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class SubmissionRow(Base):
    """One reported value: kind indicator | task | project; `key` the indicator, task or project code."""

    __tablename__ = "submission_rows"
    __table_args__ = (Index("ix_submission_rows_kind_key", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submissions.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(
        String(32)
    )  # task | project | indicator | a data kind (as submissions.dataset)
    key: Mapped[str] = mapped_column(String(128))
    field: Mapped[str] = mapped_column(String(64))  # "value" for indicators; progress, status … for tasks
    year: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)
    unit: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(Text)
    location: Mapped[str | None] = mapped_column(String(100))  # sheet!cell in the uploaded file
    region: Mapped[str | None] = mapped_column(String(64))  # data records: the region of the value
    flag: Mapped[str | None] = mapped_column(String(16))  # data records: when the row differs
    source: Mapped[str | None] = mapped_column(Text)  # data records: the row's own source


class IdempotencyKey(Base):
    """A client's `Idempotency-Key` on a mutating API call (carbonpeak/api/idempotency.py): the request
    it came with (method, path, SHA-256 of the canonical body), whether the call's write committed
    (`applied`, set in the write's own transaction), and the answer to replay (status, headers, body;
    None until the answer is stored). `owner` is the request that holds the key now."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (UniqueConstraint("user_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(200))
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(1000))
    request_sha256: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(32))
    applied: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[int | None] = mapped_column(Integer)
    response_headers: Mapped[str | None] = mapped_column(Text)  # JSON [[name, value], …]
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    completed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class LoginFailure(Base):
    """Failed log-ins counted for one account or one client address (services/limits.LoginThrottle):
    kept in the database so that every server process and a restarted one see the same counts."""

    __tablename__ = "login_failures"

    kind: Mapped[str] = mapped_column(String(8), primary_key=True)  # account | address
    subject: Mapped[str] = mapped_column(String(200), primary_key=True)  # lower-cased name | address
    failures: Mapped[int] = mapped_column(Integer)
    last_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))  # ISO-8601 UTC, hashed as written
    username: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    object_type: Mapped[str] = mapped_column(String(32))
    object_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # always 1
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
    keyed_from: Mapped[int | None] = mapped_column(Integer)  # first entry hashed with the audit key (HMAC)


class ReportSummary(Base):
    """The office's summary of one narrative section (成效 achievements, 问题 problems, 下步工作
    next_steps) of one report (kind, year), in zh and en. Append-only: an edit is a new row, the
    newest row of (kind, year, section) is the one a report shows; every row is in the audit log."""

    __tablename__ = "report_summaries"
    __table_args__ = (Index("ix_report_summaries_kind_year", "kind", "year", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # annual | assessment
    year: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(32))  # achievements | problems | next_steps
    text_zh: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class MeteringQuality(Base):
    """A unit's quality index for a month as the quality engine assessed it (metering/quality.py,
    UnitIndex): parts as shares 0-1, `index` 0-100, `faults` the findings that are faults. Each
    assessment adds rows (`assessed_at`, over the window up to `window_end`); the newest per unit
    and month is the current one, the older ones its history."""

    __tablename__ = "metering_quality"
    __table_args__ = (Index("ix_metering_quality_unit_month", "uscc", "month", "assessed_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(32))
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM, China standard time
    completeness: Mapped[float] = mapped_column(Float)
    time_labels: Mapped[float] = mapped_column(Float)
    validity: Mapped[float] = mapped_column(Float)
    timeliness: Mapped[float] = mapped_column(Float)
    report_match: Mapped[float] = mapped_column(Float)
    calibration: Mapped[float] = mapped_column(Float)
    index: Mapped[float] = mapped_column(Float)
    faults: Mapped[int] = mapped_column(Integer)
    window_end: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    assessed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class MeteringRejection(Base):
    """A refused SenML pack's problem (docs/methods/metering.md#intake): counted on the unit's
    quality page. `uscc` and `meter` as far as the pack named them ("" when it did not)."""

    __tablename__ = "metering_rejections"
    __table_args__ = (Index("ix_metering_rejections_uscc", "uscc", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uscc: Mapped[str] = mapped_column(String(32))
    meter: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))  # mqtt | https
    rule: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(200))
    message_zh: Mapped[str] = mapped_column(Text)
    message_en: Mapped[str] = mapped_column(Text)
    received_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
