"""A page reading a broken store answers an error; only a store never initialised shows the sample.

Pages take the app's database and may treat exactly one database error as "nothing stored yet":
a database that was never initialised (services/pages/common.reading_store). A corrupt file or a
table missing from an initialised database must not fall back to the packaged sample.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.services.init import init_database
from carbonpeak.services.plan import current_plan
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database


def _settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'carbonpeak.db'}")


def _client(settings: Settings) -> TestClient:
    return TestClient(create_app(settings), raise_server_exceptions=False)


def _initialised(settings: Settings) -> None:
    db = Database.from_settings(settings)
    try:
        init_database(db, current_plan(settings.plan_file))
    finally:
        db.dispose()


def test_a_store_never_initialised_shows_the_sample(tmp_path: Path) -> None:
    r = _client(_settings(tmp_path)).get("/tasks.json")
    assert r.status_code == 200
    assert r.json()["flag"] == "sample"


def test_an_initialised_empty_store_shows_the_sample_too(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    _initialised(settings)
    r = _client(settings).get("/tasks.json")
    assert r.status_code == 200
    assert r.json()["flag"] == "sample"


@pytest.mark.parametrize("page", ["/tasks.json", "/projects.json", "/indicators.json", "/overview.json"])
def test_a_corrupt_database_file_is_an_error_not_sample_data(tmp_path: Path, page: str) -> None:
    settings = _settings(tmp_path)
    (tmp_path / "carbonpeak.db").write_bytes(b"this is not an SQLite database" * 200)
    r = _client(settings).get(page)
    assert r.status_code >= 500
    assert '"flag"' not in r.text and "sample" not in r.text


@pytest.mark.parametrize("page", ["/tasks.json", "/projects.json", "/tasks"])
def test_a_table_dropped_from_an_initialised_store_is_an_error(tmp_path: Path, page: str) -> None:
    settings = _settings(tmp_path)
    _initialised(settings)
    with sqlite3.connect(tmp_path / "carbonpeak.db") as con:
        con.execute("PRAGMA foreign_keys=OFF")
        con.execute("DROP TABLE submission_rows")
    r = _client(settings).get(page)
    assert r.status_code == 500
    assert "sample" not in r.text
    if page.endswith(".json"):
        body = r.json()
        assert body["error"] == "IntegrityError"
        assert "submission_rows" in body["message"] and "缺少数据表" in body["message_zh"]
