"""Uploads as immutable versions, the review workflow, current values and the history of a value."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlalchemy import func, select

from carbonpeak.errors import Conflict, InputError, PermissionDenied, UploadError
from carbonpeak.i18n import t
from carbonpeak.services import current
from carbonpeak.services import submissions as svc
from carbonpeak.services.audit import verify_chain
from carbonpeak.services.rounds import close_round, download_template, open_round
from carbonpeak.store.models import AuditEntry, Submission, SubmissionFile, SubmissionRow

_UPLOADS = iter(range(1, 1_000_000))  # a new note per upload: each one a new file


def _upload(db, user, rnd, fill, value, unit="dept_a", **kw):
    with db.session() as s:
        _, xlsx = download_template(s, user, rnd.id, unit)
        return svc.import_submission(
            s,
            user,
            round_id=rnd.id,
            unit_code=unit,
            filename="a.xlsx",
            data=fill(xlsx, {"pv_capacity": value}, note=f"upload {next(_UPLOADS)}", **kw),
        )


def _counts(db):
    with db.session() as s:
        return tuple(
            s.execute(select(func.count()).select_from(t)).scalar_one()
            for t in (Submission, SubmissionFile, SubmissionRow, AuditEntry)
        )


def test_upload_converts_units_and_keeps_every_version(loaded, fill):
    db, users, rnd = loaded
    dept = users["department"]
    v1 = _upload(db, dept, rnd, fill, "120 万千瓦")
    v2 = _upload(db, dept, rnd, fill, 1300)
    assert (v1.version, v2.version, v1.status) == (1, 2, "draft")
    with db.session() as s:
        (value,) = [r for r in svc.submission_rows(s, v1.id) if r.field == "value"]
        assert (value.value, value.unit, value.year) == (1200.0, "MW", 2024)
        assert current.current_observations(s) == []  # nothing approved yet
        svc.submit_submission(s, dept, v1.id)
        svc.approve_submission(s, users["office"], v1.id)
        assert [o["value"] for o in current.current_observations(s)] == [1200.0]
        svc.submit_submission(s, dept, v2.id)
        svc.approve_submission(s, users["office"], v2.id)
        (obs,) = current.current_observations(s, indicator="pv_capacity", year=2024)
        assert (obs["value"], obs["version"], obs["submission_id"]) == (1300.0, 2, v2.id)
        assert (obs["region"], obs["flag"], obs["unit_code"]) == ("some_city", "published", "dept_a")
        _the_indicator_engine_reads(current.current_observations(s))
        progress = current.current_task_progress(s, unit_code="dept_a")
        assert [(p["task"], p["status"], p["percent"]) for p in progress] == [("P1.T1", "in_progress", 40.0)]
        assert progress[0]["percent_unit"] == "%"  # each number says the unit it is stored in
        assert current.current_project_status(s)[0]["status"] == "under_construction"
        history = [
            h
            for h in current.value_history(s, users["office"], kind="indicator", key="pv_capacity")
            if h["field"] == "value"
        ]
        assert [(h["version"], h["value"], h["uploaded_by"], h["filename"]) for h in history] == [
            (1, 1200.0, "department", "a.xlsx"),
            (2, 1300.0, "department", "a.xlsx"),
        ]
        assert current.current_observations(s, published_only=True) == []
        svc.publish_submission(s, users["office"], v2.id)
        assert [o["value"] for o in current.current_observations(s, published_only=True)] == [1300.0]
        assert verify_chain(s) == []
        actions = set(s.execute(select(AuditEntry.action)).scalars())
        assert {
            "plan.load",
            "user.create",
            "round.open",
            "submission.upload",
            "submission.publish",
        } <= actions
        assert [a for a in actions if t(f"store.audit.{a}", "en") == f"store.audit.{a}"] == []  # all labelled


ILLEGAL = [
    ("approve", "draft"),
    ("publish", "draft"),
    ("return", "draft"),
    ("submit", "submitted"),
    ("publish", "submitted"),
    ("submit", "approved"),
    ("approve", "approved"),
    ("return", "approved"),
    ("approve", "returned"),
    ("publish", "returned"),
    ("submit", "returned"),
    ("approve", "published"),
    ("submit", "published"),
    ("publish", "published"),
    ("return", "published"),
]
PATH = {
    "draft": [],
    "submitted": ["submit"],
    "approved": ["submit", "approve"],
    "returned": ["submit", "return"],
    "published": ["submit", "approve", "publish"],
}


def _act(s, users, action, sub_id):
    office, dept = users["office"], users["department"]
    return {
        "submit": lambda: svc.submit_submission(s, dept, sub_id),
        "approve": lambda: svc.approve_submission(s, office, sub_id),
        "return": lambda: svc.return_submission(s, office, sub_id, comment="数据需核实"),
        "publish": lambda: svc.publish_submission(s, office, sub_id),
    }[action]()


def test_illegal_transitions_conflict(loaded, fill):
    db, users, rnd = loaded
    in_state = {}
    for state, steps in PATH.items():
        sub = _upload(db, users["department"], rnd, fill, 1200)
        with db.session() as s:
            for step in steps:
                _act(s, users, step, sub.id)
        in_state[state] = sub.id
    with db.session() as s:
        before = s.execute(select(func.count()).select_from(AuditEntry)).scalar_one()
        for action, state in ILLEGAL:
            with pytest.raises(Conflict):
                _act(s, users, action, in_state[state])
            s.rollback()
            assert s.get(Submission, in_state[state]).status == state, (action, state)
        assert s.execute(select(func.count()).select_from(AuditEntry)).scalar_one() == before


def test_return_needs_a_comment_and_warnings_need_one_to_submit(loaded, fill):
    db, users, rnd = loaded
    office, dept = users["office"], users["department"]
    first = _upload(db, dept, rnd, fill, 1000)
    with db.session() as s:
        svc.submit_submission(s, dept, first.id)
        svc.approve_submission(s, office, first.id)
    # the 2025 round compares with 2024's approved 1000: 2000 is a +100 % jump, a warning
    with db.session() as s:
        rnd25 = open_round(s, office, period="2025", title="2025", due_date=dt.date(2026, 3, 1))
    jump = _upload(db, dept, rnd25, fill, 2000)
    with db.session() as s:
        warnings = json.loads(svc.get_submission(s, dept, jump.id).warnings)
        assert [(w["rule"], w["commented"]) for w in warnings] == [("yoy.jump", False)]
        with pytest.raises(InputError) as err:
            svc.submit_submission(s, dept, jump.id)
        assert [p.severity for p in err.value.problems] == ["warning"]
        s.rollback()
        svc.submit_submission(s, dept, jump.id, comment="新并网两座电站")
        with pytest.raises(InputError):
            svc.return_submission(s, office, jump.id, comment=" ")
        s.rollback()
        returned = svc.return_submission(s, office, jump.id, comment="请附并网证明")
        assert (returned.status, returned.review_comment) == ("returned", "请附并网证明")


def test_a_file_with_errors_stores_nothing(loaded, fill):
    db, users, rnd = loaded
    before = _counts(db)
    with db.session() as s:
        _, xlsx = download_template(s, users["department"], rnd.id, "dept_a")
        bad = fill(xlsx, {"pv_capacity": "12 吨"})  # a mass is not a power
        with pytest.raises(UploadError) as err:
            svc.import_submission(
                s, users["department"], round_id=rnd.id, unit_code="dept_a", filename="a.xlsx", data=bad
            )
        assert err.value.problems
        for name, data, limit in (
            ("a.xlsx", b"PK\x03\x04 not a zip", None),
            ("a.xlsx", b"", None),
            ("a.csv", b"x" * 5000, 4096),
            ("a.pdf", b"%PDF-1.4", None),
        ):
            with pytest.raises(UploadError):
                svc.import_submission(
                    s,
                    users["department"],
                    round_id=rnd.id,
                    unit_code="dept_a",
                    filename=name,
                    data=data,
                    max_bytes=limit,
                )
    assert _counts(db) == before


def test_units_only_reach_their_own_data(loaded, fill):
    db, users, rnd = loaded
    sub = _upload(db, users["department"], rnd, fill, 1000)
    with db.session() as s:
        for role in ("district", "enterprise", "viewer"):
            with pytest.raises(PermissionDenied):
                svc.get_submission(s, users[role], sub.id)
            with pytest.raises(PermissionDenied):
                download_template(s, users[role], rnd.id, "dept_a")
        assert svc.list_submissions(s, users["district"]) == []
        assert [x.id for x in svc.list_submissions(s, users["department"])] == [sub.id]
        with pytest.raises(PermissionDenied):
            svc.approve_submission(s, users["department"], sub.id)
        with pytest.raises(PermissionDenied):
            close_round(s, users["department"], rnd.id)


def test_closed_round_takes_no_upload(loaded, fill):
    db, users, rnd = loaded
    with db.session() as s:
        close_round(s, users["office"], rnd.id)
    with pytest.raises(Conflict):
        _upload(db, users["department"], rnd, fill, 1000)


def test_two_uploads_at_once_are_both_kept_in_order(loaded, fill):
    db, users, rnd = loaded
    with db.session() as s:
        _, xlsx = download_template(s, users["department"], rnd.id, "dept_a")
    files = [fill(xlsx, {"pv_capacity": v}) for v in (1001, 1002)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def upload(data: bytes) -> None:
        try:
            barrier.wait()
            with db.session() as s:
                svc.import_submission(
                    s, users["department"], round_id=rnd.id, unit_code="dept_a", filename="a.xlsx", data=data
                )
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=upload, args=(f,)) for f in files]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    with db.session() as s:
        subs = svc.list_submissions(s, users["office"])
        assert sorted(x.version for x in subs) == [1, 2]
        values = {
            x.version: next(r.value for r in svc.submission_rows(s, x.id) if r.field == "value") for x in subs
        }
        assert sorted(values.values()) == [1001.0, 1002.0]
        assert verify_chain(s) == []


def _the_indicator_engine_reads(rows):
    """The rows fit the indicators' long-table contract (parsed by its own reader)."""
    import csv
    import io

    from carbonpeak.indicators.observations import REQUIRED, parse_observations

    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=[*REQUIRED, "flag"], extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    assert parse_observations(buf.getvalue())  # raises InputError listing any fault


