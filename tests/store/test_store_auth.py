"""Passwords, tokens, sessions and CSRF tokens; labels of roles and states."""

from __future__ import annotations

import datetime as dt

import pytest

from carbonpeak.auth import check_csrf, csrf_token, hash_password, token_digest, verify_password
from carbonpeak.errors import Conflict, InputError, NotAuthenticated
from carbonpeak.i18n import t
from carbonpeak.services import users as svc
from carbonpeak.services.current import STATUSES
from carbonpeak.services.rounds import TEMPLATE_KINDS
from carbonpeak.store.models import ApiToken


def test_password_hash_is_argon2_and_verifies_only_the_password():
    h = hash_password("secret pw 1")
    assert h.startswith("$argon2id$") and "secret" not in h
    assert verify_password(h, "secret pw 1")
    assert not verify_password(h, "secret pw 2")
    assert not verify_password("not a hash", "secret pw 1")


def test_csrf_token_is_bound_to_the_session_and_the_key():
    token = csrf_token("key", "session-a")
    assert check_csrf("key", "session-a", token)
    assert not check_csrf("key", "session-b", token)
    assert not check_csrf("other key", "session-a", token)
    assert not check_csrf("key", "session-a", None)


def test_tokens_are_stored_hashed_revocable_and_sessions_expire(loaded):
    db, users, _ = loaded
    with db.session() as s:
        token = svc.issue_token(s, users["department"])
        row = s.query(ApiToken).filter_by(token_sha256=token_digest(token)).one()
        assert token not in {row.token_sha256, row.name}
        assert svc.user_for_token(s, token).username == "department"
        svc.revoke_token(s, token)
        with pytest.raises(NotAuthenticated):
            svc.user_for_token(s, token)
        session_token = svc.issue_token(s, users["viewer"], kind="session")
        row = s.query(ApiToken).filter_by(token_sha256=token_digest(session_token)).one()
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        s.commit()
        with pytest.raises(NotAuthenticated):
            svc.user_for_token(s, session_token)


def test_user_rules(loaded):
    db, users, _ = loaded
    with db.session() as s:
        with pytest.raises(InputError) as err:
            svc.create_user(s, username="bad name!", password="short", role="boss", unit_code="nowhere")
        assert {p.rule for p in err.value.problems} == {
            "user.username",
            "user.password",
            "user.role",
            "user.unit",
        }
        with pytest.raises(Conflict):
            svc.create_user(s, username="office", password="long enough", role="viewer", unit_code="dept_a")
        with pytest.raises(NotAuthenticated):
            svc.authenticate(s, "office", "wrong password")
        svc.set_active(s, users["office"], users["viewer"].id, False)
        with pytest.raises(NotAuthenticated):
            svc.authenticate(s, "viewer", "correct horse 1")
        with pytest.raises(Conflict):
            svc.set_active(s, users["office"], users["office"].id, False)


def test_roles_states_and_kinds_have_labels_in_both_languages():
    keys = [f"store.role.{r}" for r in svc.ROLES] + [f"store.status.{x}" for x in STATUSES]
    keys += [f"store.template.{k}" for k in TEMPLATE_KINDS]
    for key in keys:
        assert t(key, "zh") != key and t(key, "en") != key and t(key, "zh") != t(key, "en")


def test_at_most_argon2_slots_password_checks_run_at_once(monkeypatch):
    """Each argon2 check takes 64 MiB: a burst of concurrent log-ins must not take them all at once."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import carbonpeak.auth as auth

    running, peak, lock = [0], [0], threading.Lock()

    class Slow:
        def verify(self, _hash, _password):
            with lock:
                running[0] += 1
                peak[0] = max(peak[0], running[0])
            time.sleep(0.02)
            with lock:
                running[0] -= 1
            return True

    monkeypatch.setattr(auth, "_hasher", Slow())
    with ThreadPoolExecutor(4 * auth.ARGON2_SLOTS) as pool:
        assert all(pool.map(lambda _: auth.verify_password("h", "p"), range(8 * auth.ARGON2_SLOTS)))
    assert 1 < peak[0] <= auth.ARGON2_SLOTS  # concurrent, but never more than the slots
