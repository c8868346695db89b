"""Statistics as data: import → review → publish → the engines' observations, with located errors."""

from __future__ import annotations

import pytest

from carbonpeak.errors import InputError
from carbonpeak.services import dataset
from carbonpeak.services import statistics as stats
from carbonpeak.services import submissions as svc
from carbonpeak.services.demo import statistics_files
from carbonpeak.settings import DEFAULT_PLAN_FILE

REGION = "jinan"


@pytest.fixture
def store(database):
    from carbonpeak.plan.load import load_plan
    from carbonpeak.services.init import init_database
    from carbonpeak.services.users import create_user

    init_database(database, load_plan(DEFAULT_PLAN_FILE), source_file="jinan.yaml")
    with database.session() as s:
        office = create_user(
            s, username="o", password="correct horse 1", role="office", unit_code="carbon_office"
        )
        s.commit()
        office_id = office.id
    return database, office_id


def _publish(session, user, subs):
    """Submitted by the importer, approved and published by a second office user (separation of duties)."""
    from sqlalchemy import select

    from carbonpeak.services.users import create_user
    from carbonpeak.store.models import User

    reviewer = session.execute(select(User).where(User.username == "r")).scalar_one_or_none()
    if reviewer is None:
        reviewer = create_user(
            session, username="r", password="correct horse 1", role="office", unit_code="carbon_office"
        )
    for sub in subs:
        svc.submit_submission(session, user, sub.id)
        svc.approve_submission(session, reviewer, sub.id)
        svc.publish_submission(session, reviewer, sub.id)
    session.commit()


def _office(session, office_id):
    from carbonpeak.store.models import User

    return session.get(User, office_id)


def test_published_records_are_what_the_engines_read(store):
    db, office_id = store
    with db.session() as s:
        user = _office(s, office_id)
        for kind, name, data in statistics_files():
            _publish(s, user, stats.import_records(s, user, kind=kind, filename=name, data=data))
        snap = stats.current_snapshot(s)
    # balance, gdp, population by year; indicators 2020-24; assessment (estimated 原料用能) 2020-24;
    # the enterprise register and annual reports 2021-24, the monthly reports of 2024; monthly
    # electricity 2015-2026 (the nowcast's, read by services/budget.py)
    assert len(snap.records) == 20 + 20 + 20 + 5 + 5 + 4 + 4 + 1 + 12
    from_store = dataset.dataset_observations(REGION, database=db)
    from_files = dataset.dataset_observations(REGION)
    for s in from_files:
        got = from_store.get(s.indicator, s.region)
        assert got is not None, s.indicator
        assert list(got.years) == list(s.years)
        assert got.values == pytest.approx(s.values, rel=1e-9)
    # each value names its record
    co2 = from_store.get("co2_total", REGION)
    assert co2 is not None and "published energy balance" in co2.sources[-1]
    assert "submission" in from_store.get("gdp_current", REGION).sources[0]


def test_a_new_version_changes_the_figure_and_the_snapshot(store):
    db, office_id = store
    text = dict((k, d) for k, _, d in statistics_files())["energy_balance"].decode()
    rows = [r for r in text.splitlines() if r.startswith("jinan,2024,") or r.startswith("region,")]
    with db.session() as s:
        user = _office(s, office_id)
        first = stats.import_records(
            s, user, kind="energy_balance", filename="v1.csv", data="\n".join(rows).encode(), year=2024
        )
        _publish(s, user, first)
        before = stats.current_snapshot(s).id
    co2_before = dataset.dataset_observations(REGION, database=db).get("co2_total", REGION).value(2024)
    # 10 % more raw coal in thermal power, and as much more electricity out of it: still balanced
    changed = []
    for r in rows:
        f = r.split(",")
        if f[2] == "T_POWER" and f[3] == "raw_coal":
            f[4] = f"{float(f[4]) * 1.1:.4f}"
        changed.append(",".join(f))
    with db.session() as s:
        user = _office(s, office_id)
        subs = stats.import_records(
            s, user, kind="energy_balance", filename="v2.csv", data="\n".join(changed).encode()
        )
        assert [x.version for x in subs] == [2]  # a year already published gets a new version
        _publish(s, user, subs)
        after = stats.current_snapshot(s).id
        assert [r.version for r in stats.list_records(s, kind="energy_balance", year=2024)] == [2, 1]
    assert after != before
    co2_after = dataset.dataset_observations(REGION, database=db).get("co2_total", REGION).value(2024)
    assert co2_after > co2_before


