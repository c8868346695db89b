"""`carbonpeak demo load | build`: demo users, and the sample reports loaded through the upload path."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from carbonpeak.cli import build_app, main
from carbonpeak.demo import build as demo_build
from carbonpeak.errors import NotAuthenticated, NotFound
from carbonpeak.plan.load import load_plan
from carbonpeak.services.current import current_project_status, current_task_progress
from carbonpeak.services.demo import DEMO_MARK, DEMO_USERS, load_demo
from carbonpeak.services.init import init_database
from carbonpeak.services.users import ROLES, authenticate
from carbonpeak.store.db import Database
from carbonpeak.store.models import AuditEntry, Round, Submission, SubmissionFile, SubmissionRow, User

DATA = demo_build.DATA_DIR


def _csv(name: str, directory: Path = DATA) -> list[dict[str, str]]:
    with (directory / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _counts(db: Database) -> dict[str, int]:
    with db.session() as s:
        return {
            model.__tablename__: s.execute(select(func.count()).select_from(model)).scalar_one()
            for model in (User, Round, Submission, SubmissionRow, SubmissionFile, AuditEntry)
        }


@pytest.fixture(scope="module")
def plan():
    return load_plan()


@pytest.fixture(scope="module")
def demo(tmp_path_factory, plan):
    """(Database, file path, result of the first load) on a fresh SQLite file."""
    path = tmp_path_factory.mktemp("demo") / "carbonpeak.db"
    db = Database(f"sqlite:///{path}")
    init_database(db, plan)
    calls: list[tuple[int, int]] = []
    result = load_demo(db, plan, progress=lambda done, total: calls.append((done, total)))
    yield db, path, result, calls
    db.dispose()


def test_load_needs_init(tmp_path, plan):
    from carbonpeak.store.migrate import upgrade

    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    upgrade(db.engine)
    with pytest.raises(NotFound):
        load_demo(db, plan)
    db.dispose()


def test_one_user_per_role_with_a_password_that_authenticates(demo):
    db, _, result, _ = demo
    assert sorted({u.role for u in result.users}) == sorted(ROLES)  # and a second office user
    assert [u.username for u in result.users if u.role == "office"] == ["demo-office", "demo-reviewer"]
    assert all(u.created and u.password and len(u.password) >= 20 for u in result.users)
    assert len({u.password for u in result.users}) == 6
    with db.session() as s:
        for user in result.users:
            assert user.password is not None
            stored = authenticate(s, user.username, user.password)
            assert (stored.role, stored.unit_code) == (user.role, user.unit_code)
    assert {(u.username, u.role, u.unit_code) for u in result.users} == set(DEMO_USERS)


def test_progress_reports_every_unit_of_both_years(demo):
    _, _, result, calls = demo
    total = sum(
        len({r["unit"] for r in _csv("task-progress.csv") if r["year"] == y}) for y in ("2023", "2024")
    )
    assert calls == [(n, total) for n in range(1, total + 1)]
    assert result.published == total
    assert result.rounds == ("2023", "2024")


@pytest.mark.parametrize("year", [2023, 2024])
def test_approved_task_progress_equals_the_sample_file(demo, year):
    db, _, _, _ = demo
    sample = {(r["task"], r["unit"]): r for r in _csv("task-progress.csv") if int(r["year"]) == year}
    with db.session() as s:
        stored = {(r["task"], r["unit_code"]): r for r in current_task_progress(s, year=year)}
    assert set(sample) <= set(stored)
    for key, row in sample.items():
        got = stored[key]
        assert (got["status"], got["percent"]) == (row["status"], float(row["percent"])), key
        assert (got["narrative"], got["next_steps"]) == (row["narrative"], row["next_steps"]), key
        assert got["comment"] is None  # the unit's own sample report
        assert got["submission_status"] == "published"
    # the other rows the templates ask for (co-led tasks, guarantees) say in their comment what they are
    by_task = {task: row for (task, _), row in sample.items()}
    for key in set(stored) - set(sample):
        got = stored[key]
        assert DEMO_MARK in got["comment"], key
        lead = by_task.get(key[0])
        if lead is not None:
            assert lead["unit"] in got["comment"]
            assert (got["status"], got["percent"]) == (lead["status"], float(lead["percent"]))
        else:
            assert (got["status"], got["percent"]) == ("not_started", 0.0)


@pytest.mark.parametrize("year", [2023, 2024])
def test_approved_project_status_equals_the_sample_file(demo, year):
    db, _, result, _ = demo
    sample = {r["project"]: r for r in _csv("project-status.csv") if int(r["year"]) == year}
    with db.session() as s:
        stored = current_project_status(s, year=year)
    assert stored
    assert {r["project"] for r in stored} == set(sample) - set(result.projects_not_in_templates)
    assert result.projects_not_in_templates == ()  # every key project has a unit reporting on it
    for got in stored:
        row = sample[got["project"]]
        assert got["status"] == row["status"]
        capacity = float(row["capacity_in_operation"]) if row["capacity_in_operation"] else None
        assert got.get("capacity_in_operation") == capacity
        if capacity is not None:  # current_project_status leaves the unit out: read it from the row
            with db.session() as s:
                unit = s.execute(
                    select(SubmissionRow.unit).where(
                        SubmissionRow.submission_id == got["submission_id"],
                        SubmissionRow.key == got["project"],
                        SubmissionRow.field == "capacity_in_operation",
                    )
                ).scalar_one()
            assert unit == row["capacity_unit"]
        assert got.get("start_date") == (row["start_date"] or None)
        if row["status"] == "in_operation":
            assert got["operation_date"] == row["start_date"]


def test_every_demo_submission_is_marked_sample_and_came_from_a_template(demo):
    db, _, _, _ = demo
    with db.session() as s:
        subs = s.execute(select(Submission, Round).join(Round, Submission.round_id == Round.id)).all()
        assert subs
        for sub, rnd in subs:
            assert DEMO_MARK in rnd.title
            assert sub.filename == f"demo-sample-{rnd.period}-{sub.unit_code}.xlsx"
            assert sub.status == "published"
            assert sub.submit_comment == DEMO_MARK
            content = s.get(SubmissionFile, sub.id)
            assert content is not None and content.content[:2] == b"PK"  # an .xlsx
        locations = s.execute(select(SubmissionRow.location).where(SubmissionRow.kind == "task")).scalars()
        assert all(loc and loc.startswith("任务进展!") for loc in locations)


def test_the_department_user_uploaded_its_own_units_reports(demo):
    db, _, _, _ = demo
    with db.session() as s:
        rows = s.execute(
            select(Submission.unit_code, User.username).join(User, Submission.uploaded_by == User.id)
        ).all()
    uploaders = {unit: name for unit, name in rows}
    assert uploaders["development_reform"] == "demo-department"
    assert {name for unit, name in rows if unit != "development_reform"} == {"demo-office"}


def test_passwords_are_nowhere_in_the_database(demo):
    db, path, result, _ = demo
    with db.session() as s:
        details = " ".join(s.execute(select(AuditEntry.detail)).scalars())
        hashes = " ".join(s.execute(select(User.password_hash)).scalars())
    raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    for user in result.users:
        assert user.password is not None
        assert user.password not in details
        assert user.password not in hashes
        assert user.password.encode() not in raw


def test_loading_twice_adds_nothing_and_keeps_passwords(demo, plan):
    db, _, first, _ = demo
    before = _counts(db)
    again = load_demo(db, plan)
    assert _counts(db) == before
    assert again.already_loaded and again.published == 0
    assert all(u.password is None and not u.created for u in again.users)
    with db.session() as s:
        for user in first.users:
            assert user.password is not None
            authenticate(s, user.username, user.password)


def test_reset_passwords_gives_new_ones(tmp_path, plan):
    db = Database(f"sqlite:///{tmp_path / 'reset.db'}")
    init_database(db, plan)
    first = load_demo(db, plan)
    reset = load_demo(db, plan, reset_passwords=True)
    assert reset.published == 0
    with db.session() as s:
        for old, new in zip(first.users, reset.users, strict=True):
            assert new.password and new.password != old.password
            authenticate(s, new.username, new.password)
            with pytest.raises(NotAuthenticated):
                authenticate(s, old.username, old.password or "")
        details = " ".join(s.execute(select(AuditEntry.detail)).scalars())
    assert not any(u.password and u.password in details for u in reset.users)
    db.dispose()


def test_cli_demo_load_runs_init_and_prints_the_users_once(tmp_path):
    env = {"CARBONPEAK_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}
    runner = CliRunner()
    first = runner.invoke(build_app(), ["demo", "load"], env=env)
    assert first.exit_code == 0, first.output
    for username, _, _ in DEMO_USERS:
        assert username in first.output
    assert "init: plan jinan-2023" in first.output
    assert "shown only now" in first.output
    second = runner.invoke(build_app(), ["demo", "load"], env=env)
    assert second.exit_code == 0, second.output
    assert "already loaded" in second.output
    assert "shown only now" not in second.output


def test_cli_demo_load_refuses_a_database_with_real_rounds(tmp_path, plan, monkeypatch, capsys):
    from carbonpeak.services.rounds import open_round
    from carbonpeak.services.users import create_user

    url = f"sqlite:///{tmp_path / 'real.db'}"
    db = Database(url)
    init_database(db, plan)
    with db.session() as s:
        office = create_user(
            s, username="boss", password="a long password", role="office", unit_code="carbon_office"
        )
        open_round(s, office, period="2024", title="2024 年度", due_date=dt.date(2025, 3, 31))
    db.dispose()
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", url)
    with pytest.raises(SystemExit) as exit_:
        main(["demo", "load"])
    assert exit_.value.code != 0
    assert "2024" in capsys.readouterr().err


def test_cli_demo_build_writes_the_packaged_files(tmp_path):
    out = tmp_path / "built"
    result = CliRunner().invoke(build_app(), ["demo", "build", "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("energy-balance.csv", "assessment.csv", "task-progress.csv", "project-status.csv"):
        assert name in result.output
        assert (out / name).read_bytes() == (DATA / name).read_bytes(), name
    assert _csv("task-progress.csv", out)  # and not empty


def test_pages_mark_the_loaded_demo_reports_as_sample(demo, tmp_path):
    """The tasks and projects pages read the approved demo reports from the store and say they are
    samples (issue: pages mark figures that are estimates or samples)."""
    from carbonpeak.services.pages.plan_pages import projects_page, tasks_page
    from carbonpeak.settings import Settings

    db = demo[0]
    settings = Settings(data_dir=tmp_path)
    tasks, projects = tasks_page(settings, db=db), projects_page(settings, db=db)
    assert tasks.data_source == projects.data_source == "database: approved submissions"
    assert tasks.flag == projects.flag == "sample"
    in_operation = [p for p in projects.projects if p.status == "in_operation"]
    assert in_operation, "the demo has projects in operation"


def test_no_demo_record_was_approved_by_its_uploader_or_submitter(demo):
    """Separation of duties in the demo: demo-reviewer approves and publishes every report and data
    record; nobody approved what they uploaded or submitted."""
    db, _, _, _ = demo
    with db.session() as s:
        subs = s.execute(select(Submission)).scalars().all()
        reviewer = s.execute(select(User.id).where(User.username == "demo-reviewer")).scalar_one()
    assert subs and all(sub.reviewed_by == reviewer == sub.published_by for sub in subs)
    assert all(sub.reviewed_by not in (sub.uploaded_by, sub.submitted_by) for sub in subs)
