"""kill -9 of the server during an upload burst, and of `carbonpeak backup` during a backup
(issue 18): every acknowledged write is present, no version is partial, the audit chain is intact,
and a backup is either complete and restorable or absent — never a partial one that looks complete.

The server is a real `python -m carbonpeak serve` process on SQLite or PostgreSQL; the backup a real
process that stops at a chosen stage (it patches itself: no test hook in the product), killed there."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select, text

from carbonpeak.services import audit
from carbonpeak.services.backup import make_backup, restore_backup
from carbonpeak.services.init import init_database
from carbonpeak.services.rounds import download_template, open_round
from carbonpeak.services.users import create_user, issue_token
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database
from carbonpeak.store.models import Submission, SubmissionFile, SubmissionRow, User

PASSWORD = "correct horse 1"
CLIENTS = 8
PER_CLIENT = 6


def _settings(db_url: str, data_dir: Path) -> Settings:
    return Settings(data_dir=data_dir, database_url=db_url if db_url.startswith("postgresql") else None)


def _env(settings: Settings) -> dict[str, str]:
    env = {**os.environ, "CARBONPEAK_DATA_DIR": str(settings.data_dir)}
    env.pop("CARBONPEAK_DATABASE_URL", None)
    if settings.database_url:
        env["CARBONPEAK_DATABASE_URL"] = settings.database_url
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(settings: Settings, port: int) -> subprocess.Popen[bytes]:
    # the server's log to a file: a pipe nobody reads fills after 64 KiB of access lines and then
    # blocks the server on its next line
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    log_path = settings.data_dir / "server.log"
    with log_path.open("ab") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "carbonpeak", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=_env(settings),
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, log_path.read_text(errors="replace")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("the server did not start")


def _kill(proc: subprocess.Popen[bytes]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(10)
    if proc.stderr:
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


def _chain_intact(settings: Settings) -> None:
    db = Database.from_settings(settings)
    try:
        with db.session() as s:
            assert audit.verify_chain(s) == []
    finally:
        db.dispose()


def test_kill_9_during_an_upload_burst_loses_no_acknowledged_upload(db_url, tmp_path, tiny_plan, fill):
    settings = _settings(db_url, tmp_path / "data")
    db = Database.from_settings(settings)  # the audit key the server will use: <data>/.audit_key
    init_database(db, tiny_plan)
    with db.session() as s:
        office = create_user(s, username="office", password=PASSWORD, role="office", unit_code="office")
        tokens = [
            issue_token(
                s, create_user(s, username=f"r{i}", password=PASSWORD, role="department", unit_code="dept_a")
            )
            for i in range(CLIENTS)
        ]
        rnd = open_round(s, office, period="2024", title="2024", due_date=dt.date(2025, 3, 31))
        _, xlsx = download_template(s, office, rnd.id, "dept_a")
    db.dispose()
    files = {
        (c, n): fill(xlsx, {"pv_capacity": 1000 + 10 * c + n})
        for c in range(CLIENTS)
        for n in range(PER_CLIENT)
    }
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api/rounds/{rnd.id}/submissions"
    acknowledged: dict[tuple[int, int], dict] = {}
    tried: set[tuple[int, int]] = set()
    lock = threading.Lock()

    def upload(c: int, n: int, client: httpx.Client) -> httpx.Response:
        return client.post(
            url,
            headers={"Authorization": f"Bearer {tokens[c]}", "Idempotency-Key": f"up-{c}-{n}"},
            files={"file": (f"r{c}-{n}.xlsx", files[c, n])},
        )

    def burst(c: int) -> None:
        with httpx.Client(timeout=60) as client:
            for n in range(PER_CLIENT):
                with lock:
                    tried.add((c, n))
                try:
                    r = upload(c, n, client)
                except httpx.HTTPError:
                    return  # the server is gone: this one was never acknowledged
                assert r.status_code == 201, r.text
                with lock:
                    acknowledged[c, n] = r.json()

    server = _serve(settings, port)
    threads = [threading.Thread(target=burst, args=(c,)) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(acknowledged) < CLIENTS and time.monotonic() < deadline:
        time.sleep(0.01)
    _kill(server)  # with uploads in flight
    for t in threads:
        t.join(60)
    assert CLIENTS <= len(acknowledged) < CLIENTS * PER_CLIENT, "the kill did not land in the burst"

    db = Database.from_settings(settings)
    with db.session() as s:
        subs = {sub.id: sub for sub in s.execute(select(Submission)).scalars()}
        rows = dict(
            s.execute(
                select(SubmissionRow.submission_id, func.count()).group_by(SubmissionRow.submission_id)
            ).all()
        )
        stored = set(s.execute(select(SubmissionFile.submission_id)).scalars())
    db.dispose()
    for ack in acknowledged.values():  # every acknowledged upload, as it was acknowledged
        sub = subs[ack["id"]]
        assert (sub.version, sub.file_sha256, sub.status) == (ack["version"], ack["file_sha256"], "draft")
    for sub in subs.values():  # no partial version
        assert sub.id in stored and rows.get(sub.id, 0) > 0
    assert sorted(sub.version for sub in subs.values()) == list(range(1, len(subs) + 1))
    _chain_intact(settings)

    # the clients retry everything they tried, with the same keys, against the restarted server
    server = _serve(settings, port)
    try:
        with httpx.Client(timeout=60) as client:
            for c, n in sorted(tried):
                r = upload(c, n, client)
                if (c, n) in acknowledged:
                    assert r.status_code == 201 and r.json() == acknowledged[c, n]
                    assert r.headers["idempotency-replayed"] == "true"
                else:  # never answered: run now, or carried out before the kill (its answer lost)
                    assert r.status_code in (201, 409), r.text
    finally:
        server.terminate()
        server.wait(30)
        if server.stderr:
            server.stderr.close()
    db = Database.from_settings(settings)
    with db.session() as s:
        shas = list(s.execute(select(Submission.file_sha256)).scalars())
    db.dispose()
    assert len(shas) == len(set(shas)), "a request was carried out twice"
    assert {hashlib.sha256(files[k]).hexdigest() for k in acknowledged} <= set(shas)
    _chain_intact(settings)


# -- kill -9 during a backup --------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import pathlib, sqlite3, sys, time, types
    import carbonpeak.services.backup as backup
    from carbonpeak.settings import Settings

    dest, marker, stage = sys.argv[1:4]

    def stop(*_args, **_kwargs):
        pathlib.Path(marker).write_text(stage)
        time.sleep(120)

    if stage == "database" and Settings().database_url:  # pg_dump started, still writing its file
        import subprocess
        backup.subprocess.run = lambda args, **k: (subprocess.Popen(args), stop())
    elif stage == "database":  # in the middle of the SQLite page copy
        class Conn:
            def __init__(self, conn):
                self.conn = conn
            def backup(self, target, **_kw):
                self.conn.backup(target.conn, pages=1, progress=lambda *a: stop())
            def close(self):
                self.conn.close()
        backup.sqlite3 = types.SimpleNamespace(connect=lambda *a, **k: Conn(sqlite3.connect(*a, **k)))
    elif stage == "files":  # the database copied, the keys and files being copied
        real_copy = backup.shutil.copy2
        backup.shutil.copy2 = lambda *a, **k: (stop(), real_copy(*a, **k))
    elif stage == "publish":  # everything written, manifest included, not yet renamed
        backup._publish = stop
    backup.make_backup(Settings(), pathlib.Path(dest))
""")


