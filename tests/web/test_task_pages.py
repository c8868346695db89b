"""A task's progress per period (supervision/progress.py) and the task and project pages: the figure
is the lead unit's of the latest period and is labelled with that period; periods never mix; the
list, the task page and its JSON twin show the same figure."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.services import submissions as svc
from carbonpeak.services.init import init_database
from carbonpeak.services.pages.plan_items import project_page, task_page
from carbonpeak.services.pages.plan_pages import tasks_page
from carbonpeak.services.rounds import download_template, open_round
from carbonpeak.services.users import create_user
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database
from carbonpeak.supervision.model import TaskProgress
from carbonpeak.supervision.progress import current_progress, period_order, progress_by_period


def _r(unit: str, period: str, percent: float, status: str = "in_progress", day: int = 1) -> TaskProgress:
    return TaskProgress(
        task="P1.T1",
        unit=unit,
        period=period,
        status=status,  # type: ignore[arg-type]
        percent=percent,
        reported_at=dt.date(2025, 1, day),
    )


def test_period_order():
    labels = ["2025Q1", "2024", "2024Q2", "2024H2", "2023", "2024M07"]
    assert sorted(labels, key=period_order) == ["2023", "2024Q2", "2024M07", "2024H2", "2024", "2025Q1"]


def test_the_lead_units_figure_of_the_latest_period_is_the_tasks():
    """The bug of issue 19: 53.5 % (mean of two units and two years) labelled 2023 after 95 % was
    approved for 2024. The figure is the lead unit's 95 %, labelled 2024."""
    reports = [_r("lead", "2023", 50), _r("co", "2023", 57), _r("lead", "2024", 95)]
    now = current_progress(["lead"], reports)
    assert now is not None
    assert (now.period, now.percent, now.basis, now.units) == ("2024", 95.0, "lead", ("lead",))
    first = progress_by_period(["lead"], reports)[0]
    assert (first.period, first.percent, first.basis) == ("2023", 50.0, "lead")
    assert [r.unit for r in first.reports] == ["lead", "co"]


def test_without_the_lead_the_co_units_mean_and_most_pressing_status():
    reports = [_r("co1", "2024", 40), _r("co2", "2024", 61, status="delayed")]
    now = current_progress(["lead"], reports)
    assert now is not None
    assert (now.percent, now.status, now.basis) == (50.5, "delayed", "co_units")


def test_the_latest_report_of_a_unit_in_a_period_wins_and_several_leads_average():
    reports = [_r("a", "2024", 30, day=1), _r("a", "2024", 80, day=9), _r("b", "2024", 60)]
    now = current_progress(["a", "b"], reports)
    assert now is not None and now.percent == 70.0
    assert current_progress(["a"], []) is None
    done = current_progress(["a"], [_r("a", "2024", 100, status="completed")])
    assert done is not None and done.status == "completed"


@pytest.fixture
def tiny_store(sqlite_url, tiny_plan, tmp_path):
    db = Database(sqlite_url)
    init_database(db, tiny_plan, source_file="tiny.yaml")
    with db.session() as s:
        users = {
            unit: create_user(s, username=unit, password="correct horse 1", role=role, unit_code=unit)
            for unit, role in (("office", "office"), ("dept_a", "department"), ("dept_b", "department"))
        }
        rounds = {
            year: open_round(
                s, users["office"], period=str(year), title=str(year), due_date=dt.date(year + 1, 3, 31)
            )
            for year in (2023, 2024)
        }
    plan_file = tmp_path / "tiny.yaml"
    plan_file.write_text(
        yaml.safe_dump(tiny_plan.model_dump(mode="json"), allow_unicode=True), encoding="utf-8"
    )
    yield db, users, rounds, Settings(data_dir=tmp_path, plan_file=plan_file)
    db.dispose()


