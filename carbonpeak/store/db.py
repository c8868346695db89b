"""Engine and session factory, built from Settings; nothing connects at import.

`Database(url)` holds one engine and one sessionmaker. SQLite gets `BEGIN IMMEDIATE` on every
transaction that may write, so that two writers queue instead of interleaving (the audit chain and
the version numbers of submissions rely on it), foreign keys on, a busy timeout (BUSY_TIMEOUT_MS)
and WAL for files. The writers of one process take turns on a lock of their own before BEGIN
IMMEDIATE, handed over at the end of each transaction, instead of sleeping in SQLite's busy handler
(16 concurrent reporters: upload + submit p99 from 1.8–2.0 s to 1.3–1.5 s, benchmarks/load.py).
Reads take no write lock: inside `reading()` (every GET and HEAD request, set by carbonpeak.web.site)
or a `Database.session(read_only=True)` a transaction begins DEFERRED, and WAL lets it read while
one writer writes; such a session may not flush a change (ReadOnlySession).
Writers keep their transactions short: slow work (argon2, parsing an upload) runs before the
transaction that stores its result (services/users.authenticate, services/submissions.import_submission).
PostgreSQL serialises the same writers with row locks (see services/audit.py and
services/submissions.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from carbonpeak.errors import ReadOnlySession
from carbonpeak.settings import DEFAULT_DATASET_DIR, DEFAULT_REGION, Settings, current

BUSY_TIMEOUT_MS = 30_000  # a writer waits this long for the write lock before "database is locked"
_read_only: ContextVar[bool] = ContextVar("carbonpeak_read_only", default=False)


@contextmanager
def reading() -> Iterator[None]:
    """Sessions opened or used in this block only read: SQLite begins their transactions DEFERRED
    (no write lock), and a flush of a change raises ReadOnlySession."""
    token = _read_only.set(True)
    try:
        yield
    finally:
        _read_only.reset(token)


def is_missing_table(exc: BaseException) -> bool:
    """True when a database error says a table does not exist (SQLite's message, PostgreSQL's 42P01):
    the database was never initialised (`carbonpeak init`)."""
    orig = getattr(exc, "orig", None)
    if getattr(orig, "sqlstate", None) == "42P01":
        return True
    return "no such table" in str(orig or exc)


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; SQLite is set up for several threads and serialised writers."""
    if url.startswith("sqlite"):
        memory = url in {"sqlite://", "sqlite:///:memory:"} or "mode=memory" in url
        kwargs: dict[str, Any] = {
            "connect_args": {"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000}
        }
        if memory:  # one shared connection, or each thread sees its own empty database
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, echo=echo, **kwargs)
        _serialise_sqlite(engine, wal=not memory)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True)


