"""The audit log: append-only by trigger, and `verify` names an edited or deleted entry."""

from __future__ import annotations

import pytest
import sqlalchemy.exc
from sqlalchemy import text
from typer.testing import CliRunner

from carbonpeak.cli import build_app
from carbonpeak.services import audit
from carbonpeak.services.init import init_database
from carbonpeak.services.users import create_user
from carbonpeak.store.db import Database


@pytest.fixture
def logged(db_url, tiny_plan):
    db = Database(db_url)
    init_database(db, tiny_plan)  # entry 1
    with db.session() as s:
        for n in range(4):  # entries 2–5
            create_user(s, username=f"u{n}", password="long enough", role="viewer", unit_code="dept_a")
        assert audit.verify_chain(s) == []
    yield db
    db.dispose()


def _drop_guard(db):
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def _faults(db):
    with db.session() as s:
        return [(f.seq, f.rule) for f in audit.verify_chain(s)]


def test_the_log_refuses_update_and_delete(logged):
    for sql in ("UPDATE audit_log SET username = 'x' WHERE seq = 2", "DELETE FROM audit_log WHERE seq = 2"):
        with pytest.raises(sqlalchemy.exc.DatabaseError), logged.engine.begin() as conn:
            conn.execute(text(sql))
    assert _faults(logged) == []


def test_an_edited_entry_is_named(logged):
    _drop_guard(logged)
    with logged.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET detail = replace(detail, 'viewer', 'office') WHERE seq = 3"))
    assert _faults(logged) == [(3, "edited")]


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(logged):
    _drop_guard(logged)
    with logged.session() as s:
        e = s.get(audit.AuditEntry, 3)
        e.username = "intruder"
        e.hash = audit.entry_hash(
            e.prev_hash, e.seq, e.at, e.username, e.action, e.object_type, e.object_id, e.detail
        )
        s.commit()
    assert _faults(logged) == [(4, "edited")]


def test_deleted_entries_are_named_in_the_middle_and_at_the_end(logged):
    _drop_guard(logged)
    with logged.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    assert _faults(logged) == [(2, "missing")]
    with logged.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = 5"))
    assert _faults(logged) == [(2, "missing"), (5, "missing")]


def test_cli_audit_verify_exits_1_naming_the_entry(tmp_path, tiny_plan, monkeypatch):
    url = f"sqlite:///{tmp_path / 'a.db'}"
    monkeypatch.setenv("CARBONPEAK_DATABASE_URL", url)
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path))  # the CLI keeps its audit key there
    db = Database(url)
    init_database(db, tiny_plan)
    with db.session() as s:
        create_user(s, username="u", password="long enough", role="viewer", unit_code="dept_a")
    runner = CliRunner()
    ok = runner.invoke(build_app(), ["audit", "verify"])
    assert ok.exit_code == 0 and "2 entries" in ok.output, ok.output
    _drop_guard(db)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET action = 'user.delete' WHERE seq = 2"))
    db.dispose()
    broken = runner.invoke(build_app(), ["audit", "verify"])
    assert broken.exit_code == 1
    assert "audit entry 2: edited" in broken.output