@pytest.mark.parametrize("stage", ["database", "files", "publish"])
def test_kill_9_during_a_backup_leaves_no_partial_backup(db_url, tmp_path, tiny_plan, stage):
    live = _settings(db_url, tmp_path / "live")
    db = Database.from_settings(live)
    init_database(db, tiny_plan)
    live.resolved_secret_key()
    (live.data_dir / "uploads").mkdir()
    (live.data_dir / "uploads" / "evidence.pdf").write_bytes(b"%PDF-1.4 evidence")
    acknowledged: list[str] = []
    stop = threading.Event()

    def write() -> None:  # the server keeps writing during the backup and after the kill
        n = 0
        while not stop.is_set():
            with db.session() as s:
                create_user(s, username=f"w{n}", password="long enough", role="viewer", unit_code="dept_a")
            acknowledged.append(f"w{n}")
            n += 1
            time.sleep(0.005)

    writer = threading.Thread(target=write)
    writer.start()
    dest, marker = tmp_path / "backup", tmp_path / "marker"
    try:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(dest), str(marker), stage],
            env=_env(live),
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "the backup never reached its stage"
            time.sleep(0.05)
        _kill(child)
        assert not dest.exists(), "a killed backup left a folder that looks like a backup"
        partial = list(tmp_path.glob(".backup.partial-*"))
        assert len(partial) == 1
        restored = _settings(db_url, tmp_path / "restored")
        if stage != "publish":  # the stopped backup's own folder is refused too
            from carbonpeak.errors import IntegrityError

            with pytest.raises(IntegrityError, match="not a complete backup") as err:
                restore_backup(restored, partial[0])
            assert "不是完整的备份" in err.value.message_zh
            assert not (tmp_path / "restored").exists() or not any((tmp_path / "restored").iterdir())

        # the next backup, still under write load, is complete and restores everything acknowledged
        time.sleep(0.1)
        before = list(acknowledged)
        result = make_backup(live, dest)
    finally:
        stop.set()
        writer.join()
    assert result.path == dest and (dest / "manifest.json").is_file()
    with db.session() as s:  # the live database: every acknowledged write, the chain intact
        names = set(s.execute(select(User.username)).scalars())
    assert set(acknowledged) <= names
    _chain_intact(live)
    if db_url.startswith("postgresql"):
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    db.dispose()
    restore_backup(restored, dest)
    again = Database.from_settings(restored)
    with again.session() as s:
        names = set(s.execute(select(User.username)).scalars())
        assert audit.verify_chain(s, anchor=audit.read_anchor(restored.resolved_audit_head_file())) == []
    again.dispose()
    assert set(before) <= names
    assert (restored.data_dir / "uploads" / "evidence.pdf").read_bytes() == b"%PDF-1.4 evidence"
