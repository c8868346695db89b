"""The keyed audit chain and its exported head: the rewrite attack of issue 18 is detected.

The attack: with write access to the database (triggers dropped) but not the audit key, delete an
entry, renumber and recompute every later hash and the head. Before keying, `audit verify` said
"intact". Now the recomputed hashes are not HMACs under the key; and the downgrade (declaring the
whole chain unkeyed and recomputing it) is caught by the head exported before the attack.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from carbonpeak.cli import build_app
from carbonpeak.services import audit
from carbonpeak.services.init import init_database
from carbonpeak.services.users import create_user
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

KEY = "test-audit-key"


@pytest.fixture
def keyed(db_url, tiny_plan):
    db = Database(db_url, audit_key=KEY)
    init_database(db, tiny_plan)  # entry 1
    with db.session() as s:
        for n in range(5):  # entries 2–6
            create_user(s, username=f"u{n}", password="long enough", role="viewer", unit_code="dept_a")
    yield db
    db.dispose()


def _drop_guard(db):
    with db.engine.begin() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only"))
        else:
            conn.execute(text("DROP TRIGGER audit_log_no_update"))
            conn.execute(text("DROP TRIGGER audit_log_no_delete"))


def rewrite_without(db, seq: int, *, key: bytes = b"", unkey: bool = False) -> None:
    """The attack: delete entry `seq`, renumber the later ones, recompute their links and hashes
    with `key` (the attacker's guess) and set the head; `unkey` also declares the chain unkeyed."""
    _drop_guard(db)
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE seq = :s"), {"s": seq})
        rows = conn.execute(
            text("SELECT * FROM audit_log WHERE seq > :s ORDER BY seq"), {"s": seq}
        ).mappings()
        later = [dict(r) for r in rows]
        prev = conn.execute(text("SELECT hash FROM audit_log WHERE seq = :s"), {"s": seq - 1}).scalar_one()
        start = 1 if unkey else seq
        if unkey:  # recompute from the first entry, every one unkeyed
            later = [dict(r) for r in conn.execute(text("SELECT * FROM audit_log ORDER BY seq")).mappings()]
            prev = audit.GENESIS
        for n, e in enumerate(later, start=start):
            digest = audit.entry_hash(
                prev,
                n,
                e["at"],
                e["username"],
                e["action"],
                e["object_type"],
                e["object_id"],
                e["detail"],
                key=key,
            )
            conn.execute(
                text("UPDATE audit_log SET seq = :n, prev_hash = :p, hash = :h WHERE seq = :old"),
                {"n": n, "p": prev, "h": digest, "old": e["seq"]},
            )
            prev = digest
        conn.execute(
            text("UPDATE audit_head SET seq = :n, hash = :h" + (", keyed_from = NULL" if unkey else "")),
            {"n": start + len(later) - 1, "h": prev},
        )


def _faults(db, anchor=None):
    with db.session() as s:
        return [(f.seq, f.rule) for f in audit.verify_chain(s, anchor=anchor)]


def test_a_keyed_chain_verifies(keyed):
    assert _faults(keyed) == []
    with keyed.session() as s:
        assert s.get(audit.AuditHead, 1).keyed_from == 1


def test_rewrite_attack_without_the_key_is_detected(keyed):
    rewrite_without(keyed, 3)
    assert _faults(keyed)[:1] == [(3, "edited")]


def test_downgrade_to_an_unkeyed_chain_is_caught_by_the_exported_head(keyed):
    with keyed.session() as s:
        anchor = audit.export_head(s)
    rewrite_without(keyed, 3, unkey=True)
    assert _faults(keyed) == []  # the limit of a chain alone: documented in docs/operations.md
    assert _faults(keyed, anchor) == [(6, "missing")]


def test_truncation_after_an_export_is_caught(keyed):
    with keyed.session() as s:
        anchor = audit.export_head(s)
    _drop_guard(keyed)
    with keyed.engine.begin() as conn:
        prev = conn.execute(text("SELECT hash FROM audit_log WHERE seq = 4")).scalar_one()
        conn.execute(text("DELETE FROM audit_log WHERE seq > 4"))
        conn.execute(text("UPDATE audit_head SET seq = 4, hash = :h"), {"h": prev})
    assert _faults(keyed) == []
    assert _faults(keyed, anchor) == [(5, "missing")]


def test_an_anchor_forged_without_the_key_is_refused(keyed):
    with keyed.session() as s:
        anchor = audit.export_head(s)
    forged = audit.HeadAnchor(
        anchor.seq, anchor.hash, anchor.keyed_from, "2030-01-01T00:00:00+00:00", anchor.mac
    )
    assert _faults(keyed, forged) == [(anchor.seq, "anchor")]


def test_a_keyed_log_refuses_writes_without_the_key(keyed, db_url):
    from carbonpeak.errors import IntegrityError

    unkeyed = Database(db_url)
    with unkeyed.session() as s, pytest.raises(IntegrityError):
        create_user(s, username="x", password="long enough", role="viewer", unit_code="dept_a")
    with unkeyed.session() as s:
        assert [f.rule for f in audit.verify_chain(s)] == ["key"]
    unkeyed.dispose()


def test_cli_export_head_then_verify_finds_the_rewrite(tmp_path, tiny_plan, monkeypatch):
    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    db = Database.from_settings(Settings())
    init_database(db, tiny_plan)
    with db.session() as s:
        for n in range(3):
            create_user(s, username=f"u{n}", password="long enough", role="viewer", unit_code="dept_a")
    runner = CliRunner()
    exported = runner.invoke(build_app(), ["audit", "export-head"])
    assert exported.exit_code == 0 and "seq 4" in exported.output, exported.output
    ok = runner.invoke(build_app(), ["audit", "verify"])
    assert ok.exit_code == 0 and "matches the head exported" in ok.output, ok.output
    rewrite_without(db, 2, unkey=True)
    db.dispose()
    broken = runner.invoke(build_app(), ["audit", "verify"])
    assert broken.exit_code == 1
    assert "audit entry 4: missing" in broken.output, broken.output
