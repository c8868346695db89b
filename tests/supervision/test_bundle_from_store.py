"""bundle_from_store: task progress, project status and reporting of a year read from the store."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from carbonpeak.demo.build import DATA_DIR
from carbonpeak.plan.load import load_plan
from carbonpeak.services.current import current_task_progress
from carbonpeak.services.demo import load_demo
from carbonpeak.services.init import init_database
from carbonpeak.services.supervision import bundle_from_store, dispatch, load_bundle
from carbonpeak.store.db import Database

AS_OF = dt.date(2025, 4, 30)


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    plan = load_plan()
    db = Database(f"sqlite:///{tmp_path_factory.mktemp('bundle') / 'carbonpeak.db'}")
    init_database(db, plan)
    load_demo(db, plan)
    yield db, plan
    db.dispose()


def _sample(name: str, year: int) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if int(r["year"]) == year]


def test_task_progress_comes_from_the_approved_submissions(loaded):
    db, plan = loaded
    with db.session() as s:
        bundle = bundle_from_store(s, plan, 2024, as_of=AS_OF)
        current = current_task_progress(s, year=2024)
    rows = {(r.task, r.unit): r for r in bundle.supervision.task_progress}
    assert len(rows) == len(current) == len(bundle.supervision.task_progress)
    for sample in _sample("task-progress.csv", 2024):
        got = rows[(sample["task"], sample["unit"])]
        assert (got.status, got.percent, got.period) == (sample["status"], float(sample["percent"]), "2024")
        assert got.version is not None and got.reported_at is not None


def test_one_status_per_project_with_its_capacity(loaded):
    db, plan = loaded
    with db.session() as s:
        bundle = bundle_from_store(s, plan, 2023, as_of=AS_OF)
    sample = {r["project"]: r for r in _sample("project-status.csv", 2023)}
    projects = bundle.supervision.project_status
    assert projects and len({p.project for p in projects}) == len(projects)
    for p in projects:
        row = sample[p.project]
        assert p.status == row["status"]
        if row["capacity_in_operation"]:
            assert [(c.value, c.unit) for c in p.capacity_in_operation] == [
                (float(row["capacity_in_operation"]), row["capacity_unit"])
            ]
        else:
            assert p.capacity_in_operation == ()


def test_reporting_records_every_invited_unit_against_the_due_date(loaded):
    db, plan = loaded
    with db.session() as s:
        bundle = bundle_from_store(s, plan, 2024, as_of=AS_OF)
    units = {r["unit"] for r in _sample("task-progress.csv", 2024)}
    records = bundle.supervision.reporting
    assert {r.unit for r in records} == units
    assert all(r.round == "2024" and r.due == dt.date(2025, 3, 31) for r in records)
    assert all(r.submitted_at is not None and r.version for r in records)
    assert bundle.period == "2024" and bundle.year == 2024


def test_the_rest_stays_the_sample_and_is_flagged(loaded):
    db, plan = loaded
    sample = load_bundle()
    with db.session() as s:
        bundle = bundle_from_store(s, plan, 2024, as_of=AS_OF)
    assert "sample" in bundle.flags
    assert bundle.assessed == sample.assessed
    assert bundle.districts == sample.districts
    assert "store" in bundle.source and sample.source in bundle.source
    listing = dispatch(plan, bundle, as_of=AS_OF)  # supervision computes from it
    assert listing is not None


def test_a_year_without_rounds_gives_empty_parts(loaded):
    db, plan = loaded
    with db.session() as s:
        bundle = bundle_from_store(s, plan, 2030, as_of=AS_OF)
    assert bundle.supervision.task_progress == bundle.supervision.reporting == ()
    assert bundle.period is None


def test_inputs_store_reads_the_database_of_the_settings(loaded, monkeypatch):
    """`--inputs store` on dispatch, evaluate and report: the latest round's year by default."""
    db, _ = loaded
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", str(db.url))
    bundle = load_bundle("store")
    with db.session() as s:
        expected = bundle_from_store(s, load_plan(), 2024)
    assert bundle.year == 2024
    assert bundle.supervision.task_progress == expected.supervision.task_progress
    assert load_bundle("store", year=2023).supervision.task_progress != bundle.supervision.task_progress


def test_inputs_store_on_an_empty_database_names_the_fix(tmp_path, monkeypatch):
    from carbonpeak.errors import NotFound

    db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
    init_database(db, load_plan())
    db.dispose()
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(NotFound, match="demo load"):
        load_bundle("store")
