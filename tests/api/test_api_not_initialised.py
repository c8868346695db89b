"""Before `carbonpeak init` the platform answers 503 with what to do, not a 500 with a traceback."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.settings import Settings


def _client(tmp_path: Path) -> TestClient:
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'empty.db'}")
    return TestClient(create_app(settings), raise_server_exceptions=False)


def test_api_says_run_init(tmp_path: Path) -> None:
    r = _client(tmp_path).post("/api/auth/token", json={"username": "office", "password": "x"})
    assert r.status_code == 503
    body = r.json()
    assert body["error"] == "NotInitialised"
    assert "carbonpeak init" in body["message"] and "初始化" in body["message_zh"]


def test_plan_pages_still_work_from_the_plan_file(tmp_path: Path) -> None:
    r = _client(tmp_path).get("/")
    assert r.status_code == 200 and "碳达峰" in r.text
