"""Online backup and restore of a data folder: the database, the keys, the files, the audit head.

    DEST/
      manifest.json       format, time, database kind, SHA-256 of every file below, the audit head
      carbonpeak.db       SQLite: the sqlite3 backup API (one step: a consistent snapshot while
                          the server keeps writing; WAL readers do not block writers)
      carbonpeak.pgdump   PostgreSQL: `pg_dump --format=custom` (one snapshot transaction)
      keys/               .secret_key and .audit_key of the data folder, when they are files
      files/              everything else in the data folder (uploads, metering Parquet …)
      audit-head.json     the audit chain's head in the backup (services/audit.py), also written
                          to CARBONPEAK_AUDIT_HEAD_FILE

A backup is written into a folder beside DEST (`.DEST.partial-<pid>`), flushed to disk (fsync) and
only then renamed to DEST, manifest last: a backup stopped at any point (kill -9, a full disk)
leaves no DEST, never a partial one that looks complete. (The `.partial` folder it leaves may be
deleted.) `restore_backup` refuses a folder without its manifest or with a file that does not match
it, refuses a data folder (or PostgreSQL database) that is not empty, puts everything back and
verifies the audit chain against the backup's head before saying it is done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import inspect

from carbonpeak.errors import Conflict, IntegrityError
from carbonpeak.services import audit
from carbonpeak.settings import Settings
from carbonpeak.store.db import Database

MANIFEST = "manifest.json"
KEY_FILES = (".secret_key", ".audit_key")
SQLITE_FILE = "carbonpeak.db"
PG_FILE = "carbonpeak.pgdump"
FORMAT = 1


@dataclass(frozen=True)
class BackupResult:
    path: Path
    database: str
    files: int
    audit_seq: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _empty_folder(path: Path, what: str) -> None:
    if path.exists() and any(path.iterdir()):
        raise Conflict(f"{what} {path} is not empty", message_zh=f"{what} {path} 不是空目录")


def _sqlite_path(url: str) -> Path | None:
    if url.startswith("sqlite:///") and ":memory:" not in url:
        return Path(url.removeprefix("sqlite:///"))
    return None


def _libpq_url(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://", 1).replace(
        "postgresql+psycopg2://", "postgresql://", 1
    )


def make_backup(settings: Settings, dest: Path) -> BackupResult:
    """Back the data folder of `settings` up into the new (or empty) folder `dest` while it serves."""
    Database.initialised(settings).dispose()  # NotInitialised, before anything is written
    _empty_folder(dest, "backup folder")
    final = dest
    final.parent.mkdir(parents=True, exist_ok=True)
    dest = final.parent / f".{final.name}.partial-{os.getpid()}"
    if dest.exists():  # left by a killed backup of an earlier process with the same id
        shutil.rmtree(dest)
    dest.mkdir()
    url = settings.resolved_database_url()
    db_path = _sqlite_path(url)
    key = settings.resolved_audit_key()
    if db_path is not None:
        source = sqlite3.connect(db_path, timeout=30)
        target = sqlite3.connect(dest / SQLITE_FILE)
        try:
            source.backup(target)  # pages=-1: the whole database in one consistent step
        finally:
            target.close()
            source.close()
        copy = Database(f"sqlite:///{dest / SQLITE_FILE}", audit_key=key)
        try:
            with copy.session() as s:
                anchor = audit.export_head(s)
        finally:
            copy.dispose()
        kind = "sqlite"
    elif url.startswith("postgresql"):
        live = Database(url, audit_key=key)
        try:
            with live.session() as s:
                anchor = audit.export_head(s)  # before the dump's snapshot: the dump holds at least this
        finally:
            live.dispose()
        subprocess.run(
            ["pg_dump", "--format=custom", "--no-owner", f"--file={dest / PG_FILE}", _libpq_url(url)],
            check=True,
            capture_output=True,
        )
        kind = "postgresql"
    else:
        raise Conflict(f"cannot back up {url.split(':')[0]}", message_zh="不支持备份此类数据库")
    data_dir = settings.data_dir
    skip = {SQLITE_FILE, f"{SQLITE_FILE}-wal", f"{SQLITE_FILE}-shm", "audit-head.json", *KEY_FILES}
    for name in KEY_FILES:
        if (data_dir / name).exists():
            (dest / "keys").mkdir(exist_ok=True)
            shutil.copy2(data_dir / name, dest / "keys" / name)
    if data_dir.exists():
        for path in sorted(data_dir.rglob("*")):
            rel = path.relative_to(data_dir)
            if (
                path.is_file()
                and rel.parts[0] not in skip
                and not (db_path and path.resolve() == db_path.resolve())
                and not path.resolve().is_relative_to(dest.resolve())  # a backup inside the data folder
                and not path.resolve().is_relative_to(final.resolve())
            ):
                (dest / "files" / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, dest / "files" / rel)
    audit.write_anchor(anchor, dest / "audit-head.json")
    files = {
        str(p.relative_to(dest)): _sha256(p)
        for p in sorted(dest.rglob("*"))
        if p.is_file() and p.name != MANIFEST
    }
    manifest = {
        "format": FORMAT,
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": kind,
        "audit_head": anchor.as_dict(),
        "files": files,
    }
    (dest / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    _publish(dest, final)
    audit.write_anchor(anchor, settings.resolved_audit_head_file())
    return BackupResult(final, kind, len(files), anchor.seq)


def _publish(partial: Path, dest: Path) -> None:
    """Flush every file of `partial` to disk, then rename it to `dest` (absent or an empty folder)."""
    for path in sorted(partial.rglob("*"), reverse=True):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    try:
        os.rename(partial, dest)  # atomic; onto an empty folder too (POSIX rename)
    except OSError as exc:
        raise Conflict(
            f"backup folder {dest} is not empty: the backup is left in {partial}",
            message_zh=f"备份目录 {dest} 不是空目录：本次备份留在 {partial}",
        ) from exc
    fd = os.open(dest.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def restore_backup(settings: Settings, src: Path) -> BackupResult:
    """Restore the backup `src` into the empty data folder (and empty database) of `settings`;
    IntegrityError when a file does not match the manifest or the restored audit chain is broken."""
    if not (src / MANIFEST).is_file():
        raise IntegrityError(
            f"{src} is not a complete backup: it has no {MANIFEST} (a backup that was stopped leaves "
            "none; use another backup)",
            message_zh=f"{src} 不是完整的备份：缺少 {MANIFEST}（中断的备份没有清单），请使用其他备份",
        )
    manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
    for rel, digest in manifest["files"].items():
        if not (src / rel).is_file():
            raise IntegrityError(
                f"backup file {rel} is missing from {src}", message_zh=f"备份文件 {rel} 缺失"
            )
        if _sha256(src / rel) != digest:
            raise IntegrityError(
                f"backup file {rel} does not match its manifest", message_zh=f"备份文件 {rel} 校验失败"
            )
    data_dir = settings.data_dir
    _empty_folder(data_dir, "data folder")
    data_dir.mkdir(parents=True, exist_ok=True)
    for name in KEY_FILES:
        if (src / "keys" / name).exists():
            shutil.copy2(src / "keys" / name, data_dir / name)
            os.chmod(data_dir / name, 0o600)
    if (src / "files").exists():
        shutil.copytree(src / "files", data_dir, dirs_exist_ok=True)
    url = settings.resolved_database_url()
    if manifest["database"] == "sqlite":
        db_path = _sqlite_path(url)
        if db_path is None:
            raise Conflict(
                "a SQLite backup restores into a SQLite database", message_zh="SQLite 备份只能恢复到 SQLite"
            )
        if db_path.exists():
            raise Conflict(f"{db_path} exists", message_zh=f"{db_path} 已存在")
        db_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src / SQLITE_FILE, db_path)
    else:
        db = Database(url)
        try:
            if inspect(db.engine).get_table_names():
                raise Conflict("the target database is not empty", message_zh="目标数据库不是空库")
        finally:
            db.dispose()
        subprocess.run(
            [
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                f"--dbname={_libpq_url(url)}",
                str(src / PG_FILE),
            ],
            check=True,
            capture_output=True,
        )
    anchor = audit.read_anchor(src / "audit-head.json")
    assert anchor is not None
    audit.write_anchor(anchor, settings.resolved_audit_head_file())
    db = Database.from_settings(settings)
    try:
        with db.session() as s:
            faults = audit.verify_chain(s, anchor=anchor)
    finally:
        db.dispose()
    if faults:
        raise IntegrityError(
            f"restored, but the audit chain is broken: {faults[0].message}",
            message_zh=f"已恢复，但审计日志校验失败：{faults[0].message}",
        )
    return BackupResult(data_dir, manifest["database"], len(manifest["files"]), anchor.seq)
