"""Logging (carbonpeak/logs.py): one access line per request with user, status and time; a server
error is one line with the request and the traceback; no password or token reaches a log line."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from carbonpeak.logs import LOGGER, configure, redact
from carbonpeak.services.init import init_database
from carbonpeak.services.users import create_user
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

PASSWORD = "Zq-very-secret-pw-77"


@pytest.fixture
def logged(tmp_path, tiny_plan):
    """An app on a fresh store with one office user; its log lines (JSON) collected in a buffer."""
    settings = Settings(data_dir=tmp_path, secret_key="k" * 32)
    db = Database(settings.resolved_database_url())
    init_database(db, tiny_plan)
    with db.session() as s:
        create_user(s, username="ann", password=PASSWORD, role="office", unit_code="office")
    app = create_app(settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("kaboom-42")

    buffer = io.StringIO()
    configure("info", json_lines=True, stream=buffer)
    try:
        yield TestClient(app, raise_server_exceptions=False), buffer
    finally:
        logger = logging.getLogger(LOGGER)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True


def lines(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.strip()]


def test_one_access_line_per_request_with_user_status_and_time(logged):
    client, buffer = logged
    assert client.get("/api/health").status_code == 200
    token = client.post("/api/auth/token", json={"username": "ann", "password": PASSWORD}).json()["token"]
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    access = [r for r in lines(buffer) if r["logger"] == "carbonpeak.access"]
    assert [r["message"] for r in access] == [
        "GET /api/health 200",
        "POST /api/auth/token 200",
        "GET /api/auth/me 200",
    ]
    assert access[0]["user"] == "-" and access[2]["user"] == "ann"
    assert all(isinstance(r["ms"], float) and r["ms"] >= 0 and len(r["rid"]) == 12 for r in access)


def test_a_server_error_is_one_line_with_the_request_and_the_traceback(logged):
    client, buffer = logged
    response = client.get("/boom")
    assert response.status_code == 500
    rid = response.headers["x-request-id"]
    assert rid in response.text and "kaboom" not in response.text  # no internals to the client
    errors = [r for r in lines(buffer) if r["level"] == "ERROR"]
    assert len(errors) == 1
    assert errors[0]["message"] == "server error GET /boom" and errors[0]["rid"] == rid
    assert "RuntimeError: kaboom-42" in errors[0]["traceback"]
    api = client.get("/api/no-such-thing")
    assert api.status_code == 404  # an ordinary error is an access line, not an error line
    assert len([r for r in lines(buffer) if r["level"] == "ERROR"]) == 1


def test_no_password_or_token_in_any_log_line(logged):
    client, buffer = logged
    configure("debug", json_lines=False, stream=buffer)
    client.post("/api/auth/token", json={"username": "ann", "password": "wrong-" + PASSWORD})
    token = client.post("/api/auth/token", json={"username": "ann", "password": PASSWORD}).json()["token"]
    client.get(f"/api/plan?token={token}", headers={"Authorization": f"Bearer {token}"})
    client.post("/login", data={"username": "ann", "password": PASSWORD})
    logging.getLogger("carbonpeak.x").info("extras", extra={"password": PASSWORD, "api_token": token})
    text = buffer.getvalue()
    assert "/api/plan 200" in text and "password=***" in text
    assert PASSWORD not in text and token not in text


def test_redact_masks_secret_looking_keys_only():
    assert redact({"password": "p", "X-CSRF-Token": "t", "user": "ann", "ms": 3}) == {
        "password": "***",
        "X-CSRF-Token": "***",
        "user": "ann",
        "ms": 3,
    }


def test_serve_refuses_an_unknown_log_level():
    result = subprocess.run(
        [sys.executable, "-m", "carbonpeak", "serve", "--log-level", "loud", "--check-port", "--port", "1"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 2 and "loud" in result.stderr


class _StuckStream:
    """A log destination that takes nothing until released (a pipe nobody reads)."""

    def __init__(self) -> None:
        import threading

        self.released = threading.Event()
        self.lines: list[str] = []

    def write(self, text: str) -> None:
        self.released.wait()
        self.lines.append(text)

    def flush(self) -> None:
        pass


def test_the_server_never_waits_on_a_stuck_log_destination_and_counts_what_it_dropped(monkeypatch):
    import threading

    from carbonpeak import logs

    monkeypatch.setattr(logs, "QUEUE_SIZE", 100)
    stream = _StuckStream()
    configure("info", json_lines=True, stream=stream, background=True)
    log = logging.getLogger(f"{LOGGER}.access")
    try:
        writer = threading.Thread(target=lambda: [log.info("line %d", i) for i in range(1000)])
        writer.start()
        writer.join(timeout=30)
        # with the stream stuck, a direct handler would still be waiting on the first line
        assert not writer.is_alive(), "logging waited on the log's destination"
    finally:
        stream.released.set()
        logs._stop_listener()
        logger = logging.getLogger(LOGGER)
        for handler in list(logger.handlers):
            logger.removeHandler(handler)
        logger.propagate = True
    got = [json.loads(line) for line in "".join(stream.lines).splitlines() if line.strip()]
    written = [g["message"] for g in got if g["message"].startswith("line ")]
    notes = [g for g in got if "dropped" in g["message"]]
    assert notes and all(n["level"] == "WARNING" for n in notes)
    dropped = sum(int(n["message"].split()[0]) for n in notes)
    # 100 lines waited in the queue (and one more, when the writer had taken it before it stuck);
    # every other line is counted as dropped, none is lost unsaid, and order is kept
    assert len(written) in (100, 101)
    assert len(written) + dropped == 1000
    numbers = [int(m.split()[1]) for m in written]
    assert numbers == sorted(numbers) and numbers[0] == 0
