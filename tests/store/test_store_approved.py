"""One conversion of approved reports (services/approved): a project reported by two units has one
status on /projects and in the dispatch bundle — the newest approved report's."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from carbonpeak.services import submissions as svc
from carbonpeak.services.approved import approved_reports, newest_approved, supervision_records
from carbonpeak.services.init import init_database
from carbonpeak.services.pages.plan_pages import projects_page
from carbonpeak.services.rounds import download_template, open_round
from carbonpeak.services.supervision import bundle_from_store
from carbonpeak.services.users import create_user
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database


@pytest.fixture
def shared(sqlite_url, tiny_plan):
    """The tiny plan with both bureaus answering for the PV target, so both report project C1.1.1."""
    (target,) = tiny_plan.targets
    plan = tiny_plan.model_copy(
        update={"targets": [target.model_copy(update={"responsible_units": ["dept_a", "dept_b"]})]}
    )
    db = Database(sqlite_url)
    init_database(db, plan, source_file="tiny.yaml")
    with db.session() as s:
        users = {
            unit: create_user(s, username=unit, password="correct horse 1", role=role, unit_code=unit)
            for unit, role in (("office", "office"), ("dept_a", "department"), ("dept_b", "department"))
        }
        rnd = open_round(s, users["office"], period="2024", title="2024", due_date=dt.date(2025, 3, 31))
    yield db, users, rnd, plan
    db.dispose()


def _report(db, user, rnd, fill, unit, project_status):
    with db.session() as s:
        _, xlsx = download_template(s, user, rnd.id, unit)
        sub = svc.import_submission(
            s,
            user,
            round_id=rnd.id,
            unit_code=unit,
            filename=f"{unit}.xlsx",
            data=fill(xlsx, {"pv_capacity": 1300}, project_status=project_status),
        )
        svc.submit_submission(s, user, sub.id)
        return sub.id


def test_two_units_reporting_one_project_show_the_newest_approved_status_everywhere(shared, fill, tmp_path):
    db, users, rnd, plan = shared
    # dept_b's report is approved first, dept_a's last: dept_a's status is the newest approved one
    # (sorting by unit code would pick dept_b's)
    first = _report(db, users["dept_b"], rnd, fill, "dept_b", "已审批")
    last = _report(db, users["dept_a"], rnd, fill, "dept_a", "在建")
    with db.session() as s:
        svc.approve_submission(s, users["office"], first)
        svc.approve_submission(s, users["office"], last)
        # public records hold published reports only; the order is still the approval order
        svc.publish_submission(s, users["office"], last)
        svc.publish_submission(s, users["office"], first)

    with db.session() as s:
        reports = approved_reports(s, year=2024)
        assert sorted((p.unit_code, p.status) for p in reports.projects) == [
            ("dept_a", "under_construction"),
            ("dept_b", "approved"),
        ]
        newest = newest_approved(reports.projects)
        assert newest is not None and newest.approval.submission_id == last
        (status,) = supervision_records(reports).projects
        assert (status.project, status.status, status.version) == ("C1.1.1", "under_construction", str(last))
        bundle = bundle_from_store(s, plan, 2024)
    (in_bundle,) = [p for p in bundle.supervision.project_status if p.project == "C1.1.1"]

    plan_file = tmp_path / "tiny.yaml"
    plan_file.write_text(yaml.safe_dump(plan.model_dump(mode="json"), allow_unicode=True), encoding="utf-8")
    page = projects_page(Settings(data_dir=tmp_path, plan_file=plan_file), db=db)
    (on_page,) = [p for p in page.projects if p.code == "C1.1.1"]
    assert in_bundle.status == on_page.status == "under_construction"