def _serialise_sqlite(engine: Engine, *, wal: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy's begin event emit BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        if wal:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()

    # the writers of this process queue on a lock of their own before BEGIN IMMEDIATE: SQLite's busy
    # handler sleeps and polls (1, 2, 5 … 100 ms), so 16 writers waiting on the file lock lose most
    # of their time asleep; a lock hands the write over at once. Other processes still meet the
    # busy timeout. A writer that cannot have the lock in BUSY_TIMEOUT_MS goes on to SQLite's own wait.
    writers = threading.Lock()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if _read_only.get():
            conn.exec_driver_sql("BEGIN")
            return
        held = writers.acquire(timeout=BUSY_TIMEOUT_MS / 1000)
        conn.info["carbonpeak_writer"] = held
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _release(conn)
            raise

    def _release(conn: Any) -> None:
        if conn.invalidated:  # its lock went with the pool's "invalidate" event (below)
            return
        if conn.info.pop("carbonpeak_writer", False):
            writers.release()

    def _returned(_dbapi_conn: Any, record: Any, *_: Any) -> None:
        # a transaction the pool ended (a connection returned, closed or invalidated without a
        # commit or rollback of its own): its lock must not stay held
        if record is not None and record.info.pop("carbonpeak_writer", False):
            writers.release()

    event.listen(engine, "commit", _release)
    event.listen(engine, "rollback", _release)
    for pool_event in ("checkin", "invalidate", "close"):
        event.listen(engine, pool_event, _returned)


class Database:
    """One engine and its session factory. `Database.from_settings(settings)` is the usual way in."""

    def __init__(
        self,
        url: str,
        *,
        echo: bool = False,
        audit_key: str = "",
        region: str = DEFAULT_REGION,
        dataset: Path = DEFAULT_DATASET_DIR,
    ) -> None:
        """`audit_key` keys the audit chain (services/audit.py); without one (tests, scripts) the
        chain is plain SHA-256 and a keyed log refuses new entries. `region` (Settings.region) is
        the region whose data set the services read from this store; `dataset` (Settings.dataset)
        the folder of the data set files they read while the store has published nothing."""
        self.url = url
        self.region = region
        self.dataset = dataset
        self.engine = make_engine(url, echo=echo)
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"audit_key": audit_key.encode()}
        )
        event.listen(self.sessions, "before_flush", _refuse_writes_while_reading)

    @classmethod
    def from_settings(cls, settings: Settings) -> Database:
        url = settings.resolved_database_url()
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        return cls(url, **_options(settings))

    @classmethod
    def initialised(cls, settings: Settings) -> Database:
        """The database of `settings` when `carbonpeak init` has brought it to the newest schema;
        NotInitialised otherwise. A SQLite file that does not exist is not created (nor its folder)."""
        from sqlalchemy import inspect
        from sqlalchemy.engine import make_url

        from carbonpeak.errors import NotInitialised

        url = settings.resolved_database_url()
        parsed = make_url(url)
        if (
            parsed.get_backend_name() == "sqlite"
            and parsed.database not in (None, "", ":memory:")
            and "mode=memory" not in url
            and not Path(parsed.database).is_file()
        ):
            raise NotInitialised()
        db = cls(url, **_options(settings))
        try:
            from carbonpeak.store.migrate import current_revision, head_revision

            if not inspect(db.engine).has_table("alembic_version"):
                raise NotInitialised()
            if current_revision(db.engine) != head_revision():
                raise NotInitialised(outdated=True)
        except BaseException:
            db.dispose()
            raise
        return db

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self, *, read_only: bool = False) -> Iterator[Session]:
        """A session that rolls back whatever was not committed when the block ends; `read_only`:
        inside `reading()` (no write lock on SQLite)."""
        if read_only:
            with reading(), self.session() as session:
                yield session
            return
        with self.sessions() as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()


def _options(settings: Settings) -> dict[str, Any]:
    """What a Database takes from the settings besides its URL."""
    return {
        "audit_key": settings.resolved_audit_key(),
        "region": settings.region,
        "dataset": settings.dataset,
    }


def _refuse_writes_while_reading(session: Session, _context: Any, _instances: Any) -> None:
    if _read_only.get() and (session.new or session.dirty or session.deleted):
        raise ReadOnlySession(
            "a change was flushed inside reading() (a GET request or a read-only session)",
            message_zh="只读会话中写入了数据（GET 请求或只读会话）：程序错误",
        )


_shared_lock = threading.Lock()


def shared_database(state: Any) -> Database:
    """The one Database of an application (`state`: its `app.state`, holding `settings`), opened on
    first use and kept in `state.database`; the API and the pages share it."""
    with _shared_lock:
        db = getattr(state, "database", None)
        if db is None:
            db = Database.from_settings(state.settings)
            state.database = db
    return db


@contextmanager
def open_session(settings: Settings | None = None) -> Iterator[Session]:
    """A session on the database of `settings` (default: the process's, settings.current), for CLI commands:
    NotInitialised, before any file is created, when `carbonpeak init` has not run against it."""
    db = Database.initialised(settings or current())
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()