def _approve(db, users, rnd, fill, unit, percent):
    with db.session() as s:
        _, xlsx = download_template(s, users[unit], rnd.id, unit)
        sub = svc.import_submission(
            s,
            users[unit],
            round_id=rnd.id,
            unit_code=unit,
            filename=f"{unit}-{rnd.period}.xlsx",
            data=fill(xlsx, {"pv_capacity": 1300}, task_percent=percent),
        )
        svc.submit_submission(s, users[unit], sub.id)
        svc.approve_submission(s, users["office"], sub.id)
        svc.publish_submission(s, users["office"], sub.id)  # public pages read published reports only


def _row(page, code):
    return next(t for p in page.programmes for t in p.tasks if t.code == code)


def test_approved_reports_form_the_figure_per_period_on_list_and_page(tiny_store, fill):
    db, users, rounds, settings = tiny_store
    _approve(db, users, rounds[2023], fill, "dept_a", 50)
    _approve(db, users, rounds[2023], fill, "dept_b", 57)
    row = _row(tasks_page(settings, db=db), "P1.T1")
    assert (row.percent, row.period, row.basis) == (50.0, "2023", "lead")

    _approve(db, users, rounds[2024], fill, "dept_b", 30)  # the co-operating unit only
    row = _row(tasks_page(settings, db=db), "P1.T1")
    assert (row.percent, row.period, row.basis) == (30.0, "2024", "co_units")

    _approve(db, users, rounds[2024], fill, "dept_a", 95)  # the lead unit's 2024 figure
    row = _row(tasks_page(settings, db=db), "P1.T1")
    assert (row.percent, row.period, row.basis) == (95.0, "2024", "lead")

    page = task_page(settings, "P1.T1", db=db)
    assert page.current is not None
    assert (page.current.percent, page.current.period) == (row.percent, row.period)
    assert [(p.period, p.percent) for p in page.periods] == [("2023", 50.0), ("2024", 95.0)]
    # every approved report, newest period first, with its file and submission version
    assert [(r.period, r.unit.code, r.percent, r.in_figure) for r in page.reports] == [
        ("2024", "dept_a", 95.0, True),
        ("2024", "dept_b", 30.0, False),
        ("2023", "dept_a", 50.0, True),
        ("2023", "dept_b", 57.0, False),
    ]
    assert page.reports[0].file == "dept_a-2024.xlsx" and page.reports[0].version == 1
    assert [t.code for t in page.targets] == [] and page.lead_units[0].code == "dept_a"

    project = project_page(settings, "C1.1.1", db=db)
    assert project.status == "under_construction"
    assert [t.code for t in project.targets] == ["pv_2030"]
    assert {r.unit.code for r in project.reports if r.unit} == {"dept_a"}


def test_task_and_project_pages_and_twins_on_the_demo(demo_settings):
    with TestClient(create_app(demo_settings)) as client:
        listed = client.get("/tasks.json").json()
        row = next(t for p in listed["programmes"] for t in p["tasks"] if t["code"] == "P1.T1")
        twin = client.get("/tasks/P1.T1.json").json()
        assert (twin["current"]["percent"], twin["current"]["period"]) == (row["percent"], row["period"])
        assert twin["reports"] and all(r["file"] and r["submission_id"] for r in twin["reports"])
        for lang in ("zh", "en"):
            html = client.get("/tasks/P1.T1", params={"lang": lang}).text
            assert twin["current"]["period"] in html and twin["title_" + lang] in html
            assert twin["reports"][0]["file"] in html
        assert client.get("/tasks/P99.T9").status_code == 404
        assert client.get("/tasks/P99.T9.json").json()["error"]
        project = client.get("/projects/C1.8.4.json").json()
        assert project["code"] == "C1.8.4" and client.get("/projects/C1.8.4").status_code == 200
        assert client.get("/projects/C0.0.0").status_code == 404
        # the lists link to the pages
        assert 'href="/tasks/P1.T1"' in client.get("/tasks").text
        assert 'href="/projects/C1.8.4"' in client.get("/projects").text