def test_a_csv_of_one_sheet_is_a_version_too(loaded, fill):
    import csv
    import io

    from openpyxl import load_workbook

    db, users, rnd = loaded
    with db.session() as s:
        _, xlsx = download_template(s, users["department"], rnd.id, "dept_a")
    sheet = load_workbook(io.BytesIO(fill(xlsx, {"pv_capacity": "150 万千瓦"})))["指标"]
    buf = io.StringIO()
    csv.writer(buf).writerows(
        [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
    )
    with db.session() as s:
        sub = svc.import_submission(
            s,
            users["department"],
            round_id=rnd.id,
            unit_code="dept_a",
            filename="指标.csv",
            data=buf.getvalue().encode("utf-8"),
        )
        rows = svc.submission_rows(s, sub.id)
        assert {r.kind for r in rows} == {"indicator"}
        assert [(r.value, r.unit) for r in rows if r.field == "value"] == [(1500.0, "MW")]


def test_nobody_approves_what_they_uploaded_or_submitted(loaded, fill):
    """Separation of duties: the office user who uploaded a version (for any unit) or submitted it
    cannot approve it; another office user can; publishing needs an approved version."""
    from carbonpeak.services.users import create_user

    db, users, rnd = loaded
    office, dept = users["office"], users["department"]
    with db.session() as s:
        second = create_user(
            s, username="office2", password="correct horse 1", role="office", unit_code="office"
        )
    own = _upload(db, office, rnd, fill, 1000)  # the office uploads for dept_a
    submitted = _upload(db, dept, rnd, fill, 1001)
    with db.session() as s:
        svc.submit_submission(s, office, own.id)
        svc.submit_submission(s, office, submitted.id)  # dept_a uploaded, the office submitted
        for sub_id in (own.id, submitted.id):
            with pytest.raises(PermissionDenied) as err:
                svc.approve_submission(s, office, sub_id)
            assert "separation of duties" in err.value.message and "职责分离" in err.value.message_zh
            with pytest.raises(Conflict):  # not approved: cannot be published
                svc.publish_submission(s, second, sub_id)
        assert svc.approve_submission(s, second, own.id).reviewed_by == second.id
        assert svc.publish_submission(s, office, own.id).status == "published"
        actions = s.execute(select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
    assert "submission.self_approve" not in actions


def test_a_one_person_office_approves_its_own_upload_only_by_the_audited_override(loaded, fill):
    db, users, rnd = loaded
    office = users["office"]
    sub = _upload(db, office, rnd, fill, 1000)
    with db.session() as s:
        svc.submit_submission(s, office, sub.id)
        approved = svc.approve_submission(s, office, sub.id, allow_self_approval=True)
        assert approved.status == "approved"
        last = s.execute(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        assert verify_chain(s) == []
    assert (last.action, last.username, last.object_id) == ("submission.self_approve", "office", str(sub.id))
