"""Migrations, `init` and plan versions: a changed plan is a new version and no reported data is lost."""

from __future__ import annotations

import datetime as dt

import yaml
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import func, select
from typer.testing import CliRunner

from carbonpeak.cli import build_app
from carbonpeak.services import current, submissions
from carbonpeak.services.init import init_database, plan_versions, stored_plan
from carbonpeak.services.rounds import download_template
from carbonpeak.services.users import unit_tasks
from carbonpeak.store.db import Database
from carbonpeak.store.migrate import current_revision, head_revision, upgrade
from carbonpeak.store.models import Base, PlanItem, SubmissionRow, Unit


def test_migrations_build_exactly_the_models(database):
    with database.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    assert current_revision(database.engine) == head_revision()
    upgrade(database.engine)  # a second upgrade is a no-op
    assert current_revision(database.engine) == head_revision()


def test_init_loads_the_plan_once(db_url, tiny_plan):
    db = Database(db_url)
    first = init_database(db, tiny_plan)
    again = init_database(db, tiny_plan)
    assert (first.plan_version, first.created, first.units_added) == (1, True, 4)
    assert (again.plan_version, again.created) == (1, False)
    with db.session() as s:
        kinds = dict(s.execute(select(PlanItem.kind, func.count()).group_by(PlanItem.kind)).all())
        assert kinds == {"target": 1, "task": 2, "project": 1}
        assert stored_plan(s) == tiny_plan
        assert unit_tasks(s, "dept_b") == [("P1.T1", "co"), ("P1.T2", "lead")]
    db.dispose()


def test_changed_plan_is_a_new_version_and_keeps_reported_data(loaded, tiny_plan, fill):
    db, users, rnd = loaded
    with db.session() as s:
        _, xlsx = download_template(s, users["department"], rnd.id, "dept_a")
        sub = submissions.import_submission(
            s,
            users["department"],
            round_id=rnd.id,
            unit_code="dept_a",
            filename="a.xlsx",
            data=fill(xlsx, {"pv_capacity": 1200}),
        )
        submissions.submit_submission(s, users["department"], sub.id)
        submissions.approve_submission(s, users["office"], sub.id)
        rows_before = s.execute(select(func.count()).select_from(SubmissionRow)).scalar_one()

    # the new plan drops district_x, adds dept_c and gives P1.T2 to dept_c
    units = [u for u in tiny_plan.units if u.code != "district_x"]
    units.append(units[1].model_copy(update={"code": "dept_c", "name_zh": "丙局"}))
    programme = tiny_plan.programmes[0]
    tasks = [
        programme.tasks[0].model_copy(update={"co_units": ["dept_b"]}),
        programme.tasks[1].model_copy(update={"lead_units": ["dept_c"]}),
    ]
    changed = tiny_plan.model_copy(
        update={"units": units, "programmes": [programme.model_copy(update={"tasks": tasks})]}
    )
    result = init_database(db, changed)
    assert (result.plan_version, result.created, result.units_added, result.units_retired) == (2, True, 1, 1)
    with db.session() as s:
        assert [pv.version for pv in plan_versions(s)] == [1, 2]
        assert s.execute(select(func.count()).select_from(SubmissionRow)).scalar_one() == rows_before
        (obs,) = current.current_observations(s)
        assert (obs["indicator"], obs["unit_code"], obs["value"], obs["unit"]) == (
            "pv_capacity",
            "dept_a",
            1200,
            "MW",
        )
        retired = s.get(Unit, "district_x")
        assert retired is not None and retired.last_plan_version == 1  # kept for its users and history
        assert unit_tasks(s, "dept_c") == [("P1.T2", "lead")]
        assert stored_plan(s, rnd.plan_version_id) == tiny_plan  # the round still reads its own version


def test_cli_init_then_user_add_then_reinit(tmp_path, tiny_plan, monkeypatch):
    plan_file = tmp_path / "plan.yaml"
    plan_file.write_text(
        yaml.safe_dump(tiny_plan.model_dump(mode="json", exclude_defaults=True), allow_unicode=True),
        encoding="utf-8",
    )
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("CARBONPEAK_PLAN_FILE", str(plan_file))
    runner = CliRunner()
    app = build_app()
    out = runner.invoke(app, ["init"])
    assert out.exit_code == 0, out.output
    assert "version 1" in out.output
    monkeypatch.setenv("CARBONPEAK_NEW_PASSWORD", "long enough pw")
    out = runner.invoke(app, ["user", "add", "alice", "--role", "office", "--unit", "office"])
    assert out.exit_code == 0, out.output
    plan_file.write_text(
        plan_file.read_text(encoding="utf-8").replace("双碳办", "碳达峰办公室"), encoding="utf-8"
    )
    out = runner.invoke(app, ["init"])
    assert out.exit_code == 0 and "version 2" in out.output, out.output
    out = runner.invoke(app, ["user", "list", "--format", "csv"])
    assert "alice,office,office" in out.output
    out = runner.invoke(app, ["round", "open", "2024", "--due", str(dt.date(2025, 3, 1)), "--as", "alice"])
    assert out.exit_code == 0 and "round 1" in out.output, out.output
