"""Fixtures of the store tests: an initialised database with one user per role and an open round."""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.services.init import init_database
from carbonpeak.services.rounds import open_round
from carbonpeak.services.users import create_user
from carbonpeak.store.db import Database

PASSWORD = "correct horse 1"
ROLE_UNITS = {
    "office": "office",
    "department": "dept_a",
    "district": "district_x",
    "enterprise": "dept_b",
    "viewer": "dept_b",
}


@pytest.fixture
def loaded(db_url, tiny_plan):
    """(Database, {role: User}, Round) on SQLite and PostgreSQL."""
    db = Database(db_url)
    init_database(db, tiny_plan, source_file="tiny.yaml")
    with db.session() as s:
        users = {
            role: create_user(s, username=role, password=PASSWORD, role=role, unit_code=unit)
            for role, unit in ROLE_UNITS.items()
        }
        rnd = open_round(s, users["office"], period="2024", title="2024 年度", due_date=dt.date(2025, 3, 31))
    yield db, users, rnd
    db.dispose()
