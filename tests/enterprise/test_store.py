"""Enterprise data through the spine: import → submit → approve → publish → the engines; a bad
file stores nothing; after `demo load` the store's snapshot gives the same accounts and grades as
the demo files read without a store."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from carbonpeak.demo.enterprises import uscc_for
from carbonpeak.errors import InputError
from carbonpeak.services import enterprise as ent
from carbonpeak.services import statistics as stats
from carbonpeak.services import submissions as svc
from carbonpeak.settings import DEFAULT_PLAN_FILE
from carbonpeak.store.db import Database
from carbonpeak.store.models import Submission, SubmissionRow

A, B = uscc_for("370117", 1), uscc_for("370112", 2)


@pytest.fixture
def store(database):
    from carbonpeak.plan.load import load_plan
    from carbonpeak.services.init import init_database
    from carbonpeak.services.users import create_user

    init_database(database, load_plan(DEFAULT_PLAN_FILE), source_file="jinan.yaml")
    with database.session() as s:
        create_user(s, username="o", password="correct horse 1", role="office", unit_code="carbon_office")
        create_user(s, username="r", password="correct horse 1", role="office", unit_code="carbon_office")
        s.commit()
    return database


def _users(s):
    from carbonpeak.store.models import User

    return (
        s.execute(select(User).where(User.username == "o")).scalar_one(),
        s.execute(select(User).where(User.username == "r")).scalar_one(),
    )


def _import_and_publish(s, kind, text):
    office, reviewer = _users(s)
    subs = stats.import_records(s, office, kind=kind, filename=f"{kind}.csv", data=text.encode())
    for sub in subs:
        svc.submit_submission(s, office, sub.id)
        svc.approve_submission(s, reviewer, sub.id)
        svc.publish_submission(s, reviewer, sub.id)
    s.commit()
    return subs


def _count(s):
    return s.execute(select(func.count()).select_from(Submission)).scalar_one(), s.execute(
        select(func.count()).select_from(SubmissionRow)
    ).scalar_one()


def test_reports_need_the_published_register_and_bad_files_store_nothing(store):
    with store.session() as s:
        office, _ = _users(s)
        before = _count(s)
        report = f"uscc,year,item,value,unit\n{A},2024,electricity,1000,MWh\n{A},2024,value_added,500,万元\n"
        with pytest.raises(InputError) as exc:  # no register published yet
            stats.import_records(s, office, kind="enterprise_year", filename="r.csv", data=report.encode())
        assert {p.rule for p in exc.value.problems} == {"enterprise.unregistered"}
        bad_register = (
            "uscc,year,name_zh,name_en,industry,district,key_energy_unit,ets,lianggao\n"
            f"{A},2024,甲,A,3120,gangcheng,yes,no,\n"
            f"{B[:-1]}0,2024,乙,B,9999,licheng,yes,no,\n"
        )
        with pytest.raises(InputError) as exc:
            stats.import_records(s, office, kind="enterprises", filename="e.csv", data=bad_register.encode())
        assert [p.rule for p in exc.value.problems] == ["enterprise.uscc", "enterprise.industry"]
        assert _count(s) == before  # nothing half-saved, not even the good row
        _import_and_publish(
            s, "enterprises", bad_register.splitlines()[0] + "\n" + bad_register.splitlines()[1] + "\n"
        )
        _import_and_publish(s, "enterprise_year", report)
        bad = f"uscc,year,item,value,unit\n{A},2023,value_added,0,万元\n"
        mid = _count(s)
        with pytest.raises(InputError):
            stats.import_records(s, office, kind="enterprise_year", filename="bad.csv", data=bad.encode())
        assert _count(s) == mid
        exported = stats.export_rows(s, "enterprises", 2024)
        assert exported[0]["uscc"] == A and exported[0]["industry"] == "3120"
    book = ent.book(store)
    assert set(book.register) == {A}
    acc = ent.accounts(store, 2024)
    assert acc.usccs == (A,)
    assert acc.indirect_t[0] == pytest.approx(1000 * 0.5703)  # nearest published MEE reporting factor
    (row,) = ent.grades(store, 2024)
    assert row.reason == "small_population" and row.grade is None  # one enterprise: no average to grade by
    assert "submission" in row.lineage


def test_the_demo_store_gives_the_figures_of_the_demo_files(demo_settings):
    db = Database.from_settings(demo_settings)
    try:
        from carbonpeak.services.dataset import current

        assert current(db).origin == "store" and current(db).enterprise
        stored = {r.uscc: r for r in ent.grades(db, 2024)}
        files = {r.uscc: r for r in ent.grades(None, 2024)}
        assert stored.keys() == files.keys() and len(stored) > 50
        for u, r in stored.items():
            f = files[u]
            assert (r.grade, r.level, r.reason, r.flag) == (f.grade, f.level, f.reason, f.flag)
            assert r.co2_t == pytest.approx(f.co2_t, rel=1e-9)
        assert "submission" in next(iter(stored.values())).lineage
        # every named unit is estimated or weaker and says so; no grade is shown as published
        assert {r.flag for r in stored.values()} <= {"estimated", "sample"}
    finally:
        db.dispose()


def test_an_export_imports_again_unchanged(demo_settings):
    """`data export` of the enterprise kinds gives their upload layout: parsed again, the same rows."""
    import csv
    import io

    from carbonpeak.statistics import kind_of, parse_records

    db = Database.from_settings(demo_settings)
    try:
        with db.session() as s:
            register = frozenset(r.key for r in stats.published_rows(s, kind="enterprises"))
            for kind in ("enterprises", "enterprise_year", "enterprise_month"):
                rows = stats.export_rows(s, kind, 2024)
                published = [r for r in stats.published_rows(s, kind=kind) if r.year == 2024]
                buf = io.StringIO()
                writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
                writer.writeheader()
                writer.writerows(rows)
                spec = kind_of(kind)
                ctx = ent.Context(register=register) if spec.layout == "enterprise" else None
                parsed = parse_records(
                    spec, f"{kind}.csv", buf.getvalue().encode(), region="jinan", context=ctx
                )
                again = parsed.by_year[2024]
                assert {(r.key, r.field, r.value, r.text, r.flag) for r in again} == {
                    (r.key, r.field, r.value, r.text, r.flag) for r in published
                }
    finally:
        db.dispose()


def test_a_store_with_statistics_but_no_enterprise_record_has_no_enterprises(store):
    """The demo enterprises stand in only while nothing at all is published (as the data set does)."""
    assert ent.book(store).register  # nothing published: the demo files, read through the checks
    with store.session() as s:
        _import_and_publish(
            s, "population", "indicator,region,year,value,unit\npopulation,jinan,2024,950,万人\n"
        )
    assert ent.book(store).register == {} and ent.grades(store, 2024) == []
    from carbonpeak.services.pages.enterprise import reconciliation_section

    assert reconciliation_section(store, 2024).rows == []
