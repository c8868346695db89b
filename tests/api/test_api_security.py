"""Access security of the API: the session cookie's Secure attribute, login throttling, token expiry."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from carbonpeak.app import create_app
from tests.api.conftest import PASSWORD


@pytest.mark.parametrize(
    ("setting", "base_url", "secure"),
    [
        ("auto", "https://testserver", True),
        ("auto", "http://testserver", False),
        ("true", "http://testserver", True),
        ("false", "https://testserver", False),
    ],
)
def test_session_cookie_is_secure_over_https_by_default(api, setting, base_url, secure):
    settings = api.client.app.state.settings.model_copy(update={"secure_cookies": setting})
    app = create_app(settings)
    app.state.database = api.db
    client = TestClient(app, base_url=base_url)
    r = client.post("/api/auth/session", json={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert ("Secure" in cookie) is secure


def _fresh_client(api, **update):
    settings = api.client.app.state.settings.model_copy(update=update)
    app = create_app(settings)  # another server process: its login throttle counts in the same database
    app.state.database = api.db
    return TestClient(app)


def test_forty_wrong_passwords_then_the_right_one_is_refused_and_every_failure_is_audited(api):
    """The audit's finding: 40 wrong passwords in a row, then the right one worked at once."""
    from sqlalchemy import select

    from carbonpeak.store.models import AuditEntry

    client = _fresh_client(api)
    statuses = [
        client.post("/api/auth/token", json={"username": "department", "password": f"wrong {i}"}).status_code
        for i in range(40)
    ]
    assert statuses[:4] == [401] * 4 and 429 in statuses  # back-off begins after 3 free failures
    right = client.post("/api/auth/token", json={"username": "department", "password": PASSWORD})
    assert right.status_code == 429
    assert int(right.headers["retry-after"]) >= 1
    assert right.json()["error"] == "TooManyRequests" and "登录失败次数过多" in right.json()["message_zh"]
    restarted = _fresh_client(api)  # the server restarted, or another of its processes answers
    again = restarted.post("/api/auth/token", json={"username": "department", "password": PASSWORD})
    assert again.status_code == 429, "the count was lost with the process"
    with api.db.session() as s:
        failed = s.execute(select(AuditEntry).where(AuditEntry.action == "auth.login_failed")).scalars().all()
    mine = [e for e in failed if '"username":"department"' in e.detail]
    assert len(mine) == statuses.count(401)  # each checked failure, none of the refused tries
    assert all('"address":"testclient"' in e.detail for e in mine)


def test_web_login_page_names_the_wait(api):
    client = _fresh_client(api)
    for i in range(4):
        client.post("/login", data={"username": "viewer", "password": f"wrong {i}"})
    r = client.post("/login?lang=en", data={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 429 and "may try again in" in r.text
    r = client.post("/login?lang=zh", data={"username": "viewer", "password": PASSWORD})
    assert r.status_code == 429 and "秒后重试" in r.text


def test_projection_runs_are_cached_for_anonymous_users_and_rate_limited(api):
    client = _fresh_client(api)
    request = {"scenario": "baseline", "draws": 100, "analysis_draws": 10, "wedges": False}
    miss = client.post("/api/projection/run", json=request)
    assert miss.status_code == 401 and "仅可获取已缓存" in miss.json()["message_zh"]
    ran = client.post("/api/projection/run", json=request, headers=api.headers("viewer"))
    assert ran.status_code == 200
    cached = client.post("/api/projection/run", json=request)  # anonymous: the cached answer
    assert cached.status_code == 200 and cached.json() == ran.json()
    statuses = [
        client.post(
            "/api/projection/run", json={**request, "seed": seed}, headers=api.headers("viewer")
        ).status_code
        for seed in (2, 3, 4)
    ]
    assert statuses == [200, 429, 429]  # a burst of 2 runs, then 4 a minute
    again = client.post("/api/projection/run", json=request, headers=api.headers("viewer"))
    assert again.status_code == 200  # a cached answer costs no run


def test_api_tokens_expire_and_rotate(api):
    import datetime as dt

    from sqlalchemy import select

    from carbonpeak.auth import token_digest
    from carbonpeak.store.models import ApiToken, AuditEntry

    client = _fresh_client(api, api_token_days=30)
    issued = client.post(
        "/api/auth/token", json={"username": "district", "password": PASSWORD, "name": "etl"}
    )
    assert issued.status_code == 200
    old = issued.json()["token"]
    expires = dt.datetime.fromisoformat(issued.json()["expires_at"])
    assert dt.timedelta(days=29) < expires - dt.datetime.now(dt.UTC) <= dt.timedelta(days=30)

    rotated = client.post("/api/auth/token/rotate", headers={"Authorization": f"Bearer {old}"})
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["token"]
    assert new != old
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {old}"}).status_code == 401
    assert client.get("/api/auth/me", headers={"Authorization": f"Bearer {new}"}).status_code == 200
    with api.db.session() as s:
        row = s.execute(select(ApiToken).where(ApiToken.token_sha256 == token_digest(new))).scalar_one()
        assert row.name == "etl"
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)  # its lifetime ran out
        s.commit()
        assert s.execute(select(AuditEntry).where(AuditEntry.action == "auth.api.rotate")).first() is not None
    expired = client.get("/api/auth/me", headers={"Authorization": f"Bearer {new}"})
    assert expired.status_code == 401 and "API token expired" in expired.json()["message"]
    assert "过期" in expired.json()["message_zh"]


def test_a_token_from_before_expiry_gets_the_default_lifetime(api):
    """Tokens issued before this version have no expires_at; they must not live for ever."""
    import datetime as dt

    from sqlalchemy import select

    from carbonpeak.auth import token_digest
    from carbonpeak.services.users import API_TOKEN_LIFETIME, issue_token
    from carbonpeak.store.models import ApiToken

    with api.db.session() as s:
        token = issue_token(s, api.users["enterprise"], name="old")
        row = s.execute(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))).scalar_one()
        row.expires_at = None
        s.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/api/auth/me", headers=headers).status_code == 200
    with api.db.session() as s:
        row = s.execute(select(ApiToken).where(ApiToken.token_sha256 == token_digest(token))).scalar_one()
        row.created_at = dt.datetime.now(dt.UTC) - API_TOKEN_LIFETIME - dt.timedelta(minutes=1)
        s.commit()
    assert api.client.get("/api/auth/me", headers=headers).status_code == 401


def test_an_id_beyond_64_bits_is_an_input_error_not_a_500(api):
    """SQLite's driver cannot bind 2**63: the answer is the same 422 as PostgreSQL's DataError
    (found by schemathesis on /api/submissions/{id}/return and /api/reports/…/{year}/summaries)."""
    huge = 2**63
    r = api.client.post(
        f"/api/submissions/{huge}/return", json={"comment": "x"}, headers=api.headers("office")
    )
    assert r.status_code == 422 and r.json()["problems"][0]["rule"] == "input.data"
    r = api.client.get(f"/api/reports/annual/{huge}/summaries", headers=api.headers("office"))
    assert r.status_code == 422  # the year is bounded 2000–2100 by the route itself
