"""`carbonpeak backup` under write load and `carbonpeak restore` into an empty data folder: every
write acknowledged before the backup began is in the restored copy, with its keys, its files and an
intact audit chain. (A plain copy of the SQLite file while serving lost entries still in the WAL.)"""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from carbonpeak.cli import build_app
from carbonpeak.errors import Conflict
from carbonpeak.services import audit
from carbonpeak.services.backup import make_backup, restore_backup
from carbonpeak.services.init import init_database
from carbonpeak.services.users import create_user
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database
from carbonpeak.store.models import User


def _settings(db_url: str, data_dir) -> Settings:
    return Settings(data_dir=data_dir, database_url=db_url if db_url.startswith("postgresql") else None)


def test_backup_under_write_load_restores_everything_acknowledged(db_url, tiny_plan, tmp_path, monkeypatch):
    live = _settings(db_url, tmp_path / "live")
    db = Database.from_settings(live)
    init_database(db, tiny_plan)
    session_key = live.resolved_secret_key()  # made by the first web request of a serving instance
    (live.data_dir / "uploads").mkdir()
    (live.data_dir / "uploads" / "evidence.pdf").write_bytes(b"%PDF-1.4 evidence")
    acknowledged: list[str] = []
    stop = threading.Event()
    errors: list[BaseException] = []

    def write() -> None:
        n = 0
        while not stop.is_set():
            try:
                with db.session() as s:
                    create_user(
                        s, username=f"w{n}", password="long enough", role="viewer", unit_code="dept_a"
                    )
                acknowledged.append(f"w{n}")  # committed: the client has its answer
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)
                return
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    while len(acknowledged) < 15 and writer.is_alive():
        stop.wait(0.01)
    before = list(acknowledged)
    try:
        result = make_backup(live, tmp_path / "backup")
    finally:
        stop.set()
        writer.join()
    assert not errors
    assert result.audit_seq >= len(before) + 1
    with pytest.raises(Conflict):
        make_backup(live, tmp_path / "backup")  # never into a folder that holds something

    if db_url.startswith("postgresql"):  # the same server: empty the database first
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.dispose()
    restored = _settings(db_url, tmp_path / "restored")
    restore_backup(restored, tmp_path / "backup")
    with pytest.raises(Conflict):
        restore_backup(restored, tmp_path / "backup")  # only into an empty folder

    again = Database.from_settings(restored)
    with again.session() as s:
        names = set(s.execute(select(User.username)).scalars())
        anchor = audit.read_anchor(restored.resolved_audit_head_file())
        assert audit.verify_chain(s, anchor=anchor) == []
    again.dispose()
    assert set(before) <= names
    assert restored.resolved_audit_key() == live.resolved_audit_key()
    assert restored.resolved_secret_key() == session_key
    assert (restored.data_dir / "uploads" / "evidence.pdf").read_bytes() == b"%PDF-1.4 evidence"

    monkeypatch.setenv("CARBONPEAK_DATA_DIR", str(restored.data_dir))
    if restored.database_url:
        monkeypatch.setenv("CARBONPEAK_DATABASE_URL", restored.database_url)
    else:
        monkeypatch.delenv("CARBONPEAK_DATABASE_URL", raising=False)
    verified = CliRunner().invoke(build_app(), ["audit", "verify"])
    assert verified.exit_code == 0 and "matches the head exported" in verified.output, verified.output


def test_a_tampered_backup_is_refused(tiny_plan, tmp_path):
    live = Settings(data_dir=tmp_path / "live")
    db = Database.from_settings(live)
    init_database(db, tiny_plan)
    db.dispose()
    make_backup(live, tmp_path / "backup")
    with (tmp_path / "backup" / "carbonpeak.db").open("r+b") as f:
        f.seek(200)
        f.write(b"x")
    from carbonpeak.errors import IntegrityError

    with pytest.raises(IntegrityError, match=r"carbonpeak\.db"):
        restore_backup(Settings(data_dir=tmp_path / "restored"), tmp_path / "backup")
