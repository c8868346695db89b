"""Sign-in (token and web session with CSRF), the upload → review → publish flow over HTTP, errors."""

from __future__ import annotations

from fastapi.testclient import TestClient

from carbonpeak.auth import SESSION_COOKIE

PASSWORD = "correct horse 1"  # the password of every user of tests/api/conftest.py


def test_token_sign_in_and_logout(api):
    bad = api.client.post("/api/auth/token", json={"username": "office", "password": "wrong password"})
    assert bad.status_code == 401 and bad.json()["error"] == "NotAuthenticated"
    ok = api.client.post("/api/auth/token", json={"username": "department", "password": PASSWORD})
    assert ok.status_code == 200
    token = ok.json()["token"]
    me = api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["username"], me["unit_code"]) == ("department", "dept_a")
    assert me["tasks"] == [{"code": "P1.T1", "role": "lead"}]
    assert (
        api.client.post("/api/auth/logout", headers={"Authorization": f"Bearer {token}"}).status_code == 204
    )
    assert api.client.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_web_session_needs_csrf_to_change_state(api):
    browser = TestClient(api.client.app)  # its own cookie jar
    login = browser.post("/api/auth/session", json={"username": "office", "password": PASSWORD})
    assert login.status_code == 200 and SESSION_COOKIE in browser.cookies
    csrf = login.json()["csrf_token"]
    assert browser.get("/api/auth/me").status_code == 200  # reads need no CSRF token
    body = {"period": "2099", "title": "t", "due_date": "2100-01-01"}
    assert browser.post("/api/rounds", json=body).status_code == 403
    assert browser.post("/api/rounds", json=body, headers={"X-CSRF-Token": "0" * 64}).status_code == 403
    assert browser.post("/api/rounds", json=body, headers={"X-CSRF-Token": csrf}).status_code == 201
    stolen = browser.cookies[SESSION_COOKIE]
    assert browser.post("/api/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
    replay = TestClient(api.client.app)
    replay.cookies.set(SESSION_COOKIE, stolen)
    assert replay.get("/api/auth/me").status_code == 401  # the session is revoked, not just forgotten


def test_upload_review_publish_over_http(api):
    office, dept, viewer = api.headers("office"), api.headers("department"), api.headers("viewer")
    up = api.client.post(
        f"/api/rounds/{api.round_id}/submissions",
        headers=dept,
        files={"file": ("甲局.xlsx", api.filled(1750))},
    )
    assert up.status_code == 201, up.text
    sid = up.json()["id"]
    detail = api.client.get(f"/api/submissions/{sid}", headers=dept).json()
    assert {(r["field"], r["value"], r["unit"]) for r in detail["rows"] if r["kind"] == "indicator"} >= {
        ("value", 1750.0, "MW")
    }
    assert api.client.post(f"/api/submissions/{sid}/approve", headers=office, json={}).status_code == 409
    assert api.client.post(f"/api/submissions/{sid}/submit", headers=dept, json={}).status_code == 200
    assert api.client.post(f"/api/submissions/{sid}/approve", headers=office, json={}).status_code == 200
    assert api.client.post(f"/api/submissions/{sid}/publish", headers=office).status_code == 200
    published = api.client.get("/api/observations/current?indicator=pv_capacity", headers=viewer).json()
    assert published and published[-1]["value"] == 1750.0 and published[-1]["submission_id"] == sid
    history = api.client.get("/api/values/history?kind=indicator&key=pv_capacity", headers=viewer).json()
    assert all(h["status"] == "published" for h in history)
    file = api.client.get(f"/api/submissions/{sid}/file", headers=dept)
    assert file.content[:2] == b"PK"
    assert api.client.get("/api/audit/verify", headers=office).json() == {"intact": True, "faults": []}


def test_bad_upload_lists_problems_and_stores_nothing(api):
    dept = api.headers("department")
    before = len(api.client.get("/api/submissions", headers=dept).json())
    bad = api.client.post(
        f"/api/rounds/{api.round_id}/submissions",
        headers=dept,
        files={"file": ("a.xlsx", b"this is not a workbook")},
    )
    assert bad.status_code == 422
    body = bad.json()
    assert body["error"] == "UploadError" and body["problems"] and body["problems"][0]["message_zh"]
    too_big = api.client.post(
        f"/api/rounds/{api.round_id}/submissions", headers=dept, files={"file": ("a.csv", b"x" * 2_000_001)}
    )
    assert too_big.status_code == 422
    assert len(api.client.get("/api/submissions", headers=dept).json()) == before


def test_create_app_connects_to_nothing(tmp_path):
    from carbonpeak.app import create_app
    from carbonpeak.settings import Settings

    # an unreachable database: building the app and serving /api/health must not touch it
    settings = Settings(data_dir=tmp_path, database_url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/health").status_code == 200
        assert not hasattr(client.app.state, "database")


def test_upload_retried_with_an_idempotency_key_makes_one_version(api):
    dept = api.headers("department")
    data = api.filled(1610)
    url = f"/api/rounds/{api.round_id}/submissions"
    first = api.client.post(url, headers={**dept, "Idempotency-Key": "k-1"}, files={"file": ("a.xlsx", data)})
    assert first.status_code == 201, first.text
    for _ in range(3):  # the client lost the answer and retries
        again = api.client.post(
            url, headers={**dept, "Idempotency-Key": "k-1"}, files={"file": ("a.xlsx", data)}
        )
        assert again.json()["id"] == first.json()["id"]
        assert again.json()["version"] == first.json()["version"]
    changed = api.client.post(
        url, headers={**dept, "Idempotency-Key": "k-1"}, files={"file": ("a.xlsx", api.filled(1620))}
    )
    assert changed.status_code == 409
    # another request with the same bytes: an identical file makes no new version either
    other = api.client.post(url, headers={**dept, "Idempotency-Key": "k-2"}, files={"file": ("a.xlsx", data)})
    assert other.json()["id"] == first.json()["id"]
    changed = api.client.post(
        url, headers={**dept, "Idempotency-Key": "k-3"}, files={"file": ("a.xlsx", api.filled(1620))}
    )
    assert changed.json()["version"] == first.json()["version"] + 1
