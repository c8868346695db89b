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
    app = create_app(settings)  # its own login throttle
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
