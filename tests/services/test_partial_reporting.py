"""Reporting that respects the reporter's time (issue: web console): a template pre-filled with the
unit's last approved values, uploads that change only some rows, the change list against the
previous approved version, identical files, wrong-round files, and the office's round tools."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from openpyxl import load_workbook

from carbonpeak.errors import InputError, UploadError
from carbonpeak.services import current, rounds
from carbonpeak.services import submissions as svc
from carbonpeak.services.init import init_database
from carbonpeak.services.users import create_user
from carbonpeak.store.db import Database

PASSWORD = "correct horse 1"


@pytest.fixture
def store(tmp_path, tiny_plan):
    db = Database(f"sqlite:///{tmp_path / 'p.db'}")
    init_database(db, tiny_plan, source_file="tiny.yaml")
    with db.session() as s:
        users = {
            "office": create_user(s, username="o", password=PASSWORD, role="office", unit_code="office"),
            "reviewer": create_user(s, username="r", password=PASSWORD, role="office", unit_code="office"),
            "dept": create_user(s, username="d", password=PASSWORD, role="department", unit_code="dept_a"),
        }
        s.commit()
        ids = {k: u.id for k, u in users.items()}
    yield db, ids
    db.dispose()


def _users(s, ids):
    from carbonpeak.store.models import User

    return {k: s.get(User, i) for k, i in ids.items()}


def _edit(xlsx: bytes, sheet: str, code: str, **cells: object) -> bytes:
    """Set cells (by column letter) of the row of `code` in `sheet`."""
    book = load_workbook(io.BytesIO(xlsx))
    for row in book[sheet].iter_rows(min_row=4):
        if row[0].value == code:
            for letter, value in cells.items():
                book[sheet][f"{letter}{row[0].row}"] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cells(xlsx: bytes, sheet: str, code: str) -> list[object]:
    book = load_workbook(io.BytesIO(xlsx))
    for row in book[sheet].iter_rows(min_row=4, values_only=True):
        if row[0] == code:
            return list(row)
    raise KeyError(code)


def _approve(s, u, sub_id):
    svc.submit_submission(s, u["dept"], sub_id, comment="ok")
    svc.approve_submission(s, u["reviewer"], sub_id)


def test_prefilled_template_partial_upload_and_change_list(store):
    db, ids = store
    with db.session() as s:
        u = _users(s, ids)
        r24 = rounds.open_round(s, u["office"], period="2024", title="2024", due_date=dt.date(2025, 3, 31))
        _, blank = rounds.download_template(s, u["dept"], r24.id, "dept_a")
        # a blank template: one task changed, every other row (the required indicator, the project,
        # the co-led task) left blank — no error, only that row is stored
        first = _edit(blank, "任务进展", "P1.T1", D="进行中", E=40, F="开工建设")
        sub = svc.import_submission(
            s, u["dept"], round_id=r24.id, unit_code="dept_a", filename="a.xlsx", data=first
        )
        assert {(r.kind, r.key) for r in svc.submission_rows(s, sub.id)} == {("task", "P1.T1")}
        changes = svc.submission_changes(s, sub)
        assert {(c["field"], c["old"], c["new"]) for c in changes} == {
            ("status", None, "in_progress"),
            ("percent", None, 40.0),
            ("narrative", None, "开工建设"),
        }
        _approve(s, u, sub.id)

        # the next template of the same round is pre-filled with the approved values
        _, again = rounds.download_template(s, u["dept"], r24.id, "dept_a")
        assert _cells(again, "任务进展", "P1.T1")[3:6] == ["进行中", 40, "开工建设"]
        wb = load_workbook(io.BytesIO(again))
        assert "预填" in "\n".join(str(c.value) for c in wb["说明"]["A"])

        # change one value: the change list holds exactly that field, old and new
        second = _edit(again, "任务进展", "P1.T1", E=95)
        sub2 = svc.import_submission(
            s, u["dept"], round_id=r24.id, unit_code="dept_a", filename="b.xlsx", data=second
        )
        assert sub2.version == 2
        assert [
            (c["key"], c["field"], c["old"], c["new"], c["old_period"])
            for c in svc.submission_changes(s, sub2)
        ] == [("P1.T1", "percent", 40.0, 95.0, "2024")]

        # the same file again: no new version, and it says so
        same, made = svc.upload_submission(
            s, u["dept"], round_id=r24.id, unit_code="dept_a", filename="b.xlsx", data=second
        )
        assert (same.id, made) == (sub2.id, False)

        # a file left exactly as pre-filled changes nothing: refused, nothing stored
        with pytest.raises(InputError) as caught:
            svc.import_submission(
                s, u["dept"], round_id=r24.id, unit_code="dept_a", filename="c.xlsx", data=again
            )
        assert caught.value.problems[0].rule == "upload.unchanged"


def test_new_year_confirms_untouched_rows_and_wrong_round_points_at_a_visible_cell(store):
    db, ids = store
    with db.session() as s:
        u = _users(s, ids)
        r24 = rounds.open_round(s, u["office"], period="2024", title="2024", due_date=dt.date(2025, 3, 31))
        _, blank = rounds.download_template(s, u["dept"], r24.id, "dept_a")
        filled = _edit(blank, "任务进展", "P1.T1", D="进行中", E=40)
        filled = _edit(filled, "重点项目", "C1.1.1", D="在建")
        sub = svc.import_submission(
            s, u["dept"], round_id=r24.id, unit_code="dept_a", filename="a.xlsx", data=filled
        )
        _approve(s, u, sub.id)
        r25 = rounds.open_round(s, u["office"], period="2025", title="2025", due_date=dt.date(2026, 3, 31))

        # last year's template in this year's round: one clear error on row 1 of a visible sheet
        with pytest.raises(UploadError) as caught:
            svc.import_submission(
                s, u["dept"], round_id=r25.id, unit_code="dept_a", filename="old.xlsx", data=filled
            )
        locations = {p.location for p in caught.value.problems}
        assert not any(loc.startswith("_meta") for loc in locations)
        assert all(loc.split("!")[0] in ("指标", "任务进展", "重点项目") for loc in locations)
        assert any("2025" in p.message_zh and "2024" in p.message_zh for p in caught.value.problems)

        # 2025: the template carries 2024's values; change the task, leave the project as it was
        _, t25 = rounds.download_template(s, u["dept"], r25.id, "dept_a")
        assert _cells(t25, "重点项目", "C1.1.1")[3] == "在建"
        sub25 = svc.import_submission(
            s,
            u["dept"],
            round_id=r25.id,
            unit_code="dept_a",
            filename="b.xlsx",
            data=_edit(t25, "任务进展", "P1.T1", E=60),
        )
        stored = {(r.kind, r.key, r.field): r for r in svc.submission_rows(s, sub25.id)}
        # the untouched project is confirmed for 2025 with its 2024 status; the changes: only the task
        assert stored[("project", "C1.1.1", "status")].text == "under_construction"
        assert stored[("project", "C1.1.1", "status")].year == 2025
        assert [(c["key"], c["field"], c["old"], c["new"]) for c in svc.submission_changes(s, sub25)] == [
            ("P1.T1", "percent", 40.0, 60.0)
        ]


def test_round_tools_extend_remind_coverage_unpublish(store):
    db, ids = store
    with db.session() as s:
        u = _users(s, ids)
        rnd = rounds.open_round(
            s,
            u["office"],
            period="2024",
            title="2024",
            due_date=dt.date(2030, 3, 31),
            unit_codes=["dept_a", "dept_b"],
        )
        with pytest.raises(InputError):
            rounds.extend_round(s, u["office"], rnd.id, dt.date(2030, 1, 1))  # earlier: refused
        rounds.extend_round(s, u["office"], rnd.id, dt.date(2030, 4, 30))
        assert rnd.due_date == dt.date(2030, 4, 30)

        _, blank = rounds.download_template(s, u["dept"], rnd.id, "dept_a")
        sub = svc.import_submission(
            s,
            u["dept"],
            round_id=rnd.id,
            unit_code="dept_a",
            filename="a.xlsx",
            data=_edit(blank, "任务进展", "P1.T1", D="进行中", E=40),
        )
        cover = {
            c["unit_code"]: c for c in rounds.coverage(s, u["office"], rnd.id, today=dt.date(2030, 5, 2))
        }
        assert cover["dept_a"]["status"] == "draft" and not cover["dept_a"]["reported"]
        assert cover["dept_b"]["status"] == "none" and cover["dept_b"]["late"]
        assert rounds.remind_round(s, u["office"], rnd.id) == ["dept_a", "dept_b"]
        assert len(rounds.reminders(s, rnd.id, "dept_b")) == 1

        svc.submit_submission(s, u["dept"], sub.id)
        svc.return_submission(s, u["reviewer"], sub.id, comment="percent?")
        cover = {
            c["unit_code"]: c for c in rounds.coverage(s, u["office"], rnd.id, today=dt.date(2030, 4, 1))
        }
        assert cover["dept_a"]["returned"] and not cover["dept_a"]["late"]

        sub2 = svc.import_submission(
            s,
            u["dept"],
            round_id=rnd.id,
            unit_code="dept_a",
            filename="b.xlsx",
            data=_edit(blank, "任务进展", "P1.T1", D="进行中", E=45),
        )
        _approve(s, u, sub2.id)
        svc.publish_submission(s, u["reviewer"], sub2.id)
        assert current.current_task_progress(s, published_only=True)[0]["percent"] == 45.0
        with pytest.raises(InputError):
            svc.unpublish_submission(s, u["reviewer"], sub2.id, comment=" ")
        svc.unpublish_submission(s, u["reviewer"], sub2.id, comment="wrong figure")
        assert sub2.status == "approved"
        assert current.current_task_progress(s, published_only=True) == []
        from carbonpeak.store.models import AuditEntry

        actions = [e.action for e in s.query(AuditEntry).order_by(AuditEntry.seq)]
        assert {"round.extend", "round.remind", "submission.unpublish"} <= set(actions)
        detail = json.loads(s.query(AuditEntry).filter_by(action="submission.unpublish").one().detail)
        assert detail["comment"] == "wrong figure"
