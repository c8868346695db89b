"""`Idempotency-Key` on every mutating API call (carbonpeak/api/idempotency.py,
services/idempotency.py), on SQLite and PostgreSQL: a retry answers the first answer and changes
nothing, a changed request with the same key is refused, keys are each user's own and live in the
database; the key is marked applied in the write's own transaction."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from carbonpeak.app import create_app
from carbonpeak.errors import Conflict
from carbonpeak.services import idempotency as svc
from carbonpeak.services.init import init_database
from carbonpeak.services.rounds import download_template, open_round
from carbonpeak.services.users import create_user, issue_token
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database
from carbonpeak.store.models import IdempotencyKey, Round, Submission, User

PASSWORD = "correct horse 1"


@dataclass
class Served:
    client: TestClient
    db: Database
    settings: Settings
    tokens: dict[str, str]
    round_id: int
    xlsx: bytes

    def h(self, who: str, key: str | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return {**headers, "Idempotency-Key": key} if key else headers


@pytest.fixture
def served(db_url, tmp_path, tiny_plan):
    settings = Settings(data_dir=tmp_path, database_url=db_url, secret_key="k", audit_key="a")
    db = Database.from_settings(settings)
    init_database(db, tiny_plan)
    tokens = {}
    with db.session() as s:
        for name, role, unit in [
            ("office", "office", "office"),
            ("reviewer", "office", "office"),
            ("dept", "department", "dept_a"),
        ]:
            tokens[name] = issue_token(
                s, create_user(s, username=name, password=PASSWORD, role=role, unit_code=unit)
            )
        office = s.execute(select(User).where(User.username == "office")).scalar_one()
        rnd = open_round(s, office, period="2024", title="2024", due_date=dt.date(2025, 3, 31))
        _, xlsx = download_template(s, office, rnd.id, "dept_a")
    app = create_app(settings)
    app.state.database = db
    with TestClient(app) as client:
        yield Served(client, db, settings, tokens, rnd.id, xlsx)
    db.dispose()


def _count(db: Database, model) -> int:
    with db.session() as s:
        return s.execute(select(func.count()).select_from(model)).scalar_one()


def test_a_retried_upload_answers_the_first_version_and_a_changed_one_is_refused(served, fill):
    url = f"/api/rounds/{served.round_id}/submissions"
    data = fill(served.xlsx, {"pv_capacity": 1610})
    first = served.client.post(url, headers=served.h("dept", "up-1"), files={"file": ("a.xlsx", data)})
    assert first.status_code == 201, first.text
    assert "idempotency-replayed" not in first.headers
    for _ in range(3):  # the client lost the answer and tries again (a new multipart boundary each time)
        again = served.client.post(url, headers=served.h("dept", "up-1"), files={"file": ("a.xlsx", data)})
        assert again.status_code == 201
        assert again.json() == first.json()
        assert again.headers["idempotency-replayed"] == "true"
        assert again.headers["x-content-type-options"] == "nosniff"  # inside the site's headers
    assert _count(served.db, Submission) == 1
    changed = served.client.post(
        url,
        headers=served.h("dept", "up-1"),
        files={"file": ("a.xlsx", fill(served.xlsx, {"pv_capacity": 1620}))},
    )
    assert changed.status_code == 409
    body = changed.json()
    assert "'up-1' was used for a different request" in body["message"] and "幂等键" in body["message_zh"]
    renamed = served.client.post(url, headers=served.h("dept", "up-1"), files={"file": ("b.xlsx", data)})
    assert renamed.status_code == 409  # the file's name is part of the request
    other = served.client.post(
        url,
        headers=served.h("dept", "up-2"),
        files={"file": ("a.xlsx", fill(served.xlsx, {"pv_capacity": 1630}))},
    )
    assert other.json()["version"] == first.json()["version"] + 1  # another key: another request
    # keys are each user's own: the office's "up-1" is a new request
    office = served.client.post(
        url,
        headers=served.h("office", "up-1"),
        data={"unit_code": "dept_a"},
        files={"file": ("a.xlsx", data)},
    )
    assert office.status_code == 201 and office.json()["version"] == first.json()["version"] + 2
    with served.db.session() as s:
        keys = s.execute(select(IdempotencyKey.key, IdempotencyKey.status)).all()
    assert sorted(keys) == [("up-1", 201), ("up-1", 201), ("up-2", 201)]


def test_every_mutating_call_is_keyed_json_compared_as_data(served, fill):
    office = served.client
    body = {"period": "2099", "title": "t", "due_date": "2100-01-01"}
    made = office.post("/api/rounds", headers=served.h("office", "r-1"), json=body)
    assert made.status_code == 201
    rounds = _count(served.db, Round)
    # the same data sent with other key order and spacing
    same = json.dumps({"due_date": "2100-01-01", "title": "t", "period": "2099"}, indent=2)
    again = office.post(
        "/api/rounds",
        headers={**served.h("office", "r-1"), "Content-Type": "application/json"},
        content=same,
    )
    assert again.status_code == 201 and again.json() == made.json()
    assert _count(served.db, Round) == rounds
    assert (
        office.post("/api/rounds", headers=served.h("office", "r-1"), json={**body, "title": "u"}).status_code
        == 409
    )
    # the key names the path too: the same key on another call is another request
    closed = office.post(f"/api/rounds/{made.json()['id']}/close", headers=served.h("office", "r-1"))
    assert closed.status_code == 409

    # a workflow step retried is answered as the first time, not "already submitted"
    up = office.post(
        f"/api/rounds/{served.round_id}/submissions",
        headers=served.h("dept"),
        files={"file": ("a.xlsx", fill(served.xlsx, {"pv_capacity": 1500}))},
    ).json()
    submit = f"/api/submissions/{up['id']}/submit"
    first = office.post(submit, headers=served.h("dept", "s-1"), json={"comment": "ok"})
    assert first.status_code == 200 and first.json()["status"] == "submitted"
    retry = office.post(submit, headers=served.h("dept", "s-1"), json={"comment": "ok"})
    assert retry.status_code == 200 and retry.json() == first.json()
    assert office.post(submit, headers=served.h("dept", "s-2"), json={"comment": "ok"}).status_code == 409

    put = "/api/reports/annual/2024/summaries/achievements"
    text = {"text_zh": "成效", "text_en": "achievements"}
    a = office.put(put, headers=served.h("office", "p-1"), json=text)
    b = office.put(put, headers=served.h("office", "p-1"), json=text)
    assert a.status_code == b.status_code == 200 and a.json() == b.json()

    # an error answer is an answer too: the retry gets the same 403, nothing runs twice
    denied = office.post("/api/rounds", headers=served.h("dept", "r-1"), json=body)
    assert denied.status_code == 403
    assert office.post("/api/rounds", headers=served.h("dept", "r-1"), json=body).json() == denied.json()


def test_a_bad_key_is_a_located_input_error_and_auth_calls_are_not_keyed(served):
    bad = served.client.post("/api/rounds", headers=served.h("office", "has space"), json={})
    assert bad.status_code == 422
    problem = bad.json()["problems"][0]
    assert problem["location"] == "Idempotency-Key" and problem["rule"] == "idempotency.key"
    assert "幂等键" in problem["message_zh"] and "visible ASCII" in problem["message_en"]
    assert (
        served.client.post("/api/rounds", headers=served.h("office", "k" * 201), json={}).status_code == 422
    )
    # log-in answers carry a secret: never stored, each try answers anew
    creds = {"username": "office", "password": PASSWORD}
    one = served.client.post("/api/auth/token", headers={"Idempotency-Key": "login"}, json=creds).json()
    two = served.client.post("/api/auth/token", headers={"Idempotency-Key": "login"}, json=creds).json()
    assert one["token"] != two["token"]
    assert _count(served.db, IdempotencyKey) == 0
    # without a signed-in user nothing is keyed; the handler answers 401
    anon = served.client.post("/api/rounds", headers={"Idempotency-Key": "x"}, json={})
    assert anon.status_code == 401 and _count(served.db, IdempotencyKey) == 0


def test_the_schema_documents_the_header_on_every_keyed_operation(served):
    schema = served.client.get("/api/openapi.json").json()
    keyed = [
        (path, method)
        for path, item in schema["paths"].items()
        for method in item
        if method in ("post", "put", "patch", "delete") and not path.startswith("/api/auth/")
    ]
    assert len(keyed) >= 12
    for path, method in keyed:
        operation = schema["paths"][path][method]
        names = [p["name"] for p in operation["parameters"]]
        assert names.count("Idempotency-Key") == 1, (path, method)
        assert "409" in operation["responses"] and "422" in operation["responses"]


# -- the service: applied in the write's own transaction, lease and take-over ----------------------


def _user(db: Database) -> int:
    with db.session() as s:
        return s.execute(select(User.id).where(User.username == "dept")).scalar_one()


def _write(db: Database, name: str) -> None:
    with db.session() as s:
        create_user(s, username=name, password=PASSWORD, role="viewer", unit_code="dept_a")


def test_the_key_is_applied_with_the_write_and_a_lost_answer_is_named(served):
    db, uid = served.db, _user(served.db)
    pending = svc.claim(db, uid, "w-1", "POST", "/api/x", "a" * 64)
    assert isinstance(pending, svc.Pending)
    with svc.applying(pending), db.session() as s:
        s.execute(select(User)).all()
        s.commit()  # a transaction that only read does not apply the key
    with db.session() as s:
        assert s.get(IdempotencyKey, pending.row_id).applied is False
    with pytest.raises(Conflict, match="still being carried out"):
        svc.claim(db, uid, "w-1", "POST", "/api/x", "a" * 64)  # the first is still running
    with svc.applying(pending):
        _write(db, "written-once")
    assert pending.applied
    # the server stopped here, before the answer was stored
    with pytest.raises(Conflict, match="was carried out, but its answer was lost") as err:
        svc.claim(db, uid, "w-1", "POST", "/api/x", "a" * 64)
    assert "应答已丢失" in err.value.message_zh


def test_a_key_whose_request_died_before_committing_is_taken_over_once(served):
    db, uid = served.db, _user(served.db)
    dead = svc.claim(db, uid, "w-2", "POST", "/api/x", "b" * 64)
    assert isinstance(dead, svc.Pending)
    with db.session() as s:  # the request holding it was killed before its write committed
        s.execute(
            update(IdempotencyKey)
            .where(IdempotencyKey.id == dead.row_id)
            .values(created_at=dt.datetime.now(dt.UTC) - svc.LEASE - dt.timedelta(seconds=1))
        )
        s.commit()
    retry = svc.claim(db, uid, "w-2", "POST", "/api/x", "b" * 64)
    assert isinstance(retry, svc.Pending) and retry.row_id == dead.row_id and retry.owner != dead.owner
    # had the first been alive after all, it can no longer commit: never two writes for one key
    with svc.applying(dead), pytest.raises(Conflict, match="took over"):
        _write(db, "by-the-first")
    with svc.applying(retry):
        _write(db, "by-the-retry")
    svc.finish(db, retry, 201, [("content-type", "application/json")], b'{"ok":1}')
    with db.session() as s:
        names = set(s.execute(select(User.username)).scalars())
    assert "by-the-retry" in names and "by-the-first" not in names
    stored = svc.claim(db, uid, "w-2", "POST", "/api/x", "b" * 64)
    assert stored == svc.Stored(201, [("content-type", "application/json")], b'{"ok":1}')


def test_a_server_error_before_the_write_frees_the_key(served):
    db, uid = served.db, _user(served.db)
    pending = svc.claim(db, uid, "w-3", "POST", "/api/x", "c" * 64)
    svc.finish(db, pending, 500, [], b"boom")
    again = svc.claim(db, uid, "w-3", "POST", "/api/x", "c" * 64)
    assert isinstance(again, svc.Pending)


def test_concurrent_retries_of_one_key_make_one_version(served, fill):
    """The audit's finding: a client retrying after lost answers made versions 3..96 of one file.
    Eight tries at once with one key: one version; each answer is it, or 409 'still being carried out'."""
    from concurrent.futures import ThreadPoolExecutor

    url = f"/api/rounds/{served.round_id}/submissions"
    data = fill(served.xlsx, {"pv_capacity": 1700})

    def attempt(_: int):
        return served.client.post(url, headers=served.h("dept", "burst"), files={"file": ("a.xlsx", data)})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, range(8)))
    made = {a.json()["id"] for a in answers if a.status_code == 201}
    assert len(made) == 1, [a.status_code for a in answers]
    assert all(
        a.status_code == 201 or (a.status_code == 409 and "still being carried out" in a.json()["message"])
        for a in answers
    )
    assert _count(served.db, Submission) == 1
    last = attempt(0)  # after the burst every retry gets the version
    assert last.status_code == 201 and last.json()["id"] in made
