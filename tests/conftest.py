"""Shared fixtures: databases for tests of anything that stores data.

| fixture | scope | gives |
| --- | --- | --- |
| `sqlite_url` | test | URL of a fresh, empty SQLite file under the test's tmp_path |
| `pg_url` | test | URL of an empty schema `public` in a temporary PostgreSQL database |
| `db_url` | test | parametrised: `sqlite_url`, then `pg_url` (marked `postgres`) — run a test on both |
| `database` | test | a migrated `carbonpeak.store.db.Database` on `db_url` (no plan loaded yet) |
| (autouse) | session | argon2id at minimal cost (1 pass, 8 MiB): creating users is fast |
| (autouse) | test | the process's settings (`settings.current`) read afresh: a test's environment counts |
| `fill` | session | `fill(xlsx, {indicator: value})`: a collection template filled as a unit would |
| `tiny_plan` | session | a `Plan`: units office, dept_a, dept_b, district_x; 1 target, 2 tasks, 1 project |

PostgreSQL: the server at CARBONPEAK_TEST_PG_URL (default
postgresql+psycopg://postgres@127.0.0.1:5432/test, trust auth). One temporary database
`carbonpeak_test_<pid>_<random>` is created per test session and dropped at its end; every test that
uses `pg_url` gets it with an empty `public` schema. When the server cannot be reached the PG tests
are skipped with the reason — except when CI=true, where they fail.

Use them: `def test_x(db_url): db = Database(db_url); ...` runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from carbonpeak.plan.schema import (
    Capacity,
    KeyProject,
    Measure,
    Plan,
    Programme,
    ResponsibleUnit,
    Source,
    Target,
)

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="session", autouse=True)
def _cheap_argon2() -> Iterator[None]:
    from argon2 import PasswordHasher

    import carbonpeak.auth

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(carbonpeak.auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1))
        yield


@pytest.fixture(autouse=True)
def _fresh_settings() -> Iterator[None]:
    """`settings.current` reads the environment once per process; each test reads it as it sets it
    (a service without a database falls back to these settings)."""
    from carbonpeak.settings import current

    current.cache_clear()
    yield
    current.cache_clear()


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'carbonpeak.db'}"


@pytest.fixture(scope="session")
def _pg_database() -> Iterator[str]:
    base = make_url(os.environ.get("CARBONPEAK_TEST_PG_URL", DEFAULT_PG_URL))
    admin = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    try:
        with admin.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any reason the server cannot be used
        admin.dispose()
        where = base.render_as_string(hide_password=True)
        reason = f"PostgreSQL at {where} unreachable: {type(exc).__name__}: {exc}"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason} (CI=true: the PostgreSQL tests must run)")
        pytest.skip(f"{reason}; set CARBONPEAK_TEST_PG_URL or start the server to run these tests")
    name = f"carbonpeak_test_{os.getpid()}_{secrets.token_hex(4)}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url(_pg_database: str) -> str:
    engine = create_engine(_pg_database, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return _pg_database


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request) -> str:
    return request.getfixturevalue("sqlite_url" if request.param == "sqlite" else "pg_url")


@pytest.fixture
def database(db_url):
    from carbonpeak.store.db import Database
    from carbonpeak.store.migrate import upgrade

    db = Database(db_url)
    upgrade(db.engine)
    yield db
    db.dispose()


def _src(section: str) -> Source:
    return Source(section=section, quote="test")


@pytest.fixture(scope="session")
def tiny_plan() -> Plan:
    return make_tiny_plan()


def make_tiny_plan() -> Plan:
    units = [
        ResponsibleUnit(code="office", name_zh="双碳办", name_en="Office", kind="department"),
        ResponsibleUnit(code="dept_a", name_zh="甲局", name_en="Bureau A", kind="department"),
        ResponsibleUnit(code="dept_b", name_zh="乙局", name_en="Bureau B", kind="department"),
        ResponsibleUnit(code="district_x", name_zh="某区", name_en="District X", kind="district_government"),
    ]
    target = Target(
        code="pv_2030",
        indicator="pv_capacity",
        name_zh="光伏装机",
        name_en="PV capacity",
        metric="level",
        unit="MW",
        base_year=2020,
        base_value=1000,
        target_year=2030,
        target_value=5000,
        direction="at_least",
        responsible_units=["dept_a"],
        source=_src("三(一)2"),
    )
    tasks = [
        Measure(
            code="P1.T1",
            number=1,
            title_zh="发展光伏",
            title_en="Grow PV",
            text_zh="…",
            lead_units=["dept_a"],
            co_units=["dept_b", "district_x"],
            source=_src("三(一)2"),
        ),
        Measure(
            code="P1.T2",
            number=2,
            title_zh="节能",
            title_en="Save energy",
            text_zh="…",
            lead_units=["dept_b"],
            source=_src("三(一)3"),
        ),
    ]
    project = KeyProject(
        code="C1.1.1",
        column=1,
        group="光伏",
        category="pv",
        name_zh="某光伏项目100MW",
        kind="new_build",
        capacities=[Capacity(quantity="power", value=100, unit="MW", text="100MW")],
        serves_targets=["pv_2030"],
        source=_src("专栏1"),
    )
    return Plan(
        code="tiny",
        city_zh="某市",
        city_en="Some City",
        title_zh="碳达峰方案",
        title_en="Peak plan",
        source_note="test",
        units=units,
        targets=[target],
        programmes=[
            Programme(
                code="P1",
                number=1,
                name_zh="能源",
                name_en="Energy",
                text_zh="…",
                tasks=tasks,
                source=_src("三(一)"),
            )
        ],
        guarantees=[],
        organisation=[],
        key_projects=[project],
    )


def fill_template(
    xlsx: bytes,
    values: dict[str, float | str],
    *,
    task_status: str = "进行中",
    task_percent: float = 40,
    project_status: str = "在建",
    note: str | None = None,
) -> bytes:
    """A template as a unit fills it: `values` maps an indicator code to its value (a number, or
    `"<number> <unit>"` to type another unit); every task and project row gets a status. `note`
    goes to the 说明 of every task row (a new file with the same values: an
    identical file makes no new version, one left as pre-filled changes nothing)."""
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx))
    for ws in book.worksheets:
        for row in ws.iter_rows(min_row=4):
            code = row[0].value
            if code is None:
                continue
            if ws.title == "指标" and code in values:
                value = values[code]
                if isinstance(value, str):
                    number, unit = value.split()
                    row[2].value, row[3].value = unit, float(number)
                else:
                    row[3].value = value
            elif ws.title == "任务进展":
                row[3].value, row[4].value = task_status, task_percent
                if note is not None:
                    row[8].value = note
            elif ws.title == "重点项目":
                row[3].value = project_status
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="session")
def fill():
    """`fill(xlsx, {indicator: value})` → the filled template (see fill_template)."""
    return fill_template


@pytest.fixture(scope="session")
def demo_settings(tmp_path_factory):
    """Settings of a SQLite database where `init` and `demo load` have run (once per session): the
    store every surface reads the demo snapshot from."""
    from carbonpeak.plan.load import load_plan
    from carbonpeak.services.demo import load_demo
    from carbonpeak.services.init import init_database
    from carbonpeak.settings import DEFAULT_PLAN_FILE, Settings
    from carbonpeak.store.db import Database

    folder = tmp_path_factory.mktemp("demo-store")
    settings = Settings(data_dir=folder, database_url=f"sqlite:///{folder / 'carbonpeak.db'}")
    plan = load_plan(DEFAULT_PLAN_FILE)
    db = Database(settings.resolved_database_url())
    try:
        init_database(db, plan, source_file=str(DEFAULT_PLAN_FILE))
        load_demo(db, plan)
    finally:
        db.dispose()
    return settings