def _import_error(db, office_id, kind, text, **kw):
    with db.session() as s:
        user = _office(s, office_id)
        with pytest.raises(InputError) as err:
            stats.import_records(s, user, kind=kind, filename="bad.csv", data=text.encode(), **kw)
        assert stats.list_records(s) == []  # nothing stored
    return err.value.problems


HEAD = "region,year,sector,fuel,quantity,unit\n"


@pytest.mark.parametrize(
    ("body", "rule", "location"),
    [
        ("jinan,2024,S99,raw_coal,1,万t\n", "balance.sector.known", "bad.csv:2:3"),
        ("jinan,2024,S01,moonshine,1,万t\n", "balance.fuel.known", "bad.csv:2:4"),
        ("jinan,2024,S01,raw_coal,1,亿kWh\n", "balance.unit.convertible", "bad.csv:2:6"),
        ("jinan,2024,S01,raw_coal,abc,万t\n", "data.value", "bad.csv:2:5"),
        ("jinan,2024,S01,raw_coal,1,万t\njinan,2024,S01,raw_coal,2,万t\n", "data.duplicate", "bad.csv:3:5"),
        (
            "jinan,2024,IMPORT,electricity,100,亿kWh\njinan,2024,S01,electricity,50,亿kWh\n",
            "data.balance",
            "jinan 2024 electricity",
        ),
    ],
)
def test_bad_balances_get_located_errors_and_store_nothing(store, body, rule, location):
    db, office_id = store
    problems = _import_error(db, office_id, "energy_balance", HEAD + body)
    assert any(p.rule.startswith(rule) and p.location == location for p in problems), problems
    assert all(p.message_zh and p.message_en for p in problems)


def test_bad_series_get_located_errors(store):
    db, office_id = store
    text = "indicator,region,year,value,unit\ngdp_current,jinan,2024,1,万kW\nrocket_count,jinan,2024,1,个\n"
    problems = _import_error(db, office_id, "gdp", text)
    assert {(p.rule, p.location) for p in problems} == {
        ("data.unit", "bad.csv:2:5"),
        ("data.indicator", "bad.csv:3:1"),
    }
    problems = _import_error(
        db, office_id, "gdp", "indicator,region,year,value,unit\ngdp_current,jinan,2024,1,亿元\n", year=2023
    )
    assert [p.rule for p in problems] == ["data.year_match"]


def test_unknown_kind_is_refused(store):
    db, office_id = store
    with db.session() as s, pytest.raises(InputError) as err:
        stats.import_records(s, _office(s, office_id), kind="gossip", filename="x.csv", data=b"a\n1\n")
    assert err.value.problems[0].rule == "data.kind"


def test_template_round_trip(store, tmp_path):
    """The energy-balance template, filled with two cells, imports as those two values."""
    import io

    from openpyxl import load_workbook

    from carbonpeak.statistics.files import balance_template

    wb = load_workbook(io.BytesIO(balance_template()))
    ws = wb["能源平衡表"]
    fuels = [c.value for c in ws[1]]
    rows = {ws.cell(r, 1).value: r for r in range(3, ws.max_row + 1)}
    ws.cell(rows["S01"], fuels.index("raw_coal") + 1, 12.5)
    ws.cell(rows["S46"], fuels.index("natural_gas") + 1, 3.0)
    buf = io.BytesIO()
    wb.save(buf)
    db, office_id = store
    with db.session() as s:
        subs = stats.import_records(
            s, _office(s, office_id), kind="energy_balance", filename="t.xlsx", data=buf.getvalue(), year=2024
        )
        rows_ = svc.submission_rows(s, subs[0].id)
    assert {(r.key, r.field, r.value) for r in rows_} == {
        ("S01", "raw_coal", 12.5),
        ("S46", "natural_gas", 3.0),
    }
    from openpyxl.utils import get_column_letter

    expected = {
        f"能源平衡表!{get_column_letter(fuels.index(f) + 1)}{rows[k]}"
        for k, f in (("S01", "raw_coal"), ("S46", "natural_gas"))
    }
    assert {r.location for r in rows_} == expected
